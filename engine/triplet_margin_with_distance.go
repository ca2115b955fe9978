package engine

func init() {
	Register(&Spec{
		Name:   "TripletMarginWithDistanceLoss",
		Slug:   "triplet-margin-with-distance",
		Family: FamilyEmbedding,
		Summary: "The triplet loss with a choice of distance: the anchor must be closer to the positive " +
			"than to the negative by a margin, in Euclidean or cosine distance.",
		Formula: `\ell_i = \max\{0,\ d(a_i, p_i) - d(a_i, n_i) + \text{margin}\},\quad ` +
			`d(u, v) = \lVert u - v + 10^{-6} \rVert_2 \ \text{or}\ 1 - \cos(u, v)`,
		Params: []Param{
			{Name: "distance_function", Kind: KindEnum, Default: "pairwise", Values: []string{"pairwise", "cosine"},
				Doc: "The distance: \"pairwise\" is PyTorch's default ‖u − v + 1e-6‖₂; \"cosine\" is 1 − cosine_similarity(u, v) over dimension 1."},
			{Name: "margin", Kind: KindFloat, Default: 1.0, SliderMin: 0, SliderMax: 3, Step: 0.05,
				Doc: "How much farther the negative must be than the positive before the loss is 0 (PyTorch 1.13 accepts any value)."},
			{Name: "swap", Kind: KindBool, Default: false,
				Doc: "Distance swap: use the positive–negative distance instead when it is smaller than the anchor–negative one."},
			ReductionParam(),
		},
		Inputs:       tripletInputs(),
		DetailFields: tripletDetailFields,
		Compute:      computeTripletMarginWithDistance,
		Random:       randomTriplet,
	})
}

// tripletCosineEps is the eps of F.cosine_similarity's default.
const tripletCosineEps = 1e-8

// computeTripletMarginWithDistance follows
// torch.nn.TripletMarginWithDistanceLoss (functional.py in 1.13):
//
//	d_neg = d(a, n), or min(d(a, n), d(p, n)) with swap
//	ℓ     = max(0, d(a, p) − d_neg + margin)
//
// with d either the default pairwise_distance (p = 2, eps = 1e-6: the same
// as TripletMarginLoss) or 1 − F.cosine_similarity(u, v), which reduces
// dimension 1 (so inputs that broadcast to fewer than two dimensions are
// rejected) with eps = 1e-8. Unlike TripletMarginLoss, the inputs need not
// have the same number of dimensions; they only broadcast.
func computeTripletMarginWithDistance(c *Call, r *Result) error {
	dist := tripletDistance{p: 2, eps: 1e-6}
	if c.Enum("distance_function") == "cosine" {
		dist = tripletDistance{cosine: true, eps: tripletCosineEps}
	}
	return tripletCompute(c, r, dist, c.Float("margin"), c.Bool("swap"), false)
}
