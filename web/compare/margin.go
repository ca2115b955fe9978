package compare

import (
	"encoding/json"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// Margin curves are drawn over margins m = y·x in [-MarginSpan, MarginSpan].
const (
	MarginSpan   = 3.0
	marginPoints = 241
)

// MarginSettings are the margin page's sliders.
type MarginSettings struct {
	Margin float64 `json:"margin"` // the hinge's margin Δ (HingeEmbeddingLoss, MultiMarginLoss)
	At     float64 `json:"at"`     // the margin y·x whose losses the table reads out
	// Lang is the language of the charts' words: "" or "en", or "zh".
	// The page's data block carries it, so live updates keep it.
	Lang string `json:"lang,omitempty"`
	// DType is "float32" when the page computes in float32, else "" (float64).
	DType string `json:"dtype,omitempty"`
}

// DefaultMargin is PyTorch's hinge margin 1 and a correctly classified
// point inside the margin.
var DefaultMargin = MarginSettings{Margin: 1, At: 0.5}

// Validate checks both sliders.
func (s MarginSettings) Validate() error {
	if err := checkLang(s.Lang); err != nil {
		return err
	}
	if err := checkDType(s.DType); err != nil {
		return err
	}
	if err := checkRange("margin", s.Margin, 0, 3, false); err != nil {
		return err
	}
	return checkRange("at", s.At, -MarginSpan, MarginSpan, false)
}

// MarginCurve is one loss of the margin m = y·x.
type MarginCurve struct {
	Name   string    `json:"name"`
	Via    string    `json:"via"` // how the engine is called, or "definition"
	Values []float64 `json:"values"`
	Derivs []float64 `json:"derivs"` // d loss / d m
	At     float64   `json:"at"`     // the value at Settings.At
	AtGrad float64   `json:"at_grad"`
}

// MarginCurves evaluates every margin loss on the grid and at s.At. The
// engine computes all but zero-one, which is drawn from its definition
// 1[m ≤ 0] (it has no useful gradient and no PyTorch class).
func MarginCurves(s MarginSettings) (ms []float64, curves []MarginCurve, err error) {
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	ms = grid(-MarginSpan, MarginSpan, marginPoints)
	xs := append(append([]float64(nil), ms...), s.At) // the last element is the read-out
	n := len(xs)
	split := func(name, via string, v, d []float64) MarginCurve {
		return MarginCurve{Name: name, Via: via, Values: v[:n-1], Derivs: d[:n-1], At: v[n-1], AtGrad: d[n-1]}
	}

	zo := make([]float64, n)
	for i, m := range xs {
		if m <= 0 {
			zo[i] = 1
		}
	}
	curves = append(curves, split("zero-one", "definition: 1 if y·x ≤ 0, else 0", zo, make([]float64, n)))

	// Hinge: HingeEmbeddingLoss with target −1 is max(0, Δ − x); x = m.
	v, d, err := sweep(s.DType, "HingeEmbeddingLoss", map[string]any{"margin": s.Margin},
		map[string]*engine.Tensor{"input": vector(xs), "target": filled(n, -1)})
	if err != nil {
		return nil, nil, err
	}
	curves = append(curves, split("hinge", "HingeEmbeddingLoss(m, −1, margin=Δ)", v, d))

	// MultiMarginLoss with two classes, logits (0, m) and target 1:
	// max(0, Δ − m) / C, the hinge halved.
	two := engine.NewTensor(n, 2)
	for i, m := range xs {
		two.Data[2*i+1] = m
	}
	v, d2, err := sweep(s.DType, "MultiMarginLoss", map[string]any{"margin": s.Margin},
		map[string]*engine.Tensor{"input": two, "target": filled(n, 1)})
	if err != nil {
		return nil, nil, err
	}
	dm := make([]float64, n)
	for i := range dm {
		dm[i] = d2[2*i+1]
	}
	curves = append(curves, split("MultiMarginLoss, 2 classes", "MultiMarginLoss([0, m], 1, margin=Δ)", v, dm))

	v, d, err = sweep(s.DType, "SoftMarginLoss", nil, map[string]*engine.Tensor{"input": vector(xs), "target": filled(n, 1)})
	if err != nil {
		return nil, nil, err
	}
	curves = append(curves, split("soft margin", "SoftMarginLoss(m, 1)", v, d))

	v, d, err = sweep(s.DType, "BCEWithLogitsLoss", nil, map[string]*engine.Tensor{"input": vector(xs), "target": filled(n, 1)})
	if err != nil {
		return nil, nil, err
	}
	curves = append(curves, split("logistic", "BCEWithLogitsLoss(m, 1)", v, d))
	return ms, curves, nil
}

// MarginChart returns the "margin" chart: every loss against y·x, with
// the read-out margin marked as a point on each curve.
func MarginChart(s MarginSettings, ms []float64, curves []MarginCurve, theme string) (map[string]json.RawMessage, error) {
	pal := PaletteFor(theme)
	t := func(key string, args ...any) string { return i18n.T(s.Lang, key, args...) }
	c := chart{lang: s.Lang, title: t("cmp.ch.marginTitle"), subtitle: t("cmp.ch.marginSub"),
		xName: t("cmp.ch.marginAxis"), yName: t("cmp.ch.loss"), xMin: ptr(-MarginSpan), xMax: ptr(MarginSpan), yMin: ptr(0), yMax: ptr(4)}
	for _, cv := range curves {
		sr := series{name: t("cmp.curve." + cv.Name), color: cv.Name, kind: "line", data: pairs(ms, cv.Values)}
		switch cv.Name {
		case "zero-one":
			sr.step = true
		case "logistic", "MultiMarginLoss, 2 classes":
			sr.dashed = true
		}
		if cv.Name == "soft margin" {
			sr.width = 5 // drawn wide, under the dashed logistic curve it equals
		}
		c.series = append(c.series, sr)
	}
	var at [][2]float64
	for _, cv := range curves {
		at = append(at, [2]float64{s.At, cv.At})
	}
	c.series = append(c.series, series{name: t("cmp.ch.atMargin"), kind: "scatter", data: at, size: 9, id: "at"})
	opt, err := c.option(pal)
	if err != nil {
		return nil, err
	}
	return map[string]json.RawMessage{"margin": opt}, nil
}
