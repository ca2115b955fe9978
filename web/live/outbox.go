package live

import "sync"

// Outbox is a connection's queue of pushed messages (a class's states,
// roster, questions): a message with a coalesce key replaces the unwritten
// one with the same key (latest wins: a slow student skips to the last
// state). Offer never blocks; the connection's writer drains it.
type Outbox struct {
	wake chan struct{} // capacity 1: messages are waiting

	mu      sync.Mutex
	pending []outItem
	limit   int
	over    bool // the limit was hit: the connection is closed
	onOver  func()
}

type outItem struct {
	coalesce string
	msg      []byte
}

func newOutbox(limit int, onOver func()) *Outbox {
	return &Outbox{wake: make(chan struct{}, 1), limit: limit, onOver: onOver}
}

// Offer queues msg; coalesce, when not empty, replaces an unwritten
// message with the same key.
func (o *Outbox) Offer(msg []byte, coalesce string) {
	o.mu.Lock()
	replaced := false
	if coalesce != "" {
		for i := range o.pending {
			if o.pending[i].coalesce == coalesce {
				o.pending[i].msg = msg
				replaced = true
				break
			}
		}
	}
	if !replaced {
		if len(o.pending) >= o.limit {
			over := !o.over
			o.over = true
			o.mu.Unlock()
			if over && o.onOver != nil {
				o.onOver()
			}
			return
		}
		o.pending = append(o.pending, outItem{coalesce, msg})
	}
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// take returns the waiting messages in order and clears the queue.
func (o *Outbox) take(into []outItem) []outItem {
	o.mu.Lock()
	defer o.mu.Unlock()
	into = append(into[:0], o.pending...)
	clear(o.pending)
	o.pending = o.pending[:0]
	return into
}
