package engine

import (
	"math"
	"math/rand/v2"
	"sync"
)

func init() {
	Register(&Spec{
		Name:   "CTCLoss",
		Slug:   "ctc",
		Family: FamilySequence,
		Summary: "Connectionist temporal classification: the negative log of the total probability of every " +
			"frame-by-frame alignment (with blanks and repeats) that collapses to the target sequence.",
		Formula: `\ell_b = -\log \sum_{\pi \in \mathcal{B}^{-1}(y_b)} \prod_{t=1}^{T_b} p_t(\pi_t),` +
			`\qquad \text{mean: } \frac{1}{N} \sum_{b=1}^{N} \frac{\ell_b}{\max(L_b, 1)}`,
		Params: []Param{
			{Name: "blank", Kind: KindInt, Default: 0, Min: ptr(0), SliderMin: 0, SliderMax: 9, Step: 1,
				Doc: "Class index of the blank symbol; must be in [0, C) and must not occur in the targets."},
			{Name: "reduction", Kind: KindEnum, Default: "mean", Values: []string{"none", "mean", "sum"},
				Doc: "'none' keeps the per-sample losses, 'sum' adds them, 'mean' divides each by its target length (at least 1) and averages over the batch."},
			{Name: "zero_infinity", Kind: KindBool, Default: false,
				Doc: "Replace infinite losses (impossible alignments) and their gradients by zero."},
		},
		Inputs: []InputSpec{
			{Name: "log_probs", Role: RolePrediction, Differentiable: true,
				Doc: "Log-probabilities (T, N, C), or (T, C) unbatched, normally log_softmax output; C counts the blank. Used as given, never renormalised.",
				Example: []any{
					[]any{[]any{-0.3567, -1.6094, -2.3026}, []any{-0.6931, -1.204, -1.6094}},
					[]any{[]any{-1.6094, -0.5108, -1.6094}, []any{-1.204, -1.204, -0.9163}},
					[]any{[]any{-0.6931, -1.6094, -1.204}, []any{-1.6094, -2.3026, -0.3567}},
					[]any{[]any{-1.6094, -2.3026, -0.3567}, []any{-0.5108, -1.6094, -1.6094}},
				}},
			{Name: "targets", Role: RoleTarget, Integer: true,
				Doc:     "Label sequences: padded (N, S) with row b's labels in its first L_b entries, or all concatenated (ΣL_b); (S) with S = L unbatched.",
				Example: []any{[]any{1.0, 2.0}, []any{2.0, 0.0}}},
			{Name: "input_lengths", Role: RoleLengths, Integer: true,
				Doc:     "Frames used per sample, T_b in [1, T]: shape (N), or () unbatched.",
				Example: []any{4.0, 3.0}},
			{Name: "target_lengths", Role: RoleLengths, Integer: true,
				Doc:     "Target length per sample, L_b ≥ 0: shape (N), or () unbatched.",
				Example: []any{2.0, 1.0}},
		},
		DetailFields: map[string]string{
			"lattice": "One CTCLattice per sample: input_length T_b, target_length L_b, extended labels l' (S' = 2L_b+1, " +
				"blanks interleaved), skip_allowed[s] (transition s−2 → s), log_alpha and log_beta [T_b, S'] (−Infinity where " +
				"unreachable; beta includes the emission at t, as in PyTorch), occupancy [T_b, S'] (posterior of state s at " +
				"frame t; rows sum to 1, all 0 when infeasible), feasible [T_b][S'] (alpha and beta finite), viterbi_path " +
				"(best single alignment's state per frame, empty when infeasible), viterbi_log_prob, log_likelihood (−nll_b, " +
				"−Infinity when infeasible) and grad [T_b, C] (this sample's rows of grads.log_probs).",
		},
		GradientNote: "Like PyTorch, the gradient returned for log_probs is exp(log_probs) − γ (γ the posterior of each " +
			"label per frame), which is the gradient with respect to the logits once log_probs = log_softmax(logits). " +
			"The derivative with respect to free log_probs is −γ.",
		Compute: computeCTC,
		Random:  randomCTC,
	})
}

// ctcMaxCells bounds Σ_b T_b·(2L_b+1), the size of one alpha or beta
// lattice, so that a request cannot make the engine allocate gigabytes
// (PyTorch has no such limit; 2^24 states is far beyond what a page sends).
const ctcMaxCells = 1 << 24

// ctcProblem is a validated CTC call: the geometry of log_probs and the
// position of every sample's labels in targets.
type ctcProblem struct {
	lp          []float64 // log_probs data, (T, N, C) row-major
	T, N, C     int
	blank       int
	batched     bool
	inLen       []int // T_b
	tgLen       []int // L_b
	tgOff       []int // label j of sample b is targets[tgOff[b] + j]
	targets     []float64
	zeroInf     bool
	red         Reduction
	cells       int   // Σ_b T_b·S'_b
	latticeOff  []int // offset of sample b's [T_b, S'_b] lattice
	extendedOff []int // offset of sample b's extended labels
}

// ctcWork holds the scratch buffers of one computation, pooled so that
// repeated calls (a slider drag) do not allocate.
type ctcWork struct {
	p           ctcProblem
	alpha, beta []float64
	ext         []int
	nll         []float64 // nll_b before zero_infinity
	rows        []float64 // three lattice rows for the fast path
	skip        []float64 // fast path: 1 where the skip s−2 → s is allowed, else 0
	used        []bool    // fast path: the classes that occur in l'
	// stop is Call.stop of the running computation: every frame loop
	// polls it, and gives up with garbage that computeCTC never returns.
	stop <-chan struct{}
}

// stopped reports that the computation must give up.
func (w *ctcWork) stopped() bool { return canceled(w.stop) }

var ctcWorkPool = sync.Pool{New: func() any { return new(ctcWork) }}

// computeCTC follows torch.nn.CTCLoss (ATen's ctc_loss_cpu_template and
// ctc_loss_backward_cpu_template). For sample b with extended labels l'
// (blanks interleaved, S' = 2L_b+1) and log_alpha / log_beta as in
// ctc_lattice.go,
//
//	nll_b = −log(exp α_{T_b−1}(S'−1) + exp α_{T_b−1}(S'−2))
//	Γ_t(c) = log Σ_{s: l'_s = c} exp(α_t(s) + β_t(s))
//	grad[t, b, c] = g_b·(exp lp_t(c) − exp(Γ_t(c) + nll_b − lp_t(c)))   for t < T_b, else 0
//
// with g_b = 1 for 'sum' and 'none' and 1/(N·max(L_b, 1)) for 'mean',
// which is (1/N)·Σ_b nll_b/max(L_b, 1). The gradient is PyTorch's, not the
// free-input derivative −γ (see Spec.GradientNote). An infinite nll_b gives
// NaN gradients for that sample unless zero_infinity, which replaces the
// loss and the gradient by 0.
//
// Two evaluations give these values. Ordinary samples take ctcWork.fast,
// in scaled probability space (one exp per log-prob instead of several per
// lattice state); a sample with a non-finite or extreme log-prob takes
// ATen's log-space recursion (forward, backward, finishGrad) operation for
// operation, so that NaN and ±Inf come out as in PyTorch. Detail runs the
// log-space recursion of every sample on the side, for the log_alpha and
// log_beta the lattice shows.
func computeCTC(c *Call, r *Result) error {
	w := ctcWorkPool.Get().(*ctcWork)
	p := &w.p
	defer func() {
		// Do not keep the caller's inputs alive in the pool.
		p.lp, p.targets = nil, nil
		w.stop = nil
		ctcWorkPool.Put(w)
	}()
	if err := p.init(c); err != nil {
		return err
	}
	w.stop = c.stop()
	w.prepare()

	var el []float64
	if p.batched {
		el = r.SetElements(p.N).Data
	} else {
		el = r.SetElements().Data
	}
	grad := r.Grad("log_probs", c.Input("log_probs").Shape...).Data
	for b := range p.N {
		g := p.sampleScale(b)
		// The scaled probability-space path, unless the sample's log-probs
		// need the exact log-space arithmetic.
		if nll, ok := w.fast(b, g, grad); ok {
			w.nll[b] = nll
			el[b] = ctcZeroInfinity(nll, p.zeroInf)
			continue
		}
		nll := w.forward(b)
		w.nll[b] = nll
		el[b] = ctcZeroInfinity(nll, p.zeroInf)
		dropped := p.zeroInf && math.IsInf(nll, 1)
		if !dropped {
			w.backward(b, grad)
		}
		if dropped {
			// zero_infinity: ATen zeroes the whole gradient of an
			// infinite sample.
			w.clearGrad(b, grad)
			continue
		}
		w.finishGrad(b, nll, g, grad)
		if w.stopped() {
			return c.interrupted()
		}
	}
	if w.stopped() { // the fast path's last sample
		return c.interrupted()
	}

	switch p.red {
	case ReductionNone:
		copy(r.SetLoss(r.Elements.Shape...).Data, el)
	case ReductionSum:
		r.SetScalar(Sum(el))
	default:
		// (res / clamp_min(target_lengths, 1)).mean(); an empty batch
		// gives 0/0 = NaN as in PyTorch.
		s := 0.0
		for b, v := range el {
			s += v / float64(max(p.tgLen[b], 1))
		}
		r.SetScalar(s / float64(p.N))
	}
	if c.Detail {
		// The lattice shows ATen's log-space alpha and beta of every
		// sample. They are computed on the side, so that loss and
		// gradient are those of the same call without detail, to the
		// last bit.
		occupancy := make([]float64, len(grad))
		for b := range p.N {
			w.nll[b] = w.forward(b)
			w.backward(b, occupancy)
			if w.stopped() {
				return c.interrupted()
			}
		}
		lattices := w.lattices(grad)
		if w.stopped() {
			return c.interrupted()
		}
		r.Detail["lattice"] = lattices
	}
	return nil
}

// ctcZeroInfinity is the loss ATen reports for nll: 0 in place of +Inf
// when zeroInf is set.
func ctcZeroInfinity(nll float64, zeroInf bool) float64 {
	if zeroInf && math.IsInf(nll, 1) {
		return 0
	}
	return nll
}

// sampleScale is g_b, the upstream gradient of sample b's nll.
func (p *ctcProblem) sampleScale(b int) float64 {
	if p.red == ReductionMean {
		return 1 / float64(p.N) / float64(max(p.tgLen[b], 1))
	}
	return 1
}

// label returns the j-th label (0-based) of sample b.
func (p *ctcProblem) label(b, j int) int {
	return int(p.targets[p.tgOff[b]+j])
}

// init validates the call. It refuses everything PyTorch rejects, and also
// what PyTorch silently turns into garbage: labels outside [0, C) (an
// out-of-bounds read), labels equal to blank, input lengths below 1 and
// negative target lengths.
func (p *ctcProblem) init(c *Call) error {
	lp := c.Input("log_probs")
	tg := c.Input("targets")
	il, tl := c.Input("input_lengths"), c.Input("target_lengths")
	switch lp.Dim() {
	case 3:
		p.batched = true
		p.T, p.N, p.C = lp.Shape[0], lp.Shape[1], lp.Shape[2]
	case 2:
		// Unbatched: ATen unsqueezes a batch dimension of 1.
		p.batched = false
		p.T, p.N, p.C = lp.Shape[0], 1, lp.Shape[1]
	default:
		return errorf("log_probs", "must have shape (T, N, C) or (T, C), got %s", shapeString(lp.Shape))
	}
	p.lp = lp.Data
	p.targets = tg.Data
	p.zeroInf = c.Bool("zero_infinity")
	p.red = c.Reduction()
	if tg.Dim() != 1 && tg.Dim() != 2 {
		return errorf("targets", "must be padded (N, S) or concatenated 1-D, got shape %s", shapeString(tg.Shape))
	}
	p.blank = c.Int("blank")
	if p.blank < 0 || p.blank >= p.C {
		return errorf("params.blank", "blank must be in label range [0, %d), got %d", p.C, p.blank)
	}
	if il.Numel() != p.N {
		return errorf("input_lengths", "must have one entry per sample (batch size %d), got shape %s", p.N, shapeString(il.Shape))
	}
	if tl.Numel() != p.N {
		return errorf("target_lengths", "must have one entry per sample (batch size %d), got shape %s", p.N, shapeString(tl.Shape))
	}
	p.inLen = p.inLen[:0]
	p.tgLen = p.tgLen[:0]
	for b := range p.N {
		ib, lb := il.Data[b], tl.Data[b]
		if ib > float64(p.T) {
			return errorf("input_lengths", "sample %d: input length %v exceeds the %d frames of log_probs", b, ib, p.T)
		}
		if ib < 1 {
			// ATen reads frame −1 and returns garbage.
			return errorf("input_lengths", "sample %d: input length must be at least 1, got %v", b, ib)
		}
		if lb < 0 {
			return errorf("target_lengths", "sample %d: target length must not be negative, got %v", b, lb)
		}
		if lb > float64(tg.Numel()) {
			return errorf("target_lengths", "sample %d: target length %v exceeds the %d entries of targets", b, lb, tg.Numel())
		}
		p.inLen = append(p.inLen, int(ib))
		p.tgLen = append(p.tgLen, int(lb))
	}

	p.tgOff = p.tgOff[:0]
	if tg.Dim() == 1 {
		// Concatenated: sample b's labels follow those of samples < b.
		pos := 0
		for b := range p.N {
			p.tgOff = append(p.tgOff, pos)
			pos += p.tgLen[b]
		}
		if tg.Shape[0] != pos {
			return errorf("targets", "concatenated targets must have Σ target_lengths = %d entries, got %d", pos, tg.Shape[0])
		}
	} else {
		if tg.Shape[0] != p.N {
			return errorf("targets", "padded targets must have one row per sample (batch size %d), got shape %s", p.N, shapeString(tg.Shape))
		}
		for b := range p.N {
			if p.tgLen[b] > tg.Shape[1] {
				return errorf("targets", "sample %d: target length %d exceeds the padded width %d", b, p.tgLen[b], tg.Shape[1])
			}
			p.tgOff = append(p.tgOff, b*tg.Shape[1])
		}
	}

	// Labels beyond L_b (padding) are ignored whatever their value, as in
	// PyTorch; the L_b labels themselves must be real classes.
	for b := range p.N {
		for j := range p.tgLen[b] {
			v := p.targets[p.tgOff[b]+j]
			if v < 0 || v >= float64(p.C) {
				return errorf("targets", "sample %d: label %v at position %d is outside [0, %d)", b, v, j, p.C)
			}
			if int(v) == p.blank {
				return errorf("targets", "sample %d: label %d at position %d is the blank; targets must not contain the blank", b, p.blank, j)
			}
		}
	}

	p.latticeOff = p.latticeOff[:0]
	p.extendedOff = p.extendedOff[:0]
	cells, ext := 0, 0
	for b := range p.N {
		sp := 2*p.tgLen[b] + 1
		p.latticeOff = append(p.latticeOff, cells)
		p.extendedOff = append(p.extendedOff, ext)
		cells += p.inLen[b] * sp
		ext += sp
		if cells > ctcMaxCells {
			return errorf("targets", "the alignment lattice (Σ input_length·(2·target_length+1)) exceeds %d states", ctcMaxCells)
		}
	}
	p.cells = cells
	return nil
}

// randomCTC returns log_softmax of normal logits with random labels that
// are never the blank (0): tiny is T=6, N=2, C=4 with target lengths 2 and
// 1 and input lengths 6 and 5 (always feasible); small is T=20, N=2, C=8,
// L=5; large is T=200, N=16, C=32, L=40.
func randomCTC(rng *rand.Rand, s Scale) map[string]*Tensor {
	T, N, C, L := 6, 2, 4, 2
	switch s {
	case ScaleSmall:
		T, N, C, L = 20, 2, 8, 5
	case ScaleLarge:
		T, N, C, L = 200, 16, 32, 40
	}
	lp := RandN(rng, T, N, C)
	for i := 0; i < len(lp.Data); i += C {
		LogSoftmax(lp.Data[i:i+C], lp.Data[i:i+C])
	}
	tg := NewTensor(N, L)
	for i := range tg.Data {
		tg.Data[i] = float64(1 + rng.IntN(C-1))
	}
	il, tl := NewTensor(N), NewTensor(N)
	for b := range N {
		il.Data[b], tl.Data[b] = float64(T), float64(L)
	}
	if s == ScaleTiny {
		// Shorter second sample: frames past its length get no gradient.
		il.Data[1], tl.Data[1] = float64(T-1), float64(L-1)
	}
	return map[string]*Tensor{"log_probs": lp, "targets": tg, "input_lengths": il, "target_lengths": tl}
}
