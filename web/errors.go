package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// httpError is an error with the status it should be answered with.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errorStatus(status int, msg string) error { return &httpError{status: status, msg: msg} }

// handle adapts a handler that returns an error: user errors become 4xx
// JSON answers, a busy or overrunning computation a 503 with Retry-After,
// a client that left nothing but a debug log, anything else a logged 500.
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
			status, msg = http.StatusRequestEntityTooLarge, "request body is larger than "+sizeText(mbe.Limit)
		case errors.Is(err, errBusy):
			status, msg = http.StatusServiceUnavailable, "the server is busy computing for others; try again in a moment"
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		case errors.Is(err, errComputeTimeout):
			status, msg = http.StatusServiceUnavailable, fmt.Sprintf("the computation took longer than the %v the server allows", computeTimeout)
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		case clientGone(r, err):
			// Most likely nobody reads this; if the connection is still
			// there (the server is shutting down), it is the answer.
			a.log.Debug("client left", "path", r.URL.Path, "err", err)
			status, msg = http.StatusServiceUnavailable, "request canceled"
		default:
			a.log.Error("handler failed", "path", r.URL.Path, "err", err)
		}
		writeJSONError(w, status, msg)
	}
}

// clientGone reports an error that only means the client went away: its
// request's context ended, or the connection broke under a write. Any
// client can cause these at will, so they are logged at debug level.
func clientGone(r *http.Request, err error) bool {
	if errors.Is(err, errComputeTimeout) {
		return false
	}
	return r.Context().Err() != nil || errors.Is(err, context.Canceled) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

// readBody reads a request body of at most limit bytes. A larger body is
// a 413, and a body that cannot be read whole (truncated, or its
// connection stalled past the server's read timeout) a 400: neither is
// the server's failure.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errorStatus(http.StatusRequestEntityTooLarge, "request body is larger than "+sizeText(limit))
		}
		return nil, errorStatus(http.StatusBadRequest, "request body: could not be read whole (truncated or interrupted)")
	}
	return body, nil
}

// sizeText writes a byte count as people read it: 1 MiB, 4 KiB, 300 bytes.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// writeJSONError writes the JSON error answer {"error": msg}.
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// apiHeaders sets X-Content-Type-Options: nosniff on every /api/ answer,
// and turns the router's own plain-text errors there (404 for an unknown
// path, 405 with its Allow header for a wrong method) into JSON
// {"error": ...}, as every API answer is.
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPI(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(&apiErrorWriter{ResponseWriter: w, method: r.Method, path: r.URL.Path}, r)
	})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// apiErrorWriter replaces a non-JSON error body with a JSON one.
type apiErrorWriter struct {
	http.ResponseWriter
	method, path string
	swallow      bool // the body written is replaced
}

func (w *apiErrorWriter) WriteHeader(status int) {
	if status >= 400 && !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		w.swallow = true
		msg := http.StatusText(status)
		switch status {
		case http.StatusNotFound:
			msg = fmt.Sprintf("no API endpoint at %s", quoteShort(w.path))
		case http.StatusMethodNotAllowed:
			msg = fmt.Sprintf("method %s is not allowed here (allowed: %s)", quoteShort(w.method), strings.Join(w.Header().Values("Allow"), ", "))
		}
		w.Header().Del("Content-Length")
		writeJSONError(w.ResponseWriter, status, msg)
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *apiErrorWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *apiErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// maxQuoted bounds how much of a client's string an error message echoes.
const maxQuoted = 64

// quoteShort quotes s for a message, shortened to maxQuoted bytes.
func quoteShort(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(strings.ToValidUTF8(s[:maxQuoted], "")) + "…"
	}
	return strconv.Quote(s)
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}

// errorText says err on a page in lang: an *engine.Error in the message
// catalogue's words when it has them (the field as it is, the JSON API's
// name for it), anything else as its English text. The JSON API and the
// chart images answer in English.
func errorText(err error, lang string) string {
	var ee *engine.Error
	if !errors.As(err, &ee) {
		return err.Error()
	}
	if msg, ok := i18n.FieldMessage(lang, ee.Field, ee.Code, ee.Args); ok {
		return msg
	}
	return ee.Error()
}
