package web

import (
	"context"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/lossplayground/playground/web/compare"
	"github.com/lossplayground/playground/web/live"
)

// The regression comparison's animated line fit (docs/protocol.md,
// "Comparison pages").
const (
	wsTypeFit      = "fit"
	wsTypeFitFrame = "fit_frame"
)

// Fit animation pacing.
const (
	// wsFitFrameInterval is the time between two fit frames: 30 a second,
	// smooth to the eye and far below what a connection can carry.
	wsFitFrameInterval = time.Second / 30
	// wsFitMaxFrames bounds the frames of one fit (3 s at 30 a second):
	// a fit of more steps takes several steps per frame.
	wsFitMaxFrames = 90
)

// wsFitMessage is a client's fit request.
type wsFitMessage struct {
	live.Envelope
	compare.FitRequest
}

// fit prepares a fit on the reader, so that a bad one is answered at
// once, and submits its animation: a stream that any newer message
// cancels.
func (s *wsSession) fit(env live.Envelope, raw []byte) error {
	var m wsFitMessage
	if err := wsDecode(raw, &m); err != nil {
		return err
	}
	id := wsID(env)
	run, err := compare.NewFitRun(m.FitRequest)
	if err != nil {
		return wsEngineError(err, s.lang)
	}
	log := s.app.log
	s.conn.Submit(&live.Job{ID: id, Stream: true, Run: func(ctx context.Context, emit func([]byte) bool) {
		fs := newWSFitStream(log, id, run)
		fs.lang = s.lang
		defer fs.stop()
		msg, done := fs.frame(false)
		for emit(msg) && !done {
			select {
			case <-fs.ticker.C:
			case <-ctx.Done():
				return
			}
			msg, done = fs.frame(true)
		}
	}})
	return nil
}

// wsFitStream is the fit a connection's writer is animating: a frame now,
// then one per tick of its ticker, each wsFitStream.perFrame steps on.
type wsFitStream struct {
	log      *slog.Logger
	id       int64
	run      *compare.FitRun
	perFrame int
	ticker   *time.Ticker
	lang     string            // of its errors
	lines    []compare.FitLine // reused
	out      []byte            // reused
}

func newWSFitStream(log *slog.Logger, id int64, run *compare.FitRun) *wsFitStream {
	per := (run.Steps() + wsFitMaxFrames - 1) / wsFitMaxFrames
	return &wsFitStream{log: log, id: id, run: run, perFrame: per, ticker: time.NewTicker(wsFitFrameInterval)}
}

// stop releases the ticker.
func (s *wsFitStream) stop() { s.ticker.Stop() }

// frame encodes the current lines; advance first takes the next
// perFrame steps. done reports that this is the fit's last message (its
// final frame, or an error).
func (s *wsFitStream) frame(advance bool) (msg []byte, done bool) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("websocket fit panicked", "panic", v, "stack", string(debug.Stack()))
			msg, done = wsError(s.id, "internal error fitting the lines"), true
		}
	}()
	var err error
	if advance {
		err = s.run.Advance(s.perFrame)
	}
	if err == nil {
		s.lines, err = s.run.Lines(s.lines[:0])
	}
	if err != nil {
		return live.ErrorReply(&s.id, wsEngineError(err, s.lang)), true
	}
	done = s.run.Done()
	b := append(s.out[:0], `{"type":"fit_frame","id":`...)
	b = strconv.AppendInt(b, s.id, 10)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, int64(s.run.Step()), 10)
	b = append(b, `,"steps":`...)
	b = strconv.AppendInt(b, int64(s.run.Steps()), 10)
	b = append(b, `,"done":`...)
	b = strconv.AppendBool(b, done)
	b = append(b, `,"lines":[`...)
	for i, l := range s.lines {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"loss":`...)
		b = strconv.AppendQuote(b, l.Loss)
		b = append(b, `,"slope":`...)
		b = strconv.AppendFloat(b, l.Slope, 'g', -1, 64)
		b = append(b, `,"intercept":`...)
		b = strconv.AppendFloat(b, l.Intercept, 'g', -1, 64)
		b = append(b, `,"value":`...)
		b = strconv.AppendFloat(b, l.Value, 'g', -1, 64)
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	s.out = b
	return b, done
}
