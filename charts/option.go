package charts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/lossplayground/playground/i18n"
)

// palette is the colour set of a theme. The page picks the renderer; the
// options carry the colours so that an exported image looks like the page.
type palette struct {
	background string
	text       string
	subtext    string
	axis       string
	split      string
	infeasible string   // greyed lattice states
	series     []string // series colours, in order
	sequential []string // visualMap ramp for non-negative values
	diverging  []string // visualMap ramp for signed values (gradients)
	lang       string   // the language of titles, axis names and legends
}

var (
	lightPalette = palette{
		background: "#ffffff",
		text:       "#1f2328",
		subtext:    "#57606a",
		axis:       "#57606a",
		split:      "#e5e7eb",
		infeasible: "#d0d4d9",
		series:     []string{"#2f6fdf", "#e8590c", "#2b9a66", "#c2255c", "#7048e8", "#0c8599", "#a17a0d"},
		sequential: []string{"#f7fbff", "#9ecae1", "#3182bd", "#08306b"},
		diverging:  []string{"#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"},
	}
	darkPalette = palette{
		background: "#15181d",
		text:       "#e6e8eb",
		subtext:    "#a9b1ba",
		axis:       "#a9b1ba",
		split:      "#2b3139",
		infeasible: "#3a3f47",
		series:     []string{"#6ea8fe", "#ff922b", "#51cf66", "#f783ac", "#b197fc", "#3bc9db", "#ffd43b"},
		sequential: []string{"#0b1a2e", "#1c4f8a", "#4dabf7", "#e7f5ff"},
		diverging:  []string{"#4dabf7", "#2b5a80", "#5f6670", "#80403d", "#ff6b6b"},
	}
)

// paletteFor returns the colours of theme, speaking lang: the palette is
// everything about a chart's look that is not its data, words included.
func paletteFor(theme, lang string) *palette {
	p := lightPalette
	if theme == "dark" {
		p = darkPalette
	}
	p.lang = i18n.Lang(lang)
	return &p
}

// t returns the chart message key in the palette's language.
func (p *palette) t(key string, args ...any) string { return i18n.T(p.lang, key, args...) }

// frame is what every chart of the page shares: title, tooltip, toolbox,
// theme colours. Extra top-level options that go-echarts has no field for
// (global textStyle, a visualMap with outOfRange and seriesIndex) are added
// by optionExtras when the option object is assembled.
type frame struct {
	title, subtitle string
	xName, yName    string
	trigger         string // tooltip trigger: "axis" or "item"
	pal             *palette
	thumb           bool // catalog thumbnail: no title, toolbox or axis names
	legend          bool
}

// globals returns the go-echarts global options for f.
func (f *frame) globals() []ec.GlobalOpts {
	p := f.pal
	g := []ec.GlobalOpts{
		ec.WithInitializationOpts(opts.Initialization{BackgroundColor: p.background}),
		ec.WithColorsOpts(opts.Colors(p.series)),
		ec.WithAnimation(false), // live slider updates: draw at once
		ec.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(!f.thumb), Trigger: f.trigger}),
		ec.WithLegendOpts(opts.Legend{Show: opts.Bool(f.legend && !f.thumb), Top: "bottom",
			TextStyle: &opts.TextStyle{Color: p.text}}),
	}
	if f.thumb {
		g = append(g,
			ec.WithGridOpts(opts.Grid{Left: "2", Right: "2", Top: "2", Bottom: "2"}),
			ec.WithTitleOpts(opts.Title{Show: opts.Bool(false)}),
			ec.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(false)}))
		return g
	}
	bottom := "40"
	if f.legend {
		bottom = "64"
	}
	g = append(g,
		ec.WithGridOpts(opts.Grid{Left: "64", Right: "64", Top: "92", Bottom: bottom, ContainLabel: opts.Bool(true)}),
		ec.WithTitleOpts(opts.Title{Title: f.title, Subtitle: f.subtitle, Left: "center",
			TitleStyle:    &opts.TextStyle{Color: p.text, FontSize: 15},
			SubtitleStyle: &opts.TextStyle{Color: p.subtext, FontSize: 12}}),
		ec.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(true), Right: "12", Feature: &opts.ToolBoxFeature{
			SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Title: p.t("ch.saveImage"), Name: f.fileName()},
		}}))
	return g
}

// fileName is the saveAsImage file name, derived from the title.
func (f *frame) fileName() string {
	b := make([]byte, 0, len(f.title))
	for _, r := range f.title {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		default:
			if len(b) > 0 && b[len(b)-1] != '-' {
				b = append(b, '-')
			}
		}
	}
	for len(b) > 0 && b[len(b)-1] == '-' {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return "loss-playground"
	}
	return string(b)
}

// axisLabel returns the axis labels in the palette's colour.
func (f *frame) axisLabel() *opts.AxisLabel {
	return &opts.AxisLabel{Show: opts.Bool(!f.thumb), Color: f.pal.axis}
}

// axisLine draws the axis at the edge of the grid (not through the other
// axis's zero, which puts a y axis mid-chart), hidden on thumbnails.
func (f *frame) axisLine() *opts.AxisLine {
	return &opts.AxisLine{Show: opts.Bool(!f.thumb), OnZero: opts.Bool(false), LineStyle: &opts.LineStyle{Color: f.pal.axis}}
}

func (f *frame) splitLine(show bool) *opts.SplitLine {
	return &opts.SplitLine{Show: opts.Bool(show && !f.thumb), LineStyle: &opts.LineStyle{Color: f.pal.split}}
}

// xAxis returns an x axis of the given type ("value" or "category").
func (f *frame) xAxis(typ string) opts.XAxis {
	a := opts.XAxis{Type: typ, AxisLabel: f.axisLabel(), AxisLine: f.axisLine(), SplitLine: f.splitLine(typ == "value"),
		Scale: opts.Bool(typ == "value"), AxisTick: &opts.AxisTick{Show: opts.Bool(!f.thumb)}}
	if typ == "category" {
		a.AxisLine.OnZero = opts.Bool(true) // bars of signed values grow from zero
	}
	if !f.thumb {
		a.Name, a.NameLocation, a.NameGap = f.xName, "middle", 28
	}
	return a
}

// yAxis returns a y axis named name.
func (f *frame) yAxis(typ, name string) opts.YAxis {
	a := opts.YAxis{Type: typ, AxisLabel: f.axisLabel(), AxisLine: f.axisLine(), SplitLine: f.splitLine(typ == "value"),
		Position: "left"} // not scaled: losses, probabilities and bars read from 0
	if !f.thumb {
		a.Name = name
	} else {
		// go-echarts' YAxis has no axisTick option: hide the whole axis,
		// or its ticks show as a column of dots on the thumbnail.
		a.Show = opts.Bool(false)
	}
	return a
}

// visualMap is an ECharts visualMap with the fields go-echarts' VisualMap
// lacks (outOfRange, seriesIndex) and min/max that are never omitted.
type visualMap struct {
	Type        string          `json:"type"`
	Min         json.RawMessage `json:"min"`
	Max         json.RawMessage `json:"max"`
	Calculable  bool            `json:"calculable"`
	Orient      string          `json:"orient"`
	Right       string          `json:"right"`
	Top         string          `json:"top"`
	ItemHeight  int             `json:"itemHeight,omitempty"`
	Precision   int             `json:"precision"`
	SeriesIndex []int           `json:"seriesIndex"`
	InRange     colorRange      `json:"inRange"`
	OutOfRange  colorRange      `json:"outOfRange"`
	TextStyle   opts.TextStyle  `json:"textStyle"`
}

type colorRange struct {
	Color []string `json:"color"`
}

// optionExtras adds top-level options go-echarts has no field for.
type optionExtras struct {
	ec.BaseConfigurationVisitor
	pal       *palette
	visualMap *visualMap
}

// Visit implements ec.ConfigurationVisitor.
func (x *optionExtras) Visit(obj map[string]any) {
	obj["textStyle"] = map[string]string{"color": x.pal.text}
	if x.visualMap != nil {
		obj["visualMap"] = x.visualMap
	}
}

// newVisualMap returns a continuous visualMap over [lo, hi] for the series
// at seriesIndex, with signed data drawn on a diverging ramp.
func (f *frame) newVisualMap(lo, hi float64, diverging bool, seriesIndex ...int) *visualMap {
	ramp := f.pal.sequential
	if diverging {
		m := max(math.Abs(lo), math.Abs(hi))
		lo, hi = -m, m
		ramp = f.pal.diverging
	}
	if !(hi > lo) { // constant or empty data: widen so ECharts has a range
		lo, hi = lo-1, hi+1
	}
	if seriesIndex == nil {
		seriesIndex = []int{0}
	}
	return &visualMap{
		Type: "continuous", Min: appendNum(nil, lo), Max: appendNum(nil, hi), Calculable: true,
		Orient: "vertical", Right: "4", Top: "middle", ItemHeight: 120, Precision: 3,
		SeriesIndex: seriesIndex, InRange: colorRange{ramp}, OutOfRange: colorRange{[]string{f.pal.infeasible}},
		TextStyle: opts.TextStyle{Color: f.pal.text},
	}
}

// rawSeries returns a go-echarts series whose data is already-encoded JSON.
// Encoding the data ourselves keeps reflection off the per-point path.
func rawSeries(typ, name string, data []byte) ec.SingleSeries {
	return ec.SingleSeries{Name: name, Type: typ, Data: json.RawMessage(data)}
}

// finish validates the chart and encodes its option object. Series data
// that is already JSON (rawSeries) is spliced into the output rather than
// marshalled, which would re-scan every byte of it: each series' data is
// swapped for a placeholder string that no text can contain (it starts
// with a NUL, which JSON escapes as \u0000), and the placeholders are
// replaced by the data after encoding.
func finish(c interface {
	Validate()
	JSON() map[string]any
	Accept(ec.ConfigurationVisitor)
}, ms *ec.MultiSeries, x *optionExtras) (json.RawMessage, error) {
	var raws [][]byte
	for i := range *ms {
		if d, ok := (*ms)[i].Data.(json.RawMessage); ok {
			(*ms)[i].Data = placeholder(len(raws))
			raws = append(raws, d)
		}
	}
	c.Accept(x)
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil || len(raws) == 0 {
		return b, err
	}
	n := len(b)
	for _, r := range raws {
		n += len(r)
	}
	out := make([]byte, 0, n)
	for len(b) > 0 {
		i := bytes.Index(b, placeholderPrefix)
		if i < 0 {
			out = append(out, b...)
			break
		}
		end := i + len(placeholderPrefix)
		j := end
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		k, err := strconv.Atoi(string(b[end:j]))
		if err != nil || k >= len(raws) || j >= len(b) || b[j] != '"' {
			return nil, fmt.Errorf("charts: malformed data placeholder at %d", i)
		}
		out = append(out, b[:i]...)
		out = append(out, raws[k]...)
		b = b[j+1:]
	}
	return out, nil
}

// placeholderPrefix is how a placeholder string starts once JSON-encoded.
var placeholderPrefix = []byte(`"\u0000data`)

func placeholder(k int) string { return "\x00data" + strconv.Itoa(k) }

// appendNum appends v as a JSON number, or null when it is not finite:
// ECharts draws null as a gap, and JSON has no NaN or Infinity. Values are
// written with 7 significant digits, more than a chart can show (the API
// carries full precision); values outside [1e-4, 1e9) take strconv's path.
func appendNum(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return append(b, "null"...)
	case v == 0:
		return append(b, '0')
	}
	a := math.Abs(v)
	if a < 1e-4 || a >= 1e9 {
		return strconv.AppendFloat(b, v, 'g', 7, 64)
	}
	// Decimals d so that a·10^d has 7 digits before the point.
	d := 0
	for d < len(pow10)-1 && a*pow10[d] < 1e6 {
		d++
	}
	m := int64(math.Round(a * pow10[d]))
	if v < 0 {
		b = append(b, '-')
	}
	ip, fp := m, int64(0)
	if d > 0 {
		p := int64(pow10[d])
		ip, fp = m/p, m%p
	}
	b = strconv.AppendInt(b, ip, 10)
	if fp == 0 {
		return b
	}
	// Fraction with d digits, leading zeros kept, trailing zeros dropped.
	var digits [16]byte
	for i := d - 1; i >= 0; i-- {
		digits[i] = byte('0' + fp%10)
		fp /= 10
	}
	n := d
	for n > 0 && digits[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, digits[:n]...)
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}

// appendPairs appends [[x0,y0],[x1,y1],...].
func appendPairs(b []byte, xs, ys []float64) []byte {
	b = append(b, '[')
	for i := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendNum(b, xs[i])
		b = append(b, ',')
		b = appendNum(b, ys[i])
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendValues appends [v0,v1,...].
func appendValues(b []byte, vs []float64) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNum(b, v)
	}
	return append(b, ']')
}

// finiteRange returns the smallest and largest finite values of vs, and
// false when there is none.
func finiteRange(vs []float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi, lo <= hi
}

// lineStyle styles a line series and hides its per-point symbols.
func lineStyle(color string, width float32, dashed bool) ec.SeriesOpts {
	return func(s *ec.SingleSeries) {
		s.ShowSymbol = opts.Bool(false)
		s.Symbol = "none"
		t := ""
		if dashed {
			t = "dashed"
		}
		s.LineStyle = &opts.LineStyle{Color: color, Width: width, Type: t}
		if color != "" {
			s.ItemStyle = &opts.ItemStyle{Color: color}
		}
	}
}
