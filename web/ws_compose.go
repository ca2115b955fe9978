package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"runtime/debug"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/live"
	"github.com/lossplayground/playground/web/templates"
)

// The composer's WebSocket messages (docs/protocol.md, "compose"): the
// page sends its state as the query string of its permalink, and gets
// back the parts of the page that change, rendered by the same templates
// as the page itself. A compose message supersedes any other pending
// message of the connection, as compute messages do.
const (
	wsTypeCompose       = "compose"
	wsTypeComposeResult = "compose_result"
	// wsComposeMaxQuery bounds the state a compose message carries: a
	// formula of 1 KB and inputs of a page's size.
	wsComposeMaxQuery = 256 << 10
)

// wsComposeMessage is a client's compose message.
type wsComposeMessage struct {
	live.Envelope
	Query string `json:"query"`
}

// wsComposeJob is a decoded compose message, computed as the socket's
// latest job.
type wsComposeJob struct {
	state composeState
}

// compose decodes a compose message and submits it (the latest wins);
// the state's own errors (formula, inputs) are the answer's, computed in
// the job.
func (s *wsSession) compose(env live.Envelope, raw []byte) error {
	var m wsComposeMessage
	if err := wsDecode(raw, &m); err != nil {
		return err
	}
	if len(m.Query) > wsComposeMaxQuery {
		return wsEngineError(engine.Errorf("query", "longer than 256 KiB"), s.lang)
	}
	q, err := url.ParseQuery(m.Query)
	if err != nil {
		return wsEngineError(engine.Errorf("query", "not a URL query string: %v", err), s.lang)
	}
	st, err := parseComposeState(q, i18n.Lang(q.Get("lang")))
	if err != nil {
		return wsEngineError(err, s.lang)
	}
	id := wsID(env)
	job := &wsComposeJob{state: st}
	s.conn.Submit(&live.Job{ID: id, Run: func(ctx context.Context, emit func([]byte) bool) {
		emit(composeReply(ctx, s.app.log, s.app.compute.EvaluateComposeInTurn, id, job, s.lang))
	}})
	return nil
}

// wsComposeResult is the answer to a compose message.
type wsComposeResult struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	// Query is the state's permalink query, parameters completed.
	Query string `json:"query"`
	// Panel, Params and FormulaError are HTML: the result panel, the
	// parameters' sliders, the formula's error under the box.
	Panel        string          `json:"panel"`
	Params       string          `json:"params"`
	ParamNames   []string        `json:"param_names"`
	FormulaError string          `json:"formula_error"`
	Error        string          `json:"error,omitempty"`
	Field        string          `json:"field,omitempty"`
	Pos          int             `json:"pos,omitempty"`
	Chart        json.RawMessage `json:"chart"`
	PyTorch      string          `json:"pytorch"`
	Equals       []string        `json:"equals"`
}

// composeReply computes a compose message into its answer.
func composeReply(ctx context.Context, log *slog.Logger, eval composeEvaluator, id int64, job *wsComposeJob, lang string) (out []byte) {
	defer func() {
		if v := recover(); v != nil {
			log.Error("websocket compose panicked", "formula", job.state.Formula, "panic", v, "stack", string(debug.Stack()))
			out = wsErrorReply(&id, "", "internal error computing the formula")
		}
	}()
	st := job.state
	p, err := composeView(ctx, eval, &st)
	if err != nil {
		switch {
		case errors.Is(err, errBusy):
			return wsCodedErrorReply(&id, wsCodeBusy, retryAfterSeconds, i18n.T(lang, "error.wsBusy"))
		case errors.Is(err, errComputeTimeout):
			return wsCodedErrorReply(&id, wsCodeTimeout, retryAfterSeconds, i18n.T(lang, "error.wsTimeoutCompose"))
		case ctx.Err() != nil:
			return wsCodedErrorReply(&id, wsCodeCanceled, 0, "canceled")
		}
		var ee *engine.Error
		if errors.As(err, &ee) {
			return wsEngineErrorReply(&id, ee, lang)
		}
		log.Error("websocket compose failed", "err", err)
		return wsErrorReply(&id, "", "internal error computing the formula")
	}
	res := wsComposeResult{Type: wsTypeComposeResult, ID: id, Query: st.query().Encode(),
		Error: p.Error, Field: p.ErrorField, Pos: p.ErrorPos, PyTorch: p.PyTorch, Equals: p.Result.Equals}
	for _, prm := range p.Params {
		res.ParamNames = append(res.ParamNames, prm.Name)
	}
	var b bytes.Buffer
	if err := templates.ComposeResultPanel(p).Render(ctx, &b); err != nil {
		return wsErrorReply(&id, "", "internal error rendering the result")
	}
	res.Panel = b.String()
	b.Reset()
	if err := templates.ComposeParams(p.Params, p.Lang).Render(ctx, &b); err != nil {
		return wsErrorReply(&id, "", "internal error rendering the parameters")
	}
	res.Params = b.String()
	b.Reset()
	if err := templates.ComposeFormulaError(p).Render(ctx, &b); err != nil {
		return wsErrorReply(&id, "", "internal error rendering the error")
	}
	res.FormulaError = b.String()
	if p.ChartJSON != "" {
		res.Chart = json.RawMessage(p.ChartJSON)
	} else {
		res.Chart = json.RawMessage("null")
	}
	out, err = json.Marshal(res)
	if err != nil {
		return wsErrorReply(&id, "", "internal error encoding the result")
	}
	return out
}
