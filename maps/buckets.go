package maps

import (
	"math"
	"math/bits"
)

// Routes without the binary heap, same routes.
//
// Of run's results, the binary heap's order of equal keys can decide only
// one thing: which predecessor a road keeps when two give it its final
// distance and were themselves settled at the same distance. The distances
// do not depend on the queue at all: adding a non-negative weight in
// floating point never lowers a distance and preserves order, so every
// label-setting search ends with each road at the least left-to-right
// float sum over its routes, bit for bit. And a road keeps the first
// road settled that gives it that distance (later ones only equal it),
// which, as roads are settled in order of distance, is the one settled at
// the least distance — unless two share it, and only then does the heap's
// order of equal keys choose. On the networks here that is rare (never on
// the routing case's 30×30 grid, on Wuhan or on CityFlow's Jinan: a grid's
// equally fast predecessors are reached at different times).
//
// runFast therefore finds the distances with buckets of time (Dial,
// "Algorithm 360: shortest-path forest with topological ordering", CACM
// 12(11), 1969): bucket i holds the roads whose tentative distance d has
// floor(d/Δ) = i, where Δ is half the least edge weight. A road in the
// lowest non-empty bucket has its final distance already (the others in
// that bucket are less than Δ below it, and every edge adds at least 2Δ),
// so a bucket is settled in any order and nothing is sorted; the margin of
// Δ covers the rounding of d/Δ while d/Δ < 2^40. For each road it keeps
// the predecessor settled at the least distance among those that give it
// its distance, and marks the road when two of them share it. If no road
// on a wanted route is marked, the routes are those of run; otherwise
// Routes calls run for that origin. Graphs whose weights are not all
// positive and finite, or too far apart for a modest ring of buckets
// (maxBuckets), always take run.

// maxBuckets bounds the ring of buckets of runFast: the greatest edge
// weight may be at most about maxBuckets/2 times the least.
const maxBuckets = 1 << 16

// bucketItem is a queued road and its tentative distance (s) when queued.
type bucketItem struct {
	d float64
	r int32
}

// buckets sizes the ring of runFast's buckets for a graph: bucket i is
// slot i&mask, and every queued distance lies at most mask buckets ahead
// of the one being settled.
type buckets struct {
	mask uint64
	inv  float64 // 1/Δ (1/s)
}

// newBuckets sizes the ring for the weights of c, or returns nil when they
// are not all positive and finite or span more than maxBuckets allows.
func newBuckets(c *csr) *buckets {
	if len(c.edges) == 0 {
		return nil
	}
	lo, hi := math.Inf(1), 0.0
	for _, e := range c.edges {
		if !(e.w > 0) || math.IsInf(e.w, 1) {
			return nil
		}
		lo, hi = min(lo, e.w), max(hi, e.w)
	}
	inv := 2 / lo
	span := float64(hi*inv) + 3 // buckets from a road to its farthest successor, and slack
	if !(span < maxBuckets) {
		return nil
	}
	return &buckets{mask: uint64(1)<<bits.Len(uint(span)) - 1, inv: inv}
}

// runFast is run for a search with targets, by buckets: it leaves dist
// and prev as run would for every road on the targets' routes and reports
// true, or reports false when the order of equal keys in run's heap might
// have chosen a predecessor on one of those routes (then call run).
func (sc *treeSearch) runFast(c *csr, q *buckets, from int32, targets []int32) bool {
	dist, prev, want, tie := sc.dist, sc.prev, sc.want, sc.tie
	for _, x := range sc.touched {
		dist[x], prev[x] = math.Inf(1), -1
	}
	// tie[v] is set whenever dist[v] is: no need to clear it.
	touched := append(sc.touched[:0], from)
	defer func() { sc.touched = touched }()
	sc.stamp++
	if sc.stamp == 0 { // wrapped: clear the stamps
		clear(want)
		sc.stamp = 1
	}
	stamp := sc.stamp
	left := 0
	for _, t := range targets {
		if t != from && want[t] != stamp {
			want[t] = stamp
			left++
		}
	}
	if left == 0 {
		return true
	}
	if uint64(len(sc.ring)) != q.mask+1 {
		sc.ring = make([][]bucketItem, q.mask+1)
	}
	ring, mask, inv := sc.ring, q.mask, q.inv
	for i := range ring {
		ring[i] = ring[i][:0]
	}
	off, edges := c.off, c.edges
	dist[from] = 0
	ring[0] = append(ring[0], bucketItem{0, from})
	queued := 1
	for cur := uint64(0); queued > 0 && left > 0; cur++ {
		slot := &ring[cur&mask]
		items := *slot
		queued -= len(items)
		for _, it := range items {
			u, du := it.r, it.d
			if du != dist[u] {
				continue // outdated entry: a shorter distance was queued since
			}
			if want[u] == stamp {
				want[u] = 0
				if left--; left == 0 {
					break
				}
			}
			for e, hi := off[u], off[u+1]; e < hi; e++ {
				v, w := edges[e].to, edges[e].w
				joint := du + w
				if dv := dist[v]; joint < dv {
					f := float64(joint * inv) // unfused: uint64(f) subtracts 2^63 (the floating-point rule)
					if !(f < 1<<40) {
						return false // d/Δ too large for the margin
					}
					b := uint64(f)
					if b <= cur || b-cur > mask {
						return false // not with Δ as chosen; checked all the same
					}
					if prev[v] < 0 {
						touched = append(touched, v)
					}
					ring[b&mask] = append(ring[b&mask], bucketItem{joint, v})
					queued++
					dist[v], prev[v], tie[v] = joint, u, false
				} else if joint == dv {
					// Another predecessor as fast: keep the one settled
					// at the least distance, as run does.
					if p := prev[v]; du < dist[p] {
						prev[v], tie[v] = u, false
					} else if du == dist[p] {
						tie[v] = true
					}
				}
			}
		}
		*slot = (*slot)[:0]
	}
	for _, t := range targets {
		for v := t; v != from && prev[v] >= 0; v = prev[v] {
			if tie[v] {
				return false
			}
		}
	}
	return true
}
