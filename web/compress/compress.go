// Package compress gzips the playground's dynamic responses (pages, JSON,
// the API) for clients that accept it, with chi's Compress middleware.
//
// Two kinds of request pass through untouched: WebSocket upgrades (the
// socket needs the raw connection, and its messages are not HTTP bodies)
// and requests under a skipped prefix (the static assets, which are
// gzipped once at start-up and served with their own ETags).
package compress

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5/middleware"
)

// Level is gzip's level for dynamic responses: a catalog page of about
// 300 KB compresses to about 30 KB at level 5 in well under a millisecond
// more than level 1 costs, and past 5 the gains are a few percent.
const Level = 5

// Types are the content types worth compressing; fonts (woff2) and images
// other than SVG are compressed already.
var Types = []string{
	"text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
	"application/json", "image/svg+xml",
}

// Middleware returns a middleware that gzips responses of the listed
// types when the request accepts gzip, except for WebSocket upgrades and
// paths starting with one of skipPrefixes.
func Middleware(skipPrefixes ...string) func(http.Handler) http.Handler {
	gzipper := middleware.NewCompressor(Level, Types...)
	return func(next http.Handler) http.Handler {
		gz := gzipper.Handler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, p := range skipPrefixes {
				if strings.HasPrefix(r.URL.Path, p) {
					next.ServeHTTP(w, r)
					return
				}
			}
			if isUpgrade(r) {
				next.ServeHTTP(w, r)
				return
			}
			// Whether compressed or not, the answer depends on the header.
			w.Header().Add("Vary", "Accept-Encoding")
			if !AcceptsGzip(r) {
				next.ServeHTTP(w, r)
				return
			}
			gz.ServeHTTP(w, r)
		})
	}
}

// isUpgrade reports a request asking to switch protocols (the WebSocket).
func isUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Connection") {
		for _, token := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(token), "upgrade") {
				return true
			}
		}
	}
	return false
}

// AcceptsGzip reports whether the request accepts a gzip-encoded answer:
// it names gzip (or *) without q=0. chi alone would gzip for "gzip;q=0".
func AcceptsGzip(r *http.Request) bool {
	star := false
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		refused := isZeroQ(params)
		switch coding {
		case "gzip", "x-gzip":
			return !refused
		case "*":
			star = !refused
		}
	}
	return star
}

// isZeroQ reports whether an Accept-Encoding entry's parameters say q=0.
func isZeroQ(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			v = strings.TrimRight(strings.TrimSpace(v), "0")
			return v == "" || v == "0." || v == "0"
		}
	}
	return false
}
