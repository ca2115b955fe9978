package class

import (
	"context"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// storeBudget keeps the bucket under Limits.StoreBytes, checked before a
// write, so that a full store refuses the one write that would overflow
// it with a clear error instead of failing every class's next write. The
// bucket's size is read at most every storeRefresh; writes since are
// added locally.
type storeBudget struct {
	limit int64

	mu      sync.Mutex
	used    int64
	fetched time.Time
}

const storeRefresh = time.Second

// bigShare is the share of the store that large values (states,
// snapshots) may fill: the rest stays free for joins, questions and
// answers, so that one class's big states never starve another's
// answers.
const bigShare = 0.75

// ErrStoreFull refuses a write the store has no room for.
func errStoreFull(n int64) *Error {
	return errorf("inputs", "the server's class store is full (%d bytes more do not fit); try again later or use smaller inputs", n)
}

// reserve checks that n more bytes fit (big for a state or snapshot).
func (h *Hub) reserve(ctx context.Context, kv jetstream.KeyValue, n int64, big bool) error {
	s := &h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.fetched) > storeRefresh {
		cctx, cancel := context.WithTimeout(ctx, busTimeout)
		st, err := kv.Status(cctx)
		cancel()
		if err == nil {
			s.used, s.fetched = int64(st.Bytes()), time.Now()
		}
	}
	limit := s.limit
	if big {
		limit = int64(float64(limit) * bigShare)
	}
	if s.used+n > limit {
		return errStoreFull(n)
	}
	if n > 0 {
		s.used += n
	}
	return nil
}
