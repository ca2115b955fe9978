package plans

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lossplayground/playground/lessons"
)

// A hand-written plan is a YAML file per language:
//
//	content/en/<id>.yaml   the reference: pages, sections and questions
//	content/zh/<id>.yaml   the same steps' words: title, note, predict
//
//	title: "Outliers: L1, MSE, Huber and SmoothL1"
//	steps:
//	  - title: One point far from the rest
//	    preset: mse/outlier          # a lesson preset's page (slug/id) ...
//	    page: /compare/regression    # ... or any page, with its query
//	    section: What the gradient says   # an English heading of the page's lesson, or its index
//	    question: mse/double-the-miss     # a lesson question (slug/id) ...
//	    predict: What will MSE be?        # ... or a numeric poll with this prompt
//	    note: "MSE here is {loss}."       # the teacher's; {loss} and {answer} are computed
//
// A Chinese file gives each step's title, note and predict prompt, in
// the English file's order: the pages and questions cannot drift apart.

//go:embed content
var contentFS embed.FS

type fileYAML struct {
	Title string     `yaml:"title"`
	Steps []stepYAML `yaml:"steps"`
}

type stepYAML struct {
	Title    string `yaml:"title"`
	Page     string `yaml:"page"`
	Preset   string `yaml:"preset"`
	Section  any    `yaml:"section"`
	Question string `yaml:"question"`
	Predict  string `yaml:"predict"`
	Note     string `yaml:"note"`
}

// load builds the lessons' plans and the files' plans.
func load(fsys fs.FS) (*Library, error) {
	lessonLib, err := lessons.Load()
	if err != nil {
		return nil, err
	}
	lib := &Library{byLang: map[string]map[string]*Plan{}}
	numbers := newNumbers()
	for _, lang := range lessons.Languages {
		lib.byLang[lang] = map[string]*Plan{}
		for _, slug := range lessonLib.Slugs() {
			p, err := autoPlan(lessonLib, slug, lang, numbers)
			if err != nil {
				return nil, fmt.Errorf("plan %s%s (%s): %w", autoPrefix, slug, lang, err)
			}
			lib.byLang[lang][p.ID] = p
		}
	}
	files, err := fs.Glob(fsys, "content/"+lessons.Languages[0]+"/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		id := strings.TrimSuffix(path.Base(name), ".yaml")
		if !validID(id) || strings.HasPrefix(id, autoPrefix) {
			return nil, fmt.Errorf("%s: a plan's file name must be lower-case letters, digits and dashes, not starting with %q", name, autoPrefix)
		}
		var en *Plan
		for _, lang := range lessons.Languages {
			file := "content/" + lang + "/" + id + ".yaml"
			src, err := fs.ReadFile(fsys, file)
			if err != nil {
				return nil, fmt.Errorf("%s: %w (every plan is written in every language)", file, err)
			}
			p, err := parseFile(id, lang, src, en, numbers)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			if err := p.Validate(nil); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			if en == nil {
				en = p
			}
			lib.byLang[lang][id] = p
		}
	}
	for _, lang := range lessons.Languages[1:] {
		others, _ := fs.Glob(fsys, "content/"+lang+"/*.yaml")
		for _, name := range others {
			if _, ok := lib.byLang[lang][strings.TrimSuffix(path.Base(name), ".yaml")]; !ok {
				return nil, fmt.Errorf("%s: no English plan of the same name", name)
			}
		}
	}
	return lib, nil
}

// parseFile parses one plan file; ref is the English plan a translation
// takes its steps from (nil for English).
func parseFile(id, lang string, src []byte, ref *Plan, numbers *numbers) (*Plan, error) {
	var f fileYAML
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	p := &Plan{ID: id, Title: f.Title, Lang: lang}
	if ref != nil && len(f.Steps) != len(ref.Steps) {
		return nil, fmt.Errorf("%d steps; the English plan has %d", len(f.Steps), len(ref.Steps))
	}
	for i, sy := range f.Steps {
		field := fmt.Sprintf("steps[%d]", i)
		var s Step
		var err error
		if ref != nil {
			s, err = translateStep(sy, ref.Steps[i], lang)
		} else {
			s, err = buildStep(sy)
		}
		if err == nil && s.Question != nil && s.Question.Kind == KindNumber {
			// A poll that could not be revealed must not be written.
			_, err = numbers.answer(&s, lang)
		}
		if err == nil {
			s.Note, err = numbers.fill(sy.Note, &s, lang)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		p.Steps = append(p.Steps, s)
	}
	return p, nil
}

// buildStep resolves an English step: its page, section and question.
func buildStep(sy stepYAML) (Step, error) {
	s := Step{Title: sy.Title}
	switch {
	case sy.Page != "" && sy.Preset != "":
		return s, errors.New("give a page or a preset, not both")
	case sy.Preset != "":
		slug, id, _ := strings.Cut(sy.Preset, "/")
		l := lessons.Get(slug, lessons.Languages[0])
		if l == nil {
			return s, fmt.Errorf("preset: no lesson %q", slug)
		}
		pr := l.Preset(id)
		if pr == nil {
			return s, fmt.Errorf("preset: lesson %s has no preset %q", slug, id)
		}
		s.Page = stripLang(pr.URL)
	default:
		s.Page = sy.Page
	}
	kind, slug, _, err := PageOf(s.Page)
	if err != nil {
		return s, fmt.Errorf("page: %w", err)
	}
	if sy.Section != nil {
		if kind != PageLoss && kind != PageLesson {
			return s, errors.New("section: only a loss or lesson page has lesson sections")
		}
		l := lessons.Get(slug, lessons.Languages[0])
		heads := Headings(l)
		idx := -2
		switch v := sy.Section.(type) {
		case int:
			idx = v
		case string:
			for i, h := range heads {
				if strings.EqualFold(h, v) {
					idx = i
				}
			}
			if idx == -2 {
				return s, fmt.Errorf("section: lesson %s has no heading %q (it has %q)", slug, v, heads)
			}
		default:
			return s, fmt.Errorf("section: a heading or an index, got %v", v)
		}
		if idx < -1 || idx >= len(heads) {
			return s, fmt.Errorf("section: lesson %s has %d headings, %d is out of range", slug, len(heads), idx)
		}
		s.Section = &Section{Lesson: slug, Index: idx}
		if idx >= 0 {
			s.Section.Title = heads[idx]
		}
	}
	switch {
	case sy.Question != "" && sy.Predict != "":
		return s, errors.New("give a question or a predict prompt, not both")
	case sy.Question != "":
		qslug, qid, _ := strings.Cut(sy.Question, "/")
		l := lessons.Get(qslug, lessons.Languages[0])
		if l == nil || l.Question(qid) == nil {
			return s, fmt.Errorf("question: no lesson question %q (write slug/id)", sy.Question)
		}
		s.Question = &Question{Kind: KindLesson, Slug: qslug, Question: qid, Prompt: l.Question(qid).Prompt}
	case sy.Predict != "":
		s.Question = &Question{Kind: KindNumber, Prompt: sy.Predict}
	}
	return s, nil
}

// translateStep gives an English step a translation's words.
func translateStep(sy stepYAML, en Step, lang string) (Step, error) {
	if sy.Page != "" || sy.Preset != "" || sy.Section != nil || sy.Question != "" {
		return Step{}, errors.New("a translated step gives only title, note and predict; the rest comes from the English plan")
	}
	s := en
	s.Title = sy.Title
	if en.Section != nil {
		sec := *en.Section
		if sec.Index >= 0 {
			if heads := Headings(lessons.Get(sec.Lesson, lang)); sec.Index < len(heads) {
				sec.Title = heads[sec.Index]
			}
		}
		s.Section = &sec
	}
	if en.Question != nil {
		q := *en.Question
		switch q.Kind {
		case KindNumber:
			if sy.Predict == "" {
				return s, errors.New("predict: the English step asks a numeric question; give its prompt")
			}
			q.Prompt = sy.Predict
		case KindLesson:
			if sy.Predict != "" {
				return s, errors.New("predict: the English step asks a lesson question, whose words come from the lesson")
			}
			q.Prompt = lessons.Get(q.Slug, lang).Question(q.Question).Prompt
		}
		s.Question = &q
	} else if sy.Predict != "" {
		return s, errors.New("predict: the English step asks no question")
	}
	return s, nil
}
