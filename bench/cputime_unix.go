//go:build unix

package bench

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time (s, user and system, all threads) the
// process has used so far.
func CPUTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
