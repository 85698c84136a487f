package maps

import "math"

// A Search finds fastest routes over a Router's road graph by road times
// given per query — travel times observed in a simulation, say — rather
// than the free-flow weights of Route and Routes. It is a multi-source
// Dijkstra on the router's compact graph with scratch arrays reused from
// query to query (only what a query touched is reset). Ties are broken by
// road id: the queue pops the least (time, road id), and of two equally
// fast predecessors a road keeps the one with the smaller id, so the
// result depends on nothing but the inputs (not on the order in which
// movements are listed). A Search is not safe for concurrent use; make one
// per goroutine with Router.NewSearch.
type Search struct {
	c       *csr
	dist    []float64 // s, +Inf where not reached
	prev    []int32   // predecessor road, −1 for none
	touched []int32
	queue   Queue
}

// NewSearch returns a search over the router's graph.
func (r *Router) NewSearch() *Search {
	n := len(r.g.nodes)
	s := &Search{c: r.csr, dist: make([]float64, n), prev: make([]int32, n)}
	for i := range s.dist {
		s.dist[i], s.prev[i] = math.Inf(1), -1
	}
	return s
}

// Fastest returns the route to road dest that starts on one of the roads
// starts (road starts[i] costing cost[i] s) and minimises the sum of
// roadTime (s) over the roads it enters, and that sum plus the start's
// cost; nil when dest cannot be reached. Movements into roads for which
// closed returns true are not taken (closed may be nil).
func (s *Search) Fastest(starts []RoadID, cost []float64, dest RoadID, roadTime []float64, closed func(RoadID) bool) (Route, float64) {
	dist, prev := s.dist, s.prev
	for _, x := range s.touched {
		dist[x], prev[x] = math.Inf(1), -1
	}
	s.touched = s.touched[:0]
	q := &s.queue
	q.Reset()
	for i, a := range starts {
		if cost[i] < dist[a] {
			dist[a] = cost[i]
			s.touched = append(s.touched, int32(a))
			q.Push(cost[i], int32(a))
		}
	}
	for q.Len() > 0 {
		d, u := q.Pop()
		if d > dist[u] {
			continue
		}
		if RoadID(u) == dest {
			break
		}
		for _, e := range s.c.edges[s.c.off[u]:s.c.off[u+1]] {
			v := e.to
			if closed != nil && closed(RoadID(v)) {
				continue
			}
			nd := d + roadTime[v]
			if nd < dist[v] || nd == dist[v] && u < prev[v] {
				if math.IsInf(dist[v], 1) {
					s.touched = append(s.touched, v)
				}
				dist[v], prev[v] = nd, u
				q.Push(nd, v)
			}
		}
	}
	if math.IsInf(dist[dest], 1) {
		return nil, 0
	}
	var r Route
	for x := int32(dest); x >= 0; x = prev[x] {
		r = append(r, RoadID(x))
	}
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return r, dist[dest]
}

// A Queue is a min-heap of (time, id) entries, ordered by time and then
// id, so that equal times pop in a fixed order whatever order they were
// pushed in: which entry pops next depends on the entries held, not on
// where the heap keeps them. Searches over roads (Search) and over other
// states (the engine's lane-level reroute) use it. The heap is 4-ary
// (half the levels of a binary one, its four children side by side in
// memory). Pop moves the hole left at the top down to a leaf, each level
// to the least child (three comparisons for four children), and sifts the
// last entry up from there: that entry came from the bottom and seldom
// climbs far, so this takes about a quarter fewer comparisons than
// sifting it down from the top. Times must not be NaN, and an entry of
// time +Inf must not have id math.MaxInt32 (the sentinels').
//
// Past its entries the heap keeps three free entries of time +Inf
// (sentinels): every level above the last then has four children to
// compare, without a test for each.
type Queue struct {
	a []queueItem // a[:n] the heap, a[n:n+3] sentinels
	n int
}

type queueItem struct {
	d float64
	x int32
}

// sentinel fills the free entries past the heap: it pops after every
// entry of finite time.
var sentinel = queueItem{math.Inf(1), math.MaxInt32}

// before reports whether entry a pops before entry b.
func (a queueItem) before(b queueItem) bool {
	return a.d < b.d || a.d == b.d && a.x < b.x
}

// Len returns the number of entries.
func (q *Queue) Len() int { return q.n }

// Reset empties the queue, keeping its memory.
func (q *Queue) Reset() {
	if q.a != nil {
		free := q.a[:q.n+3]
		for i := range free {
			free[i] = sentinel
		}
	}
	q.n = 0
}

// Push adds entry id with time d.
func (q *Queue) Push(d float64, id int32) {
	it := queueItem{d, id}
	if q.n+4 > len(q.a) {
		a := make([]queueItem, 2*q.n+8)
		copy(a, q.a[:q.n])
		for i := q.n; i < len(a); i++ {
			a[i] = sentinel
		}
		q.a = a
	}
	a := q.a
	i := q.n
	q.n++
	for i > 0 {
		p := (i - 1) / 4
		if !it.before(a[p]) {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = it
}

// Pop removes and returns the entry of least (time, id). The queue must
// not be empty.
func (q *Queue) Pop() (d float64, id int32) {
	a := q.a
	top := a[0]
	n := q.n - 1
	q.n = n
	it := a[n]
	a[n] = sentinel
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		g := a[c : c+4 : c+4] // past n: sentinels
		least, m := g[0], 0
		if g[1].before(least) {
			least, m = g[1], 1
		}
		if g[2].before(least) {
			least, m = g[2], 2
		}
		if g[3].before(least) {
			least, m = g[3], 3
		}
		a[i] = least
		i = c + m
	}
	for i > 0 {
		p := (i - 1) / 4
		if !it.before(a[p]) {
			break
		}
		a[i] = a[p]
		i = p
	}
	if n > 0 { // (else the queue is empty: a[0], a[n] above, is a sentinel)
		a[i] = it
	}
	return top.d, top.x
}
