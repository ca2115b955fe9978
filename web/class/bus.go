package class

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The bus is NATS, in every setup: one process runs an embedded server in
// memory that nothing outside can reach; several replicas point -nats at a
// shared server. JetStream key-value holds what a late joiner or another
// replica must read (a class's settings, current state, roster, question
// and answers, snapshots) and expires it after the idle time; core
// subjects carry the fan-out.
const (
	bucketName = "lp_classes"
	// maxPayload is the embedded server's message limit: a class state
	// carries a 1 MiB input and its charts.
	maxPayload = 8 << 20
	// busTimeout bounds one key-value operation.
	busTimeout = 5 * time.Second
)

// Bus is a connection to NATS with the classes' bucket.
type Bus struct {
	nc       *nats.Conn
	kv       jetstream.KeyValue
	embedded *server.Server // nil when connected to an external server
}

// EmbeddedServer starts a NATS server with JetStream in memory. With
// listen it also listens on a random loopback port (ClientURL), which tests
// use to give two replicas one server; otherwise it listens on nothing and
// only this process reaches it.
func EmbeddedServer(listen bool, storeDir string) (*server.Server, error) {
	opts := &server.Options{
		ServerName: "lossplayground",
		JetStream:  true,
		StoreDir:   storeDir,
		MaxPayload: maxPayload,
		NoSigs:     true,
		NoLog:      true,
		DontListen: !listen,
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		// JetStream memory for the classes: states are small, and the
		// bucket's TTL removes idle classes.
		JetStreamMaxMemory: 512 << 20,
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

// ConnectEmbedded connects to an embedded server in-process.
func ConnectEmbedded(ctx context.Context, ns *server.Server, idle time.Duration) (*Bus, error) {
	nc, err := nats.Connect(ns.ClientURL(), nats.InProcessServer(ns), nats.Name("lossplayground"))
	if err != nil {
		return nil, fmt.Errorf("nats: connect in-process: %w", err)
	}
	return openBus(ctx, nc, idle)
}

// ConnectURL connects to an external NATS server (nats://host:4222).
func ConnectURL(ctx context.Context, url string, idle time.Duration) (*Bus, error) {
	nc, err := nats.Connect(url, nats.Name("lossplayground"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("nats: connect %s: %w", url, err)
	}
	return openBus(ctx, nc, idle)
}

func openBus(ctx context.Context, nc *nats.Conn, idle time.Duration) (*Bus, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: jetstream: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	// Every key expires idle after TTL: a class whose settings key was
	// not touched for that long is gone.
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:   bucketName,
		History:  1,
		TTL:      idle,
		Storage:  jetstream.MemoryStorage,
		MaxBytes: 256 << 20,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: classes bucket: %w", err)
	}
	return &Bus{nc: nc, kv: kv}, nil
}

// Close closes the connection, and the embedded server if the bus owns
// one.
func (b *Bus) Close() {
	b.nc.Drain()
	b.nc.Close()
	if b.embedded != nil {
		b.embedded.Shutdown()
		b.embedded.WaitForShutdown()
	}
}

// Keys and subjects of one class. Codes use only [2-9A-Z], valid in both.
func keyMeta(code string) string         { return "c." + code + ".meta" }
func keyState(code string) string        { return "c." + code + ".state" }
func keyPoll(code string) string         { return "c." + code + ".poll" }
func keySnaps(code string) string        { return "c." + code + ".snaps" }
func keyStudent(code, id string) string  { return "c." + code + ".s." + id }
func keyStudents(code string) string     { return "c." + code + ".s.*" }
func subjectState(code string) string    { return "lp.class." + code + ".state" }
func subjectAll(code string) string      { return "lp.class." + code + ".all" }
func subjectTeachers(code string) string { return "lp.class." + code + ".teachers" }
func subjectClassAny(code string) string { return "lp.class." + code + ".*" }
