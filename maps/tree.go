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
// successor road ids and edge weights in flat arrays), with scratch arrays
// reused from search to search, and keep only what a route needs: the
// predecessor of every road (4 bytes per road). Their routes are exactly
// those of gonum's path.DijkstraFrom on the RoadGraph, which this package
// used before (TestTreeMatchesGonum checks it): the same relaxation order
// (successors in RoadGraph.From order, a road's distance and predecessor
// changed only by a strictly shorter distance) and a priority queue that
// pops equal distances in the same order as gonum's, which is
// container/heap's binary heap ordered by distance alone. On a grid many
// routes tie, so the heap's order decides which is taken, and keeping it
// keeps every route — and every simulation result — as before.

// csr is the road graph's adjacency as compressed sparse rows: the
// successors of road r are dst[off[r]:off[r+1]], in RoadGraph.From order,
// and w holds the weights (s) of those edges.
type csr struct {
	off []int32
	dst []int32
	w   []float64
}

// newCSR flattens the road graph's successor lists.
func newCSR(g *RoadGraph) *csr {
	c := &csr{off: make([]int32, len(g.succ)+1)}
	for u, s := range g.succ {
		c.off[u+1] = c.off[u] + int32(len(s))
	}
	c.dst = make([]int32, c.off[len(g.succ)])
	c.w = make([]float64, len(c.dst))
	for u, s := range g.succ {
		for i, v := range s {
			c.dst[int(c.off[u])+i] = int32(v.ID())
			c.w[int(c.off[u])+i] = g.weight[u][i]
		}
	}
	return c
}

// weight returns the weight of the first edge u→v (as RoadGraph.Weight).
func (c *csr) weight(u, v int32) float64 {
	for e := c.off[u]; e < c.off[u+1]; e++ {
		if c.dst[e] == v {
			return c.w[e]
		}
	}
	return math.Inf(1)
}

// treeItem is an entry of the search's priority queue.
type treeItem struct {
	d float64 // s, tentative distance
	r int32   // road
}

// treeSearch is the reusable state of one Dijkstra search. It is not safe
// for concurrent use: each goroutine has its own.
type treeSearch struct {
	dist    []float64 // s, +Inf where not reached
	prev    []int32   // predecessor road, −1 for the origin and unreached roads
	touched []int32   // roads whose dist/prev the last search set
	heap    []treeItem
	// want[r] == stamp marks road r as a target of the current search.
	want  []uint32
	stamp uint32
}

func newTreeSearch(n int) *treeSearch {
	sc := &treeSearch{dist: make([]float64, n), prev: make([]int32, n), want: make([]uint32, n)}
	for i := range sc.dist {
		sc.dist[i], sc.prev[i] = math.Inf(1), -1
	}
	return sc
}

// run grows the shortest-path tree of origin from. With targets it stops
// once every target has been settled (their predecessors, and those of
// every road on their routes, are then final: the routes are those of the
// whole tree); without, it builds the whole tree.
func (sc *treeSearch) run(c *csr, from int32, targets []int32) {
	for _, x := range sc.touched {
		sc.dist[x], sc.prev[x] = math.Inf(1), -1
	}
	sc.touched = append(sc.touched[:0], from)
	sc.heap = sc.heap[:0]
	left := -1 // targets not yet settled; −1: no targets, whole tree
	if len(targets) > 0 {
		sc.stamp++
		if sc.stamp == 0 { // wrapped: clear the stamps
			clear(sc.want)
			sc.stamp = 1
		}
		left = 0
		for _, t := range targets {
			if t != from && sc.want[t] != sc.stamp {
				sc.want[t] = sc.stamp
				left++
			}
		}
		if left == 0 {
			return
		}
	}
	dist, prev := sc.dist, sc.prev
	dist[from] = 0
	sc.push(treeItem{0, from})
	for len(sc.heap) > 0 {
		it := sc.pop()
		u := it.r
		if it.d > dist[u] {
			continue // outdated entry
		}
		if left > 0 && sc.want[u] == sc.stamp {
			if left--; left == 0 {
				return
			}
		}
		du := dist[u]
		for e := c.off[u]; e < c.off[u+1]; e++ {
			v := c.dst[e]
			if joint := du + c.w[e]; joint < dist[v] {
				if math.IsInf(dist[v], 1) {
					sc.touched = append(sc.touched, v)
				}
				sc.push(treeItem{joint, v})
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

// The priority queue is container/heap's algorithm (as gonum's
// priorityQueue uses it) on a plain slice: the same comparisons, so that
// entries of equal distance come out in the same order. Where
// container/heap swaps an entry level by level, these move the others
// and write it once, which leaves every entry in the same place.

func (sc *treeSearch) push(it treeItem) {
	h := append(sc.heap, it)
	j := len(h) - 1
	for j > 0 {
		i := (j - 1) / 2 // parent
		if !(it.d < h[i].d) {
			break
		}
		h[j] = h[i]
		j = i
	}
	h[j] = it
	sc.heap = h
}

func (sc *treeSearch) pop() treeItem {
	h := sc.heap
	n := len(h) - 1
	top, x := h[0], h[n]
	// container/heap swaps the last entry to the top, sifts it down
	// through h[:n] and removes h[n] (the old top).
	i := 0
	for {
		j1 := 2*i + 1
		if j1 >= n {
			break
		}
		j := j1
		if j2 := j1 + 1; j2 < n && h[j2].d < h[j1].d {
			j = j2
		}
		if !(h[j].d < x.d) {
			break
		}
		h[i] = h[j]
		i = j
	}
	if n > 0 {
		h[i] = x
	}
	sc.heap = h[:n]
	return top
}

// An OD is an origin–destination pair of roads.
type OD struct{ From, To RoadID }

// Routes returns the fastest route of every pair — the route RouteTree
// returns — or nil where the destination cannot be reached or a road does
// not exist. Pairs are grouped by origin, and each origin's tree is grown
// only until all of its destinations are settled; origins are shared out
// among workers goroutines (0, or more than GOMAXPROCS: GOMAXPROCS), and since each route depends on
// its own origin's search alone, the result does not depend on the number
// of workers. Only the routes are kept: the memory beyond them is one
// search's scratch (about 30 bytes per road) per worker.
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
			sc.run(r.csr, from, targets)
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
			for e := r.csr.off[u]; e < r.csr.off[u+1]; e++ {
				if v := r.csr.dst[e]; bits[v/64]&(1<<(v%64)) == 0 {
					bits[v/64] |= 1 << (v % 64)
					queue = append(queue, v)
				}
			}
		}
		r.reach[from] = bits
	}
	return bits[to/64]&(1<<(to%64)) != 0
}
