package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkPages serves the case page, the home page and a search over
// the fixtures, in process: the cost of a page, not of the network.
func BenchmarkPages(b *testing.B) {
	s := newSite(b, true)
	mux := http.NewServeMux()
	s.web.Register(mux)
	for _, path := range []string{"/cases/amira-testova?lang=fa", "/?lang=ru", "/?q=fiktv"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
				if rec.Code != 200 {
					b.Fatalf("%s: %d", path, rec.Code)
				}
			}
		})
	}
}
