//go:build !unix

package web

import "time"

// processCPUTime is unknown here; the benchmarks then report 0 CPU time.
func processCPUTime() time.Duration { return 0 }
