package formula

import (
	"html"
	"html/template"
	"strings"
)

// Formula is one formula as a page shows it.
type Formula struct {
	LaTeX string
	// Plain is tried when LaTeX does not render: the loss page's formula
	// is marked up with \htmlClass and falls back to the formula as
	// registered.
	Plain   string
	Display bool
	// Label names a display formula for assistive technology; it is a
	// keyboard-focusable box (it scrolls sideways on a narrow screen).
	// "Formula" if empty.
	Label string
	// InLink marks a display formula inside a link (a catalog card): it
	// is laid out never to scroll and is not focusable, since the link is,
	// and it is hidden from assistive technology, which would otherwise
	// read the whole formula as part of the link's name on every card
	// (the loss page it leads to reads it).
	InLink bool
}

// HTML renders f with the shared Renderer; see Renderer.HTML.
func HTML(f Formula) template.HTML { return Default().HTML(f) }

// HTML returns the markup of f:
//
//	<span class="math [display] typeset" data-latex="..." data-rendered="1" data-testid="math">KaTeX's HTML</span>
//
// or, when neither LaTeX nor Plain renders (or KaTeX is missing from the
// build), the source as text, marked katex-failed:
//
//	<span class="math [display] katex-failed" data-latex="..." data-latex-plain="..." data-testid="math"><code>Plain or LaTeX</code></span>
//
// A display formula is also a focusable group, so that a keyboard can
// scroll it when it is wider than the screen (unless it sits in a link).
func (r *Renderer) HTML(f Formula) template.HTML {
	var b strings.Builder
	class := "math"
	if f.Display {
		class += " display"
	}
	body, err := r.Render(f.LaTeX, f.Display)
	if err != nil && f.Plain != "" && f.Plain != f.LaTeX {
		body, err = r.Render(f.Plain, f.Display)
	}
	if err == nil {
		class += " typeset"
	} else {
		class += " katex-failed"
	}
	b.WriteString(`<span class="` + class + `" data-latex="` + html.EscapeString(f.LaTeX) + `"`)
	if err != nil && f.Plain != "" {
		b.WriteString(` data-latex-plain="` + html.EscapeString(f.Plain) + `"`)
	}
	if err == nil {
		b.WriteString(` data-rendered="1"`)
	}
	if f.InLink {
		b.WriteString(` aria-hidden="true"`)
	}
	if f.Display && !f.InLink {
		label := f.Label
		if label == "" {
			label = "Formula"
		}
		b.WriteString(` tabindex="0" role="group" aria-label="` + html.EscapeString(label) + `"`)
	}
	b.WriteString(` data-testid="math">`)
	if err == nil {
		b.WriteString(body)
	} else {
		text := f.LaTeX
		if f.Plain != "" {
			text = f.Plain
		}
		b.WriteString("<code>" + html.EscapeString(text) + "</code>")
	}
	b.WriteString("</span>")
	return template.HTML(b.String())
}
