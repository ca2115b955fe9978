package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/live"
	"github.com/lossplayground/playground/web/metrics"
)

// The WebSocket at /ws speaks the live protocol of docs/protocol.md.
// Package live runs each connection (reader, writer, latest-wins jobs,
// pushed messages); this file upgrades the request, ws_route.go routes
// each message type to its handler.

// WebSocket tuning.
const (
	// wsPingPeriod sends pings often enough that a live peer's pong
	// arrives within live.DefaultPongWait.
	wsPingPeriod = live.DefaultPongWait * 9 / 10
	// wsMaxMessageBytes bounds one client message, like the loss API's
	// request body.
	wsMaxMessageBytes = maxRequestBytes
	// wsSendBuffer and wsMaxSuperseded are live's defaults, named here
	// for the tests that fill them.
	wsSendBuffer    = live.DefaultSendBuffer
	wsMaxSuperseded = live.DefaultMaxSuperseded
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

// wsHooks let tests observe and pause a connection deterministically.
type wsHooks = live.Hooks

// Error codes of the WebSocket (docs/protocol.md, "Limits").
const (
	wsCodeBusy     = "busy"     // the fair queue's wait ran out
	wsCodeTimeout  = "timeout"  // the computation ran past its deadline
	wsCodeCanceled = "canceled" // the connection is closing
)

// serveWS upgrades GET /ws to a WebSocket that streams live results.
func (a *App) serveWS(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	switch a.reserveWS(addr) {
	case wsReserved:
	case wsRefusedTotal:
		a.metrics.Reject(metrics.ReasonWSTotal)
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		writeJSONError(w, http.StatusServiceUnavailable, "websocket: the server has as many live connections as it takes; try again later")
		return
	case wsRefusedRate:
		a.metrics.Reject(metrics.ReasonWSPerAddr)
		w.Header().Set("Retry-After", "1")
		writeJSONError(w, http.StatusTooManyRequests, fmt.Sprintf("websocket: your address opened more than %d connections in a second; try again in a moment", a.limits.wsHandshakesPerSec))
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
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		// Upgrade has already answered with an error status.
		a.releaseWS(addr)
		a.log.Debug("websocket upgrade refused", "origin", r.Header.Get("Origin"), "err", err)
		return
	}
	lang := wsLang(r)
	s := &wsSession{app: a, addr: addr, lang: lang, comp: wsComputer{log: a.log, cp: a.compute, lang: lang}}
	c := live.New(ws, s, live.Options{
		Log: a.log, PingPeriod: a.ws.pingPeriod, MaxMessageBytes: wsMaxMessageBytes, Hooks: a.ws.hooks,
	})
	s.conn = c
	c.OnEnd(func() {
		s.leaveClass()
		a.untrack(c)
		a.releaseWS(addr)
	})
	if !a.track(c) {
		// The server is shutting down.
		a.releaseWS(addr)
		c.Close()
		return
	}
	c.Serve()
}

// wsLang is the language of a socket's error texts: its URL's ?lang=
// (the page's language; docs/protocol.md), English when it names none or
// one the catalogue does not have. Accept-Language is not asked: a
// client that is not a page reads English, as from the JSON API.
func wsLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != i18n.Languages[0] && i18n.Lang(l) == l {
		return l
	}
	return ""
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

// closeAll closes connections in parallel and waits until each has sent
// its close frame (or given up after live.CloseGrace).
func closeAll(conns []closer) {
	done := make(chan struct{}, len(conns))
	for _, c := range conns {
		go func() {
			c.Close()
			done <- struct{}{}
		}()
	}
	for range conns {
		<-done
	}
}
