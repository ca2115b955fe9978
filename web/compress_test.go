package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/engine"
)

// TestResponsesGzipped asks a real server for pages and JSON with and
// without gzip: compressible answers come gzipped only when accepted, and
// the WebSocket still opens and computes when the browser offers gzip on
// its upgrade request (as Chromium does).
func TestResponsesGzipped(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	tests := []struct {
		name, method, path, body, accept string
		wantGzip                         bool
		wantType                         string
	}{
		{"catalog", "GET", "/", "", "gzip, deflate, br", true, "text/html"},
		{"loss page", "GET", "/losses/mse", "", "gzip", true, "text/html"},
		{"lesson", "GET", "/lessons/mse", "", "gzip", true, "text/html"},
		{"loss page without gzip", "GET", "/losses/mse", "", "", false, "text/html"},
		{"loss page, gzip refused", "GET", "/losses/mse", "", "gzip;q=0", false, "text/html"},
		{"API list", "GET", "/api/v1/losses", "", "gzip", true, "application/json"},
		{"API compute", "POST", "/api/v1/losses/MSELoss", `{"inputs":{"input":[1,2],"target":[0,0]}}`, "gzip", true, "application/json"},
		{"not found page", "GET", "/no/such/page", "", "gzip", true, "text/html"},
		{"favicon", "GET", "/favicon.ico", "", "gzip", true, "image/svg+xml"},
		{"favicon without gzip", "GET", "/favicon.ico", "", "", false, "image/svg+xml"},
	}
	// A transport that does not add or strip Accept-Encoding itself.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			req, err := http.NewRequest(test.method, srv.URL+test.path, strings.NewReader(test.body))
			if err != nil {
				t.Fatal(err)
			}
			if test.accept != "" {
				req.Header.Set("Accept-Encoding", test.accept)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, test.wantType) {
				t.Errorf("Content-Type = %q; want %s", got, test.wantType)
			}
			gotGzip := res.Header.Get("Content-Encoding") == "gzip"
			if gotGzip != test.wantGzip {
				t.Fatalf("%s %s with Accept-Encoding %q: gzipped = %v; want %v", test.method, test.path, test.accept, gotGzip, test.wantGzip)
			}
			var body io.Reader = res.Body
			if gotGzip {
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = zr
			}
			b, err := io.ReadAll(body)
			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			if len(b) == 0 {
				t.Error("empty body")
			}
		})
	}

	t.Run("websocket upgrade offering gzip", func(t *testing.T) {
		h := http.Header{"Accept-Encoding": {"gzip, deflate, br"}}
		conn, resp, err := websocket.DefaultDialer.Dial(wsTestURL(srv), h)
		if err != nil {
			t.Fatalf("dial with Accept-Encoding gzip: %v (response %v)", err, resp)
		}
		defer conn.Close()
		if enc := resp.Header.Get("Content-Encoding"); enc != "" {
			t.Errorf("upgrade response Content-Encoding = %q; want none", enc)
		}
		spec, _ := engine.Lookup("MSELoss")
		wsTestSend(t, conn, wsTestComputeMessage(t, spec, 1, false))
		wsTestWantResult(t, wsTestRead(t, conn), 1)
	})
}
