package web

import (
	"net/http"

	"github.com/lossplayground/playground/web/templates"
)

// showHome renders the catalog.
func (a *App) showHome(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, templates.Home())
}
