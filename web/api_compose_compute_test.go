package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
)

func TestComposeAPI(t *testing.T) {
	h := apiTestHandler(t)
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"MSE by hand, mean", `{"formula":"(input - target)^2","inputs":{"input":[1,2,3],"target":[1,0,0]}}`,
			200, `{"loss":4.333333333333333,"grads":{"input":[0,1.3333333333333333,2],"target":[0,-1.3333333333333333,-2]}}`},
		{"sum with a parameter", `{"formula":"abs(input - target)^gamma","params":{"gamma":2},"reduction":"sum","inputs":{"input":[1,2],"target":[0,0]}}`,
			200, `{"loss":5,"grads":{"input":[2,4],"target":[-2,-4]}}`},
		{"none keeps the broadcast shape", `{"formula":"input - target","reduction":"none","inputs":{"input":[1,2],"target":[[0],[1]]}}`,
			200, `{"loss":[[1,2],[0,1]],"grads":{"input":[2,2],"target":[[-2],[-2]]}}`},
		{"NaN and Infinity as strings", `{"formula":"log(input)","reduction":"none","inputs":{"input":[0,-1,"Infinity"],"target":0}}`,
			200, `{"loss":["-Infinity","NaN","Infinity"],"grads":{"input":["Infinity",-1,0],"target":0}}`},
		{"a scalar formula ignores the reduction", `{"formula":"sum(input*target)","reduction":"none","inputs":{"input":[1,2],"target":[3,4]}}`,
			200, `{"loss":11,"grads":{"input":[3,4],"target":[1,2]}}`},
		{"unknown function", `{"formula":"frobnicate(input)","inputs":{"input":[1],"target":[1]}}`,
			422, `{"error":"formula: unknown function \"frobnicate\" at 1"}`},
		{"missing parameter", `{"formula":"(input - target)^gamma","inputs":{"input":[1],"target":[1]}}`,
			422, `{"error":"params.gamma: missing parameter \"gamma\": the formula names it at 18; give it a value in params"}`},
		{"parameter not a number", `{"formula":"input*a","params":{"a":"x"},"inputs":{"input":[1],"target":[1]}}`,
			422, `{"error":"params.a: must be a number, got \"x\""}`},
		{"bad reduction", `{"formula":"input","reduction":"max","inputs":{"input":[1],"target":[1]}}`,
			422, `{"error":"reduction: max is not a valid value (expected one of \"none\", \"mean\", \"sum\")"}`},
		{"missing input", `{"formula":"input - target","inputs":{"target":[1]}}`,
			422, `{"error":"input: missing input (the formula uses it)"}`},
		{"unknown input", `{"formula":"input","inputs":{"input":[1],"weight":[1]}}`,
			422, `{"error":"inputs.weight: unknown input (a formula takes input and target)"}`},
		{"shapes that do not broadcast", `{"formula":"input - target","inputs":{"input":[1,2,3],"target":[1,2]}}`,
			422, `{"error":"target: shape [2] does not broadcast with input shape [3]: the size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"}`},
		{"ragged tensor", `{"formula":"input","inputs":{"input":[[1],[1,2]],"target":[1]}}`,
			422, ``},
		{"unknown field", `{"formula":"input","inputs":{"input":[1]},"detail":true}`,
			400, `{"error":"request body: unknown field \"detail\""}`},
		{"not JSON", `{"formula":`, 400, `{"error":"request body: invalid JSON: unexpected end of input"}`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			status, got, _ := apiTestServe(h, "POST", "/api/v1/compose", test.body)
			if status != test.status {
				t.Fatalf("POST /api/v1/compose %s: status %d, %s; want %d", test.body, status, got, test.status)
			}
			if test.want != "" && strings.TrimSpace(got) != test.want {
				t.Errorf("POST /api/v1/compose %s:\n got %s\nwant %s", test.body, strings.TrimSpace(got), test.want)
			}
			if status != 200 && !strings.Contains(got, `"error":`) {
				t.Errorf("error answer %s has no error field", got)
			}
		})
	}
}

// TestComposeAPIOverBudget: the cost model refuses before any work, with
// a 422 naming the field.
func TestComposeAPIOverBudget(t *testing.T) {
	h := apiTestHandler(t)
	big := "[" + strings.Repeat("1,", 99999) + "1]"
	formula := strings.Repeat("input*", 160) + "input"
	body := `{"formula":"` + formula + `","inputs":{"input":` + big + `,"target":0}}`
	status, got, _ := apiTestServe(h, "POST", "/api/v1/compose", body)
	if status != http.StatusUnprocessableEntity || !strings.Contains(got, "input: this call would cost about") {
		t.Errorf("a kilobyte formula on 100,000 elements: status %d, %s; want 422 naming input and the work", status, got)
	}
}

// TestComposeEqualsBuiltins: the hand-written built-ins equal the engine's,
// values and gradients, and the page names them.
func TestComposeEqualsBuiltins(t *testing.T) {
	tests := []struct {
		formula string
		params  string
		input   string
		target  string
		want    string
	}{
		{"(input - target)^2", `{}`, `[0.5,-1,2]`, `[0,0.3,1]`, "MSELoss"},
		{"abs(input - target)", `{}`, `[0.5,-1,2]`, `[0,0.3,1]`, "L1Loss"},
		{"where(abs(input - target) < delta, 0.5*(input - target)^2, delta*(abs(input - target) - 0.5*delta))", `{"delta":1.5}`, `[0.5,-1,2,4]`, `[0,0.3,1,0]`, "HuberLoss"},
		{"where(abs(input - target) < beta, 0.5*(input - target)^2/beta, abs(input - target) - 0.5*beta)", `{"beta":0.7}`, `[0.5,-1,2,4]`, `[0,0.3,1,0]`, "SmoothL1Loss"},
		{"log1p(exp(-target*input))", `{}`, `[0.5,-1,2]`, `[1,-1,1]`, "SoftMarginLoss"},
		{"-(target*max(log(input), -100) + (1 - target)*max(log(1 - input), -100))", `{}`, `[0.2,0.7,0.9]`, `[0,1,0.5]`, "BCELoss"},
	}
	for _, test := range tests {
		for _, red := range []string{"mean", "sum", "none"} {
			t.Run(test.want+"/"+red, func(t *testing.T) {
				req := ComposeRequest{Formula: test.formula, Params: map[string]json.RawMessage{}, Reduction: red,
					Inputs: map[string]json.RawMessage{"input": json.RawMessage(test.input), "target": json.RawMessage(test.target)}}
				if err := json.Unmarshal([]byte(test.params), &req.Params); err != nil {
					t.Fatal(err)
				}
				ev, err := testComputer().EvaluateCompose(context.Background(), &req, composeOptions{Equals: true})
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, name := range ev.Equals {
					found = found || name == test.want
				}
				if !found {
					t.Errorf("%s (%s) equals %v; want %s among them", test.formula, red, ev.Equals, test.want)
				}
			})
		}
	}
	// And a formula that is not MSE is not called MSE.
	req := ComposeRequest{Formula: "(input - target)^2 / 2", Inputs: map[string]json.RawMessage{"input": json.RawMessage(`[0.5,-1,2]`), "target": json.RawMessage(`[0,0.3,1]`)}}
	ev, err := testComputer().EvaluateCompose(context.Background(), &req, composeOptions{Equals: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Equals) != 0 {
		t.Errorf("(input - target)^2 / 2 equals %v; want none", ev.Equals)
	}
}

// TestComposeCurve: the curve's derivative is the gradient at the input's
// own value, and the overlay is the built-in's.
func TestComposeCurve(t *testing.T) {
	req := ComposeRequest{Formula: "(input - target)^2", Reduction: "sum",
		Inputs: map[string]json.RawMessage{"input": json.RawMessage(`[0.5,1]`), "target": json.RawMessage(`[0,0]`)}}
	ev, err := testComputer().EvaluateCompose(context.Background(), &req, composeOptions{Curve: true, Element: 1, Overlay: "MSELoss"})
	if err != nil {
		t.Fatal(err)
	}
	cv := ev.Curve
	if len(cv.X) != curvePoints || len(cv.OverlayLoss) != curvePoints {
		t.Fatalf("curve has %d points, overlay %d; want %d", len(cv.X), len(cv.OverlayLoss), curvePoints)
	}
	for i, x := range cv.X {
		if want := x*x + 0.25; !closeEnough(cv.Loss[i], want) || !closeEnough(cv.OverlayLoss[i], want) {
			t.Errorf("curve at %v = %v, overlay %v; want %v", x, cv.Loss[i], cv.OverlayLoss[i], want)
		}
		if want := 2 * x; !closeEnough(cv.Grad[i], want) || !closeEnough(cv.OverlayGrad[i], want) {
			t.Errorf("derivative at %v = %v, overlay %v; want %v", x, cv.Grad[i], cv.OverlayGrad[i], want)
		}
	}
	if cv.CurrentGradient != 2 || cv.CurrentX != 1 {
		t.Errorf("current point (%v, gradient %v); want (1, 2)", cv.CurrentX, cv.CurrentGradient)
	}
}

func closeEnough(a, b float64) bool { return allClose(engine.Scalar(a), engine.Scalar(b)) }
