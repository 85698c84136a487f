package engine

import (
	"sync"
	"sync/atomic"
)

// chunkSize is the number of work items (segments, nodes, roads) in one
// chunk. It is fixed, so chunk boundaries depend on the work, never on the
// number of workers: per-chunk results merged in chunk order are the same
// for any worker count.
const chunkSize = 64

// pool runs chunked loops on a fixed set of goroutines.
type pool struct {
	workers int
	jobs    chan *job
	// inline runs every loop on the calling goroutine (set per step when
	// the network holds too few vehicles for parallel work to pay); force
	// hands even small loops to the workers (Config.MinParallel < 0, for
	// tests of the parallel paths).
	inline, force bool
}

type job struct {
	n    int
	fn   func(chunk int)
	next atomic.Int64
	wg   sync.WaitGroup
}

// newPool starts the pool's goroutines; force is Config.MinParallel < 0.
func newPool(workers int, force bool) *pool {
	p := &pool{workers: workers, force: force}
	if workers > 1 {
		p.jobs = make(chan *job)
		for i := 0; i < workers-1; i++ {
			go p.loop(p.jobs)
		}
	}
	return p
}

func (p *pool) loop(jobs chan *job) {
	for j := range jobs {
		j.work()
		j.wg.Done()
	}
}

func (j *job) work() {
	for {
		c := int(j.next.Add(1)) - 1
		if c >= j.n {
			return
		}
		j.fn(c)
	}
}

// minParallelVehicles is the default Config.MinParallel.
const minParallelVehicles = 4000

func (s *Sim) minParallel() int {
	if s.cfg.MinParallel == 0 {
		return minParallelVehicles
	}
	return s.cfg.MinParallel
}

// minParallelChunks is the least number of chunks worth handing to other
// workers: below it, waking them costs more than the work.
const minParallelChunks = 8

// run calls fn(c) for every chunk c in [0, n) and waits for all of them.
// With one worker, or fewer than minParallelChunks chunks, the chunks run in
// order on the calling goroutine (results are the same either way).
func (p *pool) run(n int, fn func(chunk int)) {
	if p.workers <= 1 || n <= 1 || p.inline || n < minParallelChunks && !p.force {
		for c := 0; c < n; c++ {
			fn(c)
		}
		return
	}
	j := &job{n: n, fn: fn}
	helpers := min(p.workers-1, n-1)
	j.wg.Add(helpers)
	for i := 0; i < helpers; i++ {
		p.jobs <- j
	}
	j.work()
	j.wg.Wait()
}

// close stops the pool's goroutines.
func (p *pool) close() {
	if p.jobs != nil {
		close(p.jobs)
		p.jobs = nil
	}
}

// chunks returns the number of chunks covering n items.
func chunks(n int) int { return (n + chunkSize - 1) / chunkSize }

// span returns the item range of chunk c over n items.
func span(c, n int) (lo, hi int) {
	lo = c * chunkSize
	return lo, min(lo+chunkSize, n)
}
