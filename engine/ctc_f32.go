package engine

import "math"

func init() { registerFloat32("CTCLoss", ctcF32) }

// ctcF32 is ATen's float CTC (ctc_loss_cpu_template and
// ctc_loss_backward_cpu_template) operation for operation: the α and β
// recursions in log space with float32 log-sum-exp, the occupancy Γ
// collected in log space, then
//
//	grad = (exp lp − exp(Γ + nll − lp))·g
//
// With peaked scores (a log-prob of 0 or −1e-7 next to −100) exp lp and
// exp(Γ + nll − lp) are both within float32's ulp of 1: the gradient is
// their rounding noise (say −1.0000381 where float64 has −0.9999990, a
// value below −1 that no exact computation gives), and nll of a confident
// path rounds to 0. float64 keeps the difference to 1e-16.
func ctcF32(c *Call, r *Result) {
	var p ctcProblem
	_ = p.init(c) // the float64 pass validated the call
	neginf := float32(math.Inf(-1))
	lp := func(t, b, k int) float32 { return float32(p.lp[(t*p.N+b)*p.C+k]) }
	el := r.Elements.Data
	grad := r.Grads["log_probs"].Data
	clear(grad)
	var alpha, beta []float32
	for b := range p.N {
		T, L := p.inLen[b], p.tgLen[b]
		S := 2*L + 1
		prime := func(s int) int {
			if s%2 == 0 {
				return p.blank
			}
			return p.label(b, s/2)
		}
		alpha = grow32(alpha, T*S)
		beta = grow32(beta, T*S)
		for i := range alpha {
			alpha[i], beta[i] = neginf, neginf
		}
		alpha[0] = lp(0, b, p.blank)
		if L > 0 {
			alpha[1] = lp(0, b, prime(1))
		}
		for t := 1; t < T; t++ {
			for s := range S {
				prev := alpha[(t-1)*S:]
				la1, la2, la3 := prev[s], neginf, neginf
				m := la1
				if s > 0 {
					la2 = prev[s-1]
					m = max32(m, la2)
				}
				if s > 1 && prime(s-2) != prime(s) {
					la3 = prev[s-2]
					m = max32(m, la3)
				}
				if m == neginf {
					m = 0
				}
				alpha[t*S+s] = log32(exp32(la1-m)+exp32(la2-m)+exp32(la3-m)) + m + lp(t, b, prime(s))
			}
		}
		var nll float32
		if L == 0 {
			nll = -alpha[(T-1)*S]
		} else {
			l1, l2 := alpha[(T-1)*S+S-1], alpha[(T-1)*S+S-2]
			m := max32(l1, l2)
			if m == neginf {
				m = 0
			}
			nll = -(log32(exp32(l1-m)+exp32(l2-m)) + m)
		}
		if p.zeroInf && isInf32(nll) && nll > 0 {
			el[b] = 0
			continue // the gradient of this sample stays 0
		}
		el[b] = float64(nll)

		// Γ_t(c) in log space, -Inf where nothing was collected.
		gam := func(t, k int) *float64 { return &grad[(t*p.N+b)*p.C+k] }
		for t := range T {
			for k := range p.C {
				*gam(t, k) = math.Inf(-1)
			}
		}
		collect := func(t, s int) {
			ab := alpha[t*S+s] + beta[t*S+s]
			q := gam(t, prime(s))
			lcab := float32(*q)
			if lcab == neginf {
				lcab = ab
			} else {
				m := max32(lcab, ab)
				lcab = log32(exp32(lcab-m)+exp32(ab-m)) + m
			}
			*q = float64(lcab)
		}
		beta[(T-1)*S+S-1] = lp(T-1, b, p.blank)
		if L > 0 {
			beta[(T-1)*S+S-2] = lp(T-1, b, prime(S-2))
		}
		for s := range S {
			collect(T-1, s)
		}
		for t := T - 2; t >= 0; t-- {
			next := beta[(t+1)*S:]
			for s := range S {
				lb1, lb2, lb3 := next[s], neginf, neginf
				m := lb1
				if s < S-1 {
					lb2 = next[s+1]
					m = max32(m, lb2)
				}
				if s < S-2 && prime(s+2) != prime(s) {
					lb3 = next[s+2]
					m = max32(m, lb3)
				}
				if m == neginf {
					m = 0
				}
				beta[t*S+s] = log32(exp32(lb1-m)+exp32(lb2-m)+exp32(lb3-m)) + m + lp(t, b, prime(s))
			}
			for s := range S {
				collect(t, s)
			}
		}
		g := float32(1)
		if p.red == ReductionMean {
			g = 1 / float32(p.N) / float32(max(L, 1))
		}
		for t := range T {
			for k := range p.C {
				q := gam(t, k)
				l := lp(t, b, k)
				*q = float64((exp32(l) - exp32(float32(*q)+nll-l)) * g)
			}
		}
	}
	switch p.red {
	case ReductionNone:
		copy(r.Loss.Data, el)
	case ReductionSum:
		r.Loss.Data[0] = float64(sum32(el))
	default:
		q := make([]float64, len(el))
		for b, v := range el {
			q[b] = float64(float32(v) / float32(max(p.tgLen[b], 1)))
		}
		r.Loss.Data[0] = float64(sum32(q) / float32(p.N))
	}
}

// grow32 returns buf resized to n.
func grow32(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
