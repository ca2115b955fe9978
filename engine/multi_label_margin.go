package engine

import (
	"math/rand/v2"
)

func init() {
	Register(&Spec{
		Name:    "MultiLabelMarginLoss",
		Slug:    "multi-label-margin",
		Family:  FamilyMargin,
		Summary: "Multi-label hinge loss: every true label must out-score every other class by a margin of 1.",
		Formula: `\ell_n = \frac{1}{C} \sum_{j \in J_n} \sum_{i \notin J_n} \max\big(0,\; 1 - (x_{n,j} - x_{n,i})\big)`,
		Legacy:  true,
		Params:  []Param{ReductionParam()},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc: "Class scores, shape (C) or (N, C).",
				Example: []any{
					[]any{0.5, 1.5, -0.25, 0.75},
					[]any{1.0, -0.5, 0.5, 2.0},
				}},
			{Name: "target", Role: RoleTarget, Integer: true,
				Doc: "The input's shape; each row lists its label ids in [0, C), ended by the first −1. Entries after it are ignored (but must lie in [−1, C)); duplicates count twice.",
				Example: []any{
					[]any{1.0, 3.0, -1.0, 0.0},
					[]any{3.0, -1.0, -1.0, -1.0},
				}},
		},
		DetailFields: map[string]string{
			"hinge":     "Per-class terms Σ_j max(0, 1 − x[j] + x[i]) over the listed labels j, for each class i that is not a label, 0 at the labels (input shape); a sample's loss is their sum divided by C.",
			"is_target": "1 for the classes listed before the first −1, else 0 (input shape).",
		},
		Compute: computeMultiLabelMargin,
		Random:  randomMultiLabelMargin,
	})
}

// computeMultiLabelMargin follows torch.nn.MultiLabelMarginLoss (a native
// kernel). With J the labels listed before the first −1 (duplicates kept)
// and T the set of them:
//
//	ℓ = (1/C)·Σ_{j ∈ J} Σ_{i ∉ T} max(0, 1 − x[j] + x[i]),  mean = Σ ℓ_n / N
//	∂ℓ/∂x[i] += 1/C,  ∂ℓ/∂x[j] −= 1/C  for every term with 1 − x[j] + x[i] > 0
//
// The hinge test is strict: a term at exactly 0 adds nothing and passes no
// gradient, and a NaN term counts as nothing. Every target entry, also
// after the −1, must lie in [−1, C). An empty batch is refused for 'mean'
// and 'sum', where PyTorch returns uninitialised memory.
func computeMultiLabelMargin(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	red := c.Reduction()
	var n, C int
	switch {
	case x.Dim() == 2 && x.Shape[1] != 0:
		n, C = x.Shape[0], x.Shape[1]
		if y.Dim() != 2 || y.Shape[0] != n || y.Shape[1] != C {
			return errorf("target", "inconsistent size %s: expected the input's shape %s", shapeString(y.Shape), shapeString(x.Shape))
		}
	case x.Dim() == 1 && x.Shape[0] != 0, x.Dim() == 0:
		n, C = 1, x.Numel()
		if y.Dim() > 1 || y.Numel() != C {
			return errorf("target", "inconsistent size %s: expected %d entries like the input", shapeString(y.Shape), C)
		}
	default:
		return errorf("input", "expected a non-empty vector (C) or matrix (N, C) with C ≥ 1, got shape %s", shapeString(x.Shape))
	}
	for _, t := range y.Data {
		if t < -1 || t >= float64(C) {
			return errorf("target", "entry %v is out of range: every entry, also after the first −1, must lie in [−1, %d)", t, C)
		}
	}
	if n == 0 && red != ReductionNone {
		return errorf("input", "empty batch: PyTorch's %s of no samples is uninitialised memory", red)
	}
	var out []int // 'none' is (N), or () for a target of at most 1 dimension
	if y.Dim() == 2 {
		out = []int{n}
	}
	el := r.SetElements(out...).Data
	gx := r.Grad("input", x.Shape...).Data
	// PyTorch's backward step is 1/(N·C) for 'mean', 1/C otherwise.
	g := 1 / float64(C)
	if red == ReductionMean {
		g = 1 / (float64(n) * float64(C))
	}
	job := mlmRows{x: x.Data, y: y.Data, gx: gx, el: el, C: C, g: g, stop: c.stop()}
	// The samples are independent: large inputs are split across the cores.
	if parts := parallelParts(n, C); parts == 1 {
		job.rows(0, n)
	} else {
		pj := job // only this copy escapes to the goroutines
		parallelSplit(parts, n, func(_, lo, hi int) { pj.rows(lo, hi) })
	}
	if canceled(job.stop) {
		return c.interrupted()
	}
	r.Reduce(red, float64(n))
	if c.Detail {
		isTarget := make([]bool, C)
		hinge, mask := NewTensor(x.Shape...), NewTensor(x.Shape...)
		for s := range n {
			row, trow := x.Data[s*C:s*C+C], y.Data[s*C:s*C+C]
			mlmMarkTargets(trow, isTarget)
			for i := range C {
				if isTarget[i] {
					mask.Data[s*C+i] = 1
				}
			}
			for _, tj := range trow {
				if tj < 0 {
					break
				}
				if canceled(job.stop) {
					return c.interrupted()
				}
				xj := row[int(tj)]
				for i, v := range row {
					if z := 1 - xj + v; !isTarget[i] && z > 0 {
						hinge.Data[s*C+i] += z
					}
				}
			}
		}
		r.Detail["hinge"], r.Detail["is_target"] = hinge, mask
	}
	return nil
}

// mlmRows is the per-sample work of MultiLabelMarginLoss: samples
// [lo, hi) of the loss and their gradient, with PyTorch's backward step g.
type mlmRows struct {
	x, y, gx, el []float64
	C            int
	g            float64
	// stop is Call.stop: polled once per label, that is every C steps.
	stop <-chan struct{}
}

func (mr *mlmRows) rows(lo, hi int) {
	C, g := mr.C, mr.g
	var buf [256]bool // the label set of a row, on the stack for C ≤ 256
	var isTarget []bool
	if C <= len(buf) {
		isTarget = buf[:C]
	} else {
		isTarget = make([]bool, C)
	}
	for s := lo; s < hi; s++ {
		row, trow, grow := mr.x[s*C:s*C+C], mr.y[s*C:s*C+C], mr.gx[s*C:s*C+C]
		mlmMarkTargets(trow, isTarget)
		sum := 0.0
		for _, tj := range trow {
			if tj < 0 {
				break
			}
			if canceled(mr.stop) {
				return // computeMultiLabelMargin sees stop too and gives up
			}
			j := int(tj)
			xj := row[j]
			for i, v := range row {
				// Strict hinge: z = 0 and NaN add nothing.
				if z := 1 - xj + v; !isTarget[i] && z > 0 {
					sum += z
					grow[j] -= g
					grow[i] += g
				}
			}
		}
		mr.el[s] = sum / float64(C)
	}
}

// mlmMarkTargets sets isTarget for the labels of a target row listed
// before its first −1.
func mlmMarkTargets(trow []float64, isTarget []bool) {
	clear(isTarget)
	for _, t := range trow {
		if t < 0 {
			break
		}
		isTarget[int(t)] = true
	}
}

// randomMultiLabelMargin returns normal scores and rows listing a few
// distinct labels (up to 4), then −1 and filler that must be ignored.
func randomMultiLabelMargin(rng *rand.Rand, s Scale) map[string]*Tensor {
	n, c := clsScaleShape(s)
	y := NewTensor(n, c)
	for row := range n {
		k := 1 + rng.IntN(min(4, c-1))
		perm := rng.Perm(c)
		t := y.Data[row*c : row*c+c]
		for i := range t {
			switch {
			case i < k:
				t[i] = float64(perm[i])
			case i == k:
				t[i] = -1
			default:
				t[i] = float64(rng.IntN(c)) // after the −1: ignored
			}
		}
	}
	return map[string]*Tensor{"input": RandN(rng, n, c), "target": y}
}
