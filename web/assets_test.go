package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/a-h/templ"
	"github.com/lossplayground/playground/web/templates"
)

func TestLoadUIAssets(t *testing.T) {
	fsys := fstest.MapFS{
		"app.js":                    {Data: []byte("console.log(1)")},
		"vendor/katex.min.css":      {Data: []byte(`@font-face{src:url(fonts/A.woff2) format("woff2")}.x{background:url(data:image/png;base64,AA)}`)},
		"vendor/fonts/A.woff2":      {Data: []byte("font")},
		"vendor/missing-ref.css":    {Data: []byte(`.y{src:url(fonts/none.woff2)}`)},
		"vendor/echarts.min.js":     {Data: []byte("echarts")},
		"vendor/katex.min.js":       {Data: []byte("katex")},
		"vendor/fonts/unused.woff2": {Data: []byte("other font")},
	}
	set, err := loadUIAssets(fsys, true)
	if err != nil {
		t.Fatal(err)
	}
	js := set.url("app.js")
	if !strings.HasPrefix(js, "/static/app.") || !strings.HasSuffix(js, ".js") || len(js) != len("/static/app.")+12+len(".js") {
		t.Errorf("url(app.js) = %q; want /static/app.<12 hex>.js", js)
	}
	font := set.url("vendor/fonts/A.woff2")
	css := string(set.byURL[set.url("vendor/katex.min.css")].body)
	if !strings.Contains(css, "url("+font+")") {
		t.Errorf("katex.min.css = %s; want its font rewritten to %s", css, font)
	}
	if !strings.Contains(css, "url(data:image/png;base64,AA)") {
		t.Errorf("katex.min.css = %s; want data: URLs left alone", css)
	}
	if got := string(set.byURL[set.url("vendor/missing-ref.css")].body); got != `.y{src:url(fonts/none.woff2)}` {
		t.Errorf("a reference to a missing file became %s; want it left alone", got)
	}
	if set.url("nope.js") != "" {
		t.Errorf(`url("nope.js") = %q; want ""`, set.url("nope.js"))
	}

	// Changing a font changes the stylesheet's URL too.
	fsys["vendor/fonts/A.woff2"] = &fstest.MapFile{Data: []byte("font v2")}
	set2, err := loadUIAssets(fsys, true)
	if err != nil {
		t.Fatal(err)
	}
	if set.url("vendor/katex.min.css") == set2.url("vendor/katex.min.css") {
		t.Errorf("katex.min.css URL unchanged after its font changed: %s", set2.url("vendor/katex.min.css"))
	}
}

func TestLayoutSaysWhenVendorIsMissing(t *testing.T) {
	tests := []struct {
		name   string
		assets templates.Assets
		want   bool
	}{
		{"built", templates.Assets{CSS: "/a.css", JS: "/a.js", KaTeXCSS: "/k.css"}, false},
		{"no bundles", templates.Assets{CSS: "/a.css", KaTeXCSS: "/k.css"}, true},
		{"no vendor", templates.Assets{CSS: "/a.css", JS: "/a.js"}, true},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := templates.Layout(templates.Page{Title: "t", Lang: "en", Assets: test.assets}, templ.NopComponent).Render(context.Background(), &buf)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(buf.String(), `data-testid="vendor-missing"`); got != test.want {
				t.Errorf("vendor-missing banner shown = %v; want %v", got, test.want)
			}
			if test.want && strings.Contains(buf.String(), `src=""`) {
				t.Errorf("layout links an empty script URL")
			}
		})
	}
}

func TestServeUIAssetGzip(t *testing.T) {
	h := newUITestApp(t)
	_, page := uiGet(t, h, "/losses/mse")
	m := regexp.MustCompile(`<script type="module" src="(/static/dist/loss-[0-9A-Z]+\.js)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the MSE page links no loss entry module")
	}
	_, plain := uiGet(t, h, m[1])
	tests := []struct {
		name, accept string
		wantGzip     bool
	}{
		{"gzip", "gzip, deflate, br", true},
		{"no header", "", false},
		{"refused", "gzip;q=0", false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, m[1], nil)
			if test.accept != "" {
				req.Header.Set("Accept-Encoding", test.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			gotGzip := rec.Header().Get("Content-Encoding") == "gzip"
			if gotGzip != test.wantGzip {
				t.Fatalf("Accept-Encoding %q: gzipped = %v; want %v", test.accept, gotGzip, test.wantGzip)
			}
			body := rec.Body.Bytes()
			if gotGzip {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if string(body) != plain {
				t.Errorf("Accept-Encoding %q: body differs from the plain file", test.accept)
			}
			if got := rec.Header().Get("Cache-Control"); got != uiImmutableCache {
				t.Errorf("Cache-Control = %q; want %q", got, uiImmutableCache)
			}
		})
	}
}
