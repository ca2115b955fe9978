package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/charts"
	"github.com/lossplayground/playground/web/compare"
)

// wsCloseGrace bounds the close frame sent on shutdown.
const wsCloseGrace = time.Second

// wsConn is one WebSocket client. As in gorilla's chat example, one reader
// goroutine (readLoop) and one writer goroutine (writeLoop) serve it. The
// writer also computes: the reader keeps only the latest compute request
// in pending, so while a computation runs newer slider events replace
// older ones, and the older ones are answered "superseded" together.
type wsConn struct {
	app  *App
	conn *websocket.Conn
	addr string          // the client's address, for the per-address cap
	ctx  context.Context // the request's values (the compute environment), never canceled

	send chan []byte   // small encoded replies for the writer
	wake chan struct{} // capacity 1: pending holds a request
	done chan struct{} // closed when the reader stops

	mu      sync.Mutex
	pending *wsRequest // latest compute request the writer has not taken
	// superseded are the ids of requests that pending replaced, answered
	// in one notice before pending is computed.
	superseded []int64

	closeOnce sync.Once
	comp      wsComputer // owned by the writer

	// A class member's state (ws_class.go).
	class    wsClassSession
	classOut *wsClassOutbox
}

func newWSConn(ctx context.Context, a *App, conn *websocket.Conn, addr string) *wsConn {
	c := &wsConn{
		app:  a,
		conn: conn,
		addr: addr,
		ctx:  ctx,
		send: make(chan []byte, wsSendBuffer),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
		comp: wsComputer{log: a.log},
	}
	c.classOut = newWSClassOutbox()
	c.classOut.onOver = func() {
		a.log.Info("websocket class member is not reading; closing")
		conn.Close()
	}
	return c
}

// Close sends a "going away" close frame and closes the connection; App
// calls it on shutdown. The reader and writer then stop on their own.
func (c *wsConn) Close() error {
	c.closeOnce.Do(func() {
		go func() {
			msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
			c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(wsCloseGrace))
			c.conn.Close()
		}()
	})
	return nil
}

// readLoop reads client messages until the connection fails or closes.
func (c *wsConn) readLoop() {
	defer func() {
		close(c.done)
		c.leaveClass()
		c.app.untrack(c)
		c.app.releaseWS(c.addr)
		c.conn.Close()
	}()
	c.conn.SetReadLimit(wsMaxMessageBytes)
	c.conn.SetReadDeadline(time.Now().Add(wsPongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(wsPongWait))
	})
	for {
		kind, msg, err := c.conn.ReadMessage()
		if err != nil {
			if websocket.IsUnexpectedCloseError(err, websocket.CloseGoingAway, websocket.CloseNormalClosure, websocket.CloseNoStatusReceived) {
				// A client that vanishes is routine, and any client can
				// make it happen: debug, not a log flood.
				c.app.log.Debug("websocket closed", "err", err)
			}
			return
		}
		c.conn.SetReadDeadline(time.Now().Add(wsPongWait))
		if kind != websocket.TextMessage {
			if !c.reply(wsErrorReply(nil, "", "messages must be JSON text, not binary")) {
				return
			}
			continue
		}
		if c.classMessage(msg) {
			continue
		}
		req, reply := wsDecodeClientMessage(msg)
		if reply != nil {
			if !c.reply(reply) {
				return
			}
			continue
		}
		if !c.queue(req) {
			return
		}
		if h := c.app.ws.hooks.queued; h != nil {
			h(req.ID)
		}
	}
}

// reply queues a small reply for the writer. A full queue means the client
// has stopped reading: reply closes the connection and reports false.
func (c *wsConn) reply(msg []byte) bool {
	select {
	case c.send <- msg:
		return true
	default:
		c.app.log.Debug("websocket client is not reading; closing")
		c.conn.Close()
		return false
	}
}

// queue makes req the latest compute request; the one it replaces will be
// answered as superseded. A client that piles up more than
// wsMaxSuperseded replaced requests while one is written to it is not
// reading: queue closes the connection and reports false.
func (c *wsConn) queue(req *wsRequest) bool {
	c.mu.Lock()
	if c.pending != nil {
		if len(c.superseded) >= wsMaxSuperseded {
			c.mu.Unlock()
			c.app.log.Debug("websocket client is not reading; closing")
			c.conn.Close()
			return false
		}
		c.superseded = append(c.superseded, c.pending.ID)
	}
	c.pending = req
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default: // the writer has been woken already
	}
	return true
}

// take returns the latest compute request, appending the ids it
// superseded to ids, and clears both.
func (c *wsConn) take(ids []int64) (*wsRequest, []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	req := c.pending
	ids = append(ids, c.superseded...)
	c.pending, c.superseded = nil, c.superseded[:0]
	return req, ids
}

// writeLoop writes replies, computes the latest request and pings the
// client, until the reader stops or a write fails.
func (c *wsConn) writeLoop() {
	ticker := time.NewTicker(c.app.ws.pingPeriod)
	var ids []int64             // superseded ids, reused
	var classMsgs []wsClassItem // class messages being written, reused
	// fit is the fit being animated (ws_fit.go), fitTick its frame clock
	// (nil, never ready, when no fit runs).
	var fit *wsFitStream
	var fitTick <-chan time.Time
	stopFit := func() {
		if fit != nil {
			fit.stop()
			fit, fitTick = nil, nil
		}
	}
	defer func() {
		ticker.Stop()
		stopFit()
		c.conn.Close()
	}()
	for {
		select {
		case msg := <-c.send:
			if err := c.write(msg); err != nil {
				return
			}
		case <-c.wake:
			// Flush queued replies (pongs, errors) first: they answer
			// messages read earlier.
			for flushed := false; !flushed; {
				select {
				case msg := <-c.send:
					if err := c.write(msg); err != nil {
						return
					}
				default:
					flushed = true
				}
			}
			var req *wsRequest
			req, ids = c.take(ids[:0])
			if req == nil {
				continue
			}
			// A newer message of any kind cancels the running fit.
			if fit != nil {
				ids = append(ids, fit.id)
				stopFit()
			}
			if len(ids) > 0 {
				if err := c.write(wsSupersededReply(ids, req.ID)); err != nil {
					return
				}
			}
			if h := c.app.ws.hooks.beforeCompute; h != nil {
				h(req.ID)
			}
			var out []byte
			switch {
			case req.fit != nil:
				fit = newWSFitStream(c.app.log, req.ID, req.fit)
				var done bool
				if out, done = fit.frame(false); done {
					stopFit()
				} else {
					fitTick = fit.ticker.C
				}
			case req.cmp != nil:
				out = c.app.compareReply(req.ID, req.cmp)
			default:
				var ok bool
				if out, ok = c.computeWhilePinging(ticker, req); !ok {
					return
				}
			}
			if err := c.write(out); err != nil {
				return
			}
		case <-c.classOut.wake:
			var err error
			if classMsgs, err = c.writeClass(classMsgs); err != nil {
				return
			}
		case <-fitTick:
			out, done := fit.frame(true)
			if done {
				stopFit()
			}
			if err := c.write(out); err != nil {
				return
			}
		case <-ticker.C:
			if err := c.ping(); err != nil {
				return
			}
		case <-c.done:
			return
		}
	}
}

func (c *wsConn) ping() error {
	c.conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
	return c.conn.WriteMessage(websocket.PingMessage, nil)
}

// computeWhilePinging computes req on a goroutine of its own while the
// writer keeps the connection alive: it pings on schedule (a long compute
// must not let the client's read deadline, or ours, expire) and writes the
// small replies the reader queues. When the reader stops (the socket
// closed) or a write fails, it cancels the computation, waits for it to
// give up (the comp buffers are the writer's) and reports false.
func (c *wsConn) computeWhilePinging(ticker *time.Ticker, req *wsRequest) ([]byte, bool) {
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	result := make(chan []byte, 1)
	go func() { result <- c.comp.reply(ctx, req) }()
	abandon := func() ([]byte, bool) {
		cancel()
		<-result
		return nil, false
	}
	for {
		select {
		case out := <-result:
			return out, true
		case msg := <-c.send:
			if err := c.write(msg); err != nil {
				return abandon()
			}
		case <-ticker.C:
			if err := c.ping(); err != nil {
				return abandon()
			}
		case <-c.done:
			return abandon()
		}
	}
}

func (c *wsConn) write(msg []byte) error {
	c.conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
	return c.conn.WriteMessage(websocket.TextMessage, msg)
}

// wsRequest is a client message. Params, inputs and detail are those of
// the loss API; view is optional (without it no charts are built).
type wsRequest struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	Loss string `json:"loss"`
	LossRequest
	View *charts.View `json:"view"`

	spec *engine.Spec
	fit  *compare.FitRun // a fit message (ws_fit.go)
	cmp  *wsCompareJob   // a compare message (ws_fit.go)
	// compose is a compose message (compose_ws.go).
	compose *wsComposeJob
}

// Message types.
const (
	wsTypeCompute    = "compute"
	wsTypePing       = "ping"
	wsTypePong       = "pong"
	wsTypeResult     = "result"
	wsTypeError      = "error"
	wsTypeSuperseded = "superseded"
)

// wsCheckMessage checks a decoded compute or ping message. It returns
// either the compute request for the writer or a reply to send at once (an
// error, or a pong).
func wsCheckMessage(req *wsRequest) (*wsRequest, []byte) {
	id := &req.ID
	switch req.Type {
	case wsTypeCompute:
	case wsTypePing:
		return nil, fmt.Appendf(nil, `{"type":%q,"id":%d}`, wsTypePong, req.ID)
	case "":
		return nil, wsErrorReply(id, "type", `type: missing (expected "compute", "fit", "compare" or "ping")`)
	default:
		return nil, wsErrorReply(id, "type", fmt.Sprintf(`type: unknown message type %s (expected "compute", "fit", "compare" or "ping")`, wsQuote(req.Type)))
	}
	spec, ok := engine.Lookup(req.Loss)
	if !ok {
		if req.Loss == "" {
			return nil, wsErrorReply(id, "loss", "loss: missing (a PyTorch class name such as MSELoss)")
		}
		return nil, wsErrorReply(id, "loss", fmt.Sprintf("loss: unknown loss %s (GET /api/v1/losses lists them)", wsQuote(req.Loss)))
	}
	req.spec = spec
	if req.View != nil {
		if err := req.View.Validate(); err != nil {
			return nil, wsEngineErrorReply(id, err)
		}
	}
	return req, nil
}

// wsComputer evaluates compute requests into reused buffers: one per
// connection, used by its writer only.
type wsComputer struct {
	log  *slog.Logger
	spec *engine.Spec // the loss res was last computed for
	res  engine.Result
	out  []byte
	keys []string // chart ids of the last reply, sorted
}

// reply computes req and returns the encoded result or error. The bytes
// are valid until the next call. The computation stops when ctx is done.
func (w *wsComputer) reply(ctx context.Context, req *wsRequest) (out []byte) {
	defer func() {
		// A loss that panics must not take the server down with it.
		if v := recover(); v != nil {
			w.log.Error("websocket compute panicked", "loss", req.Loss, "panic", v, "stack", string(debug.Stack()))
			w.spec, w.res = nil, engine.Result{}
			out = wsErrorReply(&req.ID, "", "internal error computing "+req.Loss)
		}
	}()
	if req.compose != nil {
		return composeReply(ctx, w.log, req.ID, req.compose)
	}
	if req.spec != w.spec {
		// Buffers are reused for one loss only: another loss's gradients
		// must not linger in res.Grads.
		w.spec, w.res = req.spec, engine.Result{}
	}
	ev, err := Evaluate(ctx, req.spec, &req.LossRequest, req.View, &w.res)
	if err != nil {
		// A computation that gave up may leave garbage in the buffers.
		w.spec, w.res = nil, engine.Result{}
		var ee *engine.Error
		switch {
		case errors.As(err, &ee):
			return wsEngineErrorReply(&req.ID, ee)
		case errors.Is(err, errBusy):
			return wsCodedErrorReply(&req.ID, wsCodeBusy, retryAfterSeconds,
				"the server is busy computing for others; try again in a moment")
		case errors.Is(err, errComputeTimeout):
			return wsCodedErrorReply(&req.ID, wsCodeTimeout, retryAfterSeconds,
				fmt.Sprintf("computing %s took longer than the %v the server allows", req.Loss, computeTimeout))
		case ctx.Err() != nil:
			// The socket closed: nobody reads this.
			return wsCodedErrorReply(&req.ID, wsCodeCanceled, 0, "computation canceled")
		}
		w.log.Error("websocket compute failed", "loss", req.Loss, "err", err)
		return wsErrorReply(&req.ID, "", "internal error computing "+req.Loss)
	}
	b := append(w.out[:0], `{"type":"result","id":`...)
	b = strconv.AppendInt(b, req.ID, 10)
	b = append(b, ',')
	// Splice the loss API's object {"loss":...,"grads":...,"detail":...}
	// in without its braces.
	start := len(b)
	b, err = ev.Result.AppendJSON(b, req.spec)
	if err != nil {
		w.log.Error("websocket encode failed", "loss", req.Loss, "err", err)
		return wsErrorReply(&req.ID, "", "internal error encoding "+req.Loss)
	}
	b = append(b[:start], b[start+1:len(b)-1]...)
	if ev.Charts != nil {
		b = append(b, `,"charts":{`...)
		w.keys = w.keys[:0]
		for k := range ev.Charts {
			w.keys = append(w.keys, k)
		}
		slices.Sort(w.keys)
		for i, k := range w.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, k) // chart ids are plain ASCII words
			b = append(b, ':')
			b = append(b, ev.Charts[k]...)
		}
		b = append(b, '}')
	}
	if wsWantsPanel(req) {
		if b, err = appendPanel(b, req.spec, ev, &req.LossRequest, req.View); err != nil {
			w.log.Error("websocket panel encode failed", "loss", req.Loss, "err", err)
			return wsErrorReply(&req.ID, "", "internal error encoding "+req.Loss)
		}
	}
	b = append(b, '}')
	w.out = b
	return b
}

// wsErrorMessage is the error reply. ID is null when the message had no
// readable id; Field names the offending field when it is known.
type wsErrorMessage struct {
	Type  string `json:"type"`
	ID    *int64 `json:"id"`
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
	// Code, when set, says why the server did not compute: wsCodeBusy or
	// wsCodeTimeout (try again after RetryAfter seconds), wsCodeCanceled.
	Code       string `json:"code,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

// Error codes of the WebSocket (docs/protocol.md, "Limits").
const (
	wsCodeBusy     = "busy"     // every compute slot is busy and the queue is full
	wsCodeTimeout  = "timeout"  // the computation ran past its deadline
	wsCodeCanceled = "canceled" // the connection is closing
)

func wsCodedErrorReply(id *int64, code string, retryAfter int, msg string) []byte {
	b, _ := json.Marshal(wsErrorMessage{Type: wsTypeError, ID: id, Error: msg, Code: code, RetryAfter: retryAfter})
	return b
}

func wsErrorReply(id *int64, field, msg string) []byte {
	b, _ := json.Marshal(wsErrorMessage{Type: wsTypeError, ID: id, Error: msg, Field: field})
	return b
}

func wsEngineErrorReply(id *int64, err error) []byte {
	var ee *engine.Error
	if errors.As(err, &ee) {
		return wsErrorReply(id, ee.Field, ee.Error())
	}
	return wsErrorReply(id, "", err.Error())
}

func wsSupersededReply(ids []int64, by int64) []byte {
	b := append(make([]byte, 0, 48+8*len(ids)), `{"type":"superseded","ids":[`...)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	b = append(b, `],"by":`...)
	b = strconv.AppendInt(b, by, 10)
	return append(b, '}')
}

// wsMaxQuoted bounds how much of a client's string an error message
// echoes.
const wsMaxQuoted = 64

// wsQuote quotes s for an error message, shortened to wsMaxQuoted bytes.
func wsQuote(s string) string {
	if len(s) > wsMaxQuoted {
		return strconv.Quote(strings.ToValidUTF8(s[:wsMaxQuoted], "")) + "…"
	}
	return strconv.Quote(s)
}
