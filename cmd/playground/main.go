// Command playground serves Loss Playground: an interactive page for every
// PyTorch loss function, computed by the engine in this repository.
//
//	playground [-addr 127.0.0.1:8080] [-dev] [-ws-origin ...]   serve
//	playground render -o DIR [-format svg|png] MANIFEST          write chart images, no server
//	playground -version                                          print the version and commit
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lossplayground/playground/web"
	"github.com/lossplayground/playground/web/clientip"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "render" {
		if err := render(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "playground render:", err)
			os.Exit(1)
		}
		return
	}
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dev := flag.Bool("dev", false, "serve static assets from disk (web/static) instead of the embedded copy")
	wsOrigins := flag.String("ws-origin", "", "comma-separated extra origins allowed to open the WebSocket, e.g. https://docs.example.org")
	embedAncestors := flag.String("embed-ancestors", "", "comma-separated origins allowed to frame /embed/* pages, e.g. https://docs.example.org (default: any site)")
	logLevel := flag.String("log-level", "info", "debug, info, warn or error (client disconnects are logged at debug)")
	trustedProxies := flag.String("trusted-proxies", "", "comma-separated CIDR prefixes of reverse proxies whose X-Forwarded-For or Forwarded header names the client, e.g. 127.0.0.1/32,::1/128 (default: none; limits count the connection's address)")
	showVersion := flag.Bool("version", false, "print the version and commit, then exit")
	var cfg web.Config
	flag.StringVar(&cfg.PublicURL, "public-url", "", "origin printed in class join links and QR codes, e.g. https://playground.example.edu (default: the request's host)")
	flag.StringVar(&cfg.NATSURL, "nats", "", "NATS server shared by replicas for classes, e.g. nats://user:password@host:4222 or nats://token@host:4222 (default: an embedded server in this process); a shared server must require credentials")
	flag.StringVar(&cfg.NATSCreds, "nats-creds", "", "NATS credentials file (JWT and seed) for -nats")
	flag.IntVar(&cfg.ComputeSlots, "compute-slots", 0, "computations at once (0: one per core)")
	flag.IntVar(&cfg.ComputeQueue, "compute-queue", 0, "computations waiting for a slot before the server answers busy (0: 8)")
	flag.IntVar(&cfg.WSMaxConns, "ws-max-conns", 0, "open WebSockets in all (0: 4096)")
	flag.IntVar(&cfg.WSMaxPerAddr, "ws-max-per-addr", 0, "open WebSockets from one client address (0: 1024)")
	flag.IntVar(&cfg.WSHandshakesPerSec, "ws-handshakes-per-sec", 0, "new WebSockets per client address per second, after a burst of 25 times as many, at least 500 (0: 20)")
	flag.IntVar(&cfg.APIRatePerMin, "api-rate", 0, "API requests per client address per minute (0: 1200)")
	flag.Parse()
	if *showVersion {
		fmt.Println(versionString())
		return
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "-log-level: %v\n", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg.Logger, cfg.Dev = logger, *dev
	if *wsOrigins != "" {
		cfg.WSOrigins = strings.Split(*wsOrigins, ",")
	}
	if *embedAncestors != "" {
		origins, err := parseOrigins(*embedAncestors)
		if err != nil {
			fmt.Fprintf(os.Stderr, "-embed-ancestors: %v\n", err)
			os.Exit(2)
		}
		cfg.EmbedAncestors = origins
	}
	proxies, err := clientip.ParsePrefixes(*trustedProxies)
	if err != nil {
		fmt.Fprintf(os.Stderr, "-trusted-proxies: %v\n", err)
		os.Exit(2)
	}
	cfg.TrustedProxies = proxies
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, logger, *addr, cfg); err != nil {
		logger.Error("playground stopped", "err", err)
		os.Exit(1)
	}
}

// parseOrigins splits a comma-separated list of origins
// (scheme://host[:port]), refusing anything else: the list goes into a
// Content-Security-Policy header.
func parseOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.ContainsAny(o, " ;,'\"") {
			return nil, fmt.Errorf("%q is not an origin such as https://docs.example.org", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}

// Server timeouts: slow clients must not hold connections, goroutines and
// memory forever.
const (
	// readHeaderTimeout bounds reading the request line and headers.
	readHeaderTimeout = 5 * time.Second
	// readTimeout bounds reading a whole request, body included: a 1 MiB
	// body at 170 KiB/s (a page's request is a few kilobytes). A body
	// trickled more slowly is cut (400) before it holds a goroutine long.
	readTimeout = 6 * time.Second
	// writeTimeout bounds a request from the end of its headers to the
	// end of its answer: the compute deadline (5 s) and queue, then the
	// largest answer the budgets allow (16 MiB) at 700 KiB/s. A client
	// that does not read is cut. WebSockets set their own deadlines per
	// message.
	writeTimeout = 30 * time.Second
	// idleTimeout closes keep-alive connections with no request.
	idleTimeout = 120 * time.Second
	// shutdownGrace is how long in-flight requests may finish after
	// SIGTERM; then they are canceled (their computations stop) and the
	// process exits 0, well within the 15 s orchestrators usually allow.
	shutdownGrace = 8 * time.Second
	// shutdownCancelWait is how long canceled requests may take to answer.
	shutdownCancelWait = 2 * time.Second
)

func run(ctx context.Context, logger *slog.Logger, addr string, cfg web.Config) error {
	app, err := web.New(cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	// Every request's context derives from base: canceling it at the end
	// of the grace period stops the computations still running.
	base, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	srv := &http.Server{
		Addr:              addr,
		Handler:           app.Routes(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
		// The server's own messages are mostly about clients (TLS
		// handshakes, bad requests, broken connections): warn.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	logger.Info("serving Loss Playground", "url", "http://"+ln.Addr().String(), "version", versionString(),
		"trusted_proxies", fmt.Sprint(cfg.TrustedProxies))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "grace", shutdownGrace)
	// Shutdown leaves hijacked WebSocket connections alone: close them
	// first with 1001 (going away), waiting for the close frames, so that
	// pages reconnect to another replica instead of seeing 1006.
	app.CloseConnections()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// The grace period is over: cancel what still runs, give it a
		// moment to answer, then close every connection.
		logger.Warn("shutdown grace period over: canceling in-flight requests", "err", err)
		cancelRequests()
		cctx, cancel := context.WithTimeout(context.Background(), shutdownCancelWait)
		defer cancel()
		if err := srv.Shutdown(cctx); err != nil {
			srv.Close()
		}
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
