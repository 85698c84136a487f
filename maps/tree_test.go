package maps

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

// treeNets are the networks the tree tests search: a grid (many equally
// fast routes), Wuhan (OSM) and, with the datasets, CityFlow's Jinan and
// Monaco (OSM; edge weights 600 times apart, which runFast spreads over
// 2,048 buckets).
func treeNets(t *testing.T) map[string]*Network {
	grid, err := Grid(GridOptions{Rows: 8, Cols: 8})
	if err != nil {
		t.Fatal(err)
	}
	nets := map[string]*Network{"grid8": grid, "wuhan": wuhan(t)}
	if testing.Short() {
		return nets
	}
	if n, err := LoadCityFlow(dataset(t, "jinan_3x4/roadnet_3_4.json")); err == nil {
		nets["jinan"] = n
	}
	if n, err := LoadOSM(dataset(t, "monaco/monaco.osm.pbf"), Options{}); err == nil {
		nets["monaco"] = n
	}
	return nets
}

// TestTreeMatchesGonum checks that RouteTree and Routes return exactly the
// routes and times of gonum's DijkstraFrom, which the router used before:
// the same road sequence even where several routes are equally fast (as
// on a grid), and the same bits of the time.
func TestTreeMatchesGonum(t *testing.T) {
	nets := treeNets(t)
	for _, name := range []string{"grid8", "wuhan", "jinan", "monaco"} {
		n := nets[name]
		if n == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			r := NewRouter(n)
			nr := len(n.Roads)
			step := max(1, nr/60) // about 60 origins, every destination
			var pairs []OD
			ties := 0
			for o := 0; o < nr; o += step {
				sp := path.DijkstraFrom(r.g.nodes[o], r.g)
				for d := range nr {
					want, wc, _ := toRoute(sp.To(int64(d)))
					if o == d {
						want, wc = Route{RoadID(o)}, 0
					}
					got, gc, err := r.RouteTree(RoadID(o), RoadID(d))
					if (err != nil) != (want == nil) || !slices.Equal(got, Route(want)) || gc != wc {
						t.Fatalf("%s→%s: RouteTree got %v (%v s, %v), gonum %v (%v s)", n.Roads[o].ID, n.Roads[d].ID, got, gc, err, want, wc)
					}
					pairs = append(pairs, OD{RoadID(o), RoadID(d)})
				}
				// Count the roads reached as fast through another
				// predecessor than the one taken: ties the heap's order
				// decided.
				sc := newTreeSearch(nr)
				sc.run(r.csr, int32(o), nil)
				for u := range nr {
					for _, e := range r.csr.edges[r.csr.off[u]:r.csr.off[u+1]] {
						if v := e.to; sc.prev[v] != int32(u) && sc.dist[u]+e.w == sc.dist[v] {
							ties++
						}
					}
				}
			}
			// Shuffle the pairs so that origins interleave.
			slices.SortStableFunc(pairs, func(a, b OD) int { return int(a.To) - int(b.To) })
			for _, w := range []int{1, 3} {
				got := r.Routes(pairs, w)
				for i, p := range pairs {
					want, _, _ := r.RouteTree(p.From, p.To)
					if !slices.Equal(got[i], want) {
						t.Fatalf("Routes with %d workers, %s→%s: got %v, want %v", w, n.Roads[p.From].ID, n.Roads[p.To].ID, got[i], want)
					}
				}
			}
			t.Logf("%d pairs; %d roads reached equally fast through another predecessor", len(pairs), ties)
			if name == "grid8" && ties == 0 {
				t.Error("got no equally fast alternative routes on the grid: the tie-breaking is not exercised")
			}
		})
	}
}

// TestRoutesBadPairs: pairs naming no road, or an unreachable one, get nil.
func TestRoutesBadPairs(t *testing.T) {
	n := wuhan(t)
	r := NewRouter(n)
	nr := RoadID(len(n.Roads))
	var unreachable OD
	found := false
	for o := RoadID(0); o < nr && !found; o++ {
		for d := RoadID(0); d < nr; d++ {
			if !r.Reachable(o, d) {
				unreachable, found = OD{o, d}, true
				break
			}
		}
	}
	if !found {
		t.Fatal("Wuhan has no unreachable pair")
	}
	pairs := []OD{{-1, 0}, {0, nr}, unreachable, {3, 3}}
	got := r.Routes(pairs, 2)
	for i, p := range pairs[:3] {
		if got[i] != nil {
			t.Errorf("pair %v: got route %v, want nil", p, got[i])
		}
	}
	if !slices.Equal(got[3], Route{3}) {
		t.Errorf("pair 3→3: got %v, want [3]", got[3])
	}
}

// TestReachable compares Reachable with a search of the whole tree, on
// the full graph and on one with roads closed (whose components differ
// from the network's).
func TestReachable(t *testing.T) {
	n := wuhan(t)
	for _, closed := range []func(RoadID) bool{nil, func(r RoadID) bool { return r%7 == 3 }} {
		r := NewRouter(n)
		if closed != nil {
			r = NewRouterExcluding(n, closed)
		}
		nr := len(n.Roads)
		yes, no := 0, 0
		for o := 0; o < nr; o += max(1, nr/40) {
			sc := newTreeSearch(nr)
			sc.run(r.csr, int32(o), nil)
			for d := range nr {
				want := d == o || !math.IsInf(sc.dist[d], 1)
				if got := r.Reachable(RoadID(o), RoadID(d)); got != want {
					t.Fatalf("closed %v: Reachable(%s, %s) = %v, want %v", closed != nil, n.Roads[o].ID, n.Roads[d].ID, got, want)
				}
				if want {
					yes++
				} else {
					no++
				}
			}
		}
		if yes == 0 || no == 0 {
			t.Errorf("closed %v: %d reachable, %d unreachable pairs: want both", closed != nil, yes, no)
		}
	}
	if NewRouter(n).Reachable(-1, 0) || NewRouter(n).Reachable(0, RoadID(len(n.Roads))) {
		t.Error("Reachable with no such road: got true")
	}
}

// TestSearch checks Search against a brute-force Bellman–Ford on Wuhan
// with road times that are not free-flow ones, some roads closed and
// several starts: the same time, a valid route, and the tie rule (of two
// equally fast predecessors the smaller road id) on a grid with equal
// road times.
func TestSearch(t *testing.T) {
	n := wuhan(t)
	nr := len(n.Roads)
	tt := make([]float64, nr)
	for i := range tt {
		tt[i] = float64(1 + (i*7919)%13)
	}
	closed := func(r RoadID) bool { return r%11 == 5 }
	s := NewRouter(n).NewSearch()
	for k := 0; k < 40; k++ {
		starts := []RoadID{RoadID((k * 97) % nr), RoadID((k*389 + 1) % nr)}
		cost := []float64{0, 3}
		dest := RoadID((k*1543 + 7) % nr)
		// Bellman–Ford over the same edges.
		dist := make([]float64, nr)
		for i := range dist {
			dist[i] = math.Inf(1)
		}
		for i, a := range starts {
			dist[a] = min(dist[a], cost[i])
		}
		for changed := true; changed; {
			changed = false
			for i := range n.Movements {
				m := &n.Movements[i]
				if !closed(m.To) && dist[m.From]+tt[m.To] < dist[m.To] {
					dist[m.To], changed = dist[m.From]+tt[m.To], true
				}
			}
		}
		r, c := s.Fastest(starts, cost, dest, tt, closed)
		if math.IsInf(dist[dest], 1) {
			if r != nil {
				t.Errorf("query %d: got route %v to an unreachable road", k, r)
			}
			continue
		}
		if c != dist[dest] || !slices.Contains(starts, r[0]) || r[len(r)-1] != dest {
			t.Fatalf("query %d: got %v (%g s), want a route from %v to %d of %g s", k, r, c, starts, dest, dist[dest])
		}
		for i := 1; i < len(r); i++ {
			if n.MovementBetween(r[i-1], r[i]) == None || closed(r[i]) {
				t.Fatalf("query %d: route %v enters road %d without a movement or closed", k, r, r[i])
			}
		}
	}
	// Ties: on a grid with every road 1 s, the route to a diagonal
	// neighbour takes the smaller-id predecessor each time.
	g, err := Grid(GridOptions{Rows: 4, Cols: 4})
	if err != nil {
		t.Fatal(err)
	}
	ones := make([]float64, len(g.Roads))
	for i := range ones {
		ones[i] = 1
	}
	gs := NewRouter(g).NewSearch()
	for a := range g.Roads {
		for b := range g.Roads {
			r, c := gs.Fastest([]RoadID{RoadID(a)}, []float64{0}, RoadID(b), ones, nil)
			for i := len(r) - 1; i > 0; i-- {
				// No other predecessor of r[i] with a smaller id reaches
				// it as fast: its own fastest time is one less.
				for _, m := range g.Nodes[g.Roads[r[i]].From].Movements {
					p := g.Movements[m].From
					if g.Movements[m].To != r[i] || p >= r[i-1] {
						continue
					}
					if pr, pc := gs.Fastest([]RoadID{RoadID(a)}, []float64{0}, p, ones, nil); pr != nil && pc == float64(i-1) {
						t.Fatalf("%d→%d: route %v (%g s) reaches %d from %d, but %d is as fast and smaller", a, b, r, c, r[i], r[i-1], p)
					}
				}
			}
		}
	}
}

// edgeList builds a road graph of n roads with the edges u→v of weight w
// (s) in the order given (a repeated u→v is left out, as NewRoadGraph
// does), for tests of the searches on graphs no network makes.
func edgeList(n int, edges [][3]float64) *RoadGraph {
	g := &RoadGraph{nodes: make([]graph.Node, n), succ: make([][]graph.Node, n), pred: make([][]graph.Node, n), weight: make([][]float64, n), vmax: 1}
	for i := range g.nodes {
		g.nodes[i] = simple.Node(i)
	}
	for _, e := range edges {
		u, v := int(e[0]), int(e[1])
		if slices.Contains(g.succ[u], g.nodes[v]) {
			continue
		}
		g.succ[u] = append(g.succ[u], g.nodes[v])
		g.weight[u] = append(g.weight[u], e[2])
		g.pred[v] = append(g.pred[v], g.nodes[u])
	}
	return g
}

// randomEdges returns the edges of a random graph of n roads, each with up
// to four successors, whose weights are drawn from ws.
func randomEdges(rng *rand.Rand, n int, ws []float64) [][3]float64 {
	var edges [][3]float64
	for u := range n {
		for range rng.IntN(5) {
			edges = append(edges, [3]float64{float64(u), float64(rng.IntN(n)), ws[rng.IntN(len(ws))]})
		}
	}
	return edges
}

// routesMatchGonum checks that Routes, for every pair of roads of g, with 1
// and 3 workers, returns gonum DijkstraFrom's route, and reports how many
// origins runFast answered (fast) and how many it handed to run (exact);
// fast is −1 when the graph does not allow runFast at all.
func routesMatchGonum(t *testing.T, g *RoadGraph) (fast, exact int) {
	t.Helper()
	r := newRouter(g)
	n := len(g.nodes)
	var pairs []OD
	for o := range n {
		for d := range n {
			pairs = append(pairs, OD{RoadID(o), RoadID(d)})
		}
	}
	for _, w := range []int{1, 3} {
		got := r.Routes(pairs, w)
		for o := range n {
			sp := path.DijkstraFrom(g.nodes[o], g)
			for d := range n {
				want, _, _ := toRoute(sp.To(int64(d)))
				if o == d {
					want = Route{RoadID(o)}
				}
				if k := o*n + d; !slices.Equal(got[k], want) {
					t.Fatalf("%d workers, %d→%d: got %v, gonum %v", w, o, d, got[k], want)
				}
			}
		}
	}
	q := newBuckets(r.csr)
	if q == nil {
		return -1, n
	}
	sc := newTreeSearch(n)
	all := make([]int32, n)
	for i := range all {
		all[i] = int32(i)
	}
	for o := range n {
		if sc.runFast(r.csr, q, int32(o), all) {
			fast++
		} else {
			exact++
		}
	}
	return fast, exact
}

// TestRoutesTies checks Routes against gonum on random graphs with small
// whole-number weights, where roads are often reached equally fast
// through predecessors reached equally fast — the ties only the binary
// heap's order decides, which runFast must detect and leave to run — and
// on graphs runFast refuses (a zero weight, weights too far apart).
func TestRoutesTies(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 5))
	cases := []struct {
		name     string
		ws       []float64
		bucketed bool // runFast may be used
	}{
		{"weights 1-3", []float64{1, 2, 3}, true},
		{"weights 1 and 1.5", []float64{1, 1.5}, true},
		{"weights 1 and 1.25", []float64{1, 1.25}, true},
		{"irrational weights", []float64{math.Sqrt2, math.Pi, math.E}, true},
		{"a zero weight", []float64{0, 1, 2}, false},
		{"weights 1 and 1e6", []float64{1, 1e6}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fast, exact, refused := 0, 0, 0
			for k := range 40 {
				n := 2 + k%25
				edges := randomEdges(rng, n, c.ws)
				f, e := routesMatchGonum(t, edgeList(n, edges))
				if f < 0 {
					refused++
					if c.bucketed && len(edges) > 0 {
						t.Fatalf("graph %d: runFast refused", k)
					}
				}
				fast, exact = fast+max(f, 0), exact+e
			}
			t.Logf("%d origins by buckets, %d by the binary heap (%d graphs refused)", fast, exact, refused)
			if c.bucketed && (fast == 0 || exact == 0) {
				t.Errorf("want both some origins by buckets and some handed to the heap")
			}
			if !c.bucketed && refused == 0 {
				t.Errorf("runFast refused no graph")
			}
		})
	}
	// A double tie: roads 1 and 2 are both reached from 0 in 1 s and both
	// reach 3 in another second; gonum's heap settles 2 first.
	g := edgeList(4, [][3]float64{{0, 1, 1}, {0, 2, 1}, {1, 3, 1}, {2, 3, 1}})
	if f, e := routesMatchGonum(t, g); f != 3 || e != 1 {
		t.Errorf("diamond: %d origins by buckets, %d by the heap, want 3 and 1", f, e)
	}
	// Road 5 is reached in 3.25 s from 3 (at 2.25 s) and from 4 (at 2 s),
	// which share a bucket (0.5 s wide) with 3 queued first: the
	// predecessor must be 4, the one the heap settles first.
	g = edgeList(6, [][3]float64{{0, 1, 1.25}, {0, 2, 1}, {1, 3, 1}, {2, 4, 1}, {3, 5, 1}, {4, 5, 1.25}})
	if f, e := routesMatchGonum(t, g); f != 6 || e != 0 {
		t.Errorf("faster predecessor queued later: %d origins by buckets, %d by the heap, want 6 and 0", f, e)
	}
}

// FuzzRoutes: on any small graph (roads, edges and weights from the input),
// Routes returns gonum DijkstraFrom's routes.
func FuzzRoutes(f *testing.F) {
	f.Add([]byte{4, 0, 1, 1, 0, 2, 1, 1, 3, 1, 2, 3, 1})
	f.Add([]byte{6, 0, 1, 2, 1, 2, 2, 0, 2, 4, 2, 3, 1, 3, 4, 1, 1, 4, 2, 4, 5, 3, 0, 5, 9})
	f.Add([]byte{3, 0, 1, 0, 1, 2, 0, 0, 2, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 1 {
			return
		}
		n := 1 + int(data[0])%24
		var edges [][3]float64
		for i := 1; i+2 < len(data) && len(edges) < 96; i += 3 {
			// Weights 0 to 3 s in quarters: many exact ties.
			edges = append(edges, [3]float64{float64(int(data[i]) % n), float64(int(data[i+1]) % n), float64(data[i+2]%13) / 4})
		}
		routesMatchGonum(t, edgeList(n, edges))
	})
}
