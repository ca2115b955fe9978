package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/live"
)

// wsComputeMessage is a client's compute message. Params, inputs and
// detail are those of the loss API; view is optional (without it no
// charts are built).
type wsComputeMessage struct {
	live.Envelope
	Loss string `json:"loss"`
	LossRequest
	View *charts.View `json:"view"`

	spec *engine.Spec
}

// compute checks a compute message on the reader, so that a bad one is
// answered at once, and submits it: the latest wins.
func (s *wsSession) compute(env live.Envelope, raw []byte) error {
	m := &wsComputeMessage{}
	if err := wsDecode(raw, m); err != nil {
		return err
	}
	if err := m.check(); err != nil {
		return wsEngineError(err, s.lang)
	}
	id := wsID(env)
	s.conn.Submit(&live.Job{ID: id, Run: func(ctx context.Context, emit func([]byte) bool) {
		emit(s.comp.reply(ctx, id, m))
	}})
	return nil
}

// check finds the loss and validates the view: an *engine.Error, for
// the caller to word in its page's language.
func (m *wsComputeMessage) check() error {
	spec, ok := engine.Lookup(m.Loss)
	if !ok {
		if m.Loss == "" {
			return engine.Errorf("loss", "missing (a PyTorch class name such as MSELoss)")
		}
		return engine.Errorf("loss", "unknown loss %s (GET /api/v1/losses lists them)", quoteShort(m.Loss))
	}
	m.spec = spec
	if m.View != nil {
		if err := m.View.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// wsComputer evaluates compute messages into reused buffers: one per
// connection (used by one job at a time) or per class driver.
type wsComputer struct {
	log  *slog.Logger
	cp   *Computer
	lang string       // of the page's errors: "zh", or "" for English
	spec *engine.Spec // the loss res was last computed for
	res  engine.Result
	api  []byte // the loss API's answer of the last result
	out  []byte // the last encoded reply
	keys []string
}

// wsResult is a computed compute message: what the loss API answers for
// it, and what a page draws from it. It is encoded once (appendTo).
type wsResult struct {
	id     int64
	api    []byte // {"loss":…,"grads":…,"detail":…}, engine.Result.AppendJSON
	charts map[string]json.RawMessage
	keys   []string        // charts' ids, sorted
	panel  json.RawMessage // the loss page's result panel, or nil
}

// appendTo appends the result message: the loss API's members, then the
// charts and the panel.
func (r *wsResult) appendTo(b []byte) []byte {
	b = append(b, `{"type":"result","id":`...)
	b = strconv.AppendInt(b, r.id, 10)
	// The API's answer is an object: its members become the message's.
	b = append(b, ',')
	b = append(b, r.api[1:len(r.api)-1]...)
	if r.charts != nil {
		b = append(b, `,"charts":{`...)
		for i, k := range r.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, k) // chart ids are plain ASCII words
			b = append(b, ':')
			b = append(b, r.charts[k]...)
		}
		b = append(b, '}')
	}
	if r.panel != nil {
		b = append(b, `,"panel":`...)
		b = append(b, r.panel...)
	}
	return append(b, '}')
}

// reply computes m and returns the encoded result or error. The bytes are
// valid until the next call. The computation stops when ctx is done.
func (w *wsComputer) reply(ctx context.Context, id int64, m *wsComputeMessage) []byte {
	res, err := w.result(ctx, id, m)
	if err != nil {
		return live.ErrorReply(&id, wsEngineError(err, w.lang))
	}
	w.out = res.appendTo(w.out[:0])
	return w.out
}

// result computes m in the sockets' fair queue. The result's bytes are
// valid until the next call. A refusal is an *engine.Error (for the
// caller to word) or a *live.Error in w.lang.
func (w *wsComputer) result(ctx context.Context, id int64, m *wsComputeMessage) (res *wsResult, lerr error) {
	defer func() {
		// A loss that panics must not take the server down with it.
		if v := recover(); v != nil {
			w.log.Error("websocket compute panicked", "loss", m.Loss, "panic", v, "stack", string(debug.Stack()))
			w.spec, w.res = nil, engine.Result{}
			res, lerr = nil, &live.Error{Msg: "internal error computing " + m.Loss}
		}
	}()
	if m.spec != w.spec {
		// Buffers are reused for one loss only: another loss's gradients
		// must not linger in res.Grads.
		w.spec, w.res = m.spec, engine.Result{}
	}
	ev, err := w.cp.EvaluateInTurn(ctx, m.spec, &m.LossRequest, m.View, &w.res)
	if err != nil {
		// A computation that gave up may leave garbage in the buffers.
		w.spec, w.res = nil, engine.Result{}
		var ee *engine.Error
		switch {
		case errors.As(err, &ee):
			return nil, ee
		case errors.Is(err, errBusy):
			return nil, &live.Error{Code: wsCodeBusy, RetryAfter: retryAfterSeconds, Msg: i18n.T(w.lang, "error.wsBusy")}
		case errors.Is(err, errComputeTimeout):
			return nil, &live.Error{Code: wsCodeTimeout, RetryAfter: retryAfterSeconds,
				Msg: i18n.T(w.lang, "error.wsTimeout", m.Loss, computeTimeout)}
		case ctx.Err() != nil:
			// The socket closed: nobody reads this.
			return nil, &live.Error{Code: wsCodeCanceled, Msg: "computation canceled"}
		}
		w.log.Error("websocket compute failed", "loss", m.Loss, "err", err)
		return nil, &live.Error{Msg: "internal error computing " + m.Loss}
	}
	if w.api, err = ev.Result.AppendJSON(w.api[:0], m.spec); err != nil {
		w.log.Error("websocket encode failed", "loss", m.Loss, "err", err)
		return nil, &live.Error{Msg: "internal error encoding " + m.Loss}
	}
	res = &wsResult{id: id, api: w.api, charts: ev.Charts}
	if ev.Charts != nil {
		w.keys = w.keys[:0]
		for k := range ev.Charts {
			w.keys = append(w.keys, k)
		}
		slices.Sort(w.keys)
		res.keys = w.keys
	}
	if wsWantsPanel(m) {
		if res.panel, err = wsPanel(m.spec, ev, &m.LossRequest, m.View); err != nil {
			w.log.Error("websocket panel encode failed", "loss", m.Loss, "err", err)
			return nil, &live.Error{Msg: "internal error encoding " + m.Loss}
		}
	}
	return res, nil
}

// wsEngineError words a refusal for a socket whose page is in lang: an
// engine error in the catalogue's words (errorText) with its field, a
// *live.Error as it is. A socket without a language speaks English, as
// the JSON API does.
func wsEngineError(err error, lang string) *live.Error {
	var le *live.Error
	if errors.As(err, &le) {
		return le
	}
	var ee *engine.Error
	if errors.As(err, &ee) {
		return &live.Error{Field: ee.Field, Msg: errorText(ee, lang)}
	}
	return &live.Error{Msg: err.Error()}
}
