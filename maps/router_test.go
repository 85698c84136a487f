package maps

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

type odPair struct{ from, to RoadID }

// randomPairs draws k origin–destination road pairs from a seeded PCG.
func randomPairs(n *Network, k int, seed uint64) []odPair {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]odPair, k)
	for i := range out {
		out[i] = odPair{RoadID(rng.IntN(len(n.Roads))), RoadID(rng.IntN(len(n.Roads)))}
	}
	return out
}

type routeResult struct {
	route Route
	cost  float64
	err   error
}

func TestRouterWuhan(t *testing.T) {
	n := wuhan(t)
	pairs := randomPairs(n, 10000, 2026)
	reach := make(map[RoadID]map[RoadID]bool)
	for _, p := range pairs {
		if reach[p.from] == nil {
			reach[p.from] = reachableRoads(n, p.from)
		}
	}
	run := func(route func(*Router, RoadID, RoadID) (Route, float64, error)) []routeResult {
		r := NewRouter(n)
		out := make([]routeResult, len(pairs))
		for i, p := range pairs {
			rt, c, err := route(r, p.from, p.to)
			out[i] = routeResult{rt, c, err}
		}
		return out
	}
	astar := run((*Router).Route)
	again := run((*Router).Route)
	tree := run((*Router).RouteTree)
	g := NewRoadGraph(n)
	found, none := 0, 0
	for i, p := range pairs {
		res := astar[i]
		if !reach[p.from][p.to] {
			none++
			if !errors.Is(res.err, ErrNoRoute) || res.route != nil {
				t.Errorf("%s→%s is unreachable: got route %v, error %v, want ErrNoRoute", n.Roads[p.from].ID, n.Roads[p.to].ID, res.route, res.err)
			}
			if !errors.Is(tree[i].err, ErrNoRoute) {
				t.Errorf("RouteTree %s→%s is unreachable: got error %v, want ErrNoRoute", n.Roads[p.from].ID, n.Roads[p.to].ID, tree[i].err)
			}
			continue
		}
		found++
		if res.err != nil {
			t.Errorf("%s→%s is reachable: got error %v, want a route", n.Roads[p.from].ID, n.Roads[p.to].ID, res.err)
			continue
		}
		if err := validRoute(n, res.route, p.from, p.to); err != "" {
			t.Errorf("route %d %s→%s: %s", i, n.Roads[p.from].ID, n.Roads[p.to].ID, err)
		}
		// The cost is the sum of the edge weights along the route.
		sum := 0.0
		for k := 1; k < len(res.route); k++ {
			w, ok := g.Weight(int64(res.route[k-1]), int64(res.route[k]))
			if !ok {
				t.Fatalf("route %d: no edge %d→%d", i, res.route[k-1], res.route[k])
			}
			sum += w
		}
		if math.Abs(sum-res.cost) > 1e-9*math.Max(1, sum) {
			t.Errorf("route %d: got cost %.12g, want the sum of its edge weights %.12g", i, res.cost, sum)
		}
		if !slices.Equal(res.route, again[i].route) || res.cost != again[i].cost {
			t.Errorf("route %d: got %v (%g s) in the second run, want %v (%g s) as in the first", i, again[i].route, again[i].cost, res.route, res.cost)
		}
		tr := tree[i]
		if tr.err != nil || math.Abs(tr.cost-res.cost) > 1e-9 {
			t.Errorf("route %d %s→%s: RouteTree got %g s (err %v), Route %g s: want equal costs", i, n.Roads[p.from].ID, n.Roads[p.to].ID, tr.cost, tr.err, res.cost)
		} else if err := validRoute(n, tr.route, p.from, p.to); err != "" {
			t.Errorf("RouteTree route %d: %s", i, err)
		}
	}
	t.Logf("%d pairs: %d routed, %d unreachable", len(pairs), found, none)
	if found < len(pairs)/2 || none == 0 {
		t.Errorf("got %d reachable and %d unreachable pairs, want both kinds exercised (most reachable)", found, none)
	}
}

// validRoute describes what is wrong with route rt from a to b, or "".
func validRoute(n *Network, rt Route, a, b RoadID) string {
	switch {
	case len(rt) == 0:
		return "empty route"
	case rt[0] != a:
		return "does not start at the origin"
	case rt[len(rt)-1] != b:
		return "does not end at the destination"
	}
	for k := 1; k < len(rt); k++ {
		if n.MovementBetween(rt[k-1], rt[k]) == None {
			return "no movement from road " + n.Roads[rt[k-1]].ID + " to road " + n.Roads[rt[k]].ID
		}
	}
	return ""
}

func TestRouterSmall(t *testing.T) {
	n, err := Grid(GridOptions{Rows: 2, Cols: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRouter(n)
	id := func(s string) RoadID {
		v, ok := n.RoadByID(s)
		if !ok {
			t.Fatalf("no road %s", s)
		}
		return v
	}
	in, out := id("road_0_1_0"), id("road_2_2_0") // enter west of (1,1), leave east of (2,2)
	for _, tc := range []struct {
		name     string
		from, to RoadID
		wantLen  int // 0: expect an error
		wantNone bool
	}{
		{"same road", in, in, 1, false},
		{"across", in, out, 4, false},
		{"leaving road is a sink", out, in, 0, true},
		{"no such road", -1, in, 0, false},
		{"no such destination", in, RoadID(len(n.Roads)), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, route := range map[string]func(RoadID, RoadID) (Route, float64, error){"Route": r.Route, "RouteTree": r.RouteTree} {
				rt, c, err := route(tc.from, tc.to)
				switch {
				case tc.wantLen > 0 && (err != nil || len(rt) != tc.wantLen):
					t.Errorf("%s: got %v, %v, want %d roads", name, rt, err, tc.wantLen)
				case tc.wantLen == 0 && err == nil:
					t.Errorf("%s: got route %v, want an error", name, rt)
				case tc.wantLen == 0 && errors.Is(err, ErrNoRoute) != tc.wantNone:
					t.Errorf("%s: got error %v, want ErrNoRoute: %v", name, err, tc.wantNone)
				}
				if tc.from == tc.to && c != 0 {
					t.Errorf("%s: got cost %g for an empty trip, want 0", name, c)
				}
				if tc.wantLen == 4 {
					// Three roads of 200 m after the origin at 50 km/h (43.2 s)
					// plus the turns through three junctions.
					if lo := 600 / (50 / 3.6); c < lo || c > lo+10 {
						t.Errorf("%s: got %g s, want %g s plus a few seconds in junctions", name, c, lo)
					}
				}
			}
		})
	}
	g := r.Graph()
	if g.Node(-1) != nil || g.Node(int64(len(n.Roads))) != nil || g.Node(0) == nil {
		t.Error("RoadGraph.Node: got wrong presence for ids -1, len, 0")
	}
	if got := g.Nodes().Len(); got != len(n.Roads) {
		t.Errorf("RoadGraph.Nodes: got %d, want %d", got, len(n.Roads))
	}
	if g.From(int64(out)).Len() != 0 || g.To(int64(in)).Len() != 0 {
		t.Error("boundary roads: got edges, want none out of a leaving road and none into an entering road")
	}
	next := g.From(int64(in))
	if next.Len() != 3 {
		t.Errorf("RoadGraph.From(entering road): got %d roads, want 3 (left, straight, right)", next.Len())
	}
	for next.Next() {
		v := next.Node().ID()
		if !g.HasEdgeFromTo(int64(in), v) || !g.HasEdgeBetween(v, int64(in)) || g.HasEdgeFromTo(v, int64(in)) || g.Edge(int64(in), v) == nil {
			t.Errorf("edge %d→%d: inconsistent HasEdgeFromTo/HasEdgeBetween/Edge", in, v)
		}
		if w, ok := g.Weight(int64(in), v); !ok || !(w > 0) {
			t.Errorf("Weight(%d, %d): got %g, %v, want a positive weight", in, v, w, ok)
		}
	}
	if w, ok := g.Weight(int64(out), int64(in)); ok || !math.IsInf(w, 1) {
		t.Errorf("Weight without an edge: got %g, %v, want +Inf, false", w, ok)
	}
}

// BenchmarkRoute10k routes 10,000 random pairs on the Wuhan network with A*
// per iteration.
func BenchmarkRoute10k(b *testing.B) {
	n := wuhan(b)
	pairs := randomPairs(n, 10000, 2026)
	r := NewRouter(n)
	found := 0
	for b.Loop() {
		found = 0
		for _, p := range pairs {
			if _, _, err := r.Route(p.from, p.to); err == nil {
				found++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pairs))/1e3, "µs/route")
	if found == 0 {
		b.Fatal("no routes found")
	}
}

// TestHeuristicConsistent checks the condition that makes gonum's A* (which
// never reopens a node) return fastest routes: along every edge u→v the
// heuristic drops by no more than the edge weight.
func TestHeuristicConsistent(t *testing.T) {
	nets := map[string]func(t *testing.T) *Network{
		"wuhan": func(t *testing.T) *Network { return wuhan(t) },
		"grid": func(t *testing.T) *Network {
			n, err := Grid(GridOptions{Rows: 3, Cols: 3, Speed: 20})
			if err != nil {
				t.Fatal(err)
			}
			return n
		},
		"jinan": func(t *testing.T) *Network {
			n, err := LoadCityFlow(dataset(t, "jinan_3x4/roadnet_3_4.json"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		},
	}
	for name, load := range nets {
		t.Run(name, func(t *testing.T) {
			n := load(t)
			g := NewRoadGraph(n)
			for goal := range n.Roads {
				gn := g.Node(int64(goal))
				for u := range n.Roads {
					to := g.From(int64(u))
					for to.Next() {
						v := to.Node()
						w, _ := g.Weight(int64(u), v.ID())
						if hu, hv := g.heuristic(g.Node(int64(u)), gn), g.heuristic(v, gn); hu > w+hv+1e-9 {
							t.Fatalf("goal %s, edge %s→%s: got h(u) %g > w %g + h(v) %g, want h consistent",
								n.Roads[goal].ID, n.Roads[u].ID, n.Roads[v.ID()].ID, hu, w, hv)
						}
					}
				}
			}
		})
	}
}
