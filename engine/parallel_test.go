package engine

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// TestParallelSplit checks that the chunks cover [0, n) once each, in
// order, one per part.
func TestParallelSplit(t *testing.T) {
	for _, test := range []struct{ parts, n int }{{1, 0}, {1, 10}, {2, 1}, {2, 2}, {2, 7}, {3, 10}, {4, 1 << 16}, {7, 100}} {
		var mu sync.Mutex
		seen := make([]int, test.n)
		chunks := make([][2]int, test.parts)
		parallelSplit(test.parts, test.n, func(part, lo, hi int) {
			mu.Lock()
			defer mu.Unlock()
			chunks[part] = [2]int{lo, hi}
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Errorf("parallelSplit(%d, %d): index %d visited %d times; want 1", test.parts, test.n, i, c)
			}
		}
		for p, c := range chunks {
			if want := [2]int{p * test.n / test.parts, (p + 1) * test.n / test.parts}; c != want {
				t.Errorf("parallelSplit(%d, %d): part %d = %v; want %v", test.parts, test.n, p, c, want)
			}
		}
	}
}

// TestParallelParts checks the split: none for small work, at most
// GOMAXPROCS and n.
func TestParallelParts(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	for _, test := range []struct{ n, cost, want int }{
		{0, 1, 1}, {1, 0, 1}, {parallelGrain - 1, 1, 1}, {10, parallelGrain / 20, 1},
		{1 << 30, 1, procs}, {1, 1 << 30, 1}, {2 * parallelGrain, 1, min(2, procs)},
	} {
		if got := parallelParts(test.n, test.cost); got != test.want {
			t.Errorf("parallelParts(%d, %d) = %d; want %d", test.n, test.cost, got, test.want)
		}
	}
}

// TestParallelLosses computes every loss on its large benchmark inputs, split
// across the cores, and checks that every element of the loss and of every
// gradient is the one a serial run (GOMAXPROCS 1) gives.
func TestParallelLosses(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	if runtime.GOMAXPROCS(0) == 1 {
		t.Skip("one core: nothing runs in parallel")
	}
	for _, spec := range All() {
		t.Run(spec.Name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(8, 9))
			c, err := NewCall(spec, map[string]any{"reduction": "none"}, spec.Random(rng, ScaleLarge))
			if err != nil {
				t.Fatal(err)
			}
			split, err := c.Compute()
			if err != nil {
				t.Fatal(err)
			}
			serial, err := func() (*Result, error) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
				return c.Compute()
			}()
			if err != nil {
				t.Fatal(err)
			}
			sameBits(t, "elements split across cores (want as serial)", split.Elements, serial.Elements)
			for name, g := range serial.Grads {
				sameBits(t, "grad "+name+" split across cores (want as serial)", split.Grads[name], g)
			}
		})
	}
}
