package lessons

import (
	"strings"
	"testing"
)

func TestRenderMarkdownMath(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // substrings of the HTML
		not  []string
	}{
		{"inline", "a $x_i_j$ b", []string{`<span class="math" data-latex="x_i_j" data-testid="math">x_i_j</span>`}, []string{"<em>"}},
		{"display", "$$\\sum_i \\{a\\}$$", []string{`<span class="math display" data-latex="\sum_i \{a\}" data-testid="math">\sum_i \{a\}</span>`}, nil},
		{"escaped html", "$a<b$", []string{`data-latex="a&lt;b" data-testid="math">a&lt;b</span>`}, nil},
		{"code span keeps dollars", "`$x$`", []string{"<code>$x$</code>"}, []string{`class="math"`}},
		{"fence keeps dollars", "```\n$x$\n```\n", []string{"$x$"}, []string{`class="math"`}},
		{"escaped dollar", `costs \$5 and \$6`, []string{"costs $5 and $6"}, []string{`class="math"`}},
		{"unclosed", "a $ b", []string{"a $ b"}, []string{`class="math"`}},
		{"no math across paragraphs", "a $b\n\nc$ d", []string{"a $b", "c$ d"}, []string{`class="math"`}},
		{"multi-line display", "$$\na_1\n+ a_2\n$$", []string{"a_1\n+ a_2</span>"}, nil},
		{"preset link", "[try](preset:p1)", []string{`href="/losses/l1?x=1"`, `data-preset="p1"`, `data-testid="preset-link"`}, nil},
		{"ordinary link untouched", "[doc](https://example.org/)", []string{`href="https://example.org/"`}, []string{"data-preset"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := renderMarkdown(test.src, map[string]string{"p1": "/losses/l1?x=1"})
			if err != nil {
				t.Fatalf("renderMarkdown(%q) error: %v", test.src, err)
			}
			for _, w := range test.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("renderMarkdown(%q) = %s; want it to contain %s", test.src, got, w)
				}
			}
			for _, n := range test.not {
				if strings.Contains(string(got), n) {
					t.Errorf("renderMarkdown(%q) = %s; want no %s", test.src, got, n)
				}
			}
		})
	}
}

func TestRenderMarkdownChineseLineBreaks(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"常用于知识蒸馏\n（匹配教师模型）\n中文", "常用于知识蒸馏（匹配教师模型）中文"},
		{"中文，\n  续行", "中文，续行"},
		{"使用\nBCELoss", "使用\nBCELoss"},
		{"BCELoss\n之后", "BCELoss\n之后"},
		{"English\nwords", "English\nwords"},
		{"```\n中文\n中文\n```", "中文\n中文"},
	}
	for _, test := range tests {
		got, err := renderMarkdown(test.src, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), test.want) {
			t.Errorf("renderMarkdown(%q) = %q; want it to contain %q", test.src, got, test.want)
		}
	}
}
