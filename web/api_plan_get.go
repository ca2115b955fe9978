package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/lessons/plans"
)

// getPlan answers GET /api/v1/plans/{id}?lang=en|zh: the plan with every
// step (title, page, section, question, note), as a class_plan message
// may carry it back inline.
func (a *App) getPlan(w http.ResponseWriter, r *http.Request) error {
	lang, err := planLang(r)
	if err != nil {
		return err
	}
	lib, err := plans.Load()
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "id")
	p, ok := lib.Get(id, lang)
	if !ok {
		return errorStatus(http.StatusNotFound, "plan: no plan "+quoteShort(id))
	}
	return writePlanJSON(w, p)
}
