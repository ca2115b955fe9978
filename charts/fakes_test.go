package charts

import (
	"math"
	"math/rand/v2"

	"github.com/lossplayground/playground/engine"
)

// Simple losses registered only in this package's test binary, under names
// no real loss uses, for tests that check chart numbers by hand. They have
// the real losses' input names, roles, parameters and shapes (which is all
// the family views look at) and simple, correct losses: the softmax cross
// entropy is exact; the others are squared terms whose gradients are
// right, so the curve tests hold for them too. The real losses go through
// every chart in TestBuildEveryLoss.
func init() {
	red := engine.ReductionParam()
	margin := engine.Param{Name: "margin", Kind: engine.KindFloat, Default: 1.0, Doc: "margin"}
	vec := func(name, role string, diff bool, ex any) engine.InputSpec {
		return engine.InputSpec{Name: name, Role: role, Differentiable: diff, Doc: name, Example: ex}
	}
	rows := []any{[]any{0.5, -1.0, 2.0}, []any{1.5, 0.0, -0.5}}
	pm := []any{[]any{1.0, -1.0, 1.0}, []any{-1.0, 1.0, 1.0}}

	engine.Register(&engine.Spec{
		Name: "ChartsTestSoftmaxLoss", Slug: "charts-test-softmax", Family: engine.FamilyClassification,
		Params: []engine.Param{red, {Name: "label_smoothing", Kind: engine.KindFloat, Default: 0.0, Doc: "ε"}},
		Inputs: []engine.InputSpec{vec("input", engine.RolePrediction, true, rows),
			{Name: "target", Role: engine.RoleTarget, Doc: "class", Example: []any{2.0, 0.0}}},
		Compute: fakeSoftmax, Random: fakeRandomRows,
	})
	engine.Register(&engine.Spec{
		Name: "ChartsTestLogitsLoss", Slug: "charts-test-logits", Family: engine.FamilyClassification,
		Params: []engine.Param{red, {Name: "pos_weight", Kind: engine.KindTensor, Doc: "w"}},
		Inputs: []engine.InputSpec{vec("input", engine.RolePrediction, true, rows),
			vec("target", engine.RoleTarget, false, []any{[]any{1.0, 0.0, 1.0}, []any{0.0, 1.0, 0.0}})},
		Compute: fakeElementwise("input", "target"), Random: fakeRandomPair,
	})
	engine.Register(&engine.Spec{
		Name: "ChartsTestProbLoss", Slug: "charts-test-prob", Family: engine.FamilyClassification,
		Params: []engine.Param{red},
		Inputs: []engine.InputSpec{vec("input", engine.RolePrediction, true, []any{0.25, 0.5, 0.9}),
			vec("target", engine.RoleTarget, false, []any{1.0, 0.0, 1.0})},
		Compute: fakeBCE, Random: nil,
	})
	engine.Register(&engine.Spec{
		Name: "ChartsTestDistLoss", Slug: "charts-test-dist", Family: engine.FamilyProbabilistic,
		Params: []engine.Param{red, {Name: "log_target", Kind: engine.KindBool, Default: false, Doc: "log"}},
		Inputs: []engine.InputSpec{vec("input", engine.RolePrediction, true, []any{[]any{-1.2, -0.9, -1.2}}),
			vec("target", engine.RoleTarget, false, []any{[]any{0.2, 0.5, 0.3}})},
		Compute: fakeElementwise("input", "target"), Random: fakeRandomPair,
	})
	engine.Register(&engine.Spec{
		Name: "ChartsTestSoftMarginLoss", Slug: "charts-test-soft-margin", Family: engine.FamilyMargin,
		Params: []engine.Param{red},
		Inputs: []engine.InputSpec{vec("input", engine.RolePrediction, true, rows),
			vec("target", engine.RoleTarget, false, pm)},
		Compute: fakeElementwise("input", "target"), Random: fakeRandomPair,
	})
	engine.Register(&engine.Spec{
		Name: "ChartsTestScoresLoss", Slug: "charts-test-scores", Family: engine.FamilyMargin,
		Params: []engine.Param{red, margin},
		Inputs: []engine.InputSpec{vec("input", engine.RolePrediction, true, rows),
			{Name: "target", Role: engine.RoleTarget, Integer: true, Doc: "class", Example: []any{2.0, 0.0}}},
		Compute: fakeSoftmax, Random: fakeRandomRows,
	})
	engine.Register(&engine.Spec{
		Name: "ChartsTestRankingLoss", Slug: "charts-test-ranking", Family: engine.FamilyMargin,
		Params: []engine.Param{red, margin},
		Inputs: []engine.InputSpec{vec("input1", engine.RolePrediction, true, []any{0.5, -1.0, 2.0}),
			vec("input2", engine.RolePrediction, true, []any{0.0, 1.0, 1.0}),
			vec("target", engine.RoleTarget, false, []any{1.0, -1.0, 1.0})},
		Compute: fakeElementwise("input1", "input2"), Random: nil,
	})
	engine.Register(&engine.Spec{
		Name: "ChartsTestCosineLoss", Slug: "charts-test-cosine", Family: engine.FamilyEmbedding,
		Params: []engine.Param{red, {Name: "margin", Kind: engine.KindFloat, Default: 0.0, Doc: "margin"}},
		Inputs: []engine.InputSpec{vec("input1", engine.RolePrediction, true, rows),
			vec("input2", engine.RolePrediction, true, []any{[]any{1.0, 0.5, 0.0}, []any{-1.0, 1.0, 2.0}}),
			vec("target", engine.RoleTarget, false, []any{1.0, -1.0})},
		Compute: fakeRowwise("input1", "input2"), Random: nil,
	})
	engine.Register(&engine.Spec{
		Name: "ChartsTestTripletLoss", Slug: "charts-test-triplet", Family: engine.FamilyEmbedding,
		Params: []engine.Param{red, margin, {Name: "p", Kind: engine.KindFloat, Default: 2.0, Doc: "p"}},
		Inputs: []engine.InputSpec{vec("anchor", engine.RolePrediction, true, []any{[]any{0.0, 0.0}, []any{1.0, 1.0}}),
			vec("positive", engine.RolePrediction, true, []any{[]any{0.5, 0.2}, []any{1.5, 1.0}}),
			vec("negative", engine.RolePrediction, true, []any{[]any{-0.5, 0.4}, []any{2.0, 2.0}})},
		Compute: fakeRowwise("anchor", "positive"), Random: nil,
	})
}

// fakeSoftmax is softmax cross entropy with class-index targets on (N, C)
// or (C) inputs.
func fakeSoftmax(c *engine.Call, r *engine.Result) error {
	x, y := c.Input("input"), c.Input("target")
	n, cl := 1, x.Numel()
	shape := []int{}
	if x.Dim() == 2 {
		n, cl = x.Shape[0], x.Shape[1]
		shape = []int{n}
	}
	if y.Numel() != n {
		return &engine.Error{Field: "target", Msg: "needs one class per row"}
	}
	el := r.SetElements(shape...).Data
	g := r.Grad("input", x.Shape...).Data
	lp := make([]float64, cl)
	for i := range n {
		t := int(y.Data[i])
		if t < 0 || t >= cl {
			return &engine.Error{Field: "target", Msg: "class out of range"}
		}
		engine.LogSoftmax(x.Data[i*cl:(i+1)*cl], lp)
		el[i] = -lp[t]
		for j := range cl {
			g[i*cl+j] = math.Exp(lp[j])
		}
		g[i*cl+t]--
	}
	if c.Detail && c.Spec.Param("label_smoothing") != nil {
		eps := c.Float("label_smoothing")
		p := engine.NewTensor(x.Shape...)
		q := engine.NewTensor(x.Shape...)
		for i := range n {
			engine.LogSoftmax(x.Data[i*cl:(i+1)*cl], lp)
			for j := range cl {
				p.Data[i*cl+j] = math.Exp(lp[j])
				q.Data[i*cl+j] = eps / float64(cl)
			}
			q.Data[i*cl+int(y.Data[i])] += 1 - eps
		}
		r.Detail["probabilities"], r.Detail["target_distribution"] = p, q
	}
	engine.ScaleBy(g, r.Reduce(c.Reduction(), float64(n)))
	return nil
}

// fakeElementwise is (a − b)² elementwise, with the gradient for a (and
// for b when it is differentiable).
func fakeElementwise(a, b string) func(*engine.Call, *engine.Result) error {
	return func(c *engine.Call, r *engine.Result) error {
		x, y := c.Input(a), c.Input(b)
		if x.Numel() != y.Numel() {
			return &engine.Error{Field: b, Msg: "shape mismatch"}
		}
		el := r.SetElements(x.Shape...).Data
		gx := r.Grad(a, x.Shape...).Data
		var gy []float64
		if c.Spec.Input(b).Differentiable {
			gy = r.Grad(b, y.Shape...).Data
		}
		for k := range el {
			d := x.Data[k] - y.Data[k]
			el[k], gx[k] = d*d, 2*d
			if gy != nil {
				gy[k] = -2 * d
			}
		}
		f := r.Reduce(c.Reduction(), float64(len(el)))
		engine.ScaleBy(gx, f)
		engine.ScaleBy(gy, f)
		return nil
	}
}

// fakeRowwise is Σ_d (a − b)² per row of (N, D) inputs.
func fakeRowwise(a, b string) func(*engine.Call, *engine.Result) error {
	return func(c *engine.Call, r *engine.Result) error {
		x, y := c.Input(a), c.Input(b)
		if x.Dim() != 2 || x.Numel() != y.Numel() {
			return &engine.Error{Field: b, Msg: "shape mismatch"}
		}
		n, d := x.Shape[0], x.Shape[1]
		el := r.SetElements(n).Data
		gx := r.Grad(a, x.Shape...).Data
		for i := range n {
			for j := range d {
				k := i*d + j
				v := x.Data[k] - y.Data[k]
				el[i] += v * v
				gx[k] = 2 * v
			}
		}
		engine.ScaleBy(gx, r.Reduce(c.Reduction(), float64(n)))
		return nil
	}
}

func fakeRandomRows(rng *rand.Rand, s engine.Scale) map[string]*engine.Tensor {
	n, cl := 4, 16
	x := engine.RandN(rng, n, cl)
	y := engine.NewTensor(n)
	for i := range y.Data {
		y.Data[i] = float64(rng.IntN(cl))
	}
	return map[string]*engine.Tensor{"input": x, "target": y}
}

func fakeRandomPair(rng *rand.Rand, s engine.Scale) map[string]*engine.Tensor {
	return map[string]*engine.Tensor{"input": engine.RandN(rng, 4, 16), "target": engine.RandU(rng, 0, 1, 4, 16)}
}

// fakeBCE is binary cross entropy on probabilities, refusing inputs
// outside [0, 1] as BCELoss does.
func fakeBCE(c *engine.Call, r *engine.Result) error {
	x, y := c.Input("input"), c.Input("target")
	if x.Numel() != y.Numel() {
		return &engine.Error{Field: "target", Msg: "shape mismatch"}
	}
	el := r.SetElements(x.Shape...).Data
	g := r.Grad("input", x.Shape...).Data
	for k, p := range x.Data {
		if !(p >= 0 && p <= 1) {
			return &engine.Error{Field: "input", Msg: "all elements of input should be between 0 and 1"}
		}
		t := y.Data[k]
		el[k] = -(t*max(math.Log(p), -100) + (1-t)*max(math.Log1p(-p), -100))
		g[k] = (p - t) / max((1-p)*p, 1e-12)
	}
	engine.ScaleBy(g, r.Reduce(c.Reduction(), float64(len(el))))
	return nil
}
