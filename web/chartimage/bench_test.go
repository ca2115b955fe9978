package chartimage

import (
	"context"
	"strconv"
	"testing"
)

// BenchmarkNewRuntime is the cost of a runtime's first use: a goja
// runtime running the compiled ECharts build (the compilation itself is
// once per process).
func BenchmarkNewRuntime(b *testing.B) {
	if _, err := program(); err != nil {
		b.Fatal(err)
	}
	for range b.N {
		if _, err := newRuntime(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompile is the once-per-process compilation of ECharts.
func BenchmarkCompile(b *testing.B) {
	src, err := ssrFiles.ReadFile(ssrBuild)
	if err != nil {
		b.Skip(err)
	}
	for range b.N {
		if _, err := compileSSR(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender draws testOption in a warm runtime, with a new cache key
// each time (ECharts' work alone, without the playground's evaluation).
func BenchmarkRender(b *testing.B) {
	r, err := New(Options{Runtimes: 1})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Render(context.Background(), "warm-up", []byte(testOption), 640, 400); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := r.Render(context.Background(), strconv.Itoa(i), []byte(testOption), 640, 400); err != nil {
			b.Fatal(err)
		}
	}
}
