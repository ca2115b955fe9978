package web

import (
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/live"
)

// Comparison-page message types (docs/protocol.md, "Comparison pages").
const (
	wsTypeCompare       = "compare"
	wsTypeCompareResult = "compare_result"
)

// wsCompareMessage asks for one comparison page's numbers and chart
// options under new settings.
type wsCompareMessage struct {
	live.Envelope
	Page     string          `json:"page"`
	Theme    string          `json:"theme"`
	Settings json.RawMessage `json:"settings"`
}

// wsCompareJob is a decoded, validated compare message.
type wsCompareJob struct {
	page     string
	theme    string
	settings compareSettings
	lang     string // of its errors
}

// compare decodes and validates a compare message and submits it.
func (s *wsSession) compare(env live.Envelope, raw []byte) error {
	var m wsCompareMessage
	if err := wsDecode(raw, &m); err != nil {
		return err
	}
	if m.Theme != "" && m.Theme != "light" && m.Theme != "dark" {
		return wsEngineError(engine.Errorf("theme", `must be "light" or "dark", got %s`, quoteShort(m.Theme)), s.lang)
	}
	p, err := comparePageNamed(m.Page)
	if err != nil {
		return wsEngineError(err, s.lang)
	}
	settings, err := p.decode(m.Settings)
	if err != nil {
		return wsEngineError(err, s.lang)
	}
	id := wsID(env)
	job := &wsCompareJob{page: m.Page, theme: m.Theme, settings: settings, lang: s.lang}
	s.conn.Submit(&live.Job{ID: id, Run: func(ctx context.Context, emit func([]byte) bool) {
		emit(s.app.compareReply(id, job))
	}})
	return nil
}

// compareReply computes a compare job into its reply.
func (a *App) compareReply(id int64, job *wsCompareJob) (out []byte) {
	defer func() {
		// A loss that panics must not take the server down with it.
		if v := recover(); v != nil {
			a.log.Error("websocket compare panicked", "page", job.page, "panic", v, "stack", string(debug.Stack()))
			out = wsError(id, "internal error computing the "+job.page+" comparison")
		}
	}()
	data, err := job.settings.build(job.theme)
	if err != nil {
		var ee *engine.Error
		if errors.As(err, &ee) {
			return live.ErrorReply(&id, wsEngineError(ee, job.lang))
		}
		a.log.Error("websocket compare failed", "page", job.page, "err", err)
		return wsError(id, "internal error computing the "+job.page+" comparison")
	}
	b, err := json.Marshal(struct {
		Type string `json:"type"`
		ID   int64  `json:"id"`
		Data any    `json:"data"`
	}{wsTypeCompareResult, id, data})
	if err != nil {
		a.log.Error("websocket compare encode failed", "page", job.page, "err", err)
		return wsError(id, "internal error encoding the "+job.page+" comparison")
	}
	return b
}
