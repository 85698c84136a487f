package maps

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/graph/topo"
)

// Shortest-path trees for bulk routing.
//
// Router.RouteTree and Router.Routes search the road graph with one
// Dijkstra per origin over a compact copy of it (compressed sparse rows:
// successor road ids and edge weights in one flat array), with scratch
// arrays reused from search to search, and keep only what a route needs:
// the predecessor of every road (4 bytes per road). Their routes are
// exactly those of gonum's path.DijkstraFrom on the RoadGraph, which this
// package used before (TestTreeMatchesGonum, TestRoutesTies and FuzzRoutes
// check it): the same relaxation order (successors in RoadGraph.From
// order, a road's distance and predecessor changed only by a strictly
// shorter distance) and a priority queue that pops equal distances in the
// same order as gonum's, which is container/heap's binary heap ordered by
// distance alone. On a grid many routes tie, so the heap's order could
// decide which is taken, and keeping it keeps every route — and every
// simulation result — as before. Routes first tries runFast (buckets.go),
// which gets the same routes without the heap wherever the heap's order
// cannot matter, and falls back on run for an origin where it might.

// csr is the road graph's adjacency as compressed sparse rows: the edges
// out of road r are edges[off[r]:off[r+1]], in RoadGraph.From order.
type csr struct {
	off   []int32
	edges []csrEdge
	// minIn[v] is the least weight (s) of an edge into road v, +Inf if none.
	minIn []float64
}

// A csrEdge is an edge of the road graph: the road it leads to and its
// weight (s).
type csrEdge struct {
	to int32
	w  float64
}

// newCSR flattens the road graph's successor lists.
func newCSR(g *RoadGraph) *csr {
	c := &csr{off: make([]int32, len(g.succ)+1)}
	for u, s := range g.succ {
		c.off[u+1] = c.off[u] + int32(len(s))
	}
	c.edges = make([]csrEdge, c.off[len(g.succ)])
	c.minIn = make([]float64, len(g.succ))
	for v := range c.minIn {
		c.minIn[v] = math.Inf(1)
	}
	for u, s := range g.succ {
		for i, v := range s {
			w := g.weight[u][i]
			c.edges[int(c.off[u])+i] = csrEdge{int32(v.ID()), w}
			c.minIn[v.ID()] = min(c.minIn[v.ID()], w)
		}
	}
	return c
}

// weight returns the weight of the first edge u→v (as RoadGraph.Weight).
func (c *csr) weight(u, v int32) float64 {
	for _, e := range c.edges[c.off[u]:c.off[u+1]] {
		if e.to == v {
			return e.w
		}
	}
	return math.Inf(1)
}

// orderKey maps a distance to an integer of the same order, so that the
// heap compares integers: for any two distances a, b that are
// neither NaN nor −0, a < b exactly when orderKey(a) < orderKey(b), and
// a == b exactly when the keys are equal. The search's distances are
// never NaN (a NaN sum is not less than any distance, so it is never
// queued) nor −0 (they are sums starting at +0, and +0 + −0 = +0). For the
// non-negative distances of a road network the key is the IEEE bits with
// the sign bit set; negatives are flipped so that the order holds for
// them too.
func orderKey(d float64) uint64 {
	b := math.Float64bits(d)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// fromKey is the inverse of orderKey.
func fromKey(k uint64) float64 {
	if k>>63 == 0 {
		return math.Float64frombits(^k)
	}
	return math.Float64frombits(k &^ (1 << 63))
}

// treeSearch is the reusable state of one Dijkstra search (run or
// runFast). It is not safe for concurrent use: each goroutine has its own.
type treeSearch struct {
	dist    []float64 // s, +Inf where not reached
	prev    []int32   // predecessor road, −1 for the origin and unreached roads
	touched []int32   // roads whose dist/prev the last search set
	heap    treeHeap
	// want[r] == stamp marks road r as a target of the current search
	// not yet settled.
	want  []uint32
	stamp uint32
	// runFast's queue, and its mark of roads whose predecessor the order
	// of equal keys may have chosen.
	ring [][]bucketItem
	tie  []bool
}

func newTreeSearch(n int) *treeSearch {
	sc := &treeSearch{dist: make([]float64, n), prev: make([]int32, n), want: make([]uint32, n), tie: make([]bool, n)}
	for i := range sc.dist {
		sc.dist[i], sc.prev[i] = math.Inf(1), -1
	}
	sc.heap.init(64)
	return sc
}

// run grows the shortest-path tree of origin from. With targets it stops
// once the route to every target is final (their predecessors, and those
// of every road on their routes, are then those of the whole tree);
// without, it builds the whole tree.
//
// A target's route is final once the target is settled, and already
// before when it is the last one left: when the least distance d still
// queued plus the least weight of an edge into the target is not less
// than the target's distance, no road settled from then on (each at d or
// more) can offer it a strictly shorter one (float addition is monotonic),
// so its predecessor stays.
func (sc *treeSearch) run(c *csr, from int32, targets []int32) {
	dist, prev, want := sc.dist, sc.prev, sc.want
	for _, x := range sc.touched {
		dist[x], prev[x] = math.Inf(1), -1
	}
	touched := append(sc.touched[:0], from)
	h := &sc.heap
	h.clear()
	defer func() { sc.touched = touched }()
	left := -1 // targets not yet settled; −1: no targets, whole tree
	if len(targets) > 0 {
		sc.stamp++
		if sc.stamp == 0 { // wrapped: clear the stamps
			clear(want)
			sc.stamp = 1
		}
		left = 0
		for _, t := range targets {
			if t != from && want[t] != sc.stamp {
				want[t] = sc.stamp
				left++
			}
		}
		if left == 0 {
			return
		}
	}
	stamp := sc.stamp
	off, edges, minIn := c.off, c.edges, c.minIn
	last := int32(-1) // the one target left, once left == 1
	dist[from] = 0
	h.push(orderKey(0), from)
	for h.n > 0 {
		k, u := h.pop()
		if last >= 0 && fromKey(k)+minIn[last] >= dist[last] {
			return
		}
		du := dist[u]
		if k != orderKey(du) {
			continue // outdated entry: a shorter distance was queued since
		}
		if left > 0 && want[u] == stamp {
			want[u] = 0
			if left--; left == 0 {
				return
			}
			if left == 1 {
				for _, t := range targets {
					if want[t] == stamp {
						last = t
					}
				}
			}
		}
		for e, hi := off[u], off[u+1]; e < hi; e++ {
			v, wv := edges[e].to, edges[e].w
			if joint := du + wv; joint < dist[v] {
				if prev[v] < 0 {
					touched = append(touched, v)
				}
				h.push(orderKey(joint), v)
				dist[v], prev[v] = joint, u
			}
		}
	}
}

// route returns the route from the last search's origin from to road to
// and its time (s), or nil when to was not reached.
func (sc *treeSearch) route(from, to int32) (Route, float64) {
	if to == from {
		return Route{RoadID(from)}, 0
	}
	if sc.prev[to] < 0 {
		return nil, 0
	}
	n := 1
	for x := to; x != from; x = sc.prev[x] {
		n++
	}
	out := make(Route, n)
	for x, i := to, n-1; i >= 0; i-- {
		out[i] = RoadID(x)
		x = sc.prev[x]
	}
	return out, sc.dist[to]
}

// treeHeap is run's priority queue: roads ordered by key, kept exactly
// where container/heap (as gonum's priorityQueue uses it) would keep them,
// so that entries of equal key come out in the same order: push is
// container/heap's sift-up, pop its sift-down of the last entry from the
// top (each level the lesser child, the right one only when strictly
// less, moves up while it is strictly less than the entry).
//
// The heap is stored from index 1 (the children of i are 2i and 2i+1, its
// parent i/2: container/heap's index plus one), keys and roads in separate
// arrays. Every key slot past the heap holds the greatest key, and there
// are more than four times as many slots as entries: a child or grandchild
// past the end is then never less than the entry sifted down, so the
// sift-down needs no other test to stop at the bottom, and pop may load
// the grandchildren's keys before it knows which child it takes.
type treeHeap struct {
	keys  []uint64 // keys[1:n+1]: orderKey of the tentative distances (s); math.MaxUint64 beyond
	roads []int32
	n     int
}

// init makes room for size slots.
func (h *treeHeap) init(size int) {
	h.keys, h.roads = make([]uint64, size), make([]int32, size)
	for i := range h.keys {
		h.keys[i] = math.MaxUint64
	}
}

// clear empties the heap.
func (h *treeHeap) clear() {
	for i := 1; i <= h.n; i++ {
		h.keys[i] = math.MaxUint64
	}
	h.n = 0
}

func (h *treeHeap) push(k uint64, r int32) {
	if 4*h.n+7 >= len(h.keys) {
		keys, roads := h.keys, h.roads
		h.init(2 * len(keys))
		copy(h.keys, keys[:h.n+1])
		copy(h.roads, roads)
	}
	h.n++
	keys, roads := h.keys, h.roads
	j := h.n
	for j > 1 {
		i := j >> 1 // parent
		if !(k < keys[i]) {
			break
		}
		keys[j], roads[j] = keys[i], roads[i]
		j = i
	}
	keys[j], roads[j] = k, r
}

// b2i is 1 for true, 0 for false (compiled without a branch).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pop removes the least entry and returns it; the heap must not be empty.
func (h *treeHeap) pop() (uint64, int32) {
	keys, roads := h.keys, h.roads
	n := h.n
	k, r := keys[1], roads[1]
	xk, xr := keys[n], roads[n]
	keys[n] = math.MaxUint64
	n--
	h.n = n
	if n == 0 {
		return k, r
	}
	// Two levels a round: the two children and four grandchildren of i
	// are loaded at once, so that the next level's keys do not wait for
	// this level's choice.
	i := 1
	for {
		c, g := 2*i, 4*i
		c0, c1 := keys[c], keys[c+1]
		g0, g1, g2, g3 := keys[g], keys[g+1], keys[g+2], keys[g+3]
		b := b2i(c1 < c0)
		c += b
		kc := min(c0, c1)
		if !(kc < xk) {
			break
		}
		keys[i], roads[i] = kc, roads[c]
		i = c
		if b != 0 {
			g0, g1 = g2, g3
		}
		d := 2*c + b2i(g1 < g0)
		kd := min(g0, g1)
		if !(kd < xk) {
			break
		}
		keys[i], roads[i] = kd, roads[d]
		i = d
	}
	keys[i], roads[i] = xk, xr
	return k, r
}

// An OD is an origin–destination pair of roads.
type OD struct{ From, To RoadID }

// Routes returns the fastest route of every pair — the route RouteTree
// returns — or nil where the destination cannot be reached or a road does
// not exist. Pairs are grouped by origin, and each origin's tree is grown
// only until the routes to all of its destinations are final (by runFast,
// or run where runFast cannot vouch for them); origins are shared out
// among workers goroutines (0, or more than GOMAXPROCS: GOMAXPROCS), and
// since each route depends on its own origin's search alone, the result
// does not depend on the number of workers. Only the routes are kept: the
// memory beyond them is one search's scratch (about 25 bytes per road and
// the queues) per worker.
func (r *Router) Routes(pairs []OD, workers int) []Route {
	out := make([]Route, len(pairs))
	n := RoadID(len(r.g.nodes))
	// Pair indices grouped by origin, in pair order within a group.
	idx := make([]int32, 0, len(pairs))
	for i, p := range pairs {
		if p.From >= 0 && p.From < n && p.To >= 0 && p.To < n {
			idx = append(idx, int32(i))
		}
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return int(pairs[a].From) - int(pairs[b].From) })
	var groups []int32 // start of each origin's run in idx, then len(idx)
	for k := range idx {
		if k == 0 || pairs[idx[k]].From != pairs[idx[k-1]].From {
			groups = append(groups, int32(k))
		}
	}
	groups = append(groups, int32(len(idx)))
	ng := len(groups) - 1
	// More goroutines than cores would only add scratch arrays.
	if workers <= 0 || workers > runtime.GOMAXPROCS(0) {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, ng))
	q := newBuckets(r.csr)
	var next atomic.Int64
	work := func() {
		sc := newTreeSearch(int(n))
		var targets []int32
		for {
			g := int(next.Add(1)) - 1
			if g >= ng {
				return
			}
			grp := idx[groups[g]:groups[g+1]]
			from := int32(pairs[grp[0]].From)
			targets = targets[:0]
			for _, i := range grp {
				targets = append(targets, int32(pairs[i].To))
			}
			if q == nil || !sc.runFast(r.csr, q, from, targets) {
				sc.run(r.csr, from, targets)
			}
			for _, i := range grp {
				out[i], _ = sc.route(from, int32(pairs[i].To))
			}
		}
	}
	if workers == 1 {
		work()
		return out
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(work)
	}
	wg.Wait()
	return out
}

// Reachable reports whether a route leads from road from to road to (a
// road reaches itself). Roads of one strongly connected component of the
// router's graph (found once, by gonum's Tarjan) reach each other;
// otherwise the roads reachable from from are found once by a
// breadth-first search and kept (one bit per road).
func (r *Router) Reachable(from, to RoadID) bool {
	n := RoadID(len(r.g.nodes))
	if from < 0 || from >= n || to < 0 || to >= n {
		return false
	}
	if from == to {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.comp == nil {
		r.comp = make([]int32, n)
		for k, c := range topo.TarjanSCC(r.g) {
			for _, nd := range c {
				r.comp[nd.ID()] = int32(k)
			}
		}
	}
	if r.comp[from] == r.comp[to] {
		return true
	}
	bits, ok := r.reach[from]
	if !ok {
		bits = make([]uint64, (n+63)/64)
		bits[from/64] |= 1 << (from % 64)
		queue := []int32{int32(from)}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for _, e := range r.csr.edges[r.csr.off[u]:r.csr.off[u+1]] {
				if v := e.to; bits[v/64]&(1<<(v%64)) == 0 {
					bits[v/64] |= 1 << (v % 64)
					queue = append(queue, v)
				}
			}
		}
		r.reach[from] = bits
	}
	return bits[to/64]&(1<<(to%64)) != 0
}
