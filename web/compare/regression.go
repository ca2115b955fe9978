package compare

import (
	"encoding/json"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// RegressionLosses are the losses the regression comparison draws and
// fits, in legend order.
var RegressionLosses = []string{"L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss"}

// Regression curves are drawn over residuals r = x − y in
// [-RegressionSpan, RegressionSpan].
const (
	RegressionSpan   = 3.0
	regressionPoints = 241 // 0.025 apart: the kinks at ±beta, ±delta land on the grid
)

// RegressionSettings are the regression page's parameters.
type RegressionSettings struct {
	Beta    float64 `json:"beta"`    // SmoothL1Loss's beta
	Delta   float64 `json:"delta"`   // HuberLoss's delta
	Outlier float64 `json:"outlier"` // the y of the fit's outlier point
	// Lang is the language of the charts' words: "" or "en", or "zh".
	// The page's data block carries it, so live updates keep it.
	Lang string `json:"lang,omitempty"`
	// DType is "float32" when the page computes in float32, else "" (float64).
	DType string `json:"dtype,omitempty"`
}

// Bounds of the outlier's y: the fit chart's y axis.
const (
	OutlierMin = -4.0
	OutlierMax = 10.0
)

// DefaultRegression is PyTorch's default beta and delta, and the default
// fit's outlier.
var DefaultRegression = RegressionSettings{Beta: 1, Delta: 1, Outlier: 6}

// Fit returns the fit of the default points with the outlier at
// s.Outlier, under s's beta and delta.
func (s RegressionSettings) Fit() FitRequest {
	r := DefaultFit()
	r.Points[len(r.Points)-1][1] = s.Outlier
	r.Params = map[string]map[string]float64{"SmoothL1Loss": {"beta": s.Beta}, "HuberLoss": {"delta": s.Delta}}
	return r
}

// Validate checks the settings against the engine's parameter ranges and
// the slider's.
func (s RegressionSettings) Validate() error {
	if err := checkLang(s.Lang); err != nil {
		return err
	}
	if err := checkDType(s.DType); err != nil {
		return err
	}
	if err := checkRange("beta", s.Beta, 0, 10, false); err != nil {
		return err
	}
	if err := checkRange("delta", s.Delta, 0, 10, true); err != nil {
		return err
	}
	return checkRange("outlier", s.Outlier, OutlierMin, OutlierMax, false)
}

// Params returns the engine parameters of each loss under s.
func (s RegressionSettings) Params() map[string]map[string]any {
	return map[string]map[string]any{
		"SmoothL1Loss": {"beta": s.Beta},
		"HuberLoss":    {"delta": s.Delta},
	}
}

// RegressionCurve is one loss's term ℓ(r) and derivative ℓ'(r) on the
// residual grid.
type RegressionCurve struct {
	Loss   string    `json:"loss"`
	Values []float64 `json:"values"`
	Derivs []float64 `json:"derivs"`
}

// RegressionCurves evaluates every regression loss on the residual grid,
// with input r and target 0.
func RegressionCurves(s RegressionSettings) (rs []float64, curves []RegressionCurve, err error) {
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	rs = grid(-RegressionSpan, RegressionSpan, regressionPoints)
	params := s.Params()
	for _, loss := range RegressionLosses {
		in := map[string]*engine.Tensor{"input": vector(rs), "target": engine.NewTensor(len(rs))}
		v, d, err := sweep(s.DType, loss, params[loss], in)
		if err != nil {
			return nil, nil, err
		}
		curves = append(curves, RegressionCurve{Loss: loss, Values: v, Derivs: d})
	}
	return rs, curves, nil
}

// RegressionCharts returns the ECharts options of the two curve charts,
// "loss" and "derivative".
func RegressionCharts(s RegressionSettings, theme string) (map[string]json.RawMessage, error) {
	rs, curves, err := RegressionCurves(s)
	if err != nil {
		return nil, err
	}
	pal := PaletteFor(theme)
	t := func(key string, args ...any) string { return i18n.T(s.Lang, key, args...) }
	lossC := chart{lang: s.Lang, title: t("cmp.ch.lossTitle"), subtitle: t("cmp.ch.lossSub"),
		xName: t("cmp.ch.residual"), yName: t("cmp.ch.loss"), xMin: ptr(-RegressionSpan), xMax: ptr(RegressionSpan), yMin: ptr(0), yMax: ptr(4)}
	derivC := chart{lang: s.Lang, title: t("cmp.ch.derivTitle"), subtitle: t("cmp.ch.derivSub"),
		xName: t("cmp.ch.residual"), yName: "∂ℓ/∂input", xMin: ptr(-RegressionSpan), xMax: ptr(RegressionSpan), yMin: ptr(-3), yMax: ptr(3)}
	for _, c := range curves {
		// MSE leaves the chart at |r| > 2.1; ECharts clips lines at the grid.
		lossC.series = append(lossC.series, series{name: c.Loss, kind: "line", data: pairs(rs, c.Values), dashed: regressionDashed(c.Loss)})
		derivC.series = append(derivC.series, series{name: c.Loss, kind: "line", data: pairs(rs, c.Derivs), dashed: regressionDashed(c.Loss)})
	}
	out := map[string]json.RawMessage{}
	if out["loss"], err = lossC.option(pal); err != nil {
		return nil, err
	}
	if out["derivative"], err = derivC.option(pal); err != nil {
		return nil, err
	}
	return out, nil
}

// FitChart returns the "fit" chart: the points (the outlier its own
// series, id "outlier", which the page makes draggable) and one line per
// loss (series id = the loss name) over the chart's x range.
func FitChart(r FitRequest, lines []FitLine, theme, lang string) (json.RawMessage, error) {
	pal := PaletteFor(theme)
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	n := len(r.Points)
	pts := make([][2]float64, n-1)
	for i := range pts {
		pts[i] = [2]float64{r.Points[i][0], r.Points[i][1]}
	}
	c := chart{lang: lang, title: t("cmp.ch.fitTitle"), subtitle: t("cmp.ch.fitSub"),
		xName: "x", yName: "y", xMin: ptr(-FitXSpan), xMax: ptr(FitXSpan), yMin: ptr(OutlierMin), yMax: ptr(OutlierMax), ySplit: 7}
	for _, l := range lines {
		c.series = append(c.series, series{name: l.Loss, id: l.Loss, kind: "line", data: FitSegment(l), dashed: regressionDashed(l.Loss)})
	}
	c.series = append(c.series,
		series{name: t("cmp.ch.points"), color: "points", id: "points", kind: "scatter", data: pts, size: 10},
		series{name: t("cmp.ch.outlier"), color: "outlier", id: "outlier", kind: "scatter", data: [][2]float64{{r.Points[n-1][0], r.Points[n-1][1]}}, size: 18})
	return c.option(pal)
}

// FitXSpan is the half-width of the fit chart's x axis.
const FitXSpan = 4.0

// FitSegment is a line's two end points at the edges of the fit chart.
func FitSegment(l FitLine) [][2]float64 {
	return [][2]float64{{-FitXSpan, l.Intercept - FitXSpan*l.Slope}, {FitXSpan, l.Intercept + FitXSpan*l.Slope}}
}

// RunFit runs r to the end and returns the final lines.
func RunFit(r FitRequest) ([]FitLine, error) {
	run, err := NewFitRun(r)
	if err != nil {
		return nil, err
	}
	if err := run.Advance(r.Steps); err != nil {
		return nil, err
	}
	return run.Lines(nil)
}

// regressionDashed reports whether a loss is drawn dashed: Huber, which
// coincides with SmoothL1 when beta = delta = 1 (PyTorch's defaults) and
// would hide under it otherwise.
func regressionDashed(loss string) bool { return loss == "HuberLoss" }
