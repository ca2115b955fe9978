package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/lessons/plans"
	"github.com/lossplayground/playground/state"
	"github.com/lossplayground/playground/web/class"
)

// classPageDrive is the class's PageDrive: a lesson plan step's page (or
// a teacher's page drive) checked as the page itself would check its
// query, and turned into what the class shows. A loss page is computed
// like a class_drive; a comparison, lesson or other page is shown as it
// is, each student rendering it in their own language.
func (a *App) classPageDrive(page string) (*class.Drive, error) {
	kind, slug, q, err := plans.PageOf(page)
	if err != nil {
		return nil, &class.Error{Field: "page", Msg: err.Error()}
	}
	u, _ := url.Parse(page) // PageOf parsed it
	switch kind {
	case plans.PageLoss:
		spec, _ := engine.LookupSlug(slug)
		st, err := state.Parse(spec, q)
		if err != nil {
			return nil, &class.Error{Field: "page", Msg: err.Error(), Err: err}
		}
		view, err := json.Marshal(st.View)
		if err != nil {
			return nil, err
		}
		return &class.Drive{Loss: spec.Name, Params: st.Params, Inputs: st.Inputs, Detail: true, View: view, DType: st.DType, Query: u.RawQuery}, nil
	case plans.PageCompare:
		if p, ok := comparePages[slug]; ok {
			_, err = p.query(q, "")
		}
		if err != nil {
			return nil, &class.Error{Field: "page", Msg: u.Path + ": " + err.Error()}
		}
	}
	return &class.Drive{Page: page}, nil
}

// checkPlanPage checks a plan's page as a class would show it.
func (a *App) checkPlanPage(page string) error {
	_, err := a.classPageDrive(page)
	return err
}

// showClassPage renders a page that is not a loss page for a student of
// a class: the page the teacher's plan is on, in the student's language.
func (a *App) showClassPage(w http.ResponseWriter, r *http.Request, page string) error {
	kind, slug, _, err := plans.PageOf(page)
	if err != nil {
		return err
	}
	u, _ := url.Parse(page)
	rctx := chi.NewRouteContext()
	pr := r.Clone(context.WithValue(r.Context(), chi.RouteCtxKey, rctx))
	pr.URL.RawQuery = studentQuery(u.RawQuery, r)
	switch kind {
	case plans.PageLesson:
		rctx.URLParams.Add("slug", slug)
		return a.showLesson(w, pr)
	case plans.PageCompare:
		if _, ok := comparePages[slug]; ok {
			return a.showCompare(slug)(w, pr)
		}
	case plans.PageIntro:
		return a.showIntro(w, pr)
	case plans.PageHome:
		return a.showCatalog(w, pr)
	}
	return errorStatus(http.StatusNotFound, "class: no page "+quoteShort(page))
}

// checkPlans checks every step's page of every plan as a class would
// show it (a comparison page's query is checked here, not in package
// plans).
func (a *App) checkPlans(lib *plans.Library) error {
	for _, lang := range lessons.Languages {
		for _, p := range lib.All(lang) {
			for i, s := range p.Steps {
				if err := a.checkPlanPage(s.Page); err != nil {
					return fmt.Errorf("plan %s (%s): steps[%d].page: %w", p.ID, lang, i, err)
				}
			}
		}
	}
	return nil
}

// studentQuery is a class page's query with the student's own language
// choice kept (?lang=zh on /c/{code} stays Chinese whatever the teacher's
// page).
func studentQuery(query string, r *http.Request) string {
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		return query
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return query
	}
	q.Set("lang", lang)
	return q.Encode()
}
