package lessons

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/lossplayground/playground/formula"
)

// Math is written $...$ (inline) and $$...$$ (display) and typeset here,
// on the server, by KaTeX (package formula): the lesson's HTML holds the
// finished formulas and the browser needs no KaTeX script. Goldmark would
// treat the LaTeX as Markdown (a_i_j becomes emphasis, \{ loses its
// backslash), so every math span is swapped for an inert placeholder before
// rendering and swapped back afterwards for formula.HTML's markup,
//
//	<span class="math typeset" data-latex="x_i" data-rendered="1" data-testid="math">KaTeX's HTML</span>
//
// the same as the loss pages' formulas (a formula KaTeX cannot parse stays
// as its LaTeX in <code>, marked katex-failed). Code spans and fenced code
// keep their dollars. A backslash-escaped \$ stays a literal dollar sign.

// mathPlaceholderPrefix starts every placeholder; letters and digits only,
// so that no Markdown rule can touch it.
const mathPlaceholderPrefix = "LPMATHPH"

type mathSpan struct {
	tex     string
	display bool
}

// protectMath returns src with math spans replaced by placeholders, and
// the spans in placeholder order.
func protectMath(src string) (string, []mathSpan) {
	var out strings.Builder
	var spans []mathSpan
	inFence := false
	lines := strings.SplitAfter(src, "\n")
	// Join lines back into paragraphs-aware text while tracking fences.
	var para strings.Builder
	flush := func() {
		s, sp := protectMathText(para.String(), len(spans))
		out.WriteString(s)
		spans = append(spans, sp...)
		para.Reset()
	}
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			flush()
			inFence = !inFence
			out.WriteString(line)
			continue
		}
		if inFence {
			out.WriteString(line)
			continue
		}
		para.WriteString(line)
	}
	flush()
	return out.String(), spans
}

// protectMathText replaces math in text outside fenced code. Inline $...$
// must close before a blank line; $$...$$ may span lines.
func protectMathText(s string, first int) (string, []mathSpan) {
	var out strings.Builder
	var spans []mathSpan
	placeholder := func(tex string, display bool) {
		out.WriteString(mathPlaceholderPrefix)
		out.WriteString(strconv.Itoa(first + len(spans)))
		out.WriteString("X")
		spans = append(spans, mathSpan{tex: strings.TrimSpace(tex), display: display})
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			out.WriteString(s[i : i+2])
			i += 2
		case c == '`':
			// A code span: copy through the matching backtick run.
			n := 1
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			fence := s[i : i+n]
			end := strings.Index(s[i+n:], fence)
			if end < 0 {
				out.WriteString(fence)
				i += n
				continue
			}
			out.WriteString(s[i : i+n+end+n])
			i += n + end + n
		case c == '$' && strings.HasPrefix(s[i:], "$$"):
			end := strings.Index(s[i+2:], "$$")
			if end < 0 {
				out.WriteString("$$")
				i += 2
				continue
			}
			placeholder(s[i+2:i+2+end], true)
			i += 2 + end + 2
		case c == '$':
			end := closingDollar(s[i+1:])
			if end < 0 {
				out.WriteByte('$')
				i++
				continue
			}
			placeholder(s[i+1:i+1+end], false)
			i += 1 + end + 1
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.String(), spans
}

// closingDollar finds the $ that closes an inline math span in s, skipping
// escaped dollars; it gives up at a blank line.
func closingDollar(s string) int {
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '\n':
			if j+1 < len(s) && strings.TrimSpace(firstLine(s[j+1:])) == "" {
				return -1
			}
		case '$':
			if j == 0 {
				return -1 // "$$" is display math, handled by the caller
			}
			return j
		}
	}
	return -1
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// joinCJKLines joins a line that ends with a Chinese character to the next
// when that one starts with a Chinese character: a browser shows a soft
// line break as a space, which Chinese text must not have. A break between
// Chinese and Latin text stays a space ("使用 BCELoss"). Fenced code is
// left alone.
func joinCJKLines(src string) string {
	lines := strings.Split(src, "\n")
	var out strings.Builder
	inFence := false
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
		}
		out.WriteString(line)
		if i == len(lines)-1 {
			break
		}
		next := strings.TrimLeft(lines[i+1], " \t")
		last, _ := utf8.DecodeLastRuneInString(line)
		first, _ := utf8.DecodeRuneInString(next)
		if !inFence && isCJK(last) && isCJK(first) {
			lines[i+1] = next
			continue
		}
		out.WriteByte('\n')
	}
	return out.String()
}

// isCJK reports whether r is a Chinese or Japanese character, or
// punctuation set in Chinese text (fullwidth forms, CJK punctuation, curly
// quotes, the em dash and the ellipsis).
func isCJK(r rune) bool {
	switch {
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
		return true
	case r >= 0x3000 && r <= 0x303F, r >= 0xFF00 && r <= 0xFFEF:
		return true
	case r == '“' || r == '”' || r == '‘' || r == '’' || r == '—' || r == '…':
		return true
	}
	return false
}

// restoreMath swaps the placeholders in rendered HTML back for typeset
// formulas; a display formula's label (for screen readers and the
// keyboard focus that scrolls it) is in lang.
func restoreMath(h string, spans []mathSpan, lang string) string {
	if len(spans) == 0 {
		return h
	}
	var out strings.Builder
	for {
		i := strings.Index(h, mathPlaceholderPrefix)
		if i < 0 {
			out.WriteString(h)
			return out.String()
		}
		out.WriteString(h[:i])
		rest := h[i+len(mathPlaceholderPrefix):]
		j := strings.IndexByte(rest, 'X')
		n, err := strconv.Atoi(rest[:max(j, 0)])
		if j < 0 || err != nil || n < 0 || n >= len(spans) {
			out.WriteString(mathPlaceholderPrefix)
			h = rest
			continue
		}
		sp := spans[n]
		out.WriteString(string(formula.HTML(formula.Formula{LaTeX: sp.tex, Display: sp.display, Label: UIText(lang, "formula")})))
		h = rest[j+1:]
	}
}

// presetLinker rewrites links written [text](preset:ID) to the preset's
// permalink, marking them for tests and styling. It also moves every
// heading down one level: a lesson sits under the page's own h1 and the
// lesson title's h2, so its "## Parameters" becomes an h3. The preset URLs
// of the document being rendered come through the parser context.
type presetLinker struct{}

// presetLinks is what one conversion's presetLinker reads and reports.
type presetLinks struct {
	urls    map[string]string
	missing []string
}

var presetLinksKey = parser.NewContextKey()

func (presetLinker) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	links, _ := pc.Get(presetLinksKey).(*presetLinks)
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && h.Level < 6 {
			h.Level++
		}
		link, ok := n.(*ast.Link)
		if !entering || !ok || links == nil {
			return ast.WalkContinue, nil
		}
		id, ok := strings.CutPrefix(string(link.Destination), "preset:")
		if !ok {
			return ast.WalkContinue, nil
		}
		url, ok := links.urls[id]
		if !ok {
			links.missing = append(links.missing, id)
			return ast.WalkContinue, nil
		}
		link.Destination = []byte(url)
		link.SetAttributeString("class", "lesson-preset-link")
		link.SetAttributeString("data-testid", "preset-link")
		link.SetAttributeString("data-preset", id)
		return ast.WalkContinue, nil
	})
}

// lessonMarkdown is built once: building a goldmark instance costs far
// more than converting a lesson.
var lessonMarkdown = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough),
	goldmark.WithParserOptions(parser.WithASTTransformers(prioritized(presetLinker{}))),
)

// renderMarkdown renders src, written in lang, to HTML, typesetting its
// math and turning preset: links into permalinks. A link to an unknown
// preset is an error.
func renderMarkdown(src, lang string, presetURLs map[string]string) (template.HTML, error) {
	protected, spans := protectMath(joinCJKLines(src))
	links := &presetLinks{urls: presetURLs}
	pc := parser.NewContext()
	pc.Set(presetLinksKey, links)
	var buf bytes.Buffer
	if err := lessonMarkdown.Convert([]byte(protected), &buf, parser.WithContext(pc)); err != nil {
		return "", err
	}
	if len(links.missing) > 0 {
		return "", fmt.Errorf("link to unknown preset %q", links.missing[0])
	}
	return template.HTML(restoreMath(buf.String(), spans, lang)), nil
}

func prioritized(t parser.ASTTransformer) util.PrioritizedValue {
	return util.Prioritized(t, 100)
}
