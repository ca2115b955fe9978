package engine

import (
	"math"
	"math/rand/v2"
)

func init() {
	Register(&Spec{
		Name:   "CosineEmbeddingLoss",
		Slug:   "cosine-embedding",
		Family: FamilyEmbedding,
		Summary: "Makes the angle between two embeddings small for similar pairs (y = 1) " +
			"and pushes dissimilar pairs (y = −1) below a cosine margin.",
		Formula: `\ell_i = \begin{cases} 1 - c_i & y_i = 1 \\ \max\{0,\ c_i - \text{margin}\} & y_i = -1 \end{cases}` +
			`, \qquad c_i = \cos(x^{(1)}_i, x^{(2)}_i)`,
		Legacy: true,
		Params: []Param{
			{Name: "margin", Kind: KindFloat, Default: 0.0, SliderMin: -1, SliderMax: 1, Step: 0.05,
				Doc: "Dissimilar pairs pay while their cosine exceeds this (−1 to 1; 0 to 0.5 suggested)."},
			ReductionParam(),
		},
		Inputs: []InputSpec{
			{Name: "input1", Role: RolePrediction, Differentiable: true,
				Doc:     "First embeddings, (N, D), or (D) with a 0-d target.",
				Example: []any{[]any{1.0, 0.5, -0.5}, []any{0.0, 1.0, 1.0}}},
			{Name: "input2", Role: RolePrediction, Differentiable: true,
				Doc:     "Second embeddings, broadcastable with input1.",
				Example: []any{[]any{0.8, 0.4, 0.0}, []any{1.0, -1.0, 0.5}}},
			{Name: "target", Role: RoleTarget,
				Doc: "1 for similar and −1 for dissimilar pairs, (N) or (); any other value gives a loss of 0.", Example: []any{1.0, -1.0}},
		},
		DetailFields: map[string]string{
			"cos": "The cosine similarity of each pair, in the shape of the 'none' loss.",
		},
		Compute: computeCosineEmbedding,
		Random:  randomCosineEmbedding,
	})
}

// computeCosineEmbedding follows torch.nn.CosineEmbeddingLoss (ATen's
// cosine_embedding_loss), with ε = f32(1e-12) added to each squared norm:
//
//	cos = Σ x1·x2 / sqrt((Σ x1² + ε)(Σ x2² + ε))
//	ℓ   = 1 − cos if y = 1,  max(0, cos − margin) if y = −1,  0 otherwise
//
// x1 and x2 are (N, D) with a (N) target, or (D) with a 0-d target; their
// sizes broadcast, and so do the target and the cosines (torch.where).
// Autograd goes through exactly that expression; the clamp passes the
// gradient at cos = margin.
func computeCosineEmbedding(c *Call, r *Result) error {
	x1, x2, y := c.Input("input1"), c.Input("input2"), c.Input("target")
	switch {
	case y.Dim() > 1:
		return errorf("target", "0D or 1D target tensor expected, multi-target not supported (got shape %s)", shapeString(y.Shape))
	case y.Dim() == 1 && (x1.Dim() != 2 || x2.Dim() != 2):
		return errorf("input1", "a 1D target tensor expects 2D input tensors, but found inputs with sizes %s and %s",
			shapeString(x1.Shape), shapeString(x2.Shape))
	case y.Dim() == 0 && (x1.Dim() != 1 || x2.Dim() != 1):
		return errorf("input1", "a 0D target tensor expects 1D input tensors, but found inputs with sizes %s and %s",
			shapeString(x1.Shape), shapeString(x2.Shape))
	}
	g, err := pairwiseGeometry(x1, x2, "input1", "input2", -1)
	if err != nil {
		return err
	}
	b, err := broadcastPair(&Tensor{Shape: g.out}, y, "input1", "target")
	if err != nil {
		return err
	}
	margin := c.Float("margin")
	el := r.SetElements(b.Shape...).Data
	g1 := r.Grad("input1", x1.Shape...).Data
	g2 := r.Grad("input2", x2.Shape...).Data
	f := gradScale(c.Reduction(), float64(len(el)))
	var cosOut []float64
	if c.Detail {
		t := NewTensor(b.Shape...)
		r.Detail["cos"] = t
		cosOut = t.Data
	}
	// The per-pair gradient of each output element, ∂ℓ/∂cos, is applied
	// pair by pair: a broadcast target may repeat a pair.
	for k := range el {
		o, yv := b.A(k), y.Data[b.B(k)]
		var prod, m1, m2 float64
		if g.contiguous() {
			prod, m1, m2 = cosineEmbeddingSums(x1.Data[o*g.k:(o+1)*g.k], x2.Data[o*g.k:(o+1)*g.k])
		} else {
			// The product sums over the broadcast features, but each
			// squared norm over its own input's features: a (N, 1) input2
			// against a (N, D) input1 counts its one feature once, so the
			// "cosine" can exceed 1, as in PyTorch.
			for j := range g.k {
				e := g.elem(o, j)
				prod += x1.Data[g.u(e)] * x2.Data[g.v(e)]
			}
			m1 = cosineEmbeddingSquares(cosineEmbeddingRow(x1.Shape, x1.Data, o))
			m2 = cosineEmbeddingSquares(cosineEmbeddingRow(x2.Shape, x2.Data, o))
		}
		m1 += f32Eps12
		m2 += f32Eps12
		denom := math.Sqrt(m1 * m2)
		cos := prod / denom
		if cosOut != nil {
			cosOut[k] = cos
		}
		// where(y == 1, 1 − cos, 0) + where(y == −1, clamp_min(cos − margin, 0), 0)
		var l, gc float64
		switch yv {
		case 1:
			l, gc = 1-cos, -f
		case -1:
			l = cos - margin
			if l < 0 {
				l = 0
			}
			if cos-margin >= 0 {
				gc = f
			}
		}
		el[k] = l
		// Backward through cos = prod/denom, denom = sqrt(m1·m2), in
		// autograd's order, so that infinities give PyTorch's NaNs.
		gProd := gc / denom
		gDenom := -gc * prod / (denom * denom)
		gP := gDenom / (2 * denom)
		gm1, gm2 := gP*m2, gP*m1
		if g.contiguous() {
			lo, hi := o*g.k, (o+1)*g.k
			r1, r2, q1, q2 := x1.Data[lo:hi], x2.Data[lo:hi], g1[lo:hi], g2[lo:hi]
			for j, a := range r1 {
				v := r2[j]
				q1[j] += gProd*v + 2*gm1*a
				q2[j] += gProd*a + 2*gm2*v
			}
			continue
		}
		for j := range g.k {
			e := g.elem(o, j)
			g1[g.u(e)] += gProd * x2.Data[g.v(e)]
			g2[g.v(e)] += gProd * x1.Data[g.u(e)]
		}
		cosineEmbeddingAddSquaresGrad(cosineEmbeddingRow(x1.Shape, x1.Data, o), cosineEmbeddingRow(x1.Shape, g1, o), gm1)
		cosineEmbeddingAddSquaresGrad(cosineEmbeddingRow(x2.Shape, x2.Data, o), cosineEmbeddingRow(x2.Shape, g2, o), gm2)
	}
	r.Reduce(c.Reduction(), float64(len(el)))
	return nil
}

// cosineEmbeddingSums returns Σ a·b, Σ a² and Σ b² of two rows.
func cosineEmbeddingSums(a, b []float64) (prod, m1, m2 float64) {
	b = b[:len(a)]
	for j, x := range a {
		v := b[j]
		prod += x * v
		m1 += x * x
		m2 += v * v
	}
	return prod, m1, m2
}

// cosineEmbeddingRow returns the features of data, of shape (N, D) or
// (D), that output row o uses: row o, or row 0 when there is one row
// (broadcast).
func cosineEmbeddingRow(shape []int, data []float64, o int) []float64 {
	if len(shape) < 2 || shape[0] == 1 {
		o = 0
	}
	d := shape[len(shape)-1]
	return data[o*d : (o+1)*d]
}

// cosineEmbeddingSquares returns Σ x².
func cosineEmbeddingSquares(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}

// cosineEmbeddingAddSquaresGrad adds g·∂(Σ x²)/∂x = 2·g·x to gx.
func cosineEmbeddingAddSquaresGrad(x, gx []float64, g float64) {
	gx = gx[:len(x)]
	for j, v := range x {
		gx[j] += 2 * g * v
	}
}

// randomCosineEmbedding returns normal (N, D) embeddings and ±1 targets.
func randomCosineEmbedding(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	return map[string]*Tensor{"input1": RandN(rng, shape...), "input2": RandN(rng, shape...), "target": randomSigns(rng, shape[0])}
}
