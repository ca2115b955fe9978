package class

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// The package's tests run a real NATS server with JetStream embedded in
// the test process on a loopback port, and one or more hubs (replicas)
// connected to it by URL, as -nats replicas are. Members are driven
// through Hub.Join and Member.Handle, the calls a socket makes, with an
// outbox that records what a socket would write.

const testTimeout = 15 * time.Second

func testServer(t *testing.T) *server.Server {
	t.Helper()
	ns, err := EmbeddedServer(true, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		start := time.Now()
		ns.Shutdown()
		ns.WaitForShutdown()
		if d := time.Since(start); d > time.Second {
			t.Logf("nats shutdown took %v", d)
		}
	})
	return ns
}

// testComputer computes a drive without the engine: the loss is the
// "beta" parameter (a tensor with reduction "none"), and "pad" adds that
// many bytes of detail, as a large input does.
func testComputer() Computer {
	return func(ctx context.Context, d *Drive) (*Computed, error) {
		var beta float64
		if raw, ok := d.Params["beta"]; ok {
			if err := json.Unmarshal(raw, &beta); err != nil {
				return nil, errorf("beta", "not a number")
			}
		}
		loss := strconv.FormatFloat(beta, 'g', -1, 64)
		if string(d.Params["reduction"]) == `"none"` {
			loss = "[" + loss + "," + loss + "]"
		}
		var pad int
		if raw, ok := d.Params["pad"]; ok {
			json.Unmarshal(raw, &pad)
		}
		res := `{"loss":` + loss + `,"grads":{}`
		if pad > 0 {
			res += `,"detail":"` + strings.Repeat("x", pad) + `"`
		}
		res += "}"
		return &Computed{Slug: "smooth-l1", Result: json.RawMessage(res), Reply: json.RawMessage(`{"type":"result"}`)}, nil
	}
}

func testHub(t *testing.T, url string, limits Limits) *Hub {
	t.Helper()
	h := NewHub(Options{Log: slog.New(slog.NewTextHandler(testLog, nil)), NATSURL: url, Limits: limits,
		NewComputer: testComputer,
		CheckPage: func(loss, query string) error {
			if strings.Contains(query, "look=") {
				return errorf("query", "look: unknown query parameter for %s", loss)
			}
			return nil
		}})
	t.Cleanup(func() {
		start := time.Now()
		h.Close()
		if d := time.Since(start); d > time.Second {
			t.Logf("hub close took %v", d)
		}
	})
	return h
}

// msg is any class message, decoded loosely.
type msg struct {
	Type      string          `json:"type"`
	ID        *int64          `json:"id"`
	Error     string          `json:"error"`
	Field     string          `json:"field"`
	Role      string          `json:"role"`
	Name      string          `json:"name"`
	StudentID string          `json:"student_id"`
	Resume    string          `json:"resume"`
	Seq       int64           `json:"seq"`
	QID       string          `json:"qid"`
	Prompt    string          `json:"prompt"`
	Total     int             `json:"total"`
	Students  int             `json:"students"`
	Answered  int             `json:"answered"`
	Reason    string          `json:"reason"`
	Answer    string          `json:"answer"`
	Number    *float64        `json:"number"`
	Choice    string          `json:"choice"`
	Result    json.RawMessage `json:"result"`
	Bins      []struct {
		Label   string   `json:"label"`
		Count   int      `json:"count"`
		Names   []string `json:"names"`
		Correct bool     `json:"correct"`
	} `json:"bins"`
	raw []byte
}

// outbox records a member's messages, as its socket would write them.
type outbox struct {
	t  *testing.T
	ch chan []byte
}

func newOutbox(t *testing.T) *outbox { return &outbox{t: t, ch: make(chan []byte, 1<<14)} }

func (o *outbox) Offer(m []byte, _ string) {
	select {
	case o.ch <- m:
	default:
		o.t.Errorf("outbox full")
	}
}

// until reads messages until one satisfies ok.
func (o *outbox) until(what string, ok func(msg) bool) msg {
	o.t.Helper()
	deadline := time.After(testTimeout)
	for {
		select {
		case b := <-o.ch:
			var m msg
			if err := json.Unmarshal(b, &m); err != nil {
				o.t.Fatalf("decode %.200s: %v", b, err)
			}
			m.raw = b
			if ok(m) {
				return m
			}
		case <-deadline:
			o.t.Fatalf("no %s within %v", what, testTimeout)
			return msg{}
		}
	}
}

func (o *outbox) untilType(typ string) msg {
	o.t.Helper()
	return o.until(typ, func(m msg) bool { return m.Type == typ })
}

// member is a joined member with its outbox.
type member struct {
	*Member
	out *outbox
}

func join(t *testing.T, h *Hub, req JoinRequest, teacher bool) member {
	t.Helper()
	out := newOutbox(t)
	if req.Addr == "" {
		req.Addr = "10.0.0.1"
	}
	m, err := h.Join(context.Background(), req, teacher, out)
	if err != nil {
		t.Fatalf("Join(%+v) = %v", req, err)
	}
	t.Cleanup(func() {
		start := time.Now()
		m.Leave()
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Logf("leave took %v", d)
		}
	})
	out.untilType(TypeJoined)
	return member{m, out}
}

// send handles one message and returns its refusal, if any.
func (m member) send(format string, args ...any) error {
	raw := fmt.Sprintf(format, args...)
	var env struct {
		Type string `json:"type"`
	}
	json.Unmarshal([]byte(raw), &env)
	return m.Handle(context.Background(), env.Type, []byte(raw))
}

func (m member) must(t *testing.T, format string, args ...any) {
	t.Helper()
	if err := m.send(format, args...); err != nil {
		t.Fatalf("%s = %v", fmt.Sprintf(format, args...), err)
	}
}

// newClass creates a class on h and joins its teacher.
func newClass(t *testing.T, h *Hub) (code string, teacher member, token string) {
	t.Helper()
	code, token, err := h.Create(context.Background(), fmt.Sprint("10.8.0.", classes.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	return code, join(t, h, JoinRequest{Code: code, Token: token}, true), token
}

// drive puts a state with loss beta on every screen and waits for it.
func drive(t *testing.T, teacher member, beta float64, extra string) msg {
	t.Helper()
	teacher.must(t, `{"type":"class_drive","id":1,"loss":"SmoothL1Loss","params":{"beta":%g%s},"query":"beta=%g"}`, beta, extra, beta)
	return teacher.out.until("the state", func(m msg) bool { return m.Type == TypeState || m.Type == TypeError })
}

// waitFor polls cond until it holds: the condition is the bus's, not a
// duration.
func waitFor(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("%s: not within 30 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// classes numbers the classes tests create, each from its own address.
var classes atomic.Int32

var testLog io.Writer = io.Discard
