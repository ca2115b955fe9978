package web

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/engine"
)

// BenchmarkComputeMessage measures wsAnswer for every registered loss's
// examples, without and with detail; a connection's buffers are reused
// across messages as on a slider drag. The budget is 2 ms of server time
// per message (300 students dragging at once on a 2-core server); speed
// goals live here, never in timed tests.
func BenchmarkComputeMessage(b *testing.B) {
	for _, spec := range engine.All() {
		for _, detail := range []bool{false, true} {
			name := spec.Name
			if detail {
				name += "/detail"
			}
			b.Run(name, func(b *testing.B) {
				msg := []byte(wsTestComputeMessage(b, spec, 1, detail))
				comp := testWSComputer()
				b.SetBytes(int64(len(msg)))
				b.ReportAllocs()
				for b.Loop() {
					wsAnswer(b, &comp, msg)
				}
			})
		}
	}
}

// BenchmarkWSRoundTrip measures one compute message answered over a real
// socket (loopback): the server time plus framing and the network stack.
func BenchmarkWSRoundTrip(b *testing.B) {
	spec, ok := engine.Lookup("MSELoss")
	if !ok {
		b.Fatal("MSELoss is not registered")
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
		b.Fatal("MSELoss is not registered")
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
