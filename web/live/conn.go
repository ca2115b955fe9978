// Package live serves one WebSocket connection of the playground's live
// protocol (docs/protocol.md): one reader goroutine and one writer
// goroutine per connection, as in gorilla's chat example.
//
// The reader decodes every client message's envelope ({type, id}) once
// and hands it to the connection's Router, which dispatches on the type
// to a typed handler. A handler answers at once (Reply), or submits a Job
// for the writer: a connection runs one job at a time, and while one runs
// a newer job replaces the one waiting (latest wins; the replaced ones
// are answered "superseded" together). A streaming job (a fit animation)
// is canceled by any newer one. Messages pushed to the connection from
// elsewhere (a class) go through its Outbox, whose coalescing keys let a
// slow reader skip to the latest state.
//
// The package knows nothing of losses or classes: the web package routes
// the message types to them.
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Options tune a connection; zero values take the defaults below.
type Options struct {
	Log *slog.Logger
	// WriteWait is the time allowed to write one message to the peer.
	WriteWait time.Duration
	// PongWait is the time allowed between two messages from the peer (a
	// pong counts); a silent peer is dropped after it.
	PongWait time.Duration
	// PingPeriod sends pings often enough that a live peer's pong arrives
	// within PongWait.
	PingPeriod time.Duration
	// MaxMessageBytes bounds one client message. A larger one closes the
	// connection with 1009 (message too big): the reader cannot skip it
	// and stay in sync.
	MaxMessageBytes int64
	// SendBuffer is the number of small replies (errors, pongs) queued for
	// the writer. A client that lets it fill is not reading, and is
	// disconnected.
	SendBuffer int
	// MaxSuperseded bounds the superseded jobs waiting to be answered
	// while the writer is busy: at 60 slider events a second it takes
	// over a minute to reach, so only a client that floods without
	// reading does, and it is disconnected.
	MaxSuperseded int
	// OutboxLimit bounds the pushed messages waiting for the writer; the
	// coalescing ones do not pile up, so only a client that stops reading
	// while events pile up reaches it, and it is disconnected.
	OutboxLimit int
	// Hooks are for tests; nil hooks are skipped.
	Hooks Hooks
}

// Hooks let tests observe and pause a connection deterministically.
type Hooks struct {
	// Queued runs on the reader after a job is stored as the latest.
	Queued func(id int64)
	// BeforeJob runs on the writer before it starts a job.
	BeforeJob func(id int64)
}

// Defaults of Options.
const (
	DefaultWriteWait = 10 * time.Second
	// DefaultPongWait is short so that a student whose network silently
	// dropped leaves the class's roster within about 10 s (presence follows
	// the socket); a page that was only asleep reconnects and resumes.
	DefaultPongWait        = 10 * time.Second
	DefaultMaxMessageBytes = 1 << 20
	DefaultSendBuffer      = 64
	DefaultMaxSuperseded   = 4096
	DefaultOutboxLimit     = 256
	// CloseGrace bounds the close frame sent on shutdown.
	CloseGrace = time.Second
)

func (o *Options) fill() {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.WriteWait, DefaultWriteWait)
	def(&o.PongWait, DefaultPongWait)
	def(&o.PingPeriod, o.PongWait*9/10)
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.SendBuffer <= 0 {
		o.SendBuffer = DefaultSendBuffer
	}
	if o.MaxSuperseded <= 0 {
		o.MaxSuperseded = DefaultMaxSuperseded
	}
	if o.OutboxLimit <= 0 {
		o.OutboxLimit = DefaultOutboxLimit
	}
}

// Envelope is what every client message shares. ID is nil when the
// message has none.
type Envelope struct {
	Type string `json:"type"`
	ID   *int64 `json:"id"`
}

// Router dispatches a client message, on the reader: the connection's
// messages are handled in order. A returned *Error is sent to the client;
// any other error is logged and answered "internal error".
type Router interface {
	Route(c *Conn, env Envelope, raw []byte) error
}

// Job is work for the connection's writer. Run does it on a goroutine of
// its own while the writer goes on pinging and writing replies; it writes
// its answer, or a stream of frames, with emit, which reports false once
// the job should stop (the connection failed, or a newer job canceled a
// streaming one). ctx ends then too. A connection runs one job at a time.
type Job struct {
	ID     int64
	Run    func(ctx context.Context, emit func(msg []byte) bool)
	Stream bool // a newer job cancels it, instead of waiting for it
}

// Conn is one WebSocket client.
type Conn struct {
	ws     *websocket.Conn
	router Router
	opts   Options

	send  chan []byte   // small encoded replies for the writer
	wake  chan struct{} // capacity 1: pending holds a job
	done  chan struct{} // closed when the reader stops
	out   *Outbox       // pushed messages
	emit  chan emitted  // a running job's messages
	quit  chan struct{} // closed when the writer stops
	ended []func()      // run when the reader stops

	mu         sync.Mutex
	pending    *Job    // latest job the writer has not started
	superseded []int64 // ids of the jobs pending replaced

	closeOnce sync.Once
}

type emitted struct {
	msg     []byte
	written chan bool
}

// New wraps an upgraded connection; Serve starts it.
func New(ws *websocket.Conn, router Router, opts Options) *Conn {
	opts.fill()
	c := &Conn{
		ws: ws, router: router, opts: opts,
		send: make(chan []byte, opts.SendBuffer),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
		emit: make(chan emitted),
		quit: make(chan struct{}),
	}
	c.out = newOutbox(opts.OutboxLimit, func() {
		opts.Log.Info("websocket client is not reading its pushed messages; closing")
		ws.Close()
	})
	return c
}

// OnEnd registers f to run once the connection has stopped reading; call
// it before Serve.
func (c *Conn) OnEnd(f func()) { c.ended = append(c.ended, f) }

// Outbox is where messages pushed to this client go.
func (c *Conn) Outbox() *Outbox { return c.out }

// Serve starts the reader and the writer and returns.
func (c *Conn) Serve() {
	go c.writeLoop()
	go c.readLoop()
}

// Close sends a "going away" close frame, waits up to CloseGrace for it
// to be written, and closes the connection; the server calls it on
// shutdown. The reader and writer then stop on their own.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
		c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(CloseGrace))
		c.ws.Close()
	})
	return nil
}

// readLoop reads client messages until the connection fails or closes.
func (c *Conn) readLoop() {
	defer func() {
		close(c.done)
		for _, f := range c.ended {
			f()
		}
		c.ws.Close()
	}()
	c.ws.SetReadLimit(c.opts.MaxMessageBytes)
	c.ws.SetReadDeadline(time.Now().Add(c.opts.PongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(c.opts.PongWait))
	})
	for {
		kind, msg, err := c.ws.ReadMessage()
		if err != nil {
			if websocket.IsUnexpectedCloseError(err, websocket.CloseGoingAway, websocket.CloseNormalClosure, websocket.CloseNoStatusReceived) {
				// A client that vanishes is routine, and any client can
				// make it happen: debug, not a log flood.
				c.opts.Log.Debug("websocket closed", "err", err)
			}
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(c.opts.PongWait))
		if kind != websocket.TextMessage {
			if !c.Reply(ErrorReply(nil, &Error{Msg: "messages must be JSON text, not binary"})) {
				return
			}
			continue
		}
		if !c.dispatch(msg) {
			return
		}
	}
}

// dispatch decodes msg's envelope and routes it; false when the
// connection is closing.
func (c *Conn) dispatch(msg []byte) (ok bool) {
	var env Envelope
	if len(bytes.TrimSpace(msg)) == 0 {
		return c.Reply(ErrorReply(nil, &Error{Msg: "message: " + DescribeJSONError(io.EOF)}))
	}
	if err := json.Unmarshal(msg, &env); err != nil {
		return c.Reply(ErrorReply(nil, &Error{Msg: "message: " + DescribeJSONError(err)}))
	}
	defer func() {
		// A handler that panics must not take the server down with it,
		// nor leave the socket without a reader.
		if v := recover(); v != nil {
			c.opts.Log.Error("websocket handler panicked", "type", env.Type, "panic", v, "stack", string(debug.Stack()))
			ok = c.Reply(ErrorReply(env.ID, &Error{Msg: "internal error handling " + Quote(env.Type)}))
		}
	}()
	if err := c.router.Route(c, env, msg); err != nil {
		var e *Error
		if !errors.As(err, &e) {
			c.opts.Log.Error("websocket handler failed", "type", env.Type, "err", err)
			e = &Error{Msg: "internal error handling " + Quote(env.Type)}
		}
		return c.Reply(ErrorReply(env.ID, e))
	}
	select {
	case <-c.quit:
		return false
	default:
		return true
	}
}

// Reply queues a small reply for the writer. A full queue means the client
// has stopped reading: Reply closes the connection and reports false.
func (c *Conn) Reply(msg []byte) bool {
	select {
	case c.send <- msg:
		return true
	default:
		c.opts.Log.Debug("websocket client is not reading; closing")
		c.ws.Close()
		return false
	}
}

// Submit makes job the latest; the one it replaces will be answered as
// superseded. A client that piles up more than MaxSuperseded replaced
// jobs while one runs is not reading: Submit closes the connection and
// reports false.
func (c *Conn) Submit(job *Job) bool {
	c.mu.Lock()
	if c.pending != nil {
		if len(c.superseded) >= c.opts.MaxSuperseded {
			c.mu.Unlock()
			c.opts.Log.Debug("websocket client is not reading; closing")
			c.ws.Close()
			return false
		}
		c.superseded = append(c.superseded, c.pending.ID)
	}
	c.pending = job
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default: // the writer has been woken already
	}
	if h := c.opts.Hooks.Queued; h != nil {
		h(job.ID)
	}
	return true
}

// take returns the latest job, appending the ids it superseded to ids,
// and clears both.
func (c *Conn) take(ids []int64) (*Job, []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	job := c.pending
	ids = append(ids, c.superseded...)
	c.pending, c.superseded = nil, c.superseded[:0]
	return job, ids
}

// running is the job the writer runs.
type running struct {
	job    *Job
	cancel context.CancelFunc
	done   chan struct{}
	// replaced: a newer job canceled this stream, which is then
	// answered superseded.
	replaced bool
}

// writeLoop writes replies, runs jobs, writes pushed messages and pings
// the client, until the reader stops or a write fails.
func (c *Conn) writeLoop() {
	ticker := time.NewTicker(c.opts.PingPeriod)
	var cur *running
	var ids []int64      // superseded ids, reused
	var pushed []outItem // pushed messages being written, reused
	var canceled []int64 // streaming jobs canceled by a newer one
	defer func() {
		close(c.quit)
		ticker.Stop()
		c.ws.Close()
		if cur != nil {
			cur.cancel()
			// The job's emits now fail; wait for it to give up, so that
			// nothing it holds outlives the connection.
			for {
				select {
				case e := <-c.emit:
					e.written <- false
					continue
				case <-cur.done:
				}
				break
			}
		}
	}()
	// start runs the latest job, after the flush of earlier replies and
	// the superseded notice.
	start := func() error {
		// Queued replies (pongs, errors) answer messages read earlier.
		for flushed := false; !flushed; {
			select {
			case msg := <-c.send:
				if err := c.write(msg); err != nil {
					return err
				}
			default:
				flushed = true
			}
		}
		var job *Job
		job, ids = c.take(append(ids[:0], canceled...))
		canceled = canceled[:0]
		if job == nil {
			return nil
		}
		if len(ids) > 0 {
			if err := c.write(supersededReply(ids, job.ID)); err != nil {
				return err
			}
		}
		if h := c.opts.Hooks.BeforeJob; h != nil {
			h(job.ID)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cur = &running{job: job, cancel: cancel, done: make(chan struct{})}
		go c.run(ctx, cur)
		return nil
	}
	for {
		var curDone <-chan struct{}
		if cur != nil {
			curDone = cur.done
		}
		select {
		case msg := <-c.send:
			if err := c.write(msg); err != nil {
				return
			}
		case <-c.wake:
			if cur == nil {
				if err := start(); err != nil {
					return
				}
			} else if cur.job.Stream {
				// A newer message of any kind cancels a stream; it is
				// answered superseded when it has stopped.
				cur.replaced = true
				cur.cancel()
			}
		case e := <-c.emit:
			err := c.write(e.msg)
			e.written <- err == nil
			if err != nil {
				return
			}
		case <-curDone:
			if cur.replaced {
				canceled = append(canceled, cur.job.ID)
			}
			cur.cancel()
			cur = nil
			if err := start(); err != nil {
				return
			}
		case <-c.out.wake:
			pushed = c.out.take(pushed)
			for _, it := range pushed {
				if err := c.write(it.msg); err != nil {
					return
				}
			}
		case <-ticker.C:
			c.ws.SetWriteDeadline(time.Now().Add(c.opts.WriteWait))
			if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		case <-c.done:
			return
		}
	}
}

// run runs a job on its own goroutine; its messages go through the
// writer, which reports whether each was written.
func (c *Conn) run(ctx context.Context, r *running) {
	defer close(r.done)
	written := make(chan bool, 1)
	emit := func(msg []byte) bool {
		if ctx.Err() != nil {
			return false
		}
		select {
		case c.emit <- emitted{msg, written}:
			return <-written
		case <-ctx.Done():
			return false
		}
	}
	r.job.Run(ctx, emit)
}

func (c *Conn) write(msg []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(c.opts.WriteWait))
	return c.ws.WriteMessage(websocket.TextMessage, msg)
}

func supersededReply(ids []int64, by int64) []byte {
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
