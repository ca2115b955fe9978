package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// ceReference is a direct transcription of the class-index formula
//
//	ℓ_n = −Σ_c w_c·q_{n,c}·log softmax(x_n)_c,  q = (1 − ε)·onehot(y_n) + ε/C
//
// for rows of logits, with the denominator Σ_{n not ignored} w[y_n].
func ceReference(x [][]float64, y []int, w []float64, eps float64, ignore int) (el []float64, denom float64) {
	for n, row := range x {
		if y[n] == ignore {
			el = append(el, 0)
			continue
		}
		lse := 0.0
		for _, v := range row {
			lse += math.Exp(v)
		}
		lse = math.Log(lse)
		l := 0.0
		for c, v := range row {
			q := eps / float64(len(row))
			if c == y[n] {
				q += 1 - eps
			}
			wc := 1.0
			if w != nil {
				wc = w[c]
			}
			l -= wc * q * (v - lse)
		}
		el = append(el, l)
		if w != nil {
			denom += w[y[n]]
		} else {
			denom++
		}
	}
	return el, denom
}

func TestCrossEntropyGradients(t *testing.T) {
	spec, _ := Lookup("CrossEntropyLoss")
	rng := rand.New(rand.NewPCG(7, 8))
	w := clsVec(0.5, 2, 1, 1.5)
	for _, red := range []string{"mean", "sum", "none"} {
		for _, test := range []struct {
			name   string
			params map[string]any
			target *Tensor
			input  *Tensor
		}{
			{"weight", map[string]any{"weight": w}, clsVec(1, 3, 0), RandN(rng, 3, 4)},
			{"weight-ignore", map[string]any{"weight": w, "ignore_index": 2}, clsVec(1, 2, 0), RandN(rng, 3, 4)},
			{"smoothing", map[string]any{"label_smoothing": 0.3}, clsVec(1, 3, 0), RandN(rng, 3, 4)},
			{"smoothing-weight-ignore", map[string]any{"label_smoothing": 0.3, "weight": w, "ignore_index": 0},
				clsVec(1, 3, 0), RandN(rng, 3, 4)},
			{"smoothing-one", map[string]any{"label_smoothing": 1.0, "weight": w}, clsVec(1, 3, 0), RandN(rng, 3, 4)},
			{"unbatched", map[string]any{"weight": w, "label_smoothing": 0.1}, Scalar(2), RandN(rng, 4)},
			{"3d", map[string]any{"weight": clsVec(1, 0.5, 2), "label_smoothing": 0.2},
				&Tensor{Shape: []int{2, 2}, Data: []float64{0, 2, 1, 1}}, RandN(rng, 2, 3, 2)},
			{"prob", map[string]any{"weight": w}, RandU(rng, 0, 1, 3, 4), RandN(rng, 3, 4)},
			{"prob-smoothing", map[string]any{"weight": w, "label_smoothing": 0.25}, RandU(rng, -0.5, 1, 3, 4), RandN(rng, 3, 4)},
			{"prob-3d", map[string]any{"label_smoothing": 0.25}, RandU(rng, 0, 1, 2, 3, 2), RandN(rng, 2, 3, 2)},
		} {
			t.Run(test.name+"/"+red, func(t *testing.T) {
				params := map[string]any{"reduction": red}
				for k, v := range test.params {
					params[k] = v
				}
				checkGradients(t, spec, params, map[string]*Tensor{"input": test.input, "target": test.target})
			})
		}
	}
}

func TestCrossEntropyMatchesFormula(t *testing.T) {
	x := [][]float64{{1, 2, 0.5, -1}, {0.3, -0.2, 1.5, 0}, {2.5, 0.1, -0.7, 1.2}}
	w := []float64{0.5, 2, 1, 1.5}
	for _, test := range []struct {
		name   string
		y      []int
		w      []float64
		eps    float64
		ignore int
	}{
		{"plain", []int{1, 3, 0}, nil, 0, -100},
		{"weights", []int{1, 3, 0}, w, 0, -100},
		{"ignore a valid class", []int{1, 3, 0}, w, 0, 3},
		{"smoothing", []int{1, 3, 0}, nil, 0.2, -100},
		{"smoothing with weights divides by the target weights", []int{1, 3, 0}, w, 0.2, -100},
		{"smoothing with weights and an ignored row", []int{1, -100, 0}, w, 0.4, -100},
		{"full smoothing", []int{1, 3, 0}, w, 1, -100},
	} {
		t.Run(test.name, func(t *testing.T) {
			el, denom := ceReference(x, test.y, test.w, test.eps, test.ignore)
			params := map[string]any{"label_smoothing": test.eps, "ignore_index": test.ignore}
			if test.w != nil {
				params["weight"] = clsVec(test.w...)
			}
			y := NewTensor(len(test.y))
			for i, v := range test.y {
				y.Data[i] = float64(v)
			}
			r := mustCompute(t, "CrossEntropyLoss", params, map[string]*Tensor{"input": clsMat(x...), "target": y})
			for i := range el {
				if !closeTo(r.Elements.Data[i], el[i], 1e-12, 1e-15) {
					t.Errorf("elements[%d] = %v; want %v", i, r.Elements.Data[i], el[i])
				}
			}
			if got, want := r.Loss.Data[0], Sum(el)/denom; !closeTo(got, want, 1e-12, 1e-15) {
				t.Errorf("mean = %v; want Σℓ/Σw[y] = %v", got, want)
			}
		})
	}
}

func TestCrossEntropyTraps(t *testing.T) {
	x := clsMat([]float64{1, 2, 0.5, -1}, []float64{0.3, -0.2, 1.5, 0}, []float64{2.5, 0.1, -0.7, 1.2})
	w := clsVec(0.5, 2, 1, 1.5)
	y := clsVec(1, 3, 0)

	t.Run("all targets ignored: mean NaN, gradient 0", func(t *testing.T) {
		for _, params := range []map[string]any{{}, {"weight": w}, {"label_smoothing": 0.3, "weight": w}} {
			r := mustCompute(t, "CrossEntropyLoss", params, map[string]*Tensor{"input": x, "target": clsVec(-100, -100, -100)})
			if !math.IsNaN(r.Loss.Data[0]) {
				t.Errorf("%v: loss = %v; want NaN", params, r.Loss.Data[0])
			}
			for i, g := range r.Grads["input"].Data {
				if g != 0 {
					t.Errorf("%v: grad[%d] = %v; want 0", params, i, g)
				}
			}
		}
	})

	t.Run("ignore_index equal to a class drops those rows", func(t *testing.T) {
		got := mustCompute(t, "CrossEntropyLoss", map[string]any{"ignore_index": 3, "weight": w},
			map[string]*Tensor{"input": x, "target": y}).Loss.Data[0]
		want := mustCompute(t, "CrossEntropyLoss", map[string]any{"weight": w}, map[string]*Tensor{
			"input":  clsMat([]float64{1, 2, 0.5, -1}, []float64{2.5, 0.1, -0.7, 1.2}),
			"target": clsVec(1, 0)}).Loss.Data[0]
		if !closeTo(got, want, 1e-14, 0) {
			t.Errorf("loss with ignore_index=3 = %v; want the loss of the other rows %v", got, want)
		}
	})

	t.Run("negative smoothing is no smoothing", func(t *testing.T) {
		for _, target := range []*Tensor{y, clsMat([]float64{0.1, 0.6, 0.2, 0.1}, []float64{0, 0, 1, 0}, []float64{0.25, 0.25, 0.25, 0.25})} {
			got := mustCompute(t, "CrossEntropyLoss", map[string]any{"label_smoothing": -0.5}, map[string]*Tensor{"input": x, "target": target})
			want := mustCompute(t, "CrossEntropyLoss", nil, map[string]*Tensor{"input": x, "target": target})
			if got.Loss.Data[0] != want.Loss.Data[0] || !slices.Equal(got.Grads["input"].Data, want.Grads["input"].Data) {
				t.Errorf("ε = −0.5 gives %v; want the unsmoothed %v", got.Loss.Data[0], want.Loss.Data[0])
			}
		}
	})

	t.Run("smoothing above 1 is refused", func(t *testing.T) {
		clsWantError(t, "CrossEntropyLoss", map[string]any{"label_smoothing": 1.5}, map[string]*Tensor{"input": x, "target": y}, "params.label_smoothing")
	})

	t.Run("probability targets divide by positions, not weights", func(t *testing.T) {
		q := clsMat([]float64{0.05, 0.85, 0.05, 0.05}, []float64{0.05, 0.05, 0.05, 0.85}, []float64{0.85, 0.05, 0.05, 0.05})
		soft := mustCompute(t, "CrossEntropyLoss", map[string]any{"weight": w}, map[string]*Tensor{"input": x, "target": q})
		smooth := mustCompute(t, "CrossEntropyLoss", map[string]any{"weight": w, "label_smoothing": 0.2}, map[string]*Tensor{"input": x, "target": y})
		// The same per-row terms, different denominators: N = 3 and Σ w[y] = 2 + 1.5 + 0.5.
		for i := range 3 {
			if !closeTo(soft.Elements.Data[i], smooth.Elements.Data[i], 1e-12, 0) {
				t.Errorf("row %d: soft %v; want the smoothed %v", i, soft.Elements.Data[i], smooth.Elements.Data[i])
			}
		}
		if got, want := soft.Loss.Data[0], Sum(soft.Elements.Data)/3; !closeTo(got, want, 1e-14, 0) {
			t.Errorf("soft-target mean = %v; want Σℓ/N = %v", got, want)
		}
		if got, want := smooth.Loss.Data[0], Sum(smooth.Elements.Data)/4; !closeTo(got, want, 1e-14, 0) {
			t.Errorf("smoothed mean = %v; want Σℓ/Σw[y] = %v", got, want)
		}
	})

	t.Run("zero weights give NaN", func(t *testing.T) {
		r := mustCompute(t, "CrossEntropyLoss", map[string]any{"weight": clsVec(0, 0, 0, 0)}, map[string]*Tensor{"input": x, "target": y})
		if !math.IsNaN(r.Loss.Data[0]) {
			t.Errorf("loss = %v; want NaN (0/0)", r.Loss.Data[0])
		}
	})

	t.Run("empty batch", func(t *testing.T) {
		in := map[string]*Tensor{"input": NewTensor(0, 4), "target": NewTensor(0)}
		for red, want := range map[string]float64{"mean": math.NaN(), "sum": 0} {
			r := mustCompute(t, "CrossEntropyLoss", map[string]any{"reduction": red, "label_smoothing": 0.1}, in)
			if got := r.Loss.Data[0]; !closeTo(got, want, 0, 0) {
				t.Errorf("%s = %v; want %v", red, got, want)
			}
		}
		r := mustCompute(t, "CrossEntropyLoss", map[string]any{"reduction": "none"}, in)
		if !slices.Equal(r.Loss.Shape, []int{0}) {
			t.Errorf("none shape = %v; want [0]", r.Loss.Shape)
		}
	})

	t.Run("huge logits stay finite", func(t *testing.T) {
		r := mustCompute(t, "CrossEntropyLoss", nil, map[string]*Tensor{"input": clsMat([]float64{1000, -1000, 0}), "target": clsVec(1)})
		if got, want := r.Loss.Data[0], 2000.0; !closeTo(got, want, 1e-12, 0) {
			t.Errorf("loss = %v; want %v", got, want)
		}
	})

	t.Run("a +Inf logit makes its row NaN", func(t *testing.T) {
		r := mustCompute(t, "CrossEntropyLoss", map[string]any{"reduction": "none"},
			map[string]*Tensor{"input": clsMat([]float64{math.Inf(1), 0, 1}, []float64{0, 1, 2}), "target": clsVec(0, 0)})
		if !math.IsNaN(r.Loss.Data[0]) || math.IsNaN(r.Loss.Data[1]) {
			t.Errorf("losses = %v; want [NaN finite]", r.Loss.Data)
		}
	})

	t.Run("refused shapes and targets", func(t *testing.T) {
		for _, test := range []struct {
			name   string
			params map[string]any
			input  *Tensor
			target *Tensor
			field  string
		}{
			{"fractional class index", nil, x, clsVec(1.5, 0, 2), "target"},
			{"class index out of range", nil, x, clsVec(1, 4, 0), "target"},
			{"negative class index", nil, x, clsVec(1, -1, 0), "target"},
			{"batch mismatch", nil, x, clsVec(1, 0), "target"},
			{"0-d input", nil, Scalar(1), Scalar(0), "input"},
			{"1-D input with a length-1 target", nil, clsVec(1, 2, 3), clsVec(1), "target"},
			{"weight of the wrong length", map[string]any{"weight": clsVec(1, 2)}, x, y, "params.weight"},
			{"2-D weight with a 2-D input", map[string]any{"weight": clsMat([]float64{1, 2, 3, 4})}, x, y, "params.weight"},
			{"ignore_index ≥ 0 with probabilities", map[string]any{"ignore_index": 0}, x, RandU(rand.New(rand.NewPCG(1, 1)), 0, 1, 3, 4), "params.ignore_index"},
		} {
			t.Run(test.name, func(t *testing.T) {
				clsWantError(t, "CrossEntropyLoss", test.params, map[string]*Tensor{"input": test.input, "target": test.target}, test.field)
			})
		}
	})
}

// TestCrossEntropyLargeBatch checks the rows split across goroutines: the
// batch's 'none' losses and gradient must equal each row computed alone.
func TestCrossEntropyLargeBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const n, c = 700, 97
	x := RandN(rng, n, c)
	y := NewTensor(n)
	for i := range y.Data {
		y.Data[i] = float64(rng.IntN(c))
		if i%10 == 3 {
			y.Data[i] = -100
		}
	}
	w := RandU(rng, 0.5, 2, c)
	params := map[string]any{"reduction": "sum", "weight": w, "label_smoothing": 0.1}
	batch := mustCompute(t, "CrossEntropyLoss", params, map[string]*Tensor{"input": x, "target": y})
	sum := 0.0
	for i := range n {
		row := &Tensor{Shape: []int{c}, Data: x.Data[i*c : i*c+c]}
		one := mustCompute(t, "CrossEntropyLoss", params, map[string]*Tensor{"input": row, "target": Scalar(y.Data[i])})
		sum += one.Loss.Data[0]
		if got, want := batch.Elements.Data[i], one.Loss.Data[0]; got != want {
			t.Fatalf("row %d: batch loss %v; want %v", i, got, want)
		}
		if got, want := batch.Grads["input"].Data[i*c:i*c+c], one.Grads["input"].Data; !slices.Equal(got, want) {
			t.Fatalf("row %d: batch gradient differs from the row alone", i)
		}
	}
	if got := batch.Loss.Data[0]; !closeTo(got, sum, 1e-12, 0) {
		t.Errorf("sum = %v; want %v", got, sum)
	}
}
