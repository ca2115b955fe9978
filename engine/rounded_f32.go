package engine

func init() {
	for _, name := range []string{"CrossEntropyLoss", "NLLLoss", "MultiMarginLoss", "MultiLabelMarginLoss",
		"MultiLabelSoftMarginLoss",
		"HingeEmbeddingLoss", "MarginRankingLoss"} {
		registerFloat32(name, rounded32)
	}
}
