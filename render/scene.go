package render

import (
	"math"
	"sort"

	"github.com/citytwin/citytwin/maps"
	"github.com/paulmach/orb"
)

// Scene is the static geometry of a network, ready to draw. Build one with
// NewScene; it is immutable after and safe for concurrent use.
type Scene struct {
	Net *maps.Network
	// Junctions holds the area of each node as a convex polygon (m),
	// indexed by maps.NodeID; nil for nodes without movements.
	Junctions [][]orb.Point
	// Bars are the stop lines: one per lane and movement leaving it.
	Bars []Bar
	// Markings are lane dividers (dashed), centre lines and edge lines.
	Markings []Stroke

	laneBox  []orb.Bound // per lane, including its width
	linkBox  []orb.Bound // per link, including its width
	segSpeed []float64   // m/s, speed limit per engine segment (lanes, then links)
	bounds   orb.Bound
}

// Bar is the part of a lane's stop line that shows one movement's light.
// A lane whose links serve k movements has its stop line split in k parts,
// left to right in movement order.
type Bar struct {
	Movement maps.MovementID
	Lane     maps.LaneID
	// A and B are the ends of the part, across the lane at its stop line (m).
	A, B orb.Point
	// Dir is the unit driving direction at the stop line.
	Dir orb.Point
}

// Stroke is a polyline drawn Width metres wide (at least MinPx pixels).
type Stroke struct {
	Pts   orb.LineString // m
	Width float64        // m
	Kind  MarkKind
}

// MarkKind tells lane markings apart.
type MarkKind uint8

// Marking kinds.
const (
	MarkDivider MarkKind = iota // dashed line between lanes of one road
	MarkCentre                  // line between the two directions of a street
	MarkEdge                    // outer edge of a road
)

// Marking geometry (m).
const (
	dashOn, dashOff = 3.0, 6.0
	markWidth       = 0.15
)

// NewScene prepares the drawing of net.
func NewScene(net *maps.Network) *Scene {
	s := &Scene{Net: net}
	s.laneBox = make([]orb.Bound, len(net.Lanes))
	for i := range net.Lanes {
		l := &net.Lanes[i]
		b := l.Geometry.Bound()
		s.laneBox[i] = b.Pad(l.Width)
	}
	s.linkBox = make([]orb.Bound, len(net.Links))
	for k := range net.Links {
		lk := &net.Links[k]
		s.linkBox[k] = lk.Path.Bound().Pad(net.Lanes[lk.From].Width)
	}
	s.segSpeed = make([]float64, 0, len(net.Lanes)+len(net.Links))
	for i := range net.Lanes {
		s.segSpeed = append(s.segSpeed, net.Lanes[i].Speed)
	}
	for i := range net.Links {
		s.segSpeed = append(s.segSpeed, net.Links[i].Speed)
	}
	s.buildJunctions()
	s.buildBars()
	s.buildMarkings()
	s.bounds = net.Bounds()
	for _, j := range s.Junctions {
		for _, p := range j {
			s.bounds = s.bounds.Extend(p)
		}
	}
	for _, b := range s.laneBox {
		s.bounds = s.bounds.Union(b)
	}
	for _, b := range s.linkBox {
		s.bounds = s.bounds.Union(b)
	}
	return s
}

// Bounds returns the world rectangle covering every lane and junction (m).
func (s *Scene) Bounds() orb.Bound { return s.bounds }

// laneEnds returns the left and right corners of a lane at its start
// (end=false) or end (m).
func laneEnds(l *maps.Lane, end bool) (left, right orb.Point) {
	g := l.Geometry
	var p, d orb.Point
	if end {
		p, d = g[len(g)-1], sub(g[len(g)-1], g[len(g)-2])
	} else {
		p, d = g[0], sub(g[1], g[0])
	}
	n := rightOf(d)
	return add(p, scale(n, -l.Width/2)), add(p, scale(n, l.Width/2))
}

// JunctionReach bounds the area drawn for a junction: only lane ends and
// link points within max(JunctionReach × its radius, MinJunctionReach)
// of the node span it. Where a through road's lanes stop far from a
// T-junction (its lanes are cut back for a sharp turn), the convex hull
// of every lane end would fill a wide triangle beside the road; the links
// drawn over the junction connect such lanes instead.
const (
	JunctionReach    = 2.5
	MinJunctionReach = 15.0 // m
)

func (s *Scene) buildJunctions() {
	net := s.Net
	s.Junctions = make([][]orb.Point, len(net.Nodes))
	for v := range net.Nodes {
		nd := &net.Nodes[v]
		if len(nd.Movements) == 0 {
			continue
		}
		reach := math.Max(JunctionReach*nd.Radius, MinJunctionReach)
		pts := []orb.Point{nd.Pos}
		near := func(q ...orb.Point) {
			for _, p := range q {
				if math.Hypot(p[0]-nd.Pos[0], p[1]-nd.Pos[1]) <= reach {
					pts = append(pts, p)
				}
			}
		}
		for _, r := range nd.In {
			for _, l := range net.Roads[r].Lanes {
				if lane := &net.Lanes[l]; len(lane.Geometry) >= 2 {
					near(laneEnds(lane, true))
				}
			}
		}
		for _, r := range nd.Out {
			for _, l := range net.Roads[r].Lanes {
				if lane := &net.Lanes[l]; len(lane.Geometry) >= 2 {
					near(laneEnds(lane, false))
				}
			}
		}
		turns := false
		for _, m := range nd.Movements {
			if net.Movements[m].Turn == maps.UTurn {
				continue // U-turns sweep wide of the junction proper
			}
			turns = true
			for _, k := range net.Movements[m].Links {
				near(net.Links[k].Path...)
			}
		}
		if !turns {
			continue // a dead end's turnaround: its link is drawn
		}
		hull := convexHull(pts)
		if len(hull) < 3 || polyArea(hull) < 1 {
			r := math.Max(nd.Radius, 3)
			hull = hull[:0]
			for k := 0; k < 12; k++ {
				a := float64(k) * math.Pi / 6
				hull = append(hull, orb.Point{nd.Pos[0] + r*math.Cos(a), nd.Pos[1] + r*math.Sin(a)})
			}
		}
		s.Junctions[v] = hull
	}
}

func (s *Scene) buildBars() {
	net := s.Net
	for i := range net.Lanes {
		l := &net.Lanes[i]
		if len(l.Geometry) < 2 || len(l.Links) == 0 {
			continue
		}
		var movs []maps.MovementID
		for _, k := range l.Links {
			m := net.Links[k].Movement
			if len(movs) == 0 || movs[len(movs)-1] != m {
				movs = append(movs, m)
			}
		}
		sort.Slice(movs, func(a, b int) bool { return movs[a] < movs[b] })
		left, right := laneEnds(l, true)
		if net.LeftHand {
			// Movements run from the centre line outwards: right to left.
			left, right = right, left
		}
		g := l.Geometry
		dir := unit(sub(g[len(g)-1], g[len(g)-2]))
		k := float64(len(movs))
		for j, m := range movs {
			a := add(left, scale(sub(right, left), float64(j)/k))
			b := add(left, scale(sub(right, left), float64(j+1)/k))
			s.Bars = append(s.Bars, Bar{Movement: m, Lane: maps.LaneID(i), A: a, B: b, Dir: dir})
		}
	}
}

func (s *Scene) buildMarkings() {
	net := s.Net
	// Lanes are numbered from the centre line outwards: towards the right
	// when driving on the right, towards the left when driving on the left.
	out := 1.0
	if net.LeftHand {
		out = -1
	}
	for r := range net.Roads {
		road := &net.Roads[r]
		for k, id := range road.Lanes {
			l := &net.Lanes[id]
			if len(l.Geometry) < 2 {
				continue
			}
			if k == 0 && road.TwoWay {
				s.Markings = append(s.Markings, Stroke{Pts: offset(l.Geometry, -out*l.Width/2), Width: markWidth, Kind: MarkCentre})
			}
			right := offset(l.Geometry, out*l.Width/2) // the outer edge
			if k == len(road.Lanes)-1 {
				s.Markings = append(s.Markings, Stroke{Pts: right, Width: markWidth, Kind: MarkEdge})
				continue
			}
			dashes(right, dashOn, dashOff, func(d orb.LineString) {
				s.Markings = append(s.Markings, Stroke{Pts: d, Width: markWidth, Kind: MarkDivider})
			})
		}
	}
}

// SegmentSpeed returns the speed limit (m/s) of engine segment seg (a lane,
// or the lane count plus a link id, as in engine.VehicleView.Segment).
func (s *Scene) SegmentSpeed(seg int32) float64 {
	if seg < 0 || int(seg) >= len(s.segSpeed) {
		return 0
	}
	return s.segSpeed[seg]
}

// RoadOf returns the road of engine segment seg: a lane's road, or for a
// link the road it enters.
func (s *Scene) RoadOf(seg int32) maps.RoadID {
	n := int32(len(s.Net.Lanes))
	if seg < n {
		return s.Net.Lanes[seg].Road
	}
	return s.Net.Lanes[s.Net.Links[seg-n].To].Road
}
