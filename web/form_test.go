package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
	"golang.org/x/net/html"
)

// formValues submits an HTML form the way a browser without script does:
// named inputs (checkboxes only when checked), selected options, textareas.
func formValues(t *testing.T, page, formID string) (action string, q url.Values) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, key string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if id, _ := attr(n, "id"); n.Type == html.ElementNode && n.Data == "form" && id == formID {
			form = n
		}
		for c := n.FirstChild; c != nil && form == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		t.Fatalf("no form #%s", formID)
	}
	action, _ = attr(form, "action")
	q = url.Values{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, named := attr(n, "name")
			switch n.Data {
			case "input":
				typ, _ := attr(n, "type")
				_, checked := attr(n, "checked")
				v, _ := attr(n, "value")
				if named && typ != "submit" && ((typ != "checkbox" && typ != "radio") || checked) {
					q.Add(name, v)
				}
			case "textarea":
				if named && n.FirstChild != nil {
					q.Add(name, n.FirstChild.Data)
				}
			case "select":
				for o := n.FirstChild; o != nil; o = o.NextSibling {
					if _, sel := attr(o, "selected"); named && o.Type == html.ElementNode && sel {
						v, _ := attr(o, "value")
						q.Add(name, v)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return action, q
}

// TestNoScriptFormRoundTrip submits each loss page's form as a browser
// without JavaScript would: the page it leads to shows the same loss.
func TestNoScriptFormRoundTrip(t *testing.T) {
	h := newUITestApp(t)
	for _, spec := range engine.All() {
		t.Run(spec.Name, func(t *testing.T) {
			_, page := uiGet(t, h, "/losses/"+spec.Slug+"?theme=dark")
			action, q := formValues(t, page, "controls")
			if action != "/losses/"+spec.Slug {
				t.Errorf("form action = %q; want /losses/%s", action, spec.Slug)
			}
			if q.Get("theme") != "dark" {
				t.Errorf("form drops the theme: %v", q)
			}
			res, next := uiGet(t, h, action+"?"+q.Encode())
			if res.StatusCode != http.StatusOK {
				t.Fatalf("submitting the form (%s) status = %d; want 200\n%s", q.Encode(), res.StatusCode, next)
			}
			first, second := uiLossExact.FindStringSubmatch(page), uiLossExact.FindStringSubmatch(next)
			if first == nil || second == nil || first[1] != second[1] {
				t.Errorf("loss after submitting the form = %v; want %v", second, first)
			}
		})
	}
}
