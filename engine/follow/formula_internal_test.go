package follow

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFormulasWrittenOut compares stopAfterStep with its formula written
// out in full, bit for bit, over random situations with many standing
// vehicles and standing leaders (±0): it skips a division whose value it
// knows there (a standing leader's braking distance).
func TestFormulasWrittenOut(t *testing.T) {
	stop := func(v, vl, g, m, d, dt float64) float64 {
		qa := float64(0.5 / d)
		qb := float64(dt / 2)
		qc := float64(v*dt/2) + m - float64(vl*vl/(2*d)) - g
		disc := float64(qb*qb) - float64(4*qa*qc)
		if disc < 0 {
			return math.Inf(-1)
		}
		root := (math.Sqrt(disc) - qb) / (2 * qa)
		reach := float64(2*vl) - float64(d*dt) + float64(2*(g-m)/dt)
		return min(root, reach)
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	r := rand.New(rand.NewPCG(5, 23))
	for range 100000 {
		p := Params{Accel: 0.5 + 4*r.Float64(), Decel: 0.5 + 8*r.Float64(), MinGap: 5 * r.Float64(), Headway: 0.3 + 3*r.Float64()}
		p.EmergencyDecel = p.Decel * (1 + r.Float64())
		if r.IntN(8) == 0 {
			p.MinGap = math.Copysign(0, -1)
		}
		if err := p.Init(); err != nil {
			t.Fatal(err)
		}
		v, vl := standingOrMoving(r), standingOrMoving(r)
		gap := []float64{math.Inf(1), -2 * r.Float64(), 100 * r.Float64()}[r.IntN(3)]
		dt := []float64{1, 0.5, 0.1}[r.IntN(3)]
		m := []float64{0, p.MinGap}[r.IntN(2)]
		if got, want := stopAfterStep(v, vl, gap, m, p.Decel, p.halfPerDecel, dt), stop(v, vl, gap, m, p.Decel, dt); !same(got, want) {
			t.Fatalf("stopAfterStep(%v, vl %v, gap %v, m %v, d %v, dt %v) = %v, written out %v", v, vl, gap, m, p.Decel, dt, got, want)
		}
	}
}

// TestStopAfterStepMargin checks what lets CityFlowAccel leave out the
// emergency stop term when EmergencyDecel = Decel: for the same
// deceleration, stopAfterStep with the margin s0 ≥ 0 is never above it
// with no margin, in the order min takes (−0 below +0), over random
// situations with standing vehicles (±0), negative and large gaps.
func TestStopAfterStepMargin(t *testing.T) {
	atMost := func(a, b float64) bool { return a < b || a == b && !(math.Signbit(b) && !math.Signbit(a)) }
	r := rand.New(rand.NewPCG(7, 29))
	below := 0
	for range 200000 {
		d := 0.5 + 8*r.Float64()
		s0 := []float64{5 * r.Float64(), 0, math.Copysign(0, -1)}[r.IntN(3)]
		v, vl := standingOrMoving(r), standingOrMoving(r)
		g := []float64{-2 * r.Float64(), 100 * r.Float64(), 1e4 * r.Float64(), s0}[r.IntN(4)]
		dt := []float64{1, 0.5, 0.1}[r.IntN(3)]
		qa := float64(0.5 / d)
		none, with := stopAfterStep(v, vl, g, 0, d, qa, dt), stopAfterStep(v, vl, g, s0, d, qa, dt)
		if !atMost(with, none) {
			t.Fatalf("v %v, vl %v, g %v, d %v, dt %v: with the margin %v %v, without %v", v, vl, g, d, dt, s0, with, none)
		}
		if with < none {
			below++
		}
	}
	if below < 50000 {
		t.Errorf("the margin lowered the term %d times: the check proves little", below)
	}
}

// TestIDMStepWrittenOut compares IDMStep (and IDMAccel) with IDM's
// acceleration and step limit written out in full, bit for bit, over
// random situations: free roads, standing vehicles and leaders, gaps
// below the 0.01 m floor, speeds above the desired speed, δ = 4 and not.
func TestIDMStepWrittenOut(t *testing.T) {
	accel := func(p *Params, v, gap, vl, v0 float64) float64 {
		free := -1.0
		if v0 > 0 {
			free = 1 - math.Pow(v/v0, p.Delta)
			if p.Delta == 4 {
				r := float64(v/v0) * float64(v/v0)
				free = 1 - float64(r*r)
			}
		}
		if math.IsInf(gap, 1) {
			return p.Accel * free
		}
		ss := p.MinGap + max(0, float64(v*p.Headway)+float64(v*(v-vl)/(2*math.Sqrt(p.Accel*p.Decel))))
		q := ss / max(gap, 0.01)
		return p.Accel * (free - float64(q*q))
	}
	step := func(p *Params, a, v, gap, v0, dt float64) float64 {
		switch {
		case v <= v0:
			return min(a, (v0-v)/dt)
		case math.IsInf(gap, 1):
			return max(a, (v0-v)/dt, -p.Decel)
		}
		return a
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	r := rand.New(rand.NewPCG(17, 43))
	for range 100000 {
		p := Params{Accel: 0.5 + 4*r.Float64(), Decel: 0.5 + 8*r.Float64(), MinGap: 0.01 + 5*r.Float64(), Headway: 0.3 + 3*r.Float64()}
		p.EmergencyDecel = p.Decel * (1 + r.Float64())
		if r.IntN(4) == 0 {
			p.Delta = 1 + 4*r.Float64()
		}
		if err := p.Init(); err != nil {
			t.Fatal(err)
		}
		v0 := []float64{0, 30 * r.Float64()}[min(r.IntN(8), 1)]
		v, vl := 35*r.Float64(), 35*r.Float64()
		switch r.IntN(4) {
		case 0:
			v = 0
		case 1:
			vl = 0
		}
		gap := []float64{math.Inf(1), 0.01 * r.Float64(), 100 * r.Float64()}[r.IntN(3)]
		dt := []float64{1, 0.5, 0.1}[r.IntN(3)]
		if p.Delta != 4 {
			// Pow's last bits are the engine's own (detmath); only δ = 4 is
			// written out exactly: compare the rest with a tolerance.
			if got, want := IDMAccel(&p, v, gap, vl, v0), accel(&p, v, gap, vl, v0); math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
				t.Fatalf("δ %v: IDMAccel(v %v, gap %v, vl %v, v0 %v) = %v, written out %v", p.Delta, v, gap, vl, v0, got, want)
			}
			continue
		}
		want := accel(&p, v, gap, vl, v0)
		if got := IDMAccel(&p, v, gap, vl, v0); !same(got, want) {
			t.Fatalf("IDMAccel(%+v, v %v, gap %v, vl %v, v0 %v) = %v, written out %v", p, v, gap, vl, v0, got, want)
		}
		if got, want := IDMStep(&p, v, gap, vl, v0, dt), step(&p, want, v, gap, v0, dt); !same(got, want) {
			t.Fatalf("IDMStep(%+v, v %v, gap %v, vl %v, v0 %v, dt %v) = %v, written out %v", p, v, gap, vl, v0, dt, got, want)
		}
	}
}

// TestStandingLeaderGap checks what lets the engine leave out a standing
// obstacle's constraint behind a standing leader no farther away
// (engine leaderCovers): behind a standing leader, IDMStep and
// CityFlowAccel never ask less for a larger gap, as computed, in the
// order min takes (−0 below +0), over random parameters and situations
// with gaps from below IDM's 0.01 m floor to beyond CityFlow's free gap,
// equal gaps included. It also checks that the same does not hold for a
// moving leader (the check can fail).
func TestStandingLeaderGap(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 47))
	moving := 0
	for range 200000 {
		p := randomParams(t, r, 0.01)
		dt := []float64{1, 0.5, 0.1}[r.IntN(3)]
		v0 := 30 * r.Float64()
		v := []float64{0, 35 * r.Float64(), v0}[r.IntN(3)]
		g1 := []float64{0.01 * r.Float64(), 10 * r.Float64(), 100 * r.Float64(), -r.Float64()}[r.IntN(4)]
		g2 := g1 + []float64{0, 1e-9, 0.5 * r.Float64(), 50 * r.Float64()}[r.IntN(4)]
		models := []struct {
			name string
			f    func(g, vl float64) float64
		}{
			{"IDMStep", func(g, vl float64) float64 { return IDMStep(&p, v, g, vl, v0, dt) }},
			{"CityFlowAccel", func(g, vl float64) float64 { return CityFlowAccel(&p, v, g, vl, v0, dt) }},
		}
		for _, m := range models {
			if near, far := m.f(g1, 0), m.f(g2, 0); !atLeastInMinOrder(far, near) {
				t.Fatalf("%s(v %v, v0 %v, dt %v, %+v): %v at the gap %v to a standing leader, %v at %v", m.name, v, v0, dt, p, near, g1, far, g2)
			}
			if !atLeastInMinOrder(m.f(g2, 0), m.f(g1, 1)) {
				moving++
			}
		}
	}
	if moving == 0 {
		t.Errorf("a leader at 1 m/s never asked less than a standing one farther away: the check proves little")
	}
}

// TestFreeTops checks what lets the engine leave out the free-road term
// of a first vehicle whose stop line the model is asked about next
// (engine constraints): IDMStep and CityFlowAccel never ask more for a
// leader or a stop point at any finite gap than for the free road (gap
// +Inf), as computed, in the order min takes (−0 below +0), over random
// parameters and situations, speeds above the desired speed included.
func TestFreeTops(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 53))
	for range 200000 {
		p := randomParams(t, r, 0)
		dt := []float64{1, 0.5, 0.1}[r.IntN(3)]
		v0 := 30 * r.Float64()
		v := []float64{0, 35 * r.Float64(), v0}[r.IntN(3)]
		vl := []float64{0, 35 * r.Float64()}[r.IntN(2)]
		g := []float64{0.01 * r.Float64(), 10 * r.Float64(), 1000 * r.Float64(), -r.Float64()}[r.IntN(4)]
		inf := math.Inf(1)
		if free, ahead := IDMStep(&p, v, inf, 0, v0, dt), IDMStep(&p, v, g, vl, v0, dt); !atLeastInMinOrder(free, ahead) {
			t.Fatalf("IDMStep(v %v, v0 %v, dt %v, %+v): %v on the free road, %v at %v behind %v m/s", v, v0, dt, p, free, ahead, g, vl)
		}
		if free, ahead := CityFlowAccel(&p, v, inf, 0, v0, dt), CityFlowAccel(&p, v, g, vl, v0, dt); !atLeastInMinOrder(free, ahead) {
			t.Fatalf("CityFlowAccel(v %v, v0 %v, dt %v, %+v): %v on the free road, %v at %v behind %v m/s", v, v0, dt, p, free, ahead, g, vl)
		}
	}
}

// atLeastInMinOrder reports whether a ≥ b in the order min takes: as
// values, and −0 below +0.
func atLeastInMinOrder(a, b float64) bool {
	return a > b || a == b && !(math.Signbit(a) && !math.Signbit(b))
}

// randomParams draws car-following parameters for the model-property
// tests: minimum gap from minGap0 to minGap0 + 5 m, an emergency
// deceleration up to twice the comfortable one (equal to it in a quarter
// of the draws, as on the CityFlow datasets), and IDM's exponent δ drawn
// from [1, 5) in an eighth of them (4 otherwise).
func randomParams(t *testing.T, r *rand.Rand, minGap0 float64) Params {
	t.Helper()
	p := Params{Accel: 0.5 + 4*r.Float64(), Decel: 0.5 + 8*r.Float64(), MinGap: minGap0 + 5*r.Float64(), Headway: 0.3 + 3*r.Float64()}
	p.EmergencyDecel = p.Decel * (1 + r.Float64())
	if r.IntN(4) == 0 {
		p.EmergencyDecel = p.Decel
	}
	if r.IntN(8) == 0 {
		p.Delta = 1 + 4*r.Float64()
	}
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	return p
}

// standingOrMoving draws a speed (m/s) for the stop-term tests: +0 or −0
// (a standing vehicle, as the engine's speeds may be) a quarter of the
// time each, else uniform in [0, 30).
func standingOrMoving(r *rand.Rand) float64 {
	switch r.IntN(4) {
	case 0:
		return 0
	case 1:
		return math.Copysign(0, -1)
	}
	return 30 * r.Float64()
}

// TestIDM4Step compares IDM4Step with IDMStep (idm), bit for bit, for δ = 4
// over edge and random situations: no desired speed, a free road, gaps at
// and below the floor, leaders faster and slower, speeds above the desired
// speed, steps of 1 s and others.
func TestIDM4Step(t *testing.T) {
	p := &Params{Accel: 2.6, Decel: 4.5, EmergencyDecel: 9, MinGap: 2.5, Headway: 1.0}
	if err := p.Init(); err != nil || !p.Delta4() {
		t.Fatalf("Init: %v, delta4 %v", err, p.Delta4())
	}
	inf, nz := math.Inf(1), math.Copysign(0, -1)
	speeds := []float64{0, nz, 1e-300, 0.1, 5, 13.89, 13.9, 30, 50}
	gaps := []float64{-1, nz, 0, 0.005, 0.01, 2.5, 40, 1e9, math.MaxFloat64, inf}
	steps := []float64{0.1, 0.5, 1}
	check := func(v, gap, vl, v0, dt float64) {
		if got, want := IDM4Step(p, v, gap, vl, v0, dt), IDMStep(p, v, gap, vl, v0, dt); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("IDM4Step(v=%g, gap=%g, vl=%g, v0=%g, dt=%g) = %g, IDMStep %g", v, gap, vl, v0, dt, got, want)
		}
	}
	for _, v := range speeds {
		for _, gap := range gaps {
			for _, vl := range speeds {
				for _, v0 := range append([]float64{-1}, speeds...) {
					for _, dt := range steps {
						check(v, gap, vl, v0, dt)
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(4, 4))
	for range 200000 {
		check(r.Float64()*40, r.Float64()*100-1, r.Float64()*40, r.Float64()*40, steps[r.IntN(len(steps))])
	}
}
