package engine

import (
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/internal/detmath"
	"github.com/citytwin/citytwin/maps"
	"github.com/paulmach/orb"
)

// Snapshot is a plain copy of what a viewer or an API client needs to draw
// the simulation at one instant. It holds no reference into the engine, so
// it may be read on another goroutine while the engine steps on.
type Snapshot struct {
	Time     float64 // s
	Step     int64
	Vehicles []VehicleView
	// Lights holds the light of every movement (indexed by maps.MovementID).
	Lights []signal.Light
	// Phases holds, per node, the current phase index (−1 unsignalised).
	Phases []int
	Counts Counts
	// MeanSpeed is the mean speed of running vehicles (m/s).
	MeanSpeed float64
}

// VehicleView is one vehicle in a Snapshot. X, Y is the front centre (m).
type VehicleView struct {
	ID      int32
	X, Y    float64 // m
	Heading float64 // radians, counter-clockwise from east
	Speed   float64 // m/s
	Length  float64 // m
	VType   uint16
	// Segment is the lane (< len(Network.Lanes)) or link (lane count +
	// link id) the vehicle is on.
	Segment int32
	Pos     float64 // m along the segment
	Waiting float64 // s standing without interruption
	// Connected reports whether the vehicle is equipped for V2X.
	Connected bool
}

// segGeom caches a segment's polyline with cumulative distances.
type segGeom struct {
	pts []orb.Point
	cum []float64
}

func (s *Sim) geom(i int) *segGeom {
	if s.geoms == nil {
		s.geoms = make([]segGeom, len(s.segs))
	}
	g := &s.geoms[i]
	if g.pts == nil {
		var ls orb.LineString
		if i < s.nLanes {
			ls = s.net.Lanes[i].Geometry
		} else {
			ls = s.net.Links[i-s.nLanes].Path
		}
		g.pts = ls
		g.cum = make([]float64, len(ls))
		for k := 1; k < len(ls); k++ {
			g.cum[k] = g.cum[k-1] + detmath.Hypot(ls[k][0]-ls[k-1][0], ls[k][1]-ls[k-1][1])
		}
	}
	return g
}

// at returns the point and heading at distance d along the segment's
// polyline, scaled to the segment's length.
func (g *segGeom) at(d, length float64) (x, y, h float64) {
	n := len(g.pts)
	if n == 1 {
		return g.pts[0][0], g.pts[0][1], 0
	}
	total := g.cum[n-1]
	if length > 0 {
		d *= total / length
	}
	k := 1
	for k < n-1 && g.cum[k] < d {
		k++
	}
	a, b := g.pts[k-1], g.pts[k]
	seg := g.cum[k] - g.cum[k-1]
	t := 0.0
	if seg > 0 {
		t = min(max((d-g.cum[k-1])/seg, 0), 1)
	}
	return a[0] + float64(t*(b[0]-a[0])), a[1] + float64(t*(b[1]-a[1])), detmath.Atan2(b[1]-a[1], b[0]-a[0])
}

// Snapshot fills dst with the current state, reusing its slices.
func (s *Sim) Snapshot(dst *Snapshot) {
	dst.Time, dst.Step = s.now, s.step
	dst.Vehicles = dst.Vehicles[:0]
	speed := 0.0
	for i := range s.segs {
		seg := &s.segs[i]
		if len(seg.cars) == 0 {
			continue
		}
		g := s.geom(i)
		for j := range seg.cars {
			c := &seg.cars[j]
			x, y, h := g.at(c.pos, seg.length)
			dst.Vehicles = append(dst.Vehicles, VehicleView{ID: c.id, X: x, Y: y, Heading: h, Speed: c.speed,
				Length: float64(c.length), VType: c.vt, Segment: int32(i), Pos: c.pos, Waiting: float64(c.wait),
				Connected: c.flags&fConnected != 0})
			speed += c.speed
		}
	}
	dst.Lights = append(dst.Lights[:0], s.lights...)
	dst.Phases = dst.Phases[:0]
	for i := range s.nodes {
		ph := -1
		if p := s.nodes[i].plant; p != nil {
			ph, _ = p.Phase()
		}
		dst.Phases = append(dst.Phases, ph)
	}
	dst.Counts = s.Counts()
	dst.MeanSpeed = 0
	if n := len(dst.Vehicles); n > 0 {
		dst.MeanSpeed = speed / float64(n)
	}
}

// VehicleTypes returns the vehicle types (indexed by VehicleView.VType).
func (s *Sim) VehicleTypes() []VType { return s.vtypes }

// VehicleRoute returns the route of vehicle id and the index of its current
// road on it.
func (s *Sim) VehicleRoute(id int32) (maps.Route, int) {
	v := &s.veh[id]
	if v.route < 0 {
		return nil, 0
	}
	return s.routes[v.route], int(v.ri)
}
