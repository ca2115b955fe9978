package charts

import (
	"context"
	"errors"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// TestBuildContextCanceled checks that charts built under a done context
// are refused, not drawn from sweeps that gave up, for a loss whose curve
// is swept (MSELoss) and for CTC, whose lattice may be recomputed.
func TestBuildContextCanceled(t *testing.T) {
	for _, name := range []string{"MSELoss", "CTCLoss"} {
		t.Run(name, func(t *testing.T) {
			spec, ok := engine.Lookup(name)
			if !ok {
				t.Fatalf("engine.Lookup(%q) failed", name)
			}
			c, res := compute(t, spec, nil, exampleInputs(t, spec))
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := BuildContext(ctx, c, res, View{Lattice: "alpha"})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("BuildContext(canceled) = %v; want an error wrapping context.Canceled", err)
			}
			if _, err := BuildContext(context.Background(), c, res, View{Lattice: "alpha"}); err != nil {
				t.Fatalf("BuildContext(background) = %v; want nil", err)
			}
		})
	}
}
