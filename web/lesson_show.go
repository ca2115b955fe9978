package web

import (
	_ "embed"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/templates"
)

// lessonScript is the question widgets' module, web/static/lessons.js.
//
//go:embed static/lessons.js
var lessonScript []byte

// lessonScriptPath serves lessonScript for the standalone lesson pages.
const lessonScriptPath = "/lessons/assets/lessons.js"

// lessonPageCSP forbids inline scripts, as the loss pages do.
const lessonPageCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'"

// showLesson renders GET /lessons/{slug}: one lesson on its own page, in
// the language of ?lang= or the Accept-Language header.
func (a *App) showLesson(w http.ResponseWriter, r *http.Request) error {
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
	w.Header().Set("Content-Security-Policy", lessonPageCSP)
	w.Header().Set("Vary", "Accept-Language")
	return render(w, r, templates.LessonPage(l, lang, lessonScriptPath))
}

// serveLessonScript serves web/static/lessons.js.
func (a *App) serveLessonScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(lessonScript)
}
