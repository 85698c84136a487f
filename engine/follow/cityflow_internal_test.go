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
		if r.IntN(4) == 0 {
			p.EmergencyDecel = p.Decel // as on the CityFlow datasets: one stop term
		}
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

// cityFlowBounds returns cityFlowFree's three bounds (m), as it computes
// them, without its metre: stop, reach and headway.
func cityFlowBounds(p *Params, next, v, dt float64) [3]float64 {
	halfDt := float64(dt / 2)
	stop := float64(float64(next*next)*p.halfPerDecel) + float64((next+v)*halfDt) + p.MinGap
	reach := p.MinGap + float64((next+float64(p.EmergencyDecel*dt))*halfDt)
	headway := float64(next * (p.Headway + halfDt))
	return [3]float64{stop, reach, headway}
}

// cityFlowFreeGap is the free gap of cityFlowFree as one number (m): the
// largest of its three bounds plus one metre.
func cityFlowFreeGap(p *Params, next, v, dt float64) float64 {
	b := cityFlowBounds(p, next, v, dt)
	return max(b[0], b[1], b[2]) + 1
}

// TestCityFlowFreeSplit checks that cityFlowFree, which compares the gap
// with each bound in turn, answers as the comparison with the single
// free gap (cityFlowFreeGap), on random parameters and situations with
// gaps around the free gap (the edge itself, one ulp below it, NaN), and
// that each bound is the one that fails in some of them.
func TestCityFlowFreeSplit(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 61))
	var fails [3]int
	for range 200000 {
		p := randomParams(t, r, 0)
		dt := []float64{1, 0.5, 0.25, 0.1}[r.IntN(4)]
		v0 := 40 * r.Float64()
		v := []float64{0, v0 * 1.3 * r.Float64(), v0}[r.IntN(3)]
		next := min(v0, v+float64(p.Accel*dt))
		bound := cityFlowFreeGap(&p, next, v, dt)
		gap := []float64{bound * (0.5 + r.Float64()), bound, math.Nextafter(bound, 0), 5 * r.Float64(), math.NaN()}[r.IntN(5)]
		if got, want := cityFlowFree(&p, gap, next, v, dt), gap >= bound; got != want {
			t.Fatalf("v %v, v0 %v, dt %v, %+v, gap %v (free gap %v): cityFlowFree says %v", v, v0, dt, p, gap, bound, got)
		}
		for i, b := range cityFlowBounds(&p, next, v, dt) {
			if b+1 == bound && !(gap >= bound) {
				fails[i]++
			}
		}
	}
	for i, n := range fails {
		if n < 1000 {
			t.Errorf("bound %d (stop, reach, headway) was the largest and not reached %d times: the check proves little", i, n)
		}
	}
}

// TestCityFlowCovers checks CityFlowCovers on random parameters and
// situations, the obstacle drawn from where the leader's step's travel
// alone would put the bound to just beyond CityFlowCovers' bound: where
// it says the obstacle is covered, CityFlowAccel gives the obstacle an
// acceleration no lower than the leader, in the order min takes (−0
// below +0). It also checks that the rule computed its terms for the
// obstacle in many of them, and that the weaker bound fails somewhere
// (the check can fail).
func TestCityFlowCovers(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 41))
	terms, weakFails := 0, 0
	for range 200000 {
		p := Params{Accel: 0.5 + 4*r.Float64(), Decel: 0.5 + 8*r.Float64(), MinGap: 5 * r.Float64(), Headway: 0.3 + 3*r.Float64()}
		p.EmergencyDecel = p.Decel * (1 + 2*r.Float64())
		if r.IntN(4) == 0 {
			p.EmergencyDecel = p.Decel // as on the CityFlow datasets
		}
		if err := p.Init(); err != nil {
			t.Fatal(err)
		}
		dt := []float64{1, 0.5, 0.25, 0.1, 0.2}[r.IntN(5)]
		v0 := 1 + 40*r.Float64()
		v, vl := v0*1.3*r.Float64(), v0*1.3*r.Float64()
		switch r.IntN(4) {
		case 0:
			vl = 0
		case 1:
			v = 0
		}
		gap := 60 * r.Float64()
		weak := float64(vl*dt) + 1                                   // the step's travel only
		bound := float64(vl*max(float64(vl*p.halfPerDecel), dt)) + 1 // CityFlowCovers'
		gapStop := gap + weak + (bound-weak)*1.05*r.Float64()
		if r.IntN(4) == 0 {
			gapStop = gap + bound // the edge itself
		}
		stop, lead := CityFlowAccel(&p, v, gapStop, 0, v0, dt), CityFlowAccel(&p, v, gap, vl, v0, dt)
		if !CityFlowCovers(&p, gap, vl, gapStop, dt) {
			if !atLeastInMinOrder(stop, lead) {
				weakFails++
			}
			continue
		}
		if !atLeastInMinOrder(stop, lead) {
			t.Fatalf("v %g, v0 %g, dt %g, %+v: the obstacle at %g m asks %v, below the leader at %g m at %g m/s (%v)", v, v0, dt, p, gapStop, stop, gap, vl, lead)
		}
		if next := min(v0, v+float64(p.Accel*dt)); gapStop < cityFlowFreeGap(&p, next, v, dt) {
			terms++
		}
	}
	if terms < 20000 || weakFails == 0 {
		t.Errorf("the obstacle's terms were computed %d times, below the bound the obstacle asked less %d times: the check proves little", terms, weakFails)
	}
}

// TestStopRootAbove checks stopRootAbove against CityFlow's comfortable
// stop term computed in full (stopAfterStep), bit for bit, on random
// parameters and situations far beyond a road's, with standing vehicles
// and gaps below the standstill gap; the candidate x is drawn around the
// term's root, where the check would first go wrong. Where it says the
// root is above x, min(x, term) must be min(x, bound). It also checks
// that the check said so often, and close to its edge.
func TestStopRootAbove(t *testing.T) {
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	r := rand.New(rand.NewPCG(13, 37))
	above, edge := 0, 0
	for range 300000 {
		p := Params{Accel: 0.5 + 4*r.Float64(), Decel: 0.2 + 12*r.Float64(), MinGap: 5 * r.Float64(), Headway: 0.3 + 3*r.Float64()}
		p.EmergencyDecel = p.Decel * (1 + r.Float64())
		if err := p.Init(); err != nil {
			t.Fatal(err)
		}
		dt := []float64{1, 0.5, 0.25, 0.1}[r.IntN(4)]
		v, vl := 80*r.Float64(), 80*r.Float64()
		switch r.IntN(4) {
		case 0:
			vl = 0
		case 1:
			v = 0
		}
		g := []float64{-3 * r.Float64(), 5 * r.Float64(), 200 * r.Float64(), 5e4 * r.Float64()}[r.IntN(4)]
		term := stopAfterStep(v, vl, g, p.MinGap, p.Decel, p.halfPerDecel, dt)
		root := term
		if qb := dt / 2; true {
			qc := v*dt/2 + p.MinGap - vl*vl/(2*p.Decel) - g
			root = (math.Sqrt(qb*qb-4*p.halfPerDecel*qc) - qb) / (2 * p.halfPerDecel)
		}
		x := []float64{root - 1e-3*r.Float64(), root * (1 - 0.01*r.Float64()), 100*r.Float64() - 20, root}[r.IntN(4)]
		if math.IsNaN(x) {
			x = 0
		}
		if !stopRootAbove(&p, x, v, g, vl, dt) {
			continue
		}
		above++
		qb := dt / 2
		if f := p.halfPerDecel*(x*x-vl*vl) + qb*(x+v) + p.MinGap - g; f > -0.02 {
			edge++
		}
		if got, want := min(x, stopReach(vl, g, p.MinGap, p.Decel, dt)), min(x, term); !same(got, want) {
			t.Fatalf("v %v, vl %v, g %v, dt %v, %+v, x %v: min with the bound %v, with the term %v (root %v)", v, vl, g, dt, p, x, got, want, root)
		}
	}
	if above < 50000 || edge < 100 {
		t.Errorf("the root was above x %d times, %d of them near the edge: the check proves little", above, edge)
	}
}

// TestCityFlowHoldGap checks CityFlowHoldGap against the rule on random
// parameters and steps: a standing follower behind a standing obstacle
// at any gap up to it (the edge itself, one ulp below, the minimum gap,
// random ones, overlaps) gets an acceleration ≤ 0 from CityFlowAccel for
// any desired speed, and one ulp beyond it one above 0 for a desired
// speed above 0 (no wider band would be exact). The band beyond the
// minimum gap must be met often.
func TestCityFlowHoldGap(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 23))
	band := 0
	for range 20000 {
		p := randomParams(t, r, 0)
		dt := []float64{1, 0.5, 0.25, 0.1, 0.2, 0.3}[r.IntN(6)]
		g := CityFlowHoldGap(&p, dt)
		if g < p.MinGap {
			t.Fatalf("%+v, dt %v: hold gap %v below the minimum gap", p, dt, g)
		}
		v0s := []float64{0, 1e-9, 0.1, 40 * r.Float64(), 80}
		for _, gap := range []float64{g, math.Nextafter(g, 0), p.MinGap, g * r.Float64(), -3 * r.Float64()} {
			if gap > p.MinGap {
				band++
			}
			for _, v0 := range v0s {
				if a := CityFlowAccel(&p, 0, gap, 0, v0, dt); !(a <= 0) {
					t.Fatalf("%+v, dt %v, v0 %v: gap %v within the hold gap %v, yet acceleration %v", p, dt, v0, gap, g, a)
				}
			}
		}
		beyond := math.Nextafter(g, math.Inf(1))
		for _, v0 := range v0s[2:] {
			if a := CityFlowAccel(&p, 0, beyond, 0, v0, dt); !(a > 0) {
				t.Fatalf("%+v, dt %v, v0 %v: gap %v one ulp beyond the hold gap %v, yet acceleration %v: the band could be wider", p, dt, v0, beyond, g, a)
			}
		}
	}
	if band < 20000 {
		t.Errorf("only %d gaps beyond the minimum gap: the check proves little", band)
	}
}
