package web

import (
	"encoding/json"
	"errors"
	"net/http"

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

// createClass answers POST /api/v1/classes: a new class, 201.
func (a *App) createClass(w http.ResponseWriter, r *http.Request) error {
	code, token, err := a.classes.Create(r.Context(), clientAddr(r))
	switch {
	case errors.Is(err, class.ErrRateLimited):
		w.Header().Set("Retry-After", "360")
		return errorStatus(http.StatusTooManyRequests, "classes: "+err.Error())
	case errors.Is(err, class.ErrUnavailable):
		return errorStatus(http.StatusServiceUnavailable, err.Error())
	case err != nil:
		return err
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
