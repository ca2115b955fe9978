package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// chinesePages lists every kind of page, in Chinese: the catalog, the
// introduction, every loss page, embed and lesson, the three comparisons
// and the error pages.
func chinesePages() []string {
	pages := []string{"/?lang=zh", "/intro?lang=zh",
		"/compare/regression?lang=zh", "/compare/classification?lang=zh", "/compare/margin?lang=zh",
		"/losses/no-such-loss?lang=zh", "/losses/mse?reduction=bogus&lang=zh", "/no/such/page?lang=zh"}
	for _, s := range engine.All() {
		pages = append(pages, "/losses/"+s.Slug+"?lang=zh", "/embed/"+s.Slug+"?lang=zh", "/lessons/"+s.Slug+"?lang=zh")
	}
	return pages
}

// technicalWords are the words a Chinese page keeps as PyTorch (or
// mathematics) spells them: class, parameter, input and value names, and
// a few names of things.
func technicalWords() map[string]bool {
	words := map[string]bool{}
	add := func(s string) {
		for _, w := range latinWords(s) {
			words[strings.ToLower(w)] = true
		}
	}
	for _, s := range engine.All() {
		add(s.Name)
		for _, p := range s.Params {
			add(p.Name)
			for _, v := range p.Values {
				add(v)
			}
		}
		for _, in := range s.Inputs {
			add(in.Name)
		}
	}
	for _, w := range strings.Fields(`loss playground pytorch torch nn functional en png svg none true false nan inf infinity
		log exp softmax sigmoid logits logit argmax median kl ce nll bce mse svm ctc huber viterbi adam sgd lr erf
		one hot lp sym mean sum batchmean pairwise cosine cos sin max min clamp xlogy softplus tensor float
		size average reduce cross entropy squeeze dim backward item relu katex echarts assets make js
		median mode the`) {
		words[w] = true
	}
	return words
}

var latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z_]*`)

func latinWords(s string) []string { return latinWord.FindAllString(s, -1) }

// skippedElements hold code, math or data, not words a reader reads as
// prose: their text is left out of the visible text.
var skippedElements = map[string]bool{"script": true, "style": true, "code": true, "pre": true,
	"textarea": true, "select": true, "svg": true, "annotation": true}

// visibleText returns the words a reader sees on a page: the text outside
// code, math and data blocks, and the aria-label, title and placeholder
// attributes screen readers and tooltips read.
func visibleText(t *testing.T, page string) (text string, labels []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if skippedElements[n.Data] {
				return
			}
			skip := false
			for _, a := range n.Attr {
				switch a.Key {
				case "class":
					// Math and parameter names are not prose; a math
					// element's label still is.
					skip = skip || slices.Contains(strings.Fields(a.Val), "math") || slices.Contains(strings.Fields(a.Val), "pname")
				case "aria-label", "title", "placeholder":
					b.WriteString(" " + a.Val + " ")
					labels = append(labels, a.Val)
				}
			}
			if skip {
				return
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String(), labels
}

// proseWords returns the English words of text that are not technical.
func proseWords(text string, technical map[string]bool) []string {
	var out []string
	for _, w := range latinWords(text) {
		lw := strings.ToLower(w)
		if len(w) < 2 || technical[lw] || strings.Contains(w, "_") {
			continue
		}
		out = append(out, w)
	}
	return out
}

// hanShare is the share of Han characters among Han characters and the
// letters of English prose words.
func hanShare(text string, technical map[string]bool) float64 {
	han := 0
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			han++
		}
	}
	latin := 0
	for _, w := range proseWords(text, technical) {
		latin += len(w)
	}
	if han+latin == 0 {
		return 0
	}
	return float64(han) / float64(han+latin)
}

// englishSentences are the English texts a Chinese page must not show:
// every metadata text of the engine and every message of the interface
// catalogue with at least two words of prose.
func englishSentences(technical map[string]bool) []string {
	var out []string
	add := func(s string) {
		// A message with arguments is checked by its longest literal part.
		parts := regexp.MustCompile(`%(\[\d+\])?[a-z.0-9]*[sdgvq]`).Split(s, -1)
		sort.Slice(parts, func(i, j int) bool { return len(parts[i]) > len(parts[j]) })
		if p := strings.TrimSpace(parts[0]); len(proseWords(p, technical)) >= 2 {
			out = append(out, p)
		}
	}
	for _, s := range engine.All() {
		add(s.Summary)
		for _, p := range s.Params {
			add(p.Doc)
		}
		for _, in := range s.Inputs {
			add(in.Doc)
		}
	}
	for _, f := range engine.Families {
		out = append(out, ">"+string(f)+"<")
	}
	for _, key := range i18nKeys() {
		add(i18n.T("en", key))
	}
	return out
}

func i18nKeys() []string {
	var keys []string
	for _, lang := range []string{"en"} {
		for k := range i18n.Prefixed(lang, "") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// chartWords returns the title, subtitle, axis and series names of every
// chart option in the page's data blocks (lp-charts on loss pages,
// compare-data on comparisons).
func chartWords(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<script id="(lp-charts|compare-data)" type="application/json">(.*?)</script>`).FindAllStringSubmatch(page, -1) {
		var v any
		if err := json.Unmarshal([]byte(html.UnescapeString(m[2])), &v); err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		if m[1] == "compare-data" {
			// Only the charts: the rest of the block is data for the script.
			v = v.(map[string]any)["charts"]
		}
		var walk func(v any, key string)
		walk = func(v any, key string) {
			switch x := v.(type) {
			case map[string]any:
				for k, c := range x {
					if k == "toolbox" {
						continue // a file name derived from the title, not shown
					}
					walk(c, k)
				}
			case []any:
				for _, c := range x {
					walk(c, key)
				}
			case string:
				switch key {
				case "text", "subtext", "name", "title":
					out = append(out, x)
				}
			}
		}
		walk(v, "")
	}
	return out
}

// TestChinesePages opens every page in Chinese and checks that a reader
// sees Chinese: no English metadata text, interface message, chart title,
// axis or legend left outside code and math, and mostly Chinese characters
// in the visible text.
func TestChinesePages(t *testing.T) {
	h := newUITestApp(t)
	technical := technicalWords()
	sentences := englishSentences(technical)
	for _, path := range chinesePages() {
		t.Run(path, func(t *testing.T) {
			res, body := uiGet(t, h, path)
			if res.StatusCode >= http.StatusInternalServerError {
				t.Fatalf("GET %s = %d", path, res.StatusCode)
			}
			if !strings.Contains(body, `<html lang="zh"`) {
				t.Errorf("GET %s: html lang is not zh", path)
			}
			text, labels := visibleText(t, body)
			for _, l := range labels {
				// A label with no Chinese may only name things (a class,
				// a parameter, a number).
				if hanShare(l, technical) == 0 && len(proseWords(l, technical)) > 0 {
					t.Errorf("GET %s: label %q is English", path, l)
				}
			}
			flat := strings.Join(strings.Fields(text), " ")
			for _, s := range sentences {
				if strings.HasPrefix(s, ">") {
					if strings.Contains(body, s) {
						t.Errorf("GET %s shows the English family name %s", path, s)
					}
					continue
				}
				if strings.Contains(flat, s) {
					t.Errorf("GET %s shows English %q", path, s)
				}
			}
			share := hanShare(text, technical)
			t.Logf("GET %s: Han share %.2f", path, share)
			if share < 0.6 {
				t.Errorf("GET %s: Han share of the visible text = %.2f; want ≥ 0.6 (English prose: %q)", path, share, proseWords(text, technical))
			}
			for _, w := range chartWords(t, body) {
				// A quoted target (CTC's “ab”) is data, not words.
				w = regexp.MustCompile(`“[^”]*”`).ReplaceAllString(w, "")
				if ws := proseWords(w, technical); len(ws) > 0 {
					t.Errorf("GET %s: chart text %q has English %q", path, w, ws)
				}
			}
		})
	}
}

// TestPagesFollowAcceptLanguage: without ?lang= a page speaks the
// browser's language, says that it varies by it, and ?lang= wins.
func TestPagesFollowAcceptLanguage(t *testing.T) {
	h := newUITestApp(t)
	tests := []struct {
		path, accept, want string
	}{
		{"/", "zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"/", "en-US,en;q=0.9", "en"},
		{"/", "", "en"},
		{"/?lang=en", "zh-CN", "en"},
		{"/compare/margin", "zh-TW", "zh"},
		{"/intro", "zh", "zh"},
		{"/losses/mse", "zh", "zh"},
		{"/losses/no-such-loss", "zh", "zh"},
	}
	for _, test := range tests {
		t.Run(test.path+" "+test.accept, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, test.path, nil)
			if test.accept != "" {
				req.Header.Set("Accept-Language", test.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if !strings.Contains(body, `<html lang="`+test.want+`"`) {
				t.Errorf("GET %s with Accept-Language %q: page not in %s", test.path, test.accept, test.want)
			}
			if vary := rec.Header().Values("Vary"); !slices.Contains(vary, "Accept-Language") {
				t.Errorf("GET %s: Vary = %q; want Accept-Language in it", test.path, vary)
			}
		})
	}
}
