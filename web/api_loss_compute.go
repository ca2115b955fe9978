package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/engine"
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
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write(out); err != nil {
		a.log.Debug("client left before its answer", "path", r.URL.Path, "err", err)
	}
	return nil
}

// decodeStrict decodes one JSON object, rejecting unknown fields and
// trailing data.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// describeJSONError rewords an encoding/json error for a user: where the
// problem is and which field it concerns.
func describeJSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "empty; expected a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "invalid JSON: unexpected end of input"
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		if te.Field == "" {
			return fmt.Sprintf("expected a JSON object, got %s", te.Value)
		}
		return fmt.Sprintf("%s: expected %s, got %s", te.Field, apiJSONKindName(te.Type.Kind().String()), te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// apiJSONKindName names a Go kind the way a JSON user would.
func apiJSONKindName(k string) string {
	switch k {
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "uint", "uint64":
		return "an integer"
	case "float64", "float32":
		return "a number"
	}
	return k
}
