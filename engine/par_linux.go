package engine

import "syscall"

// yieldThread gives the processor to another runnable thread, of this
// process or another (sched_yield(2)): a worker polling for the next job
// must not keep the stepping goroutine's thread, or another program's,
// from running when the machine has fewer free cores than workers.
func yieldThread() { syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
