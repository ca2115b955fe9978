package templates

import (
	"html/template"
	"strings"
)

// promoteHeadings moves every heading of a lesson's HTML up one level.
// Lessons are rendered once for the loss page, where they sit under the
// page's h1 and the lesson title's h2, so their "## Parameters" is an h3;
// on a page of their own the title is the h1, and the sections must be h2
// (axe's heading-order: no level skipped). The HTML is goldmark's and
// KaTeX's, which write tags in lower case and escape any "<" in text.
func promoteHeadings(html template.HTML) template.HTML {
	return template.HTML(headingPromoter.Replace(string(html)))
}

var headingPromoter = strings.NewReplacer(
	"<h3", "<h2", "</h3>", "</h2>",
	"<h4", "<h3", "</h4>", "</h3>",
	"<h5", "<h4", "</h5>", "</h4>",
	"<h6", "<h5", "</h6>", "</h5>",
)
