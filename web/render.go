package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/templates"
)

// pageCSP is the Content-Security-Policy of every page: scripts only from
// this server (no inline script; JSON data blocks are not executed),
// inline styles allowed because ECharts and KaTeX set style attributes,
// fonts and images from this server (data: and blob: images for chart
// downloads), and connections (fetch, WebSocket) to this server only.
// pageFramePolicy or the App's embed policy follows it.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; "

// pageFramePolicy lets only this server frame a page (clickjacking):
// every page but /embed/*, which exist to be framed by other sites.
const pageFramePolicy = "frame-ancestors 'self'"

// embedFramePolicy is the frame policy of /embed/* pages: any site, or
// only the given origins (validated by cmd/playground).
func embedFramePolicy(ancestors []string) string {
	if len(ancestors) == 0 {
		return "frame-ancestors *"
	}
	return "frame-ancestors 'self' " + strings.Join(ancestors, " ")
}

// isEmbed reports a page meant to be framed by other sites.
func isEmbed(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/embed/") }

// maxEchoedQuery bounds the query string a page repeats in its language
// and theme links (four links): a permalink of an edited state is a few
// kilobytes; a longer query would make every page four times its size.
// Beyond it the links switch language or theme on the page's defaults.
const maxEchoedQuery = 16 << 10

// pageError is an error a page answers with its own status and a link
// onward.
type pageError struct {
	status            int
	heading, msg      string
	backURL, backText string
}

func (e *pageError) Error() string { return e.msg }

// handlePage adapts a page handler that returns an error: a *pageError or
// an *engine.Error becomes an HTML 4xx page naming the problem, anything
// else a logged 500 page.
func (a *App) handlePage(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		lang := pageLang(r)
		pe := &pageError{status: http.StatusInternalServerError, heading: i18n.T(lang, "error.internal"),
			msg: i18n.T(lang, "error.internalMsg"), backURL: i18n.Path("/", lang), backText: i18n.T(lang, "error.backToAll")}
		if clientGone(r, err) {
			a.log.Debug("client left", "path", r.URL.Path, "err", err)
			return
		}
		var ee *engine.Error
		switch {
		case errors.Is(err, errBusy), errors.Is(err, errComputeTimeout):
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
			pe = &pageError{status: http.StatusServiceUnavailable, heading: i18n.T(lang, "error.busy"),
				msg:     i18n.T(lang, "error.busyMsg"),
				backURL: i18n.Path(r.URL.Path, lang), backText: i18n.T(lang, "error.openDefaults")}
		case errors.As(err, &pe):
		case errors.As(err, &ee):
			pe = &pageError{status: http.StatusBadRequest, heading: i18n.T(lang, "error.badLink"),
				msg: errorText(ee, lang), backURL: i18n.Path(r.URL.Path, lang), backText: i18n.T(lang, "error.openDefaults")}
		default:
			a.log.Error("page failed", "path", r.URL.Path, "err", err)
		}
		a.renderPage(w, r, pe.status, pageMeta(r, pe.heading, lang, ""), templates.ErrorPage(pe.status, pe.heading, pe.msg, pe.backURL, pe.backText))
	}
}

// pageLang is the interface language of a request: ?lang= if it names one
// we have, else the best of Accept-Language, else English (the rule the
// lessons already follow). A malformed ?lang= on a loss page is the state
// parser's 400; elsewhere it reads as not given.
func pageLang(r *http.Request) string {
	return lessons.NegotiateLang(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
}

// pageMeta builds the layout's data from the request: language and theme
// come from the query (already validated by state.Parse on loss pages;
// anything else is ignored here).
func pageMeta(r *http.Request, title, lang, theme string) templates.Page {
	q := r.URL.Query()
	if lang == "" {
		lang = pageLang(r)
	}
	lang = i18n.Lang(lang)
	if theme == "" {
		theme = q.Get("theme")
	}
	if theme != "light" && theme != "dark" {
		theme = ""
	}
	return templates.Page{
		Title:      title,
		Lang:       lang,
		Theme:      theme,
		LangEN:     withQuery(r.URL, "lang", "en"),
		LangZH:     withQuery(r.URL, "lang", "zh"),
		ThemeLight: withQuery(r.URL, "theme", "light"),
		ThemeDark:  withQuery(r.URL, "theme", "dark"),
	}
}

// withQuery returns u's path and query with key set to value.
func withQuery(u *url.URL, key, value string) string {
	q := u.Query()
	if len(u.RawQuery) > maxEchoedQuery {
		kept := url.Values{}
		for _, k := range []string{"lang", "theme"} {
			if v := q.Get(k); v != "" && len(v) <= 8 {
				kept.Set(k, v)
			}
		}
		q = kept
	}
	q.Set(key, value)
	return u.Path + "?" + q.Encode()
}

// renderPage renders content in the layout through a buffer, with the
// security headers every page carries.
func (a *App) renderPage(w http.ResponseWriter, r *http.Request, status int, p templates.Page, content templ.Component) {
	classJS := ""
	if code, ok := classStudentPath(r.URL.Path); ok {
		// A student's page: the loss page follows the class on its own
		// socket; any other page (waiting, an error the class's state led
		// to) runs the class's entry, which keeps following from there.
		p.ClassCode, p.ClassError = code, status >= 400
		switch p.Script {
		case entryLoss:
		case "", entrySite:
			p.Script = entryClass
		default:
			// A comparison page keeps its own module; the class's
			// follows the class beside it.
			classJS = entryClass
		}
	}
	p.Assets = a.pageAssets(p.Script)
	if classJS != "" {
		p.Assets.ClassJS, _ = a.uiAssets().entry(classJS)
	}
	p.Lang = i18n.Lang(p.Lang)
	// Without ?lang= every page follows Accept-Language: caches must
	// keep one copy per language.
	w.Header().Add("Vary", "Accept-Language")
	if p.Title == "" {
		p.Title = "Loss Playground"
	} else {
		p.Title += " · Loss Playground"
	}
	// The content is rendered first: whether it holds a formula decides
	// whether the head links KaTeX's stylesheet and preloads its fonts
	// (about 50 KB a comparison page has no use for).
	var body bytes.Buffer
	if err := content.Render(r.Context(), &body); err != nil {
		a.log.Error("render failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.NoMath = !bytes.Contains(body.Bytes(), []byte(`class="math`))
	a.writeHTML(w, r, status, templates.Layout(p, templ.Raw(body.String())))
}

// writeHTML renders c into a buffer and writes it with the page headers;
// a rendering error becomes a plain 500, never half a page.
func (a *App) writeHTML(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		a.log.Error("render failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if isEmbed(r) {
		h.Set("Content-Security-Policy", pageCSP+a.embedCSP)
	} else {
		h.Set("Content-Security-Policy", pageCSP+pageFramePolicy)
		h.Set("X-Frame-Options", "SAMEORIGIN") // browsers without CSP frame-ancestors
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
