// Package cost estimates, from a validated call's shapes and parameters
// alone, the work a loss computation will do and the size of its answer,
// and checks both against per-request budgets before any work starts. A
// request of a few kilobytes can otherwise buy minutes of CPU and
// gigabytes of output: CTCLoss's lattice grows as frames × target length,
// MultiLabelMarginLoss as classes × listed labels, broadcasting as the
// product of shapes, and the curve chart recomputes the whole call at
// every sweep point.
//
// Work is counted in units of roughly one simple element operation (a few
// nanoseconds); bytes are those of the JSON answer, with detail and chart
// options when asked for. Estimates are upper bounds, checked against the
// real answers by the package's tests.
package cost

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
)

// Budget bounds one request.
type Budget struct {
	// Elements bounds the broadcast shape of the inputs: [n, 1] and
	// [1, m] make n·m elements.
	Elements int64
	// Work bounds the estimated work, in element operations.
	Work int64
	// Bytes bounds the estimated JSON answer (result, detail and charts).
	Bytes int64
}

// Default is the budget of every request: pages, embeds, the JSON API and
// the WebSocket. It is generous for teaching (every lesson preset and
// question, every golden fixture, and inputs of thousands of elements fit;
// the largest fixture takes under 10% of either budget) and keeps the
// slowest allowed call around a second at most and its answer under
// 16 MiB. README.md and
// docs/protocol.md document these numbers.
var Default = Budget{
	Elements: 1 << 21, // 2,097,152
	Work:     1 << 26, // 67,108,864
	Bytes:    16 << 20,
}

// Per-unit costs, measured on the engine (see the package's benchmarks):
// a CTC lattice state costs several element operations (log-sum-exp of
// three terms, forward and backward), more with detail, which runs ATen's
// log-space recursion again beside the fast path and builds the page's
// lattice (alpha, beta, occupancy, feasibility: about 80 bytes of JSON per
// state).
const (
	elementWork       = 8  // one element of an elementwise loss: a few flops and an exp or log, its gradient, its detail
	mlmPairWork       = 2  // one (listed label, class) pair of MultiLabelMarginLoss: a compare, a branch, often two stores
	ctcStateWork      = 8  // one lattice state without detail
	ctcDetailWork     = 24 // one lattice state with detail
	ctcDetailBytes    = 96 // JSON per lattice state in detail.lattice
	ctcChartStateByte = 48 // JSON per lattice state of the one sample the lattice chart draws
	// numberBytes is the JSON of one float64 and its separator:
	// -1.2345678901234567e-100 is 24 characters.
	numberBytes = 26
	// detailNumbers is how many numbers detail adds per element at most
	// (elements, probabilities, per-term hinges and masks...): BCELoss and
	// KLDivLoss, the richest, write about 2.3 numbers per input element.
	detailNumbers = 3
	// chartBaseBytes is a generous size of the chart options of a small
	// call: each chart's frame (axes, toolbox, palette) and its sweep.
	chartBaseBytes = 256 << 10
	// chartElementBytes bounds the JSON per element in the element and
	// gradient charts, which draw every element up to chartElementsDrawn
	// and summarise beyond.
	chartElementBytes  = 256
	chartElementsDrawn = 4096
)

// Estimate is the cost of one call.
type Estimate struct {
	Elements int64 // broadcast elements of the inputs
	// BroadcastField is the last input whose broadcast against the inputs
	// before it grew the elements beyond every input's own size, and
	// BroadcastShape the shape it made.
	BroadcastField string
	BroadcastShape []int
	Work           int64
	Bytes          int64
	// Field names the input that drives the estimate (the largest one, or
	// the one a superlinear term grows with); What says how the work grows.
	Field, What string
}

// Of estimates a validated call, computed with detail when detail is set,
// and its chart options when withCharts is set.
func Of(c *engine.Call, detail, withCharts bool) Estimate {
	e := computeEstimate(c, detail)
	if withCharts {
		// The curve recomputes the call without detail at every sweep
		// point, twice when the first sweep meets refused values; the
		// lattice chart recomputes it with detail when the call had none.
		plain := e
		if detail {
			plain = computeEstimate(c, false)
		}
		points := int64(charts.SweepPoints(c))
		e.Work += sat(plain.Work, 2*points)
		total := int64(0)
		for _, in := range c.Spec.Inputs {
			total += int64(c.Input(in.Name).Numel())
		}
		e.Bytes += chartBaseBytes + chartElementBytes*min(total, chartElementsDrawn)
		if c.Spec.Name == "CTCLoss" {
			e.Bytes += ctcChartStateByte * ctcSampleStates(c)
			if !detail {
				e.Work += computeEstimate(c, true).Work
			}
		}
	}
	return e
}

// computeEstimate estimates the computation alone, without charts.
func computeEstimate(c *engine.Call, detail bool) Estimate {
	var e Estimate
	total, largest := int64(0), int64(-1)
	var shape []int
	broadcasts := true
	for i, in := range c.Spec.Inputs {
		t := c.Input(in.Name)
		n := int64(t.Numel())
		n0 := max(largest, n) // the elements before this broadcast
		total += n
		if n > largest {
			largest, e.Field = n, in.Name
		}
		if i == 0 {
			shape = t.Shape
			continue
		}
		if broadcasts {
			s, err := engine.BroadcastShapes(shape, t.Shape)
			if err != nil {
				// Class indices beside scores, say: the loss checks the
				// shapes; the elements are those of the inputs.
				broadcasts = false
				continue
			}
			if n := numel(s); n > numel(shape) && n > n0 {
				// Broadcasting, not an input's own size, made it grow.
				e.BroadcastField, e.BroadcastShape = in.Name, s
			}
			shape = s
		}
	}
	e.Elements = largest
	if broadcasts {
		e.Elements = max(largest, numel(shape))
	}
	e.What = "elements"
	e.Work = elementWork * (total + e.Elements)
	numbers := total + e.Elements // grads of the inputs, unreduced losses
	if detail {
		numbers += detailNumbers * (total + e.Elements)
	}
	e.Bytes = numberBytes * numbers

	switch c.Spec.Name {
	case "CTCLoss":
		ctcEstimate(c, detail, &e)
	case "MultiLabelMarginLoss":
		mlmEstimate(c, detail, &e)
	}
	if c.DType() == engine.Float32 {
		e.Work = sat(e.Work, float32WorkFactor(c.Spec.Name))
	}
	return e
}

// float32WorkFactor is the work of a float32 call relative to its float64
// estimate, from BenchmarkLoss's large float64 and .../float32 runs
// (engine/bench_test.go, one core). A float32 call is the float64 pass
// (validation, shapes) then the float32 kernel: for the losses whose
// float32 result is the float64 one rounded, a pass over the numbers, no
// more than the float64 work (1.0× to 1.5× measured; NLL's 17× is of a
// float64 time far below its estimate); the kernels that round after every
// operation and sum in ATen's order, 2× to 11× the float64 time and up to
// 4× the estimate; CTC's log-space lattice, 6× (2.4 ms against 0.5 ms on
// T=200, C=28, L=50).
func float32WorkFactor(loss string) int64 {
	switch loss {
	case "CrossEntropyLoss", "NLLLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss",
		"HingeEmbeddingLoss", "MarginRankingLoss":
		return 1
	case "BCELoss", "GaussianNLLLoss", "KLDivLoss": // 2.2× to 2.6× measured
		return 3
	case "CTCLoss":
		return 6
	}
	return 4
}

// ctcStates bounds Σ_b T_b·(2·L_b+1), the states of every sample's
// lattice, from shapes alone: T·(2·numel(targets) + N), since Σ_b L_b is
// at most the number of target entries (padded or concatenated).
func ctcStates(c *engine.Call) int64 {
	T, N := ctcFramesBatch(c)
	return sat(T, 2*int64(c.Input("targets").Numel())+N)
}

// ctcSampleStates bounds one sample's lattice, T·(2·S+1) with S the
// padded width or, concatenated, every target entry.
func ctcSampleStates(c *engine.Call) int64 {
	T, _ := ctcFramesBatch(c)
	tg := c.Input("targets")
	s := int64(tg.Numel())
	if tg.Dim() == 2 {
		s = int64(tg.Shape[1])
	}
	return sat(T, 2*s+1)
}

// ctcFramesBatch returns T and N of log_probs, (T, N, C) or (T, C).
func ctcFramesBatch(c *engine.Call) (T, N int64) {
	lp := c.Input("log_probs")
	switch lp.Dim() {
	case 3:
		return int64(lp.Shape[0]), int64(lp.Shape[1])
	case 2:
		return int64(lp.Shape[0]), 1
	}
	return 0, 0 // the engine refuses the call
}

func ctcEstimate(c *engine.Call, detail bool, e *Estimate) {
	states := ctcStates(c)
	e.Field, e.What = "targets", "CTC lattice states, frames × (2·target entries + batch)"
	if T, _ := ctcFramesBatch(c); T > 2*int64(c.Input("targets").Numel())+1 {
		e.Field = "log_probs"
	}
	if detail {
		e.Work += sat(states, ctcDetailWork)
		e.Bytes += sat(states, ctcDetailBytes)
	} else {
		e.Work += sat(states, ctcStateWork)
	}
}

// mlmEstimate adds MultiLabelMarginLoss's hinge terms: for each sample,
// every label listed before the first −1 (duplicates count, as in PyTorch)
// against every class. The count reads the target, one pass over it:
// from shapes alone it would be N·C², far above what real targets (a few
// labels per sample) cost.
func mlmEstimate(c *engine.Call, detail bool, e *Estimate) {
	x, y := c.Input("input"), c.Input("target")
	C := int64(1)
	if x.Dim() > 0 {
		C = int64(x.Shape[x.Dim()-1])
	}
	if C <= 0 || int64(y.Numel())%C != 0 {
		return // the engine refuses the call
	}
	labels := int64(0)
	for row := int64(0); row < int64(y.Numel()); row += C {
		for _, v := range y.Data[row : row+C] {
			if v < 0 {
				break
			}
			labels++
		}
	}
	pairs := sat(labels, C)
	if detail {
		pairs = sat(pairs, 2) // the hinge terms again, on one core
	}
	e.Work += sat(pairs, mlmPairWork)
	e.Field, e.What = "target", "label pairs, listed labels × classes"
}

// Check refuses an estimate over budget with an *engine.Error naming the
// field, the estimate and the limit.
func (b Budget) Check(e Estimate) error {
	switch {
	case e.Elements > b.Elements && numel(e.BroadcastShape) == e.Elements:
		return &engine.Error{Field: e.BroadcastField, Msg: fmt.Sprintf(
			"inputs broadcast to shape %s, more than the %d elements the playground computes at once", shapeText(e.BroadcastShape), b.Elements)}
	case e.Elements > b.Elements:
		return &engine.Error{Field: e.Field, Msg: fmt.Sprintf(
			"%s elements, more than the %d the playground computes at once", group(e.Elements), b.Elements)}
	case e.Work > b.Work:
		return &engine.Error{Field: e.Field, Msg: fmt.Sprintf(
			"this call would cost about %s units of work (%s), more than the %s a request may cost; use smaller inputs",
			group(e.Work), e.What, group(b.Work))}
	case e.Bytes > b.Bytes:
		return &engine.Error{Field: e.Field, Msg: fmt.Sprintf(
			"the answer would be about %s bytes, more than the %s a request may return; use smaller inputs, or leave detail off",
			group(e.Bytes), group(b.Bytes))}
	}
	return nil
}

// shapeText writes a shape as PyTorch prints sizes: [2, 3].
func shapeText(shape []int) string {
	return strings.ReplaceAll(fmt.Sprint(shape), " ", ", ")
}

// numel is the product of shape, saturating.
func numel(shape []int) int64 {
	n := int64(1)
	for _, d := range shape {
		n = sat(n, int64(d))
	}
	return n
}

// limit is where products saturate: far beyond any budget, far from
// overflow.
const limit = 1 << 60

// sat multiplies non-negative a and b, saturating at limit.
func sat(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > limit/b {
		return limit
	}
	return a * b
}

// group writes n with thousands separators: 67,108,864.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
