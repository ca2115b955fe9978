package web

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/lessons/plans"
	"github.com/lossplayground/playground/web/class"
	"github.com/lossplayground/playground/web/templates"
)

// The entry modules of the teacher's two screens (web/build.mjs).
const (
	entryTeach     = "teach"
	entryProjector = "projector"
)

// showTeach renders /c/{code}/teach, the teacher's private view: plan,
// notes, students, questions, downloads. The page holds no secret: the
// token stays in the teacher's browser (a teacher link brings it in the
// URL fragment, which never reaches the server), and teach-page.js
// presents it on the socket.
func (a *App) showTeach(w http.ResponseWriter, r *http.Request) error {
	p, err := a.teachPage(r)
	if err != nil || p == nil {
		return err
	}
	meta := pageMeta(r, i18n.T(p.Lang, "class.teach.title", p.Code), p.Lang, "")
	meta.Script = entryTeach
	a.renderPage(w, r, http.StatusOK, meta, templates.TeachView(*p))
	return nil
}

// showProjector renders /c/{code}/projector: the screen the room sees,
// opened by the private view in a window of its own.
func (a *App) showProjector(w http.ResponseWriter, r *http.Request) error {
	p, err := a.teachPage(r)
	if err != nil || p == nil {
		return err
	}
	meta := pageMeta(r, i18n.T(p.Lang, "class.proj.title", p.Code), p.Lang, "")
	meta.Script = entryProjector
	meta.Bare = true // full screen: no header to project
	a.renderPage(w, r, http.StatusOK, meta, templates.ProjectorView(*p))
	return nil
}

// teachPage looks the class up and gathers what both screens show; nil
// (and no error) when it redirected to the normalized code.
func (a *App) teachPage(r *http.Request) (*templates.TeachPage, error) {
	typed := chi.URLParam(r, "code")
	code, err := a.classLookup(r, typed)
	if err != nil {
		return nil, err
	}
	lang := pageLang(r)
	origin := a.origin(r)
	p := &templates.TeachPage{Lang: lang, Code: code, JoinURL: origin + "/c/" + code,
		JoinHost: strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://"),
		CSS:      a.uiAssets().url("teach.css")}
	if p.QRSVG, err = class.QRSVG(p.JoinURL); err != nil {
		return nil, err
	}
	planLib, err := plans.Load()
	if err != nil {
		return nil, err
	}
	for _, pl := range planLib.All(lang) {
		p.Plans = append(p.Plans, templates.TeachPlanOption{ID: pl.ID, Title: pl.Title, Steps: len(pl.Steps),
			Written: !strings.HasPrefix(pl.ID, "lesson-")})
	}
	lib, err := lessons.Load()
	if err != nil {
		return nil, err
	}
	for _, slug := range lib.Slugs() {
		l, ok := lib.Get(slug, lang)
		if !ok || len(l.Questions) == 0 {
			continue
		}
		g := templates.ClassQuestionGroup{Slug: slug, Title: l.Title}
		for _, q := range l.Questions {
			g.Questions = append(g.Questions, templates.ClassQuestionOption{ID: q.ID, Label: classQuestionLabel(q.Prompt)})
		}
		p.Questions = append(p.Questions, g)
	}
	return p, nil
}
