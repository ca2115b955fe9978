package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/live"
)

// maxRequestBytes bounds a loss API request body.
const maxRequestBytes = 1 << 20

// LossRequest is the body of POST /api/v1/losses/{name} and the payload of
// a WebSocket compute message.
type LossRequest struct {
	Params map[string]json.RawMessage `json:"params"`
	Inputs map[string]json.RawMessage `json:"inputs"`
	Detail bool                       `json:"detail"`
	// DType is "float32" or "float64"; empty means float64.
	DType string `json:"dtype,omitempty"`
}

// applyDType sets the call's dtype from the request's; anything but
// "float64" or "float32" is an *engine.Error naming dtype.
func applyDType(c *engine.Call, dtype string) error {
	if dtype == "" {
		return nil
	}
	d, err := engine.ParseDType(dtype)
	if err != nil {
		return err
	}
	return c.SetDType(d)
}

// computeLoss answers POST /api/v1/losses/{name}.
func (a *App) computeLoss(w http.ResponseWriter, r *http.Request) error {
	name := chi.URLParam(r, "name")
	spec, ok := engine.Lookup(name)
	if !ok {
		return errorStatus(http.StatusNotFound, fmt.Sprintf("unknown loss %q (GET /api/v1/losses lists them)", name))
	}
	body, err := readBody(w, r, maxRequestBytes)
	if err != nil {
		return err
	}
	var req LossRequest
	if err := decodeStrict(body, &req); err != nil {
		return errorStatus(http.StatusBadRequest, "request body: "+describeJSONError(err))
	}
	ev, err := a.compute.Evaluate(r.Context(), spec, &req, nil, nil)
	if err != nil {
		return err
	}
	out, err := ev.Result.AppendJSON(nil, spec)
	if err != nil {
		return err
	}
	a.writeAnswer(w, r, out)
	return nil
}

// writeAnswer writes a computed JSON answer; a client that left before it
// is no error of the server's.
func (a *App) writeAnswer(w http.ResponseWriter, r *http.Request, out []byte) {
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write(out); err != nil {
		a.log.Debug("client left before its answer", "path", r.URL.Path, "err", err)
	}
}

// decodeStrict and describeJSONError are the live protocol's, so the API
// and the socket word a malformed body the same way.
var (
	decodeStrict      = live.DecodeStrict
	describeJSONError = live.DescribeJSONError
)
