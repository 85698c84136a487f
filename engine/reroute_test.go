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
	n := 2 * s.nLanes
	dist, prev := make([]float64, n), make([]int32, n)
	for i := range dist {
		dist[i], prev[i] = math.Inf(1), -1
	}
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
			var states []int32
			for ; x >= 0; x = prev[x] {
				states = append(states, x)
			}
			slices.Reverse(states)
			return states
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
	net, err := maps.Grid(maps.GridOptions{Rows: 3, Cols: 4, Block: 70, Lanes: 3})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(net, DefaultConfig(), []Trip{{From: 0, To: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
					want := plainLaneRoute(s, from, dest, length)
					got := statesOf(s.laneRoute(from, dest, length))
					queries++
					if !slices.Equal(got, want) {
						if wrong++; wrong <= 3 {
							t.Errorf("%s: from lane %d to road %d, length %g m: states %v, a fresh search gives %v", stage, from, dest, length, got, want)
						}
					}
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
