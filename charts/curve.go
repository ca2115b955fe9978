package charts

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// Sweep sizes. The curve evaluates the whole call once per point (the
// engine has no single-element entry point, and the numbers must be its
// own), so the point count shrinks as the inputs grow to keep Build fast.
const (
	curvePoints      = 121   // odd, so that the current value is the centre point
	curvePointsMid   = 61    // inputs of more than curveSmallNumel elements
	curvePointsLarge = 21    // inputs of more than curveMidNumel elements
	curveSmallNumel  = 256   // total input elements
	curveMidNumel    = 4096  // total input elements
	curveMaxNumel    = 65536 // beyond this the curve is not swept at all

)

// SweepPoints returns the number of points at which the curve chart
// recomputes c (twice as many computations at most, when a first sweep
// meets values the engine refuses), or 0 when c is too large to sweep.
// Cost estimates use it.
func SweepPoints(c *engine.Call) int { return curvePointsFor(totalNumel(c)) }

// curvePointsFor returns the number of sweep points for a call whose
// inputs hold n elements in all, or 0 when it is too large to sweep.
func curvePointsFor(n int) int {
	switch {
	case n <= curveSmallNumel:
		return curvePoints
	case n <= curveMidNumel:
		return curvePointsMid
	case n <= curveMaxNumel:
		return curvePointsLarge
	}
	return 0
}

// sweeper evaluates one loss as one input element varies, through the
// engine, reusing one Result.
type sweeper struct {
	ctx  context.Context // nil: context.Background
	call *engine.Call
	x    *engine.Tensor // private copy of the swept input
	k    int            // swept element of x
	js   []int          // terms of Elements that x[k] feeds
	grad string         // name of the swept input, for Grads
	res  engine.Result
}

// at returns the sum of the swept element's terms and its derivative at
// x[k] = x; NaN, NaN when the engine refuses the value (a domain error).
func (s *sweeper) at(x float64) (y, d float64) {
	s.x.Data[s.k] = x
	ctx := s.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if err := s.call.ComputeContext(ctx, &s.res); err != nil {
		return math.NaN(), math.NaN()
	}
	el := s.res.Elements
	y = 0
	for _, j := range s.js {
		if j >= len(el.Data) {
			return math.NaN(), math.NaN()
		}
		y += el.Data[j]
	}
	d = math.NaN()
	if g := s.res.Grads[s.grad]; g != nil && s.k < len(g.Data) {
		d = g.Data[s.k]
	}
	return y, d
}

// sweepGrid fills xs with n points from lo to hi with x0 exactly at the
// centre: each half is uniform, so the halves may differ in step.
func sweepGrid(xs []float64, lo, x0, hi float64) {
	n := len(xs)
	c := n / 2
	for i := range xs {
		switch {
		case i < c:
			xs[i] = lo + (x0-lo)*float64(i)/float64(c)
		case i == c:
			xs[i] = x0
		default:
			xs[i] = x0 + (hi-x0)*float64(i-c)/float64(n-1-c)
		}
	}
}

// sweepHalfWidth is the half width of the sweep around x0: at least 1,
// wide enough to show the target when there is one in the same units.
func sweepHalfWidth(x0, target float64, hasTarget bool) float64 {
	w := max(1, 0.5*math.Abs(x0))
	if hasTarget && !math.IsNaN(target) && !math.IsInf(target, 0) {
		w = max(w, 1.25*math.Abs(x0-target))
	}
	return w
}

// run sweeps s over xs (with xs[centre] = x0), writing ys and ds. If the
// engine refuses values at the ends (a domain such as BCE's [0, 1]), it
// narrows the range to the valid stretch around x0 and sweeps again.
func (s *sweeper) run(xs, ys, ds []float64) {
	for i, x := range xs {
		ys[i], ds[i] = s.at(x)
	}
	c := len(xs) / 2
	if math.IsNaN(ys[c]) {
		return
	}
	lo, hi := c, c
	for lo > 0 && !refused(ys[lo-1], ds[lo-1]) {
		lo--
	}
	for hi < len(xs)-1 && !refused(ys[hi+1], ds[hi+1]) {
		hi++
	}
	if lo == 0 && hi == len(xs)-1 {
		return
	}
	sweepGrid(xs, xs[lo], xs[c], xs[hi])
	for i, x := range xs {
		ys[i], ds[i] = s.at(x)
	}
}

// refused reports a point the engine refused (at returns NaN for both);
// a NaN loss with a finite derivative is a real value.
func refused(y, d float64) bool { return math.IsNaN(y) && math.IsNaN(d) }

// curveSetup is what the curve and the thumbnail share: the swept element
// and its sweep.
type curveSetup struct {
	spec      *engine.Spec
	name      string // swept input
	in, el    []int  // shapes of the swept input and of the terms
	k         int
	js        []int
	x0        float64
	target    string
	targetVal float64
	hasTarget bool
	xs        []float64
	ys, ds    []float64
	// ys64 is, for a float32 call, the same sweep in float64: the curve
	// overlays it so that the point where float32 parts is visible.
	ys64    []float64
	note    string // why there is no sweep, if there is none: a message key
	noteArg string // the note's argument, if it has one
	lang    string // the chart's language (overlay names)
}

// sweepCall sweeps input element k of the first differentiable input of c
// over the given number of points, or (points = 0) over as many as the
// input size allows. The count depends on the input size only, never on
// timing, so that the same state always draws the same chart.
func sweepCall(ctx context.Context, c *engine.Call, res *engine.Result, element, points int) (*curveSetup, error) {
	spec := c.Spec
	di := firstDifferentiable(spec)
	if di < 0 {
		return nil, nil
	}
	name := spec.Inputs[di].Name
	x := c.Input(name)
	if x.Numel() == 0 || res.Elements == nil {
		return nil, nil
	}
	cs := &curveSetup{spec: spec, name: name, in: x.Shape, el: res.Elements.Shape}
	cs.k = clampElement(element, x.Numel())
	cs.js = termsOf(x.Shape, res.Elements.Shape, cs.k)
	cs.x0 = x.Data[cs.k]
	cs.target, cs.targetVal, cs.hasTarget = targetAt(c, x.Shape, cs.k, res.Elements.Shape, cs.js)
	if len(cs.js) == 0 {
		cs.note = "ch.note.noTerms"
		return cs, nil
	}
	if points == 0 {
		points = curvePointsFor(totalNumel(c))
	}
	if points == 0 {
		cs.note = "ch.note.tooLarge"
		return cs, nil
	}
	inputs, cp := inputsOf(c, di)
	call, err := engine.NewCall(spec, paramsOf(c, "none"), inputs)
	if err != nil {
		// The call was valid with its own reduction; a loss that refuses
		// it with 'none' gets a curve without a sweep, not a failed page.
		cs.note, cs.noteArg = "ch.note.cannotSweep", err.Error()
		return cs, nil
	}
	_ = call.SetDType(c.DType()) // the page's dtype; the loss had a kernel for it
	s := &sweeper{ctx: ctx, call: call, x: cp, k: cs.k, js: cs.js, grad: name}
	cs.xs, cs.ys, cs.ds = make([]float64, points), make([]float64, points), make([]float64, points)
	x0, finite := cs.x0, !math.IsNaN(cs.x0) && !math.IsInf(cs.x0, 0)
	if !finite {
		x0 = 0 // a NaN or infinite input: sweep around 0; the current point is drawn as a gap
	}
	w := sweepHalfWidth(x0, cs.targetVal, cs.hasTarget && isElementwiseTarget(spec, cs))
	sweepGrid(cs.xs, x0-w, x0, x0+w)
	s.run(cs.xs, cs.ys, cs.ds)
	mid := points / 2
	if !finite {
		cs.xs[mid] = cs.x0
		cs.ys[mid], cs.ds[mid] = s.at(cs.x0)
	}
	// The centre is the page's own state: take its value from the result
	// on the page, to the last bit (a loss may take another, equally exact
	// code path without detail or with reduction 'none').
	y := 0.0
	for _, j := range cs.js {
		y += res.Elements.Data[j]
	}
	cs.ys[mid] = y
	if c.DType() == engine.Float32 {
		inputs64, cp64 := inputsOf(c, di)
		if call64, err := engine.NewCall(spec, paramsOf(c, "none"), inputs64); err == nil {
			s64 := &sweeper{ctx: ctx, call: call64, x: cp64, k: cs.k, js: cs.js, grad: name}
			cs.ys64 = make([]float64, points)
			s64.run(cs.xs, cs.ys64, make([]float64, points))
		}
	}
	return cs, nil
}

// isElementwiseTarget reports whether the target is in the input's units,
// so that the sweep should reach it and mark it: regression losses, and
// losses with a variance input (GaussianNLL's mean and target). Labels,
// counts against log-rates and probabilities against log-probabilities
// are not.
func isElementwiseTarget(spec *engine.Spec, cs *curveSetup) bool {
	if !slices.Equal(cs.in, cs.el) {
		return false
	}
	if spec.Family == engine.FamilyRegression {
		return true
	}
	for _, in := range spec.Inputs {
		if in.Role == engine.RoleVariance {
			return true
		}
	}
	return false
}

func totalNumel(c *engine.Call) int {
	n := 0
	for _, in := range c.Spec.Inputs {
		n += c.Input(in.Name).Numel()
	}
	return n
}

// centre returns the current point of the sweep.
func (cs *curveSetup) centre() (x, y, d float64) {
	c := len(cs.xs) / 2
	return cs.xs[c], cs.ys[c], cs.ds[c]
}

// marginSign returns y ∈ {−1, +1} when the curve of a margin loss is
// better drawn against the margin y·x, else 0.
func (cs *curveSetup) marginSign() float64 {
	// Only a loss of one score per element (input, target) has margin y·x;
	// MarginRanking's margin is y·(x1 − x2), and HingeEmbedding's input is
	// a distance, not a score (it has a margin parameter instead).
	if cs.spec.Family != engine.FamilyMargin || cs.name != "input" || cs.spec.Param("margin") != nil ||
		!cs.hasTarget || !slices.Equal(cs.in, cs.el) {
		return 0
	}
	if cs.targetVal == 1 || cs.targetVal == -1 {
		return cs.targetVal
	}
	return 0
}

// buildCurve draws the loss of one element and its derivative as that
// element sweeps around its current value.
func buildCurve(ctx context.Context, c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	cs, err := sweepCall(ctx, c, res, v.Element, 0)
	if err != nil || cs == nil {
		return nil, err
	}
	spec := c.Spec
	cs.lang = pal.lang
	idx := indexString(unravel(cs.k, cs.in))
	sub := fmt.Sprintf("%s%s = %s", cs.name, idx, fmtShort(cs.x0))
	if cs.target != "" {
		sub += " · " + cs.target
	} else if t := labelTarget(c, cs.in); t != nil && cs.k < t.Numel() {
		sub += " · " + labelsOf(cs.lang, t, cs.k)
	}
	if len(cs.js) == 1 {
		sub += " · " + pal.t("ch.curve.term", indexString(unravel(cs.js[0], cs.el)))
	} else if len(cs.js) > 1 {
		sub += " · " + pal.t("ch.curve.terms", len(cs.js))
	}
	sub += " · reduction 'none'"
	if c.DType() == engine.Float32 {
		sub += " · float32"
	}
	if cs.note == "ch.note.cannotSweep" {
		sub += " · " + pal.t(cs.note, cs.noteArg)
	} else if cs.note != "" {
		sub += " · " + pal.t(cs.note)
	}

	sign := cs.marginSign()
	xName, dName := cs.name+idx, "∂ℓ/∂x"
	if sign != 0 {
		xName, dName = pal.t("ch.marginAxis"), "∂ℓ/∂(y·x)"
	}
	f := &frame{title: pal.t("ch.curve.title", spec.Name), subtitle: sub, xName: xName,
		trigger: "axis", pal: pal, legend: true}

	line := ec.NewLine()
	line.SetGlobalOptions(f.globals()...)
	line.SetGlobalOptions(ec.WithXAxisOpts(f.xAxis("value")), ec.WithYAxisOpts(f.yAxis("value", pal.t("ch.lossAxis"))))
	dy := f.yAxis("value", dName)
	dy.Position = "right"
	line.ExtendYAxis(dy)
	line.YAxisList[1].SplitLine = f.splitLine(false)

	// Against the margin z = y·x, the derivative is dℓ/dz = y·∂ℓ/∂x.
	xs, dys := cs.xs, cs.ds
	if sign == -1 {
		xs, dys = make([]float64, len(cs.xs)), make([]float64, len(cs.ds))
		for i := range cs.xs {
			xs[i], dys[i] = -cs.xs[i], -cs.ds[i]
		}
	}
	if lo, hi, ok := robustRange(cs.ys); ok {
		line.YAxisList[0].Min, line.YAxisList[0].Max = lo, hi
	}
	if lo, hi, ok := robustRange(dys); ok {
		line.YAxisList[1].Min, line.YAxisList[1].Max = lo, hi
	}
	buf := make([]byte, 0, 64*len(xs)+64)
	if len(xs) > 0 {
		x0, y0, d0 := cs.centre()
		if sign != 0 {
			x0, d0 = sign*x0, sign*d0
		}
		ls := rawSeries(types.ChartLine, "ℓ "+spec.Name, appendPairs(buf, xs, cs.ys))
		lineStyle(pal.series[0], 2.5, false)(&ls)
		ls.MarkPoints = currentMark(x0, y0, pal.series[0], pal.t("ch.current"))
		if t := cs.targetLine(spec, sign); t != nil {
			ls.MarkLines = t
		}
		ds := rawSeries(types.ChartLine, dName, appendPairs(nil, xs, dys))
		lineStyle(pal.series[1], 1.5, true)(&ds)
		ds.YAxisIndex = 1
		ds.MarkPoints = currentMark(x0, d0, pal.series[1], pal.t("ch.current"))
		line.MultiSeries = append(line.MultiSeries, ls, ds)
		if cs.ys64 != nil {
			fs := rawSeries(types.ChartLine, "ℓ float64", appendPairs(nil, xs, cs.ys64))
			lineStyle(pal.series[2%len(pal.series)], 1.5, true)(&fs)
			line.MultiSeries = append(line.MultiSeries, fs)
		}
		if v.Overlay {
			for i, o := range overlays(c, cs) {
				os := rawSeries(types.ChartLine, o.name, appendPairs(nil, xs, o.ys))
				lineStyle(pal.series[(i+2)%len(pal.series)], 1.5, false)(&os)
				line.MultiSeries = append(line.MultiSeries, os)
			}
		}
	}
	if len(xs) == 0 && len(cs.js) > 0 {
		// No sweep: still show where the element stands, from the result.
		y0 := 0.0
		for _, j := range cs.js {
			y0 += res.Elements.Data[j]
		}
		x0 := cs.x0
		if sign != 0 {
			x0 *= sign
		}
		p := rawSeries(types.ChartScatter, "ℓ "+spec.Name, appendPairs(nil, []float64{x0}, []float64{y0}))
		p.SymbolSize = 12
		p.ItemStyle = &opts.ItemStyle{Color: pal.series[0]}
		line.MultiSeries = append(line.MultiSeries, p)
	}
	return finish(line, &line.MultiSeries, &optionExtras{pal: pal})
}

// currentMark marks the current point (omitted when it is not finite).
func currentMark(x, y float64, color, name string) *opts.MarkPoints {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
		return nil
	}
	return &opts.MarkPoints{
		Data: []any{opts.MarkPointNameCoordItem{Name: name, Coordinate: []any{x, y},
			Value: fmtShort(y), Symbol: "circle", SymbolSize: 12, ItemStyle: &opts.ItemStyle{Color: color}}},
		MarkPointStyle: opts.MarkPointStyle{Label: &opts.Label{Show: opts.Bool(true), Position: "top"}},
	}
}

// targetLine marks x = target on regression-like curves.
func (cs *curveSetup) targetLine(spec *engine.Spec, sign float64) *opts.MarkLines {
	if !cs.hasTarget || sign != 0 || !isElementwiseTarget(spec, cs) ||
		math.IsNaN(cs.targetVal) || math.IsInf(cs.targetVal, 0) {
		return nil
	}
	return &opts.MarkLines{
		Data: []any{opts.MarkLineNameXAxisItem{Name: "target", XAxis: cs.targetVal}},
		MarkLineStyle: opts.MarkLineStyle{Symbol: []string{"none", "none"},
			Label:     &opts.Label{Show: opts.Bool(true), Formatter: "target"},
			LineStyle: &opts.LineStyle{Type: "dotted"}},
	}
}

// overlay is a related loss evaluated on the same sweep.
type overlay struct {
	name string
	ys   []float64
}

// HasOverlays reports whether the curve of spec can overlay related
// losses (v.Overlay): the regression losses, and the margin losses of one
// score per element against y·x (see curveSetup.marginSign).
func HasOverlays(spec *engine.Spec) bool {
	if spec.Family == engine.FamilyRegression {
		return true
	}
	in, target := spec.Input("input"), spec.Input("target")
	return spec.Family == engine.FamilyMargin && in != nil && target != nil && !target.Integer &&
		len(spec.Inputs) == 2 && spec.Param("margin") == nil
}

// overlays evaluates the registered losses related to the swept one (for
// regression: same family, same inputs by name and role; for margin
// losses: see marginOverlays) on the swept element's own
// sub-problem: one-element inputs holding the element and its partners,
// default parameters, reduction 'none'. Losses that refuse the
// sub-problem are skipped; so are losses that are not registered.
func overlays(c *engine.Call, cs *curveSetup) []overlay {
	if len(cs.js) != 1 || !slices.Equal(cs.in, cs.el) {
		return nil // only elementwise losses have a one-element sub-problem
	}
	if sign := cs.marginSign(); sign != 0 {
		return marginOverlays(c.Spec, cs, sign)
	}
	spec := c.Spec
	if spec.Family != engine.FamilyRegression {
		// Elsewhere the same input names carry different meanings (BCE's
		// probability and BCEWithLogits' logit; Poisson's log-rate and
		// KLDiv's log-probability): overlaying them would mislead.
		return nil
	}
	scalars := make(map[string]float64, len(spec.Inputs))
	for _, in := range spec.Inputs {
		t := c.Input(in.Name)
		v, ok := partner(t, cs)
		if !ok {
			return nil
		}
		scalars[in.Name] = v
	}
	var out []overlay
	for _, rs := range engine.All() {
		if rs == spec || rs.Family != spec.Family || !sameInputs(rs, spec) {
			continue
		}
		inputs := make(map[string]*engine.Tensor, len(rs.Inputs))
		for name, v := range scalars {
			inputs[name] = &engine.Tensor{Shape: []int{1}, Data: []float64{v}}
		}
		var params map[string]any
		if r := rs.Param("reduction"); r != nil && slices.Contains(r.Values, "none") {
			params = map[string]any{"reduction": "none"}
		}
		call, err := engine.NewCall(rs, params, inputs)
		if err != nil {
			continue
		}
		s := &sweeper{call: call, x: inputs[cs.name], js: []int{0}, grad: cs.name}
		if s.at(cs.xs[len(cs.xs)/2]); s.res.Elements == nil || !slices.Equal(s.res.Elements.Shape, []int{1}) {
			continue // not elementwise on the sub-problem: not comparable
		}
		ys := make([]float64, len(cs.xs))
		for i, x := range cs.xs {
			ys[i], _ = s.at(x)
		}
		if math.IsNaN(ys[len(ys)/2]) {
			continue
		}
		out = append(out, overlay{name: rs.Name, ys: ys})
	}
	return out
}

// partner returns the value of input t that goes with the swept element.
func partner(t *engine.Tensor, cs *curveSetup) (float64, bool) {
	switch {
	case slices.Equal(t.Shape, cs.in):
		return t.Data[cs.k], true
	case slices.Equal(t.Shape, cs.el):
		return t.Data[cs.js[0]], true
	case t.Numel() == 1:
		return t.Data[0], true
	}
	if b, err := engine.BroadcastShapes(t.Shape, cs.in); err == nil && slices.Equal(b, cs.in) {
		return t.Data[engine.BroadcastIndex(t.Shape, cs.in)[cs.k]], true
	}
	return 0, false
}

// sameInputs reports whether a and b take the same inputs (names, roles,
// integer flags) in the same order.
func sameInputs(a, b *engine.Spec) bool {
	if len(a.Inputs) != len(b.Inputs) {
		return false
	}
	for i := range a.Inputs {
		x, y := a.Inputs[i], b.Inputs[i]
		if x.Name != y.Name || x.Role != y.Role || x.Integer != y.Integer {
			return false
		}
	}
	return true
}

// robustRange returns axis limits that ignore a few extreme values (BCE's
// clamped logs near 0 and 1, a derivative of 1e12 at the edge of the
// domain) when they would flatten the rest of the curve; ok is false when
// the automatic range is fine.
func robustRange(vs []float64) (lo, hi float64, ok bool) {
	f := make([]float64, 0, len(vs))
	for _, v := range vs {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			f = append(f, v)
		}
	}
	if len(f) < 10 {
		return 0, 0, false
	}
	slices.Sort(f)
	qlo, qhi := f[len(f)/20], f[len(f)-1-len(f)/20]
	span := qhi - qlo
	if span <= 0 || f[len(f)-1]-f[0] <= 4*span {
		return 0, 0, false
	}
	lo, hi = qlo-0.25*span, qhi+0.25*span
	if f[0] >= 0 && lo < 0 {
		lo = 0 // a non-negative loss keeps its floor at 0
	}
	return niceRound(lo, span), niceRound(hi, span), true
}

// niceRound rounds v to two significant digits of span, so that axis
// limits print short.
func niceRound(v, span float64) float64 {
	step := math.Pow(10, math.Floor(math.Log10(span))-1)
	return math.Round(v/step) * step
}

// marginOverlays draws, against the margin z = y·x, the registered margin
// losses that can be written as a function of z alone: a loss of one score
// and a ±1 target with no margin parameter (SoftMargin: the logistic
// log(1 + e^−z)), and a ranking loss with input2 = 0 and margin 1 (the
// hinge max(0, 1 − z)).
func marginOverlays(spec *engine.Spec, cs *curveSetup, sign float64) []overlay {
	var out []overlay
	for _, rs := range engine.All() {
		if rs == spec || rs.Family != engine.FamilyMargin {
			continue
		}
		var name string
		inputs := map[string]*engine.Tensor{}
		params := map[string]any{}
		switch {
		case len(rs.Inputs) == 2 && hasInputs(rs, "input", "target") && rs.Param("margin") == nil:
			name = rs.Name + ": " + i18n.T(cs.lang, "ch.overlay.logistic")
		case len(rs.Inputs) == 3 && hasInputs(rs, "input1", "input2", "target"):
			name = rs.Name + " (x2 = 0, margin 1): " + i18n.T(cs.lang, "ch.overlay.hinge")
			inputs["input2"] = &engine.Tensor{Shape: []int{1}, Data: []float64{0}}
			if rs.Param("margin") != nil {
				params["margin"] = 1.0
			}
		default:
			continue
		}
		if r := rs.Param("reduction"); r != nil && slices.Contains(r.Values, "none") {
			params["reduction"] = "none"
		}
		z := &engine.Tensor{Shape: []int{1}, Data: []float64{0}}
		inputs["target"] = &engine.Tensor{Shape: []int{1}, Data: []float64{1}}
		swept := "input"
		if _, ok := inputs["input2"]; ok {
			swept = "input1"
		}
		inputs[swept] = z
		call, err := engine.NewCall(rs, params, inputs)
		if err != nil {
			continue
		}
		s := &sweeper{call: call, x: z, js: []int{0}, grad: swept}
		ys := make([]float64, len(cs.xs))
		for i, x := range cs.xs {
			ys[i], _ = s.at(sign * x)
		}
		if s.res.Elements == nil || !slices.Equal(s.res.Elements.Shape, []int{1}) {
			continue
		}
		out = append(out, overlay{name: name, ys: ys})
	}
	return out
}
