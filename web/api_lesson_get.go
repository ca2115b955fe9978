package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/lessons"
)

// LessonJSON is a lesson as GET /api/v1/lessons/{slug} returns it: what a
// page needs to show it (for instance after a language switch) without the
// answers, which only the question endpoint computes.
type LessonJSON struct {
	Slug      string               `json:"slug"`
	Lang      string               `json:"lang"`
	Loss      string               `json:"loss"`
	Title     string               `json:"title"`
	Summary   string               `json:"summary"`
	HTML      template.HTML        `json:"html"`
	Presets   []LessonPresetJSON   `json:"presets"`
	Questions []LessonQuestionJSON `json:"questions"`
}

// LessonPresetJSON is one preset: its permalink and the state it sets.
type LessonPresetJSON struct {
	ID     string                     `json:"id"`
	Title  string                     `json:"title"`
	Loss   string                     `json:"loss"`
	URL    string                     `json:"url"`
	Params map[string]json.RawMessage `json:"params"`
	Inputs map[string]json.RawMessage `json:"inputs"`
	View   charts.View                `json:"view"`
}

// LessonQuestionJSON is one question, without its answer.
type LessonQuestionJSON struct {
	ID         string           `json:"id"`
	Kind       string           `json:"kind"`
	PromptHTML template.HTML    `json:"prompt_html"`
	Choices    []lessons.Choice `json:"choices"`
	Endpoint   string           `json:"endpoint"`
}

// getLesson answers GET /api/v1/lessons/{slug}?lang=en|zh (the language
// falls back to the Accept-Language header, then English).
func (a *App) getLesson(w http.ResponseWriter, r *http.Request) error {
	lib, err := lessons.Load()
	if err != nil {
		return err
	}
	slug := chi.URLParam(r, "slug")
	lang := lessons.NegotiateLang(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
	l, ok := lib.Get(slug, lang)
	if !ok {
		return errorStatus(http.StatusNotFound, fmt.Sprintf("lesson: no lesson for loss %q", slug))
	}
	out := LessonJSON{Slug: l.Slug, Lang: l.Lang, Loss: l.Loss, Title: l.Title, Summary: l.Summary, HTML: l.HTML,
		Presets: []LessonPresetJSON{}, Questions: []LessonQuestionJSON{}}
	for _, p := range l.Presets {
		out.Presets = append(out.Presets, LessonPresetJSON{ID: p.ID, Title: p.Title, Loss: p.Loss, URL: p.URL,
			Params: p.Params, Inputs: p.Inputs, View: p.View})
	}
	for _, q := range l.Questions {
		out.Questions = append(out.Questions, LessonQuestionJSON{ID: q.ID, Kind: q.Kind, PromptHTML: q.PromptHTML,
			Choices: q.Choices, Endpoint: "/api/v1/lessons/" + l.Slug + "/questions/" + q.ID})
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Add("Vary", "Accept-Language")
	_, err = w.Write(body)
	return err
}
