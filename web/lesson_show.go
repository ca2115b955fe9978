package web

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/templates"
)

// showLesson renders GET /lessons/{slug}: one lesson on its own page, in
// the language of ?lang= or the Accept-Language header, inside the site's
// layout (hashed assets, CSP, language and theme switches).
func (a *App) showLesson(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	lang := lessons.NegotiateLang(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
	l := lessons.Get(slug, lang)
	if l == nil {
		return errorStatus(http.StatusNotFound, fmt.Sprintf("lesson: no lesson for loss %q", slug))
	}
	w.Header().Add("Vary", "Accept-Language")
	// A lesson draws no chart: the site entry module, without ECharts.
	meta := pageMeta(r, l.Title, lang, "")
	meta.Script = entrySite
	a.renderPage(w, r, http.StatusOK, meta, templates.LessonPage(l, lang))
	return nil
}
