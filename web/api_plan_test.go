package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/lessons/plans"
)

func getJSONBody(t *testing.T, url, accept string, v any) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type = %q; want application/json", url, ct)
	}
	if v != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, body)
		}
	}
	return resp.StatusCode, string(body)
}

func TestListPlans(t *testing.T) {
	srv := newLessonTestServer(t)
	tests := []struct {
		name, query, accept string
		wantStatus          int
		wantLang            string
		wantInBody          string
	}{
		{"english", "?lang=en", "", 200, "en", ""},
		{"chinese", "?lang=zh", "", 200, "zh", ""},
		{"chinese by header", "", "zh-CN,zh;q=0.9", 200, "zh", ""},
		{"default english", "", "", 200, "en", ""},
		{"bad lang", "?lang=fr", "", 400, "", `lang: must be`},
		{"empty lang", "?lang=", "", 400, "", `lang: must be`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			var out struct {
				Plans []PlanSummaryJSON `json:"plans"`
			}
			status, body := getJSONBody(t, srv.URL+"/api/v1/plans"+test.query, test.accept, &out)
			if status != test.wantStatus {
				t.Fatalf("status = %d; want %d (%s)", status, test.wantStatus, body)
			}
			if !strings.Contains(body, test.wantInBody) {
				t.Errorf("body = %s; want it to say %q", body, test.wantInBody)
			}
			if status != 200 {
				return
			}
			lessonLib, _ := lessons.Load()
			if got, want := len(out.Plans), len(lessonLib.Slugs())+3; got < want {
				t.Errorf("%d plans; want at least %d (one per lesson and 3 written)", got, want)
			}
			ids := map[string]bool{}
			for _, p := range out.Plans {
				ids[p.ID] = true
				if p.Lang != test.wantLang || p.Steps == 0 || p.Title == "" {
					t.Errorf("plan %+v; want lang %s, a title and steps", p, test.wantLang)
				}
			}
			for _, id := range []string{"outliers", "logits", "ctc", "lesson-smooth-l1"} {
				if !ids[id] {
					t.Errorf("no plan %q listed", id)
				}
			}
			if out.Plans[0].ID == "lesson-bce" {
				t.Errorf("first plan is a lesson's; want the written plans first")
			}
		})
	}
}

func TestGetPlan(t *testing.T) {
	srv := newLessonTestServer(t)
	tests := []struct {
		name, path string
		wantStatus int
		wantTitle  string
		wantInBody string
	}{
		{"outliers", "/api/v1/plans/outliers?lang=en", 200, "Outliers: L1, MSE, Huber and SmoothL1", ""},
		{"outliers in chinese", "/api/v1/plans/outliers?lang=zh", 200, "离群点：L1、MSE、Huber 与 SmoothL1", ""},
		{"a lesson's plan", "/api/v1/plans/lesson-ctc", 200, "Lesson: CTCLoss", ""},
		{"unknown", "/api/v1/plans/nope", 404, "", `"error":"plan: no plan \"nope\""`},
		{"bad lang", "/api/v1/plans/outliers?lang=de", 400, "", "lang"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			var p struct {
				ID    string `json:"id"`
				Title string `json:"title"`
				Steps []struct {
					Title    string          `json:"title"`
					Page     string          `json:"page"`
					Section  json.RawMessage `json:"section"`
					Question json.RawMessage `json:"question"`
					Note     *string         `json:"note"`
				} `json:"steps"`
			}
			status, body := getJSONBody(t, srv.URL+test.path, "", &p)
			if status != test.wantStatus {
				t.Fatalf("status = %d; want %d (%s)", status, test.wantStatus, body)
			}
			if !strings.Contains(body, test.wantInBody) {
				t.Errorf("body = %s; want it to hold %s", body, test.wantInBody)
			}
			if status != 200 {
				return
			}
			if !strings.HasPrefix(p.Title, test.wantTitle) {
				t.Errorf("title = %q; want %q", p.Title, test.wantTitle)
			}
			for i, s := range p.Steps {
				if s.Title == "" || !strings.HasPrefix(s.Page, "/") || s.Section == nil || s.Question == nil || s.Note == nil {
					t.Errorf("step %d = %+v; want title, page, section, question and note", i, s)
				}
			}
		})
	}
}

// TestPlanStepsRender GETs every page of every plan (each page once per
// language) and checks every question exists: a plan never sends a class
// to an error page.
func TestPlanStepsRender(t *testing.T) {
	srv := newLessonTestServer(t)
	lib, err := plans.Load()
	if err != nil {
		t.Fatal(err)
	}
	lessonLib, _ := lessons.Load()
	seen := map[string]bool{}
	steps := 0
	for _, lang := range lessons.Languages {
		for _, p := range lib.All(lang) {
			for i, s := range p.Steps {
				steps++
				if q := s.Question; q != nil && q.Kind == plans.KindLesson {
					if l, ok := lessonLib.Get(q.Slug, lang); !ok || l.Question(q.Question) == nil {
						t.Errorf("%s/%s step %d: no question %s/%s", lang, p.ID, i, q.Slug, q.Question)
					}
				}
				url := s.Page
				if lang != "en" {
					url += map[bool]string{true: "&", false: "?"}[strings.Contains(url, "?")] + "lang=" + lang
				}
				if seen[url] {
					continue
				}
				seen[url] = true
				resp, err := http.Get(srv.URL + url)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("%s/%s step %d: GET %s = %d; want 200", lang, p.ID, i, url, resp.StatusCode)
				}
			}
		}
	}
	t.Logf("%d steps, %d distinct pages", steps, len(seen))
}
