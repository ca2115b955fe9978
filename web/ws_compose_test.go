package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// composeWSRead reads the next message as a compose result.
func composeWSRead(t *testing.T, conn *websocket.Conn) (wsComposeResult, string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
	_, msg, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var r wsComposeResult
	if err := json.Unmarshal(msg, &r); err != nil {
		t.Fatalf("reply %s is not JSON: %v", msg, err)
	}
	return r, string(msg)
}

func composeWSMessage(id int, q url.Values) string {
	b, _ := json.Marshal(q.Encode())
	return fmt.Sprintf(`{"type":"compose","id":%d,"query":%s}`, id, b)
}

// TestWSCompose: a compose message answers with the page's parts, over a
// real socket: the panel, the sliders of a new parameter, the chart, the
// PyTorch function; a wrong formula answers its error with the position.
func TestWSCompose(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)

	wsTestSend(t, conn, composeWSMessage(1, url.Values{"formula": {"abs(input - target)^gamma"}, "input": {"[1, -2]"}, "target": {"[0, 0]"}, "lang": {"zh"}}))
	r, raw := composeWSRead(t, conn)
	if r.Type != wsTypeComposeResult || r.ID != 1 || r.Error != "" {
		t.Fatalf("reply = %s; want a compose_result for id 1", raw)
	}
	if len(r.ParamNames) != 1 || r.ParamNames[0] != "gamma" || !strings.Contains(r.Params, `name="gamma" value="2"`) {
		t.Errorf("params = %v, %s; want a gamma control at its usual 2", r.ParamNames, r.Params)
	}
	if !strings.Contains(r.Panel, `data-testid="loss">2.5<`) || !strings.Contains(r.Panel, "2 个逐元素值的平均") {
		t.Errorf("panel = %s; want loss 2.5, in Chinese", r.Panel)
	}
	if !strings.Contains(r.Query, "gamma=2") || string(r.Chart) == "null" || !strings.Contains(r.PyTorch, "def my_loss(input, target, gamma=2.0") {
		t.Errorf("query %q, chart %.40s, pytorch %q; want the completed state, a chart and the function", r.Query, r.Chart, r.PyTorch)
	}

	wsTestSend(t, conn, composeWSMessage(2, url.Values{"formula": {"(input - target)^2 + frob(input)"}, "input": {"[1]"}, "target": {"[0]"}}))
	r, raw = composeWSRead(t, conn)
	if r.ID != 2 || r.Field != "formula" || r.Pos != 22 || !strings.Contains(r.Error, `unknown function "frob" at 22`) ||
		!strings.Contains(r.FormulaError, `<mark data-testid="formula-error-mark">f</mark>`) {
		t.Errorf("reply = %s; want the formula's error at 22, marked", raw)
	}

	wsTestSend(t, conn, `{"type":"compose","id":3,"query":"theme=blue"}`)
	var e wsReply
	conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
	if err := conn.ReadJSON(&e); err != nil {
		t.Fatal(err)
	}
	if e.Type != "error" || e.Field != "theme" {
		t.Errorf("reply = %v; want an error naming theme", e)
	}
}
