package templates

import "github.com/a-h/templ"

// Assets are the content-hashed URLs a page links to. An empty URL means
// the file is missing from the build (static/dist and static/vendor before
// `make assets`).
type Assets struct {
	CSS string
	// JS is the page's entry module (web/build.mjs), Preload the chunks it
	// imports, fetched in parallel with it.
	JS      string
	Preload []string
	// ClassJS is the class's entry module on a student's class page
	// whose own entry is not the loss page's (a comparison page).
	ClassJS  string
	KaTeXCSS string
	// KaTeXFonts are the fonts preloaded with KaTeX's stylesheet.
	KaTeXFonts []string
	// Favicon is the site's icon (SVG).
	Favicon string
	// Boot is the tiny blocking script that sets <html>'s classes before
	// the first paint (ui/boot.js, minified into static/dist by build.mjs).
	Boot string
	// LessonsJS is the lessons' question widgets (ui/lessons.js, an ES
	// module from the lessons branch), or "" when the build has none.
	LessonsJS string
}

// Page is what the layout needs around any content.
type Page struct {
	Title  string
	Lang   string // "en" or "zh"
	Theme  string // "light", "dark", or "" to follow prefers-color-scheme
	Assets Assets
	// LangEN, LangZH, ThemeLight and ThemeDark are the current URL with
	// lang or theme replaced: the switches work without JavaScript.
	LangEN, LangZH        string
	ThemeLight, ThemeDark string
	// Bare drops the header and footer (embeds).
	Bare bool
	// Script names the page's entry module (web/build.mjs): "site" (the
	// default: theme and header only, no ECharts), "catalog", "loss" or
	// "compare".
	Script string
	// ClassCode is the class of a student's page (/c/{code}): the page
	// carries the student's class panel, and its script loads the
	// class's module. ClassError marks an error page the class led to.
	ClassCode  string
	ClassError bool
	// NoMath leaves KaTeX's stylesheet and fonts off a page without a
	// formula (the comparisons, error pages).
	NoMath bool
}

// CatalogFamily is one group of cards on the catalog.
type CatalogFamily struct {
	Name   string // the family as the engine names it (data-family)
	Label  string // the family's name in the page's language
	Losses []CatalogCard
}

// CatalogCard is one loss on the catalog.
type CatalogCard struct {
	Name, Slug, Summary, Formula string
	// Thumbnail is a small chart's ECharts option JSON, or "".
	Thumbnail string
}

// LossPage is everything a loss page shows, built from the engine's
// metadata and one evaluation.
type LossPage struct {
	Name, Slug, Family, Summary string
	Formula                     string // LaTeX as registered (fallback text)
	FormulaMarked               string // LaTeX with \htmlClass around symbols tied to controls
	Symbols                     []Symbol
	Controls                    []Control
	Editors                     []Editor
	Result                      Result
	// ClientJSON is the data block the script starts from: metadata,
	// current params, inputs and view.
	ClientJSON string
	// ChartIDs lists the charts to draw, in page order.
	ChartIDs []string
	IsCTC    bool
	Lattice  string // CTC lattice view
	// Element, Overlay and Theme are the view keys kept by the no-script form.
	Element string
	Overlay bool
	// CanOverlay says the curve can overlay related losses.
	CanOverlay bool
	Theme      string
	Lang       string
	// DType is "float32" when the page computes in float32, else "".
	DType string
	// ResetURL is the page with every default.
	ResetURL string
	// EmbedURL is the embed of the current state.
	EmbedURL string
	// Images locates the SVG image of each chart.
	Images ChartImages
}

// ChartImages says where a page's charts are served as SVG images (GET
// /losses/{slug}/charts/{chart}.svg?<page query>, and the same under
// /compare/{page}/).
type ChartImages struct {
	Base  string // "/losses/smooth-l1/charts/": the chart id and ".svg" follow
	Query string // the page state's query string, without "?"
	Alt   string // what the images show, for Markdown's alt text ("SmoothL1Loss")
	// Lang is the page's language, for the links' labels; the images'
	// own language is the query's lang.
	Lang string
}

// Path is the image URL of chart id without the state.
func (c ChartImages) Path(id string) string { return c.Base + id + ".svg" }

// URL is the image URL of chart id in the page's state.
func (c ChartImages) URL(id string) string {
	if c.Query == "" {
		return c.Path(id)
	}
	return c.Path(id) + "?" + c.Query
}

// Symbol ties a formula symbol to the control or input that sets it.
type Symbol struct {
	Name  string // parameter or input name
	LaTeX string
}

// Control is one constructor parameter.
type Control struct {
	Name, Kind, Doc string
	Symbol          string // LaTeX, or ""
	Value           string // current value as the form submits it
	Default         string
	Min, Max, Step  string // sliders
	Values          []string
	Checked         bool // bool switches; tensors: set (not None)
	PerClass        []string
	Deprecated      bool
}

// Editor is one input tensor's editor.
type Editor struct {
	Name, Role, Doc string
	Symbol          string
	Integer         bool
	Differentiable  bool
	JSON            string // current value
	Shape           string
	// ClassTarget marks class-index targets, edited with pickers.
	ClassTarget bool
}

// Result is the computed part of a loss page, rendered on first paint and
// replaced live. Its JSON form is the "panel" of a WebSocket result
// (docs/protocol.md), which the page's script renders into the same
// elements ResultPanel draws.
type Result struct {
	Lang  string `json:"-"`               // the page's language: "en" or "zh"
	Error string `json:"error,omitempty"` // a user error naming the field; the rest is empty then
	Loss  string `json:"loss"`            // as PyTorch prints it
	// LossExact is the loss with full precision (scalar) or its JSON.
	LossExact string `json:"loss_exact"`
	LossShape string `json:"loss_shape"`
	Reduction string `json:"reduction"`
	// DType is the dtype of every number shown: "float64" or "float32".
	DType string `json:"dtype"`
	// DTypeNote explains the float32 marks (empty in float64); LossMark
	// marks the loss as the tensors' Marks mark their cells.
	DTypeNote   string       `json:"dtype_note,omitempty"`
	LossMark    string       `json:"loss_mark,omitempty"`
	Explanation []string     `json:"explanation"`
	Tensors     []TensorView `json:"tensors"`
	Snippet     string       `json:"snippet"`
	// ChartsJSON maps chart ids to ECharts options (the page's first
	// paint; live results carry charts beside the panel).
	ChartsJSON string `json:"-"`
}

// TensorView is one tensor shown as a grid, with its gradient beside it.
type TensorView struct {
	Name     string     `json:"name"`
	Caption  string     `json:"caption"`
	Rows     [][]string `json:"rows"`
	GradRows [][]string `json:"grad_rows,omitempty"` // nil when the tensor has no gradient
	// RowLabels label the rows when the tensor has more than one
	// dimension; ColLabels the columns when it has at least one.
	RowLabels []string `json:"row_labels,omitempty"`
	ColLabels []string `json:"col_labels,omitempty"`
	// Marks and GradMarks, in float32, mark each shown value (and its
	// gradient) that parts from float64: "overflow" (±Inf or NaN where
	// float64 is finite) or "precision" (0 where float64 is not, or more
	// than 1% off); "" elsewhere. Nil in float64.
	Marks     [][]string `json:"marks,omitempty"`
	GradMarks [][]string `json:"grad_marks,omitempty"`
}

// F32Mark returns the data-f32 attribute of cell (i, j) of marks, if any.
func F32Mark(marks [][]string, i, j int) templ.Attributes {
	if i < len(marks) && j < len(marks[i]) && marks[i][j] != "" {
		return templ.Attributes{"data-f32": marks[i][j]}
	}
	return nil
}

// ClassJoinPage is /join.
type ClassJoinPage struct {
	Lang       string // the page's language
	LangQuery  string // ?lang= as asked, carried through the form and on to /c/{code}
	Code, Name string
	Error      string
}

// ClassQuestionGroup is one lesson's questions.
type ClassQuestionGroup struct {
	Slug, Title string
	Questions   []ClassQuestionOption
}

// ClassQuestionOption is one question in the launcher.
type ClassQuestionOption struct {
	ID, Label string
}
