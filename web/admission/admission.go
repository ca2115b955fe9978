// Package admission bounds how many computations run at once: a pool of
// slots sized to the cores, and the waiters in front of it, served first
// come, first served.
//
// Two kinds of caller wait. The stateless API and pages Acquire: at most
// Queue of them wait, and one that finds the queue full is refused at once
// (the caller answers 503 with Retry-After) rather than piling up
// goroutines and memory behind work the machine cannot do sooner. A
// WebSocket Waits: it has at most one computation in flight (newer slider
// events replace the waiting one), so the sockets themselves bound the
// waiters, and a lecture hall of students exploring at once is answered
// in turn instead of refused. Health checks and static files never enter
// the pool.
package admission

import (
	"container/list"
	"context"
	"errors"
	"sync"
)

// ErrFull is returned when every slot is busy and the queue is full.
var ErrFull = errors.New("admission: every compute slot is busy and the queue is full")

// Pool admits at most Slots computations at a time. Waiters are admitted
// in arrival order, whichever way they came.
type Pool struct {
	mu      sync.Mutex
	slots   int
	running int
	queue   int       // the most Acquire callers that may wait
	queued  int       // Acquire callers waiting
	waiters list.List // of *waiter, oldest first
}

// waiter is one caller waiting for a slot; ready is closed when the slot
// is handed over.
type waiter struct {
	ready   chan struct{}
	bounded bool // came through Acquire: counts against queue
}

// New returns a pool of slots running computations (at least 1) and queue
// Acquire callers waiting (at least 0).
func New(slots, queue int) *Pool {
	return &Pool{slots: max(slots, 1), queue: max(queue, 0)}
}

// Acquire takes a slot, waiting in the queue while the slots are busy. It
// returns ErrFull at once when the queue is full, and the context's cause
// if ctx is done while it waits. Every successful Acquire must be matched
// by one call of the release function it returns.
func (p *Pool) Acquire(ctx context.Context) (release func(), err error) {
	return p.acquire(ctx, true)
}

// Wait takes a slot like Acquire but is never refused for a full queue:
// it is for callers that bound their own number (a WebSocket waits for at
// most one computation at a time). ctx bounds the wait; give it a
// deadline.
func (p *Pool) Wait(ctx context.Context) (release func(), err error) {
	return p.acquire(ctx, false)
}

func (p *Pool) acquire(ctx context.Context, bounded bool) (func(), error) {
	p.mu.Lock()
	if p.running < p.slots && p.waiters.Len() == 0 {
		p.running++
		p.mu.Unlock()
		return p.release, nil
	}
	if bounded && p.queued >= p.queue {
		p.mu.Unlock()
		return nil, ErrFull
	}
	w := &waiter{ready: make(chan struct{}), bounded: bounded}
	e := p.waiters.PushBack(w)
	if bounded {
		p.queued++
	}
	p.mu.Unlock()
	select {
	case <-w.ready:
		return p.release, nil
	case <-ctx.Done():
	}
	p.mu.Lock()
	select {
	case <-w.ready:
		// The slot was handed over as ctx ended: pass it on.
		p.mu.Unlock()
		p.release()
	default:
		p.waiters.Remove(e)
		if bounded {
			p.queued--
		}
		p.mu.Unlock()
	}
	return nil, context.Cause(ctx)
}

// release hands the slot to the oldest waiter, or frees it.
func (p *Pool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.waiters.Front()
	if e == nil {
		p.running--
		return
	}
	w := p.waiters.Remove(e).(*waiter)
	if w.bounded {
		p.queued--
	}
	close(w.ready)
}

// Running returns the number of computations holding a slot.
func (p *Pool) Running() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.running
}

// Waiting returns the number of computations waiting for a slot.
func (p *Pool) Waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waiters.Len()
}

// Slots returns the number of slots.
func (p *Pool) Slots() int { return p.slots }
