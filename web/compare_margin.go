package web

import (
	"encoding/json"
	"net/url"

	"github.com/a-h/templ"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/compare"
	"github.com/lossplayground/playground/web/templates"
)

// compareMarginRow is one loss read out at the chosen margin.
type compareMarginRow struct {
	Name   string  `json:"name"`
	Via    string  `json:"via"`
	At     float64 `json:"at"`
	AtGrad float64 `json:"at_grad"`
}

// compareMarginData is the margin comparison's data block and
// compare_result.
type compareMarginData struct {
	Page     string                     `json:"page"`
	Theme    string                     `json:"theme"`
	Settings compare.MarginSettings     `json:"settings"`
	Charts   map[string]json.RawMessage `json:"charts"`
	Rows     []compareMarginRow         `json:"rows"`
}

func compareMarginBuild(s compare.MarginSettings, theme string) (*compareMarginData, error) {
	ms, curves, err := compare.MarginCurves(s)
	if err != nil {
		return nil, err
	}
	charts, err := compare.MarginChart(s, ms, curves, theme)
	if err != nil {
		return nil, err
	}
	d := &compareMarginData{Page: comparePageMargin, Theme: theme, Settings: s, Charts: charts}
	for _, c := range curves {
		d.Rows = append(d.Rows, compareMarginRow{Name: c.Name, Via: c.Via, At: c.At, AtGrad: c.AtGrad})
	}
	return d, nil
}

// compareMarginQuery reads the margin page's settings (margin, at) from
// its query; missing ones are the defaults.
func compareMarginQuery(q url.Values, lang string) (compare.MarginSettings, error) {
	s := compare.DefaultMargin
	s.Lang = lang
	if err := compareQueryDType(q, &s.DType); err != nil {
		return s, err
	}
	if err := compareQueryFloat(q, "margin", &s.Margin); err != nil {
		return s, err
	}
	if err := compareQueryFloat(q, "at", &s.At); err != nil {
		return s, err
	}
	return s, s.Validate()
}

func (data *compareMarginData) charts() map[string]json.RawMessage { return data.Charts }

// view is /compare/margin: zero-one, hinge, soft margin and logistic
// losses against the margin y·x. Query: margin (the hinge's Δ), at (the
// margin read out).
func (data *compareMarginData) view(a *App, q url.Values, js string) templ.Component {
	s := data.Settings
	pal := compare.PaletteFor(data.Theme)
	v := templates.CompareMarginView{Lang: s.Lang, Assets: a.compareAssets(), Data: js, Margin: compareNumber(s.Margin), At: compareNumber(s.At),
		Images: compareImages(comparePageMargin, q, url.Values{"margin": {compareNumber(s.Margin)}, "at": {compareNumber(s.At)}},
			i18n.T(s.Lang, "cmp.mar.title"), s.Lang)}
	var table []float64
	for _, row := range data.Rows {
		table = append(table, row.At, row.AtGrad)
	}
	cells := compareFormatTable(table)
	for i, row := range data.Rows {
		v.Rows = append(v.Rows, templates.CompareMarginRow{Name: row.Name, Via: row.Via, Color: pal.Color(row.Name),
			Value: cells[2*i], Grad: cells[2*i+1]})
	}
	return templates.CompareMargin(v)
}
