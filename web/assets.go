package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lossplayground/playground/web/compress"
	"github.com/lossplayground/playground/web/templates"
)

// uiStaticFS holds web/static: the pages' own CSS and JavaScript and, once
// `make assets` has run, the vendored ECharts and KaTeX's stylesheet and
// fonts in static/vendor. A missing vendor directory does not break the
// build; the pages then say that charts and formulas cannot be drawn.
//
//go:embed all:static
var uiStaticFS embed.FS

// uiStaticDir is where -dev serves assets from, relative to the repository
// root (where `go run ./cmd/playground` runs).
const uiStaticDir = "web/static"

// uiAssetPrefix is the URL path under which assets are served.
const uiAssetPrefix = "/static/"

// uiImmutableCache is sent with every content-hashed asset: its URL changes
// whenever its bytes do.
const uiImmutableCache = "public, max-age=31536000, immutable"

// uiAsset is one static file with its content-hashed URL.
type uiAsset struct {
	name  string // path under static/, e.g. "app.css" or "vendor/fonts/KaTeX_Main-Regular.woff2"
	url   string // e.g. "/static/app.3f2a9c1b07d4.css"
	etag  string // the content hash
	body  []byte
	gz    []byte // body gzipped, for compressible types (nil otherwise)
	ctype string
}

// uiAssetSet indexes the assets by name and by hashed URL.
type uiAssetSet struct {
	byName   map[string]*uiAsset
	byURL    map[string]*uiAsset
	compress bool
	// gzipped holds the bodies web/build.mjs gzipped already (name.gz
	// beside name), by name; they are used in place of gzipping here.
	gzipped map[string][]byte
}

// uiCSSURL matches the relative url(...) references of a stylesheet
// (KaTeX's fonts), rewritten to hashed URLs.
var uiCSSURL = regexp.MustCompile(`url\(([^)"':]+)\)`)

// loadUIAssets hashes every file of fsys. Stylesheets are hashed after
// their url(...) references have been rewritten to hashed URLs, so a
// changed font changes the stylesheet's URL too.
//
// With compress, compressible files are also gzipped once (the embedded
// set; -dev reads from disk on every request and skips it), or taken
// gzipped from name.gz when the build wrote one (web/build.mjs gzips the
// bundles smaller than gzip here can); a name.gz is not an asset itself.
func loadUIAssets(fsys fs.FS, compress bool) (*uiAssetSet, error) {
	set := &uiAssetSet{byName: map[string]*uiAsset{}, byURL: map[string]*uiAsset{}, compress: compress, gzipped: map[string][]byte{}}
	var files, css []*uiAsset
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".gz") {
			set.gzipped[strings.TrimSuffix(p, ".gz")] = body
			return nil
		}
		a := &uiAsset{name: p, body: body, ctype: uiContentType(p)}
		set.byName[p] = a
		if strings.HasSuffix(p, ".css") {
			css = append(css, a)
			return nil
		}
		files = append(files, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, a := range files {
		set.hash(a)
	}
	for _, a := range css {
		dir := path.Dir(a.name)
		a.body = uiCSSURL.ReplaceAllFunc(a.body, func(m []byte) []byte {
			ref := string(uiCSSURL.FindSubmatch(m)[1])
			if t, ok := set.byName[path.Join(dir, ref)]; ok {
				return []byte("url(" + t.url + ")")
			}
			return m
		})
		set.hash(a)
	}
	return set, nil
}

// uiCompressible lists the types worth gzipping once at start-up:
// echarts.min.js shrinks from about 1.1 MB to about 0.37 MB, which matters
// when a classroom of 300 opens the same page at once.
var uiCompressible = []string{".js", ".css", ".svg", ".json", ".mjs"}

// uiContentType is the Content-Type of an asset. JavaScript goes without
// "; charset=utf-8": a module script is UTF-8 whatever the header says, and
// the bundles are ASCII (esbuild escapes the rest), so the parameter would
// only add 15 bytes to each of a page's script responses.
func uiContentType(name string) string {
	switch ext := path.Ext(name); ext {
	case ".js", ".mjs":
		return "text/javascript"
	default:
		if t := mime.TypeByExtension(ext); t != "" {
			return t
		}
		return "application/octet-stream"
	}
}

func (s *uiAssetSet) hash(a *uiAsset) {
	if gz, ok := s.gzipped[a.name]; ok && s.compress && uiGunzips(gz, a.body) {
		a.gz = gz
	} else if s.compress && slices.Contains(uiCompressible, path.Ext(a.name)) && len(a.body) > 1024 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(a.body)
		if zw.Close() == nil && buf.Len() < len(a.body) {
			a.gz = buf.Bytes()
		}
	}
	sum := sha256.Sum256(a.body)
	h := hex.EncodeToString(sum[:6])
	a.etag = h
	ext := path.Ext(a.name)
	if strings.HasPrefix(a.name, uiBundleDir+"/") {
		// esbuild names bundles by their content already, and the
		// bundles import each other by those names.
		a.url = uiAssetPrefix + a.name
	} else {
		a.url = uiAssetPrefix + strings.TrimSuffix(a.name, ext) + "." + h + ext
	}
	s.byURL[a.url] = a
}

// uiGunzips reports whether gz decodes to body: a name.gz left over from
// an older build must not be served for a newer name.
func uiGunzips(gz, body []byte) bool {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return false
	}
	got, err := io.ReadAll(zr)
	return err == nil && bytes.Equal(got, body)
}

// uiBundleDir is where web/build.mjs writes the bundled page modules
// (static/dist), with manifest.json naming each entry's file and the
// chunks it imports.
const uiBundleDir = "dist"

// uiBundle is one entry of static/dist/manifest.json.
type uiBundle struct {
	File    string   `json:"file"`
	Imports []string `json:"imports"`
}

// entry returns the URL of a page entry module and of the chunks it
// imports (to preload), or "" when the bundles were not built.
func (s *uiAssetSet) entry(name string) (string, []string) {
	a, ok := s.byName[uiBundleDir+"/manifest.json"]
	if !ok {
		return "", nil
	}
	var m map[string]uiBundle
	if json.Unmarshal(a.body, &m) != nil {
		return "", nil
	}
	b, ok := m[name]
	if !ok {
		return "", nil
	}
	url := s.url(uiBundleDir + "/" + b.File)
	if url == "" {
		return "", nil
	}
	var preload []string
	for _, imp := range b.Imports {
		if u := s.url(uiBundleDir + "/" + imp); u != "" {
			preload = append(preload, u)
		}
	}
	return url, preload
}

// url returns the hashed URL of an asset, or "" when it is missing.
func (s *uiAssetSet) url(name string) string {
	if a, ok := s.byName[name]; ok {
		return a.url
	}
	return ""
}

var (
	uiEmbeddedOnce sync.Once
	uiEmbedded     *uiAssetSet
)

// uiAssets returns the asset set: the embedded one, hashed once, or with
// -dev a fresh read of web/static on every call, so edits show on reload.
func (a *App) uiAssets() *uiAssetSet {
	if a.dev {
		set, err := loadUIAssets(os.DirFS(uiStaticDir), false)
		if err == nil {
			return set
		}
		a.log.Warn("dev assets: cannot read "+uiStaticDir+", using the embedded copy", "err", err)
	}
	uiEmbeddedOnce.Do(func() {
		sub, err := fs.Sub(uiStaticFS, "static")
		if err == nil {
			uiEmbedded, err = loadUIAssets(sub, true)
		}
		if err != nil {
			slog.Error("embedded assets unreadable", "err", err)
			uiEmbedded = &uiAssetSet{byName: map[string]*uiAsset{}, byURL: map[string]*uiAsset{}}
		}
		if _, ok := uiEmbedded.byName[uiBundleDir+"/manifest.json"]; !ok {
			slog.Warn("web/static/dist is missing: pages will not be live and charts will not draw; run `make assets` before building")
		}
	})
	return uiEmbedded
}

// Page entry modules (web/build.mjs): each page loads one.
const (
	entrySite    = "site"    // lesson and error pages: theme and header only
	entryCatalog = "catalog" // the catalog
	entryLoss    = "loss"    // loss pages and embeds
	entryCompare = "compare" // comparison pages
	entryClass   = "class"   // a class's own pages: dashboard, waiting and error pages

	// Scripts beside the entry: the blocking script before the first
	// paint, and the lessons' question widgets.
	entryBoot    = "boot"
	entryLessons = "lessons"
)

// uiPreloadedFonts are the KaTeX fonts nearly every formula uses: Main
// (digits, operators, brackets), Math italic (variables), and Size1/Size2
// (display-size sums, fractions' big brackets). Preloading them lets a
// page's first paint use them, so formulas keep their size (no layout
// shift); rarer fonts (bold, calligraphic, AMS) load when used.
var uiPreloadedFonts = []string{
	"vendor/fonts/KaTeX_Main-Regular.woff2",
	"vendor/fonts/KaTeX_Math-Italic.woff2",
	"vendor/fonts/KaTeX_Size1-Regular.woff2",
	"vendor/fonts/KaTeX_Size2-Regular.woff2",
}

// pageAssets gives the templates the URLs they link to, with the entry
// module of the page (entry*). KaTeX's script is not among them: formulas
// are typeset on the server (package formula).
func (a *App) pageAssets(entry string) templates.Assets {
	s := a.uiAssets()
	if entry == "" {
		entry = entrySite
	}
	js, preload := s.entry(entry)
	boot, _ := s.entry(entryBoot)
	lessons, _ := s.entry(entryLessons)
	assets := templates.Assets{
		CSS:       s.url("app.css"),
		JS:        js,
		Preload:   preload,
		KaTeXCSS:  s.url("vendor/katex.min.css"),
		LessonsJS: lessons,
		Favicon:   s.url("favicon.svg"),
		Boot:      boot,
	}
	for _, f := range uiPreloadedFonts {
		if u := s.url(f); u != "" {
			assets.KaTeXFonts = append(assets.KaTeXFonts, u)
		}
	}
	return assets
}

// serveFavicon answers GET /favicon.ico, which browsers ask for on their
// own, with the SVG icon the pages link to.
func (a *App) serveFavicon(w http.ResponseWriter, r *http.Request) {
	s := a.uiAssets()
	asset, ok := s.byName["favicon.svg"]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", asset.ctype)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(asset.body))
}

// serveUIAsset answers GET /static/*: a content-hashed URL gets the file
// with an immutable cache header; anything else is a 404 (pages only link
// to hashed URLs, so a stale one is never served under a new name).
func (a *App) serveUIAsset(w http.ResponseWriter, r *http.Request) {
	s := a.uiAssets()
	asset, ok := s.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", asset.ctype)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if a.dev {
		w.Header().Set("Cache-Control", "no-cache")
	} else {
		w.Header().Set("Cache-Control", uiImmutableCache)
	}
	etag := asset.etag
	body := asset.body
	w.Header().Set("Vary", "Accept-Encoding")
	if asset.gz != nil && compress.AcceptsGzip(r) {
		body = asset.gz
		etag += "-gz"
		w.Header().Set("Content-Encoding", "gzip")
		// ServeContent leaves out the length of an encoded body (for
		// writers that compress on the fly), which would send this one
		// chunked; a Range request still gets its own length from it.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
