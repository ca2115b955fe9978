package chartimage

import (
	"math"
	"testing"
)

func TestMeasureTextWidth(t *testing.T) {
	tests := []struct {
		text, font string
		want       float64
	}{
		// Liberation Sans (Arial metrics): A is 0.667 em, bold A 0.722 em.
		{"A", "12px sans-serif", 12 * 0.667},
		{"A", "bold 15px sans-serif", 15 * 0.722},
		{"A", "normal bolder 10px sans-serif", 10 * 0.722},
		// The minus sign and the arrow of "s−2→s" are in the table, not an em each.
		{"−", "12px sans-serif", 12 * 0.584},
		{"s−2→s", "12px sans-serif", 12 * (0.5 + 0.584 + 0.556 + 1.0 + 0.5)},
		// CJK: a whole em; unknown symbols: the fallback.
		{"损失", "14px sans-serif", 2 * 14},
		{"☃", "10px sans-serif", 10 * fallbackEm},
		{"abc", "12px monospace", 3 * 12 * monoEm},
		{"", "12px sans-serif", 0},
		// No size in the font: ECharts' default 12px.
		{"A", "sans-serif", 12 * 0.667},
	}
	for _, test := range tests {
		t.Run(test.text+" "+test.font, func(t *testing.T) {
			if got := measureTextWidth(test.text, test.font); math.Abs(got-test.want) > 1e-9 {
				t.Errorf("measureTextWidth(%q, %q) = %v; want %v", test.text, test.font, got, test.want)
			}
		})
	}
}

// TestMeasureTextWired checks that ECharts measures its text through the
// runtime's measureTextWidth, not its own estimate.
func TestMeasureTextWired(t *testing.T) {
	if _, err := program(); err != nil {
		t.Fatal(err)
	}
	vm, err := newRuntime()
	if err != nil {
		t.Fatal(err)
	}
	var fonts []string
	if err := vm.Set("measureTextWidth", func(text, font string) float64 {
		fonts = append(fonts, font)
		return measureTextWidth(text, font)
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := render(t.Context(), vm, defaultRenderTimeout, []byte(testOption), 640, 400); err != nil {
		t.Fatal(err)
	}
	if len(fonts) == 0 {
		t.Fatal("ECharts never called measureTextWidth")
	}
}
