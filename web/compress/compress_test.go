package compress

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br, zstd", true},
		{"br;q=1.0, GZIP;q=0.5", true},
		{"deflate", false},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0.001", true},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false}, // gzip named and refused: * does not bring it back
		{"identity", false},
		{"x-gzip", true},
	}
	for _, test := range tests {
		t.Run(test.header, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Accept-Encoding", test.header)
			if got := AcceptsGzip(r); got != test.want {
				t.Errorf("AcceptsGzip(%q) = %v; want %v", test.header, got, test.want)
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	page := strings.Repeat("<p>loss</p>", 500)
	h := Middleware("/static/")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/font.woff2" {
			w.Header().Set("Content-Type", "font/woff2")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		io.WriteString(w, page)
	}))
	tests := []struct {
		name, path, accept string
		upgrade            bool
		wantGzip           bool
		wantVary           bool
	}{
		{"page, gzip accepted", "/losses/mse", "gzip, deflate", false, true, true},
		{"page, no header", "/losses/mse", "", false, false, true},
		{"page, gzip refused", "/losses/mse", "gzip;q=0, deflate", false, false, true},
		{"static is left alone", "/static/app.js", "gzip", false, false, false},
		{"incompressible type", "/font.woff2", "gzip", false, false, true},
		{"websocket upgrade", "/ws", "gzip", true, false, false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, test.path, nil)
			if test.accept != "" {
				req.Header.Set("Accept-Encoding", test.accept)
			}
			if test.upgrade {
				req.Header.Set("Connection", "keep-alive, Upgrade")
				req.Header.Set("Upgrade", "websocket")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			gotGzip := rec.Header().Get("Content-Encoding") == "gzip"
			if gotGzip != test.wantGzip {
				t.Fatalf("Content-Encoding = %q; want gzip = %v", rec.Header().Get("Content-Encoding"), test.wantGzip)
			}
			body := rec.Body.Bytes()
			if gotGzip {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				if rec.Body.Len() >= len(page) {
					t.Errorf("gzipped body is %d bytes; want fewer than the page's %d", rec.Body.Len(), len(page))
				}
			}
			if string(body) != page {
				t.Errorf("body differs from what the handler wrote (%d bytes; want %d)", len(body), len(page))
			}
			vary := strings.Join(rec.Header().Values("Vary"), ", ")
			if got := strings.Contains(vary, "Accept-Encoding"); got != test.wantVary {
				t.Errorf("Vary = %q; want Accept-Encoding listed = %v", vary, test.wantVary)
			}
		})
	}
}
