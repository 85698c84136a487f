package maps

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQueueOrder: whatever the order of pushes, interleaved with pops as
// in a search and with the queue emptied by Reset now and then (as a
// search reuses it), entries pop by (time, id), equal times by id, and
// equal entries one after the other; also entries of time +Inf, the
// sentinels' time.
func TestQueueOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		times int // distinct times drawn from: few make many ties
		n     int
		inf   bool // a quarter of the times +Inf
	}{
		{"ties", 3, 500, false},
		{"some ties", 50, 2000, false},
		{"distinct", 1 << 30, 2000, false},
		{"one", 1, 1, false},
		{"infinite times", 50, 2000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tc.n)))
			var q Queue
			var in []queueItem // pushed and not yet popped
			floor := 0.0       // a search pushes no time below the last popped
			for step := 0; step < 3*tc.n; step++ {
				if step%(tc.n/2+1) == tc.n/3 {
					q.Reset()
					in, floor = in[:0], 0
				}
				if len(in) < tc.n && (q.Len() == 0 || r.IntN(3) > 0) {
					it := queueItem{floor + float64(r.IntN(tc.times)), int32(r.IntN(tc.n))}
					if tc.inf && r.IntN(4) == 0 {
						it.d = math.Inf(1)
					}
					q.Push(it.d, it.x)
					in = append(in, it)
					continue
				}
				if q.Len() != len(in) {
					t.Fatalf("Len %d, want %d", q.Len(), len(in))
				}
				if len(in) == 0 {
					break
				}
				least := slices.MinFunc(in, func(a, b queueItem) int {
					return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.x, b.x))
				})
				d, x := q.Pop()
				if d != least.d || x != least.x {
					t.Fatalf("popped (%g, %d), want (%g, %d)", d, x, least.d, least.x)
				}
				in = slices.Delete(in, slices.Index(in, least), slices.Index(in, least)+1)
				floor = d
			}
		})
	}
}
