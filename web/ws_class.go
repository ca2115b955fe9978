package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/web/charts"
	"github.com/lossplayground/playground/web/class"
	"github.com/prometheus/client_golang/prometheus"
)

// Class messages on /ws (docs/protocol.md, "Classes") go to package class;
// this file only connects a socket to it: decoding the envelope, the
// member's outbox that the connection's writer drains, and the compute
// path a class's driver uses (the socket's own, wsComputer).

// wsClassOutboxLimit bounds the class messages waiting for one member's
// writer. States, the roster, the histogram and snapshots coalesce, so
// only a client that stops reading while events pile up reaches it.
const wsClassOutboxLimit = 256

// wsClassOutbox is a member's queue of class messages: a message with a
// coalesce key replaces the unwritten one with the same key (latest wins:
// a slow student skips to the last state).
type wsClassOutbox struct {
	wake chan struct{} // capacity 1: messages are waiting

	mu      sync.Mutex
	pending []wsClassItem
	over    bool // the limit was hit: the connection is closed
	onOver  func()
}

type wsClassItem struct {
	coalesce string
	msg      []byte
}

func newWSClassOutbox() *wsClassOutbox {
	return &wsClassOutbox{wake: make(chan struct{}, 1)}
}

// Offer implements class.Outbox; it never blocks.
func (o *wsClassOutbox) Offer(msg []byte, coalesce string) {
	o.mu.Lock()
	replaced := false
	if coalesce != "" {
		for i := range o.pending {
			if o.pending[i].coalesce == coalesce {
				o.pending[i].msg = msg
				replaced = true
				break
			}
		}
	}
	if !replaced {
		if len(o.pending) >= wsClassOutboxLimit {
			over := !o.over
			o.over = true
			o.mu.Unlock()
			if over && o.onOver != nil {
				o.onOver()
			}
			return
		}
		o.pending = append(o.pending, wsClassItem{coalesce, msg})
	}
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// take returns the waiting messages in order and clears the queue.
func (o *wsClassOutbox) take(into []wsClassItem) []wsClassItem {
	o.mu.Lock()
	defer o.mu.Unlock()
	into = append(into[:0], o.pending...)
	clear(o.pending)
	o.pending = o.pending[:0]
	return into
}

// wsClassSession is a connection's membership: at most one class.
type wsClassSession struct {
	mu     sync.Mutex
	member *class.Member
}

// wsClassEnvelope is what every class message shares.
type wsClassEnvelope struct {
	Type  string `json:"type"`
	ID    *int64 `json:"id"`
	Code  string `json:"code"`
	Name  string `json:"name"`
	Token string `json:"token"`
	// Resume is a student's resume token from class_joined; Lang the
	// page's language, for questions and reveals.
	Resume string `json:"resume"`
	Lang   string `json:"lang"`
}

// wsClassTimeout bounds the bus work of one class message.
const wsClassTimeout = 10 * time.Second

// classMessage serves msg if it is a class message and reports whether it
// was; it runs on the reader, so a member's messages are handled in order.
func (c *wsConn) classMessage(msg []byte) bool {
	if !bytes.Contains(msg, []byte(`"class_`)) {
		return false
	}
	var env wsClassEnvelope
	if json.Unmarshal(msg, &env) != nil || !strings.HasPrefix(env.Type, "class_") {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), wsClassTimeout)
	defer cancel()
	if err := c.classHandle(ctx, &env, msg); err != nil {
		c.reply(class.ErrorMessage(env.ID, err))
	}
	return true
}

func (c *wsConn) classHandle(ctx context.Context, env *wsClassEnvelope, msg []byte) error {
	s := &c.class
	s.mu.Lock()
	m := s.member
	s.mu.Unlock()
	if m != nil && m.Ended() {
		// The class ended: the socket is free to join another.
		c.leaveClass()
		m = nil
	}
	switch env.Type {
	case class.TypeJoin, class.TypeTeach:
		if m != nil {
			return &class.Error{Field: "type", Msg: "this socket is in class " + m.Code() + " already; send class_leave first"}
		}
		if env.Code == "" {
			return &class.Error{Field: "code", Msg: "missing (the six-character class code)"}
		}
		if env.Type == class.TypeTeach && env.Token == "" {
			return &class.Error{Field: "token", Msg: "missing (the teacher token POST /api/v1/classes returned)"}
		}
		m, err := c.app.classes.Join(ctx, class.JoinRequest{Code: env.Code, Name: env.Name, Token: env.Token,
			Resume: env.Resume, Lang: env.Lang, Addr: c.addr},
			env.Type == class.TypeTeach, c.classOut)
		if err != nil {
			return wsClassError(err)
		}
		s.mu.Lock()
		s.member = m
		s.mu.Unlock()
		return nil
	case class.TypeLeave:
		c.leaveClass()
		return nil
	}
	if m == nil {
		return &class.Error{Field: "type", Msg: env.Type + ": join a class first (class_join or class_teach)"}
	}
	return wsClassError(m.Handle(ctx, env.Type, msg))
}

// wsClassError keeps refusals as they are and words anything else for a
// client without internals.
func wsClassError(err error) error {
	switch err.(type) {
	case nil:
		return nil
	case *class.Error:
		return err
	}
	switch {
	case errors.Is(err, class.ErrNotFound):
		return &class.Error{Field: "code", Msg: err.Error()}
	case errors.Is(err, class.ErrToken):
		return &class.Error{Field: "token", Msg: err.Error()}
	case errors.Is(err, class.ErrRateLimited), errors.Is(err, class.ErrUnavailable):
		return &class.Error{Msg: err.Error()}
	case errors.Is(err, context.DeadlineExceeded):
		return &class.Error{Msg: class.ErrUnavailable.Error()}
	}
	return &class.Error{Msg: "class: internal error"}
}

// leaveClass ends the connection's membership, if any.
func (c *wsConn) leaveClass() {
	s := &c.class
	s.mu.Lock()
	m := s.member
	s.member = nil
	s.mu.Unlock()
	if m != nil {
		m.Leave()
	}
}

// writeClass writes the member's waiting class messages; the writer calls
// it when the outbox wakes it. A state goes out as a frame prepared once
// for every member on this replica: one write call per member, no copy.
func (c *wsConn) writeClass(buf []wsClassItem) ([]wsClassItem, error) {
	buf = c.classOut.take(buf)
	for _, it := range buf {
		var err error
		if it.coalesce == class.CoalesceState {
			c.conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
			err = c.conn.WritePreparedMessage(c.app.classFrames.frame(it.msg))
		} else {
			err = c.write(it.msg)
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// wsClassFrames caches the prepared WebSocket frames of the latest class
// states. Every member of a class on this replica is offered the same
// bytes (one backing array), so the array's address identifies the
// message; an entry holds the bytes, so that the address cannot be reused
// while it is cached.
type wsClassFrames struct {
	mu    sync.Mutex
	byPtr map[*byte]wsClassFrame
	ring  [wsClassFramesKept]*byte
	next  int
	bytes int // of the cached messages
}

type wsClassFrame struct {
	msg []byte
	pm  *websocket.PreparedMessage
}

// wsClassFramesKept is how many states keep their frame: a few per live
// class is plenty, since each class's latest state replaces its last.
// wsClassFramesBytes bounds them in bytes too (a frame holds its message
// twice, as bytes and prepared): 64 states of a 45,000-element input
// with detail were 400 MB.
const (
	wsClassFramesKept  = 64
	wsClassFramesBytes = 32 << 20
)

func (f *wsClassFrames) frame(msg []byte) *websocket.PreparedMessage {
	key := unsafe.SliceData(msg)
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.byPtr[key]; ok && len(e.msg) == len(msg) {
		return e.pm
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, msg)
	if err != nil {
		panic(err) // only fails for an invalid message type
	}
	if f.byPtr == nil {
		f.byPtr = map[*byte]wsClassFrame{}
	}
	// Evict the oldest until the new frame fits both bounds; a frame
	// larger than the byte bound alone is prepared but not kept.
	for i := 0; i < wsClassFramesKept && (f.ring[f.next] != nil || f.bytes+len(msg) > wsClassFramesBytes); i++ {
		if old := f.ring[f.next]; old != nil {
			f.bytes -= len(f.byPtr[old].msg)
			delete(f.byPtr, old)
			f.ring[f.next] = nil
		}
		if f.bytes+len(msg) <= wsClassFramesBytes {
			break
		}
		f.next = (f.next + 1) % wsClassFramesKept
	}
	if f.bytes+len(msg) > wsClassFramesBytes {
		return pm
	}
	f.ring[f.next] = key
	f.next = (f.next + 1) % wsClassFramesKept
	f.byPtr[key] = wsClassFrame{msg: msg, pm: pm}
	f.bytes += len(msg)
	return pm
}

// newClassComputer is the compute path of a class's driver: the same
// validation and wsComputer.reply as a page's compute message, so that a
// class state is exactly what the page would have shown.
func (a *App) newClassComputer() class.Computer {
	comp := &wsComputer{log: a.log}
	return func(ctx context.Context, d *class.Drive) (*class.Computed, error) {
		// Classes count against the server's budgets and compute pool,
		// like every page.
		ctx = withComputeEnv(ctx, a.env)
		req := &wsRequest{Type: wsTypeCompute, ID: d.ID, Loss: d.Loss,
			LossRequest: LossRequest{Params: d.Params, Inputs: d.Inputs, Detail: d.Detail, DType: d.DType}}
		if len(d.View) > 0 {
			var v charts.View
			if err := decodeStrict(d.View, &v); err != nil {
				return nil, &class.Error{Field: "view", Msg: "view: " + describeJSONError(err)}
			}
			req.View = &v
		}
		req, bad := wsCheckMessage(req)
		if bad != nil {
			return nil, wsClassReplyError(bad)
		}
		out := comp.reply(ctx, req)
		var parts map[string]json.RawMessage
		if err := json.Unmarshal(out, &parts); err != nil {
			return nil, err
		}
		if string(parts["type"]) != `"result"` {
			return nil, wsClassReplyError(out)
		}
		// The loss API's answer, byte for byte: wsComputer.reply spliced
		// engine.Result.AppendJSON's fields in, in this order.
		res := append([]byte(`{"loss":`), parts["loss"]...)
		res = append(append(res, `,"grads":`...), parts["grads"]...)
		if d, ok := parts["detail"]; ok {
			res = append(append(res, `,"detail":`...), d...)
		}
		res = append(res, '}')
		return &class.Computed{Slug: req.spec.Slug, Result: res, Reply: append([]byte(nil), out...)}, nil
	}
}

// wsClassReplyError turns an encoded error reply back into a class error.
func wsClassReplyError(reply []byte) error {
	var e wsErrorMessage
	json.Unmarshal(reply, &e)
	return &class.Error{Field: e.Field, Msg: e.Error}
}

// registerClassMetrics adds this replica's classes and their members to
// /metrics.
func (a *App) registerClassMetrics() error {
	classes := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "playground_classes",
		Help: "Classes with a member connected to this replica."},
		func() float64 { n, _ := a.classes.Stats(); return float64(n) })
	members := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "playground_class_members",
		Help: "Students and teachers connected to this replica's classes."},
		func() float64 { _, n := a.classes.Stats(); return float64(n) })
	if err := a.metrics.Register(classes); err != nil {
		return err
	}
	return a.metrics.Register(members)
}
