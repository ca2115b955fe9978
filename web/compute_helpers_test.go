package web

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"testing"

	"github.com/lossplayground/playground/web/admission"
	"github.com/lossplayground/playground/web/live"
	"github.com/lossplayground/playground/web/metrics"
)

// testComputer is a Computer of its own pool and metrics, for tests that
// compute without an App.
func testComputer() *Computer {
	pool := admission.New(runtime.GOMAXPROCS(0), 1<<10)
	return NewComputer(pool, metrics.New(pool.Waiting, pool.Running))
}

// testWSComputer is a socket's computer on testComputer.
func testWSComputer() wsComputer {
	return wsComputer{log: slog.New(slog.NewTextHandler(io.Discard, nil)), cp: testComputer()}
}

// wsAnswer is the server's whole work for one compute message, short of
// the socket: decode, compute, build charts, encode.
func wsAnswer(tb testing.TB, comp *wsComputer, msg []byte) []byte {
	var env live.Envelope
	if err := jsonLoose(msg, &env); err != nil {
		tb.Fatalf("message %s: %v", msg, err)
	}
	m := &wsComputeMessage{}
	if err := wsDecode(msg, m); err != nil {
		tb.Fatalf("message %s: %v", msg, err)
	}
	if err := m.check(); err != nil {
		tb.Fatalf("message %s: %v", msg, err)
	}
	return comp.reply(context.Background(), wsID(env), m)
}
