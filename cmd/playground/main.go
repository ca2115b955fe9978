// Command playground serves Loss Playground: an interactive page for every
// PyTorch loss function, computed by the engine in this repository.
//
//	playground [-addr 127.0.0.1:8080] [-dev] [-ws-origin ...]   serve
//	playground render -o DIR [-format svg|png] MANIFEST          write chart images, no server
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lossplayground/playground/web"
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
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := web.Config{Logger: logger, Dev: *dev}
	if *wsOrigins != "" {
		cfg.WSOrigins = strings.Split(*wsOrigins, ",")
	}
	if err := run(ctx, logger, *addr, cfg); err != nil {
		logger.Error("playground stopped", "err", err)
		os.Exit(1)
	}
}

// Server timeouts: slow clients must not hold connections forever.
const (
	readHeaderTimeout = 5 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 10 * time.Second
)

func run(ctx context.Context, logger *slog.Logger, addr string, cfg web.Config) error {
	app, err := web.New(cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              addr,
		Handler:           app.Routes(),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// Shutdown does not close hijacked WebSocket connections; the app does.
	srv.RegisterOnShutdown(app.CloseConnections)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	logger.Info("serving Loss Playground", "url", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
