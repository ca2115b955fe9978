package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestGetLesson(t *testing.T) {
	srv := newLessonTestServer(t)
	tests := []struct {
		name, path, accept string
		wantStatus         int
		wantLang           string
	}{
		{"english", "/api/v1/lessons/mse", "", 200, "en"},
		{"chinese", "/api/v1/lessons/mse?lang=zh", "", 200, "zh"},
		{"chinese by header", "/api/v1/lessons/ctc", "zh-CN,zh;q=0.9", 200, "zh"},
		{"unknown", "/api/v1/lessons/nope", "", 404, ""},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+test.path, nil)
			if test.accept != "" {
				req.Header.Set("Accept-Language", test.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != test.wantStatus {
				t.Fatalf("GET %s: status = %d; want %d", test.path, resp.StatusCode, test.wantStatus)
			}
			if test.wantStatus != 200 {
				return
			}
			var l LessonJSON
			if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
				t.Fatal(err)
			}
			if l.Lang != test.wantLang {
				t.Errorf("lang = %q; want %q", l.Lang, test.wantLang)
			}
			if len(l.Presets) == 0 || len(l.Questions) < 2 || !strings.Contains(string(l.HTML), `class="math`) {
				t.Errorf("lesson JSON incomplete: %d presets, %d questions", len(l.Presets), len(l.Questions))
			}
			for _, q := range l.Questions {
				if len(q.Choices) < 2 || q.Choices[0].Label == "" || !strings.HasSuffix(q.Endpoint, "/questions/"+q.ID) {
					t.Errorf("question %s: choices %v, endpoint %q", q.ID, q.Choices, q.Endpoint)
				}
			}
		})
	}
}
