package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Error is a refused message, sent to the client as an error reply.
type Error struct {
	Field string // the offending field, when known
	Msg   string
	// Code, when set, says why the server did not compute: "busy" or
	// "timeout" (try again after RetryAfter seconds), "canceled".
	Code       string
	RetryAfter int
}

func (e *Error) Error() string { return e.Msg }

// errorMessage is the error reply. ID is null when the message had no
// readable id.
type errorMessage struct {
	Type       string `json:"type"`
	ID         *int64 `json:"id"`
	Error      string `json:"error"`
	Field      string `json:"field,omitempty"`
	Code       string `json:"code,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

// ErrorReply encodes e as the reply to the message with id (nil: none).
func ErrorReply(id *int64, e *Error) []byte {
	b, _ := json.Marshal(errorMessage{Type: "error", ID: id, Error: e.Msg, Field: e.Field, Code: e.Code, RetryAfter: e.RetryAfter})
	return b
}

// DecodeStrict decodes one JSON object into v, refusing unknown fields
// and trailing data.
func DecodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// DescribeJSONError rewords an encoding/json error for a user: where the
// problem is and which field it concerns.
func DescribeJSONError(err error) string {
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
		return fmt.Sprintf("%s: expected %s, got %s", te.Field, kindName(te.Type.Kind().String()), te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// kindName names a Go kind the way a JSON user would.
func kindName(k string) string {
	switch k {
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "float32", "float64":
		return "a number"
	}
	if strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint") {
		return "an integer"
	}
	return k
}

// maxQuoted bounds how much of a client's string an error message echoes.
const maxQuoted = 64

// Quote quotes s for an error message, shortened to maxQuoted bytes.
func Quote(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(strings.ToValidUTF8(s[:maxQuoted], "")) + "…"
	}
	return strconv.Quote(s)
}
