package lessons

import "testing"

// allSlugs are the 21 losses of the playground, with their PyTorch class
// names. Only some are registered on a given branch; every one must have
// a lesson in every language.
var allSlugs = map[string]string{
	"l1": "L1Loss", "mse": "MSELoss", "smooth-l1": "SmoothL1Loss", "huber": "HuberLoss",
	"poisson-nll": "PoissonNLLLoss", "gaussian-nll": "GaussianNLLLoss", "kl-div": "KLDivLoss",
	"bce": "BCELoss", "bce-with-logits": "BCEWithLogitsLoss", "cross-entropy": "CrossEntropyLoss",
	"nll": "NLLLoss", "multi-label-soft-margin": "MultiLabelSoftMarginLoss",
	"multi-margin": "MultiMarginLoss", "multi-label-margin": "MultiLabelMarginLoss",
	"margin-ranking": "MarginRankingLoss", "hinge-embedding": "HingeEmbeddingLoss",
	"soft-margin": "SoftMarginLoss", "cosine-embedding": "CosineEmbeddingLoss",
	"triplet-margin": "TripletMarginLoss", "triplet-margin-with-distance": "TripletMarginWithDistanceLoss",
	"ctc": "CTCLoss",
}

func TestEveryLossHasLessonsInBothLanguages(t *testing.T) {
	lib := mustLoad(t)
	for slug, name := range allSlugs {
		for _, lang := range Languages {
			t.Run(slug+"/"+lang, func(t *testing.T) {
				if !lib.Has(slug, lang) {
					t.Fatalf("no lesson content/%s/%s.md", lang, slug)
				}
				l, _ := lib.Get(slug, lang)
				if got, want := l.Loss, name; got != want {
					t.Errorf("lesson %s/%s loss = %q; want %q", lang, slug, got, want)
				}
			})
		}
	}
	for _, slug := range lib.Slugs() {
		if _, ok := allSlugs[slug]; !ok {
			t.Errorf("lesson %q is for no known loss", slug)
		}
	}
}
