//go:build !unix

package clip

import "time"

// processCPU is unavailable on this platform; benchmarks report 0 CPU seconds.
func processCPU() time.Duration { return 0 }
