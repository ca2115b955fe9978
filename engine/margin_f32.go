package engine

func init() {
	registerFloat32("SoftMarginLoss", softMarginF32)
	registerFloat32("CosineEmbeddingLoss", cosineEmbeddingF32)
}

// softMarginF32 is ATen's float soft_margin_loss, log1p(exp(−x·y)), and its
// backward, −y·z·norm/(1 + z) with z = exp(−y·x):
//
//	((y·z)·(−norm)) / (z + 1)
//
// exp overflows once −x·y passes 88.72: the loss is +Inf (float64 gives
// the finite −x·y up to 709.78) and the gradient −Inf/Inf = NaN, where
// float64's is −y·norm.
func softMarginF32(c *Call, r *Result) {
	x, y := c.Input("input"), c.Input("target")
	b, _ := broadcastPair(x, y, "input", "target")
	el, gx := r.Elements.Data, r.Grads["input"].Data
	norm := gradScale32(c.Reduction(), float64(len(el)))
	for k := range el {
		xv, yv := float32(x.Data[k]), float32(y.Data[b.B(k)])
		el[k] = float64(log1p32(exp32(-xv * yv)))
		z := exp32(-yv * xv)
		gx[k] = float64(yv * z * -norm / (z + 1))
	}
	r.reduce32(c.Reduction(), float64(len(el)))
}

// cosineEmbeddingF32 follows ATen's float cosine_embedding_loss, a
// composite whose backward is autograd's:
//
//	prod = Σ x1·x2,  m_i = Σ x_i² + 1e-12,  denom = √(m1·m2),  cos = prod/denom
//
// In float32 a squared norm is +Inf once the entries reach about 1.8·10¹⁹
// (or m1·m2 does, from norms of 10¹⁹): denom is +Inf, cos = 0 (or NaN when
// prod is infinite too) and the gradients are 0·Inf = NaN, where float64
// computes these pairs exactly. The sums over the embedding dimension are
// in ATen's order.
func cosineEmbeddingF32(c *Call, r *Result) {
	x1, x2, y := c.Input("input1"), c.Input("input2"), c.Input("target")
	g, _ := pairwiseGeometry(x1, x2, "input1", "input2", -1)
	b, _ := broadcastPair(&Tensor{Shape: g.out}, y, "input1", "target")
	margin := float32(c.Float("margin"))
	el := r.Elements.Data
	g1, g2 := r.Grads["input1"].Data, r.Grads["input2"].Data
	clear(g1)
	clear(g2)
	s := gradScale32(c.Reduction(), float64(len(el)))
	eps := float32(f32Eps12)
	pr, q := make([]float64, g.k), make([]float64, g.k)
	// The squared norms are sums over each input's own rows, before
	// broadcasting, as ATen's (input1 * input1).sum(dim) is.
	squares := func(row []float64) float32 {
		q := q[:len(row)]
		for j, v := range row {
			q[j] = float64(float32(v) * float32(v))
		}
		return sum32(q) + eps
	}
	for k := range el {
		o, yv := b.A(k), float32(y.Data[b.B(k)])
		for j := range g.k {
			e := g.elem(o, j)
			pr[j] = float64(float32(x1.Data[g.u(e)]) * float32(x2.Data[g.v(e)]))
		}
		prod := sum32(pr)
		row1, row2 := cosineEmbeddingRow(x1.Shape, x1.Data, o), cosineEmbeddingRow(x2.Shape, x2.Data, o)
		m1, m2 := squares(row1), squares(row2)
		denom := sqrt32(m1 * m2)
		cos := prod / denom
		var l, gc float32
		switch yv {
		case 1:
			l, gc = 1-cos, -s
		case -1:
			l = max32(cos-margin, 0)
			if cos-margin >= 0 {
				gc = s
			}
		}
		el[k] = float64(l)
		gProd := gc / denom
		gDenom := -gc * prod / (denom * denom)
		gP := gDenom / (2 * denom)
		gm1, gm2 := gP*m2, gP*m1
		for j := range g.k {
			e := g.elem(o, j)
			a, v := float32(x1.Data[g.u(e)]), float32(x2.Data[g.v(e)])
			g1[g.u(e)] = float64(float32(g1[g.u(e)]) + gProd*v)
			g2[g.v(e)] = float64(float32(g2[g.v(e)]) + gProd*a)
		}
		cosineAddSquares32(row1, cosineEmbeddingRow(x1.Shape, g1, o), gm1)
		cosineAddSquares32(row2, cosineEmbeddingRow(x2.Shape, g2, o), gm2)
	}
	r.reduce32(c.Reduction(), float64(len(el)))
}

// cosineAddSquares32 adds the gradient of Σ x² (scaled by gm) to a row:
// autograd's x·x backward sends gm·x to each factor.
func cosineAddSquares32(row, grow []float64, gm float32) {
	grow = grow[:len(row)]
	for j, v := range row {
		a := float32(v)
		grow[j] = float64(float32(grow[j]) + (gm*a + gm*a))
	}
}
