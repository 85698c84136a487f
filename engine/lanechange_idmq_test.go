package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/citytwin/citytwin/engine/follow"
)

// TestIdmQ checks idmQ against follow.IDMStep, which noGain relies on:
// IDM's acceleration is a·(free − q²) with q = idmQ to the last bit
// (IDMAccel, recomputed from idmQ's q with the free-road term of δ = 4),
// and a gap ratio no smaller behind one leader than behind another gives
// an acceleration after IDMStepLimit no larger, at speeds below, at and
// above the desired speed, at several step lengths. It fails when idmQ
// leaves out the floor of the dynamic term (fminmax.Pos) or of the gap
// (tried).
func TestIdmQ(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 9))
	params := []follow.Params{
		DefaultCar().Follow,
		{Accel: 1, Decel: 1.5, EmergencyDecel: 9, MinGap: 2, Headway: 1.5},
		{Accel: 3, Decel: 7, EmergencyDecel: 9, MinGap: 0, Headway: 0.5},
	}
	// Values near ties and floors as well as spread ones.
	speed := func() float64 {
		switch rng.IntN(4) {
		case 0:
			return 0
		case 1:
			return float64(rng.IntN(30))
		}
		return 30 * rng.Float64()
	}
	gap := func() float64 {
		switch rng.IntN(5) {
		case 0:
			return 0.01 * rng.Float64() // under the floor
		case 1:
			return -rng.Float64()
		case 2:
			return float64(rng.IntN(60))
		}
		return 80 * rng.Float64()
	}
	for k := range params {
		p := &params[k]
		if err := p.Init(); err != nil {
			t.Fatal(err)
		}
		for range 200000 {
			v, v0 := speed(), 1+20*rng.Float64()
			if v > 0 && rng.IntN(4) == 0 {
				v0 = v // at the desired speed
			}
			g1, vl1, g2, vl2 := gap(), speed(), gap(), speed()
			if rng.IntN(4) == 0 {
				g2 = g1
			}
			r := v / v0
			r *= r
			free := 1 - r*r
			for _, c := range [2][2]float64{{g1, vl1}, {g2, vl2}} {
				q := idmQ(p, v, c[0], c[1])
				if got, want := follow.IDMAccel(p, v, c[0], c[1], v0), p.Accel*(free-float64(q*q)); got != want {
					t.Fatalf("v %v, v0 %v, gap %v, vl %v: IDMAccel %v, a·(free − q²) with idmQ %v", v, v0, c[0], c[1], got, want)
				}
			}
			q1, q2 := idmQ(p, v, g1, vl1), idmQ(p, v, g2, vl2)
			for _, dt := range []float64{1, 0.5, 0.1} {
				a1, a2 := follow.IDMStep(p, v, g1, vl1, v0, dt), follow.IDMStep(p, v, g2, vl2, v0, dt)
				if q2 >= q1 && !(a2 <= a1) || math.IsNaN(a1) || math.IsNaN(a2) {
					t.Fatalf("v %v, v0 %v, dt %v: q %v ≥ %v (gap %v, vl %v; gap %v, vl %v), yet acceleration %v > %v", v, v0, dt, q2, q1, g2, vl2, g1, vl1, a2, a1)
				}
			}
		}
	}
}
