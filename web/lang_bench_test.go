package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkPageByLanguage renders the same pages in English and Chinese:
// the catalogue lookups must not make a Chinese page measurably slower or
// heavier than an English one (bytes/page are reported as page-bytes).
func BenchmarkPageByLanguage(b *testing.B) {
	app, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	h := app.Routes()
	for _, path := range []string{"/", "/losses/cross-entropy", "/compare/margin"} {
		for _, lang := range []string{"en", "zh"} {
			b.Run(path+"/"+lang, func(b *testing.B) {
				size := 0
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path+"?lang="+lang, nil))
					if rec.Code != http.StatusOK {
						b.Fatalf("GET %s?lang=%s = %d", path, lang, rec.Code)
					}
					size = rec.Body.Len()
				}
				b.ReportMetric(float64(size), "page-bytes")
			})
		}
	}
}
