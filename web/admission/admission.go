// Package admission bounds how many computations run at once: a pool of
// slots sized to the cores, and a short queue in front of it. A request
// that finds the queue full is refused at once (the caller answers 503
// with Retry-After, or a "busy" error on the WebSocket) rather than piling
// up goroutines and memory behind work the machine cannot do sooner.
// Health checks and static files never enter the pool.
package admission

import (
	"context"
	"errors"
	"sync"
)

// ErrFull is returned when every slot is busy and the queue is full.
var ErrFull = errors.New("admission: every compute slot is busy and the queue is full")

// Pool admits at most Slots computations at a time and lets at most Queue
// more wait for a slot.
type Pool struct {
	slots chan struct{} // a token per running computation

	mu      sync.Mutex
	waiting int
	queue   int
}

// New returns a pool of slots running computations (at least 1) and queue
// waiting ones (at least 0).
func New(slots, queue int) *Pool {
	return &Pool{slots: make(chan struct{}, max(slots, 1)), queue: max(queue, 0)}
}

// Acquire takes a slot, waiting in the queue while the slots are busy. It
// returns ErrFull at once when the queue is full, and the context's cause
// if ctx is done while it waits. Every successful Acquire must be matched
// by one call of the release function it returns.
func (p *Pool) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case p.slots <- struct{}{}:
		return p.release, nil
	default:
	}
	p.mu.Lock()
	if p.waiting >= p.queue {
		p.mu.Unlock()
		return nil, ErrFull
	}
	p.waiting++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.waiting--
		p.mu.Unlock()
	}()
	select {
	case p.slots <- struct{}{}:
		return p.release, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

func (p *Pool) release() { <-p.slots }

// Running returns the number of computations holding a slot.
func (p *Pool) Running() int { return len(p.slots) }

// Waiting returns the number of computations waiting for a slot.
func (p *Pool) Waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waiting
}

// Slots returns the number of slots.
func (p *Pool) Slots() int { return cap(p.slots) }
