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
	a.renderPage(w, r, http.StatusOK, pageMeta(r, in.Title, lang, ""), templates.IntroPage(in, lang))
	return nil
}
