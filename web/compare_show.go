package web

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
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

// comparePage is one comparison page: its settings, read from a page's
// query (and a chart image's, and a class plan's) or from a compare
// message, and its title. What the settings build says the rest.
type comparePage struct {
	title string // the catalogue key of its title
	// query reads the settings from a URL query; lang is "" for English.
	query func(q url.Values, lang string) (compareSettings, error)
	// decode reads a compare message's settings strictly (an unknown
	// field is an error) over the page's defaults.
	decode func(raw json.RawMessage) (compareSettings, error)
}

// comparePages are the comparison pages by the name their URL and a
// compare message give.
var comparePages = map[string]comparePage{
	comparePageRegression: comparePageOf("cmp.reg.title", func() compare.RegressionSettings { return compare.DefaultRegression },
		compareRegressionQuery, compareRegressionBuild),
	comparePageClassification: comparePageOf("cmp.cls.title", compare.DefaultClassification,
		compareClassificationQuery, compareClassificationBuild),
	comparePageMargin: comparePageOf("cmp.mar.title", func() compare.MarginSettings { return compare.DefaultMargin },
		compareMarginQuery, compareMarginBuild),
}

// compareSettings are one page's validated settings.
type compareSettings interface {
	// build computes the page's data: what its data block holds on first
	// paint and what a compare_result carries.
	build(theme string) (compareData, error)
}

// compareData is a page's data block (and compare_result).
type compareData interface {
	charts() map[string]json.RawMessage
	// view is the page around the data, js its encoding; q is the page's
	// query, for its chart images' links.
	view(a *App, q url.Values, js string) templ.Component
}

// comparePageOf binds a page's typed query reader and builder into its
// table entry.
func comparePageOf[S interface{ Validate() error }, D compareData](title string, defaults func() S, query func(url.Values, string) (S, error), build func(S, string) (D, error)) comparePage {
	bind := func(s S) compareSettings { return compareBound[S, D]{s, build} }
	return comparePage{
		title: title,
		query: func(q url.Values, lang string) (compareSettings, error) {
			s, err := query(q, lang)
			if err != nil {
				return nil, err
			}
			return bind(s), nil
		},
		decode: func(raw json.RawMessage) (compareSettings, error) {
			s := defaults()
			if len(raw) > 0 && string(raw) != "null" {
				if err := decodeStrict(raw, &s); err != nil {
					return nil, engine.Errorf("settings", "%s", describeJSONError(err))
				}
			}
			if err := s.Validate(); err != nil {
				return nil, err
			}
			return bind(s), nil
		},
	}
}

// compareBound is a page's settings with the builder of its data. It
// encodes as the settings alone (a chart image's cache key).
type compareBound[S interface{ Validate() error }, D compareData] struct {
	s    S
	make func(S, string) (D, error)
}

func (b compareBound[S, D]) build(theme string) (compareData, error) {
	d, err := b.make(b.s, theme)
	if err != nil {
		return nil, err // not a nil *D in an interface
	}
	return d, nil
}

func (b compareBound[S, D]) MarshalJSON() ([]byte, error) { return json.Marshal(b.s) }

// comparePageNamed returns the page a compare message or a chart image
// names, or an error naming the field.
func comparePageNamed(name string) (comparePage, error) {
	if p, ok := comparePages[name]; ok {
		return p, nil
	}
	if name == "" {
		return comparePage{}, engine.Errorf("page", `missing (expected "regression", "classification" or "margin")`)
	}
	return comparePage{}, engine.Errorf("page", `unknown comparison page %s (expected "regression", "classification" or "margin")`, quoteShort(name))
}

// showCompare renders the comparison page name from its query.
func (a *App) showCompare(name string) func(http.ResponseWriter, *http.Request) error {
	p := comparePages[name]
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		lang := compareLang(r)
		s, err := p.query(q, lang)
		if err != nil {
			return err
		}
		data, err := s.build(compareTheme(q))
		if err != nil {
			return err
		}
		js, err := compareJSON(data)
		if err != nil {
			return err
		}
		meta := pageMeta(r, i18n.T(lang, p.title), lang, "")
		meta.Script = entryCompare
		a.renderPage(w, r, http.StatusOK, meta, data.view(a, q, js))
		return nil
	}
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
		return engine.Errorf(key, "must be a finite number, got %s", quoteShort(s))
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
