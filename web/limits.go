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
	// defaultWSMaxPerAddr bounds open WebSockets from one address. A
	// lecture hall behind one NAT or proxy address opens one per student
	// page (the class rides on the page's socket): 500 students, the
	// class cap, with a second tab each fit. What it stops is one client
	// holding a quarter of defaultWSMaxConns.
	defaultWSMaxPerAddr = 1024
	// defaultWSHandshakesPerSec bounds new WebSockets per address per
	// second after a burst of defaultWSHandshakeBurst: a hall of students
	// opening the class link at the same moment all connect, and a client
	// reconnecting in a loop is slowed to a trickle.
	defaultWSHandshakesPerSec = 20
	defaultWSHandshakeBurst   = 500
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
	wsHandshakesPerSec         int
	wsHandshakeBurst           int
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
		computeSlots: or(cfg.ComputeSlots, defaultComputeSlots()),
		computeQueue: or(cfg.ComputeQueue, defaultComputeQueue),
		wsMaxConns:   or(cfg.WSMaxConns, defaultWSMaxConns),
		wsMaxPerAddr: or(cfg.WSMaxPerAddr, defaultWSMaxPerAddr),
		// The burst grows with the rate, so that raising the rate for a
		// larger hall raises both.
		wsHandshakesPerSec: or(cfg.WSHandshakesPerSec, defaultWSHandshakesPerSec),
		wsHandshakeBurst:   max(defaultWSHandshakeBurst, 25*cfg.WSHandshakesPerSec),
		apiRatePerMin:      or(cfg.APIRatePerMin, defaultAPIRatePerMin),
	}
}

// clientAddr is the address limits count by, and logs name: the
// connection's IP, or the client's behind a trusted reverse proxy
// (Config.TrustedProxies), as the router's first middleware resolved it
// (web/clientip).
func clientAddr(r *http.Request) string {
	return clientip.From(r)
}
