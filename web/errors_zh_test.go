package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestErrorsInPageLanguage checks that a page's error says the engine's
// message in the page's language, field named as the API names it, while
// the JSON API answers the same mistake in English.
func TestErrorsInPageLanguage(t *testing.T) {
	h := newUITestApp(t)
	tests := []struct {
		path, want, notWant string
		status              int
	}{
		{"/losses/mse?reduction=bogus&lang=zh", `params.reduction：&#34;bogus&#34; 不是有效的取值（应为 &#34;none&#34;, &#34;mean&#34;, &#34;sum&#34; 之一）`, "is not a valid value", 400},
		{"/losses/smooth-l1?beta=-1&lang=zh", "params.beta：必须不小于 0，实际为 -1", "must be", 400},
		{"/losses/mse?reduction=bogus", "params.reduction: &#34;bogus&#34; is not a valid value", "不是", 400},
		{"/losses/mse/result?reduction=bogus&lang=zh", "不是有效的取值", "is not a valid value", 400},
		{"/losses/cross-entropy?target=[7]&input=[[1,2]]&lang=zh", "越界", "out of bounds", 400},
		{"/losses/mse?nope=1&lang=zh", "MSELoss 的页面没有这个查询参数", "unknown query", 400},
		{"/compare/classification?logits=1&lang=zh", "需要 2 到 10 个类别，实际为 1 个", "need 2", 400},
	}
	for _, test := range tests {
		t.Run(test.path, func(t *testing.T) {
			res, body := uiGet(t, h, test.path)
			if res.StatusCode != test.status {
				t.Fatalf("status = %d; want %d", res.StatusCode, test.status)
			}
			if !strings.Contains(body, test.want) {
				i := strings.Index(body, "error")
				t.Errorf("page lacks %s\n%s", html.UnescapeString(test.want), body[max(0, i-200):min(len(body), i+600)])
			}
			if strings.Contains(body, test.notWant) {
				t.Errorf("page holds %q: not in its language", test.notWant)
			}
		})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/losses/MSELoss?lang=zh",
		strings.NewReader(`{"params": {"reduction": "bogus"}, "inputs": {"input": [1], "target": [0]}}`)))
	if got, want := rec.Body.String(), `{"error":"params.reduction: \"bogus\" is not a valid value (expected one of \"none\", \"mean\", \"sum\")"}`; strings.TrimSpace(got) != want {
		t.Errorf("API answer = %s; want %s (English)", got, want)
	}
}
