package engine

import (
	"math"
	"math/rand/v2"
	"sync"
)

func init() {
	Register(&Spec{
		Name:   "TripletMarginLoss",
		Slug:   "triplet-margin",
		Family: FamilyEmbedding,
		Summary: "Pulls an anchor closer to a positive example than to a negative one, " +
			"by at least a margin, measuring with the p-norm distance.",
		Formula: `\ell_i = \max\{0,\ \text{margin} + d(a_i, p_i) - d(a_i, n_i)\},\quad ` +
			`d(u, v) = \lVert u - v + \epsilon \rVert_p`,
		Legacy: true,
		Params: []Param{
			{Name: "margin", Kind: KindFloat, Default: 1.0, SliderMin: 0, SliderMax: 3, Step: 0.05,
				Doc: "How much farther the negative must be than the positive before the loss is 0."},
			{Name: "p", Kind: KindFloat, Default: 2.0, Min: ptr(0), SliderMin: 1, SliderMax: 4, Step: 0.5,
				Doc: "The norm degree of the distance: 1 is Manhattan, 2 Euclidean, \"Infinity\" the largest coordinate gap."},
			{Name: "eps", Kind: KindFloat, Default: 1e-6, SliderMin: 0, SliderMax: 1e-3, Step: 1e-6,
				Doc: "Added to every coordinate of the difference before the norm, which keeps the gradient finite at equal points."},
			{Name: "swap", Kind: KindBool, Default: false,
				Doc: "Distance swap: use the positive–negative distance instead when it is smaller than the anchor–negative one."},
			ReductionParam(),
		},
		Inputs:       tripletInputs(),
		DetailFields: tripletDetailFields,
		Compute:      computeTripletMargin,
		Random:       randomTriplet,
	})
}

// computeTripletMargin follows torch.nn.TripletMarginLoss (ATen's
// triplet_margin_loss):
//
//	d(u, v) = ‖u − v + eps‖_p over the last dimension
//	d_neg   = d(a, n), or min(d(a, n), d(p, n)) with swap
//	ℓ       = max(0, margin + d(a, p) − d_neg)
//
// The three inputs must have the same number of dimensions; their sizes
// broadcast. The hinge is a clamp_min, so the gradient passes at ℓ's kink
// (margin + d(a, p) − d_neg = 0), and a swap tie splits it 50/50.
func computeTripletMargin(c *Call, r *Result) error {
	a, p, n := c.Input("anchor"), c.Input("positive"), c.Input("negative")
	if a.Dim() != p.Dim() || p.Dim() != n.Dim() {
		return errorf("anchor", "all inputs should have the same number of dimensions, but got %dD, %dD and %dD inputs (anchor %s, positive %s, negative %s)",
			a.Dim(), p.Dim(), n.Dim(), shapeString(a.Shape), shapeString(p.Shape), shapeString(n.Shape))
	}
	dist := tripletDistance{p: c.Float("p"), eps: c.Float("eps")}
	return tripletCompute(c, r, dist, c.Float("margin"), c.Bool("swap"), true)
}

// tripletDistance selects the distance of a triplet loss: PyTorch's
// pairwise_distance with norm degree p and eps, or with cosine set,
// 1 − cosine_similarity over dimension 1 with eps.
type tripletDistance struct {
	cosine bool
	p, eps float64
}

// axis is the dimension the distance reduces.
func (d tripletDistance) axis() int {
	if d.cosine {
		return 1
	}
	return -1
}

func (d tripletDistance) forward(g *pairwiseGeom, u, v, out []float64) {
	if d.cosine {
		pairwiseCosineDistance(g, u, v, d.eps, out)
		return
	}
	pairwiseDistance(g, u, v, d.p, d.eps, out)
}

func (d tripletDistance) backward(g *pairwiseGeom, u, v, dist, gd, gu, gv []float64) {
	if d.cosine {
		pairwiseCosineDistanceBackward(g, u, v, d.eps, gd, gu, gv)
		return
	}
	pairwiseDistanceBackward(g, u, v, d.p, d.eps, dist, gd, gu, gv)
}

// tripletScratch holds the per-sample distances and their gradients.
type tripletScratch struct {
	d, gd [3][]float64 // ap, an, pn
}

var tripletScratchPool = sync.Pool{New: func() any { return new(tripletScratch) }}

// tripletBuf returns buf resized to n elements and zeroed.
func tripletBuf(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

// tripletCompute evaluates both triplet losses. marginFirst selects the
// order of the sum, margin + d_ap − d_neg (TripletMarginLoss) or
// d_ap − d_neg + margin (TripletMarginWithDistanceLoss), which can differ
// in the last bit.
func tripletCompute(c *Call, r *Result, dist tripletDistance, margin float64, swap, marginFirst bool) error {
	a, p, n := c.Input("anchor"), c.Input("positive"), c.Input("negative")
	var geoms [3]pairwiseGeom
	pairs := [3][2]*Tensor{{a, p}, {a, n}, {p, n}}
	names := [3][2]string{{"anchor", "positive"}, {"anchor", "negative"}, {"positive", "negative"}}
	npairs := 2
	if swap {
		npairs = 3
	}
	for i := range npairs {
		g, err := pairwiseGeometry(pairs[i][0], pairs[i][1], names[i][0], names[i][1], dist.axis())
		if err != nil {
			return err
		}
		geoms[i] = g
	}
	// The distances broadcast against each other.
	shape, err := BroadcastShapes(geoms[0].out, geoms[1].out)
	if err == nil && swap {
		shape, err = BroadcastShapes(shape, geoms[2].out)
	}
	if err != nil {
		return errorf("negative", "the distances to the negative do not broadcast with the anchor–positive distances of shape %s: %v",
			shapeString(geoms[0].out), err)
	}
	var idx [3][]int
	for i := range npairs {
		idx[i] = BroadcastIndex(geoms[i].out, shape)
	}

	s := tripletScratchPool.Get().(*tripletScratch)
	defer tripletScratchPool.Put(s)
	for i := range npairs {
		s.d[i] = tripletBuf(s.d[i], geoms[i].n())
		s.gd[i] = tripletBuf(s.gd[i], geoms[i].n())
		dist.forward(&geoms[i], pairs[i][0].Data, pairs[i][1].Data, s.d[i])
	}
	dap, dan, dpn := s.d[0], s.d[1], s.d[2]
	gap, gan, gpn := s.gd[0], s.gd[1], s.gd[2]

	el := r.SetElements(shape...).Data
	f := gradScale(c.Reduction(), float64(len(el)))
	for k := range el {
		ia, in := tripletAt(idx[0], k), tripletAt(idx[1], k)
		dneg := dan[in]
		// torch.min's backward: each argument gets the gradient where it
		// is the smaller, half of it on a tie, and (NaN comparing false
		// both ways) all of it where either is NaN.
		wan, wpn := 1.0, 0.0
		ip := 0
		if swap {
			ip = tripletAt(idx[2], k)
			x, y := dan[in], dpn[ip]
			dneg = math.Min(x, y)
			wan, wpn = 1, 1
			switch {
			case x == y:
				wan, wpn = 0.5, 0.5
			case x > y:
				wan = 0
			case x < y:
				wpn = 0
			}
		}
		var z float64
		if marginFirst {
			z = margin + dap[ia] - dneg
		} else {
			z = dap[ia] - dneg + margin
		}
		// clamp_min(z, 0): NaN stays NaN; its backward passes the
		// gradient where z >= 0, the kink included, and never at NaN.
		el[k] = z
		gz := f
		if z < 0 {
			el[k] = 0
		}
		if !(z >= 0) {
			gz = 0
		}
		gap[ia] += gz
		gan[in] -= gz * wan
		if swap {
			gpn[ip] -= gz * wpn
		}
	}
	r.Reduce(c.Reduction(), float64(len(el)))

	ga := r.Grad("anchor", a.Shape...).Data
	gp := r.Grad("positive", p.Shape...).Data
	gn := r.Grad("negative", n.Shape...).Data
	grads := [3][2][]float64{{ga, gp}, {ga, gn}, {gp, gn}}
	for i := range npairs {
		dist.backward(&geoms[i], pairs[i][0].Data, pairs[i][1].Data, s.d[i], s.gd[i], grads[i][0], grads[i][1])
	}

	if c.Detail {
		keys := [3]string{"d_ap", "d_an", "d_pn"}
		dneg := NewTensor(shape...)
		for i := range npairs {
			t := NewTensor(shape...)
			for k := range t.Data {
				t.Data[k] = s.d[i][tripletAt(idx[i], k)]
			}
			r.Detail[keys[i]] = t
		}
		for k := range dneg.Data {
			dneg.Data[k] = dan[tripletAt(idx[1], k)]
			if swap {
				dneg.Data[k] = math.Min(dneg.Data[k], dpn[tripletAt(idx[2], k)])
			}
		}
		r.Detail["d_neg"] = dneg
	}
	return nil
}

// tripletDetailFields documents the detail of both triplet losses.
var tripletDetailFields = map[string]string{
	"d_ap":  "Distance from each anchor to its positive, d(a, p), in the shape of the 'none' loss.",
	"d_an":  "Distance from each anchor to its negative, d(a, n).",
	"d_pn":  "With swap only: distance from each positive to its negative, d(p, n).",
	"d_neg": "The negative distance the hinge uses: d(a, n), or min(d(a, n), d(p, n)) with swap.",
}

// tripletInputs are the inputs of both triplet losses.
func tripletInputs() []InputSpec {
	return []InputSpec{
		{Name: "anchor", Role: RolePrediction, Differentiable: true,
			Doc:     "Anchor embeddings, (N, D) or (D).",
			Example: []any{[]any{0.0, 1.0, 0.5}, []any{1.0, -0.5, 0.0}}},
		{Name: "positive", Role: RolePrediction, Differentiable: true,
			Doc:     "Embeddings of the same kind as each anchor, broadcastable to the anchor's shape.",
			Example: []any{[]any{0.5, 1.0, 0.0}, []any{1.5, 0.0, 0.5}}},
		{Name: "negative", Role: RolePrediction, Differentiable: true,
			Doc:     "Embeddings of a different kind, broadcastable to the anchor's shape.",
			Example: []any{[]any{1.0, 0.0, 1.0}, []any{-1.0, 0.5, 1.0}}},
	}
}

// randomTriplet returns normal anchors, positives near the anchors and
// normal negatives, so that most hinges are active.
func randomTriplet(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	a := RandN(rng, shape...)
	p := RandN(rng, shape...)
	for i := range p.Data {
		p.Data[i] = a.Data[i] + 0.5*p.Data[i]
	}
	return map[string]*Tensor{"anchor": a, "positive": p, "negative": RandN(rng, shape...)}
}

// tripletAt maps output element k through a broadcast index (nil = identity).
func tripletAt(idx []int, k int) int {
	if idx == nil {
		return k
	}
	return idx[k]
}
