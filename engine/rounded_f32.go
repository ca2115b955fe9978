package engine

// Losses whose float32 result is their float64 one, on the float32 inputs,
// rounded (rounded32):
//
//   - CrossEntropyLoss, NLLLoss: log_softmax subtracts the maximum, so its
//     exp never overflows, and the weighted sums are over a batch of
//     classes; float32 parts from float64 only where the inputs themselves
//     round (a logit of 1e39 is +Inf, and the loss NaN, in both).
//   - MultiMarginLoss, MultiLabelMarginLoss: hinge terms max(0, margin −
//     x[y] + x[i]) of bounded size; a float32 sum of differences rounds
//     once more, well inside the fixture tolerance.
//   - MultiLabelSoftMarginLoss: log-sigmoid in its stable form in both
//     dtypes; the float32 rounding of a loss of 1e-8 next to 1 is what
//     the absolute tolerance allows.
//   - HingeEmbeddingLoss, MarginRankingLoss: one or two float operations
//     per element, exactly rounded either way.
func init() {
	for _, name := range []string{"CrossEntropyLoss", "NLLLoss", "MultiMarginLoss", "MultiLabelMarginLoss",
		"MultiLabelSoftMarginLoss",
		"HingeEmbeddingLoss", "MarginRankingLoss"} {
		registerFloat32(name, rounded32)
	}
}
