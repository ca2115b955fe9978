// Package web serves Loss Playground: pages rendered with templ, the JSON
// loss API, the WebSocket that streams live results, and embedded assets.
package web

import (
	"log/slog"
	"strings"
	"sync"

	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/class"
)

// Config holds what the web layer needs from main.
type Config struct {
	Logger *slog.Logger
	Dev    bool // serve assets from disk
	// WSOrigins are extra Origin values ("https://docs.example.org")
	// allowed to open the WebSocket besides the page's own host.
	WSOrigins []string
	// PublicURL is the origin printed in class join links and QR codes
	// ("https://playground.example.edu"); empty uses the request's host.
	PublicURL string
	// NATSURL is a NATS server shared by replicas for classes
	// (nats://host:4222); empty runs an embedded one in this process.
	NATSURL string
	// ClassLimits bound classes; zero takes class.DefaultLimits.
	ClassLimits class.Limits
}

// App holds the dependencies every handler shares.
type App struct {
	log *slog.Logger
	dev bool

	ws wsOptions

	classes     *class.Hub
	classFrames wsClassFrames // prepared frames of class states (ws_class.go)
	publicURL   string

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
	a := &App{log: log, dev: cfg.Dev, ws: wsOptions{origins: cfg.WSOrigins}, conns: map[closer]struct{}{},
		publicURL: strings.TrimSuffix(cfg.PublicURL, "/")}
	a.classes = class.NewHub(class.Options{Log: log, NATSURL: cfg.NATSURL, Limits: cfg.ClassLimits, NewComputer: a.newClassComputer})
	return a, nil
}

// Close releases what the app holds besides connections: the classes'
// bus (and the embedded NATS server, if it started one).
func (a *App) Close() {
	a.classes.Close()
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
