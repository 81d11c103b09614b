//go:build !unix

package detect

import "time"

// processCPU is unavailable on this platform; benchmarks report 0 CPU seconds.
func processCPU() time.Duration { return 0 }
