package engine

import (
	"bytes"
	"errors"
	"math"
	"strconv"
)

// maxTensorDepth bounds the nesting of a JSON tensor so that a hostile
// request cannot exhaust the stack.
const maxTensorDepth = 16

// ParseTensor decodes a JSON tensor: nested arrays of numbers of any rank,
// or a bare number for a 0-d tensor. The strings "NaN", "Infinity" and
// "-Infinity" stand for those values. Arrays must be rectangular.
func ParseTensor(data []byte) (*Tensor, error) {
	// There are at most one more numbers than commas: one allocation for
	// the data instead of a slice grown number by number.
	p := tensorParser{buf: data, leafDepth: -1,
		data: make([]float64, 0, bytes.Count(data, []byte{','})+1)}
	p.skipSpace()
	if err := p.value(0); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.buf) {
		return nil, errors.New("unexpected data after the tensor")
	}
	shape := p.dims
	if p.leafDepth >= 0 {
		shape = p.dims[:p.leafDepth]
	}
	return &Tensor{Shape: append([]int{}, shape...), Data: p.data}, nil
}

// parseScalar decodes what ParseTensor decodes as a 0-d tensor (a number,
// or "NaN", "Infinity", "-Infinity") without allocating the tensor, for
// the scalar parameters of every request.
func parseScalar(data []byte) (float64, bool) {
	p := tensorParser{buf: data}
	p.skipSpace()
	if p.pos >= len(p.buf) || p.buf[p.pos] == '[' {
		return 0, false
	}
	v, err := p.number()
	if err != nil {
		return 0, false
	}
	p.skipSpace()
	return v, p.pos == len(p.buf)
}

type tensorParser struct {
	buf  []byte
	pos  int
	data []float64
	// dims[d] is the length every array at depth d must have, -1 until the
	// first such array closes; leafDepth is the depth of the numbers.
	dims      []int
	leafDepth int
}

func (p *tensorParser) skipSpace() {
	for p.pos < len(p.buf) {
		switch p.buf[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

var errRagged = errors.New("ragged array: every row must have the same length and depth")

// value parses one element (a number or an array) at the given depth.
func (p *tensorParser) value(depth int) error {
	if p.pos >= len(p.buf) {
		return errors.New("unexpected end of tensor")
	}
	if p.buf[p.pos] != '[' {
		if p.leafDepth == -1 {
			p.leafDepth = depth
		} else if p.leafDepth != depth {
			return errRagged
		}
		if depth < len(p.dims) && p.dims[depth] != -1 {
			return errRagged
		}
		v, err := p.number()
		if err != nil {
			return err
		}
		p.data = append(p.data, v)
		return nil
	}
	if depth >= maxTensorDepth {
		return errors.New("tensor is nested too deeply")
	}
	if p.leafDepth != -1 && depth >= p.leafDepth {
		return errRagged
	}
	p.pos++ // '['
	n := 0
	p.skipSpace()
	if p.pos < len(p.buf) && p.buf[p.pos] == ']' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			if err := p.value(depth + 1); err != nil {
				return err
			}
			n++
			p.skipSpace()
			if p.pos >= len(p.buf) {
				return errors.New("unexpected end of tensor")
			}
			c := p.buf[p.pos]
			p.pos++
			if c == ']' {
				break
			}
			if c != ',' {
				return errors.New("expected ',' or ']' in array")
			}
		}
	}
	for len(p.dims) <= depth {
		p.dims = append(p.dims, -1)
	}
	if p.dims[depth] == -1 {
		p.dims[depth] = n
	} else if p.dims[depth] != n {
		return errRagged
	}
	return nil
}

func (p *tensorParser) number() (float64, error) {
	start := p.pos
	if p.buf[p.pos] == '"' {
		end := start + 1
		for end < len(p.buf) && p.buf[end] != '"' {
			end++
		}
		if end >= len(p.buf) {
			return 0, errors.New("unterminated string")
		}
		p.pos = end + 1
		switch string(p.buf[start+1 : end]) {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return 0, errors.New("not a number: " + strconv.Quote(string(p.buf[start+1:end])) + " (only \"NaN\", \"Infinity\" and \"-Infinity\" may be strings)")
	}
	end := p.pos
	for end < len(p.buf) {
		c := p.buf[end]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			end++
			continue
		}
		break
	}
	if end == start {
		return 0, errors.New("expected a number or an array at offset " + strconv.Itoa(start))
	}
	tok := string(p.buf[start:end])
	if !validJSONNumber(tok) {
		return 0, errors.New("not a number: " + strconv.Quote(tok))
	}
	v, err := strconv.ParseFloat(tok, 64)
	if err != nil {
		// Out of float64 range: JSON allows it, PyTorch's parser rounds to ±inf.
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			p.pos = end
			return v, nil
		}
		return 0, errors.New("not a number: " + strconv.Quote(tok))
	}
	p.pos = end
	return v, nil
}

// validJSONNumber reports whether s follows JSON's number grammar, which is
// stricter than strconv (no leading '+', no "0x", no ".5").
func validJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(s)
}

// AppendFloat appends v as JSON, writing NaN and ±Inf as the strings
// "NaN", "Infinity" and "-Infinity".
func AppendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, `"NaN"`...)
	case math.IsInf(v, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(v, -1):
		return append(b, `"-Infinity"`...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// AppendJSON appends t as nested JSON arrays (a bare number for 0-d).
func (t *Tensor) AppendJSON(b []byte) []byte {
	if len(t.Shape) == 0 {
		return AppendFloat(b, t.Data[0])
	}
	b, _ = appendLevel(b, t.Shape, t.Data, 0)
	return b
}

func appendLevel(b []byte, shape []int, data []float64, off int) ([]byte, int) {
	b = append(b, '[')
	for i := range shape[0] {
		if i > 0 {
			b = append(b, ',')
		}
		if len(shape) == 1 {
			b = AppendFloat(b, data[off])
			off++
		} else {
			b, off = appendLevel(b, shape[1:], data, off)
		}
	}
	return append(b, ']'), off
}

// MarshalJSON encodes t as nested arrays.
func (t *Tensor) MarshalJSON() ([]byte, error) { return t.AppendJSON(nil), nil }

// UnmarshalJSON decodes nested arrays.
func (t *Tensor) UnmarshalJSON(data []byte) error {
	v, err := ParseTensor(data)
	if err != nil {
		return err
	}
	*t = *v
	return nil
}
