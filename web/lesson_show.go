package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/i18n"
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
		return &pageError{status: http.StatusNotFound, heading: i18n.T(lang, "error.noLesson"),
			msg:     i18n.T(lang, "error.noLessonMsg", slug),
			backURL: i18n.Path("/", lang), backText: i18n.T(lang, "error.seeEvery")}
	}
	// A lesson draws no chart: the site entry module, without ECharts.
	meta := pageMeta(r, l.Title, lang, "")
	meta.Script = entrySite
	a.renderPage(w, r, http.StatusOK, meta, templates.LessonPage(l, lang))
	return nil
}
