package engine

func init() {
	Register(&Spec{
		Name:    "MultiMarginLoss",
		Slug:    "multi-margin",
		Family:  FamilyMargin,
		Summary: "Multi-class hinge (SVM) loss: every wrong class scoring within a margin of the true class adds a penalty.",
		Formula: `\ell_n = \frac{1}{C} \sum_{i \ne y_n} w_{y_n} \max\big(0,\; \text{margin} - x_{n,y_n} + x_{n,i}\big)^p`,
		Legacy:  true,
		Params: []Param{
			{Name: "p", Kind: KindInt, Default: 1, Min: ptr(1), Max: ptr(2), SliderMin: 1, SliderMax: 2, Step: 1,
				Doc: "The power of each hinge term: 1 (linear) or 2 (squared); PyTorch supports nothing else."},
			{Name: "margin", Kind: KindFloat, Default: 1.0, SliderMin: 0, SliderMax: 3, Step: 0.05,
				Doc: "How far the true class must out-score every other class before the penalty vanishes."},
			clsWeightParam("Optional weight per class, a 1-D tensor of length C; a sample's terms are scaled by the weight of its target class."),
			ReductionParam(),
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc: "Class scores, shape (N, C) or (C).",
				Example: []any{
					[]any{0.5, 1.25, -0.5},
					[]any{2.0, 0.25, 1.5},
				}},
			{Name: "target", Role: RoleTarget, Integer: true,
				Doc:     "Class indices in [0, C), shape (N), or () for a 1-D input.",
				Example: []any{1.0, 0.0}},
		},
		DetailFields: map[string]string{
			"hinge": "Per-class terms w[y]·max(0, margin − x[y] + x[i])^p (input shape, 0 at the target class); a sample's loss is their sum divided by C.",
		},
		Compute: computeMultiMargin,
		Random:  clsRandomIndex,
	})
}

// computeMultiMargin follows torch.nn.MultiMarginLoss (a native kernel):
//
//	z_i = margin − x[y] + x[i]
//	ℓ = (1/C)·Σ_{i ≠ y} w[y]·z_i^p  over z_i > 0,  mean = Σ ℓ_n / N
//	∂ℓ/∂x[i] = w[y]·(p = 1 ? 1 : 2·z_i)/C,  ∂ℓ/∂x[y] = −Σ_i ∂ℓ/∂x[i]
//
// The weight is indexed by the target class, not by i. The hinge test is
// strict: at z = 0 the term and its gradient are 0, and a NaN z counts as
// nothing (so NaN scores give a loss of 0). PyTorch does not check the
// weight's length and reads past its end; here it must be C. An empty batch
// is refused for 'mean' and 'sum', where PyTorch returns uninitialised
// memory.
func computeMultiMargin(c *Call, r *Result) error {
	x, y, w := c.Input("input"), c.Input("target"), c.Tensor("weight")
	p, margin := c.Int("p"), c.Float("margin")
	red := c.Reduction()
	var n, C int
	switch {
	case x.Dim() == 2 && x.Shape[1] != 0:
		n, C = x.Shape[0], x.Shape[1]
	case x.Dim() == 1 && x.Shape[0] != 0:
		n, C = 1, x.Shape[0]
	case x.Dim() == 0:
		n, C = 1, 1
	default:
		return errorf("input", "expected a non-empty vector (C) or matrix (N, C) with C ≥ 1, got shape %s", shapeString(x.Shape))
	}
	if y.Dim() > 1 || y.Numel() != n {
		return errorf("target", "inconsistent target size %s: expected %d class indices", shapeString(y.Shape), n)
	}
	if w != nil && (w.Dim() != 1 || w.Numel() != C) {
		return errorf("params.weight", "must be a 1-D tensor of length C = %d, got shape %s", C, shapeString(w.Shape))
	}
	for _, t := range y.Data {
		if t < 0 || t >= float64(C) {
			return errorf("target", "target %v out of range [0, %d)", t, C)
		}
	}
	if n == 0 && red != ReductionNone {
		return errorf("input", "empty batch: PyTorch's %s of no samples is uninitialised memory", red)
	}
	var out []int // 'none' is (N), or () for a 0-d target
	if y.Dim() > 0 {
		out = []int{n}
	}
	el := r.SetElements(out...).Data
	gx := r.Grad("input", x.Shape...).Data
	// PyTorch's backward step is g = 1/(N·C) for 'mean' and 1/C otherwise,
	// scaled by the weight of the target class.
	g := 1 / float64(C)
	if red == ReductionMean {
		g = 1 / (float64(n) * float64(C))
	}
	job := mmRows{x: x.Data, y: y.Data, gx: gx, el: el, C: C, p: p, margin: margin, g: g}
	if w != nil {
		job.w = w.Data
	}
	// The samples are independent: large inputs are split across the cores.
	if parts := parallelParts(n, C); parts == 1 {
		job.rows(0, n)
	} else {
		pj := job // only this copy escapes to the goroutines
		parallelSplit(parts, n, func(_, lo, hi int) { pj.rows(lo, hi) })
	}
	r.Reduce(red, float64(n))
	if c.Detail {
		hinge := NewTensor(x.Shape...)
		for s := range n {
			t := int(y.Data[s])
			xt := x.Data[s*C+t]
			for i := range C {
				if z := margin - xt + x.Data[s*C+i]; i != t && z > 0 {
					h := z
					if p == 2 {
						h = z * z
					}
					if w != nil {
						h *= w.Data[t]
					}
					hinge.Data[s*C+i] = h
				}
			}
		}
		r.Detail["hinge"] = hinge
	}
	return nil
}

// mmRows is the per-sample work of MultiMarginLoss: samples [lo, hi) of
// the loss and their gradient, with PyTorch's backward step g.
type mmRows struct {
	x, y, w, gx, el []float64
	C, p            int
	margin, g       float64
}

func (mr *mmRows) rows(lo, hi int) {
	C, g := mr.C, mr.g
	for s := lo; s < hi; s++ {
		row, grow := mr.x[s*C:s*C+C], mr.gx[s*C:s*C+C]
		t := int(mr.y[s])
		xt := row[t]
		wt := 1.0
		if mr.w != nil {
			wt = mr.w[t]
		}
		sum, gt := 0.0, 0.0
		for i, v := range row {
			// Strict hinge: z = 0 and NaN add nothing.
			if z := mr.margin - xt + v; i != t && z > 0 {
				h, gh := z, g
				if mr.p == 2 {
					h, gh = z*z, 2*g*z
				}
				if mr.w != nil {
					h *= wt
					gh *= wt
				}
				sum += h
				gt -= gh
				grow[i] = gh
			}
		}
		grow[t] = gt
		mr.el[s] = sum / float64(C)
	}
}
