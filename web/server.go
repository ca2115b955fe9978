// Package web serves Loss Playground: pages rendered with templ, the JSON
// loss API, the WebSocket that streams live results, and embedded assets.
package web

import (
	"errors"
	"log/slog"
	"sync"

	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/chartimage"
)

// Config holds what the web layer needs from main.
type Config struct {
	Logger *slog.Logger
	Dev    bool // serve assets from disk
	// WSOrigins are extra Origin values ("https://docs.example.org")
	// allowed to open the WebSocket besides the page's own host.
	WSOrigins []string
	// ChartImages tunes the server-side chart renderer (chart_image.go);
	// zero values take its defaults.
	ChartImages chartimage.Options
}

// App holds the dependencies every handler shares.
type App struct {
	log *slog.Logger
	dev bool

	ws wsOptions

	chartImages *chartimage.Renderer // SVG charts at /…/charts/{chart}.svg

	mu      sync.Mutex
	conns   map[closer]struct{} // live WebSocket connections, closed on shutdown
	closing bool                // CloseConnections ran: refuse new connections
}

type closer interface{ Close() error }

// New builds the web application.
func New(cfg Config) (*App, error) {
	// Parse every lesson now, so that a bad lesson file stops start-up.
	if _, err := lessons.Load(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	images, err := chartimage.New(cfg.ChartImages)
	if errors.Is(err, chartimage.ErrNoBuild) {
		// Like a build without static/vendor: everything else works, and
		// chart images answer 503 saying what is missing.
		log.Warn("chart images disabled", "err", err)
		images = nil
	} else if err != nil {
		return nil, err
	}
	return &App{log: log, dev: cfg.Dev, ws: wsOptions{origins: cfg.WSOrigins}, chartImages: images, conns: map[closer]struct{}{}}, nil
}

// CloseConnections closes every live WebSocket connection; the server
// calls it on shutdown, since http.Server.Shutdown leaves hijacked
// connections alone.
func (a *App) CloseConnections() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closing = true
	for c := range a.conns {
		c.Close()
	}
}

// track records a live connection; it reports false, tracking nothing,
// once the server is shutting down.
func (a *App) track(c closer) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closing {
		return false
	}
	a.conns[c] = struct{}{}
	return true
}

func (a *App) untrack(c closer) {
	a.mu.Lock()
	delete(a.conns, c)
	a.mu.Unlock()
}
