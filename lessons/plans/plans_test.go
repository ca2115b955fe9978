package plans

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lossplayground/playground/lessons"
)

func mustLoad(t *testing.T) *Library {
	t.Helper()
	lib, err := Load()
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	return lib
}

// TestEveryLessonHasAPlan: a lesson is a plan in each language, with its
// presets and questions in the lesson's order.
func TestEveryLessonHasAPlan(t *testing.T) {
	lib := mustLoad(t)
	lessonLib, _ := lessons.Load()
	for _, slug := range lessonLib.Slugs() {
		for _, lang := range lessons.Languages {
			t.Run(slug+"/"+lang, func(t *testing.T) {
				p, ok := lib.Get(autoPrefix+slug, lang)
				if !ok {
					t.Fatalf("Get(%q, %q): no plan", autoPrefix+slug, lang)
				}
				l, _ := lessonLib.Get(slug, lang)
				if got, want := len(p.Steps), 1+len(l.Presets); got < want {
					t.Errorf("%d steps; want at least %d (the lesson, then each preset)", got, want)
				}
				asked := map[string]bool{}
				for _, s := range p.Steps {
					if s.Question != nil {
						asked[s.Question.Question] = true
					}
					if strings.Contains(s.Note, "{") {
						t.Errorf("step %q: note %q holds an unfilled placeholder", s.Title, s.Note)
					}
				}
				for _, q := range l.Questions {
					if !asked[q.ID] {
						t.Errorf("question %s is asked by no step", q.ID)
					}
				}
				if err := p.Validate(nil); err != nil {
					t.Errorf("Validate() = %v; want nil", err)
				}
			})
		}
	}
}

// TestWrittenPlans checks the hand-written plans: at least three that
// cross losses, every one in every language with the same pages, every
// note's numbers filled in by the engine.
func TestWrittenPlans(t *testing.T) {
	lib := mustLoad(t)
	var written []*Plan
	for _, p := range lib.All("en") {
		if !strings.HasPrefix(p.ID, autoPrefix) {
			written = append(written, p)
		}
	}
	if len(written) < 3 {
		t.Fatalf("%d hand-written plans; want at least 3", len(written))
	}
	for _, en := range written {
		t.Run(en.ID, func(t *testing.T) {
			losses := map[string]bool{}
			for _, s := range en.Steps {
				if kind, slug, _, _ := PageOf(s.Page); kind == PageLoss {
					losses[slug] = true
				}
			}
			if len(losses) < 2 && en.ID != "ctc" {
				t.Errorf("plan shows %d losses; a written plan crosses losses", len(losses))
			}
			zh, ok := lib.Get(en.ID, "zh")
			if !ok {
				t.Fatalf("no Chinese plan %s", en.ID)
			}
			for i, s := range zh.Steps {
				e := en.Steps[i]
				if s.Page != e.Page {
					t.Errorf("zh step %d page = %q; want the English %q", i, s.Page, e.Page)
				}
				if s.Title == e.Title || s.Note == e.Note && e.Note != "" {
					t.Errorf("zh step %d reads as English: %q / %q", i, s.Title, s.Note)
				}
				for _, n := range []string{s.Note, e.Note} {
					if strings.Contains(n, "{") {
						t.Errorf("step %d: note %q holds an unfilled placeholder", i, n)
					}
				}
			}
		})
	}
}

// TestOutliersNumbers pins notes against numbers worked by hand: MSE of
// one miss of 10 among four points is 100/4; L1 is 10/4; Huber with
// delta 2 is 2·(10 − 1)/4.
func TestOutliersNumbers(t *testing.T) {
	p, ok := mustLoad(t).Get("outliers", "en")
	if !ok {
		t.Fatal("no plan outliers")
	}
	tests := []struct {
		step int
		want string
	}{
		{0, "the loss is 1."},
		{1, "Answer: 4,"},
		{2, "Answer: 25."},
		{3, "L1 gives 2.5:"},
		{6, "Answer: 4.5 (MSE gave 25)"},
	}
	for _, test := range tests {
		if got := p.Steps[test.step].Note; !strings.Contains(got, test.want) {
			t.Errorf("step %d note = %q; want it to hold %q", test.step, got, test.want)
		}
	}
	if last := p.Steps[len(p.Steps)-1]; !strings.HasPrefix(last.Page, "/compare/regression") {
		t.Errorf("last step page = %q; want the regression comparison's fit", last.Page)
	}
}

func TestValidate(t *testing.T) {
	ok := func() Plan {
		return Plan{Title: "t", Steps: []Step{{Title: "s", Page: "/losses/mse?reduction=sum",
			Section:  &Section{Lesson: "mse", Index: 2},
			Question: &Question{Kind: KindLesson, Slug: "mse", Question: "small-miss"}}}}
	}
	tests := []struct {
		name      string
		change    func(*Plan)
		wantField string
	}{
		{"valid", func(*Plan) {}, ""},
		{"no title", func(p *Plan) { p.Title = " " }, "title"},
		{"no steps", func(p *Plan) { p.Steps = nil }, "steps"},
		{"too many steps", func(p *Plan) { p.Steps = make([]Step, MaxSteps+1) }, "steps"},
		{"bad id", func(p *Plan) { p.ID = "Bad Id" }, "id"},
		{"bad lang", func(p *Plan) { p.Lang = "fr" }, "lang"},
		{"external page", func(p *Plan) { p.Steps[0].Page = "https://evil.example/" }, "steps[0].page"},
		{"unknown loss", func(p *Plan) { p.Steps[0].Page = "/losses/nope" }, "steps[0].page"},
		{"bad query", func(p *Plan) { p.Steps[0].Page = "/losses/mse?reduction=[" }, "steps[0].page"},
		{"unknown page", func(p *Plan) { p.Steps[0].Page = "/api/v1/losses" }, "steps[0].page"},
		{"lang in page", func(p *Plan) { p.Steps[0].Page = "/losses/mse?lang=zh" }, "steps[0].page"},
		{"section of another lesson", func(p *Plan) { p.Steps[0].Section.Lesson = "l1" }, "steps[0].section.lesson"},
		{"section out of range", func(p *Plan) { p.Steps[0].Section.Index = 99 }, "steps[0].section.index"},
		{"section on compare", func(p *Plan) { p.Steps[0].Page = "/compare/regression" }, "steps[0].section"},
		{"unknown question", func(p *Plan) { p.Steps[0].Question.Question = "nope" }, "steps[0].question.question"},
		{"unknown kind", func(p *Plan) { p.Steps[0].Question.Kind = "essay" }, "steps[0].question.kind"},
		{"poll off a loss page", func(p *Plan) {
			p.Steps[0].Section = nil
			p.Steps[0].Page = "/compare/margin"
			p.Steps[0].Question = &Question{Kind: KindNumber}
		}, "steps[0].question.kind"},
		{"long note", func(p *Plan) { p.Steps[0].Note = strings.Repeat("x", MaxNoteBytes+1) }, "steps[0].note"},
		{"checker refuses", func(p *Plan) { p.Steps[0].Section = nil; p.Steps[0].Page = "/compare/regression?outlier=99" }, "steps[0].page"},
	}
	check := func(page string) error {
		if strings.Contains(page, "outlier=99") {
			return &Error{Field: "outlier", Msg: "out of range"}
		}
		return nil
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			p := ok()
			test.change(&p)
			err := p.Validate(check)
			if test.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v; want nil", err)
				}
				return
			}
			pe, isPlanErr := err.(*Error)
			if !isPlanErr || pe.Field != test.wantField {
				t.Fatalf("Validate() = %v; want an error on %s", err, test.wantField)
			}
		})
	}
}

// TestJSONRoundTrip: the API's form of a plan is what a class takes back.
func TestJSONRoundTrip(t *testing.T) {
	p, _ := mustLoad(t).Get("logits", "zh")
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(nil); err != nil {
		t.Errorf("Validate(json(plan)) = %v; want nil", err)
	}
	if len(b) > MaxBytes {
		t.Errorf("plan is %d bytes of JSON; a class takes at most %d", len(b), MaxBytes)
	}
}

func TestBadFiles(t *testing.T) {
	en := "title: T\nsteps:\n  - title: a\n    preset: mse/outlier\n    note: \"{loss}\"\n"
	zh := "title: 标题\nsteps:\n  - title: 一\n"
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"good", map[string]string{"content/en/p.yaml": en, "content/zh/p.yaml": zh}, ""},
		{"no zh", map[string]string{"content/en/p.yaml": en}, "every language"},
		{"zh only", map[string]string{"content/en/p.yaml": en, "content/zh/p.yaml": zh, "content/zh/q.yaml": zh}, "no English plan"},
		{"step counts differ", map[string]string{"content/en/p.yaml": en, "content/zh/p.yaml": zh + "  - title: 二\n"}, "2 steps"},
		{"zh sets a page", map[string]string{"content/en/p.yaml": en, "content/zh/p.yaml": zh + "    page: /\n"}, "only title"},
		{"unknown field", map[string]string{"content/en/p.yaml": en + "    colour: red\n", "content/zh/p.yaml": zh}, "colour"},
		{"unknown preset", map[string]string{"content/en/p.yaml": strings.Replace(en, "mse/outlier", "mse/nope", 1), "content/zh/p.yaml": zh}, "no preset"},
		{"unknown heading", map[string]string{"content/en/p.yaml": en + "    section: Nowhere\n", "content/zh/p.yaml": zh}, "no heading"},
		{"loss of a tensor", map[string]string{"content/en/p.yaml": strings.Replace(en, "mse/outlier", "mse/reduction-none", 1) + "    predict: x?\n", "content/zh/p.yaml": zh + "    predict: 什么？\n"}, "scalar"},
		{"bad name", map[string]string{"content/en/lesson-x.yaml": en, "content/zh/lesson-x.yaml": zh}, "file name"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, src := range test.files {
				fsys[name] = &fstest.MapFile{Data: []byte(src)}
			}
			_, err := load(fsys)
			if test.wantErr == "" {
				if err != nil {
					t.Fatalf("load() = %v; want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), test.wantErr) {
				t.Fatalf("load() = %v; want an error saying %q", err, test.wantErr)
			}
		})
	}
}
