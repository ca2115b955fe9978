// Package state maps a page's whole state (loss parameters, inputs, chart
// view, language, theme) to and from its URL query string, so that a copied
// URL reproduces the page exactly.
//
// Query keys are PyTorch's names, unprefixed: constructor parameters
// (reduction, weight, margin, ...), functional inputs (input, target, var,
// log_probs, ...), the view keys element, overlay, lattice, theme and
// lang, and dtype (float64, the default, or float32). A value is read as JSON when it parses as JSON (1.5, true, [1,2],
// "NaN"), and otherwise as a bare string (reduction=sum).
//
//	/losses/smooth-l1?beta=0&reduction=sum&input=[[0.5,-1]]&target=[[0,0]]&element=1
package state

import (
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
)

// State is everything a loss page shows.
type State struct {
	Params map[string]json.RawMessage
	Inputs map[string]json.RawMessage
	View   charts.View
	Lang   string // "en" or "zh"; empty means not chosen in the URL
	// LangNegotiated says Lang came from the browser's Accept-Language,
	// not the URL: links to the state leave it out, so that a shared link
	// speaks its reader's language.
	LangNegotiated bool
	// DType is "float32" when the page computes in float32; empty means
	// float64, PyTorch's dtype of every fixture and the default.
	DType string
}

// View keys, which no loss uses as a parameter or input name.
var viewKeys = []string{"element", "overlay", "lattice", "theme", "lang", "dtype"}

// Parse reads the state of spec's page from q. Inputs missing from q take
// the spec's examples; parameters missing from q take PyTorch's defaults
// (they are simply absent from Params).
func Parse(spec *engine.Spec, q url.Values) (State, error) {
	s := State{Params: map[string]json.RawMessage{}, Inputs: map[string]json.RawMessage{}}
	for key, vals := range q {
		if len(vals) == 0 {
			continue
		}
		v := vals[len(vals)-1]
		switch {
		case slices.Contains(viewKeys, key):
			if err := s.setView(key, v); err != nil {
				return s, err
			}
		case spec.Param(key) != nil:
			s.Params[key] = rawValue(v)
		case spec.Input(key) != nil:
			s.Inputs[key] = rawValue(v)
		default:
			return s, engine.Errorf(quoteShort(key), "unknown query parameter for %s", spec.Name)
		}
	}
	if err := s.View.Validate(); err != nil {
		// Name the query key, not the WebSocket message field.
		if ee, ok := err.(*engine.Error); ok {
			ee.Field = strings.TrimPrefix(ee.Field, "view.")
		}
		return s, err
	}
	for _, in := range spec.Inputs {
		if _, ok := s.Inputs[in.Name]; !ok {
			ex, err := json.Marshal(in.Example)
			if err != nil {
				return s, err
			}
			s.Inputs[in.Name] = ex
		}
	}
	return s, nil
}

func (s *State) setView(key, v string) error {
	switch key {
	case "element":
		n, err := strconv.Atoi(v)
		if err != nil {
			return engine.Errorf("element", "must be a non-negative integer, got %s", quoteShort(v))
		}
		s.View.Element = n
	case "overlay":
		s.View.Overlay = v == "1" || v == "true"
	case "lattice":
		s.View.Lattice = v
	case "theme":
		s.View.Theme = v
	case "lang":
		if v != "en" && v != "zh" {
			return engine.Errorf("lang", `must be "en" or "zh", got %s`, quoteShort(v))
		}
		s.Lang = v
	case "dtype":
		if _, err := engine.ParseDType(v); err != nil {
			return engine.Errorf("dtype", `must be "float64" or "float32", got %s`, quoteShort(v))
		}
		if v == "float32" {
			s.DType = v
		}
	}
	return nil
}

// rawValue reads a query value as JSON when it is JSON, else as a string.
func rawValue(v string) json.RawMessage {
	if json.Valid([]byte(v)) {
		return spellInfinity(json.RawMessage(v))
	}
	b, _ := json.Marshal(v)
	return b
}

// spellInfinity writes every number of raw beyond float64's range (1e400)
// as the value it stands for, "Infinity" or "-Infinity", the API's
// spelling. JSON allows such numbers and the engine reads them as ±inf, as
// Python's json and torch.tensor do; but a page hands its state to the
// script, whose JSON.stringify writes Infinity as null, so the state must
// not carry them as numbers.
func spellInfinity(raw json.RawMessage) json.RawMessage {
	var out []byte
	inString, last := false, 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(raw) && strings.IndexByte("+-.0123456789eE", raw[j]) >= 0 {
				j++
			}
			if f, err := strconv.ParseFloat(string(raw[i:j]), 64); err != nil && math.IsInf(f, 0) {
				out = append(out, raw[last:i]...)
				if f > 0 {
					out = append(out, `"Infinity"`...)
				} else {
					out = append(out, `"-Infinity"`...)
				}
				last = j
			}
			i = j - 1
		}
	}
	if out == nil {
		return raw
	}
	return append(out, raw[last:]...)
}

// Query encodes s as a query string; Parse(spec, Query(s)) gives s back.
// Strings are written bare so that URLs stay readable.
func Query(s State) url.Values {
	q := url.Values{}
	for k, v := range s.Params {
		q.Set(k, bareValue(v))
	}
	for k, v := range s.Inputs {
		q.Set(k, bareValue(v))
	}
	if s.View.Element != 0 {
		q.Set("element", strconv.Itoa(s.View.Element))
	}
	if s.View.Overlay {
		q.Set("overlay", "1")
	}
	if s.View.Lattice != "" {
		q.Set("lattice", s.View.Lattice)
	}
	if s.View.Theme != "" {
		q.Set("theme", s.View.Theme)
	}
	if s.Lang != "" && !s.LangNegotiated {
		q.Set("lang", s.Lang)
	}
	if s.DType != "" {
		q.Set("dtype", s.DType)
	}
	return q
}

// bareValue writes a JSON string without quotes unless the bare text would
// itself parse as JSON (the string "true", say).
func bareValue(v json.RawMessage) string {
	var str string
	if err := json.Unmarshal(v, &str); err == nil && !json.Valid([]byte(str)) {
		return str
	}
	return string(v)
}

// maxQuoted bounds how much of a query value an error message repeats:
// the message is shown on the page, and a value can be a megabyte long.
const maxQuoted = 64

// quoteShort quotes v, cut to maxQuoted bytes with an ellipsis.
func quoteShort(v string) string {
	if len(v) > maxQuoted {
		return strconv.Quote(strings.ToValidUTF8(v[:maxQuoted], "")) + "…"
	}
	return strconv.Quote(v)
}
