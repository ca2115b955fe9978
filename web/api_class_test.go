package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/class"
)

// These tests serve the class's HTTP side (creation, results, the pages'
// lookups) from an App on a real NATS server; members join through the
// App's hub directly, as the socket layer does.

// classAPITestApp starts an App on natsURL.
func classAPITestApp(t *testing.T, natsURL string, limits class.Limits) (*App, *httptest.Server) {
	t.Helper()
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), NATSURL: natsURL,
		ClassLimits: limits, PublicURL: "https://class.example.edu"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Routes())
	t.Cleanup(func() { a.CloseConnections(); srv.Close(); a.Close() })
	return a, srv
}

func classAPITestNATS(t *testing.T) string {
	t.Helper()
	ns, err := class.EmbeddedServer(true, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	return ns.ClientURL()
}

// classAPIOutbox records a member's messages.
type classAPIOutbox chan []byte

func (o classAPIOutbox) Offer(msg []byte, _ string) {
	select {
	case o <- msg:
	default:
	}
}

// until waits for a message of type typ.
func (o classAPIOutbox) until(t *testing.T, typ string) map[string]any {
	t.Helper()
	deadline := time.After(wsTestTimeout)
	for {
		select {
		case b := <-o:
			var m map[string]any
			json.Unmarshal(b, &m)
			if m["type"] == typ {
				return m
			}
		case <-deadline:
			t.Fatalf("no %s within %v", typ, wsTestTimeout)
		}
	}
}

func classAPIDo(t *testing.T, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

func TestClassCreateOrigin(t *testing.T) {
	_, srv := classAPITestApp(t, classAPITestNATS(t), class.Limits{})
	tests := []struct {
		origin string
		want   int
	}{
		{"", http.StatusCreated},
		{srv.URL, http.StatusCreated},
		{"https://class.example.edu", http.StatusCreated},
		{"http://evil.example", http.StatusForbidden},
		{"null", http.StatusForbidden},
	}
	for _, test := range tests {
		t.Run(test.origin, func(t *testing.T) {
			h := map[string]string{"Content-Type": "text/plain"}
			if test.origin != "" {
				h["Origin"] = test.origin
			}
			if res, body := classAPIDo(t, http.MethodPost, srv.URL+"/api/v1/classes", h); res.StatusCode != test.want {
				t.Errorf("POST /api/v1/classes with Origin %q = %d %s; want %d", test.origin, res.StatusCode, body, test.want)
			}
		})
	}
}

// TestClassCreateRetryAfter: the 429's text says the wait Retry-After
// gives.
func TestClassCreateRetryAfter(t *testing.T) {
	_, srv := classAPITestApp(t, classAPITestNATS(t), class.Limits{CreateEvery: 6 * time.Minute, CreateBurst: 1})
	classAPIDo(t, http.MethodPost, srv.URL+"/api/v1/classes", nil)
	res, body := classAPIDo(t, http.MethodPost, srv.URL+"/api/v1/classes", nil)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second class with a burst of 1 = %d %s; want 429", res.StatusCode, body)
	}
	secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || secs < 350 || secs > 360 {
		t.Fatalf("Retry-After = %q; want about 360", res.Header.Get("Retry-After"))
	}
	if want := fmt.Sprintf("%d minutes", int(math.Ceil(float64(secs)/60))); !strings.Contains(body, want) {
		t.Errorf("429 body = %s; want it to say %q as Retry-After %d does", body, want, secs)
	}
}

// TestClassResultsAPI: the teacher's results as JSON and CSV, 401
// without the token, still there after class_end.
func TestClassResultsAPI(t *testing.T) {
	a, srv := classAPITestApp(t, classAPITestNATS(t), class.Limits{})
	c := classTestCreate(t, srv)
	ctx := context.Background()
	tout := make(classAPIOutbox, 256)
	teacher, err := a.classes.Join(ctx, class.JoinRequest{Code: c.Code, Token: c.TeacherToken, Addr: "10.0.0.1"}, true, tout)
	if err != nil {
		t.Fatal(err)
	}
	defer teacher.Leave()
	sout := make(classAPIOutbox, 256)
	student, err := a.classes.Join(ctx, class.JoinRequest{Code: c.Code, Name: "=Ada", Addr: "10.0.0.2"}, false, sout)
	if err != nil {
		t.Fatal(err)
	}
	defer student.Leave()
	lib, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	l, _ := lib.Get("smooth-l1", "en")
	q := l.Questions[0]
	if err := teacher.Handle(ctx, class.TypeNames, []byte(`{"show":true}`)); err != nil {
		t.Fatal(err)
	}
	if err := teacher.Handle(ctx, class.TypeQuestion, fmt.Appendf(nil, `{"kind":"lesson","slug":"smooth-l1","question":%q}`, q.ID)); err != nil {
		t.Fatal(err)
	}
	qid := sout.until(t, class.TypeQuestion)["qid"].(string)
	if err := student.Handle(ctx, class.TypeAnswer, fmt.Appendf(nil, `{"qid":%q,"choice":%q}`, qid, q.Choices[0].Value)); err != nil {
		t.Fatal(err)
	}
	if err := teacher.Handle(ctx, class.TypeEnd, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	sout.until(t, class.TypeEnded)

	url := srv.URL + "/api/v1/classes/" + c.Code + "/results"
	for _, auth := range []string{"", "Bearer wrong", "Basic " + c.TeacherToken} {
		if res, body := classAPIDo(t, http.MethodGet, url, map[string]string{"Authorization": auth}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("results with Authorization %q = %d %s; want 401", auth, res.StatusCode, body)
		}
	}
	bearer := map[string]string{"Authorization": "Bearer " + c.TeacherToken}
	res, body := classAPIDo(t, http.MethodGet, url, bearer)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("results = %d %s %s; want 200 JSON", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var got class.Results
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Questions) != 1 || got.Questions[0].Total != 1 || got.Questions[0].Answers[0].Name != "=Ada" ||
		got.Questions[0].Answers[0].StudentID != student.StudentID() || got.Questions[0].Prompt == "" {
		t.Errorf("results = %s; want one question with Ada's answer by her student id", body)
	}
	res, body = classAPIDo(t, http.MethodGet, url+"?format=csv", bearer)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("results CSV = %d %s; want 200 text/csv", res.StatusCode, res.Header.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], student.StudentID()) || !strings.Contains(lines[1], "'=Ada") {
		t.Errorf("CSV = %q; want a header and Ada's row (her name kept from being a formula)", body)
	}
	if res, _ := classAPIDo(t, http.MethodGet, url+"?format=xml", bearer); res.StatusCode != http.StatusBadRequest {
		t.Errorf("format=xml = %d; want 400", res.StatusCode)
	}
}

// TestClassNATSOutage: with -nats, a NATS outage answers 503 at once on
// every class route, loss pages keep working, and classes work again
// once NATS is back, without a restart.
func TestClassNATSOutage(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ns, err := class.EmbeddedServerOn(port, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, srv := classAPITestApp(t, ns.ClientURL(), class.Limits{})
	c := classTestCreate(t, srv)
	ns.Shutdown()
	ns.WaitForShutdown()
	// The client notices the closed connection: wait until it answers
	// 503, then check every class route does.
	deadline := time.Now().Add(wsTestTimeout)
	for {
		res, _ := classAPIDo(t, http.MethodPost, srv.URL+"/api/v1/classes", nil)
		if res.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if res.StatusCode != http.StatusCreated || time.Now().After(deadline) {
			t.Fatalf("POST /api/v1/classes during the outage = %d; want 503", res.StatusCode)
		}
		time.Sleep(20 * time.Millisecond) // polling the client's view of the connection
	}
	for _, path := range []string{"/api/v1/classes/" + c.Code + "/results", "/join?code=" + c.Code, "/c/" + c.Code, "/c/" + c.Code + "/teach"} {
		h := map[string]string{"Authorization": "Bearer " + c.TeacherToken}
		if res, body := classAPIDo(t, http.MethodGet, srv.URL+path, h); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("GET %s during the outage = %d %.200s; want 503", path, res.StatusCode, body)
		}
	}
	if res, _ := classAPIDo(t, http.MethodGet, srv.URL+"/losses/smooth-l1", nil); res.StatusCode != http.StatusOK {
		t.Errorf("a loss page during the outage = %d; want 200", res.StatusCode)
	}
	ns2, err := class.EmbeddedServerOn(port, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns2.Shutdown)
	back := time.Now()
	for {
		res, body := classAPIDo(t, http.MethodPost, srv.URL+"/api/v1/classes", nil)
		if res.StatusCode == http.StatusCreated {
			break
		}
		if res.StatusCode != http.StatusServiceUnavailable || time.Since(back) > 30*time.Second {
			t.Fatalf("POST /api/v1/classes after NATS returned = %d %s; want 503 then 201", res.StatusCode, body)
		}
		time.Sleep(20 * time.Millisecond) // polling the reconnect, not timing it
	}
	t.Logf("classes work again %.2f s after NATS returned", time.Since(back).Seconds())
}

// TestClassGuessingPages: once an address spent its wrong-code budget,
// the join page and the class page refuse a live code too.
func TestClassGuessingPages(t *testing.T) {
	_, srv := classAPITestApp(t, classAPITestNATS(t), class.Limits{MissEvery: time.Hour, MissBurst: 2})
	c := classTestCreate(t, srv)
	for i := range 2 {
		if res, _ := classAPIDo(t, http.MethodGet, fmt.Sprintf("%s/join?code=ZZZZZ%d", srv.URL, i+2), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("wrong code %d = %d; want 404", i+1, res.StatusCode)
		}
	}
	for _, path := range []string{"/join?code=" + c.Code, "/c/" + c.Code} {
		if res, body := classAPIDo(t, http.MethodGet, srv.URL+path, nil); res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "60 minutes") {
			t.Errorf("GET %s over the budget = %d; want 429 saying when to try again", path, res.StatusCode)
		}
	}
}

func TestClassCheckPage(t *testing.T) {
	tests := []struct {
		loss, query, field string
	}{
		{"SmoothL1Loss", "beta=0.5&element=1", ""},
		{"SmoothL1Loss", "", ""},
		{"SmoothL1Loss", "look=here", "query"},
		{"SmoothL1Loss", "beta=abc", "query"},
		{"SmoothL1Loss", "beta=-1", "query"},
		{"SmoothL1Loss", "%zz", "query"},
		{"NoSuchLoss", "", "loss"},
	}
	for _, test := range tests {
		t.Run(test.loss+"?"+test.query, func(t *testing.T) {
			err := classCheckPage(test.loss, test.query)
			var ce *class.Error
			switch {
			case test.field == "" && err != nil:
				t.Errorf("classCheckPage(%q, %q) = %v; want nil", test.loss, test.query, err)
			case test.field != "" && (!errors.As(err, &ce) || ce.Field != test.field):
				t.Errorf("classCheckPage(%q, %q) = %v; want an error on %s", test.loss, test.query, err, test.field)
			}
		})
	}
}

// TestClassProtocolDocResults checks that docs/protocol.md documents the
// class's end and its results.
func TestClassProtocolDocResults(t *testing.T) {
	doc, err := os.ReadFile(wsDocPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**" + class.TypeEnd + "**", "**" + class.TypeEnded + "**", "GET /api/v1/classes/{code}/results",
		"`resume`", "`student_id`", "-nats-creds"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("%s does not document %s", wsDocPath, want)
		}
	}
}

// TestClassEmbeddedTempDir: the embedded NATS server (no -nats) serves
// classes, and its store directory is gone once the App closes.
func TestClassEmbeddedTempDir(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Routes())
	classTestCreate(t, srv)
	dirs, _ := filepath.Glob(filepath.Join(tmp, "lossplayground-nats-*"))
	if len(dirs) != 1 {
		t.Errorf("%d lossplayground-nats-* directories while the App runs; want 1", len(dirs))
	}
	srv.Close()
	a.Close()
	if dirs, _ := filepath.Glob(filepath.Join(tmp, "lossplayground-nats-*")); len(dirs) != 0 {
		t.Errorf("after Close, %v remain; want none", dirs)
	}
}
