// Package charts builds the ECharts option objects for a loss page with
// go-echarts: loss and gradient curves, per-element views, family views and
// the CTC lattice. It returns JSON for echarts.setOption; it never renders
// HTML (go-echarts' renderer loads from a CDN).
//
// Every option is plain JSON (no JavaScript functions), so it can travel
// over the WebSocket, and every non-finite number is written as null, which
// ECharts draws as a gap.
package charts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// View holds the page's chart settings, carried in the URL and in
// WebSocket compute messages.
type View struct {
	Element int    `json:"element"`           // flat index of the element whose curve is drawn
	Overlay bool   `json:"overlay,omitempty"` // overlay related losses on the curve
	Lattice string `json:"lattice,omitempty"` // CTC: alpha, beta, occupancy or gradient
	Theme   string `json:"theme,omitempty"`   // light or dark
	// Lang is the language of titles, axis names and legends: "en" (or
	// empty) or "zh".
	Lang string `json:"lang,omitempty"`
}

// Chart ids, the keys of Build's result.
const (
	ChartCurve    = "curve"    // loss of one element and its derivative over a sweep
	ChartElements = "elements" // unreduced loss per element
	ChartGradient = "gradient" // gradient of the first differentiable input
	ChartFamily   = "family"   // the loss family's own picture
	ChartLattice  = "lattice"  // CTC alignment lattice
)

// Validate checks the view settings, naming the offending field. An
// element beyond the input is not an error: Build clamps it.
func (v *View) Validate() error {
	if v.Element < 0 {
		return engine.Errorf("view.element", "must be a non-negative integer, got %d", v.Element)
	}
	switch v.Lattice {
	case "", "alpha", "beta", "occupancy", "gradient":
	default:
		return engine.Errorf("view.lattice", `must be one of "alpha", "beta", "occupancy", "gradient", got %s`, quoteShort(v.Lattice))
	}
	switch v.Theme {
	case "", "light", "dark":
	default:
		return engine.Errorf("view.theme", `must be "light" or "dark", got %s`, quoteShort(v.Theme))
	}
	if v.Lang != "" && !slices.Contains(i18n.Languages, v.Lang) {
		return engine.Errorf("view.lang", `must be "en" or "zh", got %q`, v.Lang)
	}
	return nil
}

// Build returns the chart options for a computed call, keyed by chart id:
// "curve", "elements" and "gradient" for every loss with a differentiable
// input, "family" where the loss's family has a picture of its own, and
// "lattice" for CTC. A chart a call cannot have is absent.
func Build(c *engine.Call, res *engine.Result, v View) (map[string]json.RawMessage, error) {
	return BuildContext(context.Background(), c, res, v)
}

// BuildContext is Build that gives up, returning an error wrapping
// context.Cause(ctx), when ctx is done: the curve recomputes the whole
// call at every sweep point, and the lattice may recompute it with detail.
func BuildContext(ctx context.Context, c *engine.Call, res *engine.Result, v View) (map[string]json.RawMessage, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, 4)
	if c == nil || res == nil {
		return out, nil
	}
	pal := paletteFor(v.Theme, v.Lang)
	builders := []struct {
		id    string
		build func(*engine.Call, *engine.Result, View, *palette) (json.RawMessage, error)
	}{
		{ChartCurve, func(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
			return buildCurve(ctx, c, res, v, pal)
		}},
		{ChartElements, buildElements},
		{ChartGradient, buildGradient},
		{ChartFamily, buildFamily},
	}
	for _, b := range builders {
		o, err := b.build(c, res, v, pal)
		if err == nil && ctx.Err() != nil {
			// A sweep that gave up drew gaps: the chart is not the call's.
			err = context.Cause(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("charts: %s of %s: %w", b.id, c.Spec.Name, err)
		}
		if o != nil {
			out[b.id] = o
		}
	}
	if hasLattice(c.Spec, res) {
		o, err := buildLattice(ctx, c, res, v, pal)
		if err != nil {
			return nil, fmt.Errorf("charts: lattice of %s: %w", c.Spec.Name, err)
		}
		if o != nil {
			out[ChartLattice] = o
		}
	}
	return out, nil
}

// thumbnailPoints is the sweep size of a catalog thumbnail.
const thumbnailPoints = 41

var thumbnails sync.Map // *engine.Spec → json.RawMessage

// Thumbnail returns a tiny curve for the catalog: the loss of the first
// element of the spec's example inputs as it sweeps, with no title,
// toolbox or axis names. Thumbnails are computed once per loss.
func Thumbnail(spec *engine.Spec) (json.RawMessage, error) {
	if t, ok := thumbnails.Load(spec); ok {
		return t.(json.RawMessage), nil
	}
	inputs := make(map[string]*engine.Tensor, len(spec.Inputs))
	for _, in := range spec.Inputs {
		b, err := json.Marshal(in.Example)
		if err != nil {
			return nil, fmt.Errorf("charts: thumbnail of %s: example %s: %w", spec.Name, in.Name, err)
		}
		t, err := engine.ParseTensor(b)
		if err != nil {
			return nil, fmt.Errorf("charts: thumbnail of %s: example %s: %w", spec.Name, in.Name, err)
		}
		inputs[in.Name] = t
	}
	c, err := engine.NewCall(spec, nil, inputs)
	if err != nil {
		return nil, fmt.Errorf("charts: thumbnail of %s: %w", spec.Name, err)
	}
	res, err := c.Compute()
	if err != nil {
		return nil, fmt.Errorf("charts: thumbnail of %s: %w", spec.Name, err)
	}
	cs, err := sweepCall(context.Background(), c, res, 0, thumbnailPoints)
	if err != nil {
		return nil, fmt.Errorf("charts: thumbnail of %s: %w", spec.Name, err)
	}
	pal := paletteFor("light", "")
	f := &frame{pal: pal, thumb: true, trigger: "none"}
	line := ec.NewLine()
	line.SetGlobalOptions(f.globals()...)
	line.SetGlobalOptions(ec.WithXAxisOpts(f.xAxis("value")), ec.WithYAxisOpts(f.yAxis("value", "")))
	line.XAxisList[0].SplitLine = f.splitLine(false)
	line.YAxisList[0].SplitLine = f.splitLine(false)
	if cs != nil && len(cs.xs) > 0 {
		s := rawSeries(types.ChartLine, spec.Name, appendPairs(nil, cs.xs, cs.ys))
		lineStyle(pal.series[0], 2, false)(&s)
		line.MultiSeries = append(line.MultiSeries, s)
	}
	o, err := finish(line, &line.MultiSeries, &optionExtras{pal: pal})
	if err != nil {
		return nil, fmt.Errorf("charts: thumbnail of %s: %w", spec.Name, err)
	}
	thumbnails.Store(spec, o)
	return o, nil
}

// maxQuoted bounds how much of a view setting an error message repeats:
// the message is shown on the page, and a value can be a megabyte long.
const maxQuoted = 64

// quoteShort quotes v, cut to maxQuoted bytes with an ellipsis.
func quoteShort(v string) string {
	if len(v) > maxQuoted {
		return strconv.Quote(strings.ToValidUTF8(v[:maxQuoted], "")) + "…"
	}
	return strconv.Quote(v)
}
