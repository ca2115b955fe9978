package admission

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

func TestPool(t *testing.T) {
	for _, test := range []struct{ slots, queue int }{{1, 0}, {1, 2}, {2, 1}, {4, 8}} {
		t.Run("", func(t *testing.T) {
			p := New(test.slots, test.queue)
			ctx := context.Background()
			var releases []func()
			for i := range test.slots {
				rel, err := p.Acquire(ctx)
				if err != nil {
					t.Fatalf("Acquire %d of %d free slots = %v; want nil", i+1, test.slots, err)
				}
				releases = append(releases, rel)
			}
			if got := p.Running(); got != test.slots {
				t.Fatalf("Running() = %d; want %d", got, test.slots)
			}
			// Fill the queue.
			admitted := make(chan func(), test.queue)
			for range test.queue {
				go func() {
					rel, err := p.Acquire(ctx)
					if err != nil {
						t.Errorf("queued Acquire = %v; want nil", err)
						return
					}
					admitted <- rel
				}()
			}
			waitFor(t, "a full queue", func() bool { return p.Waiting() == test.queue })
			if _, err := p.Acquire(ctx); !errors.Is(err, ErrFull) {
				t.Fatalf("Acquire with a full queue = %v; want ErrFull", err)
			}
			// Each release admits one waiter.
			for i := range test.queue {
				releases[i%len(releases)]()
				releases[i%len(releases)] = <-admitted
			}
			for _, rel := range releases {
				rel()
			}
			if got, want := p.Running()+p.Waiting(), 0; got != want {
				t.Fatalf("Running()+Waiting() after every release = %d; want %d", got, want)
			}
		})
	}
}

func TestPoolWaiterLeaves(t *testing.T) {
	p := New(1, 1)
	rel, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatalf("Acquire = %v; want nil", err)
	}
	defer rel()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := p.Acquire(ctx)
		errc <- err
	}()
	waitFor(t, "the waiter", func() bool { return p.Waiting() == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire after its context was canceled = %v; want context.Canceled", err)
	}
	if got := p.Waiting(); got != 0 {
		t.Fatalf("Waiting() after the waiter left = %d; want 0", got)
	}
}

// TestPoolWaitIsNeverFull proves that Wait callers are not refused when
// the Acquire queue is full, and that every waiter, of either kind, is
// admitted in arrival order.
func TestPoolWaitIsNeverFull(t *testing.T) {
	const waiters = 300
	p := New(1, 2)
	rel, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatalf("Acquire = %v; want nil", err)
	}
	order := make(chan int, waiters+2)
	for i := range waiters + 2 {
		// Waiters arrive one at a time, so that arrival order is known.
		bounded := i < 2
		go func() {
			var r func()
			var err error
			if bounded {
				r, err = p.Acquire(context.Background())
			} else {
				r, err = p.Wait(context.Background())
			}
			if err != nil {
				t.Errorf("waiter %d: %v; want a slot", i, err)
				order <- -1
				return
			}
			order <- i
			r()
		}()
		waitFor(t, "the waiter to queue", func() bool { return p.Waiting() == i+1 })
	}
	if _, err := p.Acquire(context.Background()); !errors.Is(err, ErrFull) {
		t.Fatalf("Acquire with 2 Acquire callers queued of 2 = %v; want ErrFull", err)
	}
	rel()
	for want := range waiters + 2 {
		if got := <-order; got != want {
			t.Fatalf("admitted waiter %d; want %d (arrival order)", got, want)
		}
	}
	waitFor(t, "an idle pool", func() bool { return p.Running() == 0 && p.Waiting() == 0 })
}

// TestPoolWaitDeadline proves that a Wait caller leaves at its deadline
// and that a slot handed over as it leaves is not lost.
func TestPoolWaitDeadline(t *testing.T) {
	p := New(1, 0)
	rel, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatalf("Acquire = %v; want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		r, err := p.Wait(ctx)
		if err == nil {
			r()
		}
		errc <- err
	}()
	waitFor(t, "the waiter", func() bool { return p.Waiting() == 1 })
	cancel()
	rel() // may race with the cancel: either way the slot comes back
	if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v; want nil or context.Canceled", err)
	}
	waitFor(t, "the slot to come back", func() bool { return p.Running() == 0 && p.Waiting() == 0 })
}
