package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

func TestMetrics(t *testing.T) {
	m := New(func() int { return 3 }, func() int { return 2 })
	r := chi.NewRouter()
	r.Use(m.Middleware)
	r.Get("/things/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	r.Get("/metrics", m.Handler().ServeHTTP)
	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, path := range []string{"/things/1", "/things/2", "/nowhere"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
	}
	m.ObserveCompute("MSELoss", 2*time.Millisecond)
	m.Reject(ReasonBusy)
	m.WebSocketOpened()
	m.WebSocketOpened()
	m.WebSocketClosed()

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`playground_http_requests_total{method="GET",route="/things/{id}",status="418"} 2`,
		`playground_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`playground_http_request_duration_seconds_count{route="/things/{id}",status="418"} 2`,
		`playground_compute_duration_seconds_count{loss="MSELoss"} 1`,
		`playground_rejections_total{reason="busy"} 1`,
		`playground_rejections_total{reason="budget"} 0`,
		`playground_compute_queue_depth 3`,
		`playground_compute_running 2`,
		`playground_websockets_open 1`,
		`playground_http_requests_in_flight 1`, // the scrape itself
		`process_cpu_seconds_total`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("GET /metrics lacks %q; got:\n%s", want, body)
		}
	}
}
