package charts

import (
	"encoding/json"
	"fmt"
	"strconv"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/lossplayground/playground/engine"
)

// Layout limits of the per-element views.
const (
	barsMax         = 512 // 1-D tensors up to this length are bars
	groupedRowsMax  = 8   // 2-D tensors with at most this many rows...
	groupedNumelMax = 64  // ...and elements are grouped bars, one series per row
	heatSideMax     = 64  // heatmaps show at most this many rows and columns
)

// tensorView describes a per-element chart of one tensor.
type tensorView struct {
	title, subtitle string
	valueName       string // y axis (bars) or colour (heatmap) name
	diverging       bool   // signed data: symmetric diverging colours
	highlight       int    // flat index drawn outlined (the chosen element), or -1
}

// buildTensor draws t as bars (0-d, 1-D, small 2-D) or a heatmap.
func buildTensor(t *engine.Tensor, tv tensorView, pal *palette) (json.RawMessage, error) {
	rows, cols := 1, t.Numel()
	switch {
	case t.Dim() == 0:
	case t.Dim() == 1:
		cols = t.Shape[0]
	default:
		rows = t.Shape[0]
		if rows > 0 {
			cols = t.Numel() / rows
		}
	}
	switch {
	case t.Dim() <= 1 && cols <= barsMax:
		return tensorBars(t, tv, pal, 1, cols)
	case t.Dim() == 2 && rows <= groupedRowsMax && t.Numel() <= groupedNumelMax:
		return tensorBars(t, tv, pal, rows, cols)
	}
	return tensorHeatmap(t, tv, pal, rows, cols)
}

// tensorBars draws rows×cols values as bars: one series per row, the
// column on the x axis.
func tensorBars(t *engine.Tensor, tv tensorView, pal *palette, rows, cols int) (json.RawMessage, error) {
	xName := pal.t("ch.element")
	if rows > 1 {
		xName = pal.t("ch.column")
	}
	f := &frame{title: tv.title, subtitle: tv.subtitle, xName: xName, trigger: "axis", pal: pal, legend: rows > 1}
	bar := ec.NewBar()
	bar.SetGlobalOptions(f.globals()...)
	bar.SetGlobalOptions(ec.WithXAxisOpts(f.xAxis("category")), ec.WithYAxisOpts(f.yAxis("value", tv.valueName)))
	cats := make([]string, cols)
	for j := range cats {
		cats[j] = strconv.Itoa(j)
	}
	if t.Dim() == 0 {
		cats = []string{tv.valueName}
	}
	bar.SetXAxis(cats)
	buf := make([]byte, 0, 24*t.Numel()+64)
	for i := range rows {
		buf = buf[:0]
		buf = append(buf, '[')
		for j := range cols {
			if j > 0 {
				buf = append(buf, ',')
			}
			k := i*cols + j
			if k == tv.highlight {
				buf = append(buf, `{"value":`...)
				buf = appendNum(buf, t.Data[k])
				// Outlined in the text colour: distinct from every row's colour.
				buf = append(buf, `,"itemStyle":{"borderColor":"`...)
				buf = append(buf, pal.text...)
				buf = append(buf, `","borderWidth":2.5,"borderType":"solid"}}`...)
				continue
			}
			buf = appendNum(buf, t.Data[k])
		}
		buf = append(buf, ']')
		name := tv.valueName
		if rows > 1 {
			name = pal.t("ch.row", i)
		}
		s := rawSeries(types.ChartBar, name, append([]byte(nil), buf...))
		if rows == 1 {
			s.ItemStyle = nil
		}
		bar.MultiSeries = append(bar.MultiSeries, s)
	}
	return finish(bar, &bar.MultiSeries, &optionExtras{pal: pal})
}

// tensorHeatmap draws rows×cols values (the first heatSideMax of each) as a
// heatmap, rows top to bottom.
func tensorHeatmap(t *engine.Tensor, tv tensorView, pal *palette, rows, cols int) (json.RawMessage, error) {
	r, c := min(rows, heatSideMax), min(cols, heatSideMax)
	sub := tv.subtitle
	if r < rows || c < cols {
		sub += fmt.Sprintf(" · showing the first %d×%d of %d×%d", r, c, rows, cols)
	}
	f := &frame{title: tv.title, subtitle: sub, xName: pal.t("ch.column"), trigger: "item", pal: pal}
	hm := ec.NewHeatMap()
	hm.SetGlobalOptions(f.globals()...)
	xa, ya := f.xAxis("category"), f.yAxis("category", pal.t("ch.rowAxis"))
	ya.Inverse = boolPtr(true)
	hm.SetGlobalOptions(ec.WithXAxisOpts(xa), ec.WithYAxisOpts(ya))
	hm.XAxisList[0].Data = indexLabels(c) // HeatMap.Validate does not copy SetXAxis data
	hm.YAxisList[0].Data = indexLabels(r)
	vals := make([]float64, 0, r*c)
	buf := make([]byte, 0, 24*r*c+64)
	buf = append(buf, '[')
	for i := range r {
		for j := range c {
			v := t.Data[i*cols+j]
			vals = append(vals, v)
			if len(buf) > 1 {
				buf = append(buf, ',')
			}
			buf = append(buf, '[')
			buf = strconv.AppendInt(buf, int64(j), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(i), 10)
			buf = append(buf, ',')
			buf = appendNum(buf, v)
			buf = append(buf, ']')
		}
	}
	buf = append(buf, ']')
	cells := rawSeries(types.ChartHeatMap, tv.valueName, buf)
	if tv.highlight >= 0 && cols > 0 {
		if i, j := tv.highlight/cols, tv.highlight%cols; i < r && j < c {
			cells.MarkPoints = &opts.MarkPoints{Data: []any{opts.MarkPointNameCoordItem{
				Name: pal.t("ch.chosen"), Coordinate: []any{j, i}, Symbol: "circle", SymbolSize: 10,
				ItemStyle: &opts.ItemStyle{Color: pal.text}, Label: &opts.Label{Show: opts.Bool(false)}}}}
		}
	}
	hm.MultiSeries = append(hm.MultiSeries, cells)
	lo, hi, _ := finiteRange(vals)
	return finish(hm, &hm.MultiSeries, &optionExtras{pal: pal, visualMap: f.newVisualMap(lo, hi, tv.diverging)})
}

func indexLabels(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}

func boolPtr(b bool) *bool { return &b }

// buildElements draws the unreduced loss, highlighting the term of the
// chosen element.
func buildElements(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	el := res.Elements
	if el == nil {
		return nil, nil
	}
	hl := -1
	if di := firstDifferentiable(c.Spec); di >= 0 {
		x := c.Input(c.Spec.Inputs[di].Name)
		if x.Numel() > 0 {
			if js := termsOf(x.Shape, el.Shape, clampElement(v.Element, x.Numel())); len(js) == 1 {
				hl = js[0]
			}
		}
	}
	return buildTensor(el, tensorView{
		title:     pal.t("ch.elements.title", c.Spec.Name),
		subtitle:  pal.t("ch.elements.sub", indexString(el.Shape), c.Reduction(), lossSummary(res, pal)),
		valueName: "ℓ",
		highlight: hl,
	}, pal)
}

// buildGradient draws the gradient of the reduced loss with respect to the
// first differentiable input.
func buildGradient(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	di := firstDifferentiable(c.Spec)
	if di < 0 {
		return nil, nil
	}
	name := c.Spec.Inputs[di].Name
	g := res.Grads[name]
	if g == nil {
		return nil, nil
	}
	hl := -1
	if g.Numel() > 0 {
		hl = clampElement(v.Element, g.Numel())
	}
	return buildTensor(g, tensorView{
		title:     pal.t("ch.gradient.title", c.Spec.Name, name),
		subtitle:  pal.t("ch.gradient.sub", c.Reduction(), indexString(g.Shape)),
		valueName: "∂L/∂" + name,
		diverging: true,
		highlight: hl,
	}, pal)
}

// lossSummary formats the reduced loss for a subtitle.
func lossSummary(res *engine.Result, pal *palette) string {
	if res.Loss == nil {
		return "?"
	}
	if res.Loss.Dim() == 0 {
		return fmtShort(res.Loss.Data[0])
	}
	return pal.t("ch.tensorOfShape", indexString(res.Loss.Shape))
}
