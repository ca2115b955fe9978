package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lossplayground/playground/web/compare"
)

// BenchmarkComparePage measures one server-rendered comparison page: what
// a classroom opening the page at once costs the server per student.
func BenchmarkComparePage(b *testing.B) {
	app, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	h := app.Routes()
	for _, path := range []string{"/compare/regression", "/compare/classification", "/compare/margin"} {
		b.Run(path[len("/compare/"):], func(b *testing.B) {
			var size int
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s = %d", path, rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "html-bytes")
		})
	}
}

// BenchmarkCompareFitFrame measures one frame of the default fit (five
// steps of four losses, then the lines), the writer's work per tick.
func BenchmarkCompareFitFrame(b *testing.B) {
	app, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	r := compare.DefaultFit()
	r.Steps = compare.MaxFitSteps
	var s *wsFitStream
	for b.Loop() {
		if s == nil || s.run.Done() {
			run, err := compare.NewFitRun(r)
			if err != nil {
				b.Fatal(err)
			}
			s = newWSFitStream(app.log, 1, run)
			s.stop()
		}
		msg, _ := s.frame(true)
		b.SetBytes(int64(len(msg)))
	}
}
