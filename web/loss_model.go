package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/state"
	"github.com/lossplayground/playground/web/templates"
)

// lossChartOrder is the page order of the chart ids charts.Build returns;
// ids it does not list follow in alphabetical order.
var lossChartOrder = []string{"curve", "elements", "gradient", "family", "lattice"}

// lossPageMaxCells bounds how many cells a result table shows.
const lossPageMaxCells = 600

// buildLossPage evaluates a page state and turns metadata and result into
// what the templates show. Errors naming a field are *engine.Error.
func buildLossPage(ctx context.Context, cp *Computer, spec *engine.Spec, st state.State) (templates.LossPage, error) {
	return buildLossPageCharts(ctx, cp, spec, st, true)
}

// buildLossPageCharts is buildLossPage, without building chart options
// when withCharts is false (the live result panel, while the WebSocket
// delivers the charts).
func buildLossPageCharts(ctx context.Context, cp *Computer, spec *engine.Spec, st state.State, withCharts bool) (templates.LossPage, error) {
	ev, err := evaluateLossPage(ctx, cp, spec, st, withCharts)
	if err != nil {
		return templates.LossPage{}, err
	}
	view := lossPageView(spec, st)
	isCTC := spec.Name == "CTCLoss"
	symbols, marked := lossSymbols(spec)
	symOf := map[string]string{}
	for _, s := range symbols {
		// A symbol that only spells the name (\text{margin}) adds nothing
		// next to the control's own label; the legend still lists it.
		if s.LaTeX != `\text{`+s.Name+`}` && s.LaTeX != `\mathrm{`+s.Name+`}` {
			symOf[s.Name] = s.LaTeX
		}
	}
	p := templates.LossPage{
		Name: spec.Name, Slug: spec.Slug, Family: spec.Family.Label(st.Lang), Summary: spec.SummaryIn(st.Lang),
		Formula: texIn(spec.Formula, st.Lang), FormulaMarked: texIn(marked, st.Lang), Symbols: symbols,
		IsCTC: isCTC, Lattice: st.View.Lattice, Overlay: st.View.Overlay, Theme: st.View.Theme, Lang: st.Lang,
		CanOverlay: charts.HasOverlays(spec), DType: st.DType,
	}
	if st.View.Element != 0 {
		p.Element = strconv.Itoa(st.View.Element)
	}
	keep := state.State{View: charts.View{Theme: st.View.Theme}, Lang: st.Lang, LangNegotiated: st.LangNegotiated}
	p.ResetURL = "/losses/" + spec.Slug
	if q := state.Query(keep).Encode(); q != "" {
		p.ResetURL += "?" + q
	}
	p.EmbedURL = "/embed/" + spec.Slug
	if q := state.Query(st).Encode(); q != "" {
		p.EmbedURL += "?" + q
	}
	p.Images = templates.ChartImages{Base: "/losses/" + spec.Slug + "/charts/", Query: lossPermalinkQuery(spec, st), Alt: spec.Name, Lang: p.Lang}

	params := map[string]json.RawMessage{}
	for i := range spec.Params {
		prm := &spec.Params[i]
		raw, ok := st.Params[prm.Name]
		if !ok {
			raw, _ = json.Marshal(prm.Default)
		}
		params[prm.Name] = compactJSON(raw)
		p.Controls = append(p.Controls, lossControl(prm, ev.Call, raw, symOf[prm.Name], st.Lang))
	}
	inputs := map[string]json.RawMessage{}
	for i := range spec.Inputs {
		in := &spec.Inputs[i]
		t := ev.Call.Input(in.Name)
		raw := compactJSON(st.Inputs[in.Name])
		inputs[in.Name] = raw
		p.Editors = append(p.Editors, templates.Editor{
			Name: in.Name, Role: in.Role, Doc: in.DocIn(st.Lang), Symbol: symOf[in.Name],
			Integer: in.Integer, Differentiable: in.Differentiable, JSON: string(raw),
			Shape:       shapeLabel(t.Shape, st.Lang),
			ClassTarget: isClassTarget(spec, ev.Call, in),
		})
	}
	p.Result = lossResultView(spec, ev, st)
	for _, id := range lossChartOrder {
		if _, ok := ev.Charts[id]; ok {
			p.ChartIDs = append(p.ChartIDs, id)
		}
	}
	var extra []string
	for id := range ev.Charts {
		if !slices.Contains(lossChartOrder, id) {
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	p.ChartIDs = append(p.ChartIDs, extra...)

	client, err := json.Marshal(struct {
		Spec   *engine.Spec               `json:"spec"`
		Params map[string]json.RawMessage `json:"params"`
		Inputs map[string]json.RawMessage `json:"inputs"`
		View   charts.View                `json:"view"`
		Lang   string                     `json:"lang,omitempty"`
		CTC    bool                       `json:"ctc"`
		DType  string                     `json:"dtype,omitempty"`
	}{spec, params, inputs, view, chosenLang(st), isCTC, st.DType})
	if err != nil {
		return p, fmt.Errorf("page data for %s: %w", spec.Name, err)
	}
	p.ClientJSON = string(client)
	return p, nil
}

// chosenLang is the language the page's URL chose, which its permalink
// keeps; "" when the page follows the browser's.
func chosenLang(st state.State) string {
	if st.LangNegotiated {
		return ""
	}
	return st.Lang
}

// lossPageView is the chart view of a page state: CTC's lattice shows
// alpha unless the state names another.
func lossPageView(spec *engine.Spec, st state.State) charts.View {
	view := st.View
	// The charts speak the page's language; the view carries it over the
	// WebSocket, so live charts keep it.
	view.Lang = st.Lang
	if spec.Name == "CTCLoss" && view.Lattice == "" {
		view.Lattice = "alpha"
	}
	return view
}

// evaluateLossPage computes a page state, with its chart options when
// withCharts is true.
func evaluateLossPage(ctx context.Context, cp *Computer, spec *engine.Spec, st state.State, withCharts bool) (*Evaluation, error) {
	req := &LossRequest{Params: st.Params, Inputs: st.Inputs, Detail: true, DType: st.DType}
	if !withCharts {
		return cp.Evaluate(ctx, spec, req, nil, nil)
	}
	view := lossPageView(spec, st)
	return cp.Evaluate(ctx, spec, req, &view, nil)
}

// compactJSON removes insignificant space from a JSON value.
func compactJSON(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

// lossControl builds one parameter's control from its metadata and its
// validated value in the call.
func lossControl(prm *engine.Param, c *engine.Call, raw json.RawMessage, sym, lang string) templates.Control {
	ctl := templates.Control{Name: prm.Name, Kind: string(prm.Kind), Doc: prm.DocIn(lang), Symbol: sym,
		Values: prm.Values, Deprecated: prm.Deprecated}
	def, _ := json.Marshal(prm.Default)
	ctl.Default = string(def)
	switch prm.Kind {
	case engine.KindFloat:
		v := c.Float(prm.Name)
		ctl.Value = formatExact(v)
		lo, hi, step := prm.SliderMin, prm.SliderMax, prm.Step
		if lo == 0 && hi == 0 {
			hi = math.Max(1, 2*math.Abs(v))
			if prm.Min != nil {
				lo = *prm.Min
			}
		}
		if step == 0 {
			step = (hi - lo) / 100
		}
		ctl.Min, ctl.Max, ctl.Step = formatExact(lo), formatExact(hi), formatExact(step)
	case engine.KindInt:
		ctl.Value = strconv.Itoa(c.Int(prm.Name))
	case engine.KindBool:
		ctl.Checked = c.Bool(prm.Name)
		ctl.Value = strconv.FormatBool(ctl.Checked)
	case engine.KindEnum:
		ctl.Value = c.Enum(prm.Name)
	case engine.KindOptionalBool:
		ctl.Value = string(compactJSON(raw))
	case engine.KindTensor:
		t := c.Tensor(prm.Name)
		if t == nil {
			ctl.Value = "null"
		} else {
			ctl.Checked = true
			ctl.Value = string(t.AppendJSON(nil))
		}
		if prm.PerClass && t != nil {
			for _, v := range t.Data {
				ctl.PerClass = append(ctl.PerClass, formatExact(v))
			}
		}
	}
	return ctl
}

// formatExact writes v with the fewest digits that read back exactly, the
// way JavaScript's String(number) does (so the live script, which shows
// numbers from the WebSocket, writes the same text): fixed notation for
// 1e-6 <= |v| < 1e21, else 1e-7 / 1e+21, and NaN, Infinity, -Infinity.
func formatExact(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case v == 0 || (a >= 1e-6 && a < 1e21):
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(v, 'e', -1, 64)
	s = strings.Replace(s, "e-0", "e-", 1)
	return strings.Replace(s, "e+0", "e+", 1)
}

func shapeLabel(shape []int, lang string) string {
	if len(shape) == 0 {
		return i18n.T(lang, "result.scalar")
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return i18n.T(lang, "result.shape", strings.Join(parts, ", "))
}

// lossResultView turns an evaluation into the result panel, with the
// chart options the page draws first.
func lossResultView(spec *engine.Spec, ev *Evaluation, st state.State) templates.Result {
	r := lossResultPanel(spec, ev, st)
	if ev.Charts != nil {
		b, err := json.Marshal(ev.Charts)
		if err == nil {
			r.ChartsJSON = string(b)
		}
	}
	if r.ChartsJSON == "" {
		r.ChartsJSON = "{}"
	}
	return r
}

// lossResultPanel is the result panel of an evaluation: what the page
// shows beside the charts. The WebSocket sends it with every live result
// (ws_panel.go), so the live page and the server-rendered page agree.
func lossResultPanel(spec *engine.Spec, ev *Evaluation, st state.State) templates.Result {
	res := ev.Result
	lang := i18n.Lang(st.Lang)
	r := templates.Result{Lang: lang, Reduction: ev.Call.Reduction().String(), LossShape: shapeLabel(res.Loss.Shape, lang)}
	if len(res.Loss.Shape) == 0 {
		r.Loss = torchFormat(res.Loss.Data, false)[0]
		r.LossExact = formatExact(res.Loss.Data[0])
	} else {
		r.Loss = i18n.T(lang, "result.perElement")
		r.LossExact = string(res.Loss.AppendJSON(nil))
	}
	r.Explanation = explainReduction(spec, ev.Call, res, lang)
	for _, in := range spec.Inputs {
		t := ev.Call.Input(in.Name)
		caption := in.Name
		g := res.Grads[in.Name]
		if g != nil {
			caption = i18n.T(lang, "result.withGrad", in.Name)
		}
		r.Tensors = append(r.Tensors, tensorView(in.Name, caption, t, g, in.Integer || isClassTarget(spec, ev.Call, &in), lang))
	}
	if res.Elements != nil {
		r.Tensors = append(r.Tensors, tensorView("elements", i18n.T(lang, "result.elements"), res.Elements, nil, false, lang))
	}
	r.Snippet = pytorchSnippet(spec, ev.Call, st)
	r.DType = ev.Call.DType().String()
	if ev.Call.DType() == engine.Float32 {
		markFloat32(&r, spec, ev)
	}
	return r
}

// markFloat32 marks the values of a float32 panel that part from float64:
// each input that rounding to float32 overflowed or flushed to 0, and each
// loss, per-element loss and gradient that differs from the float64
// computation of the same (float32-rounded) inputs by an overflow or a
// loss of precision.
func markFloat32(r *templates.Result, spec *engine.Spec, ev *Evaluation) {
	lang := r.Lang
	r.DTypeNote = i18n.T(lang, "result.dtypeNote")
	twin, err := ev.Call.Float64Twin().Compute()
	if err != nil {
		return // the float32 call passed the same checks; nothing to mark
	}
	if len(ev.Result.Loss.Data) == 1 && len(twin.Loss.Data) == 1 {
		r.LossMark = float32Mark(ev.Result.Loss.Data[0], twin.Loss.Data[0])
	}
	for k := range r.Tensors {
		tv := &r.Tensors[k]
		if tv.Name == "elements" {
			tv.Marks = markRows(tv, ev.Result.Elements, twin.Elements)
			continue
		}
		in := spec.Input(tv.Name)
		if in == nil {
			continue
		}
		if !in.Integer {
			orig := ev.Call.Input(in.Name)
			rounded := &engine.Tensor{Shape: orig.Shape, Data: make([]float64, len(orig.Data))}
			for i, v := range orig.Data {
				rounded.Data[i] = float64(float32(v))
			}
			tv.Marks = markRows(tv, rounded, orig)
		}
		if tv.GradRows != nil {
			tv.GradMarks = markRows(tv, ev.Result.Grads[in.Name], twin.Grads[in.Name])
		}
	}
}

// markRows marks the cells tv shows, comparing got (float32) with want
// (float64) element by element; nil when nothing is marked.
func markRows(tv *templates.TensorView, got, want *engine.Tensor) [][]string {
	if got == nil || want == nil || len(got.Data) != len(want.Data) || len(tv.Rows) == 0 {
		return nil
	}
	cols := len(tv.Rows[0])
	marks := make([][]string, len(tv.Rows))
	marked := false
	for i := range tv.Rows {
		marks[i] = make([]string, len(tv.Rows[i]))
		for j := range tv.Rows[i] {
			if k := i*cols + j; k < len(got.Data) {
				marks[i][j] = float32Mark(got.Data[k], want.Data[k])
				marked = marked || marks[i][j] != ""
			}
		}
	}
	if !marked {
		return nil
	}
	return marks
}

// float32Mark says how a float32 value v parts from its float64 value w:
// "overflow" when v is ±Inf or NaN and w is finite (or another infinity),
// "precision" when v is 0 and w is not, or v is more than 1% off w.
func float32Mark(v, w float64) string {
	switch {
	case math.IsNaN(w) || (math.IsInf(w, 0) && v == w):
		return ""
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "overflow"
	case v == 0 && w != 0, math.Abs(v-w) > 0.01*math.Abs(w):
		return "precision"
	}
	return ""
}

// tensorView lays a tensor out as rows (every dimension but the last)
// and columns (the last), with its gradient cell by cell.
func tensorView(name, caption string, t, grad *engine.Tensor, integer bool, lang string) templates.TensorView {
	tv := templates.TensorView{Name: name, Caption: caption}
	cols := 1
	if len(t.Shape) > 0 {
		cols = t.Shape[len(t.Shape)-1]
	}
	if cols == 0 || len(t.Data) == 0 {
		return tv
	}
	rows := len(t.Data) / cols
	vals := torchFormat(t.Data, integer)
	var gvals []string
	if grad != nil && len(grad.Data) == len(t.Data) {
		gvals = torchFormat(grad.Data, false)
	}
	lead := t.Shape
	if len(lead) > 0 {
		lead = lead[:len(lead)-1]
	}
	if len(t.Shape) >= 1 {
		for j := range cols {
			tv.ColLabels = append(tv.ColLabels, strconv.Itoa(j))
		}
	}
	for i := range rows {
		if i*cols >= lossPageMaxCells {
			tv.Caption += i18n.T(lang, "result.firstRows", i, rows)
			break
		}
		tv.Rows = append(tv.Rows, vals[i*cols:(i+1)*cols])
		if gvals != nil {
			tv.GradRows = append(tv.GradRows, gvals[i*cols:(i+1)*cols])
		}
		if len(lead) > 0 {
			tv.RowLabels = append(tv.RowLabels, indexLabel(i, lead))
		}
	}
	return tv
}

// indexLabel writes flat index i over shape as "i" or "[i,j]".
func indexLabel(i int, shape []int) string {
	if len(shape) == 1 {
		return strconv.Itoa(i)
	}
	idx := make([]string, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = strconv.Itoa(i % shape[d])
		i /= shape[d]
	}
	return "[" + strings.Join(idx, ",") + "]"
}

// torchFormat formats values as PyTorch prints a float tensor with its
// default print options: integers as "2.", fixed with 4 decimals, or
// scientific with 4 decimals when the magnitudes span more than 1000x or
// leave [1e-4, 1e8). Integer tensors print as integers.
func torchFormat(data []float64, integer bool) []string {
	out := make([]string, len(data))
	if integer {
		for i, v := range data {
			out[i] = strconv.FormatFloat(v, 'f', 0, 64)
		}
		return out
	}
	intMode, sci := true, false
	lo, hi := math.Inf(1), 0.0
	for _, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if v != math.Trunc(v) {
			intMode = false
		}
		if a := math.Abs(v); a != 0 {
			lo, hi = math.Min(lo, a), math.Max(hi, a)
		}
	}
	if hi > 0 {
		// As in PyTorch's _Formatter, whole numbers too turn scientific
		// over a wide range (tensor([1., 2000.]) prints 1.0000e+00,
		// 2.0000e+03); lo < 1e-4 cannot hold for them.
		sci = hi/lo > 1000 || hi > 1e8 || lo < 1e-4
	}
	for i, v := range data {
		switch {
		case math.IsNaN(v):
			out[i] = "nan"
		case math.IsInf(v, 1):
			out[i] = "inf"
		case math.IsInf(v, -1):
			out[i] = "-inf"
		case sci:
			out[i] = strconv.FormatFloat(v, 'e', 4, 64)
		case intMode:
			out[i] = strconv.FormatFloat(v, 'f', 0, 64) + "."
		default:
			out[i] = strconv.FormatFloat(v, 'f', 4, 64)
		}
	}
	return out
}

// isClassTarget reports whether a target holds class indices, edited with
// a class picker per element: an integer target (NLLLoss, MultiMarginLoss),
// or a target that may be indices or probabilities (CrossEntropyLoss) when
// it has one dimension fewer than the prediction and holds whole numbers.
// CTC targets are label sequences, typed as text instead.
func isClassTarget(spec *engine.Spec, c *engine.Call, in *engine.InputSpec) bool {
	if in.Role != engine.RoleTarget || spec.Name == "CTCLoss" {
		return false
	}
	if in.Integer {
		return true
	}
	if spec.Param("ignore_index") == nil {
		return false
	}
	var pred *engine.Tensor
	for _, o := range spec.Inputs {
		if o.Differentiable && !o.Integer {
			pred = c.Input(o.Name)
			break
		}
	}
	t := c.Input(in.Name)
	if pred == nil || len(t.Shape) != len(pred.Shape)-1 {
		return false
	}
	for _, v := range t.Data {
		if v != math.Trunc(v) {
			return false
		}
	}
	return true
}

// lossPermalinkQuery is the query string of a page state as the page's
// script writes its permalink: parameters at their defaults and inputs
// equal to the examples are left out.
func lossPermalinkQuery(spec *engine.Spec, st state.State) string {
	short := st
	short.Params = map[string]json.RawMessage{}
	short.Inputs = map[string]json.RawMessage{}
	for k, v := range st.Params {
		if prm := spec.Param(k); prm != nil {
			if def, err := json.Marshal(prm.Default); err == nil && bytes.Equal(compactJSON(v), def) {
				continue
			}
		}
		short.Params[k] = v
	}
	for k, v := range st.Inputs {
		if in := spec.Input(k); in != nil {
			if ex, err := json.Marshal(in.Example); err == nil && bytes.Equal(compactJSON(v), ex) {
				continue
			}
		}
		short.Inputs[k] = v
	}
	return state.Query(short).Encode()
}
