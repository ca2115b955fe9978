package web

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/lessons"
)

// newUITestApp returns the app's routes for page tests.
func newUITestApp(t *testing.T) http.Handler {
	t.Helper()
	app, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	return app.Routes()
}

// uiGet serves a GET and returns the response and its body.
func uiGet(t *testing.T, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// engineLoss computes a loss on its examples with the engine, as the
// reference the pages must show.
func engineLoss(t *testing.T, spec *engine.Spec, params map[string]json.RawMessage) string {
	t.Helper()
	inputs := map[string]json.RawMessage{}
	for _, in := range spec.Inputs {
		b, err := json.Marshal(in.Example)
		if err != nil {
			t.Fatal(err)
		}
		inputs[in.Name] = b
	}
	c, err := engine.DecodeCall(spec, params, inputs)
	if err != nil {
		t.Fatalf("%s: DecodeCall(examples) = %v", spec.Name, err)
	}
	res, err := c.Compute()
	if err != nil {
		t.Fatalf("%s: Compute(examples) = %v", spec.Name, err)
	}
	if len(res.Loss.Shape) != 0 {
		return string(res.Loss.AppendJSON(nil))
	}
	return formatExact(res.Loss.Data[0])
}

var uiLossExact = regexp.MustCompile(`data-testid="loss-value" data-exact="([^"]*)"`)

func TestLossPageEveryLoss(t *testing.T) {
	h := newUITestApp(t)
	for _, spec := range engine.All() {
		t.Run(spec.Name, func(t *testing.T) {
			res, body := uiGet(t, h, "/losses/"+spec.Slug)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET /losses/%s status = %d; want 200\n%s", spec.Slug, res.StatusCode, body)
			}
			m := uiLossExact.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("GET /losses/%s shows no loss value", spec.Slug)
			}
			if got, want := m[1], engineLoss(t, spec, nil); got != want {
				t.Errorf("GET /losses/%s loss = %s; want %s", spec.Slug, got, want)
			}
			for _, p := range spec.Params {
				if !strings.Contains(body, `data-testid="param-`+p.Name+`"`) {
					t.Errorf("GET /losses/%s has no control for parameter %s", spec.Slug, p.Name)
				}
			}
			for _, in := range spec.Inputs {
				if !strings.Contains(body, `data-testid="input-`+in.Name+`"`) {
					t.Errorf("GET /losses/%s has no editor for input %s", spec.Slug, in.Name)
				}
			}
			for _, want := range []string{`data-testid="lesson"`, `data-testid="reduction-explain"`, `data-testid="pytorch-snippet"`, `id="lp-data"`, `data-testid="formula"`} {
				if !strings.Contains(body, want) {
					t.Errorf("GET /losses/%s lacks %s", spec.Slug, want)
				}
			}
		})
	}
}

func TestLossPageState(t *testing.T) {
	h := newUITestApp(t)
	spec, ok := engine.LookupSlug("mse")
	if !ok {
		t.Fatal("MSELoss is not registered")
	}
	tests := []struct {
		name   string
		query  url.Values
		params map[string]json.RawMessage
	}{
		{"sum", url.Values{"reduction": {"sum"}}, map[string]json.RawMessage{"reduction": json.RawMessage(`"sum"`)}},
		{"legacy reduce", url.Values{"size_average": {"false"}}, map[string]json.RawMessage{"size_average": json.RawMessage(`false`)}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, body := uiGet(t, h, "/losses/mse?"+test.query.Encode())
			m := uiLossExact.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no loss value in page")
			}
			if got, want := m[1], engineLoss(t, spec, test.params); got != want {
				t.Errorf("loss for %s = %s; want %s", test.query.Encode(), got, want)
			}
		})
	}
}

func TestLossPageBadState(t *testing.T) {
	h := newUITestApp(t)
	tests := []struct {
		name, target string
		wantStatus   int
		wantField    string
	}{
		{"unknown key", "/losses/mse?bogus=1", http.StatusBadRequest, "bogus"},
		{"bad enum", "/losses/mse?reduction=average", http.StatusBadRequest, "reduction"},
		{"bad lattice", "/losses/mse?lattice=gamma", http.StatusBadRequest, "lattice"},
		{"bad theme", "/losses/l1?theme=blue", http.StatusBadRequest, "theme"},
		{"input not a tensor", "/losses/mse?input=hello", http.StatusBadRequest, "input"},
		{"shapes do not broadcast", "/losses/mse?input=[1,2,3,4]", http.StatusBadRequest, "input"},
		{"embed bad state", "/embed/mse?reduction=x", http.StatusBadRequest, "reduction"},
		{"unknown slug", "/losses/no-such-loss", http.StatusNotFound, "no-such-loss"},
		{"unknown embed slug", "/embed/no-such-loss", http.StatusNotFound, "no-such-loss"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			res, body := uiGet(t, h, test.target)
			if res.StatusCode != test.wantStatus {
				t.Fatalf("GET %s status = %d; want %d", test.target, res.StatusCode, test.wantStatus)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("GET %s Content-Type = %q; want text/html", test.target, ct)
			}
			msg := regexp.MustCompile(`data-testid="error-message">([^<]*)<`).FindStringSubmatch(body)
			if msg == nil || !strings.Contains(msg[1], test.wantField) {
				t.Errorf("GET %s error message = %v; want one naming %q", test.target, msg, test.wantField)
			}
			if !strings.Contains(body, `data-testid="error-back"`) {
				t.Errorf("GET %s has no link back", test.target)
			}
		})
	}
}

func TestLossResultFragment(t *testing.T) {
	h := newUITestApp(t)
	tests := []struct {
		target     string
		wantStatus int
		want       string
	}{
		{"/losses/mse/result?reduction=sum", http.StatusOK, `data-exact="5.75"`},
		{"/losses/mse/result?reduction=none", http.StatusOK, "reduction = 'none'"},
		{"/losses/mse/result?reduction=avg", http.StatusBadRequest, "reduction"},
		{"/losses/mse/result?input=[[1,2]]", http.StatusBadRequest, "input"},
		{"/losses/mse/result?reduction=sum&nocharts=1", http.StatusOK, `<script id="lp-charts" type="application/json">{}`},
	}
	for _, test := range tests {
		t.Run(test.target, func(t *testing.T) {
			res, body := uiGet(t, h, test.target)
			if res.StatusCode != test.wantStatus {
				t.Fatalf("GET %s status = %d; want %d\n%s", test.target, res.StatusCode, test.wantStatus, body)
			}
			if !strings.Contains(body, test.want) {
				t.Errorf("GET %s lacks %q:\n%s", test.target, test.want, body)
			}
			if strings.Contains(body, "<html") {
				t.Errorf("GET %s is a whole page; want the result panel alone", test.target)
			}
		})
	}
}

func TestEmbedEveryLoss(t *testing.T) {
	h := newUITestApp(t)
	for _, theme := range []string{"light", "dark"} {
		for _, spec := range engine.All() {
			t.Run(theme+"/"+spec.Name, func(t *testing.T) {
				res, body := uiGet(t, h, "/embed/"+spec.Slug+"?theme="+theme)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET /embed/%s status = %d; want 200", spec.Slug, res.StatusCode)
				}
				if strings.Contains(body, `data-testid="nav"`) || strings.Contains(body, `data-testid="controls"`) {
					t.Errorf("GET /embed/%s shows navigation or controls; want charts and result alone", spec.Slug)
				}
				if !strings.Contains(body, `data-theme="`+theme+`"`) {
					t.Errorf("GET /embed/%s?theme=%s is not in that theme", spec.Slug, theme)
				}
				if m := uiLossExact.FindStringSubmatch(body); m == nil || m[1] != engineLoss(t, spec, nil) {
					t.Errorf("GET /embed/%s loss = %v; want %s", spec.Slug, m, engineLoss(t, spec, nil))
				}
			})
		}
	}
}

func TestCatalogListsEveryLoss(t *testing.T) {
	h := newUITestApp(t)
	res, body := uiGet(t, h, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / status = %d; want 200", res.StatusCode)
	}
	all := engine.All()
	if got, want := strings.Count(body, `data-testid="loss-card"`), len(all); got != want {
		t.Errorf("GET / shows %d loss cards; want %d", got, want)
	}
	for _, s := range all {
		if !strings.Contains(body, `href="/losses/`+s.Slug+`"`) {
			t.Errorf("GET / has no link to %s", s.Name)
		}
	}
	// Families appear in engine.Families order.
	last := -1
	for _, f := range engine.Families {
		i := strings.Index(body, `data-family="`+string(f)+`"`)
		if i < 0 {
			continue
		}
		if i < last {
			t.Errorf("family %q appears out of engine.Families order", f)
		}
		last = i
	}
}

// uiPages lists every page a test should check.
func uiPages() []string {
	pages := []string{"/", "/losses/no-such-loss", "/losses/mse?reduction=bogus"}
	for _, s := range engine.All() {
		pages = append(pages, "/losses/"+s.Slug, "/embed/"+s.Slug)
	}
	return pages
}

func TestPagesSecurityHeadersAndNoExternalURL(t *testing.T) {
	h := newUITestApp(t)
	external := regexp.MustCompile(`(?i)(src|href|action)\s*=\s*"(https?:)?//`)
	for _, p := range uiPages() {
		t.Run(p, func(t *testing.T) {
			res, body := uiGet(t, h, p)
			csp := res.Header.Get("Content-Security-Policy")
			if csp == "" {
				t.Fatalf("GET %s has no Content-Security-Policy", p)
			}
			for _, dir := range strings.Split(csp, ";") {
				dir = strings.TrimSpace(dir)
				if strings.HasPrefix(dir, "script-src") && strings.Contains(dir, "unsafe-inline") {
					t.Errorf("GET %s CSP %q allows inline scripts", p, dir)
				}
			}
			if m := external.FindString(body); m != "" {
				t.Errorf("GET %s links outside the server: %s", p, m)
			}
			// Every <script> either loads from this server or is a JSON data block.
			for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
				if !strings.Contains(tag, `src="/static/`) && !strings.Contains(tag, `type="application/json"`) {
					t.Errorf("GET %s has an inline script %s", p, tag)
				}
			}
		})
	}
}

func TestAssetsHashedAndImmutable(t *testing.T) {
	h := newUITestApp(t)
	_, body := uiGet(t, h, "/losses/mse")
	urls := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(urls) < 2 {
		t.Fatalf("page links %d assets; want at least app.css and the page module", len(urls))
	}
	// Our own files carry a 12-hex hash; esbuild's bundles (static/dist)
	// carry its own 8-character content hash.
	hashed := regexp.MustCompile(`\.[0-9a-f]{12}\.[a-z0-9]+$|^/static/dist/[a-z]+-[0-9A-Z]{8}\.js$`)
	for _, m := range urls {
		u := m[1]
		t.Run(u, func(t *testing.T) {
			if !hashed.MatchString(u) {
				t.Errorf("asset URL %s has no content hash", u)
			}
			res, asset := uiGet(t, h, u)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s status = %d; want 200", u, res.StatusCode)
			}
			if got, want := res.Header.Get("Cache-Control"), "public, max-age=31536000, immutable"; got != want {
				t.Errorf("GET %s Cache-Control = %q; want %q", u, got, want)
			}
			if strings.HasSuffix(u, ".css") {
				for _, ref := range regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(asset, -1) {
					if !strings.HasPrefix(ref[1], "/static/") && !strings.HasPrefix(ref[1], "data:") {
						t.Errorf("%s references %s; want a hashed /static/ URL", u, ref[1])
						continue
					}
					if r, _ := uiGet(t, h, ref[1]); !strings.HasPrefix(ref[1], "data:") && r.StatusCode != http.StatusOK {
						t.Errorf("%s references %s, which answers %d", u, ref[1], r.StatusCode)
					}
				}
			}
		})
	}
	for _, bad := range []string{"/static/app.js", "/static/app.000000000000.js", "/static/../assets.go"} {
		if res, _ := uiGet(t, h, bad); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s status = %d; want 404", bad, res.StatusCode)
		}
	}
}

// TestLossPageLanguage checks that the lesson on a loss page follows
// ?lang= first, then the browser's Accept-Language, and that links keep it.
func TestLossPageLanguage(t *testing.T) {
	h := newUITestApp(t)
	en, zh := lessons.Get("smooth-l1", "en"), lessons.Get("smooth-l1", "zh")
	if en == nil || zh == nil || en.Title == zh.Title {
		t.Fatalf("smooth-l1 lessons: en %v, zh %v; want two distinct titles", en, zh)
	}
	tests := []struct {
		name, query, acceptLanguage string
		want                        *lessons.Lesson
	}{
		{"default", "", "", en},
		{"header", "", "zh-CN,zh;q=0.9,en;q=0.8", zh},
		{"query wins", "?lang=en", "zh-CN", en},
		{"query", "?lang=zh", "", zh},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/losses/smooth-l1"+test.query, nil)
			if test.acceptLanguage != "" {
				req.Header.Set("Accept-Language", test.acceptLanguage)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d; want 200", rec.Code)
			}
			if !strings.Contains(body, html.EscapeString(test.want.Title)) {
				t.Errorf("page does not show the lesson titled %q", test.want.Title)
			}
			if got := strings.Join(rec.Header().Values("Vary"), ", "); !strings.Contains(got, "Accept-Language") {
				t.Errorf("Vary = %q; want Accept-Language", got)
			}
		})
	}
}
