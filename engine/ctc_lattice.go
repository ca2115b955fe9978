package engine

import "math"

// CTCLattice is what the CTC page draws for one sample: the alignment
// lattice of its extended label sequence over its frames, the forward and
// backward variables, the posterior of every state and the single most
// likely alignment. computeCTC puts a []CTCLattice, one per sample, in
// Result.Detail["lattice"] when Call.Detail is set.
type CTCLattice struct {
	InputLength  int `json:"input_length"`  // T_b
	TargetLength int `json:"target_length"` // L_b
	// Extended is l' = (blank, l_1, blank, …, l_L, blank), length S' = 2L_b+1.
	Extended []int `json:"extended"`
	// SkipAllowed[s] reports whether the transition s−2 → s is allowed:
	// s ≥ 2 and l'_s ≠ l'_{s−2}, i.e. s is a label differing from the
	// previous label.
	SkipAllowed []bool `json:"skip_allowed"`
	// LogAlpha and LogBeta are [T_b, S'], −Infinity where unreachable. As
	// in PyTorch, both include the emission lp_t(l'_s).
	LogAlpha *Tensor `json:"log_alpha"`
	LogBeta  *Tensor `json:"log_beta"`
	// Occupancy [T_b, S'] is the posterior probability of state s at frame
	// t, exp(α + β − lp_t(l'_s) + nll_b); each row sums to 1 for a feasible
	// sample, and it is all 0 for an infeasible one.
	Occupancy *Tensor `json:"occupancy"`
	// Feasible[t][s] reports whether alpha and beta are both finite: the
	// state lies on some complete alignment.
	Feasible [][]bool `json:"feasible"`
	// ViterbiPath is the state index s at each frame of the most likely
	// single alignment (empty when infeasible); ViterbiLogProb its log
	// probability Σ_t lp_t(l'_{s_t}).
	ViterbiPath    []int `json:"viterbi_path"`
	ViterbiLogProb Float `json:"viterbi_log_prob"`
	// LogLikelihood is −nll_b, −Infinity when infeasible (whatever
	// zero_infinity does to the loss).
	LogLikelihood Float `json:"log_likelihood"`
	// Grad [T_b, C] is this sample's gradient as returned in
	// grads.log_probs (reduction scaling included).
	Grad *Tensor `json:"grad"`
}

// prepare builds every sample's extended label sequence and sizes the
// lattices. It needs a validated problem.
func (w *ctcWork) prepare() {
	p := &w.p
	w.alpha = ctcGrow(w.alpha, p.cells)
	w.beta = ctcGrow(w.beta, p.cells)
	n := 0
	for b := range p.N {
		n += 2*p.tgLen[b] + 1
	}
	if cap(w.ext) < n {
		w.ext = make([]int, n)
	}
	w.ext = w.ext[:n]
	w.nll = ctcGrow(w.nll, p.N)
	maxSp := 0
	for b := range p.N {
		maxSp = max(maxSp, 2*p.tgLen[b]+1)
	}
	w.rows = ctcGrow(w.rows, 3*maxSp)
	w.skip = ctcGrow(w.skip, maxSp)
	if cap(w.used) < p.C {
		w.used = make([]bool, p.C)
	}
	w.used = w.used[:p.C]
	for b := range p.N {
		ext := w.extended(b)
		for s := range ext {
			if s%2 == 0 {
				ext[s] = p.blank
			} else {
				ext[s] = p.label(b, s/2)
			}
		}
	}
}

func ctcGrow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}

// extended returns sample b's extended label sequence l'.
func (w *ctcWork) extended(b int) []int {
	off := w.p.extendedOff[b]
	return w.ext[off : off+2*w.p.tgLen[b]+1]
}

// lattice returns sample b's [T_b, S'] region of buf (alpha or beta).
func (w *ctcWork) lattice(buf []float64, b int) []float64 {
	off := w.p.latticeOff[b]
	return buf[off : off+w.p.inLen[b]*(2*w.p.tgLen[b]+1)]
}

// ctcExpDiff returns exp(d) for d = x − max, short-cutting the two values
// that dominate the lattice, exp(0) = 1 and exp(−∞) = 0, exactly.
func ctcExpDiff(d float64) float64 {
	if d == 0 {
		return 1
	}
	if d < -746 {
		return 0 // exp underflows to 0 below about −745.13
	}
	return math.Exp(d)
}

// forward fills sample b's log_alpha and returns nll_b. It is ATen's
// recursion, in the same operation order:
//
//	α_0(0) = lp_0(blank),  α_0(1) = lp_0(l_1),  α_0(s) = −∞ otherwise
//	α_t(s) = log Σ_k exp(a_k − m) + m + lp_t(l'_s),  a = (α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2))
//
// where the s−2 term is −∞ unless the skip is allowed (l'_s ≠ l'_{s−2}),
// m is the largest term, replaced by 0 when every term is −∞ (so that
// −∞ − −∞ never occurs), and
//
//	nll_b = −log(exp α_{T_b−1}(S'−1) + exp α_{T_b−1}(S'−2))
//
// or −α_{T_b−1}(0) for an empty target.
func (w *ctcWork) forward(b int) float64 {
	p := &w.p
	ext := w.extended(b)
	sp := len(ext)
	a := w.lattice(w.alpha, b)
	T, N, C := p.inLen[b], p.N, p.C
	neginf := math.Inf(-1)

	lpt := p.lp[b*C : b*C+C]
	for s := range sp {
		a[s] = neginf
	}
	a[0] = lpt[p.blank]
	if sp > 1 {
		a[1] = lpt[ext[1]]
	}
	for t := 1; t < T; t++ {
		if w.stopped() {
			return math.NaN()
		}
		prev := a[(t-1)*sp : t*sp]
		cur := a[t*sp : (t+1)*sp]
		lpt = p.lp[(t*N+b)*C : (t*N+b)*C+C]
		for s := range sp {
			la1 := prev[s]
			m := la1
			la2, la3 := neginf, neginf
			if s > 0 {
				la2 = prev[s-1]
				if la2 > m {
					m = la2
				}
			}
			if s > 1 && ext[s-2] != ext[s] {
				la3 = prev[s-2]
				if la3 > m {
					m = la3
				}
			}
			if m == neginf {
				m = 0
			}
			cur[s] = math.Log(ctcExpDiff(la1-m)+ctcExpDiff(la2-m)+ctcExpDiff(la3-m)) + m + lpt[ext[s]]
		}
	}
	last := a[(T-1)*sp : T*sp]
	if sp == 1 {
		// No label: only the all-blank path, no second end state.
		return -last[0]
	}
	l1, l2 := last[sp-1], last[sp-2]
	m := math.Max(l1, l2)
	if m == neginf {
		m = 0
	}
	return -(math.Log(math.Exp(l1-m)+math.Exp(l2-m)) + m)
}

// backward fills sample b's log_beta and accumulates, into sample b's rows
// t < T_b of grad, Γ_t(c) = log Σ_{s: l'_s = c} exp(α_t(s) + β_t(s)) (−∞
// for labels that do not occur). It is ATen's recursion in its order:
//
//	β_{T_b−1}(S'−1) = lp(blank),  β_{T_b−1}(S'−2) = lp(l_L),  −∞ otherwise
//	β_t(s) = log Σ_k exp(b_k − m) + m + lp_t(l'_s),  b = (β_{t+1}(s), β_{t+1}(s+1), β_{t+1}(s+2))
//
// with s descending, the s+2 term −∞ unless l'_{s+2} ≠ l'_s. In the last
// frame ATen assigns (not log-adds) the two end states' α + β, which is
// the same because they are a blank and a non-blank label.
func (w *ctcWork) backward(b int, grad []float64) {
	p := &w.p
	ext := w.extended(b)
	sp := len(ext)
	a := w.lattice(w.alpha, b)
	be := w.lattice(w.beta, b)
	T, N, C := p.inLen[b], p.N, p.C
	neginf := math.Inf(-1)

	for t := range T {
		g := grad[(t*N+b)*C : (t*N+b)*C+C]
		for c := range g {
			g[c] = neginf
		}
	}
	t := T - 1
	lpt := p.lp[(t*N+b)*C : (t*N+b)*C+C]
	gt := grad[(t*N+b)*C : (t*N+b)*C+C]
	row := be[t*sp : (t+1)*sp]
	for s := range row {
		row[s] = neginf
	}
	row[sp-1] = lpt[p.blank]
	gt[p.blank] = a[t*sp+sp-1] + row[sp-1]
	if sp > 1 {
		c := ext[sp-2]
		row[sp-2] = lpt[c]
		gt[c] = a[t*sp+sp-2] + row[sp-2]
	}
	for t := T - 2; t >= 0; t-- {
		if w.stopped() {
			return
		}
		next := be[(t+1)*sp : (t+2)*sp]
		cur := be[t*sp : (t+1)*sp]
		at := a[t*sp : (t+1)*sp]
		lpt = p.lp[(t*N+b)*C : (t*N+b)*C+C]
		gt = grad[(t*N+b)*C : (t*N+b)*C+C]
		for s := sp - 1; s >= 0; s-- {
			cs := ext[s]
			lb1 := next[s]
			m := lb1
			lb2, lb3 := neginf, neginf
			if s < sp-1 {
				lb2 = next[s+1]
				if lb2 > m {
					m = lb2
				}
			}
			if s < sp-2 && ext[s+2] != cs {
				lb3 = next[s+2]
				if lb3 > m {
					m = lb3
				}
			}
			if m == neginf {
				m = 0
			}
			bv := math.Log(ctcExpDiff(lb1-m)+ctcExpDiff(lb2-m)+ctcExpDiff(lb3-m)) + m + lpt[cs]
			cur[s] = bv
			ab := at[s] + bv
			if lc := gt[cs]; lc == neginf {
				gt[cs] = ab
			} else {
				mx := math.Max(lc, ab)
				gt[cs] = math.Log(math.Exp(lc-mx)+math.Exp(ab-mx)) + mx
			}
		}
	}
}

// finishGrad turns the accumulated Γ of sample b into PyTorch's gradient,
//
//	grad[t, b, c] = (exp lp_t(c) − exp(Γ_t(c) + nll − lp_t(c)))·g
//
// which is NaN everywhere for an infinite nll (−∞ + ∞), and NaN where
// lp_t(c) = −∞. Frames t ≥ T_b keep their zero.
func (w *ctcWork) finishGrad(b int, nll, g float64, grad []float64) {
	p := &w.p
	N, C := p.N, p.C
	for t := range p.inLen[b] {
		o := (t*N + b) * C
		gt := grad[o : o+C]
		lpt := p.lp[o : o+C]
		for c, res := range gt {
			lp := lpt[c]
			gt[c] = (math.Exp(lp) - ctcExpDiff(res+nll-lp)) * g
		}
	}
}

// clearGrad zeroes sample b's gradient, as zero_infinity does for an
// infinite loss.
func (w *ctcWork) clearGrad(b int, grad []float64) {
	p := &w.p
	for t := range p.inLen[b] {
		o := (t*p.N + b) * p.C
		clear(grad[o : o+p.C])
	}
}

// lattices builds the page's view of every sample from the alpha and beta
// lattices computed for the loss.
func (w *ctcWork) lattices(grad []float64) []CTCLattice {
	p := &w.p
	out := make([]CTCLattice, p.N)
	for b := range p.N {
		out[b] = w.sampleLattice(b, grad)
	}
	return out
}

func (w *ctcWork) sampleLattice(b int, grad []float64) CTCLattice {
	p := &w.p
	ext := w.extended(b)
	sp := len(ext)
	T, N, C := p.inLen[b], p.N, p.C
	a := w.lattice(w.alpha, b)
	be := w.lattice(w.beta, b)
	nll := w.nll[b]
	lat := CTCLattice{
		InputLength:   T,
		TargetLength:  p.tgLen[b],
		Extended:      append([]int{}, ext...),
		SkipAllowed:   make([]bool, sp),
		LogAlpha:      &Tensor{Shape: []int{T, sp}, Data: append([]float64{}, a...)},
		LogBeta:       &Tensor{Shape: []int{T, sp}, Data: append([]float64{}, be...)},
		Occupancy:     NewTensor(T, sp),
		Feasible:      make([][]bool, T),
		LogLikelihood: Float(-nll),
		Grad:          NewTensor(T, C),
		ViterbiPath:   []int{},
	}
	for s := 2; s < sp; s++ {
		lat.SkipAllowed[s] = ext[s] != ext[s-2]
	}
	feasibleSample := !math.IsInf(nll, 0) && !math.IsNaN(nll)
	occ := lat.Occupancy.Data
	for t := range T {
		if w.stopped() {
			return lat
		}
		lat.Feasible[t] = make([]bool, sp)
		lpt := p.lp[(t*N+b)*C : (t*N+b)*C+C]
		for s := range sp {
			k := t*sp + s
			f := ctcFinite(a[k]) && ctcFinite(be[k])
			lat.Feasible[t][s] = f
			if f && feasibleSample {
				// α and β both hold the emission: remove one copy.
				occ[k] = math.Exp(a[k] + be[k] - lpt[ext[s]] + nll)
			}
		}
		copy(lat.Grad.Data[t*C:(t+1)*C], grad[(t*N+b)*C:(t*N+b)*C+C])
	}
	if feasibleSample && !w.stopped() {
		lat.ViterbiPath, lat.ViterbiLogProb = w.viterbi(b)
	} else {
		lat.ViterbiLogProb = Float(math.Inf(-1))
	}
	return lat
}

func ctcFinite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }

// viterbi returns the most likely single alignment of sample b, the state
// index at each frame, and its log probability: the alpha recursion with
// max in place of log-sum-exp. Ties prefer staying in the same state, then
// the step from s−1, then the skip from s−2; at the end, the final blank.
func (w *ctcWork) viterbi(b int) ([]int, Float) {
	p := &w.p
	ext := w.extended(b)
	sp := len(ext)
	T, N, C := p.inLen[b], p.N, p.C
	neginf := math.Inf(-1)
	v := make([]float64, T*sp)
	from := make([]int, T*sp)
	for s := range sp {
		v[s] = neginf
	}
	v[0] = p.lp[b*C+p.blank]
	if sp > 1 {
		v[1] = p.lp[b*C+ext[1]]
	}
	for t := 1; t < T; t++ {
		if w.stopped() {
			return []int{}, Float(math.NaN())
		}
		lpt := p.lp[(t*N+b)*C : (t*N+b)*C+C]
		for s := range sp {
			k := (t-1)*sp + s
			best, arg := v[k], s
			if s > 0 && v[k-1] > best {
				best, arg = v[k-1], s-1
			}
			if s > 1 && ext[s] != ext[s-2] && v[k-2] > best {
				best, arg = v[k-2], s-2
			}
			v[t*sp+s] = best + lpt[ext[s]]
			from[t*sp+s] = arg
		}
	}
	end := sp - 1
	if sp > 1 && v[(T-1)*sp+sp-2] > v[(T-1)*sp+end] {
		end = sp - 2
	}
	best := v[(T-1)*sp+end]
	if !ctcFinite(best) {
		return []int{}, Float(best)
	}
	path := make([]int, T)
	path[T-1] = end
	for t := T - 1; t > 0; t-- {
		path[t-1] = from[t*sp+path[t]]
	}
	return path, Float(best)
}

// Bounds of the scaled probability-space path (ctcWork.fast). Emission
// probabilities of lattice labels outside [ctcFastMinProb, ctcFastMaxProb]
// and normalised lattice entries below ctcFastMinScaled send the sample to
// the exact log-space path: with them, no entry that is mathematically
// nonzero can underflow to zero, so a zero likelihood is a structural one
// (no alignment fits) and every kept ratio has full precision.
const (
	ctcFastMinProb   = 1e-30
	ctcFastMaxProb   = 1e30
	ctcFastMinScaled = 1e-200
	// ctcFastMinOverlap bounds Σ_s â_t(s)β̃_t(s) from below: above it,
	// every product that matters to 1e-12 of γ is a normal float64.
	ctcFastMinOverlap = 1e-250
)

// fast computes sample b's nll and, unless zero_infinity drops it, its
// gradient scaled by g into grad, in scaled probability space (Rabiner's
// scaling): with p_t(c) = exp lp_t(c),
//
//	â_t(s) = (â_{t−1}(s) + â_{t−1}(s−1) + [skip] â_{t−1}(s−2))·p_t(l'_s) / z_t
//	β̃_t(s) = (β̃_{t+1}(s)p_{t+1}(l'_s) + β̃_{t+1}(s+1)p_{t+1}(l'_{s+1}) + [skip] β̃_{t+1}(s+2)p_{t+1}(l'_{s+2})) / y_t
//	log p(y|x) = Σ_t log z_t + log(â_{T−1}(S'−1) + â_{T−1}(S'−2))
//	γ_t(c) = Σ_{s: l'_s = c} â_t(s)β̃_t(s) / Σ_s â_t(s)β̃_t(s)
//
// which is the same nll and the same exp(lp) − γ as the log-space
// recursion (forward, backward, finishGrad) up to rounding, with one exp
// per log-prob instead of several per lattice state. It reports false,
// having written nothing that the log-space path does not overwrite, when
// a log-prob is not finite or a bound above is crossed.
func (w *ctcWork) fast(b int, g float64, grad []float64) (nll float64, ok bool) {
	p := &w.p
	ext := w.extended(b)
	sp := len(ext)
	T, N, C := p.inLen[b], p.N, p.C
	a := w.lattice(w.alpha, b)

	// used[c]: class c occurs in l'. skip[s]: 1 where s−2 → s is allowed.
	used, skip := w.used[:C], w.skip[:sp]
	clear(used)
	for s, c := range ext {
		used[c] = true
		skip[s] = 0
		if s > 1 && c != ext[s-2] {
			skip[s] = 1
		}
	}

	// p_t(c) for every class goes into grad: PyTorch's exp(lp) term.
	for t := range T {
		if w.stopped() {
			return 0, false
		}
		o := (t*N + b) * C
		gt, lpt := grad[o:o+C], p.lp[o:o+C]
		for c, v := range lpt {
			if v-v != 0 { // NaN or ±Inf
				return 0, false // NaN and ±Inf follow ATen's arithmetic exactly in log space
			}
			e := fastExp(v)
			if used[c] && !(e >= ctcFastMinProb && e <= ctcFastMaxProb) {
				return 0, false
			}
			gt[c] = e
		}
	}

	// Forward.
	pt := grad[b*C : b*C+C]
	clear(a[:sp])
	a[0] = pt[p.blank]
	if sp > 1 {
		a[1] = pt[ext[1]]
	}
	z := a[0]
	if sp > 1 {
		z += a[1]
	}
	inv := 1 / z
	a[0] *= inv
	if sp > 1 {
		a[1] *= inv
	}
	// The scale factors z_t multiply into scale, which is moved into
	// logScale whenever it leaves [1e-100, 1e100]: a log every few frames
	// instead of one per frame.
	logScale, scale := 0.0, z
	for t := 1; t < T; t++ {
		if w.stopped() {
			return 0, false
		}
		prev := a[(t-1)*sp : t*sp]
		cur := a[t*sp : (t+1)*sp : (t+1)*sp]
		pt = grad[(t*N+b)*C : (t*N+b)*C+C]
		cur[0] = prev[0] * pt[ext[0]]
		z = cur[0]
		if sp > 1 {
			cur[1] = (prev[1] + prev[0]) * pt[ext[1]]
			z += cur[1]
		}
		for s := 2; s < sp; s++ {
			v := (prev[s] + prev[s-1] + skip[s]*prev[s-2]) * pt[ext[s]]
			cur[s] = v
			z += v
		}
		inv = 1 / z
		for s, v := range cur {
			v *= inv
			if v != 0 && v < ctcFastMinScaled {
				return 0, false
			}
			cur[s] = v
		}
		scale *= z
		if scale < 1e-100 || scale > 1e100 {
			logScale += math.Log(scale)
			scale = 1
		}
	}
	logScale += math.Log(scale)
	last := a[(T-1)*sp : T*sp]
	end := last[sp-1]
	if sp > 1 {
		end += last[sp-2]
	}
	if end == 0 {
		// No alignment fits (structurally: see the bounds above). ATen's
		// gradient is then −∞ + ∞ = NaN at every class of every frame.
		nll = math.Inf(1)
		for t := range T {
			o := (t*N + b) * C
			gt := grad[o : o+C]
			if p.zeroInf {
				clear(gt)
			} else {
				for c := range gt {
					gt[c] = math.NaN()
				}
			}
		}
		return nll, true
	}
	nll = -(logScale + math.Log(end))

	// Backward, fused with the posterior: next holds β̃_{t+1}, q holds
	// β̃_{t+1}·p_{t+1}(l'_s), cur receives β̃_t.
	rows := w.rows[:3*sp]
	next, q, cur := rows[:sp:sp], rows[sp:2*sp:2*sp], rows[2*sp:]
	clear(next)
	next[sp-1] = 1
	if sp > 1 {
		next[sp-2] = 1
	}
	for t := T - 2; t >= 0; t-- {
		if w.stopped() {
			return 0, false
		}
		pn := grad[((t+1)*N+b)*C : ((t+1)*N+b)*C+C]
		for s, v := range next {
			q[s] = v * pn[ext[s]]
		}
		// Row t+1 is done: replace its p by (p − γ)·g.
		if !w.fastPosterior(b, t+1, a[(t+1)*sp:(t+2)*sp], next, g, grad) {
			return 0, false
		}
		z = 0
		for s := 0; s < sp-2; s++ {
			v := q[s] + q[s+1] + skip[s+2]*q[s+2]
			cur[s] = v
			z += v
		}
		if sp > 1 {
			cur[sp-2] = q[sp-2] + q[sp-1]
			z += cur[sp-2]
		}
		cur[sp-1] = q[sp-1]
		z += q[sp-1]
		inv = 1 / z
		for s, v := range cur {
			v *= inv
			if v != 0 && v < ctcFastMinScaled {
				return 0, false
			}
			cur[s] = v
		}
		next, cur = cur, next
	}
	if !w.fastPosterior(b, 0, a[:sp], next, g, grad) {
		return 0, false
	}
	return nll, true
}

// fastPosterior turns frame t of grad, which holds p_t(c), into
// (p_t(c) − γ_t(c))·g, with γ from the scaled alpha and beta rows. It
// reports false, leaving the row alone, when the overlap Σ_s â·β̃ is so
// small that the products that make it up may have lost precision.
func (w *ctcWork) fastPosterior(b, t int, alpha, beta []float64, g float64, grad []float64) bool {
	p := &w.p
	ext := w.extended(b)
	o := (t*p.N + b) * p.C
	gt := grad[o : o+p.C]
	z := 0.0
	for s, v := range alpha {
		z += v * beta[s]
	}
	if !(z >= ctcFastMinOverlap) {
		return false
	}
	inv := 1 / z
	for s, v := range alpha {
		if o := v * beta[s]; o != 0 {
			gt[ext[s]] -= o * inv
		}
	}
	ScaleBy(gt, g)
	return true
}
