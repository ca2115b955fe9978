package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sources are the packages whose *engine.Error messages pages show.
var sources = []string{"../engine", "../web", "../web/compare", "../state", "../charts", "../web/class"}

// errorFormats returns every format string passed to errorf, msgf or
// engine.Errorf in the non-test Go files of dir.
func errorFormats(t *testing.T, dir string) []string {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			idx := -1
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				switch fn.Name {
				case "errorf", "Errorf":
					idx = 1
				case "msgf":
					idx = 0
				}
				if b := filepath.Base(dir); b != "engine" && b != "class" {
					idx = -1 // other packages' errorf are not the engine's
				}
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && (x.Name == "engine" || x.Name == "class") && fn.Sel.Name == "Errorf" {
					idx = 1
				}
			}
			if idx < 0 || len(call.Args) <= idx {
				return true
			}
			if lit, ok := call.Args[idx].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				out = append(out, s)
			} else if id, ok := call.Args[idx].(*ast.Ident); !ok || id.Name != "format" { // errorf forwarding its own format
				t.Errorf("%s: an error format that is not a literal cannot be translated", f)
			}
			return true
		})
	}
	return out
}

var argVerb = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0]*[0-9.]*([a-zA-Z%])`)

// verbs maps each argument index of format to its verb.
func argVerbs(format string) map[int]string {
	out := map[int]string{}
	next := 1
	for _, m := range argVerb.FindAllStringSubmatch(format, -1) {
		if m[3] == "%" {
			continue
		}
		if m[2] != "" {
			next, _ = strconv.Atoi(m[2])
		}
		out[next] = m[3]
		next++
	}
	return out
}

// TestEngineMessages checks that every error format of the engine and the
// pages' checks has a Chinese form taking the same arguments, and that the
// table holds no format the code no longer uses.
func TestEngineMessages(t *testing.T) {
	used := map[string]bool{}
	for _, dir := range sources {
		for _, f := range errorFormats(t, dir) {
			used[f] = true
		}
	}
	if len(used) < 50 {
		t.Fatalf("found %d error formats; the scan is broken", len(used))
	}
	for f := range used {
		zh, ok := engineZH[f]
		if !ok {
			t.Errorf("no Chinese for error format %q (i18n/engine_zh.go)", f)
			continue
		}
		if got, want := argVerbs(zh), argVerbs(f); !mapsEqual(got, want) {
			t.Errorf("Chinese of %q takes arguments %v; want %v", f, got, want)
		}
	}
	for f := range engineZH {
		if !used[f] {
			t.Errorf("engine_zh.go translates %q, which no code uses", f)
		}
	}
}

func mapsEqual(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]int, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
