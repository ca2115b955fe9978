package web

import (
	"net/http"

	"github.com/lossplayground/playground/web/clientip"
)

// Default limits; Config overrides them. README.md ("Limits") and
// docs/protocol.md document them.
const (
	// defaultComputeQueue computations may wait for a compute slot: a
	// second or two of work on a small machine. More would only make
	// every waiting client wait longer.
	defaultComputeQueue = 8
	// defaultWSMaxConns bounds open WebSockets: each holds two goroutines,
	// 8 KiB of buffers and a file descriptor, far below the process's
	// limits at this count.
	defaultWSMaxConns = 4096
	// defaultWSMaxPerAddr bounds open WebSockets from one address: a
	// classroom behind one NAT address opens one per student tab.
	defaultWSMaxPerAddr = 256
	// defaultAPIRatePerMin bounds API requests per client address per
	// minute: a class behind one address running notebooks stays below,
	// one client looping on expensive calls does not.
	defaultAPIRatePerMin = 1200
	// retryAfterSeconds is the Retry-After of a 503 for a busy server.
	retryAfterSeconds = 1
)

// limits are the effective limits of one App.
type limits struct {
	computeSlots, computeQueue int
	wsMaxConns, wsMaxPerAddr   int
	apiRatePerMin              int
}

func limitsOf(cfg Config) limits {
	or := func(v, def int) int {
		if v > 0 {
			return v
		}
		return def
	}
	return limits{
		computeSlots:  or(cfg.ComputeSlots, defaultComputeSlots()),
		computeQueue:  or(cfg.ComputeQueue, defaultComputeQueue),
		wsMaxConns:    or(cfg.WSMaxConns, defaultWSMaxConns),
		wsMaxPerAddr:  or(cfg.WSMaxPerAddr, defaultWSMaxPerAddr),
		apiRatePerMin: or(cfg.APIRatePerMin, defaultAPIRatePerMin),
	}
}

// clientAddr is the address limits count by, and logs name: the
// connection's IP, or the client's behind a trusted reverse proxy
// (Config.TrustedProxies), as the router's first middleware resolved it
// (web/clientip).
func clientAddr(r *http.Request) string {
	return clientip.From(r)
}
