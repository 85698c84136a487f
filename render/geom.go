package render

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// Pt is a point in pixels (x right, y down).
type Pt struct{ X, Y float32 }

func sub(a, b orb.Point) orb.Point           { return orb.Point{a[0] - b[0], a[1] - b[1]} }
func add(a, b orb.Point) orb.Point           { return orb.Point{a[0] + b[0], a[1] + b[1]} }
func scale(a orb.Point, k float64) orb.Point { return orb.Point{a[0] * k, a[1] * k} }

func unit(a orb.Point) orb.Point {
	l := math.Hypot(a[0], a[1])
	if l == 0 {
		return orb.Point{1, 0}
	}
	return orb.Point{a[0] / l, a[1] / l}
}

// rightOf is the unit vector to the right of direction d (world axes).
func rightOf(d orb.Point) orb.Point { u := unit(d); return orb.Point{u[1], -u[0]} }

// offset shifts a polyline d metres to its right (negative: left), joining
// segments at the bisector with the mitre limited to 3·|d|.
func offset(ls orb.LineString, d float64) orb.LineString {
	n := len(ls)
	out := make(orb.LineString, n)
	for i := range ls {
		var nrm orb.Point
		switch {
		case i == 0:
			nrm = rightOf(sub(ls[1], ls[0]))
		case i == n-1:
			nrm = rightOf(sub(ls[n-1], ls[n-2]))
		default:
			a, b := rightOf(sub(ls[i], ls[i-1])), rightOf(sub(ls[i+1], ls[i]))
			m := unit(add(a, b))
			c := m[0]*a[0] + m[1]*a[1] // cos of half the turn
			k := 1.0
			if c > 1.0/3 {
				k = 1 / c
			} else {
				k = 3
			}
			nrm = scale(m, k)
		}
		out[i] = add(ls[i], scale(nrm, d))
	}
	return out
}

// dashes cuts a polyline into pieces on metres long, off metres apart.
func dashes(ls orb.LineString, on, off float64, emit func(orb.LineString)) {
	var cur orb.LineString
	drawing, left := true, on // in a dash, and metres left in the current state
	for i := 1; i < len(ls); i++ {
		a, b := ls[i-1], ls[i]
		seg := math.Hypot(b[0]-a[0], b[1]-a[1])
		pos := 0.0
		for seg-pos > 1e-9 {
			step := math.Min(left, seg-pos)
			p := add(a, scale(sub(b, a), pos/seg))
			q := add(a, scale(sub(b, a), (pos+step)/seg))
			if drawing {
				if len(cur) == 0 {
					cur = append(cur, p)
				}
				cur = append(cur, q)
			}
			pos += step
			left -= step
			if left <= 1e-9 {
				if drawing && len(cur) >= 2 {
					emit(cur)
				}
				cur = nil
				drawing = !drawing
				left = on
				if !drawing {
					left = off
				}
			}
		}
	}
	if drawing && len(cur) >= 2 {
		emit(cur)
	}
}

// convexHull returns the convex hull of pts counter-clockwise (Andrew's
// monotone chain, O(n log n)).
func convexHull(pts []orb.Point) []orb.Point {
	p := append([]orb.Point(nil), pts...)
	sort.Slice(p, func(i, j int) bool { return p[i][0] < p[j][0] || p[i][0] == p[j][0] && p[i][1] < p[j][1] })
	if len(p) < 3 {
		return p
	}
	cross := func(o, a, b orb.Point) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	h := make([]orb.Point, 0, 2*len(p))
	for _, q := range p {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	lo := len(h) + 1
	for i := len(p) - 2; i >= 0; i-- {
		q := p[i]
		for len(h) >= lo && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	return h[:len(h)-1]
}

// polyArea returns the absolute area of a simple polygon (m²).
func polyArea(p []orb.Point) float64 {
	a := 0.0
	for i := range p {
		j := (i + 1) % len(p)
		a += p[i][0]*p[j][1] - p[j][0]*p[i][1]
	}
	return math.Abs(a) / 2
}
