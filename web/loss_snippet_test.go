package web

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
)

// TestPytorchSnippetMatchesTorch runs every loss page's "Copy as PyTorch"
// snippet with PyTorch (Debian's python3-torch, when installed) in one
// Python process and checks that the loss it prints is the one the page
// shows.
func TestPytorchSnippetMatchesTorch(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import torch").Run(); err != nil {
		t.Skip("PyTorch is not installed for " + python + " (apt-get install python3-torch): snippets not run")
	}
	type item struct{ name, snippet, shown string }
	var items []item
	for _, spec := range engine.All() {
		st, err := state.Parse(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := buildLossPage(context.Background(), testComputer(), spec, st)
		if err != nil {
			t.Fatalf("%s: %v", spec.Name, err)
		}
		if strings.HasPrefix(p.Result.LossShape, "shape") {
			continue // reduction 'none' by default: no single number to compare
		}
		items = append(items, item{spec.Name, p.Result.Snippet, p.Result.Loss})
	}
	snippets := make([]string, len(items))
	for i, it := range items {
		snippets[i] = it.snippet
	}
	js, _ := json.Marshal(snippets)
	prog := `import contextlib, io, json, sys
for s in json.load(sys.stdin):
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(s, {})
        print(json.dumps(out.getvalue().split("\n")[0]))
    except Exception as e:
        print(json.dumps("ERROR " + repr(e)))
`
	cmd := exec.Command(python, "-c", prog)
	cmd.Stdin = strings.NewReader(string(js))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(items) {
		t.Fatalf("python printed %d lines for %d snippets:\n%s", len(lines), len(items), out)
	}
	num := regexp.MustCompile(`^tensor\(([^,)\[]+)`)
	for i, it := range items {
		var first string
		json.Unmarshal([]byte(lines[i]), &first)
		m := num.FindStringSubmatch(first)
		if m == nil {
			t.Errorf("%s: PyTorch printed %q; want tensor(%s, ...)\nsnippet:\n%s", it.name, first, it.shown, it.snippet)
			continue
		}
		if m[1] != it.shown {
			t.Errorf("%s: PyTorch prints loss %s; page shows %s", it.name, m[1], it.shown)
		}
	}
}
