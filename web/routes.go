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
	r.Get("/", a.handle(a.showHome))

	// Loss API
	r.Get("/api/v1/losses", a.handle(a.listLosses))
	r.Post("/api/v1/losses/{name}", a.handle(a.computeLoss))

	// WebSocket: live results while the page's controls move
	// (docs/protocol.md).
	r.Get("/ws", a.serveWS)

	return r
}
