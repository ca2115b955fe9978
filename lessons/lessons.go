// Package lessons holds the teaching content of Loss Playground: one
// lesson per loss in English and Simplified Chinese, with presets (page
// states a lesson links to, each a permalink) and "predict, then reveal"
// questions whose answers the engine computes at check time.
//
// A lesson is a Markdown file with YAML front matter, embedded in the
// binary:
//
//	content/en/<slug>.md   the English lesson: the reference for presets and questions
//	content/zh/<slug>.md   the Chinese lesson
//
// The front matter holds the title, the summary, the loss's PyTorch class
// name, the presets and the questions:
//
//	---
//	title: SmoothL1Loss
//	summary: One line.
//	loss: SmoothL1Loss
//	presets:
//	  - id: beta-zero
//	    title: beta = 0 behaves like L1
//	    loss: l1            # optional: another loss's slug
//	    params: {beta: 0}   # the loss API's JSON form, PyTorch's names
//	    inputs: {input: [0.5, -1], target: [0, 0]}
//	    view: {element: 1}
//	questions:
//	  - id: grad-at-zero
//	    kind: sign          # compare, direction, sign or value
//	    prompt: ...
//	    state: {preset: beta-zero}
//	    grad: input
//	    index: 0
//	    choices: [positive, negative, zero]
//	    explanation: ...
//	---
//
// A Chinese file may give a preset or a question only its id and its text
// (title; prompt, labels, explanation): everything else is taken from the
// English entry with the same id, so the numbers cannot drift apart.
//
// In the body, [text](preset:ID) links to a preset, and $...$ / $$...$$
// hold LaTeX, typeset on the server by KaTeX (package formula).
package lessons

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
)

//go:embed content
var contentFS embed.FS

// Languages lists the lesson languages; the first is the fallback.
var Languages = []string{"en", "zh"}

// Lesson is one loss's lesson in one language.
type Lesson struct {
	Slug    string // the loss's URL slug, e.g. smooth-l1
	Lang    string // "en" or "zh": the language of this text
	Loss    string // the PyTorch class name, e.g. SmoothL1Loss
	Title   string
	Summary string
	// HTML is the rendered body: safe to emit as is. Math is typeset
	// (<span class="math typeset">, KaTeX's HTML and MathML).
	HTML      template.HTML
	Presets   []*Preset
	Questions []*Question
}

// Preset returns the preset with the given id, or nil.
func (l *Lesson) Preset(id string) *Preset {
	for _, p := range l.Presets {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Question returns the question with the given id, or nil.
func (l *Lesson) Question(id string) *Question {
	for _, q := range l.Questions {
		if q.ID == id {
			return q
		}
	}
	return nil
}

// Preset is a page state a lesson links to.
type Preset struct {
	ID    string
	Title string
	// Loss is the slug of the loss whose page the preset opens: the
	// lesson's own loss unless the preset says otherwise.
	Loss   string
	Params map[string]json.RawMessage // the loss API's JSON form
	Inputs map[string]json.RawMessage // missing inputs take the spec's examples
	View   charts.View
	Lang   string
	// DType is "float32" for a preset that shows float32 (?dtype=float32),
	// else "".
	DType string
	// URL is the permalink /losses/<slug>?<query>, built with state.
	URL string
}

// State returns the preset as a page state.
func (p *Preset) State() state.State {
	return state.State{Params: p.Params, Inputs: p.Inputs, View: p.View, Lang: p.Lang, DType: p.DType}
}

// Library is every lesson, parsed.
type Library struct {
	bySlug map[string]map[string]*Lesson // slug → lang → lesson
}

// Slugs returns the slugs that have a lesson, sorted.
func (lib *Library) Slugs() []string {
	out := make([]string, 0, len(lib.bySlug))
	for s := range lib.bySlug {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Get returns the lesson for slug in lang, falling back to English when
// there is no lesson in lang. The returned lesson's Lang says which it is.
func (lib *Library) Get(slug, lang string) (*Lesson, bool) {
	byLang, ok := lib.bySlug[slug]
	if !ok {
		return nil, false
	}
	if l, ok := byLang[lang]; ok {
		return l, true
	}
	l, ok := byLang[Languages[0]]
	return l, ok
}

// Has reports whether slug has a lesson written in lang itself (no
// fallback).
func (lib *Library) Has(slug, lang string) bool {
	_, ok := lib.bySlug[slug][lang]
	return ok
}

var loadDefault = sync.OnceValues(func() (*Library, error) { return LoadFS(contentFS) })

// Load parses every embedded lesson, once; later calls return the same
// library. Call it at start-up so that a bad file stops the server.
func Load() (*Library, error) { return loadDefault() }

// Get returns the lesson for slug in lang from the embedded library,
// falling back to English (see Library.Get). It returns nil if there is no
// such lesson or the library failed to load.
func Get(slug, lang string) *Lesson {
	lib, err := Load()
	if err != nil {
		return nil
	}
	l, _ := lib.Get(slug, lang)
	return l
}

// LoadFS parses the lessons in fsys, laid out as content/<lang>/<slug>.md.
// It fails on the first bad file, naming it.
func LoadFS(fsys fs.FS) (*Library, error) {
	lib := &Library{bySlug: map[string]map[string]*Lesson{}}
	for _, lang := range Languages {
		files, err := fs.Glob(fsys, "content/"+lang+"/*.md")
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			slug := strings.TrimSuffix(path.Base(name), ".md")
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, err
			}
			var ref *Lesson
			if lang != Languages[0] {
				ref = lib.bySlug[slug][Languages[0]]
				if ref == nil {
					return nil, fmt.Errorf("%s: no English lesson %s to take presets and questions from", name, slug)
				}
			}
			l, err := parseLesson(slug, lang, src, ref)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if lib.bySlug[slug] == nil {
				lib.bySlug[slug] = map[string]*Lesson{}
			}
			lib.bySlug[slug][lang] = l
		}
	}
	return lib, nil
}

// The front matter, as written.
type frontMatter struct {
	Title     string         `yaml:"title"`
	Summary   string         `yaml:"summary"`
	Loss      string         `yaml:"loss"`
	Presets   []presetYAML   `yaml:"presets"`
	Questions []questionYAML `yaml:"questions"`
}

type presetYAML struct {
	ID     string         `yaml:"id"`
	Title  string         `yaml:"title"`
	Loss   string         `yaml:"loss"`
	Params map[string]any `yaml:"params"`
	Inputs map[string]any `yaml:"inputs"`
	View   *viewYAML      `yaml:"view"`
	DType  string         `yaml:"dtype"` // "float32" or "float64" (the default)
}

type viewYAML struct {
	Element int    `yaml:"element"`
	Overlay bool   `yaml:"overlay"`
	Lattice string `yaml:"lattice"`
	Theme   string `yaml:"theme"`
}

// stateYAML is a question's state: a preset of the lesson, or written out.
type stateYAML struct {
	Preset string         `yaml:"preset"`
	Loss   string         `yaml:"loss"`
	Params map[string]any `yaml:"params"`
	Inputs map[string]any `yaml:"inputs"`
}

type questionYAML struct {
	ID          string            `yaml:"id"`
	Kind        string            `yaml:"kind"`
	Prompt      string            `yaml:"prompt"`
	Choices     []string          `yaml:"choices"`
	Labels      map[string]string `yaml:"labels"`
	State       *stateYAML        `yaml:"state"`
	A           *stateYAML        `yaml:"a"`
	B           *stateYAML        `yaml:"b"`
	Grad        string            `yaml:"grad"`
	Index       int               `yaml:"index"`
	Element     *int              `yaml:"element"`
	Explanation string            `yaml:"explanation"`
}

// splitFrontMatter separates "---\nYAML\n---\nbody".
func splitFrontMatter(src []byte) (fm, body []byte, err error) {
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	rest, ok := bytes.CutPrefix(src, []byte("---\n"))
	if !ok {
		return nil, nil, errors.New("missing front matter (the file must start with a --- line)")
	}
	i := bytes.Index(rest, []byte("\n---\n"))
	if i < 0 {
		if bytes.HasSuffix(rest, []byte("\n---")) {
			return rest[:len(rest)-4], nil, nil
		}
		return nil, nil, errors.New("front matter is not closed by a --- line")
	}
	return rest[:i+1], rest[i+5:], nil
}

// parseLesson parses one file. ref is the English lesson that a
// translation takes presets and questions from (nil for English).
func parseLesson(slug, lang string, src []byte, ref *Lesson) (*Lesson, error) {
	fmRaw, body, err := splitFrontMatter(src)
	if err != nil {
		return nil, err
	}
	var fm frontMatter
	dec := yaml.NewDecoder(bytes.NewReader(fmRaw))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	l := &Lesson{Slug: slug, Lang: lang, Loss: fm.Loss, Title: fm.Title, Summary: fm.Summary}
	if ref != nil && l.Loss == "" {
		l.Loss = ref.Loss
	}
	switch {
	case l.Title == "":
		return nil, errors.New("front matter: title is missing")
	case l.Summary == "":
		return nil, errors.New("front matter: summary is missing")
	case l.Loss == "":
		return nil, errors.New("front matter: loss (the PyTorch class name) is missing")
	case ref != nil && l.Loss != ref.Loss:
		return nil, fmt.Errorf("front matter: loss %q differs from the English lesson's %q", l.Loss, ref.Loss)
	}
	for i, py := range fm.Presets {
		p, err := buildPreset(l, py, ref)
		if err != nil {
			return nil, fmt.Errorf("presets[%d] (%s): %w", i, py.ID, err)
		}
		if l.Preset(p.ID) != nil {
			return nil, fmt.Errorf("presets[%d]: duplicate id %q", i, p.ID)
		}
		l.Presets = append(l.Presets, p)
	}
	if ref != nil {
		if err := sameIDs("preset", ids(ref.Presets, func(p *Preset) string { return p.ID }), ids(l.Presets, func(p *Preset) string { return p.ID })); err != nil {
			return nil, err
		}
	}
	urls := make(map[string]string, len(l.Presets))
	for _, p := range l.Presets {
		urls[p.ID] = p.URL
	}
	for i, qy := range fm.Questions {
		q, err := buildQuestion(l, qy, ref, urls)
		if err != nil {
			return nil, fmt.Errorf("questions[%d] (%s): %w", i, qy.ID, err)
		}
		if l.Question(q.ID) != nil {
			return nil, fmt.Errorf("questions[%d]: duplicate id %q", i, q.ID)
		}
		l.Questions = append(l.Questions, q)
	}
	if ref != nil {
		if err := sameIDs("question", ids(ref.Questions, func(q *Question) string { return q.ID }), ids(l.Questions, func(q *Question) string { return q.ID })); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(string(body)) == "" {
		return nil, errors.New("the lesson body is empty")
	}
	if l.HTML, err = renderMarkdown(string(body), l.Lang, urls); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	return l, nil
}

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

// sameIDs checks that a translation has exactly the English ids, in order.
func sameIDs(what string, want, got []string) error {
	if !slices.Equal(want, got) {
		return fmt.Errorf("%s ids %v differ from the English lesson's %v", what, got, want)
	}
	return nil
}

// buildPreset validates a preset and computes its permalink.
func buildPreset(l *Lesson, py presetYAML, ref *Lesson) (*Preset, error) {
	if py.ID == "" {
		return nil, errors.New("id is missing")
	}
	if !validID(py.ID) {
		return nil, fmt.Errorf("id %q must be lower-case letters, digits and dashes", py.ID)
	}
	if py.Title == "" {
		return nil, errors.New("title is missing")
	}
	if ref != nil && py.Loss == "" && py.Params == nil && py.Inputs == nil && py.View == nil && py.DType == "" {
		// A translation that only retitles the English preset.
		en := ref.Preset(py.ID)
		if en == nil {
			return nil, fmt.Errorf("no English preset %q to take the state from", py.ID)
		}
		p := *en
		p.Title, p.Lang = py.Title, l.Lang
		p.URL = permalink(&p)
		return &p, nil
	}
	p := &Preset{ID: py.ID, Title: py.Title, Loss: py.Loss, Lang: l.Lang}
	if p.Loss == "" {
		p.Loss = l.Slug
	}
	var err error
	if p.Params, err = rawMap(py.Params); err != nil {
		return nil, fmt.Errorf("params: %w", err)
	}
	if p.Inputs, err = rawMap(py.Inputs); err != nil {
		return nil, fmt.Errorf("inputs: %w", err)
	}
	if py.View != nil {
		p.View = charts.View{Element: py.View.Element, Overlay: py.View.Overlay, Lattice: py.View.Lattice, Theme: py.View.Theme}
	}
	if py.DType != "" {
		d, err := engine.ParseDType(py.DType)
		if err != nil {
			return nil, err
		}
		if d == engine.Float32 {
			p.DType = py.DType
		}
	}
	p.URL = permalink(p)
	return p, nil
}

func validID(id string) bool {
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return id != ""
}

// rawMap encodes each value of m as JSON, the loss API's form.
func rawMap(m map[string]any) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = b
	}
	return out, nil
}

// permalink is the page URL of a preset: /losses/<slug>?<query>.
func permalink(p *Preset) string {
	return "/losses/" + url.PathEscape(p.Loss) + "?" + state.Query(p.State()).Encode()
}
