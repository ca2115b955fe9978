package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// testTimeout bounds every wait, so that a lost reply fails the test
// instead of hanging it.
const testTimeout = 10 * time.Second

// echoRouter answers "echo" at once, runs "job" as a job answering its
// id, "stream" as a stream of frames until canceled, and panics on
// "panic".
type echoRouter struct{}

func (echoRouter) Route(c *Conn, env Envelope, raw []byte) error {
	var id int64
	if env.ID != nil {
		id = *env.ID
	}
	switch env.Type {
	case "echo":
		c.Reply(raw)
		return nil
	case "job":
		c.Submit(&Job{ID: id, Run: func(ctx context.Context, emit func([]byte) bool) {
			emit(fmt.Appendf(nil, `{"type":"done","id":%d}`, id))
		}})
		return nil
	case "stream":
		c.Submit(&Job{ID: id, Stream: true, Run: func(ctx context.Context, emit func([]byte) bool) {
			for emit(fmt.Appendf(nil, `{"type":"frame","id":%d}`, id)) {
			}
		}})
		return nil
	case "panic":
		panic("boom")
	case "plain":
		return errors.New("not for the client")
	}
	return &Error{Field: "type", Msg: "unknown type " + Quote(env.Type)}
}

type reply struct {
	Type  string  `json:"type"`
	ID    *int64  `json:"id"`
	IDs   []int64 `json:"ids"`
	By    int64   `json:"by"`
	Error string  `json:"error"`
	Field string  `json:"field"`
}

// testServer serves echoRouter connections with hooks; the returned
// function lists the server's connections.
func testServer(t *testing.T, hooks Hooks) (*httptest.Server, func() []*Conn) {
	t.Helper()
	conns := make(chan *Conn, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := New(ws, echoRouter{}, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Hooks: hooks})
		c.Serve()
		conns <- c
	}))
	t.Cleanup(srv.Close)
	var seen []*Conn
	return srv, func() []*Conn {
		for {
			select {
			case c := <-conns:
				seen = append(seen, c)
			default:
				return seen
			}
		}
	}
}

func dial(t *testing.T, srv *httptest.Server) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func send(t *testing.T, ws *websocket.Conn, msg string) {
	t.Helper()
	ws.SetWriteDeadline(time.Now().Add(testTimeout))
	if err := ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, ws *websocket.Conn) reply {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(testTimeout))
	_, msg, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var r reply
	if err := json.Unmarshal(msg, &r); err != nil {
		t.Fatalf("reply %s: %v", msg, err)
	}
	return r
}

func TestEnvelopeErrors(t *testing.T) {
	srv, _ := testServer(t, Hooks{})
	ws := dial(t, srv)
	tests := []struct {
		name, msg string
		wantID    bool
		wantField string
		wantError string
	}{
		{"invalid JSON", `{"type":`, false, "", "invalid JSON"},
		{"not an object", `[1]`, false, "", "expected a JSON object"},
		{"id not an integer", `{"type":"echo","id":"x"}`, false, "", "id: expected an integer"},
		{"unknown type", `{"type":"nope","id":3}`, true, "type", `unknown type "nope"`},
		{"panicking handler", `{"type":"panic","id":4}`, true, "", `internal error handling "panic"`},
		{"internal error", `{"type":"plain","id":5}`, true, "", `internal error handling "plain"`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			send(t, ws, test.msg)
			r := read(t, ws)
			if r.Type != "error" || (r.ID != nil) != test.wantID || r.Field != test.wantField || !strings.Contains(r.Error, test.wantError) {
				t.Errorf("reply to %s = %+v; want an error on field %q containing %q (id: %t)", test.msg, r, test.wantField, test.wantError, test.wantID)
			}
			// The connection stays usable.
			send(t, ws, `{"type":"echo","id":9}`)
			if r := read(t, ws); r.Type != "echo" {
				t.Errorf("reply after the error = %+v; want the echo", r)
			}
		})
	}
}

// TestLatestWins holds the writer before job 1 while jobs 2 to 5 arrive:
// 1 runs, 2 to 4 are superseded together by 5, and 5 runs.
func TestLatestWins(t *testing.T) {
	release := make(chan struct{})
	queued := make(chan int64, 10)
	srv, _ := testServer(t, Hooks{
		Queued: func(id int64) { queued <- id },
		BeforeJob: func(id int64) {
			if id == 1 {
				<-release
			}
		},
	})
	ws := dial(t, srv)
	for id := 1; id <= 5; id++ {
		send(t, ws, fmt.Sprintf(`{"type":"job","id":%d}`, id))
		if got := <-queued; got != int64(id) {
			t.Fatalf("queued %d; want %d", got, id)
		}
	}
	close(release)
	var got []string
	for range 3 {
		r := read(t, ws)
		if r.Type == "superseded" {
			got = append(got, fmt.Sprintf("superseded %v by %d", r.IDs, r.By))
		} else {
			got = append(got, fmt.Sprintf("%s %d", r.Type, *r.ID))
		}
	}
	if want := []string{"done 1", "superseded [2 3 4] by 5", "done 5"}; !slices.Equal(got, want) {
		t.Errorf("replies = %q; want %q", got, want)
	}
}

// TestStreamCanceledByNewer: a newer job cancels a running stream, which
// is answered superseded before the newer job's answer.
func TestStreamCanceledByNewer(t *testing.T) {
	srv, _ := testServer(t, Hooks{})
	ws := dial(t, srv)
	send(t, ws, `{"type":"stream","id":1}`)
	if r := read(t, ws); r.Type != "frame" {
		t.Fatalf("first reply = %+v; want a frame", r)
	}
	send(t, ws, `{"type":"job","id":2}`)
	for {
		r := read(t, ws)
		if r.Type == "frame" {
			continue // frames already on their way
		}
		if r.Type != "superseded" || !slices.Equal(r.IDs, []int64{1}) || r.By != 2 {
			t.Fatalf("reply after the newer job = %+v; want superseded [1] by 2", r)
		}
		break
	}
	if r := read(t, ws); r.Type != "done" || *r.ID != 2 {
		t.Errorf("reply = %+v; want done 2", r)
	}
}

// TestCloseGoingAway: Close sends 1001 and returns once it is written.
func TestCloseGoingAway(t *testing.T) {
	srv, conns := testServer(t, Hooks{})
	ws := dial(t, srv)
	send(t, ws, `{"type":"echo","id":1}`)
	read(t, ws)
	for _, c := range conns() {
		c.Close()
	}
	ws.SetReadDeadline(time.Now().Add(testTimeout))
	_, _, err := ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Errorf("read after Close = %v; want close %d", err, websocket.CloseGoingAway)
	}
}

// TestOutboxLatestWins: the outbox keeps only the newest unwritten
// message of a coalesce key, keeps every other one, and gives up once
// the limit is hit.
func TestOutboxLatestWins(t *testing.T) {
	over := 0
	o := newOutbox(DefaultOutboxLimit, func() { over++ })
	o.Offer([]byte(`mode`), "")
	for i := range 100 {
		o.Offer(fmt.Appendf(nil, "state %d", i), "state")
	}
	o.Offer([]byte(`question`), "")
	o.Offer([]byte(`histogram 1`), "histogram")
	o.Offer([]byte(`histogram 2`), "histogram")
	var got []string
	for _, it := range o.take(nil) {
		got = append(got, string(it.msg))
	}
	if want := []string{"mode", "state 99", "question", "histogram 2"}; !slices.Equal(got, want) {
		t.Errorf("outbox = %q; want %q", got, want)
	}
	if len(o.take(nil)) != 0 {
		t.Error("take left messages behind")
	}
	for i := range DefaultOutboxLimit + 5 {
		o.Offer(fmt.Appendf(nil, "event %d", i), "")
	}
	if over != 1 {
		t.Errorf("onOver ran %d times after the limit; want once", over)
	}
}
