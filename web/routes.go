package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/compress"
	"github.com/lossplayground/playground/web/metrics"
	"github.com/lossplayground/playground/web/templates"
)

// Routes lists every URL the playground serves.
func (a *App) Routes() http.Handler {
	r := chi.NewRouter()
	// The client's address first: behind trusted proxies it comes from
	// their headers, and every per-address limit below counts by it.
	r.Use(a.clientIP.Middleware)
	r.Use(a.metrics.Middleware, middleware.Recoverer)
	// Pages and JSON go out gzipped to clients that accept it; assets are
	// gzipped once at start-up (assets.go), the WebSocket is left alone.
	r.Use(compress.Middleware(uiAssetPrefix))
	r.Use(apiHeaders)
	r.NotFound(a.notFound)

	// Health and metrics: never rate limited, never queued behind compute.
	r.Get("/healthz", a.healthz)
	r.Method(http.MethodGet, "/metrics", a.metrics.Handler())

	// Static assets (assets.go): content-hashed, cheap, never limited.
	r.Get("/static/*", a.serveUIAsset)
	r.Head("/static/*", a.serveUIAsset)
	r.Get("/favicon.ico", a.serveFavicon)
	r.Head("/favicon.ico", a.serveFavicon)

	// The JSON API, rate limited per client address.
	r.Group(func(r chi.Router) {
		r.Use(a.rateLimit(a.limits.apiRatePerMin))

		// Lessons: the lesson as JSON, and the "predict, then reveal" check that the engine answers
		r.Get("/api/v1/lessons/{slug}", a.handle(a.getLesson))
		r.Post("/api/v1/lessons/{slug}/questions/{id}", a.handle(a.checkLessonQuestion))

		// Lesson plans (lessons/plans): what a teacher steps through in a class
		r.Get("/api/v1/plans", a.handle(a.listPlans))
		r.Get("/api/v1/plans/{id}", a.handle(a.getPlan))

		// Loss API
		r.Get("/api/v1/losses", a.handle(a.listLosses))
		r.Post("/api/v1/losses/{name}", a.handle(a.computeLoss))

		// Compose API: a formula of the student's as a loss (api_compose_compute.go)
		r.Post("/api/v1/compose", a.handle(a.computeCompose))

		// Classes (web/class): a new class (its messages go over /ws),
		// and a class's results for its teacher.
		r.Post("/api/v1/classes", a.handle(a.createClass))
		r.Get("/api/v1/classes/{code}/results", a.handle(a.classResults))
	})

	// WebSocket: live results while the page's controls move
	// (docs/protocol.md). Connections are capped in all and per address
	// (ws.go); each message is budgeted and queued like any compute.
	r.Get("/ws", a.serveWS)

	// Pages. They are not rate limited: a live page fetches its result
	// panel (/losses/{slug}/result) on every change, and a classroom
	// shares one address; their computations are budgeted and queued
	// like any other.
	r.Get("/", a.handlePage(a.showCatalog))

	r.Get("/intro", a.handlePage(a.showIntro))

	// A lesson on its own page
	r.Get("/lessons/{slug}", a.handlePage(a.showLesson))

	// Loss pages (loss_*.go)
	r.Get("/losses/{slug}", a.handlePage(a.showLossPage))
	r.Get("/losses/{slug}/result", a.handlePage(a.showLossResult))
	r.Get("/embed/{slug}", a.handlePage(a.showLossEmbed))

	// Chart images: one chart of a page state as SVG, drawn on the
	// server (chart_image.go); the query is the page's own. The renderer
	// bounds its own work (a pool of runtimes, a bounded wait, a cache).
	r.Get("/losses/{slug}/charts/{chart}.svg", a.handle(a.showLossChartImage))
	r.Head("/losses/{slug}/charts/{chart}.svg", a.handle(a.showLossChartImage))
	r.Get("/compare/{page}/charts/{chart}.svg", a.handle(a.showCompareChartImage))
	r.Head("/compare/{page}/charts/{chart}.svg", a.handle(a.showCompareChartImage))

	// The composer: a formula of the student's as a loss (compose_show.go);
	// live updates over /ws (ws_compose.go).
	r.Get("/compose", a.handlePage(a.showComposePage))
	r.Get("/embed/compose", a.handlePage(a.showComposeEmbed))
	r.Get("/compose/charts/{chart}.svg", a.handle(a.showComposeChartImage))
	r.Head("/compose/charts/{chart}.svg", a.handle(a.showComposeChartImage))

	// Comparison pages (compare_*.go); their live updates and the
	// animated line fit go over /ws (ws_compare.go, ws_fit.go).
	r.Get("/compare/regression", a.handlePage(a.showCompare(comparePageRegression)))
	r.Get("/compare/classification", a.handlePage(a.showCompare(comparePageClassification)))
	r.Get("/compare/margin", a.handlePage(a.showCompare(comparePageMargin)))

	// Classes: /join takes a typed code; /c/{code} is a student's page
	// (the loss page the class is on), /c/{code}/teach the teacher's
	// dashboard. Wrong codes are rate-limited by web/class.
	r.Get("/join", a.handlePage(a.showClassJoin))
	r.Get("/c/{code}", a.handlePage(a.showClassStudent))
	r.Get("/c/{code}/teach", a.handlePage(a.showTeach))
	r.Get("/c/{code}/projector", a.handlePage(a.showProjector))

	return r
}

// rateLimit allows perMinute requests per client address in a sliding
// minute; over it the answer is 429 with Retry-After.
func (a *App) rateLimit(perMinute int) func(http.Handler) http.Handler {
	return httprate.LimitBy(perMinute, time.Minute,
		func(r *http.Request) (string, error) { return clientAddr(r), nil },
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			a.metrics.Reject(metrics.ReasonRateLimit)
			// The client behind any trusted proxy, so that an
			// administrator sees who is limited, not the proxy.
			a.log.Debug("API rate limit", "client", clientAddr(r), "path", r.URL.Path)
			if w.Header().Get("Retry-After") == "" {
				w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
			}
			writeJSONError(w, http.StatusTooManyRequests, "too many requests from your address; slow down")
		}))
}

// notFound answers an unknown path: JSON under /api/, a page elsewhere.
func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		writeJSONError(w, http.StatusNotFound, "no API endpoint at "+quoteShort(r.URL.Path))
		return
	}
	lang := pageLang(r)
	a.renderPage(w, r, http.StatusNotFound, pageMeta(r, i18n.T(lang, "error.notFound"), lang, ""),
		templates.ErrorPage(http.StatusNotFound, i18n.T(lang, "error.notFound"), i18n.T(lang, "error.notFoundMsg"), i18n.Path("/", lang), i18n.T(lang, "error.seeEvery")))
}
