package engine

import (
	"strings"
	"testing"
	"unicode"
)

// specTexts lists every metadata text of every registered loss that a
// page shows, labelled for messages.
func specTexts() map[string]string {
	out := map[string]string{}
	for _, f := range Families {
		out["family "+string(f)] = string(f)
	}
	for _, s := range All() {
		out[s.Name+".summary"] = s.Summary
		for _, p := range s.Params {
			out[s.Name+".params."+p.Name] = p.Doc
		}
		for _, in := range s.Inputs {
			out[s.Name+".inputs."+in.Name] = in.Doc
		}
	}
	return out
}

// TestChineseTextsComplete fails when a metadata text has no Chinese (a
// new loss, or an English text edited without its translation), when the
// table holds a translation no text uses any more, or when a translation
// is not mostly Chinese.
func TestChineseTextsComplete(t *testing.T) {
	used := map[string]bool{}
	for label, en := range specTexts() {
		zh, ok := chinese[en]
		if !ok {
			t.Errorf("%s: no Chinese for %q", label, en)
			continue
		}
		used[en] = true
		if !mostlyHan(zh) {
			t.Errorf("%s: Chinese %q is not mostly Chinese characters", label, zh)
		}
	}
	for en := range chinese {
		if !used[en] {
			t.Errorf("chinese[%q]: no metadata text uses it any more", en)
		}
	}
}

func TestIn(t *testing.T) {
	huber, _ := Lookup("HuberLoss")
	tests := []struct {
		name, got, want string
	}{
		{"en summary", huber.SummaryIn("en"), huber.Summary},
		{"unknown lang falls back to English", huber.SummaryIn("fr"), huber.Summary},
		{"zh summary", huber.SummaryIn("zh"), chinese[huber.Summary]},
		{"zh family", FamilyMargin.Label("zh"), "间隔与排序"},
		{"zh param doc", huber.Param("delta").DocIn("zh"), chinese[huber.Param("delta").Doc]},
		{"zh input doc", huber.Input("input").DocIn("zh"), "预测值，形状任意。"},
		{"text without a translation stays English", In("zh", "no such text"), "no such text"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if test.got != test.want {
				t.Errorf("got %q; want %q", test.got, test.want)
			}
		})
	}
}

// technicalWords are identifiers a Chinese text keeps as PyTorch spells
// them.
var technicalWords = map[string]bool{"reduction": true, "reduce": true, "input": true, "target": true,
	"none": true, "sum": true, "mean": true, "batchmean": true, "logits": true, "log": true, "exp": true,
	"softmax": true, "sigmoid": true, "margin": true, "swap": true, "anchor": true, "eps": true,
	"delta": true, "beta": true, "pairwise": true, "cosine": true, "cosine_similarity": true, "blank": true,
	"hinge": true, "loss": true, "divergence": true, "p_c": true, "d": true}

// mostlyHan reports whether Han characters outnumber the letters of
// English words, not counting technical words (identifiers with _ or
// digits, capitalised names, technicalWords).
func mostlyHan(s string) bool {
	han, latin := 0, 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' && !unicode.IsDigit(r) }) {
		if strings.ContainsAny(w, "_0123456789") || technicalWords[w] || strings.ToLower(w) != w {
			continue
		}
		for _, r := range w {
			switch {
			case unicode.Is(unicode.Han, r):
				han++
			case r < unicode.MaxASCII:
				latin++
			}
		}
	}
	return han > latin
}
