package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/lossplayground/playground/web"
	"github.com/lossplayground/playground/web/chartexport"
)

// render is `playground render -o DIR [-format svg|png] MANIFEST`: it
// writes the chart images a manifest names (package chartexport) without
// starting a server.
func render(args []string) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: playground render -o DIR [-format svg|png] [-chromium PATH] MANIFEST")
		fs.PrintDefaults()
	}
	dir := fs.String("o", "", "directory to write the images into (created if missing)")
	format := fs.String("format", "svg", `"svg", or "png" to write a PNG next to each SVG (needs Chromium)`)
	chromium := fs.String("chromium", "", "Chromium executable for -format png (default: chromium-headless-shell or chromium on the PATH)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("need -o DIR and one MANIFEST")
	}
	if *format != "svg" && *format != "png" {
		return fmt.Errorf(`-format: must be "svg" or "png", got %q`, *format)
	}
	m, err := chartexport.ReadManifest(fs.Arg(0))
	if err != nil {
		return err
	}
	app, err := web.New(web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	written, err := chartexport.Run(ctx, m, chartexport.Options{Dir: *dir, PNG: *format == "png", Handler: app.Routes(), Chromium: *chromium})
	for _, w := range written {
		fmt.Printf("%s\t%s\n", w.File, w.URL)
	}
	return err
}
