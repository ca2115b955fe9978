package cost

import (
	"errors"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/engine/compose"
)

func formula(t *testing.T, src string) *compose.Formula {
	t.Helper()
	f, err := compose.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFormulaOverBudget: adversarial formulas and shapes are refused before
// any work, naming the field and the measure.
func TestFormulaOverBudget(t *testing.T) {
	// The longest formula of the most instructions a kilobyte holds:
	// 341 instructions, each over every element.
	long := strings.Repeat("input+", 169) + "input"
	sums := strings.Repeat("sum(", 30) + "input*target" + strings.Repeat(")", 30)
	for _, test := range []struct {
		name          string
		formula       string
		input, target *engine.Tensor
		evals         int
		field, want   string
	}{
		{"a kilobyte of additions on 100,000 elements", long, filled(1, 100000), filled(0, 100000), 1, "input", "formula instructions × elements"},
		{"a page's 101-point sweep of a reduced formula on 50,000 elements", "1 - sum(input*target)/sum(input + target)", filled(1, 50000), filled(0, 50000), 101, "input", "67,108,864"},
		{"broadcast [3000, 1] × [1, 3000]", "(input - target)^2", filled(1, 3000, 1), filled(0, 1, 3000), 1, "target", "shape [3000, 3000]"},
		{"broadcast [1000, 1] × [1, 1000] through 30 instructions", "(input - target)^2 + abs(input - target) + log(cosh(input - target)) + sqrt((input - target)^2 + 1) + max(input, target)", filled(1, 1000, 1), filled(0, 1, 1000), 1, "target", "formula instructions × elements"},
		{"an answer of two million-element gradients", sums, filled(1, 1<<20), filled(0, 1<<20), 1, "input", "the answer would be about 81,788,928 bytes"},
	} {
		t.Run(test.name, func(t *testing.T) {
			err := Default.Check(OfFormula(formula(t, test.formula), test.input, test.target, test.evals))
			var ee *engine.Error
			if !errors.As(err, &ee) {
				t.Fatalf("Check = %v; want an *engine.Error", err)
			}
			if ee.Field != test.field || !strings.Contains(ee.Msg, test.want) {
				t.Errorf("Check = %v; want field %q and a message containing %q", err, test.field, test.want)
			}
		})
	}
}

// TestFormulaWithinBudget: what a student writes on what a page holds fits,
// sweep included.
func TestFormulaWithinBudget(t *testing.T) {
	for _, test := range []struct {
		name    string
		formula string
		n       int
		evals   int
	}{
		{"focal on 1,000 elements", "alpha*target*(1 - sigmoid(input))^gamma*softplus(-input) + (1 - alpha)*(1 - target)*sigmoid(input)^gamma*softplus(input)", 1000, 1},
		{"Dice swept at 101 points on 1,000 elements", "1 - (2*sum(sigmoid(input)*target) + eps)/(sum(sigmoid(input)) + sum(target) + eps)", 1000, 101},
		{"MSE on 100,000 elements", "(input - target)^2", 100000, 1},
	} {
		t.Run(test.name, func(t *testing.T) {
			e := OfFormula(formula(t, test.formula), filled(1, test.n), filled(0, test.n), test.evals)
			if err := Default.Check(e); err != nil {
				t.Errorf("Check = %v; want it within budget", err)
			}
		})
	}
}
