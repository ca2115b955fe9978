package lessons

import (
	"strings"
	"testing"
)

func TestIntro(t *testing.T) {
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			in, err := GetIntro(lang)
			if err != nil {
				t.Fatalf("GetIntro(%q) error: %v", lang, err)
			}
			if in.Lang != lang {
				t.Errorf("GetIntro(%q).Lang = %q; want %q", lang, in.Lang, lang)
			}
			html := string(in.HTML)
			for _, want := range []string{"criterion", "reduction", `href="/losses/mse`, `class="math`} {
				if !strings.Contains(html, want) {
					t.Errorf("GetIntro(%q).HTML has no %q", lang, want)
				}
			}
		})
	}
	in, err := GetIntro("fr")
	if err != nil || in.Lang != "en" {
		t.Errorf(`GetIntro("fr") = %v, %v; want the English page`, in, err)
	}
}
