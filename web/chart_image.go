package web

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/state"
	"github.com/lossplayground/playground/web/chartimage"
)

// Chart images: GET /losses/{slug}/charts/{chart}.svg?<page query> and
// GET /compare/{page}/charts/{chart}.svg?<page query> draw one chart of
// the page state in the query as SVG, with ECharts on the server
// (package chartimage). The query is the page's own permalink query, plus
// w and h for the image size.

// chartImageCache is the Cache-Control of a chart image. The state lives
// in the URL, so a URL's picture changes only when the playground itself
// is updated: caches keep it a day and then revalidate with the ETag.
const chartImageCache = "public, max-age=86400, stale-while-revalidate=604800"

// chartImageMaxOption bounds the option JSON sent to ECharts: a larger
// chart (hundreds of thousands of bars) would take seconds to draw and
// megabytes to send, and is refused before any drawing starts.
const chartImageMaxOption = 1 << 20

// chartImageRetryAfter is the Retry-After, in seconds, of a 503 answered
// while every renderer is busy.
const chartImageRetryAfter = "2"

// chartImageSize reads ?w= and ?h= (removing them from q: they are no page
// state), w in [chartimage.MinWidth, chartimage.MaxSize] and h in
// [chartimage.MinHeight, chartimage.MaxSize].
func chartImageSize(q url.Values) (w, h int, err error) {
	w, h = chartimage.DefaultW, chartimage.DefaultH
	for _, f := range []struct {
		key   string
		dst   *int
		least int
	}{{"w", &w, chartimage.MinWidth}, {"h", &h, chartimage.MinHeight}} {
		v, ok := q[f.key]
		q.Del(f.key)
		if !ok || len(v) == 0 {
			continue
		}
		n, err := strconv.Atoi(v[len(v)-1])
		if err != nil || n < f.least || n > chartimage.MaxSize {
			return 0, 0, errorStatus(http.StatusBadRequest, fmt.Sprintf("%s: must be a whole number of pixels from %d to %d, got %q",
				f.key, f.least, chartimage.MaxSize, v[len(v)-1]))
		}
		*f.dst = n
	}
	return w, h, nil
}

// chartImageID is the {chart} of the URL (the route strips ".svg").
func chartImageID(r *http.Request) string { return chi.URLParam(r, "chart") }

// showLossChartImage answers GET /losses/{slug}/charts/{chart}.svg.
func (a *App) showLossChartImage(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	spec, ok := engine.LookupSlug(slug)
	if !ok {
		return errorStatus(http.StatusNotFound, fmt.Sprintf("slug: there is no loss called %q", slug))
	}
	q := r.URL.Query()
	width, height, err := chartImageSize(q)
	if err != nil {
		return err
	}
	st, err := state.Parse(spec, q)
	if err != nil {
		return chartImageBadQuery(err)
	}
	if st.Lang == "" {
		// An image URL means the same picture for every reader: no
		// Accept-Language negotiation as on the page.
		st.Lang = "en"
	}
	id := chartImageID(r)
	title := spec.Name + ": " + i18n.T(st.Lang, "js.chart."+id) + chartStateCaption(lossPermalinkQuery(spec, st))
	key := "loss\x00" + spec.Slug + "\x00" + id + "\x00" + chartImageStateKey(st) + "\x00" + strconv.Itoa(width) + "x" + strconv.Itoa(height)
	return a.serveTitledChartImage(w, r, key, title, width, height, func() (json.RawMessage, error) {
		ev, err := evaluateLossPage(r.Context(), a.compute, spec, st, true)
		if err != nil {
			return nil, err
		}
		return chartImagePick(ev.Charts, id)
	})
}

// showCompareChartImage answers GET /compare/{page}/charts/{chart}.svg.
func (a *App) showCompareChartImage(w http.ResponseWriter, r *http.Request) error {
	page := chi.URLParam(r, "page")
	q := r.URL.Query()
	width, height, err := chartImageSize(q)
	if err != nil {
		return err
	}
	// An image's language is its URL's alone (never Accept-Language), so
	// that one URL is one image.
	lang := ""
	switch l := q.Get("lang"); l {
	case "", "en":
	case "zh":
		lang = "zh"
	default:
		return errorStatus(http.StatusBadRequest, `lang: must be "en" or "zh", got `+strconv.Quote(l))
	}
	p, ok := comparePages[page]
	if !ok {
		return errorStatus(http.StatusNotFound, fmt.Sprintf(`page: there is no comparison page %q (expected "regression", "classification" or "margin")`, page))
	}
	settings, err := p.query(q, lang)
	if err != nil {
		return chartImageBadQuery(err)
	}
	if t := q.Get("theme"); t != "" && t != "light" && t != "dark" {
		return errorStatus(http.StatusBadRequest, `theme: must be "light" or "dark", got `+strconv.Quote(t))
	}
	theme := compareTheme(q)
	id := chartImageID(r)
	canon, err := json.Marshal(settings)
	if err != nil {
		return err
	}
	sq := r.URL.Query()
	sq.Del("w")
	sq.Del("h")
	title := i18n.T(lang, p.title) +
		": " + id + chartStateCaption(sq.Encode())
	key := "compare\x00" + page + "\x00" + id + "\x00" + theme + "\x00" + string(canon) + "\x00" + strconv.Itoa(width) + "x" + strconv.Itoa(height)
	return a.serveTitledChartImage(w, r, key, title, width, height, func() (json.RawMessage, error) {
		data, err := settings.build(theme)
		if err != nil {
			return nil, err
		}
		return chartImagePick(data.charts(), id)
	})
}

// chartImageBadQuery makes a query the page itself would refuse a 400
// naming the field.
func chartImageBadQuery(err error) error {
	var ee *engine.Error
	if errors.As(err, &ee) {
		return errorStatus(http.StatusBadRequest, ee.Error())
	}
	return err
}

// chartImagePick returns the chart id of a page's charts, or a 404 listing
// the charts the state has.
func chartImagePick(charts map[string]json.RawMessage, id string) (json.RawMessage, error) {
	if o, ok := charts[id]; ok {
		if len(o) > chartImageMaxOption {
			return nil, errorStatus(http.StatusUnprocessableEntity, fmt.Sprintf(
				"chart: %s has too many points to draw as an image (%d bytes of chart data, at most %d); use fewer input elements",
				id, len(o), chartImageMaxOption))
		}
		return o, nil
	}
	ids := make([]string, 0, len(charts))
	for k := range charts {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	return nil, errorStatus(http.StatusNotFound, fmt.Sprintf("chart: this page has no chart %q (it has %s)", id, strings.Join(ids, ", ")))
}

// chartImageStateKey is the canonical text of a loss page state: keys in
// order, JSON values without insignificant space.
func chartImageStateKey(st state.State) string {
	c := state.State{Params: map[string]json.RawMessage{}, Inputs: map[string]json.RawMessage{}, View: st.View, Lang: st.Lang}
	for k, v := range st.Params {
		c.Params[k] = compactJSON(v)
	}
	for k, v := range st.Inputs {
		c.Inputs[k] = compactJSON(v)
	}
	return state.Query(c).Encode()
}

// serveChartImage answers with the image cached under key, or computes the
// chart's option with build (the page's own evaluation: its cost checks
// and errors apply) and renders it.
// chartCaptionMax bounds one value in an image's title: a tensor of a
// hundred numbers says "input = [[0.1, …" and the link holds the rest.
const chartCaptionMax = 24

// chartStateCaption names the state of an image from its permalink query:
// " (beta = 0.5, reduction = sum)", in key order, without the view keys
// (language, theme, element, overlay, lattice); "" for the defaults. It is
// language-neutral (PyTorch's names and values), and web/ui/chartlinks.js
// writes the same caption into the Markdown alt text.
func chartStateCaption(query string) string {
	q, err := url.ParseQuery(query)
	if err != nil {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(q)) {
		switch k {
		case "lang", "theme", "element", "overlay", "lattice", "w", "h":
			continue
		}
		v := []rune(q.Get(k))
		if len(v) > chartCaptionMax {
			v = append(v[:chartCaptionMax], '…')
		}
		parts = append(parts, k+" = "+string(v))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// withTitle gives an SVG a <title>, the name a reader's tools show for it.
func withTitle(svg []byte, title string) []byte {
	i := bytes.Index(svg, []byte("<svg"))
	j := -1
	if i >= 0 {
		j = bytes.IndexByte(svg[i:], '>')
	}
	if j < 0 {
		return svg
	}
	var esc bytes.Buffer
	xml.EscapeText(&esc, []byte(title))
	out := make([]byte, 0, len(svg)+esc.Len()+16)
	out = append(out, svg[:i+j+1]...)
	out = append(out, "<title>"...)
	out = append(out, esc.Bytes()...)
	out = append(out, "</title>"...)
	return append(out, svg[i+j+1:]...)
}

// serveChartImage is serveTitledChartImage without a title.
func (a *App) serveChartImage(w http.ResponseWriter, r *http.Request, key string, width, height int, build func() (json.RawMessage, error)) error {
	return a.serveTitledChartImage(w, r, key, "", width, height, build)
}

// serveTitledChartImage answers with the image of key, drawn from build's
// option on a cache miss, titled title (none when empty).
func (a *App) serveTitledChartImage(w http.ResponseWriter, r *http.Request, key, title string, width, height int, build func() (json.RawMessage, error)) error {
	if a.chartImages == nil {
		return errorStatus(http.StatusServiceUnavailable, chartimage.ErrNoBuild.Error())
	}
	img, ok := a.chartImages.Cached(key)
	if !ok {
		option, err := build()
		if err != nil {
			return err // *engine.Error: 422 naming the field, as in the API
		}
		img, err = a.chartImages.Render(r.Context(), key, option, width, height)
		switch {
		case errors.Is(err, chartimage.ErrBusy):
			w.Header().Set("Retry-After", chartImageRetryAfter)
			return errorStatus(http.StatusServiceUnavailable, "every chart renderer is busy; try again in a few seconds")
		case errors.Is(err, chartimage.ErrTimeout):
			return errorStatus(http.StatusUnprocessableEntity, "chart: took too long to draw as an image; use fewer input elements")
		case errors.Is(err, context.Canceled):
			return nil // the requester left
		case err != nil:
			return err
		}
	}
	svg, etag := img.SVG, img.ETag
	if title != "" {
		// The title is the state's, as the key is: one URL, one ETag, one body.
		svg = withTitle(svg, title)
		etag = strings.TrimSuffix(etag, `"`) + "-" + strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(title))), 36) + `"`
	}
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", chartImageCache)
	h.Set("X-Content-Type-Options", "nosniff")
	// An SVG opened on its own is a document: no script, nothing loaded.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if chartImageETagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Content-Length", strconv.Itoa(len(svg)))
	if r.Method != http.MethodHead {
		w.Write(svg)
	}
	return nil
}

// chartImageETagMatch reports whether an If-None-Match header names etag
// (or is "*"), comparing weakly as RFC 9110 asks for If-None-Match.
func chartImageETagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
