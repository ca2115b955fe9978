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

// bucket returns addr's bucket, forgetting idle ones. Callers hold l.mu.
func (l *addrLimiter) bucket(addr string, now time.Time) *addrBucket {
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
	return b
}

// allow takes one token from addr's bucket.
func (l *addrLimiter) allow(addr string) bool { return l.take(addr) == 0 }

// take takes one token from addr's bucket; with none left it takes
// nothing and returns how long until one is there.
func (l *addrLimiter) take(addr string) time.Duration {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(addr, now)
	if b.lim.AllowN(now, 1) {
		return 0
	}
	return l.untilToken(b, now)
}

// wait reports how long until addr has a token again, taking none: the
// check before a lookup, which only a miss pays for.
func (l *addrLimiter) wait(addr string) time.Duration {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok || b.lim.TokensAt(now) >= 1 {
		return 0
	}
	return l.untilToken(b, now)
}

func (l *addrLimiter) untilToken(b *addrBucket, now time.Time) time.Duration {
	missing := 1 - b.lim.TokensAt(now)
	return time.Duration(missing * float64(l.every))
}
