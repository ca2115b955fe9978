package engine

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// ctcCollapse maps a frame-level label path to its label sequence: merge
// repeats, then drop blanks.
func ctcCollapse(path []int, blank int) []int {
	out := []int{}
	for i, c := range path {
		if c == blank || (i > 0 && path[i-1] == c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// ctcBruteForce enumerates all C^T label paths of sample b and returns the
// log of the total probability of those collapsing to target, and the log
// probability of the best of them (−Inf for none).
func ctcBruteForce(lp *Tensor, b, T int, target []int, blank int) (logLik, best float64) {
	N, C := lp.Shape[1], lp.Shape[2]
	var terms []float64
	best = math.Inf(-1)
	path := make([]int, T)
	var walk func(t int, sum float64)
	walk = func(t int, sum float64) {
		if t == T {
			if slices.Equal(ctcCollapse(path, blank), target) {
				terms = append(terms, sum)
				best = math.Max(best, sum)
			}
			return
		}
		for c := range C {
			path[t] = c
			walk(t+1, sum+lp.Data[(t*N+b)*C+c])
		}
	}
	walk(0, 0)
	return LogSumExp(terms), best
}

type ctcLatticeCase struct {
	name   string
	blank  int
	lp     *Tensor // (T, N, C)
	target [][]int // per sample
	inLen  []int
}

func (lc ctcLatticeCase) inputs() map[string]*Tensor {
	N := len(lc.target)
	width := 0
	for _, tg := range lc.target {
		width = max(width, len(tg))
	}
	tg := NewTensor(N, width)
	il, tl := NewTensor(N), NewTensor(N)
	for b, labels := range lc.target {
		for j, v := range labels {
			tg.Data[b*width+j] = float64(v)
		}
		il.Data[b], tl.Data[b] = float64(lc.inLen[b]), float64(len(labels))
	}
	return map[string]*Tensor{"log_probs": lc.lp, "targets": tg, "input_lengths": il, "target_lengths": tl}
}

func ctcLatticeCases() []ctcLatticeCase {
	rng := rand.New(rand.NewPCG(9, 9))
	unnormalised := RandN(rng, 5, 2, 3)
	return []ctcLatticeCase{
		{"distinct labels", 0, ctcRandLogProbs(rng, 1, 6, 2, 3), [][]int{{1, 2}, {2, 1, 2}}, []int{6, 5}},
		{"repeated labels", 0, ctcRandLogProbs(rng, 1, 6, 2, 3), [][]int{{1, 1}, {2, 2, 2}}, []int{6, 5}},
		{"empty target", 0, ctcRandLogProbs(rng, 1, 4, 2, 3), [][]int{{}, {1}}, []int{4, 1}},
		{"blank=2", 2, ctcRandLogProbs(rng, 1, 5, 2, 3), [][]int{{0, 1}, {1, 1}}, []int{5, 3}},
		{"confident", 0, ctcRandLogProbs(rng, 30, 6, 1, 3), [][]int{{2, 1, 2}}, []int{6}},
		{"unnormalised", 0, unnormalised, [][]int{{1, 2}, {2}}, []int{5, 4}},
		{"infeasible", 0, ctcRandLogProbs(rng, 1, 4, 2, 3), [][]int{{1, 1}, {1, 2, 1}}, []int{2, 4}},
	}
}

// TestCTCLattice checks the lattice detail against properties that hold
// for any correct CTC forward-backward, and against brute-force
// enumeration of every label path.
func TestCTCLattice(t *testing.T) {
	for _, lc := range ctcLatticeCases() {
		t.Run(lc.name, func(t *testing.T) {
			r := ctcCompute(t, map[string]any{"blank": lc.blank, "reduction": "sum"}, lc.inputs(), true)
			lats, ok := r.Detail["lattice"].([]CTCLattice)
			if !ok || len(lats) != len(lc.target) {
				t.Fatalf("detail lattice = %T of length %d; want []CTCLattice of length %d", r.Detail["lattice"], len(lats), len(lc.target))
			}
			N, C := lc.lp.Shape[1], lc.lp.Shape[2]
			for b, lat := range lats {
				T, L := lc.inLen[b], len(lc.target[b])
				sp := 2*L + 1
				ctcCheckStructure(t, b, lat, T, L, lc.target[b], lc.blank)

				wantLL, wantBest := ctcBruteForce(lc.lp, b, T, lc.target[b], lc.blank)
				if !closeTo(float64(lat.LogLikelihood), wantLL, 1e-12, 1e-12) {
					t.Errorf("sample %d: log_likelihood = %v; brute force gives %v", b, lat.LogLikelihood, wantLL)
				}
				if !closeTo(float64(lat.ViterbiLogProb), wantBest, 1e-12, 1e-12) {
					t.Errorf("sample %d: viterbi_log_prob = %v; best brute-force path has %v", b, lat.ViterbiLogProb, wantBest)
				}
				if !closeTo(-float64(lat.LogLikelihood), ctcNone(t, lc, b), 1e-12, 1e-12) {
					t.Errorf("sample %d: log_likelihood = %v; want −nll", b, lat.LogLikelihood)
				}

				feasible := !math.IsInf(wantLL, -1)
				for tt := range T {
					lpt := lc.lp.Data[(tt*N+b)*C : (tt*N+b)*C+C]
					occSum, lik := 0.0, make([]float64, 0, sp)
					for s := range sp {
						k := tt*sp + s
						al, be := lat.LogAlpha.Data[k], lat.LogBeta.Data[k]
						if f := !math.IsInf(al, 0) && !math.IsInf(be, 0); lat.Feasible[tt][s] != f {
							t.Errorf("sample %d: feasible[%d][%d] = %v; want %v (alpha %v, beta %v)", b, tt, s, lat.Feasible[tt][s], f, al, be)
						}
						occSum += lat.Occupancy.Data[k]
						if lat.Feasible[tt][s] {
							lik = append(lik, al+be-lpt[lat.Extended[s]])
						}
						if !feasible && lat.Occupancy.Data[k] != 0 {
							t.Errorf("sample %d: occupancy[%d, %d] = %v; want 0 when infeasible", b, tt, s, lat.Occupancy.Data[k])
						}
					}
					if feasible {
						if !closeTo(occSum, 1, 1e-12, 0) {
							t.Errorf("sample %d: Σ_s occupancy[%d, s] = %v; want 1", b, tt, occSum)
						}
						if got := LogSumExp(lik); !closeTo(got, wantLL, 1e-12, 1e-12) {
							t.Errorf("sample %d frame %d: log Σ_s exp(α+β−lp) = %v; want the log-likelihood %v", b, tt, got, wantLL)
						}
					} else if len(lik) != 0 {
						t.Errorf("sample %d frame %d: %d feasible states; want none", b, tt, len(lik))
					}
					for c := range C {
						if got, want := lat.Grad.Data[tt*C+c], r.Grads["log_probs"].Data[(tt*N+b)*C+c]; !closeTo(got, want, 0, 0) {
							t.Errorf("sample %d: lattice grad[%d, %d] = %v; want grads.log_probs %v", b, tt, c, got, want)
						}
					}
				}
				ctcCheckViterbi(t, b, lat, lc.lp, lc.target[b], lc.blank, feasible)
			}
		})
	}
}

// ctcNone is sample b's nll computed by a separate 'none' call.
func ctcNone(t *testing.T, lc ctcLatticeCase, b int) float64 {
	t.Helper()
	return ctcCompute(t, map[string]any{"blank": lc.blank, "reduction": "none"}, lc.inputs(), false).Loss.Data[b]
}

func ctcCheckStructure(t *testing.T, b int, lat CTCLattice, T, L int, target []int, blank int) {
	t.Helper()
	sp := 2*L + 1
	if lat.InputLength != T || lat.TargetLength != L {
		t.Errorf("sample %d: lengths = (%d, %d); want (%d, %d)", b, lat.InputLength, lat.TargetLength, T, L)
	}
	wantExt := make([]int, sp)
	wantSkip := make([]bool, sp)
	for s := range sp {
		wantExt[s] = blank
		if s%2 == 1 {
			wantExt[s] = target[s/2]
			wantSkip[s] = s >= 3 && target[s/2] != target[s/2-1]
		}
	}
	if !slices.Equal(lat.Extended, wantExt) {
		t.Errorf("sample %d: extended = %v; want %v", b, lat.Extended, wantExt)
	}
	if !slices.Equal(lat.SkipAllowed, wantSkip) {
		t.Errorf("sample %d: skip_allowed = %v; want %v", b, lat.SkipAllowed, wantSkip)
	}
	for name, x := range map[string]*Tensor{"log_alpha": lat.LogAlpha, "log_beta": lat.LogBeta, "occupancy": lat.Occupancy} {
		if !slices.Equal(x.Shape, []int{T, sp}) {
			t.Errorf("sample %d: %s shape = %v; want [%d %d]", b, name, x.Shape, T, sp)
		}
	}
	if len(lat.Feasible) != T || (T > 0 && len(lat.Feasible[0]) != sp) {
		t.Errorf("sample %d: feasible is %d rows; want [%d][%d]", b, len(lat.Feasible), T, sp)
	}
}

// ctcCheckViterbi checks that the Viterbi path is an allowed alignment
// that collapses to the target and whose log probability is reported.
func ctcCheckViterbi(t *testing.T, b int, lat CTCLattice, lp *Tensor, target []int, blank int, feasible bool) {
	t.Helper()
	path := lat.ViterbiPath
	if !feasible {
		if len(path) != 0 || !math.IsInf(float64(lat.ViterbiLogProb), -1) {
			t.Errorf("sample %d: viterbi = %v, %v; want empty, −Inf when infeasible", b, path, lat.ViterbiLogProb)
		}
		return
	}
	T, sp := lat.InputLength, len(lat.Extended)
	if len(path) != T {
		t.Fatalf("sample %d: viterbi path %v has %d frames; want %d", b, path, len(path), T)
	}
	if path[0] > 1 {
		t.Errorf("sample %d: viterbi path starts in state %d; want 0 or 1", b, path[0])
	}
	if path[T-1] < sp-2 {
		t.Errorf("sample %d: viterbi path ends in state %d; want %d or %d", b, path[T-1], sp-2, sp-1)
	}
	N, C := lp.Shape[1], lp.Shape[2]
	sum := lp.Data[b*C+lat.Extended[path[0]]]
	labels := []int{lat.Extended[path[0]]}
	for tt := 1; tt < T; tt++ {
		d := path[tt] - path[tt-1]
		if d < 0 || d > 2 || (d == 2 && !lat.SkipAllowed[path[tt]]) {
			t.Errorf("sample %d: viterbi step %d → %d at frame %d is not allowed", b, path[tt-1], path[tt], tt)
		}
		c := lat.Extended[path[tt]]
		sum += lp.Data[(tt*N+b)*C+c]
		labels = append(labels, c)
	}
	if got := ctcCollapse(labels, blank); !slices.Equal(got, target) {
		t.Errorf("sample %d: viterbi labels %v collapse to %v; want %v", b, labels, got, target)
	}
	if !closeTo(sum, float64(lat.ViterbiLogProb), 1e-12, 1e-12) {
		t.Errorf("sample %d: Σ lp along the viterbi path = %v; viterbi_log_prob = %v", b, sum, lat.ViterbiLogProb)
	}
	if float64(lat.ViterbiLogProb) > float64(lat.LogLikelihood)+1e-12 {
		t.Errorf("sample %d: viterbi_log_prob %v exceeds log_likelihood %v", b, lat.ViterbiLogProb, lat.LogLikelihood)
	}
}

// TestCTCLatticeZeroInfinity checks that zero_infinity changes the loss
// and the gradient of an infinite sample but not its lattice.
func TestCTCLatticeZeroInfinity(t *testing.T) {
	lc := ctcLatticeCases()[len(ctcLatticeCases())-1] // infeasible
	r := ctcCompute(t, map[string]any{"zero_infinity": true, "reduction": "none"}, lc.inputs(), true)
	lat := r.Detail["lattice"].([]CTCLattice)[0]
	if got := r.Loss.Data[0]; got != 0 {
		t.Errorf("loss[0] = %v; want 0 with zero_infinity", got)
	}
	if !math.IsInf(float64(lat.LogLikelihood), -1) {
		t.Errorf("log_likelihood = %v; want −Inf", lat.LogLikelihood)
	}
	for i, v := range lat.Grad.Data {
		if v != 0 {
			t.Errorf("lattice grad[%d] = %v; want 0 with zero_infinity", i, v)
		}
	}
	if len(lat.ViterbiPath) != 0 {
		t.Errorf("viterbi path = %v; want empty", lat.ViterbiPath)
	}
}

// TestCTCLatticeJSON checks the field names the CTC page is written
// against, and that −Infinity survives encoding.
func TestCTCLatticeJSON(t *testing.T) {
	lc := ctcLatticeCases()[0]
	r := ctcCompute(t, nil, lc.inputs(), true)
	data, err := json.Marshal(r.Detail)
	if err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Lattice []map[string]json.RawMessage `json:"lattice"`
	}
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Fatal(err)
	}
	if len(decoded.Lattice) != 2 {
		t.Fatalf("got %d lattices; want 2", len(decoded.Lattice))
	}
	var keys []string
	for k := range decoded.Lattice[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"extended", "feasible", "grad", "input_length", "log_alpha", "log_beta", "log_likelihood",
		"occupancy", "skip_allowed", "target_length", "viterbi_log_prob", "viterbi_path"}
	if !slices.Equal(keys, want) {
		t.Errorf("lattice JSON keys = %v; want %v", keys, want)
	}
	var alpha Tensor
	if err := json.Unmarshal(decoded.Lattice[0]["log_alpha"], &alpha); err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(alpha.Data[2], -1) { // state 2 is unreachable at frame 0
		t.Errorf("log_alpha[0, 2] = %v; want −Inf", alpha.Data[2])
	}
}
