package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/compare"
	"github.com/lossplayground/playground/web/templates"
)

// The comparison pages, by the name a compare message gives.
const (
	comparePageRegression     = "regression"
	comparePageClassification = "classification"
	comparePageMargin         = "margin"
)

// compareDecodeSettings decodes a compare message's settings for page
// (strictly: an unknown field is an error) and validates them. Missing
// settings are the page's defaults.
func compareDecodeSettings(page string, raw json.RawMessage) (any, error) {
	decode := func(v interface{ Validate() error }) error {
		if len(raw) > 0 && string(raw) != "null" {
			if err := decodeStrict(raw, v); err != nil {
				return &engine.Error{Field: "settings", Msg: describeJSONError(err)}
			}
		}
		return v.Validate()
	}
	switch page {
	case comparePageRegression:
		s := compare.DefaultRegression
		return s, decode(&s)
	case comparePageClassification:
		s := compare.DefaultClassification()
		return s, decode(&s)
	case comparePageMargin:
		s := compare.DefaultMargin
		return s, decode(&s)
	case "":
		return nil, &engine.Error{Field: "page", Msg: `missing (expected "regression", "classification" or "margin")`}
	}
	return nil, &engine.Error{Field: "page", Msg: fmt.Sprintf(`unknown comparison page %s (expected "regression", "classification" or "margin")`, wsQuote(page))}
}

// compareBuild computes a comparison page's data: what its data block
// holds on first paint and what a compare_result carries.
func compareBuild(page, theme string, settings any) (any, error) {
	switch s := settings.(type) {
	case compare.RegressionSettings:
		return compareRegressionBuild(s, theme)
	case compare.ClassificationSettings:
		return compareClassificationBuild(s, theme)
	case compare.MarginSettings:
		return compareMarginBuild(s, theme)
	}
	return nil, fmt.Errorf("compare: no page %q for settings %T", page, settings)
}

// compareLang is the language a comparison page's settings carry: empty
// for English, so an English page's data and URL stay as they were.
func compareLang(r *http.Request) string {
	if l := pageLang(r); l != i18n.Languages[0] {
		return l
	}
	return ""
}

// compareTheme is the theme a page's charts are first drawn in: the
// query's, or light (the script redraws for a dark system preference).
func compareTheme(q url.Values) string {
	if q.Get("theme") == "dark" {
		return "dark"
	}
	return "light"
}

// compareQueryFloat reads a number from the query into *dst, leaving it
// alone when the key is absent or empty.
func compareQueryFloat(q url.Values, key string, dst *float64) error {
	s := strings.TrimSpace(q.Get(key))
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return engine.Errorf(key, "must be a finite number, got %s", wsQuote(s))
	}
	*dst = v
	return nil
}

// compareQueryDType reads ?dtype= (float64, the default, or float32) into
// *dst as the settings carry it: "" or "float32".
func compareQueryDType(q url.Values, dst *string) error {
	s := strings.TrimSpace(q.Get("dtype"))
	if s == "" {
		return nil
	}
	if _, err := engine.ParseDType(s); err != nil {
		return err
	}
	if s == "float32" {
		*dst = s
	}
	return nil
}

// compareFormat writes v as PyTorch prints a 0-d float tensor: the loss
// page's torchFormat, so the two kinds of page print a number alike.
func compareFormat(v float64) string { return torchFormat([]float64{v}, false)[0] }

// compareFormatTable writes the numbers of one table: each as compareFormat
// does, except that whole numbers beside fractions keep four decimals, as
// PyTorch prints them inside a tensor that is not all whole ("0.0000", not
// "0." beside "0.1799"). Scientific notation stays per number: one tiny
// gradient must not turn a whole table of losses into exponents.
func compareFormatTable(vs []float64) []string {
	whole := true
	for _, v := range vs {
		if v != math.Trunc(v) && !math.IsInf(v, 0) {
			whole = false // NaN too: PyTorch prints tensor([nan, 0.]) with decimals
		}
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = compareFormat(v)
		if !whole && strings.HasSuffix(out[i], ".") {
			out[i] += "0000"
		}
	}
	return out
}

// compareAssets is the comparison pages' own stylesheet; their script is
// the layout's "compare" entry module (web/ui/compare-page.js).
func (a *App) compareAssets() templates.CompareAssets {
	s := a.uiAssets()
	return templates.CompareAssets{CSS: s.url("compare.css")}
}

// compareJSON encodes a page's data block.
func compareJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// compareNumber writes a setting as a form field holds it: shortest
// round-trip decimal.
func compareNumber(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// compareImages locates a comparison page's chart images: the page's
// settings as its own permalink writes them (compare.js syncURL), and the
// theme when the URL chose one, and the language unless it is English.
func compareImages(page string, q url.Values, settings url.Values, alt, lang string) templates.ChartImages {
	if t := q.Get("theme"); t == "dark" || t == "light" {
		settings.Set("theme", t)
	}
	if lang != "" && lang != "en" {
		settings.Set("lang", lang)
	}
	if q.Get("dtype") == "float32" {
		settings.Set("dtype", "float32")
	}
	return templates.ChartImages{Base: "/compare/" + page + "/charts/", Query: settings.Encode(), Alt: alt, Lang: lang}
}
