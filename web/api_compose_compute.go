package web

import (
	"net/http"
)

// computeCompose answers POST /api/v1/compose: a formula's loss and
// gradients, in the loss API's JSON ({"loss": ..., "grads": {"input": ...,
// "target": ...}}, NaN and ±Inf as strings). A formula error is a 422
// naming its position, a missing parameter a 422 naming it.
func (a *App) computeCompose(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r, maxRequestBytes)
	if err != nil {
		return err
	}
	var req ComposeRequest
	if err := decodeStrict(body, &req); err != nil {
		return errorStatus(http.StatusBadRequest, "request body: "+describeJSONError(err))
	}
	ev, err := a.compute.EvaluateCompose(r.Context(), &req, composeOptions{})
	if err != nil {
		return err
	}
	out, err := ev.Result.AppendJSON(nil, composeSpec)
	if err != nil {
		return err
	}
	a.writeAnswer(w, r, out)
	return nil
}
