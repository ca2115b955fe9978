package web

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
)

// chartImageTestApp returns an app with a silent logger.
func chartImageTestApp(t testing.TB) *App {
	t.Helper()
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// chartImageGet runs GET path through h with the given headers.
func chartImageGet(h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// svgText checks that body is well-formed XML with an <svg> root and
// returns the text of its <text> elements, joined by newlines.
func svgText(t *testing.T, body []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	var root string
	var text strings.Builder
	inText := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%.300s", err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			if tok.Name.Local == "text" || tok.Name.Local == "tspan" {
				inText++
			}
		case xml.EndElement:
			if tok.Name.Local == "text" || tok.Name.Local == "tspan" {
				inText--
				text.WriteByte('\n')
			}
		case xml.CharData:
			if inText > 0 {
				text.Write(tok)
			}
		}
	}
	if root != "svg" {
		t.Fatalf("root element = %q; want svg", root)
	}
	return text.String()
}

// lossChartIDs returns the chart ids of spec's page in its default state.
func lossChartIDs(t *testing.T, spec *engine.Spec) []string {
	t.Helper()
	st, err := state.Parse(spec, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := buildLossPage(context.Background(), testComputer(), spec, st)
	if err != nil {
		t.Fatal(err)
	}
	return p.ChartIDs
}

// TestChartImageEveryLoss draws every chart of every loss page's default
// state: well-formed SVG whose text names the loss.
func TestChartImageEveryLoss(t *testing.T) {
	h := chartImageTestApp(t).Routes()
	for _, spec := range engine.All() {
		t.Run(spec.Name, func(t *testing.T) {
			ids := lossChartIDs(t, spec)
			if len(ids) == 0 {
				t.Fatalf("%s has no charts", spec.Name)
			}
			for _, id := range ids {
				path := "/losses/" + spec.Slug + "/charts/" + id + ".svg"
				rec := chartImageGet(h, path)
				if rec.Code != http.StatusOK {
					t.Errorf("GET %s: status %d, %s; want 200", path, rec.Code, rec.Body)
					continue
				}
				if ct := rec.Header().Get("Content-Type"); ct != "image/svg+xml" {
					t.Errorf("GET %s: Content-Type = %q; want image/svg+xml", path, ct)
				}
				if text := svgText(t, rec.Body.Bytes()); !strings.Contains(text, spec.Name) {
					t.Errorf("GET %s: the SVG's text does not name %s:\n%s", path, spec.Name, text)
				}
			}
		})
	}
}

// TestChartImageComparePages draws every chart of the comparison pages.
func TestChartImageComparePages(t *testing.T) {
	h := chartImageTestApp(t).Routes()
	tests := []struct {
		page, query string
		charts      []string
		names       string // a loss every chart of the page names
	}{
		{"regression", "beta=0.5", []string{"loss", "derivative", "fit"}, "SmoothL1Loss"},
		{"classification", "logits=2,1,0.1&target=0", []string{"gradient", "probs"}, ""},
		{"margin", "theme=dark", []string{"margin"}, "MultiMarginLoss"},
	}
	for _, test := range tests {
		for _, id := range test.charts {
			t.Run(test.page+"/"+id, func(t *testing.T) {
				path := "/compare/" + test.page + "/charts/" + id + ".svg?" + test.query
				rec := chartImageGet(h, path)
				if rec.Code != http.StatusOK {
					t.Fatalf("GET %s: status %d, %s; want 200", path, rec.Code, rec.Body)
				}
				text := svgText(t, rec.Body.Bytes())
				if test.names != "" && !strings.Contains(text, test.names) {
					t.Errorf("GET %s: the SVG's text does not name %s:\n%s", path, test.names, text)
				}
			})
		}
	}
}

// TestChartImageDeterministic asks two apps (two renderers, separate
// runtimes) for the same URL, twice each (the second from the cache):
// every answer has the same bytes. chartimage's TestDeterministic renders
// repeatedly in one runtime.
func TestChartImageDeterministic(t *testing.T) {
	apps := []http.Handler{chartImageTestApp(t).Routes(), chartImageTestApp(t).Routes()}
	paths := []string{
		"/losses/smooth-l1/charts/curve.svg?beta=0.5",
		"/losses/ctc/charts/lattice.svg?theme=dark",
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			var first []byte
			for i, h := range apps {
				for range 2 {
					rec := chartImageGet(h, path)
					if rec.Code != http.StatusOK {
						t.Fatalf("app %d: GET %s: status %d, %s", i, path, rec.Code, rec.Body)
					}
					if first == nil {
						first = rec.Body.Bytes()
					} else if !bytes.Equal(rec.Body.Bytes(), first) {
						t.Fatalf("app %d: GET %s gave other bytes than the first answer", i, path)
					}
				}
			}
		})
	}
}

func TestChartImageETag(t *testing.T) {
	h := chartImageTestApp(t).Routes()
	path := "/losses/mse/charts/elements.svg?reduction=sum"
	rec := chartImageGet(h, path)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d, %s", path, rec.Code, rec.Body)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatalf("GET %s: no ETag", path)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=") {
		t.Errorf("GET %s: Cache-Control = %q; want public with a max-age", path, cc)
	}
	tests := []struct {
		name, ifNoneMatch string
		want              int
	}{
		{"same tag", etag, http.StatusNotModified},
		{"weak form of the tag", "W/" + etag, http.StatusNotModified},
		{"among others", `"x", ` + etag, http.StatusNotModified},
		{"other tag", `"0123"`, http.StatusOK},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			rec := chartImageGet(h, path, "If-None-Match", test.ifNoneMatch)
			if rec.Code != test.want {
				t.Fatalf("GET with If-None-Match %s: status %d; want %d", test.ifNoneMatch, rec.Code, test.want)
			}
			if test.want == http.StatusNotModified && rec.Body.Len() != 0 {
				t.Errorf("304 with a body of %d bytes", rec.Body.Len())
			}
			if got := rec.Header().Get("ETag"); got != etag {
				t.Errorf("ETag = %s; want %s", got, etag)
			}
		})
	}
	// HEAD: the headers of GET, no body.
	head := httptest.NewRecorder()
	h.ServeHTTP(head, httptest.NewRequest("HEAD", path, nil))
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("ETag") != etag ||
		head.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
		t.Errorf("HEAD %s: status %d, %d body bytes, ETag %s, Content-Length %s; want 200, none, %s, %d",
			path, head.Code, head.Body.Len(), head.Header().Get("ETag"), head.Header().Get("Content-Length"), etag, rec.Body.Len())
	}
	// Another state is another picture.
	other := chartImageGet(h, "/losses/mse/charts/elements.svg?reduction=mean&input=[1,2]&target=[0,0]")
	if other.Code != http.StatusOK || other.Header().Get("ETag") == etag {
		t.Errorf("another state: status %d, ETag %s; want 200 and a tag other than %s", other.Code, other.Header().Get("ETag"), etag)
	}
}

// TestChartImageOptions checks the view keys an image honours.
func TestChartImageOptions(t *testing.T) {
	h := chartImageTestApp(t).Routes()
	tests := []struct {
		name, path string
		want       []string
	}{
		{"size", "/losses/smooth-l1/charts/curve.svg?w=900&h=300", []string{`width="900"`, `height="300"`}},
		{"dark theme", "/losses/smooth-l1/charts/curve.svg?theme=dark", []string{`fill="#15181d"`}},
		{"light theme", "/losses/smooth-l1/charts/curve.svg", []string{`fill="#ffffff"`}},
		{"state", "/losses/smooth-l1/charts/curve.svg?beta=0.25", []string{"SmoothL1Loss"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			rec := chartImageGet(h, test.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: status %d, %s", test.path, rec.Code, rec.Body)
			}
			for _, w := range test.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("GET %s: SVG lacks %s", test.path, w)
				}
			}
		})
	}
}

// TestChartImageBadRequests: every bad URL is a 4xx naming the problem.
func TestChartImageBadRequests(t *testing.T) {
	h := chartImageTestApp(t).Routes()
	tests := []struct {
		name, path string
		status     int
		msg        string
	}{
		{"unknown loss", "/losses/nope/charts/curve.svg", 404, `slug: there is no loss called "nope"`},
		{"unknown chart", "/losses/smooth-l1/charts/nope.svg", 404, `chart: this page has no chart "nope" (it has curve, elements, gradient)`},
		{"lattice of a loss without one", "/losses/mse/charts/lattice.svg", 404, `no chart "lattice"`},
		{"unknown query key", "/losses/smooth-l1/charts/curve.svg?foo=1", 400, `"foo": unknown query parameter for SmoothL1Loss`},
		{"bad theme", "/losses/smooth-l1/charts/curve.svg?theme=pink", 400, "theme:"},
		{"bad lang", "/losses/smooth-l1/charts/curve.svg?lang=fr", 400, "lang:"},
		{"width too small", "/losses/smooth-l1/charts/curve.svg?w=10", 400, "w: must be a whole number of pixels from 480 to 2000"},
		{"the old smallest size, illegible", "/losses/smooth-l1/charts/curve.svg?w=300&h=200", 400, "w: must be a whole number of pixels from 480 to 2000"},
		{"height too small", "/losses/smooth-l1/charts/curve.svg?h=299", 400, "h: must be a whole number of pixels from 300 to 2000"},
		{"height not a number", "/losses/smooth-l1/charts/curve.svg?h=tall", 400, "h: must be a whole number of pixels"},
		{"value the loss refuses", "/losses/smooth-l1/charts/curve.svg?beta=-1", 422, "beta: must be at least 0"},
		{"shapes that do not match", "/losses/mse/charts/curve.svg?input=[1,2,3]&target=[1,2]", 422, "input"},
		{"too many elements", "/losses/mse/charts/curve.svg?input=" + chartImageOnes(2048) + "&target=" + chartImageColumn(2048), 422, "more than the"},
		{"unknown comparison", "/compare/nope/charts/fit.svg", 404, `page: there is no comparison page "nope"`},
		{"unknown comparison chart", "/compare/margin/charts/fit.svg", 404, `chart: this page has no chart "fit"`},
		{"bad comparison theme", "/compare/regression/charts/fit.svg?theme=sepia", 400, `theme: must be "light" or "dark", got "sepia"`},
		{"bad comparison lang", "/compare/margin/charts/margin.svg?lang=fr", 400, `lang: must be "en" or "zh", got "fr"`},
		{"bad comparison setting", "/compare/regression/charts/fit.svg?beta=abc", 400, "beta: must be a finite number"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			rec := chartImageGet(h, test.path)
			if rec.Code != test.status {
				t.Fatalf("GET %s: status %d, %s; want %d", test.path, rec.Code, rec.Body, test.status)
			}
			var body struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("GET %s: body %s is not a JSON error: %v", test.path, rec.Body, err)
			}
			if !strings.Contains(body.Error, test.msg) {
				t.Errorf("GET %s: error %q; want it to say %q", test.path, body.Error, test.msg)
			}
		})
	}
}

// chartImageOnes is a JSON row of n ones; chartImageColumn a column of n
// zeros: they broadcast to n×n elements.
func chartImageOnes(n int) string {
	return "[" + strings.TrimSuffix(strings.Repeat("1,", n), ",") + "]"
}

func chartImageColumn(n int) string {
	return "[" + strings.TrimSuffix(strings.Repeat("[0],", n), ",") + "]"
}

// TestChartImageChinese: ?lang=zh draws the chart's text in Chinese. The
// chart texts are translated by the message catalogue; until the charts
// have Chinese texts, the test says so loudly and skips.
func TestChartImageChinese(t *testing.T) {
	spec, _ := engine.LookupSlug("smooth-l1")
	st, err := state.Parse(spec, url.Values{"lang": {"zh"}})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := evaluateLossPage(context.Background(), testComputer(), spec, st, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.ContainsFunc(string(ev.Charts["curve"]), isHan) {
		t.Skip("CHINESE CHART TEST SKIPPED: the curve chart's option has no Chinese text for lang=zh yet (the message catalogue has not reached the charts)")
	}
	h := chartImageTestApp(t).Routes()
	for _, path := range []string{"/losses/smooth-l1/charts/curve.svg?lang=zh", "/losses/smooth-l1/charts/gradient.svg?lang=zh"} {
		rec := chartImageGet(h, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d, %s", path, rec.Code, rec.Body)
		}
		if text := svgText(t, rec.Body.Bytes()); !strings.ContainsFunc(text, isHan) {
			t.Errorf("GET %s: no Chinese in the SVG's text:\n%s", path, text)
		}
		en := chartImageGet(h, strings.Replace(path, "lang=zh", "lang=en", 1))
		if bytes.Equal(en.Body.Bytes(), rec.Body.Bytes()) {
			t.Errorf("GET %s: same bytes as lang=en", path)
		}
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// TestChartImageTitle checks that an image names the state it shows in
// its <title> (the README's example: SmoothL1 with beta 0.5), and only the
// defaults' name for the defaults.
func TestChartImageTitle(t *testing.T) {
	h := newUITestApp(t)
	for _, test := range []struct{ path, want string }{
		{"/losses/smooth-l1/charts/curve.svg?beta=0.5", "<title>SmoothL1Loss: loss curve (beta = 0.5)</title>"},
		{"/losses/smooth-l1/charts/curve.svg?beta=0.5&reduction=sum&theme=dark&w=480&h=300", "<title>SmoothL1Loss: loss curve (beta = 0.5, reduction = sum)</title>"},
		{"/losses/smooth-l1/charts/curve.svg", "<title>SmoothL1Loss: loss curve</title>"},
		{"/losses/smooth-l1/charts/curve.svg?beta=0.5&lang=zh", "<title>SmoothL1Loss: 损失曲线 (beta = 0.5)</title>"},
		{"/losses/mse/charts/elements.svg?input=[1,2,3,4,5,6,7,8,9,10,11,12]&target=[0,0,0,0,0,0,0,0,0,0,0,0]", "(input = [1,2,3,4,5,6,7,8,9,10,11…, target = [0,0,0,0,0,0,0,0,0,0,0,0…)</title>"},
		{"/compare/regression/charts/loss.svg?beta=2", "(beta = 2)</title>"},
	} {
		res, body := uiGet(t, h, test.path)
		if res.StatusCode != 200 {
			t.Errorf("GET %s = %d", test.path, res.StatusCode)
			continue
		}
		if !strings.Contains(body, test.want) {
			i := strings.Index(body, "<title>")
			t.Errorf("GET %s: title %q; want %s", test.path, body[max(0, i):min(len(body), i+120)], test.want)
		}
	}
}
