package card

import (
	"runtime"
	"syscall"
	"testing"
)

// cpuTime returns the CPU time the process has used (user and system),
// in nanoseconds: on a busy shared machine a truer cost than the wall
// clock.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkRender renders cards (og and square, English and Persian,
// with and without a photo) and reports ms/op (wall clock), cpu-ms/op
// (the process's CPU time per card, GC included) and alloc-MiB/op, the
// MiB allocated per card: an upper bound of the memory one card takes
// beyond the shared fonts, as nothing a render allocates outlives it but
// its PNG.
func BenchmarkRender(b *testing.B) {
	fx := fixtures(b)
	for _, bc := range []struct {
		name, id, lang string
		size           Size
	}{
		{"og-en", "amira-testova", "en", OG},
		{"og-fa", "dariush-azmayeshi", "fa", OG},
		{"square-en", "amira-testova", "en", Square},
		{"square-fa", "dariush-azmayeshi", "fa", Square},
		{"og-photo-en", "pavel-fiktiv", "en", OG},
		{"square-photo-fa", "pavel-fiktiv", "fa", Square},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := fx[bc.id]
			o := Options{Lang: bc.lang, Size: bc.size, Today: today, PublicURL: publicURL}
			if _, err := Render(c, o); err != nil { // fonts parsed, typesetter warm
				b.Fatal(err)
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			alloc0 := ms.TotalAlloc
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Render(c, o); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64(ms.TotalAlloc-alloc0)/float64(b.N)/(1<<20), "alloc-MiB/op")
		})
	}
}
