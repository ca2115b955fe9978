package i18n

import (
	"regexp"
	"slices"
	"testing"
	"unicode"
)

var verb = regexp.MustCompile(`%(\[\d+\])?[sdvgq]`)

// TestCatalogueComplete fails when a key exists in one language and not
// the other, or when a translation takes other arguments than the English.
func TestCatalogueComplete(t *testing.T) {
	for name, cat := range catalogues {
		if name == "en" {
			continue
		}
		for key := range en {
			if _, ok := cat[key]; !ok {
				t.Errorf("%s: key %q is in en but not in %s", name, key, name)
			}
		}
		for key := range cat {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: key %q is in %s but not in en", name, key, name)
			}
		}
	}
	for key, msg := range en {
		want := verbs(msg)
		if got := verbs(zh[key]); !slices.Equal(got, want) {
			t.Errorf("zh[%q] formats %q; want the verbs of en %q", key, got, want)
		}
	}
}

// verbs lists a message's verbs by argument, so that "%[2]s … %[1]s" and
// "%s … %s" compare by what they print.
func verbs(msg string) []string {
	var out []string
	next := 1
	for _, m := range verb.FindAllStringSubmatch(msg, -1) {
		arg := m[1]
		if arg == "" {
			arg = "[" + string(rune('0'+next)) + "]"
			next++
		}
		out = append(out, arg+m[0][len(m[0])-1:])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestChineseIsChinese catches an English message pasted into the zh table:
// every zh message holds Chinese unless it is only symbols and names.
func TestChineseIsChinese(t *testing.T) {
	symbolsOnly := map[string]bool{"error.fieldSep": true, "tex.close": true, "ch.sigmoid.logit": true, "cmp.cls.logit": true, "lesson.-infinity": true, "lesson.sep": true}
	for key, msg := range zh {
		if symbolsOnly[key] {
			continue
		}
		han := false
		for _, r := range msg {
			if unicode.Is(unicode.Han, r) {
				han = true
				break
			}
		}
		if !han {
			t.Errorf("zh[%q] = %q; want Chinese", key, msg)
		}
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		name, lang, key string
		args            []any
		want            string
	}{
		{"english", "en", "loss.reset", nil, "Reset all"},
		{"chinese", "zh", "loss.reset", nil, "全部重置"},
		{"unknown language reads English", "fr", "loss.reset", nil, "Reset all"},
		{"empty language reads English", "", "loss.reset", nil, "Reset all"},
		{"arguments", "zh", "result.shape", []any{"2, 3"}, "形状 (2, 3)"},
		{"indexed arguments", "zh", "result.withGrad", []any{"input"}, "input 及其梯度 ∇ = ∂loss.sum()/∂input"},
		{"unknown key reads as itself", "zh", "no.such.key", nil, "no.such.key"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := T(test.lang, test.key, test.args...); got != test.want {
				t.Errorf("T(%q, %q) = %q; want %q", test.lang, test.key, got, test.want)
			}
		})
	}
}

func TestPrefixed(t *testing.T) {
	got := Prefixed("zh", "js.")
	if got["copied"] != "已复制" {
		t.Errorf(`Prefixed("zh", "js.")["copied"] = %q; want "已复制"`, got["copied"])
	}
	if _, ok := got["loss.reset"]; ok {
		t.Errorf(`Prefixed("zh", "js.") holds "loss.reset", which has no js. prefix`)
	}
}

func TestPath(t *testing.T) {
	tests := []struct{ path, lang, want string }{
		{"/losses/mse", "zh", "/losses/mse?lang=zh"},
		{"/losses/mse", "en", "/losses/mse"},
		{"/", "", "/"},
	}
	for _, test := range tests {
		if got := Path(test.path, test.lang); got != test.want {
			t.Errorf("Path(%q, %q) = %q; want %q", test.path, test.lang, got, test.want)
		}
	}
}
