// Package metrics exposes the server's Prometheus metrics at GET /metrics:
// requests by route pattern and status with their latency, compute time by
// loss, the compute queue, rejections by reason and open WebSockets. Each
// Metrics has its own registry, so that tests may build many servers.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Rejection reasons, the values of the reason label of
// playground_rejections_total.
const (
	ReasonBudget     = "budget"      // the cost estimate is over budget (422)
	ReasonBusy       = "busy"        // the compute queue is full (503)
	ReasonTimeout    = "timeout"     // the compute deadline passed (503)
	ReasonRateLimit  = "rate_limit"  // too many API requests from one address (429)
	ReasonWSTotal    = "ws_total"    // too many WebSockets in all (503)
	ReasonWSPerAddr  = "ws_per_addr" // too many WebSockets from one address (429)
	ReasonClientGone = "client_gone" // the client left before its answer
)

// Metrics holds the collectors. Its methods are safe for concurrent use.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	compute    *prometheus.HistogramVec
	rejections *prometheus.CounterVec
	websockets prometheus.Gauge
	inFlight   prometheus.Gauge
}

// New returns the metrics of one server. queueDepth and running are read
// at every scrape (the compute pool's waiting and running computations).
func New(queueDepth, running func() int) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "playground_http_requests_total",
			Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "playground_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and status (a WebSocket's whole life is not counted).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10), // 0.5 ms to 131 s
		}, []string{"route", "status"}),
		compute: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "playground_compute_duration_seconds",
			Help:    "Time from admission to numbers and charts, by loss.",
			Buckets: prometheus.ExponentialBuckets(0.00005, 4, 10), // 50 µs to 13 s
		}, []string{"loss"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "playground_rejections_total",
			Help: "Requests refused or abandoned, by reason.",
		}, []string{"reason"}),
		websockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "playground_websockets_open",
			Help: "Open WebSocket connections.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "playground_http_requests_in_flight",
			Help: "HTTP requests being served (this scrape included; a WebSocket counts until its upgrade).",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.compute, m.rejections, m.websockets, m.inFlight,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "playground_compute_queue_depth",
			Help: "Computations waiting for a compute slot.",
		}, func() float64 { return float64(queueDepth()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "playground_compute_running",
			Help: "Computations holding a compute slot.",
		}, func() float64 { return float64(running()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	for _, r := range []string{ReasonBudget, ReasonBusy, ReasonTimeout, ReasonRateLimit, ReasonWSTotal, ReasonWSPerAddr, ReasonClientGone} {
		m.rejections.WithLabelValues(r) // present at 0 from the start
	}
	return m
}

// Register adds a collector of another part of the server (the classes'
// gauge, say) to /metrics.
func (m *Metrics) Register(c prometheus.Collector) error { return m.reg.Register(c) }

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Middleware counts and times every request by its chi route pattern
// ("/losses/{slug}", never the raw path, so that the label set stays
// small) and status. Unmatched paths count under "unmatched".
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		status := ww.Status()
		if status == 0 {
			// A hijacked WebSocket, or a handler that wrote nothing.
			status = http.StatusOK
			if r.Header.Get("Upgrade") != "" {
				status = http.StatusSwitchingProtocols
			}
		}
		code := strconv.Itoa(status)
		m.requests.WithLabelValues(route, methodLabel(r.Method), code).Inc()
		if status != http.StatusSwitchingProtocols {
			m.latency.WithLabelValues(route, code).Observe(time.Since(start).Seconds())
		}
	})
}

// methodLabel keeps the method label's values to the methods HTTP
// defines: any client may send any token as a method, and each new value
// would be a new series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// ObserveCompute records one computation of loss.
func (m *Metrics) ObserveCompute(loss string, d time.Duration) {
	m.compute.WithLabelValues(loss).Observe(d.Seconds())
}

// Reject counts a refused or abandoned request.
func (m *Metrics) Reject(reason string) { m.rejections.WithLabelValues(reason).Inc() }

// WebSocketOpened and WebSocketClosed track open WebSockets.
func (m *Metrics) WebSocketOpened() { m.websockets.Inc() }

// WebSocketClosed: see WebSocketOpened.
func (m *Metrics) WebSocketClosed() { m.websockets.Dec() }
