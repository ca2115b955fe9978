//go:build unix

package web

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time (user and system) the process has used:
// a benchmark reports it per operation, which does not grow when other
// processes load the machine, unlike wall time.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
