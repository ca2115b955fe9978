package compare

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/lossplayground/playground/i18n"
)

// Palette is the colour set of a theme. Options carry their colours, so a
// chart saved as an image looks like the page it came from.
type Palette struct {
	Background, Text, Subtext, Axis, Split string
	// Loss maps a loss (or curve) name to its colour: the same on every
	// chart of a page, so a student follows one loss by its colour.
	Loss map[string]string
}

var (
	lightPalette = Palette{
		Background: "#ffffff", Text: "#1f2328", Subtext: "#57606a", Axis: "#57606a", Split: "#e5e7eb",
		Loss: map[string]string{
			"L1Loss": "#2f6fdf", "MSELoss": "#e8590c", "SmoothL1Loss": "#2b9a66", "HuberLoss": "#c2255c",
			"CrossEntropyLoss": "#2f6fdf", "NLLLoss": "#e8590c", "BCEWithLogitsLoss": "#2b9a66", "MultiMarginLoss": "#c2255c",
			"zero-one": "#57606a", "hinge": "#c2255c", "soft margin": "#2b9a66", "logistic": "#7048e8",
			"softmax(z)": "#2f6fdf", "sigmoid(z)": "#2b9a66", "MultiMarginLoss, 2 classes": "#c2255c",
			"points": "#1f2328", "outlier": "#b3471b",
		},
	}
	darkPalette = Palette{
		Background: "#15181d", Text: "#e6e8eb", Subtext: "#a9b1ba", Axis: "#a9b1ba", Split: "#2b3139",
		Loss: map[string]string{
			"L1Loss": "#6ea8fe", "MSELoss": "#ff922b", "SmoothL1Loss": "#51cf66", "HuberLoss": "#f783ac",
			"CrossEntropyLoss": "#6ea8fe", "NLLLoss": "#ff922b", "BCEWithLogitsLoss": "#51cf66", "MultiMarginLoss": "#f783ac",
			"zero-one": "#a9b1ba", "hinge": "#f783ac", "soft margin": "#51cf66", "logistic": "#b197fc",
			"softmax(z)": "#6ea8fe", "sigmoid(z)": "#51cf66", "MultiMarginLoss, 2 classes": "#f783ac",
			"points": "#e6e8eb", "outlier": "#ff9a6b",
		},
	}
)

// PaletteFor returns the palette of theme "light" or "dark" (anything else
// is light).
func PaletteFor(theme string) *Palette {
	if theme == "dark" {
		return &darkPalette
	}
	return &lightPalette
}

// Color returns the colour of a named series.
func (p *Palette) Color(name string) string {
	if c, ok := p.Loss[name]; ok {
		return c
	}
	return p.Text
}

// series is one curve, bar set or point set of a chart.
type series struct {
	name   string
	kind   string // "line", "bar" or "scatter"
	data   any    // [][2]float64 for line and scatter, []float64 for bar
	dashed bool
	width  float32
	step   bool // draw as a step function (zero-one loss)
	id     string
	size   int // scatter symbol size
	// color names the series' colour in the palette when the name shown
	// is a translation; empty means the name itself.
	color string
}

// chart is what an option is built from.
type chart struct {
	lang            string // the language of the toolbox's words
	title, subtitle string
	xName, yName    string
	categories      []string // bar charts: the x categories
	xMin, xMax      *float64
	yMin, yMax      *float64
	ySplit          int // y intervals, when yMin and yMax are given
	series          []series
}

func ptr(v float64) *float64 { return &v }

// option encodes c as an ECharts option object with go-echarts.
func (c *chart) option(pal *Palette) (json.RawMessage, error) {
	for _, s := range c.series {
		if err := checkFinite(s.data); err != nil {
			return nil, fmt.Errorf("compare: chart %q, series %q: %w", c.title, s.name, err)
		}
	}
	axisLabel := &opts.AxisLabel{Color: pal.Axis}
	axisLine := &opts.AxisLine{LineStyle: &opts.LineStyle{Color: pal.Axis}}
	split := &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: pal.Split}}
	x := opts.XAxis{Type: "value", Name: c.xName, NameLocation: "middle", NameGap: 28,
		AxisLabel: axisLabel, AxisLine: axisLine, SplitLine: split}
	if c.categories != nil {
		x.Type, x.Data = "category", c.categories
	}
	if c.xMin != nil {
		x.Min, x.Max = *c.xMin, *c.xMax
	}
	// The y axis name sits beside the axis, rotated, clear of the subtitle.
	y := opts.YAxis{Type: "value", Name: c.yName, NameLocation: "middle", NameGap: 40, SplitNumber: c.ySplit,
		AxisLabel: axisLabel, AxisLine: axisLine, SplitLine: split}
	if c.yMin != nil {
		y.Min = *c.yMin
	}
	if c.yMax != nil {
		y.Max = *c.yMax
	}
	line := ec.NewLine()
	line.SetGlobalOptions(
		ec.WithInitializationOpts(opts.Initialization{BackgroundColor: pal.Background}),
		ec.WithAnimation(false), // live updates draw at once
		ec.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		ec.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom", TextStyle: &opts.TextStyle{Color: pal.Text}}),
		ec.WithGridOpts(opts.Grid{Left: "36", Right: "16", Top: "64", Bottom: "64", ContainLabel: opts.Bool(true)}),
		ec.WithTitleOpts(opts.Title{Title: c.title, Subtitle: c.subtitle, Left: "center",
			TitleStyle:    &opts.TextStyle{Color: pal.Text, FontSize: 15},
			SubtitleStyle: &opts.TextStyle{Color: pal.Subtext, FontSize: 12}}),
		// A doc writer saves any chart as a PNG in the page's palette.
		ec.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(true), Right: "8", Feature: &opts.ToolBoxFeature{
			SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Title: i18n.T(c.lang, "ch.saveImage"), Name: c.fileName()},
		}}),
		ec.WithColorsOpts(opts.Colors(pal.series())),
		ec.WithXAxisOpts(x),
		ec.WithYAxisOpts(y),
	)
	if c.categories != nil {
		line.SetXAxis(c.categories) // Validate copies these into the x axis
	}
	for _, s := range c.series {
		key := s.name
		if s.color != "" {
			key = s.color
		}
		col := pal.Color(key)
		ss := ec.SingleSeries{Name: s.name, Type: s.kind, Id: s.id, Data: s.data}
		ss.ItemStyle = &opts.ItemStyle{Color: col}
		switch s.kind {
		case "line":
			w := s.width
			if w == 0 {
				w = 2
			}
			typ := "solid"
			if s.dashed {
				typ = "dashed"
			}
			ss.ShowSymbol = opts.Bool(false)
			ss.LineStyle = &opts.LineStyle{Color: col, Width: w, Type: typ}
			if s.step {
				ss.Step = "end"
			}
		case "scatter":
			if s.size > 0 {
				ss.SymbolSize = s.size
			}
		}
		line.MultiSeries = append(line.MultiSeries, ss)
	}
	line.Validate()
	return json.Marshal(line.JSON())
}

// checkFinite refuses NaN and ±Inf, which JSON cannot carry.
func checkFinite(data any) error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch d := data.(type) {
	case []float64:
		for i, v := range d {
			if bad(v) {
				return fmt.Errorf("value %d is %v", i, v)
			}
		}
	case [][2]float64:
		for i, p := range d {
			if bad(p[0]) || bad(p[1]) {
				return fmt.Errorf("point %d is (%v, %v)", i, p[0], p[1])
			}
		}
	}
	return nil
}

// pairs zips xs and ys into chart points.
func pairs(xs, ys []float64) [][2]float64 {
	out := make([][2]float64, len(xs))
	for i := range xs {
		out[i] = [2]float64{xs[i], ys[i]}
	}
	return out
}

// grid returns n evenly spaced values from lo to hi inclusive.
func grid(lo, hi float64, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return xs
}

// fileName is the saved image's name: "loss-playground-" and the title in
// lower-case words joined by dashes.
func (c *chart) fileName() string {
	var b strings.Builder
	b.WriteString("loss-playground")
	dash := true
	for _, r := range strings.ToLower(c.title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// series returns the palette's colours in a stable order, for anything
// drawn without an explicit colour.
func (p *Palette) series() []string {
	return []string{p.Loss["L1Loss"], p.Loss["MSELoss"], p.Loss["SmoothL1Loss"], p.Loss["HuberLoss"], p.Loss["logistic"]}
}

// DarkOf maps every colour of the light palette to its dark counterpart,
// as charts.DarkOf does for the loss pages' charts.
func DarkOf() map[string]string {
	l, d := &lightPalette, &darkPalette
	m := map[string]string{l.Background: d.Background, l.Text: d.Text, l.Subtext: d.Subtext, l.Axis: d.Axis, l.Split: d.Split}
	for name, c := range l.Loss {
		m[c] = d.Loss[name]
	}
	return m
}
