package charts

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/lossplayground/playground/engine"
)

// latticeEdgesMax bounds the lattice size (frames × states) for which
// the allowed transitions are drawn; beyond it they would be a grey mat.
const latticeEdgesMax = 6000

// hasLattice reports whether spec documents a CTC lattice in its detail.
func hasLattice(spec *engine.Spec, res *engine.Result) bool {
	if _, ok := spec.DetailFields["lattice"]; ok {
		return true
	}
	_, ok := res.Detail["lattice"]
	return ok
}

// latticesOf returns detail.lattice, the engine's []engine.CTCLattice.
// Without detail it recomputes the call with detail on.
func latticesOf(ctx context.Context, c *engine.Call, res *engine.Result) ([]engine.CTCLattice, error) {
	d, ok := res.Detail["lattice"]
	if !ok {
		cc := *c
		cc.Detail = true
		var r engine.Result
		if err := cc.ComputeContext(ctx, &r); err != nil {
			return nil, err
		}
		if d, ok = r.Detail["lattice"]; !ok {
			return nil, nil
		}
	}
	ls, ok := d.([]engine.CTCLattice)
	if !ok {
		return nil, fmt.Errorf("charts: detail.lattice is a %T; want []engine.CTCLattice", d)
	}
	return ls, nil
}

// classLabel names class c: "∅" for the blank, letters a, b, … for the
// others in order when there are at most 26 of them, else the class id.
func classLabel(c, blank, classes int) string {
	if c == blank {
		return "∅"
	}
	if classes > 0 && classes <= 27 && c >= 0 {
		r := c
		if c > blank {
			r--
		}
		return string(rune('a' + r))
	}
	return strconv.Itoa(c)
}

// latticeSample returns the sample whose lattice is drawn: the one that
// holds the chosen element of log_probs, (T, N, C) or unbatched (T, C).
func latticeSample(c *engine.Call, element, n int) int {
	di := firstDifferentiable(c.Spec)
	if di < 0 || n == 0 {
		return 0
	}
	x := c.Input(c.Spec.Inputs[di].Name)
	if x.Dim() != 3 || x.Numel() == 0 {
		return 0
	}
	k := clampElement(element, x.Numel())
	return min((k/x.Shape[2])%x.Shape[1], n-1)
}

// buildLattice draws the CTC alignment lattice of one sample: time on x,
// the extended label sequence on y, coloured by v.Lattice (alpha, beta,
// occupancy, or the per-class gradient), with the allowed transitions,
// the Viterbi path, and infeasible states greyed.
func buildLattice(ctx context.Context, c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	ls, err := latticesOf(ctx, c, res)
	if err != nil || len(ls) == 0 {
		return nil, err
	}
	n := latticeSample(c, v.Element, len(ls))
	return drawLattice(c, &ls[n], n, v, pal)
}

func drawLattice(c *engine.Call, l *engine.CTCLattice, n int, v View, pal *palette) (json.RawMessage, error) {
	blank, classes := 0, 0
	if c.Spec.Param("blank") != nil {
		blank = c.Int("blank")
	}
	if di := firstDifferentiable(c.Spec); di >= 0 {
		if x := c.Input(c.Spec.Inputs[di].Name); x.Dim() > 0 {
			classes = x.Shape[x.Dim()-1]
		}
	}
	if l.Grad != nil && l.Grad.Dim() == 2 {
		classes = l.Grad.Shape[1]
	}

	mode := v.Lattice
	var m *engine.Tensor
	var what string
	switch mode {
	case "beta":
		m, what = l.LogBeta, pal.t("ch.lattice.beta")
	case "occupancy":
		m, what = l.Occupancy, pal.t("ch.lattice.occupancy")
	case "gradient":
		m, what = l.Grad, pal.t("ch.lattice.gradient")
	default:
		mode, m, what = "alpha", l.LogAlpha, pal.t("ch.lattice.alpha")
	}
	if m == nil || m.Dim() != 2 {
		return nil, fmt.Errorf("charts: detail.lattice[%d] has no 2-D %s", n, mode)
	}
	frames, rows := m.Shape[0], m.Shape[1]

	// Row labels: extended states, or classes for the gradient.
	ylabels := make([]string, rows)
	for s := range rows {
		if mode == "gradient" {
			ylabels[s] = classLabel(s, blank, classes)
		} else if s < len(l.Extended) {
			ylabels[s] = strconv.Itoa(s) + " " + classLabel(l.Extended[s], blank, classes)
		} else {
			ylabels[s] = strconv.Itoa(s)
		}
	}
	target := make([]byte, 0, len(l.Extended))
	for s := 1; s < len(l.Extended); s += 2 {
		target = append(target, classLabel(l.Extended[s], blank, classes)...)
	}

	feasible := func(t, s int) bool {
		if mode == "gradient" || t >= len(l.Feasible) || s >= len(l.Feasible[t]) {
			return true
		}
		return l.Feasible[t][s]
	}

	sub := pal.t("ch.lattice.sub",
		n, l.InputLength, target, fmtShort(float64(l.LogLikelihood)), fmtShort(float64(l.ViterbiLogProb)))
	yName := pal.t("ch.lattice.extended")
	if mode == "gradient" {
		yName = pal.t("ch.lattice.class")
	}
	f := &frame{title: pal.t("ch.lattice.title", c.Spec.Name, what), subtitle: sub, xName: pal.t("ch.lattice.time"),
		trigger: "item", pal: pal, legend: true}

	hm := ec.NewHeatMap()
	hm.SetGlobalOptions(f.globals()...)
	hm.SetGlobalOptions(ec.WithXAxisOpts(f.xAxis("category")), ec.WithYAxisOpts(f.yAxis("category", yName)))
	hm.XAxisList[0].Data = indexLabels(frames) // HeatMap.Validate does not copy SetXAxis data
	hm.YAxisList[0].Data = ylabels

	vals := make([]float64, 0, frames*rows)
	cells := make([]byte, 0, 20*frames*rows+2)
	grey := make([]byte, 0, 64)
	cells, grey = append(cells, '['), append(grey, '[')
	for t := range frames {
		for s := range rows {
			val := m.Data[t*rows+s]
			if !feasible(t, s) {
				if len(grey) > 1 {
					grey = append(grey, ',')
				}
				grey = appendCell(grey, t, s, 0)
				continue
			}
			if len(cells) > 1 {
				cells = append(cells, ',')
			}
			cells = appendCell(cells, t, s, val)
			vals = append(vals, val)
		}
	}
	cells, grey = append(cells, ']'), append(grey, ']')
	main := rawSeries(types.ChartHeatMap, what, cells)
	greyed := rawSeries(types.ChartHeatMap, pal.t("ch.lattice.infeasible"), grey)
	greyed.ItemStyle = &opts.ItemStyle{Color: pal.infeasible}
	hm.MultiSeries = append(hm.MultiSeries, main, greyed)

	if mode != "gradient" {
		if frames*rows <= latticeEdgesMax {
			for i, e := range latticeEdges(l, frames, rows, feasible) {
				s := rawSeries(types.ChartLine, pal.t("ch.lattice.edge."+strconv.Itoa(i)), e.data)
				s.ShowSymbol, s.Symbol = opts.Bool(false), "none"
				s.LineStyle = &opts.LineStyle{Color: pal.series[(i+2)%len(pal.series)], Width: 1, Opacity: opts.Float(0.45)}
				s.ItemStyle = &opts.ItemStyle{Color: pal.series[(i+2)%len(pal.series)]}
				hm.MultiSeries = append(hm.MultiSeries, s)
			}
		} else {
			hm.Title.Subtitle += " · " + pal.t("ch.lattice.noEdges")
		}
	}
	if len(l.ViterbiPath) > 0 {
		p := make([]byte, 0, 12*len(l.ViterbiPath)+2)
		p = append(p, '[')
		for t, s := range l.ViterbiPath {
			if mode == "gradient" {
				if s < 0 || s >= len(l.Extended) {
					continue
				}
				s = l.Extended[s]
			}
			if t >= frames || s < 0 || s >= rows {
				continue
			}
			if len(p) > 1 {
				p = append(p, ',')
			}
			p = append(p, '[')
			p = strconv.AppendInt(p, int64(t), 10)
			p = append(p, ',')
			p = strconv.AppendInt(p, int64(s), 10)
			p = append(p, ']')
		}
		p = append(p, ']')
		vs := rawSeries(types.ChartLine, pal.t("ch.lattice.viterbi"), p)
		vs.Symbol, vs.SymbolSize = "circle", 6
		vs.LineStyle = &opts.LineStyle{Color: pal.series[3], Width: 3}
		vs.ItemStyle = &opts.ItemStyle{Color: pal.series[3]}
		hm.MultiSeries = append(hm.MultiSeries, vs)
	}
	lo, hi, _ := finiteRange(vals)
	vm := f.newVisualMap(lo, hi, mode == "gradient", 0)
	if mode == "occupancy" {
		vm.Min, vm.Max = appendNum(nil, 0), appendNum(nil, 1)
	}
	return finish(hm, &hm.MultiSeries, &optionExtras{pal: pal, visualMap: vm})
}

// appendCell appends a heatmap cell [t, s, v].
func appendCell(b []byte, t, s int, v float64) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(t), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s), 10)
	b = append(b, ',')
	b = appendNum(b, v)
	return append(b, ']')
}

type edgeSeries struct {
	name string
	data []byte
}

// latticeEdges returns the allowed transitions between feasible states
// (between all states when none is feasible) as three line series, stay
// (s → s), step (s−1 → s) and skip (s−2 → s, where allowed), each segment
// separated by "-" so that ECharts draws them apart.
func latticeEdges(l *engine.CTCLattice, frames, rows int, feasible func(t, s int) bool) []edgeSeries {
	any := false
	for t := range frames {
		for s := range rows {
			if feasible(t, s) {
				any = true
			}
		}
	}
	ok := func(t, s int) bool { return !any || feasible(t, s) }
	edges := []edgeSeries{{name: "stay s→s"}, {name: "step s−1→s"}, {name: "skip s−2→s"}}
	for i := range edges {
		edges[i].data = append(make([]byte, 0, 16*frames*rows), '[')
	}
	add := func(e *edgeSeries, t, from, to int) {
		if len(e.data) > 1 {
			e.data = append(e.data, `,"-",`...)
		}
		e.data = append(e.data, '[')
		e.data = strconv.AppendInt(e.data, int64(t), 10)
		e.data = append(e.data, ',')
		e.data = strconv.AppendInt(e.data, int64(from), 10)
		e.data = append(e.data, "],["...)
		e.data = strconv.AppendInt(e.data, int64(t+1), 10)
		e.data = append(e.data, ',')
		e.data = strconv.AppendInt(e.data, int64(to), 10)
		e.data = append(e.data, ']')
	}
	for t := 0; t+1 < frames; t++ {
		for s := range rows {
			if !ok(t+1, s) {
				continue
			}
			if ok(t, s) {
				add(&edges[0], t, s, s)
			}
			if s >= 1 && ok(t, s-1) {
				add(&edges[1], t, s-1, s)
			}
			if s >= 2 && s < len(l.SkipAllowed) && l.SkipAllowed[s] && ok(t, s-2) {
				add(&edges[2], t, s-2, s)
			}
		}
	}
	for i := range edges {
		edges[i].data = append(edges[i].data, ']')
	}
	return edges
}
