package web

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/state"
	"github.com/lossplayground/playground/web/templates"
)

// lossResultNoCharts is the query key with which a client that draws the
// charts itself asks GET /losses/{slug}/result for the panel without chart
// options. (The live page gets its panel over the WebSocket.)
const lossResultNoCharts = "nocharts"

// lossPageSpec finds the loss of a /losses/{slug} or /embed/{slug} URL.
func lossPageSpec(r *http.Request) (*engine.Spec, error) {
	slug := chi.URLParam(r, "slug")
	spec, ok := engine.LookupSlug(slug)
	if !ok {
		lang := pageLang(r)
		return nil, &pageError{status: http.StatusNotFound, heading: i18n.T(lang, "error.noLoss"),
			msg:     i18n.T(lang, "error.noLossMsg", slug),
			backURL: i18n.Path("/", lang), backText: i18n.T(lang, "error.seeEvery")}
	}
	return spec, nil
}

// lossPageState parses and evaluates the state in the URL; a bad value is
// a 400 naming the field, with a link to the page's defaults. With
// panelOnly, only the page's Result is built: the result panel alone needs
// no controls, editors or page data.
func (a *App) lossPageState(r *http.Request, spec *engine.Spec, panelOnly bool) (templates.LossPage, state.State, error) {
	q := r.URL.Query()
	// nocharts=1 asks the result panel without chart options; it is no
	// page state.
	withCharts := q.Get(lossResultNoCharts) != "1"
	q.Del(lossResultNoCharts)
	st, err := state.Parse(spec, q)
	if err == nil {
		if st.Lang == "" {
			// No ?lang=: the page follows the browser's language, and
			// links to its state leave it to their reader's browser.
			st.Lang = lessons.NegotiateLang("", r.Header.Get("Accept-Language"))
			st.LangNegotiated = true
		}
		if panelOnly {
			var ev *Evaluation
			if ev, err = evaluateLossPage(r.Context(), a.compute, spec, st, withCharts); err == nil {
				return templates.LossPage{Result: lossResultView(spec, ev, st)}, st, nil
			}
		} else {
			var p templates.LossPage
			if p, err = buildLossPageCharts(r.Context(), a.compute, spec, st, withCharts); err == nil {
				return p, st, nil
			}
		}
	}
	var ee *engine.Error
	if errors.As(err, &ee) {
		lang := st.Lang
		if lang == "" {
			lang = pageLang(r)
		}
		return templates.LossPage{}, st, &pageError{status: http.StatusBadRequest,
			heading: i18n.T(lang, "error.badLossLink", spec.Name),
			msg:     errorText(ee, lang), backURL: i18n.Path("/losses/"+spec.Slug, lang), backText: i18n.T(lang, "error.openLossDefaults", spec.Name)}
	}
	return templates.LossPage{}, st, err
}

// showLossPage renders /losses/{slug}: the whole page for the state in the
// URL, with the real numbers and chart options, complete without script.
func (a *App) showLossPage(w http.ResponseWriter, r *http.Request) error {
	spec, err := lossPageSpec(r)
	if err != nil {
		return err
	}
	p, st, err := a.lossPageState(r, spec, false)
	if err != nil {
		return err
	}
	meta := pageMeta(r, spec.Name, st.Lang, st.View.Theme)
	meta.Script = entryLoss
	a.renderPage(w, r, http.StatusOK, meta, templates.LossShow(p))
	return nil
}

// showLossResult renders /losses/{slug}/result: the result panel alone
// (loss, reduction spelled out, gradients, PyTorch snippet, chart options),
// for clients without the WebSocket; the live page gets the same panel in
// every WebSocket result (ws_panel.go). A bad value answers 400 with the panel's error
// banner naming the field.
func (a *App) showLossResult(w http.ResponseWriter, r *http.Request) error {
	spec, err := lossPageSpec(r)
	if err != nil {
		return err
	}
	p, _, err := a.lossPageState(r, spec, true)
	var pe *pageError
	if errors.As(err, &pe) && pe.status == http.StatusBadRequest {
		a.writeHTML(w, r, http.StatusBadRequest, templates.ResultPanel(templates.Result{Error: pe.msg, Lang: pageLang(r)}))
		return nil
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	a.writeHTML(w, r, http.StatusOK, templates.ResultPanel(p.Result))
	return nil
}

// showLossEmbed renders /embed/{slug}: charts and result alone, for
// iframes and screenshots, in the theme of the URL.
func (a *App) showLossEmbed(w http.ResponseWriter, r *http.Request) error {
	spec, err := lossPageSpec(r)
	if err != nil {
		return err
	}
	p, st, err := a.lossPageState(r, spec, false)
	if err != nil {
		return err
	}
	meta := pageMeta(r, spec.Name, st.Lang, st.View.Theme)
	meta.Bare = true
	meta.Script = entryLoss
	a.renderPage(w, r, http.StatusOK, meta, templates.LossEmbed(p))
	return nil
}
