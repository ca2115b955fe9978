package compose

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
)

var pytorchDump = flag.String("pytorch-dump", "", "write every fixture formula's \"Copy as PyTorch\" function and the playground's answer to this file, for testdata/gen/check_pytorch.py")

// TestPyTorchDump writes, with -pytorch-dump, what check_pytorch.py runs
// in PyTorch: every fixture's generated Python function beside the
// playground's loss and input gradient.
func TestPyTorchDump(t *testing.T) {
	if *pytorchDump == "" {
		t.Skip("without -pytorch-dump")
	}
	floats := func(xs []float64) []engine.Float {
		out := make([]engine.Float, len(xs))
		for i, x := range xs {
			out[i] = engine.Float(x)
		}
		return out
	}
	type record struct {
		Code, Reduction           string
		Loss, Grad, Input, Target []engine.Float
		InputShape, TargetShape   []int
	}
	var out []record
	for _, fx := range loadFixtures(t) {
		f, err := Parse(fx.Formula)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := f.Bind(fx.Params)
		var r engine.Result
		if err := f.Eval(context.Background(), &fx.Input, &fx.Target, p, reduction(fx.Reduction), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, record{f.PyTorch("fn", fx.Params), fx.Reduction, floats(r.Loss.Data), floats(r.Grads["input"].Data),
			floats(fx.Input.Data), floats(fx.Target.Data), fx.Input.Shape, fx.Target.Shape})
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*pytorchDump, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPyTorchCode(t *testing.T) {
	tests := []struct {
		formula string
		values  map[string]float64
		want    []string
	}{
		{"(input - target)^2", nil, []string{"def fn(input, target, reduction=\"mean\"):", "loss = (input - target) ** 2.0", "return loss.mean()"}},
		{"-input^2 + (-input)^2 + 2^-input", nil, []string{"loss = -input ** 2.0 + (-input) ** 2.0 + 2.0 ** -input"}},
		{"a - (b - input) / (c * d)", map[string]float64{"a": 1, "b": 2, "c": 3, "d": 4}, []string{"def fn(input, target, a=1.0, b=2.0, c=3.0, d=4.0, reduction", "a = input.new_tensor(a)", "loss = a - (b - input) / (c * d)"}},
		{"where(input > 0, log(input), 0) + max(input, 1) + clamp(input, -1, 1)", nil, []string{"torch.where(input > 0.0, torch.log(input), input.new_tensor(0.0)) + torch.maximum(input, input.new_tensor(1.0)) + torch.clamp(input, input.new_tensor(-1.0), input.new_tensor(1.0))"}},
		{"1/0 * input", nil, []string{"loss = input.new_tensor(1.0) / 0.0 * input"}},
		{"sum(input) / mean(target)", nil, []string{"loss = torch.sum(input) / torch.mean(target)", "return loss  # already a scalar"}},
		{"softplus(input)", nil, []string{"torch.nn.functional.softplus(input)"}},
	}
	for _, test := range tests {
		f, err := Parse(test.formula)
		if err != nil {
			t.Fatal(err)
		}
		got := f.PyTorch("fn", test.values)
		for _, w := range test.want {
			if !strings.Contains(got, w) {
				t.Errorf("PyTorch(%q) =\n%s\nwant it to contain %q", test.formula, got, w)
			}
		}
	}
}
