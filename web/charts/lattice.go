package charts

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/lossplayground/playground/engine"
)

// latticeEdgesMax bounds the lattice size (frames × states) for which
// the allowed transitions are drawn; beyond it they would be a grey mat.
const latticeEdgesMax = 6000

// ctcLattice is one sample's CTC lattice as the engine's CTCLoss detail
// encodes it (detail.lattice[n]). It is decoded from JSON so that this
// package does not depend on the engine's type.
type ctcLattice struct {
	InputLength    int            `json:"input_length"`
	TargetLength   int            `json:"target_length"`
	Extended       []int          `json:"extended"`
	SkipAllowed    []bool         `json:"skip_allowed"`
	LogAlpha       *engine.Tensor `json:"log_alpha"`
	LogBeta        *engine.Tensor `json:"log_beta"`
	Occupancy      *engine.Tensor `json:"occupancy"`
	Feasible       [][]bool       `json:"feasible"`
	ViterbiPath    []int          `json:"viterbi_path"`
	ViterbiLogProb jsonFloat      `json:"viterbi_log_prob"`
	LogLikelihood  jsonFloat      `json:"log_likelihood"`
	Grad           *engine.Tensor `json:"grad"`
}

// jsonFloat decodes a number or one of "NaN", "Infinity", "-Infinity".
type jsonFloat float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	t, err := engine.ParseTensor(b)
	if err != nil {
		return err
	}
	if len(t.Data) != 1 {
		return fmt.Errorf("expected a number, got %s", b)
	}
	*f = jsonFloat(t.Data[0])
	return nil
}

// hasLattice reports whether spec documents a CTC lattice in its detail.
func hasLattice(spec *engine.Spec, res *engine.Result) bool {
	if _, ok := spec.DetailFields["lattice"]; ok {
		return true
	}
	_, ok := res.Detail["lattice"]
	return ok
}

// latticesOf reads detail.lattice whatever its Go type: field by field
// when it is a slice of structs whose JSON names and types match (the
// engine's CTCLattice), else through a JSON round trip into ctcLattice.
// Without detail it recomputes the call with detail on.
func latticesOf(c *engine.Call, res *engine.Result) ([]ctcLattice, error) {
	d, ok := res.Detail["lattice"]
	if !ok {
		cc := *c
		cc.Detail = true
		var r engine.Result
		if err := cc.ComputeInto(&r); err != nil {
			return nil, err
		}
		if d, ok = r.Detail["lattice"]; !ok {
			return nil, nil
		}
	}
	if ls, ok := latticesByField(d); ok {
		return ls, nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("charts: encoding detail.lattice: %w", err)
	}
	var ls []ctcLattice
	if err := json.Unmarshal(b, &ls); err != nil {
		return nil, fmt.Errorf("charts: detail.lattice does not have the documented fields: %w", err)
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
func buildLattice(c *engine.Call, res *engine.Result, v View, pal *palette) (json.RawMessage, error) {
	ls, err := latticesOf(c, res)
	if err != nil || len(ls) == 0 {
		return nil, err
	}
	n := latticeSample(c, v.Element, len(ls))
	return drawLattice(c, &ls[n], n, v, pal)
}

func drawLattice(c *engine.Call, l *ctcLattice, n int, v View, pal *palette) (json.RawMessage, error) {
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
		m, what = l.LogBeta, "log β (backward)"
	case "occupancy":
		m, what = l.Occupancy, "occupancy γ (posterior)"
	case "gradient":
		m, what = l.Grad, "gradient ∂L/∂log_probs (per class)"
	default:
		mode, m, what = "alpha", l.LogAlpha, "log α (forward)"
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

	sub := fmt.Sprintf("sample %d · T = %d · target \"%s\" · log p(target) = %s · best path log p = %s",
		n, l.InputLength, target, fmtShort(float64(l.LogLikelihood)), fmtShort(float64(l.ViterbiLogProb)))
	yName := "extended label l′"
	if mode == "gradient" {
		yName = "class"
	}
	f := &frame{title: c.Spec.Name + ": alignment lattice, " + what, subtitle: sub, xName: "time frame t",
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
	greyed := rawSeries(types.ChartHeatMap, "infeasible (no complete path)", grey)
	greyed.ItemStyle = &opts.ItemStyle{Color: pal.infeasible}
	hm.MultiSeries = append(hm.MultiSeries, main, greyed)

	if mode != "gradient" {
		if frames*rows <= latticeEdgesMax {
			for i, e := range latticeEdges(l, frames, rows, feasible) {
				s := rawSeries(types.ChartLine, e.name, e.data)
				s.ShowSymbol, s.Symbol = opts.Bool(false), "none"
				s.LineStyle = &opts.LineStyle{Color: pal.series[(i+2)%len(pal.series)], Width: 1, Opacity: opts.Float(0.45)}
				s.ItemStyle = &opts.ItemStyle{Color: pal.series[(i+2)%len(pal.series)]}
				hm.MultiSeries = append(hm.MultiSeries, s)
			}
		} else {
			hm.Title.Subtitle += " · transitions not drawn (lattice too large)"
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
		vs := rawSeries(types.ChartLine, "Viterbi best path", p)
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
func latticeEdges(l *ctcLattice, frames, rows int, feasible func(t, s int) bool) []edgeSeries {
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

// latticeFields maps a struct type to the index of each field that
// ctcLattice has, by JSON name, or nil when a field's type does not match.
var latticeFields sync.Map // reflect.Type → []int (by ctcLattice field), nil if unusable

// latticeTarget is ctcLattice's own type information, by JSON name.
var latticeTarget = func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeFor[ctcLattice]()
	for i := range t.NumField() {
		m[jsonName(t.Field(i))] = i
	}
	return m
}()

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		name = f.Name
	}
	return name
}

// fieldMap returns, for each field of ctcLattice, the index of the field
// of struct type t with the same JSON name and a compatible type (-1 when
// absent), or nil when a same-named field has another type.
func fieldMap(t reflect.Type) []int {
	if m, ok := latticeFields.Load(t); ok {
		return m.([]int)
	}
	lt := reflect.TypeFor[ctcLattice]()
	idx := make([]int, lt.NumField())
	for i := range idx {
		idx[i] = -1
	}
	for i := range t.NumField() {
		f := t.Field(i)
		j, ok := latticeTarget[jsonName(f)]
		if !ok || !f.IsExported() {
			continue
		}
		want := lt.Field(j).Type
		switch {
		case f.Type == want,
			want.Kind() == reflect.Float64 && f.Type.Kind() == reflect.Float64,
			want.Kind() == reflect.Int && f.Type.Kind() == reflect.Int:
			idx[j] = i
		default:
			idx = nil
		}
		if idx == nil {
			break
		}
	}
	latticeFields.Store(t, idx)
	return idx
}

// latticesByField copies a []T or []*T of lattice structs field by field,
// without encoding a number; ok is false when d has another shape.
func latticesByField(d any) ([]ctcLattice, bool) {
	v := reflect.ValueOf(d)
	if v.Kind() != reflect.Slice {
		return nil, false
	}
	et := v.Type().Elem()
	if et.Kind() == reflect.Pointer {
		et = et.Elem()
	}
	if et.Kind() != reflect.Struct {
		return nil, false
	}
	idx := fieldMap(et)
	if idx == nil {
		return nil, false
	}
	out := make([]ctcLattice, v.Len())
	for n := range out {
		e := v.Index(n)
		if e.Kind() == reflect.Pointer {
			if e.IsNil() {
				return nil, false
			}
			e = e.Elem()
		}
		dst := reflect.ValueOf(&out[n]).Elem()
		for j, i := range idx {
			if i < 0 {
				continue
			}
			src, f := e.Field(i), dst.Field(j)
			switch f.Kind() {
			case reflect.Float64:
				f.SetFloat(src.Float())
			case reflect.Int:
				f.SetInt(src.Int())
			default:
				f.Set(src)
			}
		}
	}
	return out, true
}
