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

// TestMetricsMethodLabel sends requests with made-up methods: they count
// under "other", so that no client can grow the label set.
func TestMetricsMethodLabel(t *testing.T) {
	m := New(func() int { return 0 }, func() int { return 0 })
	r := chi.NewRouter()
	r.Use(m.Middleware)
	r.Get("/metrics", m.Handler().ServeHTTP)
	srv := httptest.NewServer(r)
	defer srv.Close()
	for i := range 50 {
		req, _ := http.NewRequest("X"+strings.Repeat("Y", i), srv.URL+"/nowhere", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `playground_http_requests_total{method="other",route="unmatched",status="405"} 50`; !strings.Contains(string(body), want) &&
		!strings.Contains(string(body), `method="other",route="unmatched",status="404"} 50`) {
		t.Errorf("GET /metrics after 50 made-up methods lacks one \"other\" series of 50; got:\n%s", body)
	}
	if strings.Contains(string(body), `method="XY`) {
		t.Errorf("GET /metrics labels a made-up method")
	}
}
