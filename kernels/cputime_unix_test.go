//go:build unix

package kernels

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used (user + system), so benchmarks
// can report GFLOP per CPU-second, a figure other load on a shared machine barely moves.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
