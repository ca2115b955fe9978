package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/web/metrics"
)

// WebSocket tuning. docs/protocol.md describes the protocol these serve.
const (
	// wsWriteWait is the time allowed to write one message to the peer.
	wsWriteWait = 10 * time.Second
	// wsPongWait is the time allowed between two messages from the peer
	// (a pong counts); a silent peer is dropped after it.
	wsPongWait = 60 * time.Second
	// wsPingPeriod sends pings often enough that a live peer's pong
	// arrives within wsPongWait.
	wsPingPeriod = wsPongWait * 9 / 10
	// wsMaxMessageBytes bounds one client message, like the loss API's
	// request body. A larger message closes the connection with 1009
	// (message too big): the reader cannot skip it and stay in sync.
	wsMaxMessageBytes = maxRequestBytes
	// wsSendBuffer is the number of small replies (errors, pongs) queued
	// for the writer. A client that lets it fill is not reading, and is
	// disconnected.
	wsSendBuffer = 64
	// wsMaxSuperseded bounds the superseded compute requests waiting to be
	// answered while the writer is busy: at 60 slider events a second it
	// takes over a minute to reach, far beyond wsWriteWait, so only a
	// client that floods without reading does, and it is disconnected.
	wsMaxSuperseded = 4096
	// wsBufferBytes sizes the upgrader's read and write buffers; a
	// default result fits in one.
	wsBufferBytes = 4096
)

// wsOptions configures the WebSocket endpoint.
type wsOptions struct {
	// origins are extra allowed values of the Origin header
	// ("https://example.org"), besides the page's own host.
	origins []string
	// pingPeriod is wsPingPeriod; tests shorten it.
	pingPeriod time.Duration
	// hooks are set by tests only.
	hooks wsHooks
}

// wsHooks let tests observe and pause a connection deterministically. Nil
// hooks are skipped.
type wsHooks struct {
	// queued runs on the reader after a compute message is stored as the
	// connection's latest request.
	queued func(id int64)
	// beforeCompute runs on the writer before it computes a request.
	beforeCompute func(id int64)
}

// serveWS upgrades GET /ws to a WebSocket that streams live results.
func (a *App) serveWS(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	switch a.reserveWS(addr) {
	case "":
	case metrics.ReasonWSTotal:
		a.metrics.Reject(metrics.ReasonWSTotal)
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		writeJSONError(w, http.StatusServiceUnavailable, "websocket: the server has as many live connections as it takes; try again later")
		return
	default:
		a.metrics.Reject(metrics.ReasonWSPerAddr)
		writeJSONError(w, http.StatusTooManyRequests, fmt.Sprintf("websocket: your address has %d live connections, the most the server takes from one address; close some", a.limits.wsMaxPerAddr))
		return
	}
	up := websocket.Upgrader{
		ReadBufferSize:  wsBufferBytes,
		WriteBufferSize: wsBufferBytes,
		CheckOrigin:     a.wsCheckOrigin,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			writeJSONError(w, status, "websocket: "+reason.Error())
		},
	}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		// Upgrade has already answered with an error status.
		a.releaseWS(addr)
		a.log.Debug("websocket upgrade refused", "origin", r.Header.Get("Origin"), "err", err)
		return
	}
	// The connection outlives the request: keep the request's values (the
	// compute environment), not its cancellation.
	c := newWSConn(context.WithoutCancel(r.Context()), a, conn, addr)
	if !a.track(c) {
		// The server is shutting down.
		a.releaseWS(addr)
		c.Close()
		return
	}
	go c.writeLoop()
	go c.readLoop()
}

// wsCheckOrigin accepts requests without an Origin header (not from a
// browser), from the page's own host, and from the configured extra
// origins. Comparison ignores case.
func (a *App) wsCheckOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range a.ws.origins {
		if strings.EqualFold(strings.TrimSuffix(strings.TrimSpace(o), "/"), origin) {
			return true
		}
	}
	return false
}
