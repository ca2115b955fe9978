package web

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/web/class"
)

// ClassCreated is the answer of POST /api/v1/classes.
type ClassCreated struct {
	Code string `json:"code"`
	// TeacherToken is the class's secret: whoever holds it teaches.
	TeacherToken string `json:"teacher_token"`
	JoinURL      string `json:"join_url"`
	TeacherURL   string `json:"teacher_url"`
}

// createClass answers POST /api/v1/classes: a new class, 201. A browser
// request from another site is refused (403): any page could otherwise
// spend a school address's class budget.
func (a *App) createClass(w http.ResponseWriter, r *http.Request) error {
	if !a.sameOrigin(r) {
		return errorStatus(http.StatusForbidden, "classes: a class can be created from this site's own pages (Origin "+strconv.Quote(r.Header.Get("Origin"))+" is another site)")
	}
	code, token, err := a.classes.Create(r.Context(), clientAddr(r))
	if err != nil {
		return classAPIError(w, err)
	}
	origin := a.origin(r)
	out, err := json.Marshal(ClassCreated{Code: code, TeacherToken: token,
		JoinURL: origin + "/c/" + code, TeacherURL: origin + "/c/" + code + "/teach"})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, err = w.Write(out)
	return err
}

// classAPIError maps the class hub's errors to statuses: 429 with a
// Retry-After that matches its text, 503 while the bus is away, 404 for
// an unknown or ended class, 401 for a wrong teacher token.
func classAPIError(w http.ResponseWriter, err error) error {
	var rl *class.RateLimitError
	var ce *class.Error
	switch {
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(rl.RetryAfter.Seconds()))))
		return errorStatus(http.StatusTooManyRequests, "classes: "+err.Error())
	case errors.Is(err, class.ErrUnavailable):
		w.Header().Set("Retry-After", "5")
		return errorStatus(http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, class.ErrNotFound):
		return errorStatus(http.StatusNotFound, err.Error())
	case errors.Is(err, class.ErrToken):
		w.Header().Set("WWW-Authenticate", `Bearer realm="class"`)
		return errorStatus(http.StatusUnauthorized, "classes: "+err.Error())
	case errors.As(err, &ce):
		return errorStatus(http.StatusBadRequest, ce.Error())
	}
	return err
}

// sameOrigin accepts a request without an Origin header (not from a
// browser, or a same-origin GET) or from this site: its own host or the
// -public-url origin.
func (a *App) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // "null" (a sandboxed frame, a file) is no site of ours
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return a.publicURL != "" && strings.EqualFold(strings.TrimSuffix(origin, "/"), a.publicURL)
}

// origin is the scheme and host that links handed to people use: the
// -public-url flag, or the request's own host.
func (a *App) origin(r *http.Request) string {
	if a.publicURL != "" {
		return a.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
