package compare

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/lossplayground/playground/engine"
)

// Bounds of a fit request.
const (
	MaxFitPoints = 200
	MaxFitSteps  = 2000
	MaxFitLR     = 1.0
	// MaxFitCoord bounds |x| and |y| of a point: far beyond any chart,
	// small enough that no loss overflows.
	MaxFitCoord = 1000.0
	// MaxFitStart bounds a starting line's slope and intercept.
	MaxFitStart = 1e6
)

// FitRequest asks for lines fitted to Points under each of Losses by
// Steps steps of gradient descent with learning rate LR, from the line
// y = 0.
type FitRequest struct {
	Points [][]float64                   `json:"points"` // [x, y] pairs
	Losses []string                      `json:"losses"`
	Params map[string]map[string]float64 `json:"params,omitempty"`
	Steps  int                           `json:"steps"`
	LR     float64                       `json:"lr"`
	// Start optionally gives each loss's starting line, in Losses order
	// (a fit restarted while an outlier is dragged continues from the
	// lines shown); without it every line starts at y = 0.
	Start []Line `json:"start,omitempty"`
}

// DefaultFit is the regression page's starting data: seven points near
// y = 0.5·x + 1 and, at x = 3, an outlier far above the line.
func DefaultFit() FitRequest {
	xs := []float64{-3, -2, -1, 0, 1, 2, 3}
	noise := []float64{0.15, -0.2, 0.1, -0.1, 0.2, -0.15, 0}
	pts := make([][]float64, len(xs))
	for i, x := range xs {
		pts[i] = []float64{x, 0.5*x + 1 + noise[i]}
	}
	pts[len(pts)-1][1] = 6 // the outlier: the clean line says 2.5
	return FitRequest{Points: pts, Losses: slices.Clone(RegressionLosses),
		Params: map[string]map[string]float64{"SmoothL1Loss": {"beta": 1}, "HuberLoss": {"delta": 1}},
		Steps:  400, LR: 0.05}
}

// isFitLoss reports whether spec is a pointwise regression loss: input
// against target, nothing else.
func isFitLoss(spec *engine.Spec) bool {
	return spec.Family == engine.FamilyRegression && len(spec.Inputs) == 2 &&
		spec.Input("input") != nil && spec.Input("target") != nil
}

// FitLosses lists the registered losses a fit accepts.
func FitLosses() []string {
	var out []string
	for _, s := range engine.All() {
		if isFitLoss(s) {
			out = append(out, s.Name)
		}
	}
	return out
}

// Validate checks every field, naming the first bad one.
func (r *FitRequest) Validate() error {
	if n := len(r.Points); n < 2 || n > MaxFitPoints {
		return &engine.Error{Field: "points", Msg: fmt.Sprintf("need 2 to %d [x, y] points, got %d", MaxFitPoints, n)}
	}
	for i, p := range r.Points {
		if len(p) != 2 {
			return &engine.Error{Field: "points[" + strconv.Itoa(i) + "]", Msg: fmt.Sprintf("need a pair [x, y], got %d numbers", len(p))}
		}
		for j, v := range p {
			name := "points[" + strconv.Itoa(i) + "][" + strconv.Itoa(j) + "]"
			if err := checkRange(name, v, -MaxFitCoord, MaxFitCoord, false); err != nil {
				return err
			}
		}
	}
	if len(r.Losses) == 0 {
		return &engine.Error{Field: "losses", Msg: "missing: name one or more of " + fmt.Sprint(FitLosses())}
	}
	for i, name := range r.Losses {
		field := "losses[" + strconv.Itoa(i) + "]"
		spec, ok := engine.Lookup(name)
		if !ok {
			return &engine.Error{Field: field, Msg: fmt.Sprintf("unknown loss %s (a fit takes %v)", quote(name), FitLosses())}
		}
		if !isFitLoss(spec) {
			return &engine.Error{Field: field, Msg: fmt.Sprintf("%s is not a pointwise regression loss (a fit takes %v)", name, FitLosses())}
		}
		if slices.Index(r.Losses, name) < i {
			return &engine.Error{Field: field, Msg: name + " is listed twice"}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Params)) {
		if !slices.Contains(r.Losses, name) {
			return &engine.Error{Field: "params", Msg: fmt.Sprintf("%s is not one of the fitted losses", quote(name))}
		}
		if _, ok := r.Params[name]["reduction"]; ok {
			return &engine.Error{Field: "params." + name + ".reduction", Msg: "a fit always uses reduction 'mean'"}
		}
	}
	if r.Start != nil && len(r.Start) != len(r.Losses) {
		return &engine.Error{Field: "start", Msg: fmt.Sprintf("need one line per loss (%d), got %d", len(r.Losses), len(r.Start))}
	}
	for i, l := range r.Start {
		f := "start[" + strconv.Itoa(i) + "]"
		if err := checkRange(f+".slope", l.Slope, -MaxFitStart, MaxFitStart, false); err != nil {
			return err
		}
		if err := checkRange(f+".intercept", l.Intercept, -MaxFitStart, MaxFitStart, false); err != nil {
			return err
		}
	}
	if r.Steps < 1 || r.Steps > MaxFitSteps {
		return &engine.Error{Field: "steps", Msg: fmt.Sprintf("must be between 1 and %d, got %d", MaxFitSteps, r.Steps)}
	}
	return checkRange("lr", r.LR, 0, MaxFitLR, true)
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strconv.Quote(s)
}

// FitLine is one loss's line at a step, with the loss at that line.
type FitLine struct {
	Loss      string  `json:"loss"`
	Slope     float64 `json:"slope"`
	Intercept float64 `json:"intercept"`
	Value     float64 `json:"value"`
}

// FitRun is a validated fit in progress: one Fitter per loss.
type FitRun struct {
	req     FitRequest
	fitters []*Fitter
	step    int
}

// NewFitRun validates r and prepares its fitters.
func NewFitRun(r FitRequest) (*FitRun, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	xs := make([]float64, len(r.Points))
	ys := make([]float64, len(r.Points))
	for i, p := range r.Points {
		xs[i], ys[i] = p[0], p[1]
	}
	run := &FitRun{req: r}
	for _, name := range r.Losses {
		params := map[string]any{}
		for k, v := range r.Params[name] {
			params[k] = v
		}
		f, err := NewFitter(name, params, xs, ys, Line{}, r.LR)
		if err != nil {
			var ee *engine.Error
			if errors.As(err, &ee) {
				return nil, &engine.Error{Field: "params." + name + "." + trimParams(ee.Field), Msg: ee.Msg}
			}
			return nil, err
		}
		if r.Start != nil {
			f.Line = r.Start[len(run.fitters)]
		}
		run.fitters = append(run.fitters, f)
	}
	return run, nil
}

// trimParams drops the engine's "params." prefix from a field name.
func trimParams(field string) string {
	if len(field) > 7 && field[:7] == "params." {
		return field[7:]
	}
	return field
}

// Step is the number of gradient-descent steps taken so far.
func (r *FitRun) Step() int { return r.step }

// Steps is the number of steps the run takes in all.
func (r *FitRun) Steps() int { return r.req.Steps }

// Done reports whether every step has been taken.
func (r *FitRun) Done() bool { return r.step >= r.req.Steps }

// Advance takes up to k more steps (never beyond Steps). A line that stops
// being finite fails the run with an error naming lr.
func (r *FitRun) Advance(k int) error {
	for ; k > 0 && r.step < r.req.Steps; k-- {
		for _, f := range r.fitters {
			if _, err := f.Step(); err != nil {
				return err
			}
			if bad(f.Line.Slope) || bad(f.Line.Intercept) {
				return &engine.Error{Field: "lr", Msg: fmt.Sprintf("gradient descent diverged under %s at step %d; try a smaller lr than %g", f.spec.Name, r.step+1, r.req.LR)}
			}
		}
		r.step++
	}
	return nil
}

// Lines appends every loss's current line and loss value to dst.
func (r *FitRun) Lines(dst []FitLine) ([]FitLine, error) {
	for _, f := range r.fitters {
		v, err := f.Value()
		if err != nil {
			return dst, err
		}
		if bad(v) {
			return dst, &engine.Error{Field: "lr", Msg: fmt.Sprintf("the %s loss overflowed at step %d; try a smaller lr than %g", f.spec.Name, r.step, r.req.LR)}
		}
		dst = append(dst, FitLine{Loss: f.spec.Name, Slope: f.Line.Slope, Intercept: f.Line.Intercept, Value: v})
	}
	return dst, nil
}

func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
