package class

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// addrLimiter is a token bucket per client address. Idle buckets are
// forgotten, so that the map stays bounded by the addresses seen in the
// last few minutes.
type addrLimiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	buckets map[string]*addrBucket
	swept   time.Time
}

type addrBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newAddrLimiter(every time.Duration, burst int) *addrLimiter {
	return &addrLimiter{every: every, burst: burst, buckets: map[string]*addrBucket{}}
}

// allow takes one token from addr's bucket.
func (l *addrLimiter) allow(addr string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	// A bucket idle for burst·every is full again: forgetting it changes
	// nothing.
	idle := l.every * time.Duration(l.burst)
	if now.Sub(l.swept) > idle {
		for a, b := range l.buckets {
			if now.Sub(b.seen) > idle {
				delete(l.buckets, a)
			}
		}
		l.swept = now
	}
	b := l.buckets[addr]
	if b == nil {
		b = &addrBucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.buckets[addr] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
