package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestComposePage: the page is complete without script, in both
// languages, and says what is wrong where.
func TestComposePage(t *testing.T) {
	h := apiTestHandler(t)
	tests := []struct {
		name   string
		query  url.Values
		status int
		want   []string
	}{
		{"defaults", nil, 200, []string{`equals MSELoss on these inputs`, `data-testid="loss">0.9800000000000001<`, `def mse_loss(input, target, reduction=&#34;mean&#34;)`, `href="/compose/charts/curve.svg?`}},
		{"a preset with its parameters", url.Values{"formula": {"sqrt((input - target)^2 + eps^2)"}, "eps": {"0.001"}, "input": {"[1, 2]"}, "target": {"[0, 0]"}},
			200, []string{`name="eps" value="0.001"`, `data-testid="slider-eps"`}},
		{"a parameter from its usual value", url.Values{"formula": {"abs(input - target)^gamma"}}, 200, []string{`name="gamma" value="2"`}},
		{"Chinese", url.Values{"lang": {"zh"}}, 200, []string{`自己写一个损失函数`, `在这些输入上等于 MSELoss`}},
		{"a formula error, marked", url.Values{"formula": {"abs(input) + frob(1)"}}, 422,
			[]string{`formula: unknown function &#34;frob&#34; at 14`, `<mark data-testid="formula-error-mark">f</mark>`, `<textarea id="formula" name="formula"`}},
		{"a reserved parameter name", url.Values{"formula": {"input * lang"}}, 422, []string{`parameter name &#34;lang&#34; is reserved on this page; choose another at 9`}},
		{"a bad tensor", url.Values{"input": {"[1, 2"}}, 422, []string{`data-testid="compose-error">input:`}},
		{"a bad parameter value", url.Values{"formula": {"input*a"}, "a": {"x"}}, 422, []string{`params.a: must be a number`}},
		{"a scalar formula", url.Values{"formula": {"sum(input*target)"}}, 200, []string{`already one number`}},
		{"a bad theme", url.Values{"theme": {"blue"}}, 400, []string{`theme: must be`}},
		{"an unknown overlay", url.Values{"overlay": {"CTCLoss"}}, 400, []string{`overlay: `}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			status, body, _ := apiTestServe(h, "GET", "/compose?"+test.query.Encode(), "")
			if status != test.status {
				t.Fatalf("GET /compose?%s: status %d; want %d", test.query.Encode(), status, test.status)
			}
			for _, w := range test.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET /compose?%s lacks %s", test.query.Encode(), w)
				}
			}
		})
	}
}

func TestComposeEmbedAndImage(t *testing.T) {
	h := apiTestHandler(t)
	status, body, hdr := apiTestServe(h, "GET", "/embed/compose?formula=abs(input-target)&theme=dark", "")
	if status != 200 || !strings.Contains(body, `id="chart-curve"`) || strings.Contains(body, `data-compose-form`) {
		t.Errorf("embed: status %d; want 200 with the chart and without the form", status)
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") {
		t.Errorf("embed CSP = %q; want it framable", csp)
	}
	status, body, hdr = apiTestServe(h, "GET", "/compose/charts/curve.svg?formula=abs(input-target)&lang=zh", "")
	if status == http.StatusServiceUnavailable {
		t.Skip("no chart renderer in this build (make assets)")
	}
	if status != 200 || hdr.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "<svg") {
		t.Errorf("curve.svg: status %d, %s; want an SVG", status, hdr.Get("Content-Type"))
	}
	status, body, _ = apiTestServe(h, "GET", "/compose/charts/curve.svg?formula=frob(1)", "")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `formula: unknown function \"frob\" at 1`) {
		t.Errorf("curve.svg of a bad formula: status %d, %s; want 422 naming the formula", status, body)
	}
}
