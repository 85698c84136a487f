package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/internal/detmath"
	"github.com/citytwin/citytwin/maps"
)

// Grid directions, as in maps.Grid's road names "road_x_y_d".
var gridDirs = [4][2]int{{1, 0}, {0, 1}, {-1, 0}, {0, -1}} // east, north, west, south

// GridIndex finds the roads of a maps.Grid network by position, so that
// routes can be computed arithmetically instead of by a router.
type GridIndex struct {
	Rows, Cols int
	roads      []maps.RoadID // by (x, y, d); -1 where no road exists
}

// NewGridIndex indexes net, which must come from maps.Grid with the given
// rows and columns.
func NewGridIndex(net *maps.Network, rows, cols int) (*GridIndex, error) {
	g := &GridIndex{Rows: rows, Cols: cols, roads: make([]maps.RoadID, (rows+2)*(cols+2)*4)}
	n := 0
	for y := 0; y <= rows+1; y++ {
		for x := 0; x <= cols+1; x++ {
			for d := 0; d < 4; d++ {
				r, ok := net.RoadByID(fmt.Sprintf("road_%d_%d_%d", x, y, d))
				if !ok {
					r = -1
				} else {
					n++
				}
				g.roads[g.key(x, y, d)] = r
			}
		}
	}
	if n != len(net.Roads) {
		return nil, fmt.Errorf("bench: network %q is not a %d×%d maps.Grid: %d of its %d roads found", net.Source, rows, cols, n, len(net.Roads))
	}
	return g, nil
}

func (g *GridIndex) key(x, y, d int) int { return ((y*(g.Cols+2))+x)*4 + d }

// Road returns the road leaving node (x, y) in direction d (0 east,
// 1 north, 2 west, 3 south), or -1.
func (g *GridIndex) Road(x, y, d int) maps.RoadID {
	if x < 0 || y < 0 || x > g.Cols+1 || y > g.Rows+1 || d < 0 || d > 3 {
		return -1
	}
	return g.roads[g.key(x, y, d)]
}

// inner reports whether node (x, y) is a junction (not a boundary node).
func (g *GridIndex) inner(x, y int) bool { return x >= 1 && x <= g.Cols && y >= 1 && y <= g.Rows }

// ahead returns how many junctions a vehicle on the road leaving (x, y)
// in direction d can still go straight through before it reaches the
// boundary: the number of further straight roads available.
func (g *GridIndex) ahead(x, y, d int) int {
	n := 0
	for {
		x, y = x+gridDirs[d][0], y+gridDirs[d][1]
		if !g.inner(x, y) {
			return n
		}
		n++
	}
}

// GridDemandOptions describe the busy-grid demand.
type GridDemandOptions struct {
	// Rate is the departure rate per road (veh/h); the network's total
	// is Rate × number of roads.
	Rate float64
	// Horizon is the time (s) over which trips depart: [0, Horizon).
	Horizon float64
	// MaxLeg is the most roads driven straight in one leg (default 8).
	MaxLeg int
	// Turn is the probability of turning once, left or right with equal
	// chance, at the end of the first leg (default 0.5).
	Turn float64
	Seed uint64
}

// GridDemand returns trips on a maps.Grid network indexed by g: Poisson
// departures at o.Rate per road over [0, o.Horizon), each starting on a
// road drawn uniformly from all roads, driving straight on for 0 to
// MaxLeg−1 more roads (fewer where the grid ends), and then, with
// probability o.Turn and where it stands at a junction, turning left or
// right and driving 1 to MaxLeg roads more. Routes are explicit, so the
// engine needs no router. The trips of [0, t) do not depend on Horizon
// beyond t.
func GridDemand(net *maps.Network, g *GridIndex, o GridDemandOptions) []engine.Trip {
	if o.MaxLeg <= 0 {
		o.MaxLeg = 8
	}
	if o.Turn == 0 {
		o.Turn = 0.5
	}
	type origin struct{ x, y, d int }
	var origins []origin
	for y := 0; y <= g.Rows+1; y++ {
		for x := 0; x <= g.Cols+1; x++ {
			for d := 0; d < 4; d++ {
				if g.Road(x, y, d) >= 0 {
					origins = append(origins, origin{x, y, d})
				}
			}
		}
	}
	total := o.Rate * float64(len(origins)) // veh/h
	if total <= 0 || len(origins) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x67726964)) // "grid"
	var trips []engine.Trip
	for t := detmath.ExpFloat64(rng) * 3600 / total; t < o.Horizon; t += detmath.ExpFloat64(rng) * 3600 / total {
		or := origins[rng.IntN(len(origins))]
		x, y, d := or.x, or.y, or.d
		route := maps.Route{g.Road(x, y, d)}
		// Straight on: k more roads.
		k := rng.IntN(min(g.ahead(x, y, d), o.MaxLeg-1) + 1)
		for range k {
			x, y = x+gridDirs[d][0], y+gridDirs[d][1]
			route = append(route, g.Road(x, y, d))
		}
		// Perhaps one turn at the junction the last road ends at.
		ex, ey := x+gridDirs[d][0], y+gridDirs[d][1]
		if turn := rng.Float64(); turn < o.Turn && g.inner(ex, ey) {
			nd := (d + 1) % 4 // left
			if turn < o.Turn/2 {
				nd = (d + 3) % 4 // right
			}
			x, y, d = ex, ey, nd
			route = append(route, g.Road(x, y, d))
			for k := rng.IntN(min(g.ahead(x, y, d), o.MaxLeg-1) + 1); k > 0; k-- {
				x, y = x+gridDirs[d][0], y+gridDirs[d][1]
				route = append(route, g.Road(x, y, d))
			}
		}
		trips = append(trips, engine.Trip{Depart: t, From: route[0], To: route[len(route)-1], Route: route})
	}
	return trips
}

// ScaleDemand returns n trips, all departing at t = 0, spread evenly over
// every road of a maps.Grid network indexed by g (the first n mod roads
// roads get one more) that drive straight on to the edge of the grid. Every route is a suffix of one route per row or column and
// direction, so the routes share memory. Trips are ordered by origin road
// so that the engine's insertion queues are built in order.
func ScaleDemand(net *maps.Network, g *GridIndex, n int) []engine.Trip {
	if len(net.Roads) == 0 || n <= 0 {
		return nil
	}
	trips := make([]engine.Trip, 0, n)
	// lines[r] is the route from road r straight on to the edge.
	lines := make([]maps.Route, len(net.Roads))
	for y := 0; y <= g.Rows+1; y++ {
		for x := 0; x <= g.Cols+1; x++ {
			for d := 0; d < 4; d++ {
				r := g.Road(x, y, d)
				// Start a full line only at roads whose predecessor straight
				// behind does not exist.
				if r < 0 || g.Road(x-gridDirs[d][0], y-gridDirs[d][1], d) >= 0 {
					continue
				}
				var line maps.Route
				for cx, cy := x, y; g.Road(cx, cy, d) >= 0; cx, cy = cx+gridDirs[d][0], cy+gridDirs[d][1] {
					line = append(line, g.Road(cx, cy, d))
					if !g.inner(cx+gridDirs[d][0], cy+gridDirs[d][1]) {
						break
					}
				}
				for i, rd := range line {
					lines[rd] = line[i:]
				}
			}
		}
	}
	per, extra := n/len(net.Roads), n%len(net.Roads)
	for r := range net.Roads {
		line := lines[r]
		if line == nil {
			continue // not a grid road; NewGridIndex rules this out
		}
		k := per
		if r < extra {
			k++
		}
		for range k {
			trips = append(trips, engine.Trip{From: line[0], To: line[len(line)-1], Route: line})
		}
	}
	return trips
}
