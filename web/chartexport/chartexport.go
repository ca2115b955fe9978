// Package chartexport writes chart images for documentation builds, from
// a manifest that lists page states and chart ids, without a server: each
// image is asked of the playground's own routes in process (the same
// handler, validation and renderer as GET /losses/{slug}/charts/{chart}.svg),
// and written to a file. PNG copies are drawn from the SVGs by headless
// Chromium through chromedp.
//
// A manifest (YAML, or JSON, which YAML reads too):
//
//	defaults: {width: 640, height: 400, theme: light, lang: en}
//	images:
//	  - page: /losses/smooth-l1?beta=0.5   # a page path or URL, as copied from the address bar
//	    chart: curve
//	    file: smooth-l1-curve.svg          # optional; default {page}-{chart}.svg
//	    theme: dark                        # optional, like width, height and lang
package chartexport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Manifest lists the images to write.
type Manifest struct {
	Defaults Settings `yaml:"defaults"`
	Images   []Entry  `yaml:"images"`
}

// Settings are an image's look; an entry's settings override the
// manifest's defaults, which override the playground's.
type Settings struct {
	Width  int    `yaml:"width"`
	Height int    `yaml:"height"`
	Theme  string `yaml:"theme"` // light or dark
	Lang   string `yaml:"lang"`  // en or zh
}

// Entry is one image: a chart of a page state.
type Entry struct {
	Page     string `yaml:"page"`  // "/losses/smooth-l1?beta=0.5", "/compare/margin", or a full URL
	Chart    string `yaml:"chart"` // chart id: curve, elements, gradient, family, lattice; loss, fit, margin, ...
	File     string `yaml:"file"`  // SVG file name under the output directory
	Settings `yaml:",inline"`
}

// ReadManifest reads and checks a manifest file. Unknown keys are errors,
// so that a misspelt "heigth" does not silently give a default size.
func ReadManifest(name string) (*Manifest, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return ParseManifest(b)
}

// ParseManifest parses and checks a manifest.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if len(m.Images) == 0 {
		return nil, errors.New("manifest: images: lists no image")
	}
	files := map[string]int{}
	for i := range m.Images {
		e := &m.Images[i]
		if _, err := e.imagePath(m.Defaults); err != nil {
			return nil, fmt.Errorf("manifest: images[%d]: %w", i, err)
		}
		if e.File == "" {
			e.File = e.defaultFile()
		}
		if err := checkFileName(e.File); err != nil {
			return nil, fmt.Errorf("manifest: images[%d].file: %w", i, err)
		}
		if j, ok := files[e.File]; ok {
			return nil, fmt.Errorf("manifest: images[%d].file: %q is also the file of images[%d]", i, e.File, j)
		}
		files[e.File] = i
	}
	return &m, nil
}

// checkFileName accepts a relative .svg path that stays inside the
// output directory.
func checkFileName(name string) error {
	if !strings.HasSuffix(name, ".svg") {
		return fmt.Errorf("%q must end in .svg", name)
	}
	if filepath.IsAbs(name) || !filepath.IsLocal(name) {
		return fmt.Errorf("%q must be a relative path inside the output directory", name)
	}
	return nil
}

// pageRoute splits a page path into the image route's prefix:
// /losses/{slug} and /embed/{slug} draw loss charts, /compare/{page}
// comparison charts.
func pageRoute(p string) (prefix, name string, err error) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) == 2 && parts[1] != "" {
		switch parts[0] {
		case "losses", "embed":
			return "/losses/" + parts[1], parts[1], nil
		case "compare":
			return "/compare/" + parts[1], "compare-" + parts[1], nil
		}
	}
	return "", "", fmt.Errorf("page: %q is not a loss page (/losses/{slug}), an embed (/embed/{slug}) or a comparison (/compare/{page})", p)
}

// imagePath is the chart image URL (path and query) of e.
func (e *Entry) imagePath(def Settings) (string, error) {
	if e.Page == "" {
		return "", errors.New("page: missing")
	}
	if e.Chart == "" {
		return "", errors.New("chart: missing")
	}
	if strings.ContainsAny(e.Chart, "/?#.") {
		return "", fmt.Errorf("chart: %q is not a chart id", e.Chart)
	}
	u, err := url.Parse(e.Page)
	if err != nil {
		return "", fmt.Errorf("page: %w", err)
	}
	prefix, _, err := pageRoute(u.Path)
	if err != nil {
		return "", err
	}
	q := u.Query()
	s := e.Settings.over(def)
	if s.Width != 0 {
		q.Set("w", strconv.Itoa(s.Width))
	}
	if s.Height != 0 {
		q.Set("h", strconv.Itoa(s.Height))
	}
	if s.Theme != "" {
		q.Set("theme", s.Theme)
	}
	if s.Lang != "" {
		q.Set("lang", s.Lang)
	}
	p := prefix + "/charts/" + e.Chart + ".svg"
	if enc := q.Encode(); enc != "" {
		p += "?" + enc
	}
	return p, nil
}

func (e *Entry) defaultFile() string {
	u, _ := url.Parse(e.Page)
	_, name, _ := pageRoute(u.Path)
	return name + "-" + e.Chart + ".svg"
}

// over returns s with its zero fields taken from def.
func (s Settings) over(def Settings) Settings {
	if s.Width == 0 {
		s.Width = def.Width
	}
	if s.Height == 0 {
		s.Height = def.Height
	}
	if s.Theme == "" {
		s.Theme = def.Theme
	}
	if s.Lang == "" {
		s.Lang = def.Lang
	}
	return s
}

// Options say where and how to write.
type Options struct {
	Dir     string       // output directory, created if missing
	PNG     bool         // also write a PNG next to each SVG (needs Chromium)
	Handler http.Handler // the playground's routes (web.App.Routes)
	// Chromium is the browser for PNGs; "" finds chromium on the PATH.
	Chromium string
}

// Written is one file written.
type Written struct {
	File string // path under Options.Dir
	URL  string // the image URL it was drawn from
}

// Run writes every image of m, in order, and returns the files written.
// It stops at the first image the playground refuses, naming the entry
// and the playground's error.
func Run(ctx context.Context, m *Manifest, opts Options) ([]Written, error) {
	var png *pngWriter
	if opts.PNG {
		var err error
		if png, err = newPNGWriter(ctx, opts.Chromium); err != nil {
			return nil, err
		}
		defer png.close()
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	var out []Written
	for i := range m.Images {
		e := &m.Images[i]
		p, err := e.imagePath(m.Defaults)
		if err != nil {
			return out, fmt.Errorf("images[%d]: %w", i, err)
		}
		svg, err := fetch(ctx, opts.Handler, p)
		if err != nil {
			return out, fmt.Errorf("images[%d] (%s %s): %w", i, e.Page, e.Chart, err)
		}
		file := filepath.Join(opts.Dir, filepath.FromSlash(e.File))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return out, err
		}
		if err := os.WriteFile(file, svg, 0o644); err != nil {
			return out, err
		}
		out = append(out, Written{File: e.File, URL: p})
		if png != nil {
			name := strings.TrimSuffix(e.File, ".svg") + ".png"
			b, err := png.draw(svg)
			if err != nil {
				return out, fmt.Errorf("images[%d]: PNG: %w", i, err)
			}
			if err := os.WriteFile(filepath.Join(opts.Dir, filepath.FromSlash(name)), b, 0o644); err != nil {
				return out, err
			}
			out = append(out, Written{File: name, URL: p})
		}
	}
	return out, nil
}

// fetch asks h for the image at p, in process.
func fetch(ctx context.Context, h http.Handler, p string) ([]byte, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path.Clean("/"+strings.SplitN(p, "?", 2)[0]), nil)
	if i := strings.IndexByte(p, '?'); i >= 0 {
		req.URL.RawQuery = p[i+1:]
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("the playground answered %d: %s", rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	return rec.Body.Bytes(), nil
}
