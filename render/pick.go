package render

import (
	"math"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/paulmach/orb"
)

// PickVehicle returns the index in snap.Vehicles of the vehicle nearest to
// world point (x, y) whose body (from its front back by its length) passes
// within radius metres of it, or −1.
func PickVehicle(snap *engine.Snapshot, x, y, radius float64) int {
	best, bestD := -1, radius
	for i := range snap.Vehicles {
		v := &snap.Vehicles[i]
		// Distance from the point to the vehicle's rectangle.
		dx, dy := math.Cos(v.Heading), math.Sin(v.Heading)
		px, py := x-v.X, y-v.Y
		back := -(px*dx + py*dy)         // m behind the front
		side := math.Abs(-px*dy + py*dx) // m from the centre line
		out := math.Max(math.Max(-back, back-v.Length), 0)
		d := math.Hypot(out, math.Max(side-VehicleWidth(v.Length)/2, 0))
		if d <= bestD {
			best, bestD = i, d
		}
	}
	return best
}

// PickNode returns the junction whose area contains world point (x, y),
// or the one whose centre is nearest within radius metres, or maps.None.
func (s *Scene) PickNode(x, y, radius float64) maps.NodeID {
	p := orb.Point{x, y}
	best, bestD := maps.NodeID(maps.None), radius
	for v, j := range s.Junctions {
		if j == nil {
			continue
		}
		if inConvex(j, p) {
			return maps.NodeID(v)
		}
		c := s.Net.Nodes[v].Pos
		if d := math.Hypot(c[0]-x, c[1]-y); d <= bestD {
			best, bestD = maps.NodeID(v), d
		}
	}
	return best
}

// inConvex reports whether p is inside the counter-clockwise convex
// polygon poly.
func inConvex(poly []orb.Point, p orb.Point) bool {
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		if (b[0]-a[0])*(p[1]-a[1])-(b[1]-a[1])*(p[0]-a[0]) < 0 {
			return false
		}
	}
	return true
}

// RoadSpeeds fills dst (resized to the road count) with the mean speed of
// the vehicles on each road's lanes as a share of the lane speed limit, NaN
// for roads without vehicles: the input of the heat map (Options.Heat).
// count, when not nil, receives the number of vehicles per road.
func (s *Scene) RoadSpeeds(snap *engine.Snapshot, dst []float64, count []int) []float64 {
	n := len(s.Net.Roads)
	dst = append(dst[:0], make([]float64, n)...)
	cnt := count
	if len(cnt) < n {
		cnt = make([]int, n)
	}
	clear(cnt)
	nl := int32(len(s.Net.Lanes))
	for i := range snap.Vehicles {
		v := &snap.Vehicles[i]
		if v.Segment < 0 || v.Segment >= nl {
			continue
		}
		r := s.Net.Lanes[v.Segment].Road
		if lim := s.segSpeed[v.Segment]; lim > 0 {
			dst[r] += math.Min(v.Speed/lim, 1)
			cnt[r]++
		}
	}
	for r := range dst {
		if cnt[r] == 0 {
			dst[r] = math.NaN()
		} else {
			dst[r] /= float64(cnt[r])
		}
	}
	return dst
}
