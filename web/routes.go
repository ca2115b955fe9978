package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Routes lists every URL the playground serves.
func (a *App) Routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)

	// Health
	r.Get("/healthz", a.healthz)

	// Pages
	r.Get("/", a.handlePage(a.showCatalog))
	r.Get("/intro", a.handlePage(a.showIntro))

	// Lessons: a lesson on its own page, the lesson as JSON, and the "predict, then reveal" check that the engine answers
	r.Get("/lessons/{slug}", a.handle(a.showLesson))
	r.Get("/api/v1/lessons/{slug}", a.handle(a.getLesson))
	r.Post("/api/v1/lessons/{slug}/questions/{id}", a.handle(a.checkLessonQuestion))

	// Loss API
	r.Get("/api/v1/losses", a.handle(a.listLosses))
	r.Post("/api/v1/losses/{name}", a.handle(a.computeLoss))

	// WebSocket: live results while the page's controls move
	// (docs/protocol.md).
	r.Get("/ws", a.serveWS)

	// UI pages and assets (page_*.go, assets.go)
	r.Get("/static/*", a.serveUIAsset)
	r.Head("/static/*", a.serveUIAsset)
	r.Get("/losses/{slug}", a.handlePage(a.showLossPage))
	r.Get("/losses/{slug}/result", a.handlePage(a.showLossResult))
	r.Get("/embed/{slug}", a.handlePage(a.showLossEmbed))

	// Comparison pages (page_compare_*.go); their live updates and the
	// animated line fit go over /ws (ws_fit.go).
	r.Get("/compare/regression", a.handlePage(a.showCompareRegression))
	r.Get("/compare/classification", a.handlePage(a.showCompareClassification))
	r.Get("/compare/margin", a.handlePage(a.showCompareMargin))

	return r
}
