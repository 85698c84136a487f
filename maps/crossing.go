package maps

import "github.com/paulmach/orb"

// CrossingPoint returns the distances (m) along a and along b to the first
// point (along a) where the two polylines cross, and whether they cross.
func CrossingPoint(a, b orb.LineString) (da, db float64, ok bool) {
	for i := 1; i < len(a); i++ {
		for j := 1; j < len(b); j++ {
			if t, u, hit := segmentParams(a[i-1], a[i], b[j-1], b[j]); hit {
				return lengthTo(a, i-1) + float64(t*dist(a[i-1], a[i])), lengthTo(b, j-1) + float64(u*dist(b[j-1], b[j])), true
			}
		}
	}
	return 0, 0, false
}

// lengthTo is the length of ls up to its point k (m), its segments added
// from the start.
func lengthTo(ls orb.LineString, k int) float64 {
	l := 0.0
	for i := 1; i <= k; i++ {
		l += dist(ls[i-1], ls[i])
	}
	return l
}

// segmentParams returns the parameters along p1p2 and q1q2 of their
// crossing point, as segmentsCross decides it.
func segmentParams(p1, p2, q1, q2 orb.Point) (t, u float64, ok bool) {
	if !segmentsCross(p1, p2, q1, q2) {
		return 0, 0, false
	}
	r := sub(p2, p1)
	s := sub(q2, q1)
	den := float64(r[0]*s[1]) - float64(r[1]*s[0])
	qp := sub(q1, p1)
	return (float64(qp[0]*s[1]) - float64(qp[1]*s[0])) / den, (float64(qp[0]*r[1]) - float64(qp[1]*r[0])) / den, true
}
