package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestAPIDType computes in float32 through the API: SoftMarginLoss past
// x·y = −88.72 is +Inf with a NaN gradient in float32 and finite in
// float64, as in PyTorch.
func TestAPIDType(t *testing.T) {
	h := apiTestHandler(t)
	inputs := `"inputs":{"input":[-89.0],"target":[1.0]},"params":{"reduction":"sum"}`
	tests := []struct {
		name      string
		dtype     string
		wantLoss  string
		wantGrads string
	}{
		{"float32 overflows", `"float32"`, `"Infinity"`, `{"input":["NaN"]}`},
		{"float64", `"float64"`, `89`, `{"input":[-1]}`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			status, body, _ := apiTestServe(h, "POST", "/api/v1/losses/SoftMarginLoss", `{"dtype":`+test.dtype+`,`+inputs+`}`)
			if status != http.StatusOK {
				t.Fatalf("status %d, %s; want 200", status, body)
			}
			var res struct {
				Loss  json.RawMessage `json:"loss"`
				Grads json.RawMessage `json:"grads"`
			}
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatal(err)
			}
			if string(res.Loss) != test.wantLoss || string(res.Grads) != test.wantGrads {
				t.Errorf("loss, grads = %s, %s; want %s, %s", res.Loss, res.Grads, test.wantLoss, test.wantGrads)
			}
		})
	}
}

func TestAPIDTypeErrors(t *testing.T) {
	h := apiTestHandler(t)
	inputs := `"inputs":{"input":[1],"target":[1]}`
	for _, dtype := range []string{`"float16"`, `"Float32"`, `32`} {
		t.Run(dtype, func(t *testing.T) {
			status, body, _ := apiTestServe(h, "POST", "/api/v1/losses/MSELoss", `{"dtype":`+dtype+`,`+inputs+`}`)
			if status/100 != 4 {
				t.Errorf("status = %d; want a 4xx (body %s)", status, body)
			}
			if !strings.Contains(body, "dtype") {
				t.Errorf("error %s does not name dtype", body)
			}
		})
	}
}

func TestAPIListLossesDTypes(t *testing.T) {
	h := apiTestHandler(t)
	_, body, _ := apiTestServe(h, "GET", "/api/v1/losses", "")
	var list struct {
		Losses []struct {
			Name   string   `json:"name"`
			DTypes []string `json:"dtypes"`
		} `json:"losses"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Losses) == 0 {
		t.Fatal("no losses listed")
	}
	for _, l := range list.Losses {
		if want := []string{"float64", "float32"}; !slices.Equal(l.DTypes, want) {
			t.Errorf("%s: dtypes = %v; want %v", l.Name, l.DTypes, want)
		}
	}
}

// TestPageDType: ?dtype=float32 is part of a loss page's and a chart
// image's state; any other value is a 4xx naming dtype.
func TestPageDType(t *testing.T) {
	h := apiTestHandler(t)
	tests := []struct {
		path       string
		wantStatus int
		wantBody   string
	}{
		{"/losses/soft-margin?dtype=float32&input=[-89]&target=[1]", 200, `data-f32="overflow"`},
		{"/losses/soft-margin?dtype=float32&input=[-89]&target=[1]", 200, `data-testid="dtype-note"`},
		{"/losses/soft-margin?dtype=float32&input=[-89]&target=[1]", 200, `dtype=torch.float32`},
		{"/losses/soft-margin?dtype=float32&input=[-89]&target=[1]", 200, `<option value="float32" selected`},
		{"/losses/soft-margin?dtype=float32&input=[-89]&target=[1]", 200, `data-testid="result-dtype">float32<`},
		{"/losses/soft-margin?dtype=float64&input=[-89]&target=[1]", 200, `data-testid="result-dtype">float64<`},
		// The curve overlays float64 on float32 (where they part is visible).
		{"/losses/soft-margin?dtype=float32&input=[-89]&target=[1]", 200, `ℓ float64`},
		{"/losses/soft-margin?dtype=float32&input=[-89]&target=[1]", 200, `reduction 'none' · float32`},
		{"/losses/soft-margin?dtype=float64&input=[-89]&target=[1]", 200, `dtype=torch.float64`},
		{"/losses/soft-margin?dtype=half", 400, "dtype"},
		{"/embed/mse?dtype=float32", 200, ""},
		{"/losses/mse/charts/curve.svg?dtype=float32", 200, "<svg"},
		{"/losses/mse/charts/curve.svg?dtype=int8", 400, "dtype"},
		{"/compare/regression?dtype=float32", 200, `"dtype":"float32"`},
		{"/compare/classification?dtype=float32", 200, `"dtype":"float32"`},
		{"/compare/margin?dtype=float32", 200, `dtype=float32`},
		{"/compare/margin?dtype=double", 400, "dtype"},
		{"/compare/margin/charts/margin.svg?dtype=float32", 200, "<svg"},
	}
	for _, test := range tests {
		t.Run(test.path+"/"+test.wantBody, func(t *testing.T) {
			status, body, _ := apiTestServe(h, "GET", test.path, "")
			if status != test.wantStatus {
				t.Fatalf("status = %d; want %d (body %.300s)", status, test.wantStatus, body)
			}
			if !strings.Contains(body, test.wantBody) {
				t.Errorf("body does not contain %q", test.wantBody)
			}
			if strings.Contains(test.path, "dtype=float64") && (strings.Contains(body, "data-f32") || strings.Contains(body, "ℓ float64")) {
				t.Errorf("a float64 page marks values (data-f32) or overlays float64")
			}
		})
	}
}
