package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/class"
	"github.com/lossplayground/playground/web/templates"
)

// showClassJoin renders /join; with ?code= it checks the code and sends
// the student to the class (the name stays in the student's browser:
// without script it rides along in the query once).
func (a *App) showClassJoin(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := templates.ClassJoinPage{Code: q.Get("code"), Name: q.Get("name")}
	if p.Code != "" {
		code, err := a.classLookup(r, p.Code)
		if err == nil {
			target := "/c/" + code
			if p.Name != "" {
				target += "?" + url.Values{"name": {p.Name}}.Encode()
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return nil
		}
		var pe *pageError
		if !errors.As(err, &pe) {
			return err
		}
		p.Error = pe.msg
		a.renderPage(w, r, pe.status, pageMeta(r, "Join a class", "", ""), templates.ClassJoin(p))
		return nil
	}
	a.renderPage(w, r, http.StatusOK, pageMeta(r, "Join a class", "", ""), templates.ClassJoin(p))
	return nil
}

// classLookup checks a typed code: the normalized code, or a page error
// (404 unknown, 429 too many misses, 503 no bus).
func (a *App) classLookup(r *http.Request, typed string) (string, error) {
	code, ok := class.NormalizeCode(typed)
	if !ok {
		code = typed
	}
	err := a.classes.Lookup(r.Context(), code, clientAddr(r))
	switch {
	case err == nil:
		return code, nil
	case errors.Is(err, class.ErrNotFound):
		return "", &pageError{status: http.StatusNotFound, heading: "No such class",
			msg: "No class has the code \"" + typed + "\": check it on the projector (codes have no 0, O, 1 or I). Classes end after hours without activity.", backURL: "/join", backText: "Type the code again"}
	case errors.Is(err, class.ErrRateLimited):
		return "", &pageError{status: http.StatusTooManyRequests, heading: "Too many wrong codes",
			msg: "This address typed too many codes that do not exist: " + err.Error(), backURL: "/join", backText: "Join a class"}
	case errors.Is(err, class.ErrUnavailable):
		return "", &pageError{status: http.StatusServiceUnavailable, heading: "Classes are unavailable",
			msg: err.Error(), backURL: "/", backText: "Back to all losses"}
	}
	return "", err
}

// showClassStudent renders /c/{code}: the loss page the class is on, in
// the state the teacher last showed (class.js then follows live), or a
// waiting page before the teacher's first change.
func (a *App) showClassStudent(w http.ResponseWriter, r *http.Request) error {
	code, err := a.classLookup(r, chi.URLParam(r, "code"))
	if err != nil {
		return err
	}
	if code != chi.URLParam(r, "code") {
		http.Redirect(w, r, "/c/"+code, http.StatusSeeOther)
		return nil
	}
	cur, err := a.classes.CurrentPage(r.Context(), code)
	if errors.Is(err, class.ErrUnavailable) {
		return &pageError{status: http.StatusServiceUnavailable, heading: "Classes are unavailable",
			msg: err.Error(), backURL: "/", backText: "Back to all losses"}
	}
	if err != nil {
		return err
	}
	if cur == nil {
		a.renderPage(w, r, http.StatusOK, pageMeta(r, "Class "+code, "", ""), templates.ClassWait(code))
		return nil
	}
	if cur.Slug == "" && cur.Page != "" {
		return a.showClassPage(w, r, cur.Page) // a comparison or lesson page (class_plan_page.go)
	}
	// The loss page itself, as /losses/{slug}?{query} renders it.
	rctx := chi.NewRouteContext()
	rctx.URLParams.Add("slug", cur.Slug)
	lr := r.Clone(context.WithValue(r.Context(), chi.RouteCtxKey, rctx))
	lr.URL.RawQuery = studentQuery(cur.Query, r)
	return a.showLossPage(w, lr)
}

// showClassTeach renders /c/{code}/teach, the teacher's dashboard. The
// page holds no secret: the token stays in the teacher's browser, and
// class.js presents it on the socket.
func (a *App) showClassTeach(w http.ResponseWriter, r *http.Request) error {
	code, err := a.classLookup(r, chi.URLParam(r, "code"))
	if err != nil {
		return err
	}
	origin := a.origin(r)
	p := templates.ClassTeachPage{Code: code, JoinURL: origin + "/c/" + code,
		JoinHost: strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://")}
	if p.QRSVG, err = class.QRSVG(p.JoinURL); err != nil {
		return err
	}
	lib, err := lessons.Load()
	if err != nil {
		return err
	}
	for _, slug := range lib.Slugs() {
		l, ok := lib.Get(slug, pageLang(r))
		if !ok || len(l.Questions) == 0 {
			continue
		}
		g := templates.ClassQuestionGroup{Slug: slug, Title: l.Title}
		for _, q := range l.Questions {
			g.Questions = append(g.Questions, templates.ClassQuestionOption{ID: q.ID, Label: classQuestionLabel(q.Prompt)})
		}
		p.Questions = append(p.Questions, g)
	}
	a.renderPage(w, r, http.StatusOK, pageMeta(r, "Teach class "+code, "", ""), templates.ClassTeach(p))
	return nil
}

// classQuestionLabel shortens a question's Markdown prompt for a menu.
func classQuestionLabel(prompt string) string {
	s := strings.Join(strings.Fields(strings.NewReplacer("$", "", "`", "", "*", "").Replace(prompt)), " ")
	if r := []rune(s); len(r) > 90 {
		s = string(r[:89]) + "…"
	}
	return s
}
