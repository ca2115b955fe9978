package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/templates"
)

// wsTestTimeout bounds every wait in these tests, so that a lost reply
// fails the test instead of hanging it.
const wsTestTimeout = 10 * time.Second

// wsReply is any server message, decoded loosely.
type wsReply struct {
	Type   string                     `json:"type"`
	ID     *int64                     `json:"id"`
	IDs    []int64                    `json:"ids"`
	By     int64                      `json:"by"`
	Error  string                     `json:"error"`
	Field  string                     `json:"field"`
	Loss   json.RawMessage            `json:"loss"`
	Grads  map[string]json.RawMessage `json:"grads"`
	Detail map[string]json.RawMessage `json:"detail"`
	Charts map[string]json.RawMessage `json:"charts"`
	Panel  *templates.Result          `json:"panel"`
	Code   string                     `json:"code"`
	Retry  int                        `json:"retry_after"`
}

func (r wsReply) String() string {
	id := "null"
	if r.ID != nil {
		id = fmt.Sprint(*r.ID)
	}
	return fmt.Sprintf("{type %s, id %s, error %q}", r.Type, id, r.Error)
}

// wsTestApp returns an app with the given extra origins and test hooks,
// served by an httptest server that is closed when the test ends.
func wsTestApp(t *testing.T, origins []string, hooks wsHooks) (*App, *httptest.Server) {
	t.Helper()
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WSOrigins: origins})
	if err != nil {
		t.Fatal(err)
	}
	a.ws.hooks = hooks
	srv := httptest.NewServer(a.Routes())
	t.Cleanup(func() {
		a.CloseConnections()
		srv.Close()
	})
	return a, srv
}

func wsTestURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
}

// wsTestDial opens a client connection, closed when the test ends.
func wsTestDial(t *testing.T, srv *httptest.Server) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(wsTestURL(srv), nil)
	if err != nil {
		t.Fatalf("dial %s: %v (response %v)", wsTestURL(srv), err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func wsTestSend(t *testing.T, conn *websocket.Conn, msg string) {
	t.Helper()
	conn.SetWriteDeadline(time.Now().Add(wsTestTimeout))
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatalf("write %s: %v", msg, err)
	}
}

func wsTestRead(t *testing.T, conn *websocket.Conn) wsReply {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
	kind, msg, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if kind != websocket.TextMessage {
		t.Fatalf("read message kind %d; want text", kind)
	}
	var r wsReply
	if err := json.Unmarshal(msg, &r); err != nil {
		t.Fatalf("reply %s is not JSON: %v", msg, err)
	}
	return r
}

// wsTestComputeMessage is a compute message for a loss's examples.
func wsTestComputeMessage(t testing.TB, spec *engine.Spec, id int, detail bool) string {
	return fmt.Sprintf(`{"type":"compute","id":%d,"loss":%q,"params":{},"inputs":%s,"detail":%t,"view":{"element":0}}`,
		id, spec.Name, apiTestExampleInputs(t, spec), detail)
}

func wsTestWantResult(t *testing.T, r wsReply, id int64) {
	t.Helper()
	if r.Type != "result" || r.ID == nil || *r.ID != id {
		t.Fatalf("reply = %v; want result for id %d", r, id)
	}
}

func TestWSComputeEveryLoss(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	for i, spec := range engine.All() {
		for _, detail := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/detail=%t", spec.Name, detail), func(t *testing.T) {
				id := int64(2*i + 1)
				if detail {
					id++
				}
				wsTestSend(t, conn, wsTestComputeMessage(t, spec, int(id), detail))
				r := wsTestRead(t, conn)
				wsTestWantResult(t, r, id)

				// The numbers are the loss API's.
				body := fmt.Sprintf(`{"inputs":%s,"detail":%t}`, apiTestExampleInputs(t, spec), detail)
				resp, err := http.Post(srv.URL+"/api/v1/losses/"+spec.Name, "application/json", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var api wsReply
				if err := json.NewDecoder(resp.Body).Decode(&api); err != nil {
					t.Fatal(err)
				}
				if got, want := string(r.Loss), string(api.Loss); got != want {
					t.Errorf("ws loss = %s; want the API's %s", got, want)
				}
				for name, g := range api.Grads {
					if got, want := string(r.Grads[name]), string(g); got != want {
						t.Errorf("ws grads[%s] = %s; want the API's %s", name, got, want)
					}
				}
				if got, want := len(r.Grads), len(api.Grads); got != want {
					t.Errorf("ws has %d grads; want the API's %d", got, want)
				}
				if got, want := r.Detail != nil, detail; got != want {
					t.Errorf("ws reply has detail = %t; want %t", got, want)
				}
				if r.Charts == nil {
					t.Errorf("ws reply has no charts object; want one when the message has a view")
				}
			})
		}
	}
}

func TestWSNoViewNoCharts(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	wsTestSend(t, conn, `{"type":"compute","id":3,"loss":"MSELoss","inputs":{"input":[1,2],"target":[0,0]}}`)
	r := wsTestRead(t, conn)
	wsTestWantResult(t, r, 3)
	if got, want := string(r.Loss), "2.5"; got != want {
		t.Errorf("MSELoss([1,2],[0,0]) = %s; want %s", got, want)
	}
	if r.Charts != nil {
		t.Errorf("charts = %v; want none without a view", r.Charts)
	}
}

func TestWSPing(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	wsTestSend(t, conn, `{"type":"ping","id":42}`)
	r := wsTestRead(t, conn)
	if r.Type != "pong" || r.ID == nil || *r.ID != 42 {
		t.Errorf("ping reply = %v; want pong with id 42", r)
	}
}

func TestWSBadMessages(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	tests := []struct {
		name      string
		msg       string
		binary    bool
		wantID    *int64 // nil: the reply's id is null
		wantField string
		wantError string // a substring of the message
	}{
		{name: "invalid JSON", msg: `{"type":"compute","id":1,`, wantError: "invalid JSON"},
		{name: "not an object", msg: `[1,2]`, wantError: "expected a JSON object"},
		{name: "empty", msg: ``, wantError: "empty"},
		{name: "binary", msg: `{}`, binary: true, wantError: "JSON text"},
		{name: "unknown field", msg: `{"type":"compute","id":2,"loss":"MSELoss","colour":1}`, wantID: wsTestInt64(2), wantError: `"colour"`},
		{name: "id not an integer", msg: `{"type":"compute","id":"x"}`, wantError: "id: expected an integer"},
		{name: "missing type", msg: `{"id":3}`, wantID: wsTestInt64(3), wantField: "type", wantError: "type: missing"},
		{name: "unknown type", msg: `{"type":"explode","id":4}`, wantID: wsTestInt64(4), wantField: "type", wantError: `unknown message type "explode"`},
		{name: "missing loss", msg: `{"type":"compute","id":5}`, wantID: wsTestInt64(5), wantField: "loss", wantError: "loss: missing"},
		{name: "unknown loss", msg: `{"type":"compute","id":6,"loss":"NoSuchLoss"}`, wantID: wsTestInt64(6), wantField: "loss", wantError: `unknown loss "NoSuchLoss"`},
		{name: "unknown parameter", msg: `{"type":"compute","id":7,"loss":"MSELoss","params":{"margin":1},"inputs":{"input":[1],"target":[1]}}`,
			wantID: wsTestInt64(7), wantField: "params.margin", wantError: "unknown parameter"},
		{name: "bad enum", msg: `{"type":"compute","id":8,"loss":"MSELoss","params":{"reduction":"avg"},"inputs":{"input":[1],"target":[1]}}`,
			wantID: wsTestInt64(8), wantField: "params.reduction", wantError: `"avg" is not a valid value`},
		{name: "params not an object", msg: `{"type":"compute","id":9,"loss":"MSELoss","params":[1]}`, wantID: wsTestInt64(9), wantError: "params: expected an object"},
		{name: "missing input", msg: `{"type":"compute","id":10,"loss":"MSELoss","inputs":{"input":[1]}}`,
			wantID: wsTestInt64(10), wantField: "target", wantError: "missing input"},
		{name: "ragged input", msg: `{"type":"compute","id":11,"loss":"L1Loss","inputs":{"input":[[1,2],[3]],"target":[1]}}`,
			wantID: wsTestInt64(11), wantField: "input", wantError: "ragged"},
		{name: "shape mismatch", msg: `{"type":"compute","id":12,"loss":"L1Loss","inputs":{"input":[1,2,3],"target":[1,2]}}`,
			wantID: wsTestInt64(12), wantField: "target", wantError: "does not broadcast"},
		{name: "negative element", msg: `{"type":"compute","id":13,"loss":"L1Loss","inputs":{"input":[1],"target":[1]},"view":{"element":-1}}`,
			wantID: wsTestInt64(13), wantField: "view.element", wantError: "non-negative"},
		{name: "bad theme", msg: `{"type":"compute","id":14,"loss":"L1Loss","inputs":{"input":[1],"target":[1]},"view":{"theme":"pink"}}`,
			wantID: wsTestInt64(14), wantField: "view.theme", wantError: `"pink"`},
		{name: "too large a broadcast", msg: `{"type":"compute","id":15,"loss":"L1Loss","inputs":{"input":` + apiTestColumn(2000) + `,"target":[` + apiTestRow(2000) + `]}}`,
			wantID: wsTestInt64(15), wantField: "target", wantError: "more than"},
	}
	for i, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			kind := websocket.TextMessage
			if test.binary {
				kind = websocket.BinaryMessage
			}
			if err := conn.WriteMessage(kind, []byte(test.msg)); err != nil {
				t.Fatal(err)
			}
			r := wsTestRead(t, conn)
			if r.Type != "error" {
				t.Fatalf("reply to %s = %v; want an error", test.msg, r)
			}
			if (r.ID == nil) != (test.wantID == nil) || (r.ID != nil && *r.ID != *test.wantID) {
				t.Errorf("error id = %v; want %v", r, test.wantID)
			}
			if got, want := r.Field, test.wantField; want != "" && got != want {
				t.Errorf("error field = %q; want %q", got, want)
			}
			if !strings.Contains(r.Error, test.wantError) {
				t.Errorf("error = %q; want it to contain %q", r.Error, test.wantError)
			}
			// The connection stays usable.
			id := int64(1000 + i)
			wsTestSend(t, conn, fmt.Sprintf(`{"type":"compute","id":%d,"loss":"L1Loss","inputs":{"input":[1],"target":[3]}}`, id))
			r = wsTestRead(t, conn)
			wsTestWantResult(t, r, id)
			if got, want := string(r.Loss), "2"; got != want {
				t.Errorf("L1Loss([1],[3]) after an error = %s; want %s", got, want)
			}
		})
	}
}

func wsTestInt64(v int64) *int64 { return &v }

// TestWSLatestWins holds the writer inside the computation of message 1
// while messages 2 to 5 arrive: only 5 is computed, and 2, 3 and 4 are
// answered together as superseded by 5.
func TestWSLatestWins(t *testing.T) {
	computing := make(chan int64, 10)
	release := make(chan struct{})
	queued := make(chan int64, 10)
	hooks := wsHooks{
		BeforeJob: func(id int64) {
			computing <- id
			if id == 1 {
				<-release
			}
		},
		Queued: func(id int64) { queued <- id },
	}
	_, srv := wsTestApp(t, nil, hooks)
	conn := wsTestDial(t, srv)
	msg := func(id int) string {
		return fmt.Sprintf(`{"type":"compute","id":%d,"loss":"MSELoss","inputs":{"input":[%d],"target":[0]}}`, id, id)
	}
	waitFor := func(ch chan int64, want int64) {
		t.Helper()
		select {
		case got := <-ch:
			if got != want {
				t.Fatalf("hook saw id %d; want %d", got, want)
			}
		case <-time.After(wsTestTimeout):
			t.Fatalf("hook never saw id %d", want)
		}
	}
	wsTestSend(t, conn, msg(1))
	waitFor(queued, 1)
	waitFor(computing, 1)
	for id := 2; id <= 5; id++ {
		wsTestSend(t, conn, msg(id))
		waitFor(queued, int64(id))
	}
	close(release)

	want := []string{"result 1", "superseded [2 3 4] by 5", "result 5"}
	var got []string
	for range want {
		r := wsTestRead(t, conn)
		switch r.Type {
		case "result":
			got = append(got, fmt.Sprintf("result %d", *r.ID))
		case "superseded":
			got = append(got, fmt.Sprintf("superseded %v by %d", r.IDs, r.By))
		default:
			got = append(got, r.String())
		}
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("replies = %q; want %q", got, want)
	}
	waitFor(computing, 5)
	select {
	case id := <-computing:
		t.Errorf("computed id %d; want nothing after 5", id)
	default:
	}
	// Nothing else was queued: the next reply answers the next message.
	wsTestSend(t, conn, `{"type":"ping","id":6}`)
	if r := wsTestRead(t, conn); r.Type != "pong" || *r.ID != 6 {
		t.Errorf("reply after the burst = %v; want pong 6", r)
	}
}

func TestWSOrigin(t *testing.T) {
	_, srv := wsTestApp(t, []string{"https://docs.example.org"}, wsHooks{})
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name   string
		origin string
		want   int
	}{
		{"no origin", "", http.StatusSwitchingProtocols},
		{"same host", "http://" + host, http.StatusSwitchingProtocols},
		{"same host, other case", "HTTP://" + strings.ToUpper(host), http.StatusSwitchingProtocols},
		{"configured origin", "https://docs.example.org", http.StatusSwitchingProtocols},
		{"other port", "http://127.0.0.1:1", http.StatusForbidden},
		{"other site", "https://evil.example", http.StatusForbidden},
		{"configured host, other scheme", "http://docs.example.org", http.StatusForbidden},
		{"malformed", "::nonsense", http.StatusForbidden},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			h := http.Header{}
			if test.origin != "" {
				h.Set("Origin", test.origin)
			}
			conn, resp, err := websocket.DefaultDialer.Dial(wsTestURL(srv), h)
			if conn != nil {
				conn.Close()
			}
			if resp == nil {
				t.Fatalf("dial with Origin %q: no response (%v)", test.origin, err)
			}
			if got := resp.StatusCode; got != test.want {
				t.Errorf("dial with Origin %q: status %d; want %d", test.origin, got, test.want)
			}
		})
	}
}

func TestWSReadLimit(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	tests := []struct {
		name      string
		size      int
		wantClose bool
	}{
		{"at the limit", wsMaxMessageBytes, false},
		{"over the limit", wsMaxMessageBytes + 1, true},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			conn := wsTestDial(t, srv)
			// A JSON string padded to the size: a valid message whose
			// content is wrong, so that under the limit it gets an error.
			msg := []byte(`{"type":"` + strings.Repeat("x", test.size-11) + `"}`)
			if len(msg) != test.size {
				t.Fatalf("message is %d bytes; want %d", len(msg), test.size)
			}
			if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
			_, reply, err := conn.ReadMessage()
			var ce *websocket.CloseError
			if test.wantClose {
				if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
					t.Errorf("read after %d bytes = %q, %v; want close %d", test.size, reply, err, websocket.CloseMessageTooBig)
				}
				return
			}
			if err != nil || !bytes.Contains(reply, []byte(`"type":"error"`)) {
				t.Errorf("read after %d bytes = %.80q, %v; want an error reply", test.size, reply, err)
			}
		})
	}
}

func TestWSShutdown(t *testing.T) {
	a, srv := wsTestApp(t, nil, wsHooks{})
	conns := []*websocket.Conn{wsTestDial(t, srv), wsTestDial(t, srv)}
	// Both connections are live.
	for i, conn := range conns {
		wsTestSend(t, conn, fmt.Sprintf(`{"type":"ping","id":%d}`, i))
		wsTestRead(t, conn)
	}
	a.CloseConnections()
	wantGoingAway := func(conn *websocket.Conn) {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
		_, msg, err := conn.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
			t.Errorf("read after shutdown = %q, %v; want close %d", msg, err, websocket.CloseGoingAway)
		}
	}
	for _, conn := range conns {
		wantGoingAway(conn)
	}
	// A connection opened during shutdown is closed at once.
	wantGoingAway(wsTestDial(t, srv))

	deadline := time.Now().Add(wsTestTimeout)
	for {
		a.mu.Lock()
		n := len(a.conns)
		a.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still tracked after shutdown; want 0", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWSComputePanic proves that a loss that panics gets an error reply
// instead of taking the server down.
func TestWSComputePanic(t *testing.T) {
	spec := &engine.Spec{
		Name:    "PanickyLoss",
		Compute: func(*engine.Call, *engine.Result) error { panic("boom") },
	}
	comp := testWSComputer()
	m := &wsComputeMessage{Loss: spec.Name, spec: spec}
	var r wsReply
	if err := json.Unmarshal(comp.reply(context.Background(), 9, m), &r); err != nil {
		t.Fatal(err)
	}
	if r.Type != "error" || r.ID == nil || *r.ID != 9 || !strings.Contains(r.Error, "internal error computing PanickyLoss") {
		t.Errorf("reply to a panicking loss = %v; want an internal error for id 9", r)
	}
}

var wsUpdateProtocolDoc = flag.Bool("update-protocol-doc", false, "regenerate the detail-fields section of docs/protocol.md from the registry")

const (
	wsDocPath      = "../docs/protocol.md"
	wsDocBeginMark = "<!-- BEGIN detail-fields (generated; do not edit) -->\n"
	wsDocEndMarker = "<!-- END detail-fields -->\n"
)

// wsDetailFieldsDoc is the generated section of docs/protocol.md: every
// registered loss's DetailFields.
func wsDetailFieldsDoc() string {
	var b strings.Builder
	for _, spec := range engine.All() {
		fmt.Fprintf(&b, "\n### %s\n\n| field | meaning |\n| --- | --- |\n", spec.Name)
		fields := maps.Clone(spec.DetailFields)
		if fields == nil {
			fields = map[string]string{}
		}
		if _, ok := fields["elements"]; !ok {
			fields["elements"] = "the unreduced terms (what reduction=\"none\" returns)"
		}
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			doc := strings.ReplaceAll(strings.Join(strings.Fields(fields[k]), " "), "|", `\|`)
			fmt.Fprintf(&b, "| `%s` | %s |\n", k, doc)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// TestProtocolDoc checks that docs/protocol.md documents every registered
// loss's detail fields, in the section generated by -update-protocol-doc.
func TestProtocolDoc(t *testing.T) {
	doc, err := os.ReadFile(wsDocPath)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), wsDocBeginMark)
	section, after, ok2 := strings.Cut(rest, wsDocEndMarker)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the markers %q and %q", wsDocPath, wsDocBeginMark, wsDocEndMarker)
	}
	want := wsDetailFieldsDoc()
	if *wsUpdateProtocolDoc {
		if err := os.WriteFile(wsDocPath, []byte(before+wsDocBeginMark+want+wsDocEndMarker+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if section != want {
		t.Errorf("the detail-fields section of %s is out of date with the registry; run\n\tgo test ./web -run TestProtocolDoc -update-protocol-doc\nand review the diff", wsDocPath)
	}
	// The hand-written part documents every message type the server sends.
	for _, typ := range []string{wsTypeResult, wsTypeError, wsTypeSuperseded, wsTypePong, wsTypeCompute, wsTypePing} {
		if !strings.Contains(before, "**"+typ+"**") {
			t.Errorf("%s does not document message type %q", wsDocPath, typ)
		}
	}
}

// TestWSSlowClient holds the writer inside a computation while the client
// keeps sending: a client that lets replies pile up is disconnected
// instead of growing the server's memory.
func TestWSSlowClient(t *testing.T) {
	tests := []struct {
		name string
		msg  func(i int) string
		n    int // messages that fit; one more closes the connection
	}{
		{"pings", func(i int) string { return fmt.Sprintf(`{"type":"ping","id":%d}`, i) }, wsSendBuffer},
		{"computes", func(i int) string {
			return fmt.Sprintf(`{"type":"compute","id":%d,"loss":"L1Loss","inputs":{"input":[1],"target":[0]}}`, i)
		}, wsMaxSuperseded + 1}, // the first waits, the others are superseded
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			computing := make(chan struct{}, 1)
			release := make(chan struct{})
			defer close(release)
			hooks := wsHooks{BeforeJob: func(int64) {
				computing <- struct{}{}
				<-release
			}}
			_, srv := wsTestApp(t, nil, hooks)
			conn := wsTestDial(t, srv)
			wsTestSend(t, conn, `{"type":"compute","id":0,"loss":"L1Loss","inputs":{"input":[1],"target":[0]}}`)
			select {
			case <-computing:
			case <-time.After(wsTestTimeout):
				t.Fatal("the writer never started computing")
			}
			for i := 1; i <= test.n+1; i++ {
				conn.SetWriteDeadline(time.Now().Add(wsTestTimeout))
				if err := conn.WriteMessage(websocket.TextMessage, []byte(test.msg(i))); err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
			}
			conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
			_, msg, err := conn.ReadMessage()
			var ne interface{ Timeout() bool }
			if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
				t.Errorf("read after %d unread replies = %q, %v; want the connection closed", test.n+1, msg, err)
			}
		})
	}
}

// TestWSServerShutdown wires CloseConnections as cmd/playground does:
// http.Server.Shutdown leaves hijacked connections alone, the hook closes
// them.
func TestWSServerShutdown(t *testing.T) {
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Routes())
	srv.Config.RegisterOnShutdown(a.CloseConnections)
	srv.Start()
	defer srv.Close()
	conn := wsTestDial(t, srv)
	wsTestSend(t, conn, `{"type":"ping","id":1}`)
	wsTestRead(t, conn)

	ctx, cancel := context.WithTimeout(context.Background(), wsTestTimeout)
	defer cancel()
	if err := srv.Config.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
	_, msg, err := conn.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Errorf("read after Shutdown = %q, %v; want close %d", msg, err, websocket.CloseGoingAway)
	}
}

func TestWSNotAWebSocket(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	resp, err := http.Get(srv.URL + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("body is not {\"error\": ...}: %v", err)
	}
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(e.Error, "websocket") {
		t.Errorf("GET /ws without upgrade = %d %q; want 400 with a websocket error", resp.StatusCode, e.Error)
	}
}

// TestWSComputerSwitchLoss proves that a connection's reused buffers never
// leak one loss's gradients into another's answer.
func TestWSComputerSwitchLoss(t *testing.T) {
	inputs := []engine.InputSpec{{Name: "input", Differentiable: true}, {Name: "target", Differentiable: true}}
	both := &engine.Spec{Name: "BothGrads", Inputs: inputs, Compute: func(c *engine.Call, r *engine.Result) error {
		r.SetScalar(1)
		r.SetElements(1)
		r.Grad("input", 1).Data[0] = 1
		r.Grad("target", 1).Data[0] = -1
		return nil
	}}
	one := &engine.Spec{Name: "InputGrad", Inputs: inputs, Compute: func(c *engine.Call, r *engine.Result) error {
		r.SetScalar(2)
		r.SetElements(1)
		r.Grad("input", 1).Data[0] = 2
		return nil
	}}
	comp := testWSComputer()
	in := map[string]json.RawMessage{"input": json.RawMessage("[0]"), "target": json.RawMessage("[0]")}
	tests := []struct {
		spec *engine.Spec
		want string
	}{
		{both, `{"type":"result","id":1,"loss":1,"grads":{"input":[1],"target":[-1]}}`},
		{one, `{"type":"result","id":2,"loss":2,"grads":{"input":[2]}}`},
		{both, `{"type":"result","id":3,"loss":1,"grads":{"input":[1],"target":[-1]}}`},
	}
	for i, test := range tests {
		m := &wsComputeMessage{Loss: test.spec.Name, LossRequest: LossRequest{Inputs: in}, spec: test.spec}
		if got := string(comp.reply(context.Background(), int64(i+1), m)); got != test.want {
			t.Errorf("reply %d (%s) = %s; want %s", i+1, test.spec.Name, got, test.want)
		}
	}
}
