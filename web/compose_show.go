package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/engine/compose"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/templates"
)

// entryCompose is the composer's entry module (web/build.mjs).
const entryCompose = "compose"

// composeDefaults is the page's state when its URL gives none.
var composeDefaults = composeState{
	Formula:   "(input - target)^2",
	Input:     "[0.5, -1, 2]",
	Target:    "[0, 0.3, 1]",
	Reduction: "mean",
	Overlay:   "MSELoss",
}

// composeReserved are the page's own query keys: a formula's parameter
// may not be named like one.
var composeReserved = []string{"formula", "input", "target", "reduction", "overlay", "el", "lang", "theme", "w", "h"}

// composeParamDefaults are the values a parameter starts from when the
// URL gives none: the usual values of the losses that use the name.
var composeParamDefaults = map[string]float64{
	"alpha": 0.25, "beta": 1, "gamma": 2, "delta": 1, "tau": 0.9, "eps": 1, "margin": 1, "lambda": 0.5,
}

// composePreset is a ready-made formula.
type composePreset struct {
	Key     string // i18n key compose.preset.<Key>
	Formula string
	Params  map[string]float64
	Input   string
	Target  string
	Overlay string
}

// composePresets are the ready-made formulas: losses torch.nn lacks, and
// built-ins written by hand (the page says which built-in each equals).
var composePresets = []composePreset{
	{"focal", "alpha*target*(1 - sigmoid(input))^gamma*softplus(-input) + (1 - alpha)*(1 - target)*sigmoid(input)^gamma*softplus(input)",
		map[string]float64{"alpha": 0.25, "gamma": 2}, "[2, -1, 0.5, -3]", "[1, 0, 1, 0]", "BCEWithLogitsLoss"},
	{"dice", "1 - (2*sum(sigmoid(input)*target) + eps)/(sum(sigmoid(input)) + sum(target) + eps)",
		map[string]float64{"eps": 1}, "[2, -1, 0.5, -3]", "[1, 0, 1, 0]", "BCEWithLogitsLoss"},
	{"tversky", "1 - (sum(sigmoid(input)*target) + eps)/(sum(sigmoid(input)*target) + alpha*sum(sigmoid(input)*(1 - target)) + beta*sum((1 - sigmoid(input))*target) + eps)",
		map[string]float64{"alpha": 0.3, "beta": 0.7, "eps": 1}, "[2, -1, 0.5, -3]", "[1, 0, 1, 0]", "BCEWithLogitsLoss"},
	{"logcosh", "log(cosh(input - target))", nil, "[0.5, -1, 2]", "[0, 0.3, 1]", "HuberLoss"},
	{"pinball", "max(tau*(target - input), (tau - 1)*(target - input))", map[string]float64{"tau": 0.9}, "[0.5, -1, 2]", "[0, 0.3, 1]", "L1Loss"},
	{"charbonnier", "sqrt((input - target)^2 + eps^2)", map[string]float64{"eps": 0.001}, "[0.5, -1, 2]", "[0, 0.3, 1]", "L1Loss"},
	{"l1", "abs(input - target)", nil, "[0.5, -1, 2]", "[0, 0.3, 1]", "L1Loss"},
	{"mse", "(input - target)^2", nil, "[0.5, -1, 2]", "[0, 0.3, 1]", "MSELoss"},
	{"huber", "where(abs(input - target) < delta, 0.5*(input - target)^2, delta*(abs(input - target) - 0.5*delta))",
		map[string]float64{"delta": 1}, "[0.5, -1, 2]", "[0, 0.3, 1]", "HuberLoss"},
	{"smoothl1", "where(abs(input - target) < beta, 0.5*(input - target)^2/beta, abs(input - target) - 0.5*beta)",
		map[string]float64{"beta": 1}, "[0.5, -1, 2]", "[0, 0.3, 1]", "SmoothL1Loss"},
	{"softmargin", "log1p(exp(-target*input))", nil, "[0.5, -1, 2]", "[1, -1, -1]", "SoftMarginLoss"},
	{"bce", "-(target*max(log(input), -100) + (1 - target)*max(log(1 - input), -100))", nil, "[0.2, 0.7, 0.9]", "[0, 1, 0.5]", "BCELoss"},
}

// composeState is the page's state, as its URL holds it: the texts the
// student typed, kept as typed.
type composeState struct {
	Formula   string
	Params    map[string]string // by name, as typed
	Input     string
	Target    string
	Reduction string
	Overlay   string // a built-in loss's name, or ""
	Element   int
	Lang      string
	Theme     string
}

// parseComposeState reads the page's query. Only the values that cannot
// be shown at all are errors here (a malformed element index, theme or
// overlay); a wrong formula or tensor is the page's live error.
func parseComposeState(q url.Values, lang string) (composeState, error) {
	st := composeDefaults
	st.Lang = lang
	if _, ok := q["formula"]; ok {
		st.Formula = q.Get("formula")
		st.Overlay = ""
	}
	for _, k := range []string{"input", "target", "reduction"} {
		if v, ok := q[k]; ok && len(v) > 0 {
			switch k {
			case "input":
				st.Input = v[0]
			case "target":
				st.Target = v[0]
			case "reduction":
				st.Reduction = v[0]
			}
		}
	}
	if v, ok := q["overlay"]; ok {
		st.Overlay = v[0]
		if st.Overlay == "none" {
			st.Overlay = ""
		}
		if st.Overlay != "" && !slices.ContainsFunc(composeBuiltins(), func(s *engine.Spec) bool { return s.Name == st.Overlay }) {
			return st, &engine.Error{Field: "overlay", Msg: fmt.Sprintf("%q is not a loss of input and target to compare with (try MSELoss)", excerptRaw([]byte(st.Overlay)))}
		}
	}
	if v := q.Get("el"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return st, &engine.Error{Field: "el", Msg: fmt.Sprintf("must be an element index, 0 or more, got %q", excerptRaw([]byte(v)))}
		}
		st.Element = n
	}
	switch t := q.Get("theme"); t {
	case "", "light", "dark":
		st.Theme = t
	default:
		return st, &engine.Error{Field: "theme", Msg: fmt.Sprintf(`must be "light" or "dark", got %q`, excerptRaw([]byte(t)))}
	}
	st.Params = map[string]string{}
	for k, v := range q {
		if !slices.Contains(composeReserved, k) && len(v) > 0 {
			st.Params[k] = v[0]
		}
	}
	return st, nil
}

// request builds the compose request of a state: the formula's parameters
// from the URL, or their usual values. The formula is parsed once here
// for its parameters' names; a reserved name is an error at its position.
func (st *composeState) request() (*ComposeRequest, []compose.Param, error) {
	req := &ComposeRequest{Formula: st.Formula, Reduction: st.Reduction, Params: map[string]json.RawMessage{},
		Inputs: map[string]json.RawMessage{"input": json.RawMessage(st.Input), "target": json.RawMessage(st.Target)}}
	f, err := compose.Parse(st.Formula)
	if err != nil {
		return req, nil, &engine.Error{Field: "formula", Msg: err.Error()}
	}
	params := f.Params()
	for _, p := range params {
		if slices.Contains(composeReserved, p.Name) {
			return req, nil, &engine.Error{Field: "formula", Msg: (&compose.Error{Pos: p.Pos, Msg: fmt.Sprintf("parameter name %q is reserved on this page; choose another", p.Name)}).Error()}
		}
		if v, ok := st.Params[p.Name]; ok {
			req.Params[p.Name] = json.RawMessage(v)
			continue
		}
		v, ok := composeParamDefaults[p.Name]
		if !ok {
			v = 1
		}
		req.Params[p.Name] = json.RawMessage(strconv.FormatFloat(v, 'g', -1, 64))
		st.Params[p.Name] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	for k := range st.Params {
		if !slices.ContainsFunc(params, func(p compose.Param) bool { return p.Name == k }) {
			delete(st.Params, k) // a parameter of an earlier formula
		}
	}
	return req, params, nil
}

// query is the state as a URL query, in a stable order.
func (st *composeState) query() url.Values {
	q := url.Values{}
	q.Set("formula", st.Formula)
	q.Set("input", st.Input)
	q.Set("target", st.Target)
	if st.Reduction != "" && st.Reduction != "mean" {
		q.Set("reduction", st.Reduction)
	}
	if st.Overlay != "" {
		q.Set("overlay", st.Overlay)
	} else {
		q.Set("overlay", "none")
	}
	if st.Element != 0 {
		q.Set("el", strconv.Itoa(st.Element))
	}
	for k, v := range st.Params {
		q.Set(k, v)
	}
	if st.Lang != "" {
		q.Set("lang", st.Lang)
	}
	if st.Theme != "" {
		q.Set("theme", st.Theme)
	}
	return q
}

// composeView computes a state and builds what the page shows: the
// result, the curve's chart option, the built-ins it equals, the PyTorch
// function. A formula or input error is the view's Error (with the
// formula's position), not the handler's: the page shows it beside the
// box. Busy and timeout errors are returned.
// eval is the Computer's EvaluateCompose (a page) or
// EvaluateComposeInTurn (a WebSocket).
func composeView(ctx context.Context, eval composeEvaluator, st *composeState) (templates.ComposePage, error) {
	lang := i18n.Lang(st.Lang)
	p := templates.ComposePage{Lang: lang, Theme: st.Theme, Formula: st.Formula, Input: st.Input, Target: st.Target,
		Reduction: st.Reduction, Overlay: st.Overlay, Element: st.Element}
	if p.Reduction == "" {
		p.Reduction = "mean"
	}
	for _, s := range composeBuiltins() {
		p.Builtins = append(p.Builtins, s.Name)
	}
	for _, pr := range composePresets {
		ps := composeState{Formula: pr.Formula, Input: pr.Input, Target: pr.Target, Overlay: pr.Overlay, Reduction: "mean", Lang: st.Lang, Theme: st.Theme, Params: map[string]string{}}
		for k, v := range pr.Params {
			ps.Params[k] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		p.Presets = append(p.Presets, templates.ComposePreset{Label: i18n.T(lang, "compose.preset."+pr.Key), URL: "/compose?" + ps.query().Encode(), Formula: pr.Formula})
	}
	req, params, err := st.request()
	for _, prm := range params {
		p.Params = append(p.Params, composeSlider(prm.Name, st.Params[prm.Name]))
	}
	if err == nil {
		var ev *composeEvaluation
		ev, err = eval(ctx, req, composeOptions{Curve: true, Element: st.Element, Overlay: st.Overlay, Equals: true})
		if err == nil {
			p.Result = composeResultView(ev, lang)
			p.ChartJSON = composeChart(ev, lang, st.Theme)
			values := map[string]float64{}
			maps := ev.Call.Values
			for k, v := range maps {
				values[k] = v
			}
			p.PyTorch = ev.Call.Formula.PyTorch(composeFuncName(st.Formula), values)
		}
	}
	var ee *engine.Error
	if errors.As(err, &ee) {
		p.Error, p.ErrorField = ee.Error(), ee.Field
		if ee.Field == "formula" {
			p.ErrorPos = composeErrorPos(ee.Msg)
		}
		err = nil
	}
	q := st.query()
	p.Permalink = "/compose?" + q.Encode()
	p.EmbedURL = "/embed/compose?" + q.Encode()
	p.ImageURL = "/compose/charts/curve.svg?" + q.Encode()
	return p, err
}

// composeErrorPos reads the position from a formula error's message ("…
// at 12").
func composeErrorPos(msg string) int {
	i := strings.LastIndex(msg, " at ")
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(msg[i+4:])
	if err != nil {
		return 0
	}
	return n
}

// composeFuncName names the PyTorch function of a formula: a preset's
// name, or my_loss.
func composeFuncName(formula string) string {
	for _, pr := range composePresets {
		if pr.Formula == formula {
			return pr.Key + "_loss"
		}
	}
	return "my_loss"
}

// composeSlider is a parameter's control: a slider whose range is drawn
// from the value (0 to twice it, or around it when negative), and the
// number itself, editable beyond the range.
func composeSlider(name, text string) templates.ComposeParam {
	v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		v = 1
	}
	lo, hi := 0.0, 2*math.Max(math.Abs(v), 0.5)
	if v < 0 {
		lo = -hi
	}
	return templates.ComposeParam{Name: name, Value: text, Min: fmtNum(lo), Max: fmtNum(hi), Step: fmtNum((hi - lo) / 200)}
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// composeResultView is the result panel: the loss, the reduction, the
// gradients and the built-ins the formula equals.
func composeResultView(ev *composeEvaluation, lang string) templates.ComposeResult {
	r := ev.Result
	out := templates.ComposeResult{
		Loss:        string(r.Loss.AppendJSON(nil)),
		GradInput:   string(r.Grads["input"].AppendJSON(nil)),
		GradTarget:  string(r.Grads["target"].AppendJSON(nil)),
		Elements:    string(r.Elements.AppendJSON(nil)),
		Equals:      ev.Equals,
		Scalar:      ev.Call.Formula.Scalar(),
		Reduction:   ev.Call.Reduction.String(),
		Nodes:       ev.Call.Formula.Nodes(),
		NumElements: r.Elements.Numel(),
	}
	// The work is counted over the inputs' broadcast elements, also when
	// the formula sums them into one number.
	out.WorkElements = max(ev.Call.Input.Numel(), ev.Call.Target.Numel())
	if both, err := engine.BroadcastShapes(ev.Call.Input.Shape, ev.Call.Target.Shape); err == nil {
		out.WorkElements = max(out.WorkElements, engine.Numel(both))
	}
	return out
}

// showComposePage renders /compose: the whole composer for the state in
// the URL, computed on the server, complete without script.
func (a *App) showComposePage(w http.ResponseWriter, r *http.Request) error {
	return a.renderCompose(w, r, false)
}

// showComposeEmbed renders /embed/compose: the result and chart alone.
func (a *App) showComposeEmbed(w http.ResponseWriter, r *http.Request) error {
	return a.renderCompose(w, r, true)
}

func (a *App) renderCompose(w http.ResponseWriter, r *http.Request, embed bool) error {
	lang := pageLang(r)
	st, err := parseComposeState(r.URL.Query(), lang)
	if err != nil {
		return &pageError{status: http.StatusBadRequest, heading: i18n.T(lang, "error.badLink"),
			msg: err.Error(), backURL: i18n.Path("/compose", lang), backText: i18n.T(lang, "compose.openDefaults")}
	}
	p, err := composeView(r.Context(), a.compute.EvaluateCompose, &st)
	if err != nil {
		return err
	}
	p.Embed = embed
	status := http.StatusOK
	if p.Error != "" {
		// The page still shows the formula box with the error under it,
		// where the student corrects it.
		status = http.StatusUnprocessableEntity
	}
	meta := pageMeta(r, i18n.T(lang, "compose.title"), lang, st.Theme)
	meta.Script = entryCompose
	meta.Bare = embed
	a.renderPage(w, r, status, meta, templates.ComposeShow(p))
	return nil
}

// showComposeChartImage answers GET /compose/charts/curve.svg: the curve
// of the page's state as an SVG image.
func (a *App) showComposeChartImage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	width, height, err := chartImageSize(q)
	if err != nil {
		return err
	}
	if id := chartImageID(r); id != "curve" {
		return errorStatus(http.StatusNotFound, fmt.Sprintf(`chart: the composer has no chart %q (expected "curve")`, id))
	}
	lang := ""
	switch l := q.Get("lang"); l {
	case "", "en":
	case "zh":
		lang = "zh"
	default:
		return errorStatus(http.StatusBadRequest, `lang: must be "en" or "zh", got `+strconv.Quote(l))
	}
	st, err := parseComposeState(q, lang)
	if err != nil {
		return err
	}
	req, _, err := st.request()
	if err != nil {
		return err
	}
	key := "compose\x00" + st.query().Encode() + "\x00" + strconv.Itoa(width) + "x" + strconv.Itoa(height)
	return a.serveChartImage(w, r, key, width, height, func() (json.RawMessage, error) {
		ev, err := a.compute.EvaluateCompose(r.Context(), req, composeOptions{Curve: true, Element: st.Element, Overlay: st.Overlay})
		if err != nil {
			return nil, err
		}
		return json.RawMessage(composeChart(ev, i18n.Lang(lang), st.Theme)), nil
	})
}
