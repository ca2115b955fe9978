package charts

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// The hand-made case: T = 4 frames, C = 3 classes (blank 0), target
// "ab" = [1, 2], so l′ = ∅ a ∅ b ∅ (S′ = 5) and the skip a → b is allowed.
const (
	handT = 4
	handC = 3
	handS = 5
)

// handFeasible: a state s is on a complete path at frame t when it can be
// reached by t (s ≤ 2t + 1) and can still finish (s ≥ S′ − 2 − 2(T − 1 − t)).
func handFeasible(t, s int) bool {
	return s <= 2*t+1 && s >= handS-2-2*(handT-1-t)
}

func handMade() engine.CTCLattice {
	l := engine.CTCLattice{
		InputLength: handT, TargetLength: 2,
		Extended:    []int{0, 1, 0, 2, 0},
		SkipAllowed: []bool{false, false, false, true, false},
		LogAlpha:    engine.NewTensor(handT, handS), LogBeta: engine.NewTensor(handT, handS),
		Occupancy: engine.NewTensor(handT, handS), Grad: engine.NewTensor(handT, handC),
		ViterbiPath: []int{1, 2, 3, 4}, ViterbiLogProb: -2.5, LogLikelihood: engine.Float(math.Log(0.3)),
	}
	for t := range handT {
		row := make([]bool, handS)
		for s := range handS {
			row[s] = handFeasible(t, s)
			k := t*handS + s
			if row[s] {
				l.LogAlpha.Data[k], l.LogBeta.Data[k], l.Occupancy.Data[k] = -float64(t+s), -float64(handT-t), 0.25
			} else {
				l.LogAlpha.Data[k], l.LogBeta.Data[k] = math.Inf(-1), math.Inf(-1)
			}
		}
		l.Feasible = append(l.Feasible, row)
		for c := range handC {
			l.Grad.Data[t*handC+c] = float64(c) - 1
		}
	}
	return l
}

func init() {
	engine.Register(&engine.Spec{
		Name: "ChartsTestLatticeLoss", Slug: "charts-test-lattice", Family: engine.FamilySequence,
		Params: []engine.Param{engine.ReductionParam(), {Name: "blank", Kind: engine.KindInt, Default: 0, Doc: "blank"}},
		Inputs: []engine.InputSpec{
			{Name: "log_probs", Role: engine.RolePrediction, Differentiable: true, Doc: "(T, N, C)",
				Example: []any{[]any{[]any{-1.0, -1.2, -1.1}}, []any{[]any{-1.1, -1.0, -1.2}}, []any{[]any{-1.2, -1.1, -1.0}}, []any{[]any{-1.0, -1.1, -1.2}}}},
		},
		DetailFields: map[string]string{"lattice": "one per sample"},
		Compute: func(c *engine.Call, r *engine.Result) error {
			x := c.Input("log_probs")
			n := x.Shape[1]
			el := r.SetElements(n).Data
			g := r.Grad("log_probs", x.Shape...).Data
			for k, v := range x.Data {
				el[(k/x.Shape[2])%n] -= v
				g[k] = -1
			}
			engine.ScaleBy(g, r.Reduce(c.Reduction(), float64(n)))
			if c.Detail {
				r.Detail["lattice"] = []engine.CTCLattice{handMade()}
			}
			return nil
		},
	})
}

// latticeCells returns the [t, s] cells of a heatmap series.
func latticeCells(t *testing.T, s map[string]any) [][2]int {
	t.Helper()
	var cells [][2]int
	for _, d := range s["data"].([]any) {
		v := d.([]any)
		cells = append(cells, [2]int{int(v[0].(float64)), int(v[1].(float64))})
	}
	return cells
}

func seriesNamed(o option, prefix string) map[string]any {
	for _, s := range o.list("series") {
		if m := s.(map[string]any); strings.HasPrefix(m["name"].(string), prefix) {
			return m
		}
	}
	return nil
}

// TestLattice draws the hand-made lattice in every mode and checks the
// labels, the greyed states, the transitions and the Viterbi path.
func TestLattice(t *testing.T) {
	spec, _ := engine.Lookup("ChartsTestLatticeLoss")
	for _, detail := range []bool{true, false} {
		for _, mode := range []string{"", "alpha", "beta", "occupancy", "gradient"} {
			t.Run(mode+map[bool]string{true: "/detail", false: "/recomputed"}[detail], func(t *testing.T) {
				c, err := engine.DecodeCall(spec, nil, exampleInputs(t, spec))
				if err != nil {
					t.Fatal(err)
				}
				c.Detail = detail
				res, err := c.Compute()
				if err != nil {
					t.Fatal(err)
				}
				got, err := Build(c, res, View{Lattice: mode})
				if err != nil {
					t.Fatalf("Build = %v", err)
				}
				raw, ok := got[ChartLattice]
				if !ok {
					t.Fatalf("Build has no lattice (has %v)", keys(got))
				}
				checkFrame(t, "lattice", raw, "")
				o := decode(t, "lattice", raw)

				ylabels := o.list("yAxis")[0].(map[string]any)["data"].([]any)
				want := []any{"0 ∅", "1 a", "2 ∅", "3 b", "4 ∅"}
				if mode == "gradient" {
					want = []any{"∅", "a", "b"}
				}
				if !slices.Equal(ylabels, want) {
					t.Errorf("y labels = %v; want %v", ylabels, want)
				}
				if n := len(o.list("xAxis")[0].(map[string]any)["data"].([]any)); n != handT {
					t.Errorf("%d time frames on x; want %d", n, handT)
				}

				main, grey := o.list("series")[0].(map[string]any), seriesNamed(o, "infeasible")
				nMain, nGrey := len(latticeCells(t, main)), len(latticeCells(t, grey))
				if mode == "gradient" {
					if nMain != handT*handC || nGrey != 0 {
						t.Errorf("gradient: %d cells, %d greyed; want %d, 0", nMain, nGrey, handT*handC)
					}
				} else {
					for _, cell := range latticeCells(t, grey) {
						if handFeasible(cell[0], cell[1]) {
							t.Errorf("feasible state %v greyed", cell)
						}
					}
					for _, cell := range latticeCells(t, main) {
						if !handFeasible(cell[0], cell[1]) {
							t.Errorf("infeasible state %v coloured", cell)
						}
					}
					if nMain+nGrey != handT*handS || nGrey == 0 {
						t.Errorf("%d coloured + %d greyed states; want %d in all, some greyed", nMain, nGrey, handT*handS)
					}
					vm, _ := o["visualMap"].(map[string]any)
					if idx, _ := vm["seriesIndex"].([]any); len(idx) != 1 || idx[0].(float64) != 0 {
						t.Errorf("visualMap.seriesIndex = %v; want [0] so the greyed series keeps its colour", vm["seriesIndex"])
					}
					if _, ok := vm["outOfRange"]; !ok {
						t.Errorf("visualMap has no outOfRange colour")
					}
					if seriesNamed(o, "skip") == nil {
						t.Errorf("no skip transitions series")
					}
					if !strings.Contains(string(raw), `"stay s→s"`) || !strings.Contains(string(raw), `"step s−1→s"`) {
						t.Errorf("stay and step transitions missing")
					}
				}
				path := seriesNamed(o, "Viterbi")
				if path == nil {
					t.Fatalf("no Viterbi path series")
				}
				var rows []int
				for _, d := range path["data"].([]any) {
					rows = append(rows, int(d.([]any)[1].(float64)))
				}
				wantPath := []int{1, 2, 3, 4}
				if mode == "gradient" {
					wantPath = []int{1, 0, 2, 0} // the classes of those states
				}
				if !slices.Equal(rows, wantPath) {
					t.Errorf("Viterbi path rows = %v; want %v", rows, wantPath)
				}
			})
		}
	}
}

// TestLatticeSkipEdges checks that skip transitions end only where
// skip_allowed is true and join feasible states.
func TestLatticeSkipEdges(t *testing.T) {
	h := handMade()
	feasible := func(t, s int) bool { return h.Feasible[t][s] }
	edges := latticeEdges(&h, handT, handS, feasible)
	var segs []any
	if err := json.Unmarshal(edges[2].data, &segs); err != nil {
		t.Fatalf("skip edges are not JSON: %v: %s", err, edges[2].data)
	}
	n := 0
	for i := 0; i < len(segs); i += 3 { // from, to, "-"
		from, to := segs[i].([]any), segs[i+1].([]any)
		t0, s0 := int(from[0].(float64)), int(from[1].(float64))
		t1, s1 := int(to[0].(float64)), int(to[1].(float64))
		if t1 != t0+1 || s1 != s0+2 || !h.SkipAllowed[s1] || !handFeasible(t0, s0) || !handFeasible(t1, s1) {
			t.Errorf("skip edge (%d,%d)→(%d,%d) is not an allowed transition between feasible states", t0, s0, t1, s1)
		}
		n++
	}
	if n == 0 {
		t.Errorf("no skip edges; want the a → b skip")
	}
}

// TestLatticesOfWrongType checks that a detail.lattice of another type is
// an error, not a panic.
func TestLatticesOfWrongType(t *testing.T) {
	res := &engine.Result{Detail: map[string]any{"lattice": []any{map[string]any{"extended": "ab"}}}}
	if _, err := latticesOf(context.Background(), nil, res); err == nil {
		t.Errorf("latticesOf([]any) = nil error; want one naming the type")
	}
}
