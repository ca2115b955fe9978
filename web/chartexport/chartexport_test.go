package chartexport_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lossplayground/playground/web"
	"github.com/lossplayground/playground/web/chartexport"
)

func routes(t *testing.T) *web.App {
	t.Helper()
	app, err := web.New(web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

const testManifest = `
defaults: {width: 500, height: 300, lang: en}
images:
  - page: https://playground.example/losses/smooth-l1?beta=0.5
    chart: curve
    file: smooth-l1.svg
  - page: /embed/ctc
    chart: lattice
    theme: dark
    width: 800
    file: sub/ctc-dark.svg
  - page: /compare/margin?at=-1
    chart: margin
  - page: /losses/mse
    chart: elements
  - page: /losses/smooth-l1
    chart: gradient
    lang: zh
    file: zh/smooth-l1-gradient.svg
  - page: /compare/regression
    chart: loss
    lang: zh
    file: zh/regression-loss.svg
`

// TestRunWritesManifestFiles runs a manifest through the real routes and
// checks every file it names: present, an SVG of the asked size, drawing
// the asked state.
func TestRunWritesManifestFiles(t *testing.T) {
	m, err := chartexport.ParseManifest([]byte(testManifest))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	written, err := chartexport.Run(context.Background(), m, chartexport.Options{Dir: dir, Handler: routes(t).Routes()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		want []string
	}{
		{"smooth-l1.svg", []string{`width="500"`, `height="300"`, "SmoothL1Loss", "0.5"}},
		{"sub/ctc-dark.svg", []string{`width="800"`, `height="300"`, "CTCLoss", `fill="#15181d"`}},
		{"compare-margin-margin.svg", []string{`width="500"`, "MultiMarginLoss"}},
		{"mse-elements.svg", []string{"MSELoss"}},
		{"zh/smooth-l1-gradient.svg", []string{"SmoothL1Loss", "梯度"}},
		{"zh/regression-loss.svg", []string{"SmoothL1Loss", "残差"}},
	}
	if len(written) != len(tests) {
		t.Errorf("Run wrote %d files (%v); want %d", len(written), written, len(tests))
	}
	for i, test := range tests {
		t.Run(test.file, func(t *testing.T) {
			if i < len(written) && written[i].File != test.file {
				t.Errorf("written[%d] = %s; want %s", i, written[i].File, test.file)
			}
			b, err := os.ReadFile(filepath.Join(dir, test.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := xml.Unmarshal(b, new(struct {
				XMLName xml.Name `xml:"svg"`
			})); err != nil {
				t.Errorf("%s is not an SVG document: %v", test.file, err)
			}
			for _, w := range test.want {
				if !bytes.Contains(b, []byte(w)) {
					t.Errorf("%s lacks %s", test.file, w)
				}
			}
		})
	}
}

func TestRunNamesRefusedImage(t *testing.T) {
	m, err := chartexport.ParseManifest([]byte("images:\n  - {page: /losses/mse, chart: curve}\n  - {page: \"/losses/mse?reduction=most\", chart: curve, file: bad.svg}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = chartexport.Run(context.Background(), m, chartexport.Options{Dir: t.TempDir(), Handler: routes(t).Routes()})
	if err == nil || !strings.Contains(err.Error(), "images[1]") || !strings.Contains(err.Error(), "reduction") {
		t.Errorf("Run with a bad reduction in images[1]: err = %v; want one naming images[1] and reduction", err)
	}
}

func TestParseManifestErrors(t *testing.T) {
	tests := []struct {
		name, manifest, want string
	}{
		{"empty", "", "images: lists no image"},
		{"unknown key", "images:\n  - {page: /losses/mse, chart: curve, heigth: 3}\n", "heigth"},
		{"no page", "images:\n  - {chart: curve}\n", "images[0]: page: missing"},
		{"no chart", "images:\n  - {page: /losses/mse}\n", "images[0]: chart: missing"},
		{"not a page", "images:\n  - {page: /lessons/mse, chart: curve}\n", "is not a loss page"},
		{"file escapes", "images:\n  - {page: /losses/mse, chart: curve, file: ../x.svg}\n", "inside the output directory"},
		{"file not svg", "images:\n  - {page: /losses/mse, chart: curve, file: x.png}\n", "must end in .svg"},
		{"same file twice", "images:\n  - {page: /losses/mse, chart: curve}\n  - {page: \"/losses/mse?reduction=sum\", chart: curve}\n", "also the file of images[0]"},
		{"JSON", `{"images": [{"page": "/losses/mse", "chart": 7, "x": 1}]}`, "x"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := chartexport.ParseManifest([]byte(test.manifest))
			if err == nil || !strings.Contains(err.Error(), test.want) {
				t.Errorf("ParseManifest(%q) = %v; want an error containing %q", test.manifest, err, test.want)
			}
		})
	}
}

// TestRunPNG draws PNGs with Chromium: each at twice the SVG's size.
func TestRunPNG(t *testing.T) {
	if chartexport.FindChromium() == "" {
		if os.Getenv("LOSS_PLAYGROUND_REQUIRE_BROWSER") == "1" {
			t.Fatal("no Chromium found; LOSS_PLAYGROUND_REQUIRE_BROWSER=1 requires it")
		}
		t.Skip("PNG EXPORT TEST SKIPPED: no Chromium found (apt-get install chromium-headless-shell)")
	}
	m, err := chartexport.ParseManifest([]byte("images:\n  - {page: /losses/smooth-l1, chart: curve, width: 480, height: 300}\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := chartexport.Run(context.Background(), m, chartexport.Options{Dir: dir, PNG: true, Handler: routes(t).Routes()}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "smooth-l1-curve.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("smooth-l1-curve.png: %v", err)
	}
	if cfg.Width != 960 || cfg.Height != 600 {
		t.Errorf("PNG is %d×%d; want 960×600 (the 480×300 SVG at scale 2)", cfg.Width, cfg.Height)
	}
}

func TestRunPNGWithoutChromium(t *testing.T) {
	m, err := chartexport.ParseManifest([]byte("images:\n  - {page: /losses/mse, chart: curve}\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err = chartexport.Run(context.Background(), m, chartexport.Options{Dir: dir, PNG: true, Chromium: filepath.Join(dir, "no-chromium"), Handler: routes(t).Routes()})
	if !errors.Is(err, chartexport.ErrNoChromium) {
		t.Errorf("Run -format png without Chromium: err = %v; want ErrNoChromium", err)
	}
}

// TestREADMEImagesCurrent renders docs/images/manifest.yaml and compares
// the bytes with the committed pictures, which another process wrote: the
// images are the same in every process, and the README shows what the
// playground draws today.
func TestREADMEImagesCurrent(t *testing.T) {
	const docs = "../../docs/images"
	m, err := chartexport.ReadManifest(filepath.Join(docs, "manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	written, err := chartexport.Run(context.Background(), m, chartexport.Options{Dir: dir, Handler: routes(t).Routes()})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range written {
		got, err := os.ReadFile(filepath.Join(dir, w.File))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(docs, w.File))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("docs/images/%s differs from what %s draws now: if the chart changed on purpose, regenerate with\n\tgo run ./cmd/playground render -o docs/images docs/images/manifest.yaml", w.File, w.URL)
		}
	}
}
