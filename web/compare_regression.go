package web

import (
	"encoding/json"
	"net/url"

	"github.com/a-h/templ"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/compare"
	"github.com/lossplayground/playground/web/templates"
)

// compareRegressionData is the regression comparison's data block and
// compare_result: curve and fit charts, the fit to animate, and the lines
// it ends at.
type compareRegressionData struct {
	Page     string                     `json:"page"`
	Theme    string                     `json:"theme"`
	Settings compare.RegressionSettings `json:"settings"`
	Charts   map[string]json.RawMessage `json:"charts"`
	Fit      compare.FitRequest         `json:"fit"`
	Lines    []compare.FitLine          `json:"lines"`
	XSpan    float64                    `json:"x_span"`
}

func compareRegressionBuild(s compare.RegressionSettings, theme string) (*compareRegressionData, error) {
	charts, err := compare.RegressionCharts(s, theme)
	if err != nil {
		return nil, err
	}
	fit := s.Fit()
	lines, err := compare.RunFit(fit)
	if err != nil {
		return nil, err
	}
	if charts["fit"], err = compare.FitChart(fit, lines, theme, s.Lang); err != nil {
		return nil, err
	}
	return &compareRegressionData{Page: comparePageRegression, Theme: theme, Settings: s, Charts: charts,
		Fit: fit, Lines: lines, XSpan: compare.FitXSpan}, nil
}

// compareRegressionQuery reads the regression page's settings (beta,
// delta, outlier) from its query; missing ones are the defaults.
func compareRegressionQuery(q url.Values, lang string) (compare.RegressionSettings, error) {
	s := compare.DefaultRegression
	s.Lang = lang
	if err := compareQueryDType(q, &s.DType); err != nil {
		return s, err
	}
	for _, f := range []struct {
		key string
		dst *float64
	}{{"beta", &s.Beta}, {"delta", &s.Delta}, {"outlier", &s.Outlier}} {
		if err := compareQueryFloat(q, f.key, f.dst); err != nil {
			return s, err
		}
	}
	return s, s.Validate()
}

func (data *compareRegressionData) charts() map[string]json.RawMessage { return data.Charts }

// view is /compare/regression: L1, MSE, SmoothL1 and Huber against the
// residual, and a line fitted under each with an outlier. Query: beta,
// delta, outlier.
func (data *compareRegressionData) view(a *App, q url.Values, js string) templ.Component {
	s := data.Settings
	pal := compare.PaletteFor(data.Theme)
	v := templates.CompareRegressionView{
		Lang:    s.Lang,
		Assets:  a.compareAssets(),
		Data:    js,
		Beta:    compareNumber(s.Beta),
		Delta:   compareNumber(s.Delta),
		Outlier: compareNumber(s.Outlier),
		Steps:   data.Fit.Steps,
		LR:      compareNumber(data.Fit.LR),
		Images: compareImages(comparePageRegression, q, url.Values{"beta": {compareNumber(s.Beta)},
			"delta": {compareNumber(s.Delta)}, "outlier": {compareNumber(s.Outlier)}}, i18n.T(s.Lang, "cmp.reg.title"), s.Lang),
	}
	var table []float64
	for _, l := range data.Lines {
		table = append(table, l.Slope, l.Intercept, l.Value)
	}
	cells := compareFormatTable(table)
	for i, l := range data.Lines {
		v.Lines = append(v.Lines, templates.CompareLineRow{Loss: l.Loss, Color: pal.Color(l.Loss),
			Slope: cells[3*i], Intercept: cells[3*i+1], Value: cells[3*i+2]})
	}
	return templates.CompareRegression(v)
}
