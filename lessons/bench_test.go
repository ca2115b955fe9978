package lessons

import "testing"

// BenchmarkLoadFS parses and renders every embedded lesson, as start-up does.
func BenchmarkLoadFS(b *testing.B) {
	for b.Loop() {
		if _, err := LoadFS(contentFS); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck answers one question: two engine evaluations through the
// permalink path.
func BenchmarkCheck(b *testing.B) {
	l := Get("l1", "en")
	if l == nil {
		b.Fatal("no l1 lesson")
	}
	q := l.Question("outlier-l1-vs-mse")
	for b.Loop() {
		if _, err := q.Check("b"); err != nil {
			b.Fatal(err)
		}
	}
}
