package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// explainMaxTerms bounds the terms written out in a reduction.
const explainMaxTerms = 12

// explainReduction spells out how the per-element losses became the loss,
// with the actual numbers: the sum, the mean with its count, the weighted
// mean sum(w·ℓ)/sum(w) of class-weighted losses, the per-target-length mean
// of CTC, or batchmean.
func explainReduction(spec *engine.Spec, c *engine.Call, res *engine.Result, lang string) []string {
	el := res.Elements
	if el == nil {
		return nil
	}
	terms := explainTerms(el.Data, lang)
	total := engine.Sum(el.Data)
	red := c.Reduction()
	switch red {
	case engine.ReductionNone:
		return []string{i18n.T(lang, "explain.none", len(el.Data), shapeLabel(el.Shape, lang))}
	case engine.ReductionSum:
		return []string{fmt.Sprintf("sum = Σℓ = %s = %s", terms, explainNum(res.Loss.Data[0]))}
	}
	loss := res.Loss.Data[0]
	n := len(el.Data)
	if red == engine.ReductionBatchMean {
		b := 1
		if x := c.Input(spec.Inputs[0].Name); len(x.Shape) > 0 {
			b = x.Shape[0]
		}
		return []string{i18n.T(lang, "explain.batchmean", terms, b, explainNum(loss))}
	}
	if lines := explainCTCMean(spec, c, el.Data, loss, lang); lines != nil {
		return lines
	}
	if lines := explainWeightedMean(spec, c, el.Data, total, loss, lang); lines != nil {
		return lines
	}
	if n > 0 && explainClose(total/float64(n), loss) {
		return []string{fmt.Sprintf("mean = Σℓ / %d = (%s) / %d = %s", n, terms, n, explainNum(loss))}
	}
	// A mean over something other than the element count (ignored
	// targets, say): the denominator is what makes the numbers agree.
	if loss != 0 && !math.IsNaN(loss) && !math.IsInf(loss, 0) {
		d := total / loss
		return []string{fmt.Sprintf("mean = Σℓ / %s = (%s) / %s = %s", explainNum(d), terms, explainNum(d), explainNum(loss)),
			i18n.T(lang, "explain.otherDenominator")}
	}
	return []string{fmt.Sprintf("mean = (%s) / … = %s", terms, explainNum(loss))}
}

// explainWeightedMean explains a class-weighted mean (CrossEntropyLoss,
// NLLLoss with weight or ignore_index): 'none' already returns w[y]·ℓ, and
// 'mean' divides their sum by the sum of the weights that counted.
func explainWeightedMean(spec *engine.Spec, c *engine.Call, el []float64, total, loss float64, lang string) []string {
	wp := spec.Param("weight")
	if wp == nil || !wp.PerClass || spec.Param("ignore_index") == nil {
		return nil
	}
	var target *engine.Tensor
	for i := range spec.Inputs {
		if isClassTarget(spec, c, &spec.Inputs[i]) {
			target = c.Input(spec.Inputs[i].Name)
		}
	}
	if target == nil || len(target.Data) != len(el) {
		return nil
	}
	w := c.Tensor("weight")
	ignore := float64(c.Int("ignore_index"))
	ws := make([]float64, len(el))
	for i, y := range target.Data {
		switch {
		case y == ignore:
			ws[i] = 0
		case w == nil:
			ws[i] = 1
		case int(y) >= 0 && int(y) < len(w.Data):
			ws[i] = w.Data[int(y)]
		default:
			return nil
		}
	}
	sw := engine.Sum(ws)
	if !explainClose(total/sw, loss) {
		return nil
	}
	lines := []string{fmt.Sprintf("mean = Σ w[yₙ]·ℓₙ / Σ w[yₙ] = (%s) / (%s) = %s / %s = %s",
		explainTerms(el, lang), explainTerms(ws, lang), explainNum(total), explainNum(sw), explainNum(loss))}
	if w == nil {
		lines = append(lines, i18n.T(lang, "explain.noWeight"))
	} else {
		lines = append(lines, i18n.T(lang, "explain.withWeight"))
	}
	return lines
}

// explainCTCMean explains CTCLoss's mean: each sample's loss divided by
// its target length, then averaged over the batch.
func explainCTCMean(spec *engine.Spec, c *engine.Call, el []float64, loss float64, lang string) []string {
	if spec.Input("target_lengths") == nil {
		return nil
	}
	lens := c.Input("target_lengths").Data
	if len(lens) != len(el) {
		return nil
	}
	parts := make([]string, 0, len(el))
	sum := 0.0
	for i, l := range el {
		d := math.Max(lens[i], 1)
		sum += l / d
		if i < explainMaxTerms {
			parts = append(parts, explainNum(l)+"/"+strconv.Itoa(int(d)))
		}
	}
	if len(el) > explainMaxTerms {
		parts = append(parts, i18n.T(lang, "explain.more", len(el)-explainMaxTerms))
	}
	if !explainClose(sum/float64(len(el)), loss) {
		return nil
	}
	return []string{fmt.Sprintf("mean = (1/N) Σ ℓₙ / target_lengthₙ = (%s) / %d = %s", strings.Join(parts, " + "), len(el), explainNum(loss)),
		i18n.T(lang, "explain.ctc")}
}

// explainTerms writes a + b + … with at most explainMaxTerms terms.
func explainTerms(xs []float64, lang string) string {
	parts := make([]string, 0, min(len(xs), explainMaxTerms)+1)
	for i, x := range xs {
		if i == explainMaxTerms {
			parts = append(parts, i18n.T(lang, "explain.more", len(xs)-explainMaxTerms))
			break
		}
		parts = append(parts, explainNum(x))
	}
	return strings.Join(parts, " + ")
}

// explainNum writes a number with up to 6 significant digits.
func explainNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// explainClose reports whether a and b agree to rounding.
func explainClose(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}
