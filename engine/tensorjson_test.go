package engine

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestParseTensor(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	tests := []struct {
		in        string
		wantShape []int
		wantData  []float64
	}{
		{"0", []int{}, []float64{0}},
		{" -1.5e2 ", []int{}, []float64{-150}},
		{"[]", []int{0}, []float64{}},
		{"[[],[]]", []int{2, 0}, []float64{}},
		{"[1, 2 ,3]", []int{3}, []float64{1, 2, 3}},
		{"[[1,2],[3,4],[5,6]]", []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}},
		{"[[[1]],[[2]]]", []int{2, 1, 1}, []float64{1, 2}},
		{`["NaN","Infinity","-Infinity"]`, []int{3}, []float64{nan, inf, -inf}},
		{"[1e999,-1e999]", []int{2}, []float64{inf, -inf}},
		{"[-0]", []int{1}, []float64{math.Copysign(0, -1)}},
		{"\n[\t1\r]\n", []int{1}, []float64{1}},
		{strings.Repeat("[", maxTensorDepth) + "7" + strings.Repeat("]", maxTensorDepth), slices.Repeat([]int{1}, maxTensorDepth), []float64{7}},
	}
	for _, test := range tests {
		t.Run(test.in, func(t *testing.T) {
			got, err := ParseTensor([]byte(test.in))
			if err != nil {
				t.Fatalf("ParseTensor(%q) error: %v", test.in, err)
			}
			if !slices.Equal(got.Shape, test.wantShape) {
				t.Errorf("ParseTensor(%q).Shape = %v; want %v", test.in, got.Shape, test.wantShape)
			}
			if !slices.EqualFunc(got.Data, test.wantData, sameFloat) {
				t.Errorf("ParseTensor(%q).Data = %v; want %v", test.in, got.Data, test.wantData)
			}
		})
	}
}

func TestParseTensorErrors(t *testing.T) {
	tests := []struct {
		in        string
		wantError string
	}{
		{"", "unexpected end"},
		{"[", "unexpected end"},
		{"[1,", "unexpected end"},
		{"[1 2]", "expected ',' or ']'"},
		{"[1,]", "expected a number or an array"},
		{"[,1]", "expected a number or an array"},
		{"[[1,2],[3]]", "ragged"},
		{"[[1],[2,3]]", "ragged"},
		{"[1,[2]]", "ragged"},
		{"[[1],2]", "ragged"},
		{"[[],[1]]", "ragged"},
		{"[[1],[]]", "ragged"},
		{strings.Repeat("[", maxTensorDepth+1) + "1" + strings.Repeat("]", maxTensorDepth+1), "nested too deeply"},
		{"[1] 2", "unexpected data after the tensor"},
		{"+1", "not a number"},
		{".5", "not a number"},
		{"01", "not a number"},
		{"1.", "not a number"},
		{"1e", "not a number"},
		{"0x10", "unexpected data"},
		{`"nan"`, `not a number: "nan"`},
		{`"NaN`, "unterminated string"},
		{"true", "expected a number or an array"},
		{"null", "expected a number or an array"},
		{`{"a":1}`, "expected a number or an array"},
	}
	for _, test := range tests {
		t.Run(test.in, func(t *testing.T) {
			got, err := ParseTensor([]byte(test.in))
			if err == nil {
				t.Fatalf("ParseTensor(%q) = %v; want an error", test.in, got)
			}
			if !strings.Contains(err.Error(), test.wantError) {
				t.Errorf("ParseTensor(%q) error = %q; want it to contain %q", test.in, err, test.wantError)
			}
		})
	}
}

// FuzzParseTensor checks that ParseTensor never panics, accepts only valid
// JSON, returns a consistent tensor, and that the tensor survives a round
// trip through AppendJSON; and that parseScalar accepts exactly its 0-d
// tensors, with the same value.
func FuzzParseTensor(f *testing.F) {
	for _, seed := range []string{
		"0", "-1.5e-300", "[]", "[[],[]]", "[1,2,3]", "[[1,2],[3,4]]", "[[[1]],[[2]]]",
		`["NaN","Infinity","-Infinity"]`, "[1e999]", "[-0]", "[[1,2],[3]]", "[1,[2]]",
		strings.Repeat("[", 17) + "1" + strings.Repeat("]", 17), `"NaN`, "[1 2]", "1.e5", " 2.5 ", `"Infinity"`, "1 2", "+1",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseTensor(data)
		v, ok := parseScalar(data)
		if scalar := err == nil && len(got.Shape) == 0; ok != scalar || ok && !sameFloat(v, got.Data[0]) {
			t.Errorf("parseScalar(%q) = %v, %v; ParseTensor gives %v, %v", data, v, ok, got, err)
		}
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Errorf("ParseTensor(%q) accepted invalid JSON", data)
		}
		if n := Numel(got.Shape); n != len(got.Data) {
			t.Fatalf("ParseTensor(%q): shape %v holds %d elements; data has %d", data, got.Shape, n, len(got.Data))
		}
		enc := got.AppendJSON(nil)
		again, err := ParseTensor(enc)
		if err != nil {
			t.Fatalf("ParseTensor(%q) re-encoded as %q, which does not parse: %v", data, enc, err)
		}
		if !slices.Equal(again.Shape, got.Shape) || !slices.EqualFunc(again.Data, got.Data, sameFloat) {
			t.Errorf("ParseTensor(%q) = %v %v; after a round trip through %q, %v %v", data, got.Shape, got.Data, enc, again.Shape, again.Data)
		}
	})
}
