package lessons

import "testing"

func TestNegotiateLang(t *testing.T) {
	tests := []struct {
		query, accept, want string
	}{
		{"", "", "en"},
		{"zh", "", "zh"},
		{"en", "zh-CN,zh;q=0.9", "en"},
		{"ZH-cn", "", "zh"},
		{"fr", "zh-CN", "zh"},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"", "en-US,en;q=0.9,zh;q=0.8", "en"},
		{"", "fr-FR,zh-TW;q=0.5", "zh"},
		{"", "fr, de", "en"},
		{"", "en;q=0.2, zh;q=0.7", "zh"},
		{"", "zh;q=0, en;q=0.1", "en"},
		{"", "zh;q=bogus, en;q=0.1", "en"},
		{"", "zh_Hans", "zh"},
		{"", "*", "en"},
	}
	for _, test := range tests {
		t.Run(test.query+"|"+test.accept, func(t *testing.T) {
			if got := NegotiateLang(test.query, test.accept); got != test.want {
				t.Errorf("NegotiateLang(%q, %q) = %q; want %q", test.query, test.accept, got, test.want)
			}
		})
	}
}
