// Package plans holds lesson plans: what a teacher steps through in a
// class. A plan is an ordered list of steps; a step is a page of the
// playground (a loss page with its query, a comparison page, a lesson
// page), optionally a lesson section to scroll to, optionally a question
// to ask (one of the lessons' questions, or a numeric "predict" poll), and
// a note only the teacher sees.
//
// Plans come from two places, in English and Chinese:
//
//   - every lesson yields one (id "lesson-<slug>"): its presets and
//     questions in lesson order (auto.go);
//   - hand-written plans that cross losses, embedded from
//     content/<lang>/<id>.yaml (file.go).
//
// A teacher may also send a plan of their own in a class; Validate checks
// it as it checks the embedded ones. Numbers a plan shows (a note's {loss}
// and {answer}) are computed by the engine when the plan is loaded, never
// written by hand.
package plans

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/state"
)

// Plan is a lesson plan in one language. Its JSON form is what
// GET /api/v1/plans/{id} answers and what a class_plan message may carry.
type Plan struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Lang  string `json:"lang"`
	Steps []Step `json:"steps"`
}

// Step is one thing the teacher shows.
type Step struct {
	Title string `json:"title"`
	// Page is a site path with its query: /losses/smooth-l1?beta=0.5,
	// /compare/regression?outlier=8, /lessons/ctc. It carries no lang:
	// every student reads the page in their own language.
	Page string `json:"page"`
	// Section, if set, is the lesson heading the page scrolls to.
	Section *Section `json:"section"`
	// Question, if set, is asked once the page is on every screen.
	Question *Question `json:"question"`
	// Note is for the teacher's eyes only.
	Note string `json:"note"`
}

// Section is a heading of a lesson: Index counts the lesson's h2 and h3
// headings from 0, and -1 is above the lesson. Lesson is the lesson's
// slug; a student on another lesson ignores it.
type Section struct {
	Lesson string `json:"lesson"`
	Index  int    `json:"index"`
	Title  string `json:"title,omitempty"`
}

// Question is a class_question message without its type: a lesson
// question (Kind "lesson", Slug, Question) or a numeric poll on the
// step's state (Kind "number", Prompt).
type Question struct {
	Kind     string `json:"kind"`
	Slug     string `json:"slug,omitempty"`
	Question string `json:"question,omitempty"`
	Prompt   string `json:"prompt,omitempty"`
}

// Question kinds, as class_question names them.
const (
	KindLesson = "lesson"
	KindNumber = "number"
)

// Bounds of a plan a teacher sends: a lecture has dozens of steps, not
// thousands, and every byte is kept with the class.
const (
	MaxSteps      = 200
	MaxTitleBytes = 200
	MaxNoteBytes  = 2000
	MaxPageBytes  = 4096
	// MaxPromptBytes matches the class's bound on a numeric poll's prompt.
	MaxPromptBytes = 200
	// MaxBytes bounds a plan's JSON, as a class message.
	MaxBytes = 64 << 10
)

// Error is a refused plan: Field names the part, as the loss API's errors
// do ("steps[3].page").
type Error struct {
	Field string
	Msg   string
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

func errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Page kinds.
const (
	PageLoss    = "loss"    // /losses/{slug}
	PageLesson  = "lesson"  // /lessons/{slug}
	PageCompare = "compare" // /compare/{regression|classification|margin}
	PageIntro   = "intro"   // /intro
	PageHome    = "home"    // /
)

// ComparePages are the comparison pages a step may show.
var ComparePages = []string{"regression", "classification", "margin"}

// PageOf parses a step's page: its kind, the slug (loss, lesson or
// comparison) and its query. It checks the path and, for a loss page, the
// query as the page would; a comparison page's query is the web layer's
// to check (Validate's checkPage).
func PageOf(page string) (kind, slug string, q url.Values, err error) {
	if page == "" {
		return "", "", nil, errors.New("missing (a site path such as /losses/mse?reduction=sum)")
	}
	if len(page) > MaxPageBytes {
		return "", "", nil, fmt.Errorf("at most %d bytes, got %d", MaxPageBytes, len(page))
	}
	u, err := url.Parse(page)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") || u.Fragment != "" {
		return "", "", nil, fmt.Errorf("must be a site path such as /losses/mse?reduction=sum, got %q", shorten(page))
	}
	if q, err = url.ParseQuery(u.RawQuery); err != nil {
		return "", "", nil, fmt.Errorf("query: %v", err)
	}
	if q.Has("lang") {
		return "", "", nil, errors.New("carries lang: every student reads the page in their own language, so leave it out")
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch {
	case u.Path == "/":
		kind = PageHome
	case u.Path == "/intro":
		kind = PageIntro
	case len(parts) == 2 && parts[0] == "losses":
		kind, slug = PageLoss, parts[1]
		spec, ok := engine.LookupSlug(slug)
		if !ok {
			return "", "", nil, fmt.Errorf("no loss %q", slug)
		}
		st, err := state.Parse(spec, q)
		if err == nil {
			_, err = engine.DecodeCall(spec, st.Params, st.Inputs)
		}
		if err != nil {
			return "", "", nil, fmt.Errorf("query: %v", err)
		}
	case len(parts) == 2 && parts[0] == "lessons":
		kind, slug = PageLesson, parts[1]
		if lessons.Get(slug, lessons.Languages[0]) == nil {
			return "", "", nil, fmt.Errorf("no lesson %q", slug)
		}
	case len(parts) == 2 && parts[0] == "compare" && slices.Contains(ComparePages, parts[1]):
		kind, slug = PageCompare, parts[1]
	default:
		return "", "", nil, fmt.Errorf("%q is not a page a class can show (a loss, lesson or comparison page)", shorten(u.Path))
	}
	if kind != PageLoss && kind != PageCompare && len(q) > 0 {
		return "", "", nil, fmt.Errorf("%s takes no query", u.Path)
	}
	return kind, slug, q, nil
}

// Validate checks a plan as a class takes it: sizes, pages (checkPage,
// if not nil, checks what this package cannot, such as a comparison
// page's query), sections and questions. An inline plan may have no id.
func (p *Plan) Validate(checkPage func(page string) error) error {
	if p.ID != "" && !validID(p.ID) {
		return errorf("id", "must be lower-case letters, digits and dashes, got %q", shorten(p.ID))
	}
	if err := checkText("title", p.Title, MaxTitleBytes, true); err != nil {
		return err
	}
	if p.Lang != "" && !slices.Contains(lessons.Languages, p.Lang) {
		return errorf("lang", `must be "en" or "zh", got %q`, shorten(p.Lang))
	}
	if len(p.Steps) == 0 {
		return errorf("steps", "a plan needs at least one step")
	}
	if len(p.Steps) > MaxSteps {
		return errorf("steps", "at most %d steps, got %d", MaxSteps, len(p.Steps))
	}
	for i := range p.Steps {
		if err := p.Steps[i].validate(fmt.Sprintf("steps[%d]", i), checkPage); err != nil {
			return err
		}
	}
	return nil
}

func (s *Step) validate(field string, checkPage func(string) error) error {
	if err := checkText(field+".title", s.Title, MaxTitleBytes, true); err != nil {
		return err
	}
	if err := checkText(field+".note", s.Note, MaxNoteBytes, false); err != nil {
		return err
	}
	kind, slug, _, err := PageOf(s.Page)
	if err != nil {
		return errorf(field+".page", "%v", err)
	}
	if checkPage != nil {
		if err := checkPage(s.Page); err != nil {
			return errorf(field+".page", "%v", err)
		}
	}
	if sec := s.Section; sec != nil {
		if kind != PageLoss && kind != PageLesson {
			return errorf(field+".section", "only a loss or lesson page has lesson sections")
		}
		if sec.Lesson == "" {
			sec.Lesson = slug
		}
		if sec.Lesson != slug {
			return errorf(field+".section.lesson", "the page shows lesson %q, not %q", slug, shorten(sec.Lesson))
		}
		l := lessons.Get(slug, lessons.Languages[0])
		if n := len(Headings(l)); sec.Index < -1 || sec.Index >= n {
			return errorf(field+".section.index", "lesson %s has %d sections: must be -1 (above the lesson) to %d, got %d", slug, n, n-1, sec.Index)
		}
	}
	if q := s.Question; q != nil {
		switch q.Kind {
		case KindLesson:
			l := lessons.Get(q.Slug, lessons.Languages[0])
			if l == nil {
				return errorf(field+".question.slug", "no lesson %q", shorten(q.Slug))
			}
			if l.Question(q.Question) == nil {
				return errorf(field+".question.question", "lesson %s has no question %q", q.Slug, shorten(q.Question))
			}
			if err := checkText(field+".question.prompt", q.Prompt, MaxNoteBytes, false); err != nil {
				return err
			}
		case KindNumber:
			if kind != PageLoss {
				return errorf(field+".question.kind", "a numeric poll asks for the loss of a loss page; this step shows %s", s.Page)
			}
			if q.Slug != "" || q.Question != "" {
				return errorf(field+".question", "a numeric poll has a prompt only (no slug or question)")
			}
			if err := checkText(field+".question.prompt", q.Prompt, MaxPromptBytes, false); err != nil {
				return err
			}
		default:
			return errorf(field+".question.kind", `must be "lesson" or "number", got %q`, shorten(q.Kind))
		}
	}
	return nil
}

func checkText(field, s string, maxBytes int, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return errorf(field, "missing")
	case len(s) > maxBytes:
		return errorf(field, "at most %d bytes, got %d", maxBytes, len(s))
	case !utf8.ValidString(s):
		return errorf(field, "not valid UTF-8")
	}
	return nil
}

func validID(id string) bool {
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return id != "" && len(id) <= 64
}

func shorten(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

// Library is every plan in every language.
type Library struct {
	byLang map[string]map[string]*Plan // lang → id → plan
}

// All returns the plans in lang, hand-written ones first, then the
// lessons' in the order of their slugs.
func (lib *Library) All(lang string) []*Plan {
	m := lib.byLang[lang]
	out := make([]*Plan, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		ai, aj := strings.HasPrefix(out[i].ID, autoPrefix), strings.HasPrefix(out[j].ID, autoPrefix)
		if ai != aj {
			return aj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Get returns plan id in lang.
func (lib *Library) Get(id, lang string) (*Plan, bool) {
	p, ok := lib.byLang[lang][id]
	return p, ok
}

var loadDefault = sync.OnceValues(func() (*Library, error) { return load(contentFS) })

// Load builds every plan once (the lessons', and the embedded files');
// later calls return the same library. Call it at start-up so that a bad
// plan stops the server.
func Load() (*Library, error) { return loadDefault() }
