package lessons

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed intro
var introFS embed.FS

// Intro is the introductory page in one language: what a loss function
// is called (loss, cost, criterion, objective, error function) and what
// reduction does to the learning rate. It has no loss, presets or
// questions; its links go straight to loss pages.
type Intro struct {
	Lang, Title, Summary string
	HTML                 template.HTML
}

var loadIntros = sync.OnceValues(func() (map[string]*Intro, error) {
	out := map[string]*Intro{}
	for _, lang := range Languages {
		name := "intro/" + lang + ".md"
		src, err := introFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		fmRaw, body, err := splitFrontMatter(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var fm struct {
			Title   string `yaml:"title"`
			Summary string `yaml:"summary"`
		}
		dec := yaml.NewDecoder(bytes.NewReader(fmRaw))
		dec.KnownFields(true)
		if err := dec.Decode(&fm); err != nil {
			return nil, fmt.Errorf("%s: front matter: %w", name, err)
		}
		if fm.Title == "" || fm.Summary == "" {
			return nil, fmt.Errorf("%s: front matter needs a title and a summary", name)
		}
		html, err := renderMarkdown(string(body), lang, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[lang] = &Intro{Lang: lang, Title: fm.Title, Summary: fm.Summary, HTML: html}
	}
	return out, nil
})

// GetIntro returns the introductory page in lang, English when lang has
// none. Every language in Languages has one (TestIntro), so the error is
// only ever a broken build.
func GetIntro(lang string) (*Intro, error) {
	intros, err := loadIntros()
	if err != nil {
		return nil, err
	}
	if in, ok := intros[lang]; ok {
		return in, nil
	}
	return intros[Languages[0]], nil
}
