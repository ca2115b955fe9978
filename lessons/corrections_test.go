package lessons

import (
	"os"
	"strings"
	"testing"
)

// TestLessonCorrections pins three statements checked against PyTorch 1.13
// in float32 (issue 17), in both languages, so that the wrong versions do
// not come back:
//   - SoftMarginLoss overflows when exp(x) passes float32's maximum
//     (x ≈ 88.72); σ(x) rounds to 1 from x ≈ 16.6. Two limits, not one.
//   - sigmoid + BCELoss at logit 20, target 0: loss 100 and z.grad == 0
//     (σ′ rounds to 0), not an exploding gradient; BCEWithLogitsLoss: 20, 1.
//   - KLDivLoss 'mean' warns once under Python's default filter (raised
//     from one line inside torch), not on every call.
func TestLessonCorrections(t *testing.T) {
	tests := []struct {
		file      string
		want, not []string
	}{
		{"content/en/soft-margin.md", []string{"16.6", "Two different limits"}, []string{"same float32 limit"}},
		{"content/zh/soft-margin.md", []string{"16.6", "两个极限"}, []string{"同一个 float32 极限"}},
		{"content/en/bce.md", []string{"`z.grad == 0`", "gives 20, with gradient 1"}, []string{"gradient explodes"}},
		{"content/zh/bce.md", []string{"`z.grad == 0`", "给出 20，梯度为 1"}, []string{"梯度也随之爆炸"}},
		{"content/en/kl-div.md", []string{"only once"}, []string{"on every call"}},
		{"content/zh/kl-div.md", []string{"只显示一次"}, []string{"每次调用都会警告", "每次用它调用"}},
	}
	for _, test := range tests {
		b, err := os.ReadFile(test.file)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(b)), " ")
		for _, w := range test.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", test.file, w)
			}
		}
		for _, n := range test.not {
			if strings.Contains(text, n) {
				t.Errorf("%s still says %q", test.file, n)
			}
		}
	}
}
