package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/cost"
)

// limitsTestApp serves an App built from cfg (with a silent logger) on a
// real socket, closed when the test ends.
func limitsTestApp(t *testing.T, cfg Config) (*App, *httptest.Server) {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Routes())
	t.Cleanup(func() {
		a.CloseConnections()
		srv.Close()
	})
	return a, srv
}

// waitUntil polls cond until it holds, failing the test after 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type errorBody struct {
	Error string `json:"error"`
}

func doRequest(t *testing.T, method, url string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return resp, string(b)
}

// TestAPIAnswersAreJSON checks that every /api/ answer, the router's own
// 404 and 405 included, is JSON {"error": ...} (or the result) with
// X-Content-Type-Options: nosniff.
func TestAPIAnswersAreJSON(t *testing.T) {
	_, srv := limitsTestApp(t, Config{})
	for _, test := range []struct {
		name, method, path, body string
		status                   int
		errorHas                 string
	}{
		{"unknown path", "GET", "/api/v1/nothing", "", 404, "no API endpoint"},
		{"unknown version", "GET", "/api/v2/losses", "", 404, "no API endpoint"},
		{"wrong method on a loss", "GET", "/api/v1/losses/MSELoss", "", 405, "allowed: POST"},
		{"wrong method on the list", "DELETE", "/api/v1/losses", "", 405, "allowed: GET"},
		{"unknown loss", "POST", "/api/v1/losses/NoLoss", "{}", 404, "unknown loss"},
		{"bad JSON", "POST", "/api/v1/losses/MSELoss", "{", 400, "invalid JSON"},
		{"a result", "POST", "/api/v1/losses/MSELoss", `{"inputs":{"input":[1],"target":[0]}}`, 200, ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			resp, body := doRequest(t, test.method, srv.URL+test.path, strings.NewReader(test.body))
			if resp.StatusCode != test.status {
				t.Fatalf("status = %d; want %d (body %s)", resp.StatusCode, test.status, body)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", got)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q; want nosniff", got)
			}
			if test.errorHas == "" {
				return
			}
			var eb errorBody
			if err := json.Unmarshal([]byte(body), &eb); err != nil || !strings.Contains(eb.Error, test.errorHas) {
				t.Errorf("body = %s; want JSON {\"error\": ...} containing %q", body, test.errorHas)
			}
		})
	}
}

// failingReader yields some bytes, then an error: a body cut short.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestAPITruncatedBody checks that a body that cannot be read whole is
// the client's problem (400), not the server's (500).
func TestAPITruncatedBody(t *testing.T) {
	a := newTestApp(t)
	for _, test := range []struct {
		name, path string
	}{
		{"loss", "/api/v1/losses/MSELoss"},
		{"question", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse"},
	} {
		t.Run(test.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", test.path, &failingReader{data: `{"inputs":{"input":[1,`, err: io.ErrUnexpectedEOF})
			rec := httptest.NewRecorder()
			a.Routes().ServeHTTP(rec, req)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "could not be read") {
				t.Fatalf("truncated body: status %d, body %s; want 400 naming the unreadable body", rec.Code, rec.Body)
			}
		})
	}
}

// TestFramePolicy checks that only /embed/* pages may be framed by other
// sites, and by the configured ones only when a list is given.
func TestFramePolicy(t *testing.T) {
	for _, test := range []struct {
		name      string
		ancestors []string
		path      string
		want      string
		xfo       string
	}{
		{"catalog", nil, "/", "frame-ancestors 'self'", "SAMEORIGIN"},
		{"loss page", nil, "/losses/mse", "frame-ancestors 'self'", "SAMEORIGIN"},
		{"lesson", nil, "/lessons/mse", "frame-ancestors 'self'", "SAMEORIGIN"},
		{"compare", nil, "/compare/regression", "frame-ancestors 'self'", "SAMEORIGIN"},
		{"error page", nil, "/losses/nothing", "frame-ancestors 'self'", "SAMEORIGIN"},
		{"embed, any site", nil, "/embed/mse", "frame-ancestors *", ""},
		{"embed, listed sites", []string{"https://docs.example.org", "https://b.example"}, "/embed/mse",
			"frame-ancestors 'self' https://docs.example.org https://b.example", ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, srv := limitsTestApp(t, Config{EmbedAncestors: test.ancestors})
			resp, body := doRequest(t, "GET", srv.URL+test.path, nil)
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("GET %s: Content-Type %q, status %d; want a page (body %.200s)", test.path, resp.Header.Get("Content-Type"), resp.StatusCode, body)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.HasSuffix(csp, "; "+test.want) {
				t.Errorf("GET %s: Content-Security-Policy = %q; want it to end with %q", test.path, csp, test.want)
			}
			if got := resp.Header.Get("X-Frame-Options"); got != test.xfo {
				t.Errorf("GET %s: X-Frame-Options = %q; want %q", test.path, got, test.xfo)
			}
		})
	}
}

// TestPagesDoNotEchoLongQueries checks that a page's size does not grow
// with an unbounded query string (the language and theme links repeat it).
func TestPagesDoNotEchoLongQueries(t *testing.T) {
	_, srv := limitsTestApp(t, Config{})
	junk := strings.Repeat("x", 900<<10)
	for _, path := range []string{"/?junk=" + junk, "/losses/mse?junk=" + junk, "/losses/mse?reduction=" + junk, "/compare/regression?junk=" + junk} {
		resp, body := doRequest(t, "GET", srv.URL+path, nil)
		// The page without the junk is the yardstick (the catalog alone is
		// about 250 KiB of typeset formulas); echoing the query even once
		// would add 900 KiB.
		plainPath, _, _ := strings.Cut(path, "?")
		_, plain := doRequest(t, "GET", srv.URL+plainPath, nil)
		if len(body) > len(plain)+100<<10 {
			t.Errorf("GET %.40s… (900 KiB query): %d-byte page (status %d); want at most 100 KiB more than the %d bytes of %s", path, len(body), resp.StatusCode, len(plain), plainPath)
		}
	}
}

// TestBusyAnswers checks that with every compute slot taken and the queue
// full the API answers 503 with Retry-After and a page 503, at once,
// while the WebSocket waits its turn (a typed "busy" error only past its
// queue deadline); and that they compute once a slot is free.
func TestBusyAnswers(t *testing.T) {
	a, srv := limitsTestApp(t, Config{ComputeSlots: 1, ComputeQueue: 1})
	release, err := a.pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Fill the queue with a waiting request (it is answered once the slot
	// is released).
	queued := make(chan int, 1)
	go func() {
		resp, err := http.Post(srv.URL+"/api/v1/losses/MSELoss", "application/json", strings.NewReader(`{"inputs":{"input":[1],"target":[0]}}`))
		if err != nil {
			queued <- 0
			return
		}
		resp.Body.Close()
		queued <- resp.StatusCode
	}()
	waitUntil(t, "a request waits in the queue", func() bool { return a.pool.Waiting() == 1 })

	resp, body := doRequest(t, "POST", srv.URL+"/api/v1/losses/MSELoss", strings.NewReader(`{"inputs":{"input":[1],"target":[0]}}`))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "busy") {
		t.Errorf("API while busy: status %d, Retry-After %q, body %s; want 503 with Retry-After and a JSON error", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	resp, _ = doRequest(t, "GET", srv.URL+"/losses/mse", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("page while busy: status %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Health checks and static files never wait for compute.
	for _, path := range []string{"/healthz", "/metrics"} {
		if resp, _ := doRequest(t, "GET", srv.URL+path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s while busy: status %d; want 200", path, resp.StatusCode)
		}
	}
	// A socket waits its turn in the sockets' fair queue, however full the
	// API's queue is; only a wait past its deadline is answered busy.
	spec, _ := engine.Lookup("MSELoss")
	conn := wsTestDial(t, srv)
	a.compute.queueWait = time.Nanosecond
	wsTestSend(t, conn, wsTestComputeMessage(t, spec, 7, false))
	if r := wsTestRead(t, conn); r.Type != "error" || r.Code != "busy" || r.Retry < 1 || r.ID == nil || *r.ID != 7 {
		t.Errorf("WebSocket past its queue deadline: %v (code %q, retry_after %d); want an error with code busy, retry_after ≥ 1 and id 7", r, r.Code, r.Retry)
	}
	a.compute.queueWait = wsQueueWait
	wsTestSend(t, conn, wsTestComputeMessage(t, spec, 8, false))
	waitUntil(t, "the socket waits behind the API's queued request", func() bool { return a.pool.Waiting() == 2 })

	release()
	if got := <-queued; got != http.StatusOK {
		t.Errorf("queued request after the slot was released: status %d; want 200", got)
	}
	if r := wsTestRead(t, conn); r.Type != "result" || r.ID == nil || *r.ID != 8 {
		t.Errorf("WebSocket once a slot is free: %v; want the result of 8", r)
	}
	_, metricsBody := doRequest(t, "GET", srv.URL+"/metrics", nil)
	if want := `playground_rejections_total{reason="busy"} 3`; !strings.Contains(metricsBody, want) {
		t.Errorf("/metrics lacks %q", want)
	}
}

// TestAPIRateLimit checks the per-address limit of the API: over it, 429
// with Retry-After, in JSON; pages and health checks keep their own.
func TestAPIRateLimit(t *testing.T) {
	_, srv := limitsTestApp(t, Config{APIRatePerMin: 3})
	for i := range 3 {
		if resp, body := doRequest(t, "GET", srv.URL+"/api/v1/losses", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d of 3 allowed: status %d (%.100s); want 200", i+1, resp.StatusCode, body)
		}
	}
	resp, body := doRequest(t, "GET", srv.URL+"/api/v1/losses", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, `"error"`) {
		t.Errorf("request 4 of 3 allowed: status %d, Retry-After %q, body %s; want 429, Retry-After and a JSON error", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if resp, _ := doRequest(t, "GET", srv.URL+"/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz after the API limit: status %d; want 200", resp.StatusCode)
	}
}

// TestWebSocketCaps checks the caps on open WebSockets from one address
// and in all: over them the upgrade is refused (429, 503), and a closed
// connection frees its place.
func TestWebSocketCaps(t *testing.T) {
	for _, test := range []struct {
		name   string
		cfg    Config
		status int
	}{
		{"per address", Config{WSMaxPerAddr: 2}, http.StatusTooManyRequests},
		{"in all", Config{WSMaxConns: 2}, http.StatusServiceUnavailable},
	} {
		t.Run(test.name, func(t *testing.T) {
			a, srv := limitsTestApp(t, test.cfg)
			first := wsTestDial(t, srv)
			wsTestDial(t, srv)
			_, resp, err := websocket.DefaultDialer.Dial(wsTestURL(srv), nil)
			if err == nil || resp == nil || resp.StatusCode != test.status {
				t.Fatalf("third connection: err %v, response %v; want a refused upgrade with status %d", err, resp, test.status)
			}
			first.Close()
			waitUntil(t, "the closed connection frees its place", func() bool {
				a.mu.Lock()
				defer a.mu.Unlock()
				return a.wsOpen == 1
			})
			wsTestDial(t, srv)
		})
	}
}

// TestWebSocketPingsWhileComputingAndCancelsOnClose runs a computation of
// minutes (the MultiLabelMarginLoss request, with the budget
// lifted) over the WebSocket: the server must keep pinging while it runs,
// and stop it once the socket closes.
func TestWebSocketPingsWhileComputingAndCancelsOnClose(t *testing.T) {
	a, srv := limitsTestApp(t, Config{})
	a.compute.budget = cost.Budget{Elements: 1 << 40, Work: 1 << 60, Bytes: 1 << 60}
	a.compute.timeout = time.Hour
	a.ws.pingPeriod = 20 * time.Millisecond

	conn := wsTestDial(t, srv)
	var pings atomic.Int32
	conn.SetPingHandler(func(string) error {
		pings.Add(1)
		return conn.WriteControl(websocket.PongMessage, nil, time.Now().Add(time.Second))
	})
	// The ping handler runs inside reads: keep reading until the socket
	// closes.
	readDone := make(chan error, 1)
	go func() {
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				readDone <- err
				return
			}
		}
	}()
	_, body := attackBody(t, "MultiLabelMarginLoss")
	msg := `{"type":"compute","id":1,"loss":"MultiLabelMarginLoss",` + strings.TrimPrefix(string(body), "{")
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the computation runs", func() bool { return a.pool.Running() == 1 })
	before := pings.Load()
	waitUntil(t, "three pings arrive during the computation", func() bool { return pings.Load() >= before+3 })
	if a.pool.Running() != 1 {
		t.Fatal("the computation ended by itself; the test needs one of minutes")
	}
	conn.Close()
	<-readDone
	waitUntil(t, "the computation stops after its socket closed", func() bool { return a.pool.Running() == 0 })
}

// TestEvaluateDeadline checks the per-request deadline: a computation
// that runs past it stops and answers errComputeTimeout.
func TestEvaluateDeadline(t *testing.T) {
	a := newTestApp(t)
	a.compute.budget = cost.Budget{Elements: 1 << 40, Work: 1 << 60, Bytes: 1 << 60}
	a.compute.timeout = 50 * time.Millisecond
	_, body := attackBody(t, "MultiLabelMarginLoss")
	var req LossRequest
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	spec, _ := engine.Lookup("MultiLabelMarginLoss")
	start := time.Now()
	_, err := a.compute.Evaluate(context.Background(), spec, &req, nil, nil)
	if !errors.Is(err, errComputeTimeout) {
		t.Fatalf("Evaluate past its deadline = %v; want errComputeTimeout", err)
	}
	t.Logf("stopped %v after start (deadline 50 ms)", time.Since(start).Round(time.Millisecond))
}
