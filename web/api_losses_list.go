package web

import (
	"encoding/json"
	"net/http"

	"github.com/lossplayground/playground/engine"
)

// listLosses answers GET /api/v1/losses with every loss's metadata.
func (a *App) listLosses(w http.ResponseWriter, r *http.Request) error {
	body, err := json.Marshal(map[string]any{"losses": engine.All()})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(body)
	return err
}
