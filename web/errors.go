package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/lossplayground/playground/engine"
)

// httpError is an error with the status it should be answered with.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errorStatus(status int, msg string) error { return &httpError{status: status, msg: msg} }

// handle adapts a handler that returns an error: user errors become 4xx
// JSON (or text) answers, anything else a logged 500.
func (a *App) handle(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		status := http.StatusInternalServerError
		msg := "internal error"
		var he *httpError
		var ee *engine.Error
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &he):
			status, msg = he.status, he.msg
		case errors.As(err, &ee):
			status, msg = http.StatusUnprocessableEntity, ee.Error()
		case errors.As(err, &mbe):
			status, msg = http.StatusRequestEntityTooLarge, "request body is larger than 1 MiB"
		default:
			a.log.Error("handler failed", "path", r.URL.Path, "err", err)
		}
		writeJSONError(w, status, msg)
	}
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}
