package engine

import (
	"math"
	"slices"
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// plainLaneRoute is laneRoute's search as a single query: a fresh
// Dijkstra over lane states that stops at the first state of dest it
// settles (the search laneRoute resumes from query to query must answer
// the same).
func plainLaneRoute(s *Sim, from int32, dest maps.RoadID, length float64) []int32 {
	dist, prev := unreached(2 * s.nLanes)
	var q maps.Queue
	relax := func(x, p int32, d float64) {
		if d < dist[x] {
			dist[x], prev[x] = d, p
			q.Push(d, x)
		}
	}
	tt := s.freeFlowTimes()
	follow := func(x, lane int32, d float64) {
		for _, k := range s.ids(s.laneT[lane].links) {
			if b := s.linkLane[k]; !s.closed[b] {
				relax(2*b, x, d+tt[s.segRoad[b]])
			}
		}
	}
	follow(-1, from, 0)
	for q.Len() > 0 {
		d, x := q.Pop()
		if d > dist[x] {
			continue
		}
		lane := x / 2
		if maps.RoadID(s.segRoad[lane]) == dest {
			return statesTo(prev, x)
		}
		follow(x, lane, d)
		if x%2 == 1 {
			continue
		}
		road := &s.net.Roads[s.segRoad[lane]]
		span := int(math.Floor((road.Length - length) / planChange))
		li := s.net.Lanes[lane].Index
		for _, dir := range []int{-1, 1} {
			for k := 1; k <= span; k++ {
				j := li + dir*k
				if j < 0 || j >= len(road.Lanes) || s.closed[road.Lanes[j]] {
					break
				}
				relax(2*int32(road.Lanes[j])+1, x, d+float64(float64(k)*planChangeCost))
			}
		}
	}
	return nil
}

// unreached returns the times (+Inf) and predecessors (−1) of n states
// that a search has not reached.
func unreached(n int) ([]float64, []int32) {
	dist, prev := make([]float64, n), make([]int32, n)
	for i := range dist {
		dist[i], prev[i] = math.Inf(1), -1
	}
	return dist, prev
}

// statesTo returns the states of the path that prev records to state x,
// from the start on.
func statesTo(prev []int32, x int32) []int32 {
	var states []int32
	for ; x >= 0; x = prev[x] {
		states = append(states, x)
	}
	slices.Reverse(states)
	return states
}

// gridSim returns a simulation (closed when the test ends) of the grid o,
// changed by tweak when not nil, and its network.
func gridSim(t *testing.T, o maps.GridOptions, tweak func(*maps.Network)) (*Sim, *maps.Network) {
	t.Helper()
	net, err := maps.Grid(o)
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(net)
	}
	s, err := New(net, DefaultConfig(), []Trip{{From: 0, To: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, net
}

// sameAsFresh checks that laneRoute answers a query with the states of a
// fresh Dijkstra search (plainLaneRoute), reporting the first three that
// differ and counting them in wrong.
func sameAsFresh(t *testing.T, s *Sim, stage string, from int32, dest maps.RoadID, length float64, wrong *int) {
	t.Helper()
	want := plainLaneRoute(s, from, dest, length)
	if got := statesOf(s.laneRoute(from, dest, length)); !slices.Equal(got, want) {
		if *wrong++; *wrong <= 3 {
			t.Errorf("%s: from lane %d to road %d, length %g m: states %v, a fresh search gives %v", stage, from, dest, length, got, want)
		}
	}
}

// statesOf turns a route and lane plan of laneRoute back into lane
// states.
func statesOf(r maps.Route, p *lanePlan) []int32 {
	if r == nil {
		return nil
	}
	var states []int32
	for i := range r {
		states = append(states, 2*p.arrive[i])
		if p.exit[i] != p.arrive[i] {
			states = append(states, 2*p.exit[i]+1)
		}
	}
	return states
}

// TestKeptLaneSearches: laneRoute, which keeps its searches from query to
// query (and reuses the least recently used one's arrays), answers every
// query as a fresh search would, on a grid whose equal road times make
// ties everywhere, for vehicle lengths that allow changing across 2, 1 or
// no lanes on a road, and after lanes close and open again (each stage
// starts from the lane the last one ended with, whose searches are kept
// unless closing a lane drops them).
func TestKeptLaneSearches(t *testing.T) {
	s, net := gridSim(t, maps.GridOptions{Rows: 3, Cols: 4, Block: 70, Lanes: 3}, nil)
	keep := maxKeptStates
	defer func() { maxKeptStates = keep }()
	maxKeptStates = 4 * 2 * s.nLanes // four searches: a lane's three lengths and one more
	lengths := []float64{5, 45, 12}
	var sources []int32
	for l := 0; l < s.nLanes; l += 5 {
		sources = append(sources, int32(l*7%s.nLanes))
	}
	check := func(stage string) {
		t.Helper()
		queries, wrong := 0, 0
		for _, from := range sources {
			for i := range net.Roads {
				dest := maps.RoadID(i * 13 % len(net.Roads)) // all roads, far and near mixed
				for _, length := range lengths {
					queries++
					sameAsFresh(t, s, stage, from, dest, length, &wrong)
				}
			}
		}
		if wrong > 0 {
			t.Errorf("%s: %d of %d queries differ", stage, wrong, queries)
		}
		slices.Reverse(sources)
	}
	check("open network")
	road := net.Roads[s.segRoad[sources[0]]] // the road of the lane queried first next
	CloseLane{Lane: road.Lanes[1]}.apply(s)
	CloseRoad{Road: maps.RoadID(len(net.Roads) / 2)}.apply(s)
	check("closed lanes")
	OpenLane{Lane: road.Lanes[1]}.apply(s)
	OpenRoad{Road: maps.RoadID(len(net.Roads) / 2)}.apply(s)
	check("reopened")
}

// TestAStarLaneSearch: the A* search that answers the first query from a
// lane and vehicle length gives, for every lane, road and length, the
// states a fresh Dijkstra search gives: on a grid whose equal road times
// make ties everywhere (the predecessor kept must be Dijkstra's, not the
// one A* settles first), and on the same grid with mixed speeds and nodes
// moved off the roads' ends, so that road lengths and straight-line
// distances disagree and the bound's factor comes from a few roads.
func TestAStarLaneSearch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tweak func(*maps.Network)
	}{
		{"equal times", func(*maps.Network) {}},
		{"mixed speeds, moved nodes", func(net *maps.Network) {
			for r := range net.Roads {
				net.Roads[r].Speed *= 1 + float64(r*7%5)/4
			}
			for n := range net.Nodes {
				net.Nodes[n].Pos[0] += float64(n*5%3) * 20
				net.Nodes[n].Pos[1] -= float64(n*3%4) * 9
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, net := gridSim(t, maps.GridOptions{Rows: 3, Cols: 4, Block: 70, Lanes: 3}, tc.tweak)
			if s.lsrch.aStarKappa(s) <= 0 {
				t.Fatal("no A* bound on this network")
			}
			queries, wrong := 0, 0
			for from := range int32(s.nLanes) {
				for dest := range maps.RoadID(len(net.Roads)) {
					for _, length := range []float64{5, 45, 12} {
						s.lsrch.asked = nil // a first query: A*
						queries++
						sameAsFresh(t, s, "A*", from, dest, length, &wrong)
						if len(s.lsrch.kept) > 0 {
							t.Fatal("a first query kept a Dijkstra search")
						}
					}
				}
			}
			if wrong > 0 {
				t.Errorf("%d of %d queries differ", wrong, queries)
			}
		})
	}
}

// TestAStarKappa: the lane search takes A* (κ > 0) only on networks where
// its bound is consistent with room to spare (aStarKappa): not with a
// road faster than 1 ms, nor with one so slow (two years) that the
// queue's keys could pass keyLimit's 2²⁶ s, where their rounding comes
// near the margin the proof leaves.
func TestAStarKappa(t *testing.T) {
	for _, tc := range []struct {
		name  string
		speed float64 // m/s, of road 0 (0: as the grid makes it)
		aStar bool
	}{
		{"grid", 0, true},
		{"a road of 1 ms", 70 / 0.9e-3, false},
		{"a road of a day", 70 / 86400.0, true},
		{"a road of two years", 70 / 6.4e7, false},
	} {
		s, _ := gridSim(t, maps.GridOptions{Rows: 2, Cols: 2, Block: 70, Lanes: 2}, func(net *maps.Network) {
			if tc.speed > 0 {
				net.Roads[0].Speed = tc.speed
			}
		})
		if k := s.lsrch.aStarKappa(s); (k > 0) != tc.aStar {
			t.Errorf("%s: κ = %g s/m, want A* %v", tc.name, k, tc.aStar)
		}
	}
}

// TestAStarTies: of two predecessors that reach a state equally fast, an
// A* search keeps the one of least (time, state), whichever it offers
// first: Dijkstra's search settles that one first (A* can settle them in
// another order where rounding makes their queue keys equal). A Dijkstra
// search keeps the first offered, and a state reached from the start
// lane keeps no predecessor.
func TestAStarTies(t *testing.T) {
	s, net := gridSim(t, maps.GridOptions{Rows: 2, Cols: 2, Block: 70, Lanes: 2}, nil)
	const x, a, b = 1, 4, 6 // states: the one reached, two predecessors
	for _, tc := range []struct {
		name         string
		aStar        bool
		distA, distB float64 // s
		offered      [2]int32
		want         int32
	}{
		{"A*, lesser time offered last", true, 5, 6, [2]int32{b, a}, a},
		{"A*, lesser time offered first", true, 5, 6, [2]int32{a, b}, a},
		{"A*, equal times, lesser state offered last", true, 5, 5, [2]int32{b, a}, a},
		{"A*, equal times, greater state offered last", true, 6, 6, [2]int32{a, b}, a},
		{"A*, start lane first", true, 5, 6, [2]int32{-1, a}, -1},
		{"Dijkstra, first offered", false, 5, 6, [2]int32{b, a}, b},
	} {
		ls := newLaneSearch(s)
		if tc.aStar {
			ls.goal, ls.h = 0, make([]float64, len(net.Roads))
		}
		ls.dist[a], ls.dist[b] = tc.distA, tc.distB
		for _, p := range tc.offered {
			ls.offer(s, x, p, 20)
		}
		if ls.prev[x] != tc.want || ls.dist[x] != 20 {
			t.Errorf("%s: predecessor %d (time %g), want %d", tc.name, ls.prev[x], ls.dist[x], tc.want)
		}
	}
}

// TestServes: serves, by the lanes' bits, answers as servesByLinks, the
// walk of the lane's links, for every lane and road, with lanes and a
// road closed and after they open again (closing drops the bits; they are
// made again), and falls back on the walk while the bits are not made.
func TestServes(t *testing.T) {
	s, net := gridSim(t, maps.GridOptions{Rows: 3, Cols: 3, Block: 70, Lanes: 3}, nil)
	closeRoad := maps.RoadID(len(net.Roads) / 2)
	lane := net.Roads[3].Lanes[1]
	for _, tc := range []struct {
		stage string
		apply func()
	}{
		{"open network", func() {}},
		{"closed lane and road", func() { CloseLane{Lane: lane}.apply(s); CloseRoad{Road: closeRoad}.apply(s) }},
		{"reopened", func() { OpenLane{Lane: lane}.apply(s); OpenRoad{Road: closeRoad}.apply(s) }},
	} {
		tc.apply()
		for _, made := range []bool{false, true} {
			if made {
				s.makeServeBits()
				if s.lsrch.serve == nil {
					t.Fatalf("%s: no bits made", tc.stage)
				}
			} else if s.lsrch.serve != nil {
				t.Fatalf("%s: bits kept", tc.stage)
			}
			yes := 0
			for l := range int32(s.nLanes) {
				for r := range int32(len(net.Roads)) {
					got, want := s.serves(l, r), s.servesByLinks(l, r)
					if got != want {
						t.Errorf("%s (bits made: %v): lane %d to road %d: %v, its links say %v", tc.stage, made, l, r, got, want)
					}
					if got {
						yes++
					}
				}
			}
			if yes == 0 {
				t.Fatalf("%s: no lane serves a road", tc.stage)
			}
		}
	}
}

// TestLaneGraph: the lane search's graph holds, for every lane, the open
// lanes its links lead to with their roads' times, and on either side the
// lanes it may change to, nearest first, up to the first closed one; with
// a lane and a road closed (closing drops the graph: it is made again).
func TestLaneGraph(t *testing.T) {
	s, net := gridSim(t, maps.GridOptions{Rows: 2, Cols: 3, Block: 90, Lanes: 3}, nil)
	for _, tc := range []struct {
		stage string
		apply func()
	}{
		{"open network", func() {}},
		{"closed lanes", func() {
			CloseLane{Lane: net.Roads[2].Lanes[1]}.apply(s)
			CloseRoad{Road: 5}.apply(s)
		}},
	} {
		tc.apply()
		if s.lsrch.g != nil {
			t.Fatalf("%s: graph kept", tc.stage)
		}
		g := s.lsrch.graph(s)
		tt := s.freeFlowTimes()
		for l := range int32(s.nLanes) {
			var to []int32
			var times []float64
			for _, k := range s.ids(s.laneT[l].links) {
				if b := s.linkLane[k]; !s.closed[b] {
					to, times = append(to, b), append(times, tt[s.segRoad[b]])
				}
			}
			if got := g.to[g.off[l]:g.off[l+1]]; !slices.Equal(got, to) || !slices.Equal(g.tt[g.off[l]:g.off[l+1]], times) {
				t.Errorf("%s: lane %d leads to %v (%v s), want %v (%v s)", tc.stage, l, got, g.tt[g.off[l]:g.off[l+1]], to, times)
			}
			road := &net.Roads[s.segRoad[l]]
			for d, dir := range []int{-1, 1} {
				var side []int32
				for j := net.Lanes[l].Index + dir; j >= 0 && j < len(road.Lanes); j += dir {
					if s.closed[road.Lanes[j]] {
						break
					}
					side = append(side, int32(road.Lanes[j]))
				}
				if got := g.side[g.soff[2*int(l)+d]:g.soff[2*int(l)+d+1]]; !slices.Equal(got, side) {
					t.Errorf("%s: lane %d, side %d: %v, want %v", tc.stage, l, dir, got, side)
				}
			}
			if g.length[l] != road.Length {
				t.Errorf("%s: lane %d: road length %g, want %g", tc.stage, l, g.length[l], road.Length)
			}
		}
	}
}
