//go:build !unix

package bench

// CPUTime returns 0: process CPU time is only read on Unix systems.
func CPUTime() float64 { return 0 }
