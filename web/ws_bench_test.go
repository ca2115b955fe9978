package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/engine"
)

// wsComputeBudget is the server time allowed to answer a default-sized
// compute message (the spec's example inputs, with detail and charts).
const wsComputeBudget = 2 * time.Millisecond

// wsAnswer is the server's whole work for one compute message, short of
// the socket: decode, compute, build charts, encode.
func wsAnswer(tb testing.TB, comp *wsComputer, msg []byte) []byte {
	req, reply := wsDecodeMessage(msg)
	if reply != nil {
		tb.Fatalf("message %s: %s", msg, reply)
	}
	return comp.reply(req)
}

// BenchmarkComputeMessage measures wsAnswer for every registered loss's
// examples, without and with detail; a connection's buffers are reused
// across messages as on a slider drag.
func BenchmarkComputeMessage(b *testing.B) {
	for _, spec := range engine.All() {
		for _, detail := range []bool{false, true} {
			name := spec.Name
			if detail {
				name += "/detail"
			}
			b.Run(name, func(b *testing.B) {
				msg := []byte(wsTestComputeMessage(b, spec, 1, detail))
				comp := wsComputer{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
				b.SetBytes(int64(len(msg)))
				b.ReportAllocs()
				for b.Loop() {
					wsAnswer(b, &comp, msg)
				}
			})
		}
	}
}

// TestComputeMessageBudget checks that every registered loss answers its
// default compute message, with detail and charts, within
// wsComputeBudget. It takes the median of several runs so that a busy
// machine does not make it flaky.
func TestComputeMessageBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	const runs = 31
	for _, spec := range engine.All() {
		t.Run(spec.Name, func(t *testing.T) {
			msg := []byte(wsTestComputeMessage(t, spec, 1, true))
			comp := wsComputer{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			times := make([]time.Duration, runs)
			for i := range times {
				start := time.Now()
				out := wsAnswer(t, &comp, msg)
				times[i] = time.Since(start)
				if i == 0 && !json.Valid(out) {
					t.Fatalf("reply %s is not JSON", out)
				}
			}
			slices.Sort(times)
			if got := times[runs/2]; got > wsComputeBudget {
				t.Errorf("median time to answer %s's example message = %v; want under %v", spec.Name, got, wsComputeBudget)
			}
		})
	}
}

// BenchmarkWSRoundTrip measures one compute message answered over a real
// socket (loopback): the server time plus framing and the network stack.
func BenchmarkWSRoundTrip(b *testing.B) {
	spec, ok := engine.Lookup("MSELoss")
	if !ok {
		b.Skip("MSELoss not registered")
	}
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Routes())
	defer srv.Close()
	defer a.CloseConnections()
	conn, _, err := websocket.DefaultDialer.Dial(wsTestURL(srv), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	msg := []byte(wsTestComputeMessage(b, spec, 1, true))
	b.ReportAllocs()
	for b.Loop() {
		if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := conn.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWSClassroom is a teacher's class: wsClassSize sockets on one
// server, each sending one compute message per iteration at the same
// time; it reports the time until every one has its answer.
func BenchmarkWSClassroom(b *testing.B) {
	const wsClassSize = 300
	spec, ok := engine.Lookup("MSELoss")
	if !ok {
		b.Skip("MSELoss not registered")
	}
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Routes())
	defer srv.Close()
	defer a.CloseConnections()
	conns := make([]*websocket.Conn, wsClassSize)
	for i := range conns {
		if conns[i], _, err = websocket.DefaultDialer.Dial(wsTestURL(srv), nil); err != nil {
			b.Fatal(err)
		}
		defer conns[i].Close()
	}
	msg := []byte(wsTestComputeMessage(b, spec, 1, true))
	for b.Loop() {
		errc := make(chan error, len(conns))
		for _, conn := range conns {
			go func() {
				if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
					errc <- err
					return
				}
				_, _, err := conn.ReadMessage()
				errc <- err
			}()
		}
		for range conns {
			if err := <-errc; err != nil {
				b.Fatal(err)
			}
		}
	}
}
