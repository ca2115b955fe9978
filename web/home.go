package web

import "net/http"

// showHome renders the catalog (page_home.go).
func (a *App) showHome(w http.ResponseWriter, r *http.Request) error {
	return a.showCatalog(w, r)
}
