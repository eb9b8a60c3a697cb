//go:build !unix

package bench

import "time"

// processCPU is unknown here (no getrusage): the CPU figure reads 0.
func processCPU() time.Duration { return 0 }
