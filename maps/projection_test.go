package maps

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// TestLocalProjectionDistances compares planar distances after
// LocalProjection with great-circle distances for random point pairs up to
// 20 km apart in a 20 km × 20 km square centred on the origin, plus the
// worst case: the square's north or south edge, east to west.
func TestLocalProjectionDistances(t *testing.T) {
	const maxRel = 0.005 // 0.5%
	for _, tc := range []struct {
		name   string
		origin orb.Point
	}{
		{"wuhan", orb.Point{114.51, 30.5}},
		{"lat45", orb.Point{2, 45}},
		{"lat60", orb.Point{25, 60}},
		{"southern lat60", orb.Point{-70, -60}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proj := LocalProjection(tc.origin)
			unproj := LocalUnprojection(tc.origin)
			if p := proj(tc.origin); p != (orb.Point{}) {
				t.Errorf("projected origin: got %v, want (0, 0)", p)
			}
			// Degrees per metre near the origin on orb's sphere.
			dLat := 180 / (math.Pi * orb.EarthRadius)
			dLon := dLat / math.Cos(tc.origin[1]*math.Pi/180)
			at := func(east, north float64) orb.Point {
				return orb.Point{tc.origin[0] + east*dLon, tc.origin[1] + north*dLat}
			}
			pairs := [][2]orb.Point{
				{at(-10000, 10000), at(10000, 10000)},
				{at(-10000, -10000), at(10000, -10000)},
				{at(0, -10000), at(0, 10000)},
			}
			rng := rand.New(rand.NewPCG(7, 7))
			for len(pairs) < 20000 {
				a := at(rng.Float64()*20000-10000, rng.Float64()*20000-10000)
				b := at(rng.Float64()*20000-10000, rng.Float64()*20000-10000)
				if d := geo.DistanceHaversine(a, b); d >= 1 && d <= 20000 {
					pairs = append(pairs, [2]orb.Point{a, b})
				}
			}
			worst := 0.0
			for _, p := range pairs {
				gc := geo.DistanceHaversine(p[0], p[1])
				pl := dist(proj(p[0]), proj(p[1]))
				rel := math.Abs(pl-gc) / gc
				if rel > worst {
					worst = rel
				}
				if rel >= maxRel {
					t.Errorf("%v–%v: got %.2f m projected, %.2f m great-circle (%.3f%%), want within %.1f%%", p[0], p[1], pl, gc, 100*rel, 100*maxRel)
				}
				for _, q := range p {
					if back := unproj(proj(q)); math.Abs(back[0]-q[0]) > 1e-9 || math.Abs(back[1]-q[1]) > 1e-9 {
						t.Fatalf("LocalUnprojection(LocalProjection(%v)): got %v, want the point back", q, back)
					}
				}
			}
			t.Logf("origin %v: %d pairs, max relative distance error %.4f%%", tc.origin, len(pairs), 100*worst)
		})
	}
}
