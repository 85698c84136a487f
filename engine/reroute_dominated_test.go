package engine

import (
	"slices"
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// TestDominatedChangeStates: the lane search skips a state 2c+1 (on lane
// c after a change) whose twin 2c (arrived on c by a link) has a time no
// greater (relaxFrom, settle), and answers every query as a Dijkstra search
// over the same states that follows every state does. On the grids of the
// other tests every lane of a road is reached by a link as soon as the
// road is, so no change is ever needed; here the lanes keep only some of
// their links (as CityFlow's lane links do), on a grid with mixed speeds,
// so that many routes need a change (counted: the test fails when too few
// do), for A* (first) and kept Dijkstra queries, and lengths that allow
// changing across two, one or no lanes. The reference searches the state
// graph with every change (keepEveryChange), so that it also checks the
// changes statesFor leaves out (withEvery); some must be left out.
func TestDominatedChangeStates(t *testing.T) {
	s, net := gridSim(t, maps.GridOptions{Rows: 3, Cols: 4, Block: 70, Lanes: 3}, func(net *maps.Network) {
		for r := range net.Roads {
			net.Roads[r].Speed *= 1 + float64(r*7%5)/4
		}
	})
	// The search's graph with a third of the links dropped (a lane keeps
	// its first).
	full := s.lsrch.graph(s)
	g := &laneGraph{off: make([]int32, 1, s.nLanes+1), soff: full.soff, side: full.side, length: full.length}
	for l := range s.nLanes {
		for i := full.off[l]; i < full.off[l+1]; i++ {
			if i == full.off[l] || (int(i)*7+l)%3 != 0 {
				g.to, g.tt = append(g.to, full.to[i]), append(g.tt, full.tt[i])
			}
		}
		g.off = append(g.off, int32(len(g.to)))
	}
	s.lsrch.g = g
	queries, changed, wrong, left := 0, 0, 0, 0
	for _, length := range []float64{5, 45, 12} {
		ref := *g
		ref.states = nil
		keepEveryChange = true
		sg := ref.statesFor(length)
		keepEveryChange = false
		left += len(sg.to) - len(g.statesFor(length).to)
		for from := range int32(s.nLanes) {
			for dest := range maps.RoadID(len(net.Roads)) {
				if (int(from)+int(dest))%2 == 0 {
					s.lsrch.asked = nil // a first query: A*
				}
				queries++
				want := everyStateRoute(s, sg, from, dest)
				got := statesOf(s.laneRoute(from, dest, length))
				if !slices.Equal(got, want) {
					if wrong++; wrong <= 3 {
						t.Errorf("from lane %d to road %d, length %g m: states %v, following every state gives %v", from, dest, length, got, want)
					}
				}
				if slices.ContainsFunc(want, func(x int32) bool { return x%2 == 1 }) {
					changed++
				}
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d queries differ", wrong, queries)
	}
	if changed < queries/10 {
		t.Errorf("only %d of %d routes change lanes", changed, queries)
	}
	if left == 0 {
		t.Error("statesFor left out no change: the check proves little")
	}
}

// everyStateRoute is a fresh Dijkstra search over the states of sg from
// lane from to road dest that follows the edges of every state it
// settles, dominated or not: the states of the route, or nil.
func everyStateRoute(s *Sim, sg *stateGraph, from int32, dest maps.RoadID) []int32 {
	dist, prev := unreached(2 * s.nLanes)
	var q maps.Queue
	relax := func(p, x0 int32, d float64) {
		for i := sg.off[x0]; i < sg.off[x0+1]; i++ {
			if x, dx := sg.to[i], d+sg.w[i]; dx < dist[x] {
				dist[x], prev[x] = dx, p
				q.Push(dx, x)
			}
		}
	}
	relax(-1, 2*from+1, 0) // the links of lane from
	for q.Len() > 0 {
		d, x := q.Pop()
		if d > dist[x] {
			continue
		}
		if maps.RoadID(s.segRoad[x/2]) == dest {
			return statesTo(prev, x)
		}
		relax(x, x, d)
	}
	return nil
}
