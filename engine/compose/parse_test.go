package compose

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lossplayground/playground/engine"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		formula string
		want    string
	}{
		{"frobnicate(input)", `unknown function "frobnicate" at 1`},
		{"(input - target)^2 + frob(1)", `unknown function "frob" at 22`},
		{"", "empty formula; write a loss such as (input - target)^2 at 1"},
		{"   ", "empty formula; write a loss such as (input - target)^2 at 1"},
		{"(input - target", `unclosed "(" at 1`},
		{"input - target)", `unmatched ")" at 15`},
		{"input +", "unexpected end of formula; a value is missing at 8"},
		{"input ** 2", `"**" is not an operator here; write powers with "^" at 7`},
		{"input = target", `unexpected "="; compare with "==" at 7`},
		{"input > 0", "a comparison is only allowed as where's condition, as in where(input > 0, a, b) at 7"},
		{"where(input, 1, 0)", "where's condition must be a comparison such as input > 0 at 7"},
		{"where(0 < input < 1, 1, 0)", "comparisons do not chain; compare two values at 17"},
		{"max(input)", "max takes 2 arguments, got 1 at 1"},
		{"abs(input, target)", "abs takes 1 argument, got 2 at 1"},
		{"clamp(input, 0)", "clamp takes 3 arguments, got 2 at 1"},
		{"sum()", "sum takes 1 argument, got 0 at 1"},
		{"abs", "abs is a function; call it as abs(...) at 1"},
		{"abs(input", "unclosed abs( at 1"},
		{"1.2.3", `malformed number "1.2." at 1`},
		{"2x", `malformed number "2x" at 1`},
		{"input # comment", `unexpected character '#' at 7`},
		{"αβ + input", `unexpected character 'α' at 1`},
		{"(α) + frob(1)", `unexpected character 'α' at 2`},
		{"input input", `unexpected "input" at 7`},
		{strings.Repeat("(", 70) + "input" + strings.Repeat(")", 70), "formula is nested more than 64 deep at 65"},
		{strings.Repeat("-", 70) + "input", "formula is nested more than 64 deep at 64"},
		{strings.Repeat("input+", 200), "formula is longer than 1024 bytes at 1025"},
		{"a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q", "more than 16 parameters at 33"},
		{"averyveryveryveryverylongparametername1", "parameter name longer than 32 characters at 1"},
		{"\xff", "formula is not valid UTF-8 at 1"},
	}
	for _, test := range tests {
		t.Run(test.formula, func(t *testing.T) {
			_, err := Parse(test.formula)
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) error = %v (%T); want *Error %q", test.formula, err, err, test.want)
			}
			if err.Error() != test.want {
				t.Errorf("Parse(%q) error = %q; want %q", test.formula, err, test.want)
			}
		})
	}
}

func TestParsePrecedence(t *testing.T) {
	tests := []struct {
		formula string
		x       float64
		want    float64
	}{
		{"-input^2", 3, -9},
		{"2^input^2", 2, 16}, // right-associative: 2^(2^2)
		{"2^-input", 1, 0.5},
		{"1 - input - 1", 5, -5},
		{"8 / input / 2", 2, 2},
		{"1 + 2 * input", 3, 7},
		{"(1 + 2) * input", 3, 9},
		{"- - input", 3, 3},
		{"+input", 3, 3},
		{".5 * input", 4, 2},
		{"1e1 + 2E-1 * input", 10, 12},
		{"where(input*2 >= 3 + 1, 1, 0)", 2, 1},
		{"1e999 - input", 1, inf},
		{"input * 1e-999", 5, 0},
	}
	for _, test := range tests {
		t.Run(test.formula, func(t *testing.T) {
			got := evalScalar(t, test.formula, test.x)
			if got != test.want {
				t.Errorf("%s at input=%v = %v; want %v", test.formula, test.x, got, test.want)
			}
		})
	}
}

var inf = math.Inf(1)

func evalScalar(t *testing.T, formula string, x float64) float64 {
	t.Helper()
	f, err := Parse(formula)
	if err != nil {
		t.Fatal(err)
	}
	var r engine.Result
	if err := f.Eval(context.Background(), engine.Scalar(x), engine.Scalar(0), nil, engine.ReductionSum, &r); err != nil {
		t.Fatal(err)
	}
	return r.Loss.Data[0]
}

func TestBindNamesParameters(t *testing.T) {
	f, err := Parse("abs(input - target)^gamma * alpha")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		values map[string]float64
		want   string
	}{
		{map[string]float64{"alpha": 1}, `params.gamma: missing parameter "gamma": the formula names it at 21; give it a value in params`},
		{map[string]float64{"alpha": 1, "gamma": 2, "beta": 3}, `params.beta: the formula has no parameter "beta" (it names alpha, gamma)`},
	}
	for _, test := range tests {
		_, err := f.Bind(test.values)
		var ee *engine.Error
		if !errors.As(err, &ee) || err.Error() != test.want {
			t.Errorf("Bind(%v) = %v; want *engine.Error %q", test.values, err, test.want)
		}
	}
	if got := f.Params(); len(got) != 2 || got[0].Name != "gamma" || got[1].Name != "alpha" {
		t.Errorf("Params() = %v; want gamma then alpha", got)
	}
}

func TestEvalBroadcastError(t *testing.T) {
	f, _ := Parse("input - target")
	var r engine.Result
	err := f.Eval(context.Background(), engine.NewTensor(3), engine.NewTensor(2), nil, engine.ReductionMean, &r)
	var ee *engine.Error
	if !errors.As(err, &ee) || ee.Field != "target" {
		t.Errorf("Eval with shapes [3] and [2] = %v; want an *engine.Error naming target", err)
	}
}

func TestEvalStopsWithContext(t *testing.T) {
	f, _ := Parse("(input - target)^2")
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("client left")
	cancel(cause)
	var r engine.Result
	err := f.Eval(ctx, engine.NewTensor(3), engine.NewTensor(3), nil, engine.ReductionMean, &r)
	if !errors.Is(err, cause) {
		t.Errorf("Eval after cancel = %v; want %v", err, cause)
	}
}

func TestNodeElements(t *testing.T) {
	tests := []struct {
		formula            string
		nIn, nTarget, both int64
		want               int64
	}{
		// input(3) target(3) sub(3) const(1) pow(3)
		{"(input - target)^2", 3, 3, 3, 13},
		// input(2) target(6) sub(6) sum(1) const(1) div(1)
		{"sum(input - target) / 2", 2, 6, 6, 17},
		{"input", 1 << 40, 1 << 40, 1 << 40, 1 << 40},
	}
	for _, test := range tests {
		f, err := Parse(test.formula)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.NodeElements(test.nIn, test.nTarget, test.both); got != test.want {
			t.Errorf("%s: NodeElements(%d, %d, %d) = %d; want %d", test.formula, test.nIn, test.nTarget, test.both, got, test.want)
		}
	}
}

// FuzzParse: no formula panics the parser or the evaluator, errors carry a
// position inside the formula, and the work is bounded by the formula's
// length.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"(input - target)^2", "abs(input - target)", "-input^2", "2^-input^-target",
		"where(input > 0, log(input), 0)", "clamp(input, lo, hi)", "sum(input)/mean(target)",
		"1 - (2*sum(sigmoid(input)*target) + eps)/(sum(sigmoid(input)) + sum(target) + eps)",
		"max(tau*(target - input), (tau - 1)*(target - input))", "((((input))))", "1e309", ".5e-3",
		"frobnicate(x)", "input ** 2", "a = b", "where(0 < input < 1, 1, 0)", "(", ")", ",", "αβγ", "\xff",
		strings.Repeat("(", 100), strings.Repeat("-", 100) + "1", strings.Repeat("a+", 600),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fm, err := Parse(src)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) error %v is a %T; want *Error", src, err, err)
			}
			if fe.Pos < 1 || fe.Pos > utf8.RuneCountInString(src)+1 && utf8.ValidString(src) {
				t.Fatalf("Parse(%q) error %q at position %d, outside the formula", src, fe.Msg, fe.Pos)
			}
			return
		}
		if n := fm.Nodes(); n > len(src) {
			t.Fatalf("Parse(%q): %d instructions from %d bytes", src, n, len(src))
		}
		values := map[string]float64{}
		for _, p := range fm.Params() {
			values[p.Name] = 0.5
		}
		p, err := fm.Bind(values)
		if err != nil {
			t.Fatal(err)
		}
		var r engine.Result
		x := &engine.Tensor{Shape: []int{2, 2}, Data: []float64{-1, 0, 0.5, 2}}
		y := &engine.Tensor{Shape: []int{2}, Data: []float64{0, 1}}
		if err := fm.Eval(context.Background(), x, y, p, engine.ReductionMean, &r); err != nil {
			t.Fatalf("Eval(%q): %v", src, err)
		}
		_ = fm.PyTorch("loss_fn", values)
	})
}
