package engine

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/citytwin/citytwin/maps"
)

// TestPoolRunsEveryChunkOnce: for any worker count and number of chunks,
// run and runDown call fn exactly once per chunk and return only when all
// calls have returned, whether the workers were polling (jobs back to
// back) or parked (a pause longer than spinFor before the job).
func TestPoolRunsEveryChunkOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		for _, pause := range []time.Duration{0, 3 * spinFor} {
			t.Run(fmt.Sprintf("workers=%d/pause=%v", workers, pause), func(t *testing.T) {
				p := newPool(workers, true)
				defer p.close()
				for round := 0; round < 300; round++ {
					if pause > 0 && round%30 == 0 {
						time.Sleep(pause)
					}
					n := 1 + round%41
					calls := make([]atomic.Int32, n)
					var finished atomic.Int32
					run := p.run
					if round%2 == 1 {
						run = p.runDown
					}
					run(n, func(c int) {
						calls[c].Add(1)
						if c%7 == 3 {
							runtime.Gosched() // some chunks are slower
						}
						finished.Add(1)
					})
					if got := finished.Load(); got != int32(n) {
						t.Fatalf("round %d: run returned after %d of %d chunks", round, got, n)
					}
					for c := range calls {
						if got := calls[c].Load(); got != 1 {
							t.Fatalf("round %d: chunk %d of %d ran %d times", round, c, n, got)
						}
					}
				}
			})
		}
	}
}

// TestPoolInline: below minParallelChunks (unless forced) and with inline
// set, every chunk runs on the calling goroutine, in order.
func TestPoolInline(t *testing.T) {
	cases := []struct {
		name   string
		force  bool
		inline bool
		n      int
	}{
		{"few chunks", false, false, minParallelChunks - 1},
		{"inline", true, true, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(4, tc.force)
			defer p.close()
			p.inline = tc.inline
			var order []int
			p.run(tc.n, func(c int) { order = append(order, c) }) // no lock: the race detector would see another goroutine
			for i, c := range order {
				if c != i {
					t.Fatalf("chunk order %v, want 0..%d", order, tc.n-1)
				}
			}
			if len(order) != tc.n {
				t.Fatalf("%d chunks ran, want %d", len(order), tc.n)
			}
		})
	}
}

// TestPoolRunDownOrder: runDown takes each part's chunks from its last
// down (all of them, n−1 down to 0, on the calling goroutine), and mirror
// maps every part onto itself, its first chunk to its last.
func TestPoolRunDownOrder(t *testing.T) {
	p := newPool(4, false)
	defer p.close()
	p.inline = true
	var order []int
	p.runDown(5, func(c int) { order = append(order, c) })
	if want := []int{4, 3, 2, 1, 0}; !slices.Equal(order, want) {
		t.Errorf("inline runDown order %v, want %v", order, want)
	}
	for _, tc := range []struct {
		n, np int
		want  []int // mirror of 0..n−1
	}{
		{1, 1, []int{0}},
		{4, 1, []int{3, 2, 1, 0}},
		{4, 2, []int{1, 0, 3, 2}},
		{5, 2, []int{1, 0, 4, 3, 2}},
		{7, 3, []int{1, 0, 3, 2, 6, 5, 4}},
		{3, 3, []int{0, 1, 2}},
	} {
		var got []int
		for c := range tc.n {
			got = append(got, mirror(c, tc.n, tc.np))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("mirror over %d chunks in %d parts: %v, want %v", tc.n, tc.np, got, tc.want)
		}
	}
	// Every split: a part's chunks map onto the same part, reversed.
	for n := 1; n <= 70; n++ {
		for np := 1; np <= min(n, 9); np++ {
			for w := range np {
				a, b := partStart(n, np, w), partStart(n, np, w+1)
				for c := a; c < b; c++ {
					if m := mirror(c, n, np); m != a+b-1-c {
						t.Fatalf("mirror(%d, %d, %d) = %d, want %d (part [%d, %d))", c, n, np, m, a+b-1-c, a, b)
					}
				}
			}
		}
	}
}

// TestRunWhere: runWhere and runDownWhere call fn once for each chunk
// whose words in a or b hold a bit (every chunk when a is nil, a's alone
// when b is nil) and for no other, in order (up or down) on the calling
// goroutine and on any number of workers.
func TestRunWhere(t *testing.T) {
	a := []uint64{0, 1, 0, 0, 1 << 63, 0, 0}
	b := []uint64{0, 0, 4, 0, 0, 0, 1}
	cases := []struct {
		name string
		a, b []uint64
		want []int // chunks run, in order going up
	}{
		{"a and b", a, b, []int{1, 2, 4, 6}},
		{"a alone", a, nil, []int{1, 4}},
		{"b alone", b, nil, []int{2, 6}},
		{"every chunk", nil, nil, []int{0, 1, 2, 3, 4, 5, 6}},
		{"none", make([]uint64, 7), make([]uint64, 7), nil},
	}
	for _, tc := range cases {
		for _, workers := range []int{1, 3} {
			for _, down := range []bool{false, true} {
				p := newPool(workers, true)
				calls := make([]atomic.Int32, len(a))
				var order []int
				inline := workers == 1
				run := p.runWhere
				if down {
					run = p.runDownWhere
				}
				run(len(a), tc.a, tc.b, func(c int) {
					calls[c].Add(1)
					if inline {
						order = append(order, c)
					}
				})
				p.close()
				var got []int
				for c := range calls {
					switch calls[c].Load() {
					case 0:
					case 1:
						got = append(got, c)
					default:
						t.Fatalf("%s, %d workers, down %v: chunk %d ran %d times", tc.name, workers, down, c, calls[c].Load())
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("%s, %d workers, down %v: chunks %v ran, want %v", tc.name, workers, down, got, tc.want)
				}
				if inline {
					want := slices.Clone(tc.want)
					if down {
						slices.Reverse(want)
					}
					if !slices.Equal(order, want) {
						t.Errorf("%s, down %v: order %v on one worker, want %v", tc.name, down, order, want)
					}
				}
			}
		}
	}
}

// TestPoolIdleWorkersPark: a pool that gets no work parks all its workers
// after about spinFor (a paused simulation must not burn cores), and the
// next job wakes them.
func TestPoolIdleWorkersPark(t *testing.T) {
	const workers = 3
	p := newPool(workers, true)
	defer p.close()
	p.run(16, func(int) {})
	if !eventually(func() bool { return p.parked.Load() == workers-1 }) {
		t.Fatalf("%d of %d workers parked a second after the last job; want all (spinFor %v)", p.parked.Load(), workers-1, spinFor)
	}
	// Each chunk holds until a second one has started: it cannot finish
	// on the caller alone.
	var started atomic.Int32
	var alone atomic.Bool
	p.run(16, func(int) {
		started.Add(1)
		if !eventually(func() bool { return started.Load() >= 2 }) {
			alone.Store(true)
		}
	})
	if alone.Load() {
		t.Error("a job did not wake any parked worker")
	}
}

// TestPoolClose: close stops every worker, returns (also from a parked
// pool and when called twice), and a closed Sim holds no goroutine.
func TestPoolClose(t *testing.T) {
	for _, parked := range []bool{false, true} {
		p := newPool(8, true)
		p.run(32, func(int) {})
		if parked && !eventually(func() bool { return p.parked.Load() == 7 }) {
			t.Fatal("workers did not park")
		}
		closed := make(chan struct{})
		go func() {
			p.close()
			p.close()
			close(closed)
		}()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatalf("close (parked %v) did not return in 10 s", parked)
		}
	}

	s := parSim(t, 4)
	p := s.par
	if !eventually(func() bool { return poolGoroutines(p) == 3 }) {
		t.Fatalf("a Sim with 4 workers runs %d pool goroutines, want 3", poolGoroutines(p))
	}
	for i := 0; i < 50; i++ {
		s.Step()
	}
	s.Close()
	if !eventually(func() bool { return poolGoroutines(p) == 0 }) {
		t.Fatalf("%d pool goroutines left a second after Close", poolGoroutines(p))
	}
}

// TestPoolFinalizer: a Sim dropped without Close stops its workers once
// collected (the pool must hold no reference to the Sim between jobs).
func TestPoolFinalizer(t *testing.T) {
	// Only the pool's address is kept: a pointer would keep the pool alive
	// (not the Sim), but the test must not depend on that.
	addr := func() uintptr {
		s := parSim(t, 4)
		for i := 0; i < 50; i++ {
			s.Step()
		}
		return uintptr(unsafe.Pointer(s.par))
	}()
	if !eventually(func() bool { runtime.GC(); return poolGoroutinesAt(addr) == 0 }) {
		t.Fatalf("%d pool goroutines left a second after the Sim was dropped", poolGoroutinesAt(addr))
	}
}

// parSim is a 3×3 grid stepped with parallel phases forced.
func parSim(t *testing.T, workers int) *Sim {
	t.Helper()
	net, err := maps.Grid(maps.GridOptions{Rows: 3, Cols: 3, Block: 200, Lanes: 2, Speed: 13.89})
	if err != nil {
		t.Fatal(err)
	}
	from, _ := net.RoadByID("road_0_1_0")
	to, _ := net.RoadByID("road_4_1_2")
	var trips []Trip
	for k := 0; k < 40; k++ {
		trips = append(trips, Trip{Depart: float64(k), From: from, To: to})
	}
	cfg := DefaultConfig()
	cfg.Seed, cfg.Workers, cfg.MinParallel = 1, workers, -1
	s, err := New(net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// poolGoroutines counts the goroutines running p's worker loop.
func poolGoroutines(p *pool) int { return poolGoroutinesAt(uintptr(unsafe.Pointer(p))) }

// poolGoroutinesAt counts the goroutines running the worker loop of the
// pool at addr (their stacks show its address as the receiver).
func poolGoroutinesAt(addr uintptr) int {
	frame := []byte(fmt.Sprintf("engine.(*pool).loop(%#x", addr))
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Count(buf[:n], frame)
		}
		buf = make([]byte, 2*len(buf))
	}
}

// eventually polls cond for up to a second.
func eventually(cond func() bool) bool {
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
