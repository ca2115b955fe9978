package main

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestSIGTERMClosesWebSockets1001 runs the real binary: on SIGTERM an open
// WebSocket receives a close frame with 1001 (going away), so that pages
// reconnect at once, instead of the connection dropping (1006); then the
// process exits 0.
func TestSIGTERMClosesWebSockets1001(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the server binary")
	}
	s := startServer(t, serverBinary(t))
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+s.addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetWriteDeadline(time.Now().Add(shutdownLimit))
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping","id":1}`)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(shutdownLimit))
	if _, msg, err := conn.ReadMessage(); err != nil {
		t.Fatalf("pong: %v", err)
	} else {
		t.Logf("before SIGTERM: %s", msg)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _, err = conn.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Errorf("read after SIGTERM = %v; want close %d (going away)", err, websocket.CloseGoingAway)
	}
	select {
	case <-s.exited:
	case <-time.After(shutdownLimit):
		t.Fatalf("no exit %v after SIGTERM", shutdownLimit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		t.Errorf("exit = %v; want status 0", s.err)
	}
}
