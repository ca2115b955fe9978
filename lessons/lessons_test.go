package lessons

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
)

func mustLoad(t *testing.T) *Library {
	t.Helper()
	lib, err := Load()
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	return lib
}

// allLessons returns every lesson in every language.
func allLessons(t *testing.T) []*Lesson {
	lib := mustLoad(t)
	var out []*Lesson
	for _, slug := range lib.Slugs() {
		for _, lang := range Languages {
			if l, ok := lib.Get(slug, lang); ok && l.Lang == lang {
				out = append(out, l)
			}
		}
	}
	return out
}

func TestEveryRegisteredLossHasLessons(t *testing.T) {
	lib := mustLoad(t)
	for _, spec := range engine.All() {
		for _, lang := range Languages {
			t.Run(spec.Slug+"/"+lang, func(t *testing.T) {
				if !lib.Has(spec.Slug, lang) {
					t.Fatalf("registered loss %s has no %s lesson", spec.Name, lang)
				}
				l, _ := lib.Get(spec.Slug, lang)
				if got, want := l.Loss, spec.Name; got != want {
					t.Errorf("lesson loss = %q; want the engine's %q", got, want)
				}
			})
		}
	}
}

func TestLessonsRender(t *testing.T) {
	for _, l := range allLessons(t) {
		t.Run(l.Lang+"/"+l.Slug, func(t *testing.T) {
			html := string(l.HTML)
			for _, want := range []string{"<h3", `class="math`, `data-testid="preset-link"`} {
				if !strings.Contains(html, want) {
					t.Errorf("HTML has no %s", want)
				}
			}
			if strings.Contains(html, mathPlaceholderPrefix) {
				t.Errorf("HTML still holds a math placeholder")
			}
			// An unbalanced $ leaves a dollar in the text: lessons
			// write no literal dollars.
			texts := []string{html}
			for _, q := range l.Questions {
				texts = append(texts, string(q.PromptHTML), string(q.ExplanationHTML))
			}
			for _, h := range texts {
				if i := strings.Index(h, "$"); i >= 0 {
					t.Errorf("stray $ (unbalanced math?) near %q", h[max(0, i-60):min(len(h), i+40)])
				}
			}
			if len(l.Presets) == 0 {
				t.Errorf("lesson has no presets")
			}
			if got := len(l.Questions); got < 2 {
				t.Errorf("lesson has %d questions; want at least 2", got)
			}
			for _, p := range l.Presets {
				if !strings.HasPrefix(p.URL, "/losses/"+p.Loss+"?") || !strings.Contains(p.URL, "lang="+l.Lang) {
					t.Errorf("preset %s URL = %q; want /losses/%s?...lang=%s", p.ID, p.URL, p.Loss, l.Lang)
				}
				if _, ok := engine.LookupSlug(p.Loss); !ok {
					t.Errorf("preset %s targets unregistered loss %q", p.ID, p.Loss)
				}
			}
		})
	}
}

// TestPresetsCompute evaluates every preset, in both languages, through
// the page's path (permalink → state → engine).
func TestPresetsCompute(t *testing.T) {
	computed := 0
	for _, l := range allLessons(t) {
		for _, p := range l.Presets {
			computed++
			if _, _, err := Evaluate(p); err != nil {
				t.Errorf("%s/%s preset %s: %v", l.Lang, l.Slug, p.ID, err)
			}
		}
	}
	if computed == 0 {
		t.Fatal("no preset was computed")
	}
}

// TestQuestionsAnswerable computes every question and checks that its
// choices include the computed answer.
func TestQuestionsAnswerable(t *testing.T) {
	answered := 0
	for _, l := range allLessons(t) {
		for _, q := range l.Questions {
			want, values, err := q.Answer()
			answered++
			if err != nil {
				t.Errorf("%s/%s question %s: %v", l.Lang, l.Slug, q.ID, err)
				continue
			}
			if !q.HasChoice(want) {
				t.Errorf("%s/%s question %s: answer %q (values %v) is not among the choices %v", l.Lang, l.Slug, q.ID, want, values, q.ChoiceValues())
			}
			v, err := q.Check(want)
			if err != nil || !v.Correct {
				t.Errorf("%s/%s question %s: Check(%q) = %+v, %v; want correct", l.Lang, l.Slug, q.ID, want, v, err)
			}
		}
	}
	if answered == 0 {
		t.Fatal("no question was answered")
	}
}

func TestTranslationsShareStates(t *testing.T) {
	lib := mustLoad(t)
	for _, slug := range lib.Slugs() {
		en, _ := lib.Get(slug, "en")
		zh, ok := lib.Get(slug, "zh")
		if !ok || zh.Lang != "zh" {
			continue
		}
		for i, p := range zh.Presets {
			if got, want := presetStateText(p), presetStateText(en.Presets[i]); got != want {
				t.Errorf("%s preset %s: zh state %s; want the English %s", slug, p.ID, got, want)
			}
		}
		for i, q := range zh.Questions {
			if got, want := q.ChoiceValues(), en.Questions[i].ChoiceValues(); !slices.Equal(got, want) {
				t.Errorf("%s question %s: zh choices %v; want %v", slug, q.ID, got, want)
			}
		}
	}
}

func TestGetFallsBackToEnglish(t *testing.T) {
	en := "---\ntitle: T\nsummary: S\nloss: L1Loss\n---\nBody $x$.\n"
	lib, err := LoadFS(fstest.MapFS{"content/en/l1.md": {Data: []byte(en)}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		slug, lang string
		wantOK     bool
		wantLang   string
	}{
		{"l1", "en", true, "en"},
		{"l1", "zh", true, "en"},
		{"mse", "en", false, ""},
	}
	for _, test := range tests {
		t.Run(test.slug+"/"+test.lang, func(t *testing.T) {
			l, ok := lib.Get(test.slug, test.lang)
			if ok != test.wantOK {
				t.Fatalf("Get(%q, %q) ok = %v; want %v", test.slug, test.lang, ok, test.wantOK)
			}
			if ok && l.Lang != test.wantLang {
				t.Errorf("Get(%q, %q).Lang = %q; want %q", test.slug, test.lang, l.Lang, test.wantLang)
			}
		})
	}
}

func TestLoadFSErrors(t *testing.T) {
	const head = "---\ntitle: T\nsummary: S\nloss: L1Loss\n"
	tests := []struct {
		name  string
		files map[string]string
		want  string // in the error
	}{
		{"no front matter", map[string]string{"content/en/l1.md": "# hi\n"}, "missing front matter"},
		{"unclosed", map[string]string{"content/en/l1.md": "---\ntitle: T\n"}, "not closed"},
		{"unknown field", map[string]string{"content/en/l1.md": head + "colour: red\n---\nx\n"}, "colour"},
		{"no title", map[string]string{"content/en/l1.md": "---\nsummary: S\nloss: L1Loss\n---\nx\n"}, "title is missing"},
		{"empty body", map[string]string{"content/en/l1.md": head + "---\n\n"}, "body is empty"},
		{"unknown preset link", map[string]string{"content/en/l1.md": head + "---\n[x](preset:nope)\n"}, `unknown preset "nope"`},
		{"duplicate preset", map[string]string{"content/en/l1.md": head + "presets:\n  - {id: a, title: A}\n  - {id: a, title: B}\n---\nx\n"}, `duplicate id "a"`},
		{"bad kind", map[string]string{"content/en/l1.md": head + "questions:\n  - {id: q, kind: guess, prompt: P, explanation: E, choices: [a, b]}\n---\nx\n"}, `kind "guess"`},
		{"bad choice", map[string]string{"content/en/l1.md": head + "questions:\n  - {id: q, kind: value, prompt: P, explanation: E, choices: [a, b], state: {}}\n---\nx\n"}, `"a" is not a value answer`},
		{"unknown state preset", map[string]string{"content/en/l1.md": head + "questions:\n  - {id: q, kind: value, prompt: P, explanation: E, choices: [zero, positive], state: {preset: nope}}\n---\nx\n"}, `unknown preset "nope"`},
		{"sign without grad", map[string]string{"content/en/l1.md": head + "questions:\n  - {id: q, kind: sign, prompt: P, explanation: E, choices: [zero, positive], state: {}}\n---\nx\n"}, "grad"},
		{"compare without b", map[string]string{"content/en/l1.md": head + "questions:\n  - {id: q, kind: compare, prompt: P, explanation: E, choices: [a, b], a: {}}\n---\nx\n"}, "two states"},
		{"translation without English", map[string]string{"content/zh/l1.md": head + "---\nx\n"}, "no English lesson"},
		{"translation with other ids", map[string]string{
			"content/en/l1.md": head + "presets:\n  - {id: a, title: A}\n---\nx\n",
			"content/zh/l1.md": head + "presets:\n  - {id: b, title: B}\n---\nx\n"}, `no English preset "b"`},
		{"translation missing a preset", map[string]string{
			"content/en/l1.md": head + "presets:\n  - {id: a, title: A}\n---\nx\n",
			"content/zh/l1.md": head + "---\nx\n"}, "preset ids [] differ"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range test.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := LoadFS(fsys)
			if err == nil || !strings.Contains(err.Error(), test.want) {
				t.Errorf("LoadFS() error = %v; want one containing %q", err, test.want)
			}
		})
	}
}

// presetStateText is a preset's loss and state (without its language) as
// one comparable string.
func presetStateText(p *Preset) string {
	st := p.State()
	st.Lang = ""
	return p.Loss + "?" + state.Query(st).Encode()
}

// TestQuestionsOfferThreeChoices: a question with two choices is half
// answered by elimination; every question offers at least three.
func TestQuestionsOfferThreeChoices(t *testing.T) {
	for _, l := range allLessons(t) {
		for _, q := range l.Questions {
			if n := len(q.Choices); n < 3 {
				t.Errorf("%s/%s question %s offers %d choices %v; want at least 3", l.Lang, l.Slug, q.ID, n, q.ChoiceValues())
			}
		}
	}
}
