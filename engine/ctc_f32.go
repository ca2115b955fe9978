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
	el := r.Elements.Data
	grad := r.Grads["log_probs"].Data
	clear(grad)
	var alpha, beta, emit, gam []float32
	var prime []int
	for b := range p.N {
		T, L := p.inLen[b], p.tgLen[b]
		S := 2*L + 1
		prime = growInts(prime, S)
		for s := range S {
			prime[s] = p.blank
			if s%2 == 1 {
				prime[s] = p.label(b, s/2)
			}
		}
		// emit[t·S + s] = lp_t(l'_s), the emission of every state.
		emit = grow32(emit, T*S)
		for t := range T {
			row := p.lp[(t*p.N+b)*p.C:]
			for s, k := range prime {
				emit[t*S+s] = float32(row[k])
			}
		}
		alpha = grow32(alpha, T*S)
		beta = grow32(beta, T*S)
		for i := range alpha {
			alpha[i], beta[i] = neginf, neginf
		}
		alpha[0] = emit[0]
		if L > 0 {
			alpha[1] = emit[1]
		}
		for t := 1; t < T; t++ {
			prev, cur := alpha[(t-1)*S:t*S], alpha[t*S:(t+1)*S]
			for s := range S {
				la1, la2, la3 := prev[s], neginf, neginf
				if s > 0 {
					la2 = prev[s-1]
				}
				if s > 1 && prime[s-2] != prime[s] {
					la3 = prev[s-2]
				}
				cur[s] = logSumExp3F32(la1, la2, la3) + emit[t*S+s]
			}
		}
		var nll float32
		if L == 0 {
			nll = -alpha[(T-1)*S]
		} else {
			nll = -logSumExp3F32(alpha[(T-1)*S+S-1], alpha[(T-1)*S+S-2], neginf)
		}
		if p.zeroInf && isInf32(nll) && nll > 0 {
			el[b] = 0
			continue // the gradient of this sample stays 0
		}
		el[b] = float64(nll)

		// gam[t·C + c] = Γ_t(c) in log space, -Inf where nothing was collected.
		gam = grow32(gam, T*p.C)
		for i := range gam {
			gam[i] = neginf
		}
		collect := func(t int) {
			for s, k := range prime {
				ab := alpha[t*S+s] + beta[t*S+s]
				q := &gam[t*p.C+k]
				if *q == neginf {
					*q = ab
				} else {
					*q = logSumExp3F32(*q, ab, neginf)
				}
			}
		}
		beta[(T-1)*S+S-1] = emit[(T-1)*S+S-1]
		if L > 0 {
			beta[(T-1)*S+S-2] = emit[(T-1)*S+S-2]
		}
		collect(T - 1)
		for t := T - 2; t >= 0; t-- {
			next, cur := beta[(t+1)*S:(t+2)*S], beta[t*S:(t+1)*S]
			for s := range S {
				lb1, lb2, lb3 := next[s], neginf, neginf
				if s < S-1 {
					lb2 = next[s+1]
				}
				if s < S-2 && prime[s+2] != prime[s] {
					lb3 = next[s+2]
				}
				cur[s] = logSumExp3F32(lb1, lb2, lb3) + emit[t*S+s]
			}
			collect(t)
		}
		g := float32(1)
		if p.red == ReductionMean {
			g = 1 / float32(p.N) / float32(max(L, 1))
		}
		for t := range T {
			row := p.lp[(t*p.N+b)*p.C : (t*p.N+b+1)*p.C]
			out := grad[(t*p.N+b)*p.C:]
			for k, v := range row {
				l := float32(v)
				out[k] = float64((exp32(l) - exp32(gam[t*p.C+k]+nll-l)) * g)
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

// logSumExp3F32 is ATen's CTC log-sum-exp of three terms in float32:
//
//	m = max(a, b, c) (0 if −Inf),  log(exp(a − m) + exp(b − m) + exp(c − m)) + m
//
// The term equal to a finite m contributes exp(0) = 1 and a −Inf term
// exp(−Inf) = 0 in every libm; they are taken as such, which saves most
// exp calls and changes no bit.
func logSumExp3F32(a, b, c float32) float32 {
	neginf := float32(math.Inf(-1))
	m := a
	if b > m {
		m = b
	}
	if c > m {
		m = c
	}
	if m == neginf {
		m = 0
	}
	if m > maxFloat32 {
		// +Inf − +Inf is NaN in ATen's exp(x − m): no shortcut.
		return log32(exp32(a-m)+exp32(b-m)+exp32(c-m)) + m
	}
	return log32(expShift32(a, m)+expShift32(b, m)+expShift32(c, m)) + m
}

// expShift32 is exp(x − m) for a finite m, with the exact cases taken
// without a call: exp(−Inf) = 0 and exp(0) = 1.
func expShift32(x, m float32) float32 {
	switch {
	case x < -maxFloat32:
		return 0
	case x == m:
		return 1
	}
	return exp32(x - m)
}

// growInts returns buf resized to n.
func growInts(buf []int, n int) []int {
	if cap(buf) < n {
		return make([]int, n)
	}
	return buf[:n]
}

// grow32 returns buf resized to n.
func grow32(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
