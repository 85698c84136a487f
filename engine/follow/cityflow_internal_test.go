package follow

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCityFlowFreeGap checks the free-gap shortcut of CityFlowAccel
// against the full rule, the least of all its terms, over random
// parameters and situations: from cityFlowFreeGap on, the full rule gives
// the same bits, and the shortcut is taken for a fair share of them. Gaps
// are drawn around the bound, where the shortcut would first go wrong,
// and one in eight is +Inf (the free road, answered before the bound).
func TestCityFlowFreeGap(t *testing.T) {
	full := func(p *Params, v, gap, vl, v0, dt float64) float64 {
		next := min(v0, v+float64(p.Accel*dt))
		next = min(next,
			stopAfterStep(v, vl, gap, 0, p.EmergencyDecel, p.halfPerEmergency, dt),
			stopAfterStep(v, vl, gap, p.MinGap, p.Decel, p.halfPerDecel, dt),
			headwaySpeed(v, gap, vl, p.Headway, dt))
		return PerStep(next-v, dt)
	}
	r := rand.New(rand.NewPCG(11, 19))
	taken, near := 0, 0
	for range 200000 {
		p := Params{Accel: 0.5 + 4*r.Float64(), Decel: 0.5 + 8*r.Float64(), MinGap: 5 * r.Float64(), Headway: 0.3 + 3*r.Float64()}
		p.EmergencyDecel = p.Decel * (1 + 2*r.Float64())
		if err := p.Init(); err != nil {
			t.Fatal(err)
		}
		dt := []float64{1, 0.5, 0.25, 0.1, 0.2}[r.IntN(5)]
		v0 := 1 + 40*r.Float64()
		v, vl := v0*1.3*r.Float64(), v0*1.5*r.Float64()
		if r.IntN(4) == 0 {
			vl = 0 // a standing leader or a stop point
		}
		next := min(v0, v+float64(p.Accel*dt))
		bound := cityFlowFreeGap(&p, next, v, dt)
		gap := bound * (0.9 + 0.2*r.Float64())
		switch r.IntN(8) {
		case 0:
			gap = bound // the edge itself
		case 1:
			gap = math.Inf(1) // a free road: the shortcut before the bound
		}
		got, want := CityFlowAccel(&p, v, gap, vl, v0, dt), full(&p, v, gap, vl, v0, dt)
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("v %g, gap %g (free from %g), vl %g, v0 %g, dt %g, %+v: CityFlowAccel %v, the full rule %v", v, gap, bound, vl, v0, dt, p, got, want)
		}
		if gap >= bound {
			taken++
		}
		if gap >= bound && gap < bound+0.5 {
			near++
		}
	}
	if taken < 50000 || near == 0 {
		t.Errorf("the shortcut was taken %d times (%d within 0.5 m of the bound): the check proves little", taken, near)
	}
}
