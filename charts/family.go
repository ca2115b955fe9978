package charts

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/lossplayground/playground/engine"
)

// familyRowsMax and familyBarsMax bound the class-probability view: all
// rows when they fit, else the chosen row only.
const (
	familyRowsMax   = 6
	familyBarsMax   = 48
	familyPointsMax = 16   // samples drawn in the plane views
	elementsMax     = 1000 // elements drawn as points (the first ones)
	curveSamples    = 121
)

// familyKind is the family view a loss gets, chosen from its metadata:
// input names and roles, parameters, family, and the shapes of the call.
type familyKind int

const (
	familyNone     familyKind = iota
	familyProbs               // class probabilities against the target, per row (CrossEntropy, NLL, multi-label)
	familySigmoid             // σ and both log terms (BCE, BCEWithLogits)
	familyDists               // two distributions side by side (KLDiv)
	familyTriplet             // anchor, positive, negative in the plane
	familyCosine              // two vectors and the cosine margin cone
	familyRanking             // (x1, x2) pairs and the margin band
	familyMargin1D            // elements against y·x (or x) with the margin
	familyScores              // one row's class scores with the margin line (multi-class margins)
)

func hasInputs(spec *engine.Spec, names ...string) bool {
	for _, n := range names {
		if spec.Input(n) == nil {
			return false
		}
	}
	return true
}

// familyOf picks the family view for a call.
func familyOf(c *engine.Call, res *engine.Result) familyKind {
	spec := c.Spec
	if res.Elements == nil || hasLattice(spec, res) {
		return familyNone
	}
	switch {
	case hasInputs(spec, "anchor", "positive", "negative"):
		return familyTriplet
	case hasInputs(spec, "input1", "input2"):
		x := c.Input("input1")
		if x.Dim() >= 1 && x.Shape[x.Dim()-1] >= 2 && res.Elements.Numel() < x.Numel() {
			return familyCosine
		}
		return familyRanking
	case spec.Param("log_target") != nil && hasInputs(spec, "input", "target"):
		return familyDists
	}
	if !hasInputs(spec, "input", "target") {
		return familyNone
	}
	x := c.Input("input")
	if x.Numel() == 0 {
		return familyNone
	}
	elementwise := slices.Equal(res.Elements.Shape, x.Shape)
	switch spec.Family {
	case engine.FamilyClassification:
		if elementwise {
			return familySigmoid
		}
		return familyProbs
	case engine.FamilyMargin:
		if elementwise {
			return familyMargin1D
		}
		return familyScores
	}
	return familyNone
}

// buildFamily draws the family view of a call, or nothing.
func buildFamily(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	switch familyOf(c, res) {
	case familyProbs:
		return buildProbs(c, res, v, pal)
	case familySigmoid:
		return buildSigmoid(c, res, pal)
	case familyDists:
		return buildDists(c, res, v, pal)
	case familyTriplet:
		return buildTriplet(c, res, v, pal)
	case familyCosine:
		return buildCosine(c, res, v, pal)
	case familyRanking:
		return buildRanking(c, res, pal)
	case familyMargin1D:
		return buildMargin1D(c, res, pal)
	case familyScores:
		return buildScores(c, res, v, pal)
	}
	return nil, nil
}

// detailTensor returns the detail tensor stored under the first of keys
// that holds a tensor of the given shape. Losses are written in parallel:
// a missing or differently named key is not an error.
func detailTensor(res *engine.Result, shape []int, keys ...string) *engine.Tensor {
	for _, k := range keys {
		if t, ok := res.Detail[k].(*engine.Tensor); ok && t != nil && slices.Equal(t.Shape, shape) {
			return t
		}
	}
	return nil
}

// classGeometry splits a classification input (N, C, d1, ...) or (C) into
// rows (positions N·d1·…) of C classes with a stride between classes.
type classGeometry struct {
	rows, classes, inner int
}

func classGeom(x *engine.Tensor) classGeometry {
	switch x.Dim() {
	case 0:
		return classGeometry{1, 1, 1}
	case 1:
		return classGeometry{1, x.Shape[0], 1}
	}
	inner := 1
	for _, d := range x.Shape[2:] {
		inner *= d
	}
	return classGeometry{x.Shape[0] * inner, x.Shape[1], inner}
}

// at returns the flat index of class cl of row r.
func (g classGeometry) at(r, cl int) int {
	n, i := r/g.inner, r%g.inner
	return (n*g.classes+cl)*g.inner + i
}

// rowsToShow returns the rows a per-row view draws: all of them when
// they fit, else the row of the chosen element.
func rowsToShow(g classGeometry, x *engine.Tensor, element int) []int {
	if g.rows <= familyRowsMax && g.rows*g.classes <= familyBarsMax {
		rs := make([]int, g.rows)
		for i := range rs {
			rs[i] = i
		}
		return rs
	}
	return []int{chosenRow(g, x, element)}
}

// chosenRow returns the row (position n·d1·…) of the chosen element of a
// classification input.
func chosenRow(g classGeometry, x *engine.Tensor, element int) int {
	if x.Dim() < 2 || x.Numel() == 0 {
		return 0
	}
	idx := unravel(clampElement(element, x.Numel()), x.Shape)
	r := idx[0] * g.inner
	if g.inner > 1 {
		r += ravel(idx[2:], x.Shape[2:])
	}
	return r
}

// buildProbs draws the predicted class probabilities against the target,
// per row: softmax of logits (CrossEntropy), exp of log-probabilities
// (NLL) or the sigmoid per class (multi-label), from detail when the loss
// provides them.
func buildProbs(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	spec := c.Spec
	x, y := c.Input("input"), c.Input("target")
	g := classGeom(x)
	probs := detailTensor(res, x.Shape, "probabilities", "probs", "softmax", "sigmoid", "p")
	transform := "softmax"
	switch {
	case strings.HasPrefix(spec.Name, "NLL"):
		transform = "exp"
	case spec.Param("label_smoothing") == nil && slices.Equal(y.Shape, x.Shape):
		transform = "sigmoid"
	}
	rows := rowsToShow(g, x, v.Element)
	fromDetail := probs != nil
	if probs == nil { // only the rows drawn: a large batch costs nothing more
		probs = &engine.Tensor{Shape: x.Shape, Data: make([]float64, x.Numel())}
		row := make([]float64, g.classes)
		for _, r := range rows {
			for cl := range g.classes {
				row[cl] = x.Data[g.at(r, cl)]
			}
			if transform == "softmax" {
				engine.LogSoftmax(row, row)
			}
			for cl := range g.classes {
				p := row[cl]
				switch transform {
				case "softmax", "exp":
					p = math.Exp(p)
				case "sigmoid":
					p = engine.Sigmoid(p)
				}
				probs.Data[g.at(r, cl)] = p
			}
		}
	}
	soft := slices.Equal(y.Shape, x.Shape) // probabilities or multi-hot targets
	if td := detailTensor(res, x.Shape, "target_distribution"); td != nil {
		y, soft = td, true // the effective target, label smoothing included
	}
	cats := make([]string, 0, len(rows)*g.classes)
	pv := make([]float64, 0, cap(cats))
	tv := make([]float64, 0, cap(cats))
	ignored := 0
	for _, r := range rows {
		tc := -1
		if !soft && r < y.Numel() {
			tc = int(y.Data[r])
			if tc < 0 || tc >= g.classes {
				ignored++
			}
		}
		for cl := range g.classes {
			name := pal.t("ch.class", cl)
			if len(rows) > 1 || g.rows > 1 {
				name = pal.t("ch.rowClass", r, cl)
			}
			cats = append(cats, name)
			pv = append(pv, probs.Data[g.at(r, cl)])
			t := 0.0
			if soft {
				t = y.Data[g.at(r, cl)]
			} else if cl == tc {
				t = 1
			}
			tv = append(tv, t)
		}
	}
	sub := pal.t("ch.probs.sub", transform)
	if fromDetail {
		sub += pal.t("ch.probs.own")
	}
	if len(rows) == 1 && g.rows > 1 {
		sub += " · " + pal.t("ch.rowOf", rows[0], g.rows)
	}
	if ignored > 0 {
		sub += " · " + pal.t("ch.probs.ignored")
	}
	f := &frame{title: pal.t("ch.probs.title", spec.Name), subtitle: sub, xName: pal.t("ch.rowClassAxis"),
		trigger: "axis", pal: pal, legend: true}
	bar := ec.NewBar()
	bar.SetGlobalOptions(f.globals()...)
	xa := f.xAxis("category")
	xa.AxisLabel.Rotate = 30
	// The axis name goes below the rotated labels, and the plot's bottom
	// makes room for both and the legend: a fixed gap put the name on the
	// labels (at every width, and in the SVG image).
	drop := rotatedDrop(cats, 30)
	xa.NameGap = int(drop) + 14
	bar.SetGlobalOptions(ec.WithXAxisOpts(xa), ec.WithYAxisOpts(f.yAxis("value", pal.t("ch.probability"))),
		ec.WithGridOpts(opts.Grid{Left: "64", Right: "64", Top: "92", Bottom: strconv.Itoa(int(drop) + 56), ContainLabel: opts.Bool(true)}))
	bar.SetXAxis(cats)
	bar.MultiSeries = append(bar.MultiSeries,
		rawSeries(types.ChartBar, pal.t("ch.probs.predicted"), appendValues(nil, pv)),
		rawSeries(types.ChartBar, "target", appendValues(nil, tv)))
	return finish(bar, &bar.MultiSeries, &optionExtras{pal: pal})
}

// rotatedDrop estimates how far below the axis labels rotated by deg
// degrees reach, in pixels: ECharts' 12 px labels, Latin letters about 6.5
// px wide and Chinese ones 12, plus the label margin.
func rotatedDrop(labels []string, deg float64) float32 {
	widest := 0.0
	for _, l := range labels {
		w := 0.0
		for _, r := range l {
			if r >= 0x2e80 {
				w += 12
			} else {
				w += 6.5
			}
		}
		widest = max(widest, w)
	}
	rad := deg * math.Pi / 180
	return float32(math.Ceil(widest*math.Sin(rad) + 12*math.Cos(rad) + 8))
}

// buildSigmoid draws σ(x) and the two log terms −log p and −log(1 − p)
// over the logit (BCEWithLogits) or the probability (BCE), with every
// element's loss as a point.
func buildSigmoid(c *engine.Call, res *engine.Result, pal *palette) (json.RawMessage, error) {
	spec := c.Spec
	x := c.Input("input")
	logits := spec.Param("pos_weight") != nil || strings.Contains(spec.Name, "Logits")
	lo, hi := 0.0, 1.0
	if logits {
		a, b, ok := finiteRange(x.Data)
		if !ok {
			a, b = 0, 0
		}
		lo, hi = min(-6, a-1), max(6, b+1)
	}
	xs := make([]float64, curveSamples)
	p, lp, l1p := make([]float64, curveSamples), make([]float64, curveSamples), make([]float64, curveSamples)
	for i := range xs {
		t := lo + (hi-lo)*float64(i)/float64(curveSamples-1)
		xs[i] = t
		if logits {
			p[i], lp[i], l1p[i] = engine.Sigmoid(t), -engine.LogSigmoid(t), engine.Softplus(t)
		} else {
			// BCE clamps each log at −100, as PyTorch does.
			p[i], lp[i], l1p[i] = t, -max(math.Log(t), -100), -max(math.Log1p(-t), -100)
		}
	}
	xName, pName := pal.t("ch.sigmoid.logit"), "σ(x)"
	if !logits {
		xName, pName = pal.t("ch.sigmoid.prob"), "p"
	}
	sub := pal.t("ch.sigmoid.sub")
	f := &frame{title: pal.t("ch.sigmoid.title", spec.Name, pName), subtitle: sub, xName: xName,
		trigger: "axis", pal: pal, legend: true}
	line := ec.NewLine()
	line.SetGlobalOptions(f.globals()...)
	line.SetGlobalOptions(ec.WithXAxisOpts(f.xAxis("value")), ec.WithYAxisOpts(f.yAxis("value", pal.t("ch.value"))))
	all := append(slices.Clone(lp), l1p...)
	if el := res.Elements; el != nil {
		all = append(all, el.Data...)
	}
	if lo, hi, ok := robustRange(all); ok {
		line.YAxisList[0].Min, line.YAxisList[0].Max = lo, hi
	}
	s1 := rawSeries(types.ChartLine, pName, appendPairs(nil, xs, p))
	lineStyle(pal.series[0], 2, false)(&s1)
	s2 := rawSeries(types.ChartLine, pal.t("ch.sigmoid.pos"), appendPairs(nil, xs, lp))
	lineStyle(pal.series[1], 2, false)(&s2)
	s3 := rawSeries(types.ChartLine, pal.t("ch.sigmoid.neg"), appendPairs(nil, xs, l1p))
	lineStyle(pal.series[2], 2, false)(&s3)
	line.MultiSeries = append(line.MultiSeries, s1, s2, s3)
	if el := res.Elements; el != nil && el.Numel() == x.Numel() {
		n := min(x.Numel(), elementsMax)
		pts := rawSeries(types.ChartScatter, pal.t("ch.sigmoid.points"), appendPairs(nil, x.Data[:n], el.Data[:n]))
		pts.SymbolSize = 9
		pts.ItemStyle = &opts.ItemStyle{Color: pal.series[3]}
		line.MultiSeries = append(line.MultiSeries, pts)
	}
	return finish(line, &line.MultiSeries, &optionExtras{pal: pal})
}

// buildDists draws KLDiv's two distributions side by side for the row of
// the chosen element: q = exp(input) and the target p (exp(target) when
// log_target), with the pointwise terms.
func buildDists(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	spec := c.Spec
	x, y := c.Input("input"), c.Input("target")
	if x.Numel() == 0 {
		return nil, nil
	}
	logTarget := c.Bool("log_target")
	width := 1
	if x.Dim() > 0 {
		width = x.Shape[x.Dim()-1]
	}
	k := clampElement(v.Element, x.Numel())
	start := k - k%width
	q := make([]float64, width)
	p := make([]float64, width)
	terms := make([]float64, width)
	var yi []int
	if !slices.Equal(y.Shape, x.Shape) {
		if b, err := engine.BroadcastShapes(y.Shape, x.Shape); err == nil && slices.Equal(b, x.Shape) {
			yi = engine.BroadcastIndex(y.Shape, x.Shape)
		} else {
			return nil, nil
		}
	}
	elementwise := res.Elements != nil && res.Elements.Numel() == x.Numel()
	for i := range width {
		q[i] = math.Exp(x.Data[start+i])
		j := start + i
		if yi != nil {
			j = yi[j]
		}
		p[i] = y.Data[j]
		if logTarget {
			p[i] = math.Exp(p[i])
		}
		terms[i] = math.NaN()
		if elementwise {
			terms[i] = res.Elements.Data[start+i]
		}
	}
	if d := detailTensor(res, x.Shape, "input_prob", "input_probs", "q"); d != nil {
		copy(q, d.Data[start:start+width])
	}
	if d := detailTensor(res, x.Shape, "target_prob", "target_probs", "p"); d != nil {
		copy(p, d.Data[start:start+width])
	}
	sub := pal.t("ch.dists.sub", indexString(unravel(start, x.Shape)))
	if logTarget {
		sub += " · p = exp(target)"
	} else {
		sub += " · p = target"
	}
	f := &frame{title: pal.t("ch.dists.title", spec.Name), subtitle: sub, xName: pal.t("ch.dists.index"),
		trigger: "axis", pal: pal, legend: true}
	bar := ec.NewBar()
	bar.SetGlobalOptions(f.globals()...)
	bar.SetGlobalOptions(ec.WithXAxisOpts(f.xAxis("category")), ec.WithYAxisOpts(f.yAxis("value", pal.t("ch.probability"))))
	ty := f.yAxis("value", pal.t("ch.dists.termAxis"))
	ty.Position = "right"
	bar.ExtendYAxis(ty)
	bar.YAxisList[1].SplitLine = f.splitLine(false)
	bar.SetXAxis(indexLabels(width))
	ts := rawSeries(types.ChartLine, pal.t("ch.dists.term"), appendValues(nil, terms))
	ts.YAxisIndex = 1
	ts.Symbol, ts.SymbolSize = "circle", 7
	ts.ItemStyle = &opts.ItemStyle{Color: pal.series[2]}
	bar.MultiSeries = append(bar.MultiSeries,
		rawSeries(types.ChartBar, "q = exp(input)", appendValues(nil, q)),
		rawSeries(types.ChartBar, "p (target)", appendValues(nil, p)),
		ts)
	return finish(bar, &bar.MultiSeries, &optionExtras{pal: pal})
}

// vectors returns the first familyPointsMax rows of t as (x, y) points:
// the first two coordinates (y = 0 for one coordinate).
func planePoints(t *engine.Tensor) (xs, ys []float64) {
	width, rows := 1, 1
	switch {
	case t.Dim() == 1:
		width = t.Shape[0]
	case t.Dim() >= 2:
		rows = t.Shape[0]
		width = t.Numel() / max(rows, 1)
	}
	rows = min(rows, familyPointsMax)
	if width == 0 {
		return nil, nil
	}
	for r := range rows {
		xs = append(xs, t.Data[r*width])
		y := 0.0
		if width > 1 {
			y = t.Data[r*width+1]
		}
		ys = append(ys, y)
	}
	return xs, ys
}

// segments encodes line segments (x0,y0)→(x1,y1) separated by "-".
func segments(x0, y0, x1, y1 []float64) []byte {
	b := []byte{'['}
	for i := range x0 {
		if i > 0 {
			b = append(b, `,"-",`...)
		}
		b = append(b, '[')
		b = appendNum(b, x0[i])
		b = append(b, ',')
		b = appendNum(b, y0[i])
		b = append(b, "],["...)
		b = appendNum(b, x1[i])
		b = append(b, ',')
		b = appendNum(b, y1[i])
		b = append(b, ']')
	}
	return append(b, ']')
}

// circle returns n+1 points of the circle of radius r around (cx, cy).
func circle(cx, cy, r float64, n int) (xs, ys []float64) {
	for i := range n + 1 {
		a := 2 * math.Pi * float64(i) / float64(n)
		xs = append(xs, cx+r*math.Cos(a))
		ys = append(ys, cy+r*math.Sin(a))
	}
	return xs, ys
}

// planeChart starts a scatter chart in the plane with equal-looking axes.
func planeChart(f *frame) *ec.Scatter {
	sc := ec.NewScatter()
	sc.SetGlobalOptions(f.globals()...)
	sc.SetGlobalOptions(ec.WithXAxisOpts(f.xAxis("value")), ec.WithYAxisOpts(f.yAxis("value", f.yName)))
	return sc
}

func lineSeries(name string, data []byte, color string, width float32, dashed bool) ec.SingleSeries {
	s := rawSeries(types.ChartLine, name, data)
	lineStyle(color, width, dashed)(&s)
	return s
}

func pointSeries(name string, xs, ys []float64, color string, size int) ec.SingleSeries {
	s := rawSeries(types.ChartScatter, name, appendPairs(nil, xs, ys))
	s.SymbolSize = size
	s.ItemStyle = &opts.ItemStyle{Color: color}
	return s
}

// rowOf returns the sample (row) of the chosen element of a (N, D) or (D)
// input.
func rowOf(t *engine.Tensor, element int) int {
	if t.Dim() < 2 || t.Numel() == 0 {
		return 0
	}
	return clampElement(element, t.Numel()) / (t.Numel() / t.Shape[0])
}

// euclid is the Euclidean distance between row r of a and row r of b (its
// only row when b is one row broadcast against a), or NaN when the shapes
// do not line up.
func euclid(a, b *engine.Tensor, r int) float64 {
	w := a.Numel()
	if a.Dim() >= 2 {
		w = a.Numel() / max(a.Shape[0], 1)
	}
	rb := r
	if b.Numel() == w {
		rb = 0
	}
	if (r+1)*w > a.Numel() || (rb+1)*w > b.Numel() {
		return math.NaN()
	}
	s := 0.0
	for i := range w {
		d := a.Data[r*w+i] - b.Data[rb*w+i]
		s += d * d
	}
	return math.Sqrt(s)
}

// buildTriplet draws anchors, positives and negatives in the plane (first
// two coordinates) with the anchor–positive and anchor–negative links, and
// for the chosen sample the circle of radius d(a, p) + margin around the
// anchor, which the negative must leave for the sample to cost nothing.
// Distances are the loss's own (detail d_ap, d_neg) over all coordinates.
func buildTriplet(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	a := c.Input("anchor")
	ax, ay := planePoints(a)
	px, py := broadcastRows(planePoints(c.Input("positive")))(len(ax))
	nx, ny := broadcastRows(planePoints(c.Input("negative")))(len(ax))
	if len(ax) == 0 || len(px) != len(ax) || len(nx) != len(ax) {
		return nil, nil
	}
	r := min(rowOf(a, v.Element), len(ax)-1)
	f := &frame{title: c.Spec.Name + ": anchor, positive, negative", subtitle: pal.t("ch.firstTwo"),
		xName: pal.t("ch.coord", 0), yName: pal.t("ch.coord", 1), trigger: "item", pal: pal, legend: true}
	sc := planeChart(f)
	sc.MultiSeries = append(sc.MultiSeries,
		lineSeries("anchor–positive", segments(ax, ay, px, py), pal.series[2], 1.5, false),
		lineSeries("anchor–negative", segments(ax, ay, nx, ny), pal.series[1], 1.5, true),
		pointSeries("anchor", ax, ay, pal.series[0], 12),
		pointSeries("positive", px, py, pal.series[2], 10),
		pointSeries("negative", nx, ny, pal.series[1], 10))
	dap, dneg := math.NaN(), math.NaN()
	if el := res.Elements; el != nil {
		if d := detailTensor(res, el.Shape, "d_ap"); d != nil && r < d.Numel() {
			dap = d.Data[r]
		}
		if d := detailTensor(res, el.Shape, "d_neg", "d_an"); d != nil && r < d.Numel() {
			dneg = d.Data[r]
		}
	}
	euclidean := c.Spec.Param("p") != nil && c.Float("p") == 2 ||
		c.Spec.Param("distance_function") != nil && c.Enum("distance_function") == "pairwise"
	if math.IsNaN(dap) && euclidean && r < len(ax) {
		dap = euclid(a, c.Input("positive"), r)
	}
	if c.Spec.Param("margin") != nil && euclidean && !math.IsNaN(dap) && !math.IsInf(dap, 0) {
		cx, cy := circle(ax[r], ay[r], dap+c.Float("margin"), 64)
		sc.MultiSeries = append(sc.MultiSeries, lineSeries(pal.t("ch.triplet.circle", r),
			appendPairs(nil, cx, cy), pal.series[4], 1.5, true))
		sc.Title.Subtitle += " · " + pal.t("ch.triplet.dashed")
	}
	sc.Title.Subtitle += " · " + pal.t("ch.triplet.dists", r, fmtShort(dap), fmtShort(dneg))
	if a.Dim() > 0 && a.Shape[a.Dim()-1] > 2 {
		sc.Title.Subtitle += pal.t("ch.triplet.allCoords")
	}
	return finish(sc, &sc.MultiSeries, &optionExtras{pal: pal})
}

// broadcastRows repeats a single row (a (D) or (1, D) input broadcast
// against (N, D) anchors) n times.
func broadcastRows(xs, ys []float64) func(n int) ([]float64, []float64) {
	return func(n int) ([]float64, []float64) {
		if len(xs) != 1 || n <= 1 {
			return xs, ys
		}
		return slices.Repeat(xs, n), slices.Repeat(ys, n)
	}
}

// buildCosine draws input1 and input2 as vectors from the origin (first two
// coordinates) and, for the chosen sample, the cone cos θ = margin around
// input1 that a dissimilar pair (y = −1) must leave.
func buildCosine(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	x1, x2 := c.Input("input1"), c.Input("input2")
	ax, ay := planePoints(x1)
	bx, by := planePoints(x2)
	if len(ax) == 0 || len(bx) != len(ax) {
		return nil, nil
	}
	zeros := make([]float64, len(ax))
	r := min(rowOf(x1, v.Element), len(ax)-1)
	f := &frame{title: pal.t("ch.cosine.title", c.Spec.Name), subtitle: pal.t("ch.firstTwo"),
		xName: pal.t("ch.coord", 0), yName: pal.t("ch.coord", 1), trigger: "item", pal: pal, legend: true}
	sc := planeChart(f)
	sc.MultiSeries = append(sc.MultiSeries,
		lineSeries("input1", segments(zeros, zeros, ax, ay), pal.series[0], 2, false),
		lineSeries("input2", segments(zeros, zeros, bx, by), pal.series[1], 2, false),
		pointSeries(pal.t("ch.cosine.tips", "input1"), ax, ay, pal.series[0], 8),
		pointSeries(pal.t("ch.cosine.tips", "input2"), bx, by, pal.series[1], 8))
	if el := res.Elements; el != nil {
		if d := detailTensor(res, el.Shape, "cos"); d != nil && r < d.Numel() {
			sc.Title.Subtitle += " · " + pal.t("ch.cosine.sample", r, fmtShort(d.Data[r]))
		}
	}
	if c.Spec.Param("margin") != nil {
		m := c.Float("margin")
		if m >= -1 && m <= 1 {
			theta, half := math.Atan2(ay[r], ax[r]), math.Acos(m)
			l := math.Hypot(ax[r], ay[r])
			ex := []float64{l * math.Cos(theta+half), l * math.Cos(theta-half)}
			ey := []float64{l * math.Sin(theta+half), l * math.Sin(theta-half)}
			sc.MultiSeries = append(sc.MultiSeries, lineSeries(pal.t("ch.cosine.cone", r),
				segments([]float64{0, 0}, []float64{0, 0}, ex, ey), pal.series[4], 1.5, true))
			sc.Title.Subtitle += " · " + pal.t("ch.cosine.coneSub")
		}
	}
	return finish(sc, &sc.MultiSeries, &optionExtras{pal: pal})
}

// buildRanking draws each (x1, x2) pair as a point coloured by its target,
// with the lines x1 − x2 = ±margin beyond which a pair costs nothing.
func buildRanking(c *engine.Call, res *engine.Result, pal *palette) (json.RawMessage, error) {
	x1, x2, y := c.Input("input1"), c.Input("input2"), c.Input("target")
	if x1.Numel() == 0 || x1.Numel() != x2.Numel() {
		return nil, nil
	}
	var yi []int
	if !slices.Equal(y.Shape, x1.Shape) {
		if b, err := engine.BroadcastShapes(y.Shape, x1.Shape); err != nil || !slices.Equal(b, x1.Shape) {
			return nil, nil
		}
		yi = engine.BroadcastIndex(y.Shape, x1.Shape)
	}
	var px, py, nx, ny []float64
	for i := range min(x1.Numel(), elementsMax) {
		j := i
		if yi != nil {
			j = yi[i]
		}
		if y.Data[j] >= 0 {
			px, py = append(px, x1.Data[i]), append(py, x2.Data[i])
		} else {
			nx, ny = append(nx, x1.Data[i]), append(ny, x2.Data[i])
		}
	}
	m := 0.0
	if c.Spec.Param("margin") != nil {
		m = c.Float("margin")
	}
	lo, hi, ok := finiteRange(slices.Concat(px, py, nx, ny))
	if !ok {
		lo, hi = -1, 1
	}
	lo, hi = lo-1, hi+1
	f := &frame{title: pal.t("ch.ranking.title", c.Spec.Name), subtitle: pal.t("ch.ranking.sub"),
		xName: "x1", yName: "x2", trigger: "item", pal: pal, legend: true}
	sc := planeChart(f)
	sc.MultiSeries = append(sc.MultiSeries,
		pointSeries("y = 1", px, py, pal.series[0], 10),
		pointSeries("y = −1", nx, ny, pal.series[1], 10),
		lineSeries("x2 = x1 − margin", appendPairs(nil, []float64{lo, hi}, []float64{lo - m, hi - m}), pal.series[0], 1.5, true),
		lineSeries("x2 = x1 + margin", appendPairs(nil, []float64{lo, hi}, []float64{lo + m, hi + m}), pal.series[1], 1.5, true))
	return finish(sc, &sc.MultiSeries, &optionExtras{pal: pal})
}

// buildMargin1D draws each element's loss against its margin y·x (or
// against x with the margin line, for losses with a margin parameter).
func buildMargin1D(c *engine.Call, res *engine.Result, pal *palette) (json.RawMessage, error) {
	x, y := c.Input("input"), c.Input("target")
	el := res.Elements
	var yi []int
	if !slices.Equal(y.Shape, x.Shape) {
		if b, err := engine.BroadcastShapes(y.Shape, x.Shape); err != nil || !slices.Equal(b, x.Shape) {
			return nil, nil
		}
		yi = engine.BroadcastIndex(y.Shape, x.Shape)
	}
	hasMargin := c.Spec.Param("margin") != nil
	var px, py, nx, ny []float64
	for i := range min(x.Numel(), elementsMax) {
		j := i
		if yi != nil {
			j = yi[i]
		}
		t := y.Data[j]
		pos := x.Data[i]
		if !hasMargin {
			pos *= t
		}
		if t >= 0 {
			px, py = append(px, pos), append(py, el.Data[i])
		} else {
			nx, ny = append(nx, pos), append(ny, el.Data[i])
		}
	}
	xName, sub := pal.t("ch.marginAxis"), pal.t("ch.margin1d.sub")
	if hasMargin {
		xName, sub = pal.t("ch.margin1d.inputAxis"), pal.t("ch.margin1d.subMargin")
	}
	f := &frame{title: pal.t("ch.margin1d.title", c.Spec.Name), subtitle: sub, xName: xName,
		yName: pal.t("ch.lossAxis"), trigger: "item", pal: pal, legend: true}
	sc := planeChart(f)
	ps := pointSeries("y = 1", px, py, pal.series[0], 10)
	if hasMargin {
		ps.MarkLines = &opts.MarkLines{
			Data: []any{opts.MarkLineNameXAxisItem{Name: "margin", XAxis: sanitizeAny(c.Float("margin"))}},
			MarkLineStyle: opts.MarkLineStyle{Symbol: []string{"none", "none"},
				Label: &opts.Label{Show: opts.Bool(true), Formatter: "margin"}, LineStyle: &opts.LineStyle{Type: "dashed"}},
		}
	}
	sc.MultiSeries = append(sc.MultiSeries, ps, pointSeries("y = −1", nx, ny, pal.series[1], 10))
	return finish(sc, &sc.MultiSeries, &optionExtras{pal: pal})
}

// sanitizeAny returns v, or nil (JSON null) when it is not finite, for
// option fields that go-echarts encodes itself.
func sanitizeAny(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// buildScores draws one row's class scores (multi-class margin losses),
// the target classes highlighted, with the line x[target] − margin above
// which another class costs.
func buildScores(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	x, y := c.Input("input"), c.Input("target")
	g := classGeom(x)
	if g.classes == 0 {
		return nil, nil
	}
	r := chosenRow(g, x, v.Element)
	var targets []int
	if slices.Equal(y.Shape, x.Shape) { // multi-label: classes up to the first −1
		for cl := range g.classes {
			t := int(y.Data[g.at(r, cl)])
			if t < 0 {
				break
			}
			targets = append(targets, t)
		}
	} else if r < y.Numel() {
		targets = append(targets, int(y.Data[r]))
	}
	scores := make([]float64, g.classes)
	for cl := range scores {
		scores[cl] = x.Data[g.at(r, cl)]
	}
	buf := []byte{'['}
	for cl, s := range scores {
		if cl > 0 {
			buf = append(buf, ',')
		}
		if slices.Contains(targets, cl) {
			buf = append(buf, `{"value":`...)
			buf = appendNum(buf, s)
			buf = append(buf, `,"itemStyle":{"color":"`...)
			buf = append(buf, pal.series[2]...)
			buf = append(buf, `"}}`...)
			continue
		}
		buf = appendNum(buf, s)
	}
	buf = append(buf, ']')
	m := 1.0
	if c.Spec.Param("margin") != nil {
		m = c.Float("margin")
	}
	f := &frame{title: pal.t("ch.scores.title", c.Spec.Name), subtitle: pal.t("ch.scores.sub", r),
		xName: pal.t("ch.lattice.class"), trigger: "axis", pal: pal}
	bar := ec.NewBar()
	bar.SetGlobalOptions(f.globals()...)
	bar.SetGlobalOptions(ec.WithXAxisOpts(f.xAxis("category")), ec.WithYAxisOpts(f.yAxis("value", pal.t("ch.scores.score"))))
	bar.SetXAxis(indexLabels(g.classes))
	s := rawSeries(types.ChartBar, pal.t("ch.scores.score"), buf)
	var lines []any
	for _, t := range targets {
		if t >= 0 && t < g.classes {
			lines = append(lines, opts.MarkLineNameYAxisItem{Name: "x[" + strconv.Itoa(t) + "] − margin", YAxis: sanitizeAny(scores[t] - m)})
		}
	}
	if lines != nil {
		s.MarkLines = &opts.MarkLines{Data: lines, MarkLineStyle: opts.MarkLineStyle{Symbol: []string{"none", "none"},
			LineStyle: &opts.LineStyle{Type: "dashed"}}}
	}
	bar.MultiSeries = append(bar.MultiSeries, s)
	return finish(bar, &bar.MultiSeries, &optionExtras{pal: pal})
}
