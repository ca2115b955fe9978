package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/live"
)

// The message router of /ws: one handler per message type, and the error
// replies they share. The handlers: compute (ws_compute.go), fit
// (ws_fit.go), compare (ws_compare.go), compose (ws_compose.go), ping
// (here), and the class messages (ws_class.go).

// Message types of the loss and comparison pages.
const (
	wsTypeCompute    = "compute"
	wsTypePing       = "ping"
	wsTypePong       = "pong"
	wsTypeResult     = "result"
	wsTypeError      = "error"
	wsTypeSuperseded = "superseded"
)

// wsSession is one socket's state besides the connection: its compute
// buffers and its class membership.
type wsSession struct {
	app   *App
	conn  *live.Conn
	addr  string // the client's address, for limits
	lang  string // the page's language for error texts: "zh", or "" for English
	comp  wsComputer
	class wsClassSession
}

// Route implements live.Router: one handler per message type.
func (s *wsSession) Route(c *live.Conn, env live.Envelope, raw []byte) error {
	switch env.Type {
	case wsTypeCompute:
		return s.compute(env, raw)
	case wsTypeFit:
		return s.fit(env, raw)
	case wsTypeCompare:
		return s.compare(env, raw)
	case wsTypeCompose:
		return s.compose(env, raw)
	case wsTypePing:
		c.Reply(fmt.Appendf(nil, `{"type":%q,"id":%d}`, wsTypePong, wsID(env)))
		return nil
	case "":
		return wsEngineError(engine.Errorf("type", `missing (expected "compute", "fit", "compare", "compose" or "ping")`), s.lang)
	}
	if strings.HasPrefix(env.Type, wsClassPrefix) {
		// Package class knows its own message types.
		return s.classMessage(env, raw)
	}
	return wsEngineError(engine.Errorf("type", `unknown message type %s (expected "compute", "fit", "compare", "compose" or "ping")`, quoteShort(env.Type)), s.lang)
}

// jsonLoose decodes raw into v, ignoring unknown fields.
func jsonLoose(raw []byte, v any) error { return json.Unmarshal(raw, v) }

// wsErrorReply, wsEngineErrorReply and wsCodedErrorReply encode error
// replies for handlers that build their answer's bytes themselves.
func wsErrorReply(id *int64, field, msg string) []byte {
	return live.ErrorReply(id, &live.Error{Field: field, Msg: msg})
}

func wsEngineErrorReply(id *int64, err error, lang string) []byte {
	return live.ErrorReply(id, wsEngineError(err, lang))
}

func wsCodedErrorReply(id *int64, code string, retryAfter int, msg string) []byte {
	return live.ErrorReply(id, &live.Error{Code: code, RetryAfter: retryAfter, Msg: msg})
}

// wsID is a message's id, 0 when it has none.
func wsID(env live.Envelope) int64 {
	if env.ID == nil {
		return 0
	}
	return *env.ID
}

// wsDecode decodes a message strictly into v.
func wsDecode(raw []byte, v any) error {
	if err := live.DecodeStrict(raw, v); err != nil {
		return &live.Error{Msg: "message: " + live.DescribeJSONError(err)}
	}
	return nil
}

// wsError is an error reply without a field.
func wsError(id int64, msg string) []byte {
	return live.ErrorReply(&id, &live.Error{Msg: msg})
}
