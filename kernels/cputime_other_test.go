//go:build !unix

package kernels

import "time"

// processCPU is unavailable here; GFLOP/cpu-s is then not reported.
func processCPU() time.Duration { return 0 }
