package web

import (
	"net/http/httptest"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/web/class"
)

// wsTestDialLang opens a socket as a page in lang opens it: /ws?lang=…
// ("" opens plain /ws).
func wsTestDialLang(t *testing.T, srv *httptest.Server, lang string) *classClient {
	t.Helper()
	url := wsTestURL(srv)
	if lang != "" {
		url += "?lang=" + lang
	}
	conn, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v (response %v)", url, err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	return &classClient{t: t, conn: conn}
}

// TestWSErrorsInPageLanguage checks that a Chinese page's socket says its
// refusals in Chinese, each naming its field as the protocol spells it:
// an engine error (compute, the class driver's), a class's own sentinel
// (a wrong code), a class's refusal (an answer with no open question) and
// the router's (an unknown message type).
// Any other socket answers in English, as the JSON API does.
func TestWSErrorsInPageLanguage(t *testing.T) {
	srvs := classTestReplicas(t, 1, class.Limits{})
	srv := srvs[0]
	c := classTestCreate(t, srv)

	const (
		badReduction = `{"type":"compute","id":1,"loss":"MSELoss","params":{"reduction":"bogus"},"inputs":{"input":[1],"target":[0]}}`
		wrongCode    = `{"type":"class_join","id":2,"code":"ZZZZZZ"}`
		noQuestion   = `{"type":"class_answer","id":3,"qid":"q1","choice":"a"}`
		badDrive     = `{"type":"class_drive","id":4,"loss":"SmoothL1Loss","params":{"beta":-1},"inputs":{"input":[1],"target":[0]}}`
		badType      = `{"type":"bogus","id":5}`
	)
	type want struct{ reduction, code, answer, driven, typ string }
	english := want{
		reduction: `params.reduction: "bogus" is not a valid value (expected one of "none", "mean", "sum")`,
		code:      "code: no class has this code (it may have expired)",
		answer:    "qid: no question is open",
		driven:    "params.beta: must be at least 0, got -1",
		typ:       `type: unknown message type "bogus" (expected "compute", "fit", "compare", "compose" or "ping")`,
	}
	tests := []struct {
		name, lang string
		want
	}{
		{
			name: "zh",
			lang: "zh",
			want: want{
				reduction: `params.reduction："bogus" 不是有效的取值（应为 "none", "mean", "sum" 之一）`,
				code:      "code：没有使用这个代码的课堂（它可能已过期）",
				answer:    "qid：当前没有进行中的问题",
				driven:    "params.beta：必须不小于 0，实际为 -1",
				typ:       `type：未知的消息类型 "bogus"（应为 "compute"、"fit"、"compare"、"compose" 或 "ping"）`,
			},
		},
		{name: "no lang", want: english},
		{name: "en", lang: "en", want: english},
		{name: "a language the server does not have", lang: "fr", want: english},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			// wantError reads up to the error replying to id (a class sends
			// its state and roster first).
			wantError := func(cl *classClient, what string, id int64, field, want string) {
				t.Helper()
				m := cl.until("error for id", func(m classMsg) bool { return m.Type == "error" && m.ID != nil && *m.ID == id })
				if m.Error != want || m.Field != field {
					t.Errorf("%s: error %q on field %q; want %q on %q", what, m.Error, m.Field, want, field)
				}
			}

			page := wsTestDialLang(t, srv, test.lang)
			page.send(badReduction)
			wantError(page, "compute with reduction bogus", 1, "params.reduction", test.reduction)
			page.send(wrongCode)
			wantError(page, "class_join with a wrong code", 2, "code", test.code)
			page.send(badType)
			wantError(page, "an unknown message type", 5, "type", test.typ)

			student := wsTestDialLang(t, srv, test.lang)
			student.send(`{"type":"class_join","code":%q,"lang":%q}`, c.Code, test.lang)
			student.untilType("class_joined")
			student.send(noQuestion)
			wantError(student, "class_answer with no open question", 3, "qid", test.answer)

			teacher := wsTestDialLang(t, srv, test.lang)
			teacher.send(`{"type":"class_teach","code":%q,"token":%q,"lang":%q}`, c.Code, c.TeacherToken, test.lang)
			teacher.untilType("class_joined")
			teacher.send(badDrive)
			wantError(teacher, "class_drive with beta -1", 4, "params.beta", test.driven)
		})
	}
}
