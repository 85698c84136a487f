package maps

import (
	"math"

	"github.com/citytwin/citytwin/internal/detmath"
	"github.com/paulmach/orb"
)

// Planar polyline helpers in metres. orb supplies the types; lengths,
// offsets, cuts and curves are written here, under the floating-point
// rule of engine/doc.go (orb's planar code is compiled with fused
// multiply-add on arm64).

// lineLength is the length of ls: the sum of its segments' lengths, in
// order (the same sum, bit for bit, as orb's planar.Length on amd64).
func lineLength(ls orb.LineString) float64 {
	sum := 0.0
	for i := 1; i < len(ls); i++ {
		d0, d1 := ls[i][0]-ls[i-1][0], ls[i][1]-ls[i-1][1]
		sum += math.Sqrt(float64(d0*d0) + float64(d1*d1))
	}
	return sum
}

func sub(a, b orb.Point) orb.Point           { return orb.Point{a[0] - b[0], a[1] - b[1]} }
func add(a, b orb.Point) orb.Point           { return orb.Point{a[0] + b[0], a[1] + b[1]} }
func scale(a orb.Point, k float64) orb.Point { return orb.Point{a[0] * k, a[1] * k} }
func norm(a orb.Point) float64               { return detmath.Hypot(a[0], a[1]) }
func dist(a, b orb.Point) float64            { return detmath.Hypot(a[0]-b[0], a[1]-b[1]) }

func unit(a orb.Point) orb.Point {
	l := norm(a)
	if l == 0 {
		return orb.Point{1, 0}
	}
	return orb.Point{a[0] / l, a[1] / l}
}

// rightNormal is the unit vector pointing to the right of direction d.
func rightNormal(d orb.Point) orb.Point { u := unit(d); return orb.Point{u[1], -u[0]} }

// heading returns the direction angle (radians, counter-clockwise from east)
// of the vector a→b.
func heading(a, b orb.Point) float64 { return detmath.Atan2(b[1]-a[1], b[0]-a[0]) }

// angleDiff returns b−a wrapped into (−π, π].
func angleDiff(a, b float64) float64 {
	d := math.Mod(b-a, 2*math.Pi)
	if d <= -math.Pi {
		d += 2 * math.Pi
	} else if d > math.Pi {
		d -= 2 * math.Pi
	}
	return d
}

// dedupe drops consecutive points closer than 1 mm.
func dedupe(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, 0, len(ls))
	for _, p := range ls {
		if len(out) > 0 && dist(out[len(out)-1], p) < 1e-3 {
			continue
		}
		out = append(out, p)
	}
	return out
}

// offsetLine shifts a polyline d metres to the right (negative: left),
// joining segments at the bisector (mitre limited to 3·|d|).
func offsetLine(ls orb.LineString, d float64) orb.LineString {
	if dd := dedupe(ls); len(dd) >= 2 {
		ls = dd
	} else {
		// Shorter than 1 mm: shift the points as they are, keeping 2 of them.
		out := append(orb.LineString(nil), ls...)
		if len(out) >= 2 && d != 0 {
			nrm := rightNormal(sub(out[len(out)-1], out[0]))
			for i := range out {
				out[i] = add(out[i], scale(nrm, d))
			}
		}
		return out
	}
	n := len(ls)
	if n < 2 || d == 0 {
		return append(orb.LineString(nil), ls...)
	}
	out := make(orb.LineString, n)
	for i := 0; i < n; i++ {
		var nrm orb.Point
		switch i {
		case 0:
			nrm = rightNormal(sub(ls[1], ls[0]))
		case n - 1:
			nrm = rightNormal(sub(ls[n-1], ls[n-2]))
		default:
			n1 := rightNormal(sub(ls[i], ls[i-1]))
			n2 := rightNormal(sub(ls[i+1], ls[i]))
			m := add(n1, n2)
			l := norm(m)
			if l < 1e-9 {
				nrm = n1
			} else {
				m = scale(m, 1/l)
				cos := float64(m[0]*n1[0]) + float64(m[1]*n1[1])
				k := 1 / math.Max(cos, 1.0/3)
				nrm = scale(m, k)
			}
		}
		out[i] = add(ls[i], scale(nrm, d))
	}
	return out
}

// pointAt returns the point at distance s along ls and the unit direction there.
func pointAt(ls orb.LineString, s float64) (orb.Point, orb.Point) {
	if len(ls) == 0 {
		return orb.Point{}, orb.Point{1, 0}
	}
	if len(ls) == 1 {
		return ls[0], orb.Point{1, 0}
	}
	if s <= 0 {
		return ls[0], unit(sub(ls[1], ls[0]))
	}
	for i := 1; i < len(ls); i++ {
		l := dist(ls[i-1], ls[i])
		if s <= l || i == len(ls)-1 {
			u := unit(sub(ls[i], ls[i-1]))
			if s > l {
				s = l
			}
			return add(ls[i-1], scale(u, s)), u
		}
		s -= l
	}
	return ls[len(ls)-1], orb.Point{1, 0}
}

// cut returns the part of ls between distances a and b (a < b) along it.
func cut(ls orb.LineString, a, b float64) orb.LineString {
	if len(ls) < 2 {
		return append(orb.LineString(nil), ls...)
	}
	pa, _ := pointAt(ls, a)
	out := orb.LineString{pa}
	acc := 0.0
	for i := 1; i < len(ls); i++ {
		acc += dist(ls[i-1], ls[i])
		if acc > a && acc < b {
			out = append(out, ls[i])
		}
		if acc >= b {
			break
		}
	}
	pb, _ := pointAt(ls, b)
	out = append(out, pb)
	if d := dedupe(out); len(d) >= 2 {
		return d
	}
	return orb.LineString{pa, pb} // shorter than 1 mm: keep a line of 2 points
}

// bezier returns n+1 points of the cubic Bézier curve p0, c1, c2, p3.
func bezier(p0, c1, c2, p3 orb.Point, n int) orb.LineString {
	out := make(orb.LineString, 0, n+1)
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		u := 1 - t
		b0, b1, b2, b3 := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
		out = append(out, orb.Point{
			float64(b0*p0[0]) + float64(b1*c1[0]) + float64(b2*c2[0]) + float64(b3*p3[0]),
			float64(b0*p0[1]) + float64(b1*c1[1]) + float64(b2*c2[1]) + float64(b3*p3[1]),
		})
	}
	return out
}

// connector builds the path through a junction from point a heading da to
// point b heading db, as CityFlow and netconvert do: a straight segment when
// the two are aligned, a cubic Bézier otherwise.
func connector(a, da, b, db orb.Point) orb.LineString {
	d := dist(a, b)
	if d < 1e-3 { // closer than dedupe's 1 mm: a curve would collapse to one point
		return orb.LineString{a, b}
	}
	da, db = unit(da), unit(db)
	ab := unit(sub(b, a))
	if float64(da[0]*db[0])+float64(da[1]*db[1]) > 0.999 && float64(da[0]*ab[0])+float64(da[1]*ab[1]) > 0.999 {
		return orb.LineString{a, b}
	}
	h := d / 3
	if float64(da[0]*db[0])+float64(da[1]*db[1]) < -0.5 { // U-turn: wider handles
		h = math.Max(d, 4)
	}
	return dedupe(bezier(a, add(a, scale(da, h)), sub(b, scale(db, h)), b, 10))
}

// segmentsCross reports whether segments p1p2 and q1q2 intersect at a point
// strictly inside both (touching end points do not count).
func segmentsCross(p1, p2, q1, q2 orb.Point) bool {
	r := sub(p2, p1)
	s := sub(q2, q1)
	den := float64(r[0]*s[1]) - float64(r[1]*s[0])
	if math.Abs(den) < 1e-12 {
		return false // parallel or collinear: treated as not crossing
	}
	qp := sub(q1, p1)
	t := (float64(qp[0]*s[1]) - float64(qp[1]*s[0])) / den
	u := (float64(qp[0]*r[1]) - float64(qp[1]*r[0])) / den
	const eps = 1e-6
	return t > eps && t < 1-eps && u > eps && u < 1-eps
}

// pathsCross reports whether two polylines cross each other; ba and bb
// are their bounds (boundOf), which callers testing a polyline against
// many find once.
func pathsCross(a, b orb.LineString, ba, bb orb.Bound) bool {
	if !ba.Intersects(bb) {
		return false
	}
	for i := 1; i < len(a); i++ {
		for j := 1; j < len(b); j++ {
			if segmentsCross(a[i-1], a[i], b[j-1], b[j]) {
				return true
			}
		}
	}
	return false
}

func boundOf(ls orb.LineString) orb.Bound {
	if len(ls) == 0 {
		return orb.Bound{}
	}
	return ls.Bound()
}

// reversed returns a reversed copy of ls.
func reversed(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[len(ls)-1-i] = p
	}
	return out
}
