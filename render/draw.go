package render

import (
	"image/color"
	"math"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/paulmach/orb"
)

// A Painter fills shapes given in pixels. Painters may batch: everything
// drawn before a Flush appears below everything drawn after it, but within
// a layer (between two Flush calls) polygons of different colours may be
// drawn in any order, so a layer should not overlap itself in different
// colours where it matters.
type Painter interface {
	// Fill fills the convex polygon pts (either winding) with c.
	Fill(pts []Pt, c color.RGBA)
	// Text draws one line of s with its top-left corner at (x, y); it
	// ends the current layer first.
	Text(x, y float32, s string, c color.RGBA)
	// TextSize returns the size of s in pixels.
	TextSize(s string) (w, h float32)
	// Flush ends the current layer.
	Flush()
}

// Options choose what DrawDynamic shows. The zero value shows vehicles
// coloured by speed and the lights at the stop lines, nothing else.
type Options struct {
	Color ColorMode
	// Heat, when not nil, colours lanes by the speed of their road as a
	// share of its limit (indexed by maps.RoadID; NaN leaves a road
	// uncoloured): the congestion heat map. See RoadSpeeds.
	Heat []float64
	// Queues, when not nil, marks the standing queue of each lane back
	// from its stop line (m, indexed by maps.LaneID).
	Queues []float64
	// LoopOffset, when positive, marks the induction loop of every lane
	// that many metres before its stop line.
	LoopOffset float64
	// RSUs, when not nil, marks the junctions with a V2X roadside unit.
	RSUs []maps.NodeID
	// Selected lists vehicle ids to highlight; SelectedNodes junctions.
	Selected      []int32
	SelectedNodes []maps.NodeID
}

// Sizes in pixels below which shapes are not allowed to shrink, so that a
// city-wide picture still shows its roads and vehicles: a vehicle is at
// least 6 × 3.5 px (and rimmed by OutlinePx more), so that at a zoom
// where cars would be specks each stays a visible mark, and the vehicles
// of a queue merge into a bar of their colour as long as the queue.
const (
	MinLanePx    = 1.0
	MinVehLenPx  = 6.0
	MinVehWidePx = 3.5
	// OutlinePx is the width of the dark rim around every vehicle.
	OutlinePx = 1.0
	// CarLength is the length of a passenger car (m), for choosing how to
	// draw at a zoom.
	CarLength = 5.0
	MinBarPx  = 3.0
	// MarkingsScale is the zoom (px per m) from which lane markings show.
	MarkingsScale = 3.0
	// BarDepth is how far a stop line reaches back into its lane (m).
	BarDepth = 2.0
)

// VehicleWidth returns the width assumed for a vehicle of the given length
// (m): 2.5 m for vehicles longer than 7 m, 1.8 m otherwise.
func VehicleWidth(length float64) float64 {
	if length > 7 {
		return 2.5
	}
	return 1.8
}

// DrawStatic draws what does not change while the simulation runs: the
// background, lane areas, junction areas and, from MarkingsScale on, lane
// markings.
func DrawStatic(p Painter, s *Scene, cam Camera) {
	w, h := float32(cam.W), float32(cam.H)
	p.Fill([]Pt{{0, 0}, {w, 0}, {w, h}, {0, h}}, Background)
	p.Flush()
	view := cam.View()
	var buf strokeBuf
	net := s.Net
	for i := range net.Lanes {
		if !view.Intersects(s.laneBox[i]) {
			continue
		}
		l := &net.Lanes[i]
		buf.stroke(p, cam, l.Geometry, l.Width, MinLanePx, LaneColor)
	}
	for k := range net.Links {
		lk := &net.Links[k]
		if !view.Intersects(s.linkBox[k]) {
			continue
		}
		buf.stroke(p, cam, lk.Path, net.Lanes[lk.From].Width, MinLanePx, JunctionColor)
	}
	for _, j := range s.Junctions {
		if j == nil || !view.Intersects(orb.MultiPoint(j).Bound()) {
			continue
		}
		buf.poly(p, cam, j, JunctionColor)
	}
	p.Flush()
	if cam.Scale >= MarkingsScale {
		for _, m := range s.Markings {
			if !view.Intersects(m.Pts.Bound()) {
				continue
			}
			c := MarkingColor
			if m.Kind == MarkCentre {
				c = CentreColor
			}
			buf.stroke(p, cam, m.Pts, m.Width, 1, c)
		}
		p.Flush()
	}
}

// DrawDynamic draws the state in snap over a DrawStatic picture: the
// overlays chosen in o (heat map, queues, detectors, roadside units), stop
// lines coloured by the light of their movement
// (signalised junctions only), vehicles and highlights.
func DrawDynamic(p Painter, s *Scene, cam Camera, snap *engine.Snapshot, o *Options) {
	if o == nil {
		o = &Options{}
	}
	view := cam.View()
	net := s.Net
	var buf strokeBuf
	if o.Heat != nil {
		for i := range net.Lanes {
			l := &net.Lanes[i]
			if int(l.Road) >= len(o.Heat) || math.IsNaN(o.Heat[l.Road]) || !view.Intersects(s.laneBox[i]) {
				continue
			}
			c := SpeedColor(o.Heat[l.Road])
			c.A = 210
			buf.stroke(p, cam, l.Geometry, l.Width*0.9, MinLanePx, c)
		}
		p.Flush()
	}
	if o.Queues != nil {
		for i := range net.Lanes {
			if i >= len(o.Queues) || !(o.Queues[i] > 0) || !view.Intersects(s.laneBox[i]) {
				continue
			}
			l := &net.Lanes[i]
			part := tail(l.Geometry, o.Queues[i])
			buf.stroke(p, cam, part, l.Width*0.6, MinLanePx+1, QueueColor)
		}
		p.Flush()
	}
	if o.LoopOffset > 0 {
		for i := range net.Lanes {
			if !view.Intersects(s.laneBox[i]) {
				continue
			}
			l := &net.Lanes[i]
			at, dir := along(l.Geometry, math.Max(0, polyLen(l.Geometry)-o.LoopOffset))
			n := orb.Point{dir[1], -dir[0]}
			a := add(at, scale(n, -l.Width*0.35))
			b := add(at, scale(n, l.Width*0.35))
			buf.bar(p, cam, a, b, dir, 1, 2, DetectorColor)
		}
		p.Flush()
	}
	if o.RSUs != nil {
		for _, v := range o.RSUs {
			if int(v) >= len(net.Nodes) {
				continue
			}
			px, py := cam.ToScreen(net.Nodes[v].Pos[0], net.Nodes[v].Pos[1])
			r := float32(math.Max(4*cam.Scale, 5))
			x, y := float32(px), float32(py)
			p.Fill([]Pt{{x, y - r}, {x + r, y}, {x, y + r}, {x - r, y}}, RSUColor)
		}
		p.Flush()
	}
	if snap == nil {
		return
	}
	// Stop lines go under the vehicles where vehicles have their true
	// size, over them where vehicles are drawn larger than life (a car
	// shorter than MinVehLenPx), so that a queue never hides its light.
	bars := func() {
		for _, b := range s.Bars {
			if int(b.Movement) >= len(snap.Lights) || !view.Contains(b.A) {
				continue
			}
			if net.Nodes[net.Movements[b.Movement].Node].Kind != maps.Signalised {
				continue
			}
			buf.bar(p, cam, b.A, b.B, b.Dir, BarDepth, MinBarPx, LightColor(snap.Lights[b.Movement]))
		}
		p.Flush()
	}
	magnified := CarLength*cam.Scale < MinVehLenPx
	if !magnified {
		bars()
	}
	// Vehicles: first every rim, then every body, so that a rim never
	// covers a neighbour's body.
	pad := view.Pad(30 + MinVehLenPx/cam.Scale)
	for pass := 0; pass < 2; pass++ {
		for i := range snap.Vehicles {
			v := &snap.Vehicles[i]
			if !pad.Contains(orb.Point{v.X, v.Y}) {
				continue
			}
			if pass == 0 {
				p.Fill(VehicleQuad(cam, v, OutlinePx), OutlineColor)
			} else {
				p.Fill(VehicleQuad(cam, v, 0), s.VehicleColor(v, o.Color))
			}
		}
		p.Flush()
	}
	if magnified {
		bars()
	}
	for _, id := range o.Selected {
		for i := range snap.Vehicles {
			if v := &snap.Vehicles[i]; v.ID == id {
				q := VehicleQuad(cam, v, 2)
				buf.outline(p, q, 2, HighlightColor)
			}
		}
	}
	for _, nd := range o.SelectedNodes {
		if int(nd) < len(s.Junctions) && s.Junctions[nd] != nil {
			j := s.Junctions[nd]
			pts := make([]Pt, len(j))
			for k, q := range j {
				pts[k] = cam.pt(q)
			}
			buf.outline(p, pts, 2, HighlightColor)
		}
	}
	p.Flush()
}

// VehicleColor returns the colour of v in mode m.
func (s *Scene) VehicleColor(v *engine.VehicleView, m ColorMode) color.RGBA {
	switch m {
	case ColorType:
		return TypeColor(int(v.VType))
	case ColorConnected:
		if v.Connected {
			return ConnectedColor
		}
		return UnconnectedColor
	}
	lim := s.SegmentSpeed(v.Segment)
	if lim <= 0 {
		return SpeedColor(1)
	}
	return SpeedColor(v.Speed / lim)
}

// VehicleQuad returns the corners of v's rectangle in pixels, grown by
// grow pixels on every side: front left, front right, rear right, rear
// left. The rectangle is at least MinVehLenPx × MinVehWidePx.
func VehicleQuad(cam Camera, v *engine.VehicleView, grow float64) []Pt {
	fx, fy := cam.ToScreen(v.X, v.Y)
	l := math.Max(v.Length*cam.Scale, MinVehLenPx) + 2*grow
	w := math.Max(VehicleWidth(v.Length)*cam.Scale, MinVehWidePx) + 2*grow
	// Pixel axes: y down, so the world heading h points along (cos h, −sin h).
	dx, dy := math.Cos(v.Heading), -math.Sin(v.Heading)
	nx, ny := -dy, dx // right of the heading on screen
	fx, fy = fx+dx*grow, fy+dy*grow
	rx, ry := fx-dx*l, fy-dy*l
	hw := w / 2
	return []Pt{
		{float32(fx - nx*hw), float32(fy - ny*hw)},
		{float32(fx + nx*hw), float32(fy + ny*hw)},
		{float32(rx + nx*hw), float32(ry + ny*hw)},
		{float32(rx - nx*hw), float32(ry - ny*hw)},
	}
}

// strokeBuf reuses point buffers across the polygons of a layer.
type strokeBuf struct{ pts []Pt }

// stroke fills a polyline of width w metres (at least minPx pixels) as one
// quad per segment plus a wedge on the outer side of each bend.
func (b *strokeBuf) stroke(p Painter, cam Camera, ls orb.LineString, w, minPx float64, c color.RGBA) {
	if len(ls) < 2 {
		return
	}
	hw := math.Max(w*cam.Scale, minPx) / 2
	var prev Pt
	var prevN [2]float64
	havePrev := false
	for i := 1; i < len(ls); i++ {
		a, z := cam.pt(ls[i-1]), cam.pt(ls[i])
		dx, dy := float64(z.X-a.X), float64(z.Y-a.Y)
		d := math.Hypot(dx, dy)
		if d < 1e-6 {
			continue
		}
		nx, ny := -dy/d*hw, dx/d*hw
		nX, nY := float32(nx), float32(ny)
		b.pts = append(b.pts[:0], Pt{a.X + nX, a.Y + nY}, Pt{z.X + nX, z.Y + nY}, Pt{z.X - nX, z.Y - nY}, Pt{a.X - nX, a.Y - nY})
		p.Fill(b.pts, c)
		if havePrev && hw >= 1 {
			// Fill the gap on both sides of the bend (one of them is
			// covered already; a wedge is cheaper than finding which).
			cr := prevN[0]*ny - prevN[1]*nx
			if math.Abs(cr) > 1e-3*hw*hw {
				b.pts = append(b.pts[:0], prev, Pt{prev.X + float32(prevN[0]), prev.Y + float32(prevN[1])}, Pt{prev.X + nX, prev.Y + nY})
				p.Fill(b.pts, c)
				b.pts = append(b.pts[:0], prev, Pt{prev.X - float32(prevN[0]), prev.Y - float32(prevN[1])}, Pt{prev.X - nX, prev.Y - nY})
				p.Fill(b.pts, c)
			}
		}
		prev, prevN, havePrev = z, [2]float64{nx, ny}, true
	}
}

// poly fills a convex world polygon.
func (b *strokeBuf) poly(p Painter, cam Camera, pts []orb.Point, c color.RGBA) {
	b.pts = b.pts[:0]
	for _, q := range pts {
		b.pts = append(b.pts, cam.pt(q))
	}
	p.Fill(b.pts, c)
}

// bar fills the rectangle from segment a–b (m) back against dir for depth
// metres, at least minPx pixels deep.
func (b *strokeBuf) bar(p Painter, cam Camera, a, z, dir orb.Point, depth, minPx float64, c color.RGBA) {
	d := math.Max(depth, minPx/cam.Scale)
	back := scale(dir, -d)
	b.poly(p, cam, []orb.Point{a, z, add(z, back), add(a, back)}, c)
}

// outline draws the closed polygon q with lines w pixels wide.
func (b *strokeBuf) outline(p Painter, q []Pt, w float32, c color.RGBA) {
	for i := range q {
		a, z := q[i], q[(i+1)%len(q)]
		dx, dy := z.X-a.X, z.Y-a.Y
		d := float32(math.Hypot(float64(dx), float64(dy)))
		if d == 0 {
			continue
		}
		nx, ny := -dy/d*w/2, dx/d*w/2
		// Extend along the edge so corners close.
		ex, ey := dx/d*w/2, dy/d*w/2
		p.Fill([]Pt{{a.X - ex + nx, a.Y - ey + ny}, {z.X + ex + nx, z.Y + ey + ny}, {z.X + ex - nx, z.Y + ey - ny}, {a.X - ex - nx, a.Y - ey - ny}}, c)
	}
}

// polyLen returns the length of a polyline (m).
func polyLen(ls orb.LineString) float64 {
	t := 0.0
	for i := 1; i < len(ls); i++ {
		t += math.Hypot(ls[i][0]-ls[i-1][0], ls[i][1]-ls[i-1][1])
	}
	return t
}

// along returns the point at distance d along ls and the unit direction
// there.
func along(ls orb.LineString, d float64) (orb.Point, orb.Point) {
	for i := 1; i < len(ls); i++ {
		a, b := ls[i-1], ls[i]
		seg := math.Hypot(b[0]-a[0], b[1]-a[1])
		if d <= seg || i == len(ls)-1 {
			t := 0.0
			if seg > 0 {
				t = math.Min(math.Max(d/seg, 0), 1)
			}
			return add(a, scale(sub(b, a), t)), unit(sub(b, a))
		}
		d -= seg
	}
	return ls[0], orb.Point{1, 0}
}

// tail returns the last d metres of ls.
func tail(ls orb.LineString, d float64) orb.LineString {
	total := polyLen(ls)
	if d >= total {
		return ls
	}
	start := total - d
	out := orb.LineString{}
	acc := 0.0
	for i := 1; i < len(ls); i++ {
		a, b := ls[i-1], ls[i]
		seg := math.Hypot(b[0]-a[0], b[1]-a[1])
		if len(out) == 0 && acc+seg >= start {
			p, _ := along(orb.LineString{a, b}, start-acc)
			out = append(out, p)
		}
		if len(out) > 0 {
			out = append(out, b)
		}
		acc += seg
	}
	return out
}
