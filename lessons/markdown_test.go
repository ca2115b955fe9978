package lessons

import (
	"regexp"
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
		{"inline", "a $x_{ij}$ b", []string{`a <span class="math typeset" data-latex="x_{ij}" data-rendered="1" data-testid="math"><span class="katex">`, `<annotation encoding="application/x-tex">x_{ij}</annotation>`}, []string{"<em>", "tabindex"}},
		{"underscores stay LaTeX", "a $x_i_j$ b", []string{`<span class="math katex-failed" data-latex="x_i_j" data-testid="math"><code>x_i_j</code></span>`}, []string{"<em>"}},
		{"display", "$$\\sum_i \\{a\\}$$", []string{`<span class="math display typeset" data-latex="\sum_i \{a\}" data-rendered="1" tabindex="0" role="group" aria-label="Formula" data-testid="math"><span class="katex">`, `<mstyle scriptlevel="0" displaystyle="true">`, `<annotation encoding="application/x-tex">\displaystyle \sum_i \{a\}</annotation>`}, nil},
		{"escaped html", "$a<b$", []string{`data-latex="a&lt;b"`, `<annotation encoding="application/x-tex">a&lt;b</annotation>`}, nil},
		{"code span keeps dollars", "`$x$`", []string{"<code>$x$</code>"}, []string{`class="math"`}},
		{"fence keeps dollars", "```\n$x$\n```\n", []string{"$x$"}, []string{`class="math"`}},
		{"escaped dollar", `costs \$5 and \$6`, []string{"costs $5 and $6"}, []string{`class="math"`}},
		{"unclosed", "a $ b", []string{"a $ b"}, []string{`class="math"`}},
		{"no math across paragraphs", "a $b\n\nc$ d", []string{"a $b", "c$ d"}, []string{`class="math"`}},
		{"multi-line display", "$$\na_1\n+ a_2\n$$", []string{"a_1\n+ a_2</annotation>"}, nil},
		{"preset link", "[try](preset:p1)", []string{`href="/losses/l1?x=1"`, `data-preset="p1"`, `data-testid="preset-link"`}, nil},
		{"ordinary link untouched", "[doc](https://example.org/)", []string{`href="https://example.org/"`}, []string{"data-preset"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := renderMarkdown(test.src, "en", map[string]string{"p1": "/losses/l1?x=1"})
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
		got, err := renderMarkdown(test.src, "zh", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), test.want) {
			t.Errorf("renderMarkdown(%q) = %q; want it to contain %q", test.src, got, test.want)
		}
	}
}

// TestRenderMarkdownMathLabel: a display formula is a focusable group
// labelled in the lesson's language.
func TestRenderMarkdownMathLabel(t *testing.T) {
	for lang, want := range map[string]string{"en": `aria-label="Formula"`, "zh": `aria-label="公式"`} {
		got, err := renderMarkdown("$$x^2$$", lang, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), want) {
			t.Errorf("renderMarkdown($$x^2$$) in %s = %s; want %s", lang, got, want)
		}
	}
}

// TestEveryLessonFormulaTypesets renders every lesson and question: KaTeX
// parses all their math, so no reader sees LaTeX source.
func TestEveryLessonFormulaTypesets(t *testing.T) {
	lib, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, slug := range lib.Slugs() {
		for _, lang := range Languages {
			if lib.Has(slug, lang) {
				l, _ := lib.Get(slug, lang)
				checkLessonMath(t, l)
			}
		}
	}
}

func checkLessonMath(t *testing.T, l *Lesson) {
	t.Helper()
	htmls := map[string]string{"body": string(l.HTML)}
	for _, q := range l.Questions {
		htmls["question "+q.ID+" prompt"] = string(q.PromptHTML)
		htmls["question "+q.ID+" explanation"] = string(q.ExplanationHTML)
	}
	for where, h := range htmls {
		for _, m := range katexFailed.FindAllStringSubmatch(h, -1) {
			t.Errorf("%s/%s %s: KaTeX cannot typeset %s", l.Lang, l.Slug, where, m[1])
		}
	}
}

var katexFailed = regexp.MustCompile(`class="math[^"]*katex-failed" data-latex="([^"]*)"`)
