//go:build !linux

package engine

import "runtime"

// yieldThread lets other goroutines run (sched_yield on Linux).
func yieldThread() { runtime.Gosched() }
