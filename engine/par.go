package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// chunkSize is the number of work items (segments, nodes, roads) in one
// chunk. It is fixed, so chunk boundaries depend on the work, never on the
// number of workers: per-chunk results merged in chunk order are the same
// for any worker count.
const chunkSize = 64

// spinFor is how long an idle worker, or the stepping goroutine waiting
// for the last chunks of a phase, keeps polling before it parks. A step
// runs about eight parallel phases with short serial stretches between
// them (tens of µs on a small network); waking a parked goroutine costs
// 5–50 µs (a futex wake and a trip through the scheduler), so a worker
// that polls across those stretches makes every phase after a step's first
// almost free to hand out. Bounded, so that a paused simulation (the live
// twin) parks its workers after this long instead of burning cores.
const spinFor = 100 * time.Microsecond

// spinChecks is the number of polls between two looks at the clock, each
// followed by runtime.Gosched so that other goroutines on the same P run.
const spinChecks = 64

// pool runs chunked loops on a fixed set of goroutines.
//
// A loop is a job: the calling goroutine publishes it (cur, then a new
// generation number) and every worker, the caller too, claims chunks from
// it through atomic counters, those of its own part first (see part); a
// job is done when all its chunks are. Who runs which chunk is left to
// chance, so results must never depend on it (per-chunk accumulators
// merged in chunk order). Between jobs a worker
// polls the generation for spinFor, then parks on a condition variable
// until the next job; only then does handing out a job cost a wake-up.
type pool struct {
	workers int
	// inline runs every loop on the calling goroutine (set per step when
	// the network holds too few vehicles for parallel work to pay); force
	// hands even small loops to the workers (Config.MinParallel < 0, for
	// tests of the parallel paths).
	inline, force bool

	cur    atomic.Pointer[job] // the job being handed out; nil between jobs
	gen    atomic.Uint64       // bumped for every job and by close
	parked atomic.Int32        // workers about to wait on wake, or waiting
	closed atomic.Bool
	mu     sync.Mutex
	wake   sync.Cond      // on mu: a new generation, for parked workers
	done   chan struct{}  // capacity 1: the last chunk of a job whose caller parked
	exited sync.WaitGroup // the worker goroutines
}

type job struct {
	n      int
	fn     func(chunk int)
	parts  []part       // one per worker, the caller's first
	left   atomic.Int64 // chunks not finished yet
	parked atomic.Bool  // the caller waits on pool.done
}

// A part is one worker's share of a job's chunks, [next, end): the worker
// claims them from the front and, once its own are gone, claims the
// others' the same way. Worker w gets the same part of every loop over the
// same items, so the data it touched in one phase (segments, vehicles) is
// mostly still in its core's cache in the next.
type part struct {
	next atomic.Int64
	end  int64
	_    [48]byte // one cache line per part: claims do not slow each other
}

// newPool starts the pool's goroutines; force is Config.MinParallel < 0.
func newPool(workers int, force bool) *pool {
	p := &pool{workers: workers, force: force}
	if workers > 1 {
		p.wake.L = &p.mu
		p.done = make(chan struct{}, 1)
		p.exited.Add(workers - 1)
		for w := 1; w < workers; w++ {
			go p.loop(w)
		}
	}
	return p
}

// loop is a worker: it runs the chunks it can claim of every job until the
// pool closes.
func (p *pool) loop(w int) {
	defer p.exited.Done()
	var seen uint64
	for {
		seen = p.await(seen)
		if p.closed.Load() {
			return
		}
		if j := p.cur.Load(); j != nil {
			p.work(j, w)
		}
	}
}

// await returns the first generation after seen: it polls for spinFor,
// then parks until run or close wakes it.
func (p *pool) await(seen uint64) uint64 {
	start := time.Now()
	for i := 1; ; i++ {
		if g := p.gen.Load(); g != seen {
			return g
		}
		if i%spinChecks == 0 {
			if time.Since(start) > spinFor {
				break
			}
			runtime.Gosched()
			yieldThread()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// parked goes up before gen is read again, and run bumps gen before it
	// reads parked: one of the two sees the other, so no wake-up is lost.
	p.parked.Add(1)
	defer p.parked.Add(-1)
	for {
		if g := p.gen.Load(); g != seen {
			return g
		}
		p.wake.Wait()
	}
}

// work runs chunks of j until none is left to claim, worker w's own part
// first; a worker without a part runs none.
func (p *pool) work(j *job, w int) {
	if w >= len(j.parts) {
		return
	}
	for k := range j.parts {
		p.workPart(j, &j.parts[(w+k)%len(j.parts)])
	}
}

// workPart runs the chunks of part pt until none is left to claim.
func (p *pool) workPart(j *job, pt *part) {
	for {
		c := pt.next.Add(1) - 1
		if c >= pt.end {
			return
		}
		j.fn(int(c))
		// The caller sets parked before it reads left again: one of the
		// two sees the other.
		if j.left.Add(-1) == 0 && j.parked.Load() {
			select {
			case p.done <- struct{}{}:
			default: // a token is there already
			}
		}
	}
}

// minParallelVehicles is the default Config.MinParallel: from about 600
// running vehicles two workers gained in most runs on two cores
// (bench/README.md, "Where two workers pay", 2026-12-07: hangzhou_4x4, 510
// vehicles, 1.06x median; jinan_3x4, 726, 1.18x; grid10, 1,127-1,940,
// 1.30-1.44x).
const minParallelVehicles = 600

func (s *Sim) minParallel() int {
	if s.cfg.MinParallel == 0 {
		return minParallelVehicles
	}
	return s.cfg.MinParallel
}

// minParallelChunks is the least number of chunks worth handing to other
// workers. Workers that poll between jobs take a job within a microsecond,
// so two chunks are worth sharing: on a small network the junction and
// signal phases have only two (grid10: 100 nodes), and left to the caller
// they would run serially.
const minParallelChunks = 2

// run calls fn(c) for every chunk c in [0, n) and waits for all of them.
// With one worker, or fewer than minParallelChunks chunks, the chunks run in
// order on the calling goroutine (results are the same either way).
func (p *pool) run(n int, fn func(chunk int)) {
	np := p.parts(n)
	if np == 1 {
		for c := 0; c < n; c++ {
			fn(c)
		}
		return
	}
	j := &job{n: n, fn: fn, parts: make([]part, np)}
	for w := range j.parts {
		j.parts[w].next.Store(int64(partStart(n, np, w)))
		j.parts[w].end = int64(partStart(n, np, w+1))
	}
	j.left.Store(int64(n))
	p.cur.Store(j)
	p.gen.Add(1)
	if p.parked.Load() > 0 {
		p.mu.Lock()
		p.wake.Broadcast()
		p.mu.Unlock()
	}
	p.work(j, 0)
	p.wait(j)
	// A worker that comes late finds no job rather than a finished one
	// (and the pool holds no reference to fn's captures between jobs).
	p.cur.Store(nil)
}

// parts returns how many parts run splits n chunks into: 1 when they run
// in order on the calling goroutine, else one per worker, but at most one
// per chunk (workers without a part of their own leave the job to the
// others: many cores, few chunks).
func (p *pool) parts(n int) int {
	if p.workers <= 1 || n <= 1 || p.inline || n < minParallelChunks && !p.force {
		return 1
	}
	return min(p.workers, n)
}

// partStart returns the first chunk of part w of n chunks in np parts
// (partStart(n, np, np) = n): part w is [partStart(w), partStart(w+1)).
func partStart(n, np, w int) int { return n * w / np }

// runDown is run with the chunks of each part taken from its last down to
// its first (with one part, from n−1 down to 0): a phase that follows one
// that went up through the same items starts with those that phase
// touched last, still in the core's cache, instead of those it touched
// first, long evicted. Each worker still runs its own part. As for run,
// results must not depend on the order.
func (p *pool) runDown(n int, fn func(chunk int)) {
	np := p.parts(n)
	if np == 1 {
		for c := n - 1; c >= 0; c-- {
			fn(c)
		}
		return
	}
	p.run(n, func(c int) { fn(mirror(c, n, np)) })
}

// runWhere is run for the chunks c in [0, n) where a[c]|b[c] != 0 alone
// (b may be nil: a[c] alone; a nil: every chunk), skipping the others:
// for a phase with nothing to do in a chunk whose words are 0, such as a
// segment bitmap's (a word per chunk: Sim.live, incoming). With one part
// it saves the call and fn's set-up for each chunk skipped, most of them
// on a network with few vehicles. Results are those of run when fn(c)
// does nothing for the chunks skipped (TestRunWhere).
func (p *pool) runWhere(n int, a, b []uint64, fn func(chunk int)) {
	if p.parts(n) == 1 {
		for c := range n {
			if busyAt(a, b, c) {
				fn(c)
			}
		}
		return
	}
	p.run(n, func(c int) {
		if busyAt(a, b, c) {
			fn(c)
		}
	})
}

// runDownWhere is runDown for the chunks c where a[c]|b[c] != 0 alone, as
// runWhere is run.
func (p *pool) runDownWhere(n int, a, b []uint64, fn func(chunk int)) {
	if p.parts(n) == 1 {
		for c := n - 1; c >= 0; c-- {
			if busyAt(a, b, c) {
				fn(c)
			}
		}
		return
	}
	p.runDown(n, func(c int) {
		if busyAt(a, b, c) {
			fn(c)
		}
	})
}

// busyAt reports whether runWhere runs chunk c by its words a and b.
func busyAt(a, b []uint64, c int) bool {
	if a == nil {
		return true
	}
	w := a[c]
	if b != nil {
		w |= b[c]
	}
	return w != 0
}

// mirror returns chunk c's mirror image in its part of n chunks in np
// parts: the part's first chunk for its last, and so on.
func mirror(c, n, np int) int {
	w := c * np / n // the part of c or the one before (partStart rounds down)
	for partStart(n, np, w+1) <= c {
		w++
	}
	return partStart(n, np, w) + partStart(n, np, w+1) - 1 - c
}

// wait returns once every chunk of j has run: it polls for spinFor (the
// chunks still running on other workers are usually short), then parks.
func (p *pool) wait(j *job) {
	start := time.Now()
	for i := 1; j.left.Load() > 0; i++ {
		if i%spinChecks == 0 {
			if time.Since(start) > spinFor {
				j.parked.Store(true)
				for j.left.Load() > 0 {
					<-p.done // a token left by an earlier job only loops once more
				}
				return
			}
			runtime.Gosched()
			yieldThread()
		}
	}
}

// close stops the pool's goroutines and waits for them to exit. It may be
// called more than once.
func (p *pool) close() {
	if p.workers <= 1 || !p.closed.CompareAndSwap(false, true) {
		return
	}
	p.gen.Add(1)
	p.mu.Lock()
	p.wake.Broadcast()
	p.mu.Unlock()
	p.exited.Wait()
}

// chunks returns the number of chunks covering n items.
func chunks(n int) int { return (n + chunkSize - 1) / chunkSize }

// span returns the item range of chunk c over n items.
func span(c, n int) (lo, hi int) {
	lo = c * chunkSize
	return lo, min(lo+chunkSize, n)
}
