package lessons

import (
	"slices"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// allSlugs are the 21 losses of the playground, with their PyTorch class
// names; every one must have a lesson in every language.
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

// pytorchNames lists each loss's constructor parameters and functional
// inputs, as PyTorch 1.13 names them (/work/shared/pytorch-losses.md):
// presets are checked against PyTorch's names, and TestPyTorchNamesMatchEngine
// checks the engine against them.
var pytorchNames = map[string][2][]string{
	"l1":                           {legacy("reduction"), {"input", "target"}},
	"mse":                          {legacy("reduction"), {"input", "target"}},
	"smooth-l1":                    {legacy("reduction", "beta"), {"input", "target"}},
	"huber":                        {{"reduction", "delta"}, {"input", "target"}},
	"poisson-nll":                  {legacy("log_input", "full", "eps", "reduction"), {"input", "target"}},
	"gaussian-nll":                 {{"full", "eps", "reduction"}, {"input", "target", "var"}},
	"kl-div":                       {legacy("reduction", "log_target"), {"input", "target"}},
	"bce":                          {legacy("weight", "reduction"), {"input", "target"}},
	"bce-with-logits":              {legacy("weight", "reduction", "pos_weight"), {"input", "target"}},
	"cross-entropy":                {legacy("weight", "ignore_index", "reduction", "label_smoothing"), {"input", "target"}},
	"nll":                          {legacy("weight", "ignore_index", "reduction"), {"input", "target"}},
	"multi-label-soft-margin":      {legacy("weight", "reduction"), {"input", "target"}},
	"multi-margin":                 {legacy("p", "margin", "weight", "reduction"), {"input", "target"}},
	"multi-label-margin":           {legacy("reduction"), {"input", "target"}},
	"margin-ranking":               {legacy("margin", "reduction"), {"input1", "input2", "target"}},
	"hinge-embedding":              {legacy("margin", "reduction"), {"input", "target"}},
	"soft-margin":                  {legacy("reduction"), {"input", "target"}},
	"cosine-embedding":             {legacy("margin", "reduction"), {"input1", "input2", "target"}},
	"triplet-margin":               {legacy("margin", "p", "eps", "swap", "reduction"), {"anchor", "positive", "negative"}},
	"triplet-margin-with-distance": {{"distance_function", "margin", "swap", "reduction"}, {"anchor", "positive", "negative"}},
	"ctc":                          {{"blank", "reduction", "zero_infinity"}, {"log_probs", "targets", "input_lengths", "target_lengths"}},
}

func legacy(names ...string) []string { return append(names, "size_average", "reduce") }

func TestPresetNamesArePyTorchs(t *testing.T) {
	lib := mustLoad(t)
	for _, slug := range lib.Slugs() {
		for _, lang := range Languages {
			l, _ := lib.Get(slug, lang)
			var states []*Preset
			states = append(states, l.Presets...)
			for _, q := range l.Questions {
				states = append(states, q.A)
				if q.B != nil {
					states = append(states, q.B)
				}
			}
			for _, p := range states {
				names, ok := pytorchNames[p.Loss]
				if !ok {
					t.Errorf("%s/%s preset %q: unknown loss %q", lang, slug, p.ID, p.Loss)
					continue
				}
				for k := range p.Params {
					if !slices.Contains(names[0], k) {
						t.Errorf("%s/%s preset %q: %s has no parameter %q", lang, slug, p.ID, p.Loss, k)
					}
				}
				for k := range p.Inputs {
					if !slices.Contains(names[1], k) {
						t.Errorf("%s/%s preset %q: %s has no input %q", lang, slug, p.ID, p.Loss, k)
					}
				}
			}
		}
	}
}

// TestPyTorchNamesMatchEngine keeps pytorchNames honest: for every
// registered loss it must list exactly the engine's names.
func TestPyTorchNamesMatchEngine(t *testing.T) {
	for _, spec := range engine.All() {
		t.Run(spec.Slug, func(t *testing.T) {
			names, ok := pytorchNames[spec.Slug]
			if !ok {
				t.Fatalf("pytorchNames has no entry for %s", spec.Slug)
			}
			var params, inputs []string
			for _, p := range spec.Params {
				params = append(params, p.Name)
			}
			for _, in := range spec.Inputs {
				inputs = append(inputs, in.Name)
			}
			if got, want := sorted(names[0]), sorted(params); !slices.Equal(got, want) {
				t.Errorf("parameters = %v; the engine has %v", got, want)
			}
			if got, want := sorted(names[1]), sorted(inputs); !slices.Equal(got, want) {
				t.Errorf("inputs = %v; the engine has %v", got, want)
			}
		})
	}
}

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
