package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/internal/fminmax"
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
	speed := func() float64 { return tieSpeed(rng) }
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

// TestOwnBound checks ownBound, which noGain relies on to rule out a lane
// whose own term a'_c − a_c is above 0: on random situations (speeds at,
// below and above the desired speed, gaps under the floor, ties and
// neighbouring gap ratios, δ = 4 and other exponents, step lengths of
// 1, 0.5 and 0.1 s) and a table of edge cases, the own term as mobilOwn
// computes it (follow.IDMStep behind the new leader minus behind the
// leader) is at most ownBound's, wherever the gap ratio behind the new
// leader is the smaller; and ownBound tells (is finite) in most cases
// it may. It fails when ownBound drops its margin, returning a·(u − u')
// or M (tried), or its test of v ≤ v0 or of δ = 4 (tried).
func TestOwnBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 5))
	type situation struct {
		p              follow.Params
		v, v0          float64
		gn, vn, gl, vl float64 // gap and speed of the new leader, the leader
	}
	car := DefaultCar().Follow
	table := []situation{
		{car, 10, 13.9, 30, 12, 20, 10},
		{car, 13.9, 13.9, 30, 14, 29.9, 14},
		{car, 0, 13.9, 5, 0, 4, 0},
		{car, 0, 0, 5, 0, 4, 0},          // v0 = 0: F = −1
		{car, 14, 13.9, 30, 12, 20, 10},  // above v0: cannot tell
		{car, 5, 13.9, 1e-3, 6, 1e-4, 6}, // gaps under the floor
		{car, 5, 13.9, 1e300, 6, 3, 6},   // a leader far away
		{car, 30, 31, 0.011, 0, 0.01, 0}, // huge ratios
		{follow.Params{Accel: 0x1p-899, Decel: 1, EmergencyDecel: 1, MinGap: 2, Headway: 1}, 3, 10, 20, 3, 10, 3},
		{follow.Params{Accel: 1e-300, Decel: 1, EmergencyDecel: 1, MinGap: 2, Headway: 1}, 3, 10, 20, 3, 10, 3},
		{follow.Params{Accel: 2, Decel: 3, EmergencyDecel: 9, MinGap: 0, Headway: 0.5, Delta: 3}, 8, 10, 20, 9, 15, 8},
	}
	speed := func() float64 { return tieSpeed(rng) }
	gap := func() float64 {
		switch rng.IntN(6) {
		case 0:
			return 0.01 * rng.Float64() // under the floor
		case 1:
			return float64(rng.IntN(60))
		}
		return 80 * rng.Float64()
	}
	for range 300000 {
		p := follow.Params{Accel: 0.2 + 4*rng.Float64(), Decel: 1 + 8*rng.Float64(), MinGap: 3 * rng.Float64(), Headway: 0.3 + 2*rng.Float64()}
		p.EmergencyDecel = p.Decel
		if rng.IntN(4) == 0 {
			p.Delta = 1 + 5*rng.Float64()
		}
		x := situation{p: p, v: speed(), v0: 1 + 30*rng.Float64(), gn: gap(), vn: speed(), gl: gap(), vl: speed()}
		switch rng.IntN(6) {
		case 0:
			x.v0 = x.v // at the desired speed
		case 1:
			x.gn, x.vn = math.Nextafter(x.gl, math.Inf(1)), x.vl // the next gap up
		case 2:
			x.vn = math.Nextafter(x.vl, math.Inf(1)) // the next speed up
		}
		table = append(table, x)
	}
	told, may := 0, 0
	for k := range table {
		x := &table[k]
		p := &x.p
		if err := p.Init(); err != nil {
			t.Fatal(err)
		}
		qn, ql := idmQ(p, x.v, x.gn, x.vn), idmQ(p, x.v, x.gl, x.vl)
		if !(qn < ql) {
			continue
		}
		bound := ownBound(p, x.v, x.v0, qn, ql)
		if x.v <= x.v0 && p.Delta == 4 && p.Accel >= 0x1p-900 {
			may++
			if !math.IsInf(bound, 1) {
				told++
			}
		}
		for _, dt := range []float64{1, 0.5, 0.1} {
			own := follow.IDMStep(p, x.v, x.gn, x.vn, x.v0, dt) - follow.IDMStep(p, x.v, x.gl, x.vl, x.v0, dt)
			if !(own <= bound) {
				t.Fatalf("case %d, step %g s: %+v: own term %v above ownBound's %v (q %v behind the new leader, %v behind the leader)", k, dt, *x, own, bound, qn, ql)
			}
		}
	}
	if told < may*9/10 {
		t.Errorf("ownBound tells in %d of %d cases it may", told, may)
	}
}

// TestOldBound checks oldBound, which noGain asks before oldTerms: on
// random situations (an old follower at, below and above its desired
// speed, ties and neighbouring gaps, δ = 4 and other exponents, several
// politeness factors and step lengths), wherever it tells, its bound is
// at least the old follower's term mobilOld.term finds from oldTerms'
// accelerations; and it tells in most cases with an IDM follower of
// δ = 4 at or below its desired speed. It fails when oldBound takes the
// term as ≤ 0 wherever the ratio behind the leader is the smaller
// (its test turned round) or hands ownBound the two ratios the other way
// round (tried).
func TestOldBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 3))
	told, may := 0, 0
	for k := range 300000 {
		vt := DefaultCar()
		f := &vt.Follow
		f.Accel, f.Decel, f.MinGap, f.Headway = 0.2+4*rng.Float64(), 1+8*rng.Float64(), 3*rng.Float64(), 0.3+2*rng.Float64()
		f.EmergencyDecel = f.Decel
		if rng.IntN(4) == 0 {
			f.Delta = 1 + 5*rng.Float64()
		}
		if err := f.Init(); err != nil {
			t.Fatal(err)
		}
		vt.direct = directFor(vt.Model)
		s := &Sim{vtypes: []VType{vt}, dt: []float64{1, 0.5, 0.1}[rng.IntN(3)]}
		s.cfg.Politeness = []float64{0, 0.2, 0.5, 1, rng.Float64()}[rng.IntN(5)]
		seg := &segment{length: 500, speed: 5 + 20*rng.Float64()}
		// Leader, car and old follower, front to back, 5 m long.
		pos := 400 * rng.Float64()
		for j := range 3 {
			c := car{pos: pos, speed: 30 * rng.Float64(), id: int32(j), length: 5, factor: float32(0.8 + 0.4*rng.Float64())}
			if rng.IntN(5) == 0 {
				c.speed = 0
			}
			seg.cars = append(seg.cars, c)
			pos -= 5 + []float64{0.01 * rng.Float64(), 60 * rng.Float64(), 3 * rng.Float64()}[rng.IntN(3)]
		}
		o := &seg.cars[2]
		switch rng.IntN(4) {
		case 0:
			o.speed = vt.desired(seg.speed, o.factor) // at its desired speed
		case 1: // the same gap behind both: the car as long as the leader
			seg.cars[1].speed = seg.cars[0].speed
			seg.cars[1].pos = math.Nextafter(seg.cars[1].pos, math.Inf(1))
		}
		bound, ok := s.oldBound(seg, 1)
		if f.Delta == 4 && o.speed <= vt.desired(seg.speed, o.factor) {
			may++
			if ok {
				told++
			}
		}
		var old mobilOld
		s.oldTerms(seg, 1, &old)
		if term := old.term(s.cfg.Politeness); ok && !(term <= bound) {
			t.Fatalf("case %d: %+v, politeness %g, step %g s, cars %+v: old follower's term %v above oldBound's %v", k, *f, s.cfg.Politeness, s.dt, seg.cars, term, bound)
		}
	}
	if told < may*9/10 {
		t.Errorf("oldBound tells in %d of %d cases it may", told, may)
	}
}

// TestIdmQFloor checks idmQ's floor of the gap against fminmax.Max(gap,
// 0.01), follow.IDMStep's, on the edge cases: the same q to the bit, or
// a NaN for both. It fails when idmQ's floor passes a NaN gap over
// (tried).
func TestIdmQFloor(t *testing.T) {
	p := DefaultCar().Follow
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	for _, gap := range []float64{math.NaN(), math.Inf(-1), -1, math.Copysign(0, -1), 0, 0.005, math.Nextafter(0.01, 0), 0.01, math.Nextafter(0.01, 1), 1, 80, math.MaxFloat64, math.Inf(1)} {
		for _, v := range []float64{0, 7, 30} {
			got := idmQ(&p, v, gap, 5)
			ss := p.MinGap + fminmax.Pos(float64(v*p.Headway)+float64(v*(v-5)/p.TwoSqrtAB()))
			want := ss / fminmax.Max(gap, 0.01)
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("gap %v, v %v: idmQ %v, with fminmax.Max %v", gap, v, got, want)
			}
		}
	}
}

// tieSpeed draws a speed (m/s) for the gap-ratio tests: 0, a whole
// number below 30 (ties between vehicles) or one spread over [0, 30).
func tieSpeed(rng *rand.Rand) float64 {
	switch rng.IntN(4) {
	case 0:
		return 0
	case 1:
		return float64(rng.IntN(30))
	}
	return 30 * rng.Float64()
}
