package web

import (
	"encoding/json"
	"net/http"

	"github.com/lossplayground/playground/engine"
)

// listedLoss is a loss's metadata as GET /api/v1/losses lists it: the
// spec and the dtypes it computes in.
type listedLoss struct {
	*engine.Spec
	DTypes []string `json:"dtypes"`
}

// listLosses answers GET /api/v1/losses with every loss's metadata.
func (a *App) listLosses(w http.ResponseWriter, r *http.Request) error {
	all := engine.All()
	losses := make([]listedLoss, len(all))
	for i, s := range all {
		losses[i] = listedLoss{s, s.DTypes()}
	}
	body, err := json.Marshal(map[string]any{"losses": losses})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(body)
	return err
}
