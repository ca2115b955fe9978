package class

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The bus is NATS, in every setup: one process runs an embedded server in
// memory that nothing outside can reach; several replicas point -nats at a
// shared server. JetStream key-value holds what a late joiner or another
// replica must read (a class's settings, current state, questions and
// answers, snapshots) and expires it after the idle time; core subjects
// carry the fan-out and the presence heartbeats.
//
// The connection comes and goes: the client reconnects forever, and on
// every reconnect the bucket is created again (a memory bucket is gone
// after the server restarts); until it is, class operations answer
// ErrUnavailable at once instead of waiting for a timeout.
const (
	bucketName = "lp_classes"
	// maxPayload is the embedded server's message limit: a class state
	// carries a 1 MiB input and its charts.
	maxPayload = 8 << 20
	// busTimeout bounds one key-value operation; the ready check makes
	// an outage answer at once, so this only bounds a slow server.
	busTimeout = 3 * time.Second
	// reconnectWait is the pause between two attempts to reach a server
	// that is down.
	reconnectWait = 250 * time.Millisecond
)

// busOptions say where the bus is.
type busOptions struct {
	// URL is an external NATS server (nats://user:pass@host:4222 or
	// nats://token@host:4222); empty runs an embedded one.
	URL string
	// Creds is a NATS credentials file (JWT and seed), for a shared
	// server that requires them.
	Creds string
	// StoreBytes is the bucket's size.
	StoreBytes int64
	// Idle is the bucket's TTL.
	Idle time.Duration
}

// natsBus is a connection to NATS with the classes' bucket.
type natsBus struct {
	opts busOptions
	nc   *nats.Conn
	js   jetstream.JetStream
	log  *busLog

	openMu sync.Mutex // one openBucket at a time
	mu     sync.Mutex
	kv     jetstream.KeyValue
	// ready is set while connected and the bucket exists.
	ready atomic.Bool
	// epoch counts the times the bucket was (re)created, so that rooms
	// notice a reconnect.
	epoch   atomic.Int64
	onReady func() // the hub's reconnect hook

	embedded *server.Server // nil when connected to an external server
	tempDir  string         // the embedded server's store, removed on Close
	closed   chan struct{}
	once     sync.Once
}

// EmbeddedServer starts a NATS server with JetStream in memory. With
// listen it also listens on a random loopback port (ClientURL), which tests
// use to give two replicas one server; otherwise it listens on nothing and
// only this process reaches it.
func EmbeddedServer(listen bool, storeDir string) (*server.Server, error) {
	port := server.RANDOM_PORT
	if !listen {
		port = 0
	}
	return embeddedServer(listen, port, storeDir)
}

// EmbeddedServerOn starts an embedded server listening on a fixed
// loopback port: a test stops it and starts it again on the same port,
// as an operator restarts a shared server.
func EmbeddedServerOn(port int, storeDir string) (*server.Server, error) {
	return embeddedServer(true, port, storeDir)
}

func embeddedServer(listen bool, port int, storeDir string) (*server.Server, error) {
	opts := &server.Options{
		ServerName: "lossplayground",
		JetStream:  true,
		StoreDir:   storeDir,
		MaxPayload: maxPayload,
		NoSigs:     true,
		NoLog:      true,
		DontListen: !listen,
		Host:       "127.0.0.1",
		Port:       port,
		// JetStream memory for the classes: the bucket's own budget
		// (Limits.StoreBytes) is the bound that matters.
		JetStreamMaxMemory: 1 << 30,
		JetStreamMaxStore:  64 << 20,
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("nats: embedded server did not start")
	}
	return ns, nil
}

// dial connects the bus. An external server that is down is no error:
// the client keeps trying, and the bus is unavailable until it answers.
func dial(opts busOptions, log *slog.Logger) (*natsBus, error) {
	b := &natsBus{opts: opts, log: newBusLog(log), closed: make(chan struct{})}
	nopts := []nats.Option{
		nats.Name("lossplayground"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
		// No buffering while disconnected: a publish fails at once and
		// the caller answers 503, instead of a burst of stale states
		// when the server returns.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			b.ready.Store(false)
			b.log.state("class bus disconnected", "err", err)
		}),
		nats.ReconnectHandler(func(*nats.Conn) {
			b.log.state("class bus reconnected")
			go b.openBucket()
		}),
		nats.ConnectHandler(func(*nats.Conn) { go b.openBucket() }),
		nats.ClosedHandler(func(*nats.Conn) { b.ready.Store(false) }),
	}
	var url string
	if opts.URL == "" {
		dir, err := os.MkdirTemp("", "lossplayground-nats-")
		if err != nil {
			return nil, err
		}
		ns, err := EmbeddedServer(false, dir)
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		b.embedded, b.tempDir = ns, dir
		url = ns.ClientURL()
		nopts = append(nopts, nats.InProcessServer(ns))
	} else {
		url = opts.URL
		nopts = append(nopts, nats.RetryOnFailedConnect(true))
		if opts.Creds != "" {
			nopts = append(nopts, nats.UserCredentials(opts.Creds))
		}
	}
	nc, err := nats.Connect(url, nopts...)
	if err != nil {
		b.shutdownEmbedded()
		return nil, fmt.Errorf("nats: connect: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		b.shutdownEmbedded()
		return nil, fmt.Errorf("nats: jetstream: %w", err)
	}
	b.mu.Lock()
	b.nc, b.js = nc, js
	b.mu.Unlock()
	if nc.IsConnected() {
		// The connect handler may have run before b.nc was set, or not
		// at all (in-process): open the bucket now.
		b.openBucket()
	}
	return b, nil
}

// openBucket creates the bucket (again) and marks the bus ready; it
// retries while the connection is up and the bus open.
func (b *natsBus) openBucket() {
	b.openMu.Lock()
	defer b.openMu.Unlock()
	b.mu.Lock()
	nc, js := b.nc, b.js
	b.mu.Unlock()
	for attempt := 0; ; attempt++ {
		select {
		case <-b.closed:
			return
		default:
		}
		if nc == nil || js == nil || !nc.IsConnected() {
			return // the next reconnect tries again
		}
		ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
		// Every key expires idle after TTL: a class whose keys were not
		// written for that long is gone.
		kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:   bucketName,
			History:  1,
			TTL:      b.opts.Idle,
			Storage:  jetstream.MemoryStorage,
			MaxBytes: b.opts.StoreBytes,
		})
		cancel()
		if err == nil {
			b.mu.Lock()
			b.kv = kv
			b.mu.Unlock()
			b.epoch.Add(1)
			b.ready.Store(true)
			if b.onReady != nil {
				go b.onReady()
			}
			return
		}
		b.log.errorf("class bucket", err)
		select {
		case <-b.closed:
			return
		case <-time.After(min(time.Duration(attempt+1)*reconnectWait, 2*time.Second)):
		}
	}
}

// bucket returns the key-value bucket, or ErrUnavailable at once while
// the bus is down.
func (b *natsBus) bucket() (jetstream.KeyValue, error) {
	if !b.ready.Load() {
		return nil, ErrUnavailable
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.kv == nil || !b.nc.IsConnected() {
		return nil, ErrUnavailable
	}
	return b.kv, nil
}

// Ready reports whether the bus is connected with its bucket.
func (b *natsBus) Ready() bool { return b.ready.Load() && b.conn().IsConnected() }

func (b *natsBus) conn() *nats.Conn {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nc
}

// Close closes the connection, the embedded server if the bus owns one,
// and its temporary directory.
func (b *natsBus) Close() {
	b.once.Do(func() {
		close(b.closed)
		b.ready.Store(false)
		if b.nc != nil {
			b.nc.Drain()
			b.nc.Close()
		}
		b.shutdownEmbedded()
	})
}

func (b *natsBus) shutdownEmbedded() {
	if b.embedded != nil {
		b.embedded.Shutdown()
		b.embedded.WaitForShutdown()
		b.embedded = nil
	}
	if b.tempDir != "" {
		os.RemoveAll(b.tempDir)
		b.tempDir = ""
	}
}

// busLog logs the bus's errors at most once per busLogEvery for each
// kind, with the count of those it held back: an outage is a handful of
// lines, not one per request.
type busLog struct {
	log *slog.Logger
	mu  sync.Mutex
	by  map[string]*busLogEntry
}

type busLogEntry struct {
	last       time.Time
	suppressed int
}

const busLogEvery = 30 * time.Second

func newBusLog(log *slog.Logger) *busLog {
	return &busLog{log: log, by: map[string]*busLogEntry{}}
}

// errorf logs err under what, rate-limited.
func (l *busLog) errorf(what string, err error, args ...any) {
	l.mu.Lock()
	e := l.by[what]
	if e == nil {
		e = &busLogEntry{}
		l.by[what] = e
	}
	now := time.Now()
	if now.Sub(e.last) < busLogEvery {
		e.suppressed++
		l.mu.Unlock()
		return
	}
	n := e.suppressed
	e.last, e.suppressed = now, 0
	l.mu.Unlock()
	args = append(args, "err", err)
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	l.log.Error(what, args...)
}

// state logs a change of the connection, which happens rarely.
func (l *busLog) state(msg string, args ...any) { l.log.Warn(msg, args...) }

// Keys and subjects of one class. Codes, student ids and question ids use
// only [0-9a-zA-Z], valid in both.
func keyMeta(code string) string             { return "c." + code + ".meta" }
func keyState(code string) string            { return "c." + code + ".state" }
func keySnaps(code string) string            { return "c." + code + ".snaps" }
func keyPoll(code, qid string) string        { return "c." + code + ".q." + qid }
func keyAnswer(code, qid, sid string) string { return "c." + code + ".a." + qid + "." + sid }
func keyAnswers(code, qid string) string     { return "c." + code + ".a." + qid + ".*" }
func subjectState(code string) string        { return "lp.class." + code + ".state" }
func subjectAll(code string) string          { return "lp.class." + code + ".all" }
func subjectTeachers(code string) string     { return "lp.class." + code + ".teachers" }
func subjectControl(code string) string      { return "lp.class." + code + ".control" }
func subjectPresence(code string) string     { return "lp.class." + code + ".presence" }
func subjectAnswer(code string) string       { return "lp.class." + code + ".answer" }
func subjectClassAny(code string) string     { return "lp.class." + code + ".*" }
