package plans

import (
	"fmt"
	"html"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/state"
)

// autoPrefix starts the id of a lesson's own plan: lesson-<slug>.
const autoPrefix = "lesson-"

// autoPlan is a lesson as a plan: the loss page at the top of the
// lesson, then each preset in the lesson's order, scrolled to the section
// that links it, each question on the step of the state it asks about
// (or on a step of its own after it).
func autoPlan(lib *lessons.Library, slug, lang string, numbers *numbers) (*Plan, error) {
	l, _ := lib.Get(slug, lang)
	heads := Headings(l)
	p := &Plan{ID: autoPrefix + slug, Title: i18n.T(lang, "plan.lessonTitle", l.Title), Lang: lang}
	first := Step{Title: l.Title, Page: "/losses/" + slug, Note: l.Summary}
	if len(heads) > 0 {
		first.Section = &Section{Lesson: slug, Index: 0, Title: heads[0]}
	}
	p.Steps = append(p.Steps, first)
	stepOf := map[string]int{} // preset id → its step
	for _, pr := range l.Presets {
		s := Step{Title: pr.Title, Page: stripLang(pr.URL)}
		if idx := sectionOf(l, pr.ID); idx >= 0 && pr.Loss == slug {
			s.Section = &Section{Lesson: slug, Index: idx, Title: heads[idx]}
		}
		var err error
		if s.Note, err = numbers.fill(i18n.T(lang, "plan.note.preset"), &s, lang); err != nil {
			return nil, fmt.Errorf("preset %s: %w", pr.ID, err)
		}
		stepOf[pr.ID] = len(p.Steps)
		p.Steps = append(p.Steps, s)
	}
	for _, q := range l.Questions {
		s := Step{Title: questionTitle(q.Prompt), Page: stripLang(q.A.URL),
			Question: &Question{Kind: KindLesson, Slug: slug, Question: q.ID, Prompt: q.Prompt}}
		var err error
		if s.Note, err = numbers.fill(i18n.T(lang, "plan.note.answer"), &s, lang); err != nil {
			return nil, fmt.Errorf("question %s: %w", q.ID, err)
		}
		at, ok := stepOf[q.A.ID]
		if ok && q.A.ID != "" && p.Steps[at].Question == nil {
			p.Steps[at].Question = s.Question
			sep := " "
			if lang == "zh" { // Chinese sentences run on without a space
				sep = ""
			}
			p.Steps[at].Note += sep + s.Note
			continue
		}
		if ok && q.A.ID != "" {
			// After the preset's step and the questions already placed
			// after it.
			for at+1 < len(p.Steps) && p.Steps[at+1].Page == p.Steps[at].Page {
				at++
			}
			s.Section = p.Steps[at].Section
			p.Steps = slices.Insert(p.Steps, at+1, s)
			for id, i := range stepOf {
				if i > at {
					stepOf[id] = i + 1
				}
			}
			continue
		}
		p.Steps = append(p.Steps, s)
	}
	return p, nil
}

var (
	headingRE = regexp.MustCompile(`(?s)<h[23][^>]*>(.*?)</h[23]>`)
	tagRE     = regexp.MustCompile(`<[^>]*>`)
)

// Headings lists a lesson's section headings as the class counts them
// (its h2 and h3, in order), as plain text.
func Headings(l *lessons.Lesson) []string {
	if l == nil {
		return nil
	}
	var out []string
	for _, m := range headingRE.FindAllStringSubmatch(string(l.HTML), -1) {
		out = append(out, strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(m[1], ""))))
	}
	return out
}

// sectionOf is the section holding the lesson's first link to preset id,
// or -1.
func sectionOf(l *lessons.Lesson, id string) int {
	h := string(l.HTML)
	at := strings.Index(h, `data-preset="`+id+`"`)
	if at < 0 {
		return -1
	}
	n := 0
	for _, loc := range headingRE.FindAllStringIndex(h, -1) {
		if loc[0] < at {
			n++
		}
	}
	return n - 1
}

// questionTitle shortens a question's Markdown prompt to a step title.
func questionTitle(prompt string) string {
	s := strings.Join(strings.Fields(strings.NewReplacer("$", "", "`", "", "*", "").Replace(prompt)), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

// stripLang drops lang from a page's query: a class's students each read
// the page in their own language.
func stripLang(page string) string {
	u, err := url.Parse(page)
	if err != nil {
		return page
	}
	q := u.Query()
	if !q.Has("lang") {
		return page
	}
	q.Del("lang")
	u.RawQuery = q.Encode()
	return u.String()
}

// numbers computes what notes quote, once per page across languages.
type numbers struct {
	mu    sync.Mutex
	cache map[string]lossValue
}

type lossValue struct {
	v   float64
	n   int // elements of the loss
	err error
}

func newNumbers() *numbers { return &numbers{cache: map[string]lossValue{}} }

// loss computes a loss page's loss with the engine, as the page would.
func (nb *numbers) loss(page string) (float64, error) {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	if lv, ok := nb.cache[page]; ok {
		return lv.v, lv.err
	}
	lv := computeLoss(page)
	nb.cache[page] = lv
	return lv.v, lv.err
}

func computeLoss(page string) lossValue {
	kind, slug, q, err := PageOf(page)
	if err != nil {
		return lossValue{err: err}
	}
	if kind != PageLoss {
		return lossValue{err: fmt.Errorf("{loss} needs a loss page, not %s", page)}
	}
	spec, _ := engine.LookupSlug(slug)
	st, err := state.Parse(spec, q)
	if err != nil {
		return lossValue{err: err}
	}
	c, err := engine.DecodeCall(spec, st.Params, st.Inputs)
	if err != nil {
		return lossValue{err: err}
	}
	res, err := c.Compute()
	if err != nil {
		return lossValue{err: err}
	}
	return lossValue{v: engine.Sum(res.Loss.Data), n: len(res.Loss.Data)}
}

// Format writes a number as notes show it: six significant digits.
func Format(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// fill replaces {loss} (the step's loss) and {answer} (its question's
// answer) in a note with what the engine computes. A step whose loss is a
// tensor (reduction 'none') or fails to compute reads "—" for {loss}
// in a lesson's generated note, but is an error in a written one.
func (nb *numbers) fill(note string, s *Step, lang string) (string, error) {
	if strings.Contains(note, "{loss}") {
		v, n, err := nb.scalar(s.Page)
		if err != nil {
			return "", fmt.Errorf("note: {loss}: %w", err)
		}
		if n != 1 {
			// A lesson's own preset may show reduction 'none': say so.
			note = strings.ReplaceAll(note, "{loss}", i18n.T(lang, "plan.note.tensor", n))
		} else {
			note = strings.ReplaceAll(note, "{loss}", Format(v))
		}
	}
	if strings.Contains(note, "{answer}") {
		ans, err := nb.answer(s, lang)
		if err != nil {
			return "", fmt.Errorf("note: {answer}: %w", err)
		}
		note = strings.ReplaceAll(note, "{answer}", ans)
	}
	return note, nil
}

func (nb *numbers) scalar(page string) (float64, int, error) {
	v, err := nb.loss(page)
	nb.mu.Lock()
	n := nb.cache[page].n
	nb.mu.Unlock()
	return v, n, err
}

// answer is the step's question's answer as the teacher reads it.
func (nb *numbers) answer(s *Step, lang string) (string, error) {
	q := s.Question
	if q == nil {
		return "", fmt.Errorf("the step asks no question")
	}
	if q.Kind == KindNumber {
		v, n, err := nb.scalar(s.Page)
		if err != nil {
			return "", err
		}
		if n != 1 {
			return "", fmt.Errorf("a numeric poll needs a scalar loss; %s has %d elements (reduction 'none')", s.Page, n)
		}
		return Format(v), nil
	}
	lq := lessons.Get(q.Slug, lang).Question(q.Question)
	ans, values, err := lq.Answer()
	if err != nil {
		return "", err
	}
	label := ans
	for _, c := range lq.Choices {
		if c.Value == ans {
			label = c.Label
		}
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+" = "+Format(float64(values[k])))
	}
	return label + " (" + strings.Join(parts, ", ") + ")", nil
}
