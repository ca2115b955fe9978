package web

import (
	"net/http"

	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/templates"
)

// showIntro renders GET /intro: the introductory page on the names of the
// loss (loss, cost, criterion, objective, error function) and on
// reduction as learning-rate scaling, in the page's language.
func (a *App) showIntro(w http.ResponseWriter, r *http.Request) error {
	lang := pageLang(r)
	in, err := lessons.GetIntro(lang)
	if err != nil {
		return err
	}
	// Like a lesson, the intro draws no chart: no ECharts.
	meta := pageMeta(r, in.Title, lang, "")
	meta.Script = entrySite
	a.renderPage(w, r, http.StatusOK, meta, templates.IntroPage(in, lang))
	return nil
}
