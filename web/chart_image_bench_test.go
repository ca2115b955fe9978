package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// chartImageBenchCharts are the charts benchmarked: one of each kind.
// Each %v takes a value that makes the state (and the cache key) new.
var chartImageBenchCharts = []struct{ name, path string }{
	{"curve", "/losses/smooth-l1/charts/curve.svg?beta=%v"},
	{"elements", "/losses/mse/charts/elements.svg?input=[[0.5,%v,2],[1.5,0,-0.5]]"},
	{"gradient", "/losses/smooth-l1/charts/gradient.svg?beta=%v"},
	{"family", "/losses/cross-entropy/charts/family.svg?label_smoothing=%v"},
	{"lattice", "/losses/ctc/charts/lattice.svg?log_probs=[[[-0.3567,-1.6094,-2.3026],[-0.6931,-1.204,-1.6094]],[[-1.6094,-0.5108,-1.6094],[-1.204,-1.204,-0.9163]],[[-0.6931,-1.6094,-1.204],[-1.6094,-2.3026,-0.3567]],[[-1.6094,-2.3026,-0.3567],[-0.5108,-1.6094,%v]]]"},
	{"compare-fit", "/compare/regression/charts/fit.svg?outlier=%v"},
}

// chartImageBenchValue is the i-th distinct value put into a state.
func chartImageBenchValue(i int64) string { return fmt.Sprintf("0.%06d", i%999999+1) }

// chartImageBenchGet requests path and fails the benchmark on anything
// but 200.
func chartImageBenchGet(b *testing.B, h http.Handler, path string) {
	rec := chartImageGet(h, path)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d, %s", path, rec.Code, rec.Body)
	}
}

// reportP95 reports the 95th percentile of durations in ms.
func reportP95(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[(len(d)*95)/100].Microseconds())/1000, "p95-ms")
}

// chartImageBenchApp is an app without the per-address page rate limit,
// which a benchmark's thousands of requests from one address would hit.
func chartImageBenchApp(b *testing.B) *App {
	b.Helper()
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// reportCPU reports the process CPU time per operation since cpu, in ms
// (the work a render costs, whatever else loads the machine).
func reportCPU(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64((processCPUTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// BenchmarkChartImage times one chart image per iteration through the
// routes: cold (a new state each time: evaluate, build the option, draw
// it in a warm runtime) and cached (the same URL again).
func BenchmarkChartImage(b *testing.B) {
	h := chartImageBenchApp(b).Routes()
	for _, c := range chartImageBenchCharts {
		b.Run(c.name+"/cold", func(b *testing.B) {
			chartImageBenchGet(b, h, fmt.Sprintf(c.path, "0.999")) // start a runtime
			var d []time.Duration
			cpu := processCPUTime()
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				chartImageBenchGet(b, h, fmt.Sprintf(c.path, chartImageBenchValue(int64(i))))
				d = append(d, time.Since(start))
			}
			reportCPU(b, cpu)
			reportP95(b, d)
		})
		b.Run(c.name+"/cached", func(b *testing.B) {
			path := fmt.Sprintf(c.path, "0.5")
			chartImageBenchGet(b, h, path)
			var d []time.Duration
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				chartImageBenchGet(b, h, path)
				d = append(d, time.Since(start))
			}
			reportP95(b, d)
		})
	}
}

// BenchmarkChartImageConcurrent has 8 requesters ask for new states (cold
// renders, every kind of chart in turn) at once and reports renders per
// second and the p95 latency each requester saw, and how many requests
// were shed with a 503 (none, unless the machine is overloaded). The renderer runs as
// many renders at once as there are CPUs; the others wait for a slot.
func BenchmarkChartImageConcurrent(b *testing.B) {
	const requesters = 8
	for _, cached := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "cached"}[cached]
		b.Run(name, func(b *testing.B) {
			h := chartImageBenchApp(b).Routes()
			for _, c := range chartImageBenchCharts {
				chartImageBenchGet(b, h, fmt.Sprintf(c.path, "0.5"))
			}
			var next, busy atomic.Int64
			var mu sync.Mutex
			var all []time.Duration
			var wg sync.WaitGroup
			cpu := processCPUTime()
			b.ResetTimer()
			start := time.Now()
			for range requesters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []time.Duration
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							break
						}
						c := chartImageBenchCharts[i%int64(len(chartImageBenchCharts))]
						v := "0.5"
						if !cached {
							v = chartImageBenchValue(i)
						}
						t0 := time.Now()
						rec := chartImageGet(h, fmt.Sprintf(c.path, v))
						mine = append(mine, time.Since(t0))
						switch rec.Code {
						case http.StatusOK:
						case http.StatusServiceUnavailable:
							// Shed load: the renderer's bounded wait ran out.
							busy.Add(1)
						default:
							b.Errorf("GET %s: status %d, %s", c.path, rec.Code, rec.Body)
							return
						}
					}
					mu.Lock()
					all = append(all, mine...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			reportCPU(b, cpu)
			b.ReportMetric(float64(int64(b.N)-busy.Load())/elapsed.Seconds(), "renders/s")
			b.ReportMetric(float64(busy.Load()), "503s")
			reportP95(b, all)
		})
	}
}
