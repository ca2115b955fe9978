// Package web serves Loss Playground: pages rendered with templ, the JSON
// loss API, the WebSocket that streams live results, and embedded assets.
package web

import (
	"errors"
	"log/slog"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/lessons/plans"
	"github.com/lossplayground/playground/web/admission"
	"github.com/lossplayground/playground/web/chartimage"
	"github.com/lossplayground/playground/web/class"
	"github.com/lossplayground/playground/web/clientip"
	"github.com/lossplayground/playground/web/metrics"
	"golang.org/x/time/rate"
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
	// NATSCreds is a NATS credentials file for NATSURL.
	NATSCreds string
	// ClassLimits bound classes; zero takes class.DefaultLimits.
	ClassLimits class.Limits
	// EmbedAncestors are the origins ("https://docs.example.org") allowed
	// to frame /embed/* pages; empty lets any site frame them. Every other
	// page may be framed by this server only.
	EmbedAncestors []string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For or
	// Forwarded headers name the client (web/clientip); every per-address
	// limit, and the logs, use that client address. Empty trusts no
	// header: the client is the connection's peer.
	TrustedProxies []netip.Prefix

	// Limits; zero takes the default of the same name (limits.go).
	ComputeSlots int // computations at once (default: the cores)
	ComputeQueue int // computations waiting for a slot
	WSMaxConns   int // open WebSockets in all
	WSMaxPerAddr int // open WebSockets from one client address
	// WSHandshakesPerSec bounds new WebSockets per client address per
	// second, after a burst of a lecture hall arriving at once.
	WSHandshakesPerSec int
	APIRatePerMin      int // API requests per client address per minute
	// ChartImages tunes the server-side chart renderer (chart_image.go);
	// zero values take its defaults.
	ChartImages chartimage.Options
}

// App holds the dependencies every handler shares.
type App struct {
	log *slog.Logger
	dev bool

	ws wsOptions

	classes     *class.Hub
	publicURL   string
	chartImages *chartimage.Renderer // SVG charts at /…/charts/{chart}.svg

	embedCSP string             // the frame policy of /embed/* pages
	clientIP *clientip.Resolver // whose address a request counts against (clientAddr)
	limits   limits
	pool     *admission.Pool
	metrics  *metrics.Metrics
	compute  *Computer // every computation's path (compute.go)

	mu         sync.Mutex
	conns      map[closer]struct{}      // live WebSocket connections, closed on shutdown
	connsFrom  map[string]int           // reserved WebSockets by client address (reserveWS)
	handshakes map[string]*wsHandshakes // recent WebSocket handshakes by client address
	swept      time.Time                // when handshakes last forgot idle addresses
	wsOpen     int                      // reserved WebSockets in all
	closing    bool                     // CloseConnections ran: refuse new connections
}

type closer interface{ Close() error }

// New builds the web application.
func New(cfg Config) (*App, error) {
	// Parse every lesson now, so that a bad lesson file stops start-up.
	// Lessons are typeset as they load; the losses' formulas are typeset
	// in the background (loss_formulas.go).
	if _, err := lessons.Load(); err != nil {
		return nil, err
	}
	warmFormulas()
	// Plans are built from the lessons with numbers from the engine; a bad
	// plan file stops start-up too.
	planLib, err := plans.Load()
	if err != nil {
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
	lim := limitsOf(cfg)
	pool := admission.New(lim.computeSlots, lim.computeQueue)
	m := metrics.New(pool.Waiting, pool.Running)
	a := &App{
		log: log, dev: cfg.Dev, ws: wsOptions{origins: cfg.WSOrigins, pingPeriod: wsPingPeriod},
		embedCSP: embedFramePolicy(cfg.EmbedAncestors),
		clientIP: clientip.New(cfg.TrustedProxies),
		limits:   lim, pool: pool, metrics: m,
		compute:     NewComputer(pool, m),
		chartImages: images,
		conns:       map[closer]struct{}{}, connsFrom: map[string]int{}, handshakes: map[string]*wsHandshakes{},
		publicURL: strings.TrimSuffix(cfg.PublicURL, "/"),
	}
	a.classes = class.NewHub(class.Options{Log: log, NATSURL: cfg.NATSURL, NATSCreds: cfg.NATSCreds,
		Limits: cfg.ClassLimits, NewComputer: a.newClassComputer, CheckPage: classCheckPage, PageDrive: a.classPageDrive})
	if err := a.checkPlans(planLib); err != nil {
		return nil, err
	}
	if err := a.registerClassMetrics(); err != nil {
		return nil, err
	}
	return a, nil
}

// Close releases what the app holds besides connections: the classes'
// bus (and the embedded NATS server, if it started one).
func (a *App) Close() {
	a.classes.Close()
}

// defaultComputeSlots is one computation per core: the engine's own
// parallel loops use the cores too, so more would only queue on the CPU.
func defaultComputeSlots() int { return runtime.GOMAXPROCS(0) }

// CloseConnections closes every live WebSocket connection with 1001
// (going away) and returns once each close frame is written (or after
// live.CloseGrace); the server calls it on shutdown, since
// http.Server.Shutdown leaves hijacked connections alone. New
// connections are refused from then on.
func (a *App) CloseConnections() {
	a.mu.Lock()
	a.closing = true
	conns := make([]closer, 0, len(a.conns))
	for c := range a.conns {
		conns = append(conns, c)
	}
	a.mu.Unlock()
	closeAll(conns)
}

// Outcomes of reserveWS.
const (
	wsReserved = iota
	wsRefusedTotal
	wsRefusedPerAddr
	wsRefusedRate
)

// wsHandshakes is one address's recent handshakes: a token bucket.
type wsHandshakes struct {
	lim  *rate.Limiter
	seen time.Time
}

// reserveWS counts one more WebSocket from addr before the upgrade, so
// that concurrent upgrades cannot overshoot the caps: the open sockets in
// all and from addr, and addr's handshakes per second. Every reservation
// (wsReserved) ends with releaseWS.
func (a *App) reserveWS(addr string) int {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.wsOpen >= a.limits.wsMaxConns:
		return wsRefusedTotal
	case a.connsFrom[addr] >= a.limits.wsMaxPerAddr:
		return wsRefusedPerAddr
	}
	// A bucket idle for a burst's worth of refill is full again:
	// forgetting it changes nothing, and the map stays bounded by the
	// addresses of the last minutes.
	burst := a.limits.wsHandshakeBurst
	idle := time.Duration(burst) * time.Second / time.Duration(a.limits.wsHandshakesPerSec)
	if now.Sub(a.swept) > idle {
		for ad, h := range a.handshakes {
			if now.Sub(h.seen) > idle {
				delete(a.handshakes, ad)
			}
		}
		a.swept = now
	}
	h := a.handshakes[addr]
	if h == nil {
		h = &wsHandshakes{lim: rate.NewLimiter(rate.Limit(a.limits.wsHandshakesPerSec), burst)}
		a.handshakes[addr] = h
	}
	h.seen = now
	if !h.lim.AllowN(now, 1) {
		return wsRefusedRate
	}
	a.wsOpen++
	a.connsFrom[addr]++
	a.metrics.WebSocketOpened()
	return wsReserved
}

func (a *App) releaseWS(addr string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.wsOpen--
	if a.connsFrom[addr]--; a.connsFrom[addr] <= 0 {
		delete(a.connsFrom, addr)
	}
	a.metrics.WebSocketClosed()
}

// track records a live connection, to close on shutdown; it reports false,
// tracking nothing, once the server is shutting down.
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
