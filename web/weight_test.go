package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lossplayground/playground/engine"
)

// lossPageJSBudget is what a loss page may send of JavaScript on a cold
// load, counted on the wire: every response's status line, headers and
// gzipped body, for the page's <script src> and <link rel=modulepreload>
// files and the chunks those import statically. Code loaded with import()
// on demand (ECharts parts, the class modules) is not counted: a student
// who never opens a tooltip never downloads it, and a chart that needs a
// part asks for it when it comes into sight. TestBrowserCTCLattice counts
// the first view of the page with the most parts, CTC, in the browser.
const lossPageJSBudget = 200 * 1024

var (
	// weightScriptRef finds the script and module-preload URLs of a page.
	weightScriptRef = regexp.MustCompile(`<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+)"`)
	// weightStaticImport finds a bundle's static imports (import{..}from"./x.js"
	// or import"./x.js"); import("./x.js") has a parenthesis and is left out.
	weightStaticImport = regexp.MustCompile(`(?:\bfrom|\bimport)\s*"(\./[^"]+\.js)"`)
)

// weightConn is one keep-alive connection to the server, as a browser
// holds it for a page and its scripts; it counts the bytes it receives.
type weightConn struct {
	conn net.Conn
	host string
	n    int // bytes read from the socket
	br   *bufio.Reader
}

func (c *weightConn) Read(p []byte) (int, error) {
	n, err := c.conn.Read(p)
	c.n += n
	return n, err
}

func weightDial(t *testing.T, srv *httptest.Server) *weightConn {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &weightConn{conn: conn, host: srv.Listener.Addr().String()}
	c.br = bufio.NewReader(c)
	return c
}

// get sends a GET as a browser would (gzip accepted) and returns the
// bytes the server sent for it (status line, headers and body, as they
// came off the socket), those of the status line and headers alone, the
// response and its body as sent (still gzipped, if it was).
func (c *weightConn) get(t *testing.T, target string) (wire, header int, resp *http.Response, body []byte) {
	t.Helper()
	before := c.n - c.br.Buffered()
	fmt.Fprintf(c.conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n", target, c.host)
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	header = c.n - c.br.Buffered() - before
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", target, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d; want 200", target, resp.StatusCode)
	}
	return c.n - c.br.Buffered() - before, header, resp, body
}

// weightFile is one JavaScript response of a page.
type weightFile struct {
	url         string
	wire, head  int
	contentType string
}

// TestLossPageJavaScriptWeight fetches every loss page, then every
// script it names and every chunk those import, and fails when a page's
// JavaScript outweighs lossPageJSBudget.
func TestLossPageJavaScriptWeight(t *testing.T) {
	app, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Routes())
	defer srv.Close()

	specs := engine.All()
	if len(specs) != 21 {
		t.Errorf("engine.All() has %d losses; the budget was measured on 21", len(specs))
	}
	var lightest, heaviest int
	for _, spec := range specs {
		page := "/losses/" + spec.Slug
		t.Run(spec.Slug, func(t *testing.T) {
			conn := weightDial(t, srv)
			_, _, resp, html := conn.get(t, page)
			if resp.Header.Get("Content-Encoding") == "gzip" {
				html = weightGunzip(t, html)
			}
			var queue []string
			for _, m := range weightScriptRef.FindAllSubmatch(html, -1) {
				queue = append(queue, string(m[1]))
			}
			seen := map[string]bool{}
			var files []weightFile
			modules := 0
			for len(queue) > 0 {
				ref := queue[0]
				queue = queue[1:]
				u, err := url.Parse(ref)
				if err != nil {
					t.Fatalf("%s: script URL %q: %v", page, ref, err)
				}
				if u.Host != "" {
					t.Fatalf("%s: script %q from another host; every script is served here", page, ref)
				}
				if seen[u.Path] {
					continue
				}
				seen[u.Path] = true
				wire, head, resp, body := conn.get(t, u.Path)
				if resp.Header.Get("Content-Encoding") == "" && len(body) > 1024 {
					t.Errorf("%s: %s (%d bytes) is served uncompressed to a client that accepts gzip", page, u.Path, len(body))
				}
				files = append(files, weightFile{url: u.Path, wire: wire, head: head, contentType: resp.Header.Get("Content-Type")})
				if strings.HasPrefix(u.Path, uiAssetPrefix+uiBundleDir+"/") {
					modules++
				}
				js := body
				if resp.Header.Get("Content-Encoding") == "gzip" {
					js = weightGunzip(t, body)
				}
				for _, m := range weightStaticImport.FindAllSubmatch(js, -1) {
					queue = append(queue, path.Join(path.Dir(u.Path), string(m[1])))
				}
			}
			if modules == 0 {
				t.Fatalf("%s names no bundled module (static/dist missing? run `make assets`)", page)
			}
			total, heads := 0, 0
			for _, f := range files {
				total += f.wire
				heads += f.head
			}
			if lightest == 0 || total < lightest {
				lightest = total
			}
			heaviest = max(heaviest, total)
			t.Logf("%s: %d bytes of JavaScript in %d responses (%d of them headers); budget %d", page, total, len(files), heads, lossPageJSBudget)
			if total > lossPageJSBudget {
				slices.SortFunc(files, func(a, b weightFile) int { return b.wire - a.wire })
				var big []string
				for _, f := range files[:min(5, len(files))] {
					big = append(big, fmt.Sprintf("%s %d", f.url, f.wire))
				}
				t.Errorf("%s sends %d bytes of JavaScript (headers included); want at most %d. Biggest: %s",
					page, total, lossPageJSBudget, strings.Join(big, ", "))
			}
		})
	}
	t.Logf("loss pages: %d to %d bytes of JavaScript on the wire; budget %d", lightest, heaviest, lossPageJSBudget)
}

// weightGunzip decodes a gzipped body.
func weightGunzip(t *testing.T, body []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLoadUIAssetsTakesBuiltGzip checks that a bundle's gzip written by
// the build (name.gz) is sent as it is, and that one which does not decode
// to the bundle (left over from another build) is not.
func TestLoadUIAssetsTakesBuiltGzip(t *testing.T) {
	body := bytes.Repeat([]byte("export const lossPlayground = 1;\n"), 100)
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression) // unlike anything the server writes
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	tests := []struct {
		name     string
		built    []byte // dist/a.js.gz
		wantUsed bool
	}{
		{"matching", gz(body), true},
		{"stale", gz(append([]byte("// older\n"), body...)), false},
		{"not gzip", []byte("nope"), false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			set, err := loadUIAssets(fstest.MapFS{
				"dist/a.js":    {Data: body},
				"dist/a.js.gz": {Data: test.built},
			}, true)
			if err != nil {
				t.Fatal(err)
			}
			a := set.byName["dist/a.js"]
			if a == nil || a.gz == nil {
				t.Fatalf("dist/a.js = %+v; want it gzipped", a)
			}
			if used := bytes.Equal(a.gz, test.built); used != test.wantUsed {
				t.Errorf("built gzip used = %v; want %v", used, test.wantUsed)
			}
			if got := weightGunzip(t, a.gz); !bytes.Equal(got, body) {
				t.Errorf("gzipped body decodes to %d bytes; want the %d of dist/a.js", len(got), len(body))
			}
			if _, ok := set.byName["dist/a.js.gz"]; ok {
				t.Errorf("dist/a.js.gz is an asset of its own; want it only as a.js's gzip")
			}
			if got := a.ctype; got != "text/javascript" {
				t.Errorf("Content-Type of a.js = %q; want text/javascript", got)
			}
		})
	}
}
