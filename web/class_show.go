package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/class"
	"github.com/lossplayground/playground/web/templates"
)

// showClassJoin renders /join; with ?code= it checks the code and sends
// the student to the class (the name stays in the student's browser:
// without script it rides along in the query once).
func (a *App) showClassJoin(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lang := i18n.Lang(pageLang(r))
	p := templates.ClassJoinPage{Lang: lang, Code: q.Get("code"), Name: q.Get("name")}
	if q.Get("lang") == lang {
		p.LangQuery = lang
	}
	title := i18n.T(lang, "class.join.title")
	if p.Code != "" {
		code, err := a.classLookup(r, p.Code)
		if err == nil {
			target := "/c/" + code
			v := url.Values{}
			if p.Name != "" {
				v.Set("name", p.Name)
			}
			if p.LangQuery != "" {
				v.Set("lang", p.LangQuery)
			}
			if len(v) > 0 {
				target += "?" + v.Encode()
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return nil
		}
		var pe *pageError
		if !errors.As(err, &pe) {
			return err
		}
		p.Error = pe.msg
		a.renderPage(w, r, pe.status, pageMeta(r, title, "", ""), templates.ClassJoin(p))
		return nil
	}
	a.renderPage(w, r, http.StatusOK, pageMeta(r, title, "", ""), templates.ClassJoin(p))
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
	lang := i18n.Lang(pageLang(r))
	switch {
	case err == nil:
		return code, nil
	case errors.Is(err, class.ErrNotFound):
		return "", &pageError{status: http.StatusNotFound, heading: i18n.T(lang, "class.err.noClass"),
			msg: i18n.T(lang, "class.err.noClassMsg", typed), backURL: "/join", backText: i18n.T(lang, "class.err.typeAgain")}
	case errors.Is(err, class.ErrRateLimited):
		return "", &pageError{status: http.StatusTooManyRequests, heading: i18n.T(lang, "class.err.tooMany"),
			msg: i18n.T(lang, "class.err.tooManyMsg", retryMinutes(err)), backURL: "/join", backText: i18n.T(lang, "class.err.join")}
	case errors.Is(err, class.ErrUnavailable):
		return "", classUnavailable(lang)
	}
	return "", err
}

// showClassStudent renders /c/{code}: the loss page the class is on, in
// the state the teacher last showed (the student's module then follows
// live, web/ui/class-student.js), or a
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
		return classUnavailable(i18n.Lang(pageLang(r)))
	}
	if err != nil {
		return err
	}
	if cur == nil {
		lang := i18n.Lang(pageLang(r))
		a.renderPage(w, r, http.StatusOK, pageMeta(r, i18n.T(lang, "class.bar.class", code), "", ""), templates.ClassWait(lang, code))
		return nil
	}
	if cur.Slug == "" && cur.Page != "" {
		return a.showClassPage(w, r, cur.Page) // a comparison or lesson page (class_plan_show.go)
	}
	// The loss page itself, as /losses/{slug}?{query} renders it.
	rctx := chi.NewRouteContext()
	rctx.URLParams.Add("slug", cur.Slug)
	lr := r.Clone(context.WithValue(r.Context(), chi.RouteCtxKey, rctx))
	lr.URL.RawQuery = studentQuery(cur.Query, r)
	return a.showLossPage(w, lr)
}

// retryMinutes is how many whole minutes a rate-limited address waits
// (at least 1).
func retryMinutes(err error) int {
	var rl *class.RateLimitError
	if errors.As(err, &rl) && rl.RetryAfter > time.Minute {
		return int(math.Ceil(rl.RetryAfter.Minutes()))
	}
	return 1
}

// classUnavailable is the page when the class service (the bus) cannot
// be reached, in the page's language.
func classUnavailable(lang string) *pageError {
	return &pageError{status: http.StatusServiceUnavailable, heading: i18n.T(lang, "class.err.unavailable"),
		msg: i18n.T(lang, "class.err.unavailableMsg"), backURL: "/", backText: i18n.T(lang, "class.err.back")}
}

// classQuestionLabel shortens a question's Markdown prompt for a menu.
func classQuestionLabel(prompt string) string {
	s := strings.Join(strings.Fields(strings.NewReplacer("$", "", "`", "", "*", "").Replace(prompt)), " ")
	if r := []rune(s); len(r) > 90 {
		s = string(r[:89]) + "…"
	}
	return s
}

// classStudentPath reports whether path is a student's page, /c/{code}
// with a well-formed code, and returns the code.
func classStudentPath(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/c/")
	if !ok {
		return "", false
	}
	code, ok := class.NormalizeCode(strings.TrimSuffix(rest, "/"))
	if !ok || code != strings.TrimSuffix(rest, "/") {
		return "", false
	}
	return code, true
}
