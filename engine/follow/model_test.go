package follow_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/citytwin/citytwin/engine/follow"
)

// TestIDMStep checks IDM's step limit (IDMStepLimit through IDMStep and
// IDM.Accel) with the default car (a = 2.6 m/s², b = 4.5 m/s², δ = 4):
// from at or below the desired speed a step ends at v0 at most; above it
// on a free road it slows no faster than b and not below v0; behind a
// leader above v0, and whenever IDM asks for less, IDM is kept.
func TestIDMStep(t *testing.T) {
	p := car(t, 4, 0)
	const keep = math.MaxFloat64 // want: IDMAccel itself
	for _, c := range []struct {
		name               string
		v, gap, vl, v0, dt float64 // m/s, m, m/s, m/s, s
		want               float64 // m/s²
	}{
		{"from rest", 0, inf, 0, 13.9, 1, keep},                   // 2.6 < 13.9/1
		{"below v0, IDM would pass it", 4, inf, 0, 5, 1, 1},       // IDM 1.535 > (5−4)/1
		{"below v0, short step", 4, inf, 0, 5, 0.1, keep},         // 1.535 < 1/0.1
		{"at v0", 10, inf, 0, 10, 1, 0},                           // IDM 0, limit 0
		{"zero desired speed at rest", 0, inf, 0, 0, 1, keep},     // IDM −2.6 < 0 (the engine keeps speeds ≥ 0)
		{"just above v0, free", 11, inf, 0, 10, 1, -1},            // IDM −1.207 < −1: ends at v0
		{"far above v0, free", 30, inf, 0, 10, 1, -4.5},           // IDM −208: comfortable b
		{"above v0, free, short step", 11, inf, 0, 10, 0.1, keep}, // −1.207 > max(−10, −4.5)
		{"barely above v0, free", 10.1, inf, 0, 10, 1, -0.1},      // IDM −0.106 < −0.1: ends at v0
		{"below v0, leader far", 4, 1000, 4, 5, 1, 1},             // nearly free: limit binds
		{"below v0, leader close", 10, 5, 0, 13.9, 1, keep},       // IDM brakes hard: kept
		{"above v0, leader", 30, 50, 30, 10, 1, keep},             // not limited behind a leader
	} {
		idm := follow.IDMAccel(p, c.v, c.gap, c.vl, c.v0)
		want := c.want
		if want == keep {
			want = idm
		}
		got := follow.IDMStep(p, c.v, c.gap, c.vl, c.v0, c.dt)
		if !near(got, want, 1e-12) {
			t.Errorf("%s: IDMStep(v=%g, gap=%g, vl=%g, v0=%g, dt=%g) = %.15g, want %.15g (IDMAccel %.15g)", c.name, c.v, c.gap, c.vl, c.v0, c.dt, got, want, idm)
		}
		if l := follow.IDMStepLimit(p, idm, c.v, c.gap, c.v0, c.dt); l != got {
			t.Errorf("%s: IDMStepLimit(IDMAccel) = %g, IDMStep = %g", c.name, l, got)
		}
		s := follow.Situation{Speed: c.v, Gap: c.gap, LeaderSpeed: c.vl, DesiredSpeed: c.v0, Step: c.dt}
		if m := (follow.IDM{}).Accel(p, s); m != got {
			t.Errorf("%s: IDM.Accel = %g, IDMStep = %g", c.name, m, got)
		}
	}
}

// The limit's promises over a range of situations: a step from at or
// below v0 never ends above it; from above it on a free road it ends
// neither below v0 nor slower than b allows; and it never asks more than
// IDM below v0, nor less than IDM above it.
func TestIDMStepBounds(t *testing.T) {
	p := car(t, 4, 0)
	for _, v0 := range []float64{0, 3, 13.9, 30} {
		for _, v := range []float64{0, 1, 2.9, 3, 3.1, 10, 13.8, 13.9, 14, 20, 35} {
			for _, gap := range []float64{0, 3, 20, 100, 1e4, inf} {
				for _, dt := range []float64{0.1, 0.5, 1} {
					idm := follow.IDMAccel(p, v, gap, 0.5*v, v0)
					a := follow.IDMStep(p, v, gap, 0.5*v, v0, dt)
					next := v + a*dt
					switch {
					case v <= v0 && (next > v0+1e-9 || a > idm):
						t.Errorf("v=%g ≤ v0=%g gap=%g dt=%g: IDMStep %g (IDM %g) ends the step at %g", v, v0, gap, dt, a, idm, next)
					case v > v0 && math.IsInf(gap, 1) && (next < v0-1e-9 || a < -p.Decel-1e-12 || a < idm):
						t.Errorf("v=%g > v0=%g free dt=%g: IDMStep %g (IDM %g) ends the step at %g", v, v0, dt, a, idm, next)
					case v > v0 && !math.IsInf(gap, 1) && a != idm:
						t.Errorf("v=%g > v0=%g gap=%g: IDMStep %g, want IDM's %g behind a leader", v, v0, gap, a, idm)
					}
				}
			}
		}
	}
}

// TestRegistry: the built-in models come first in Names, in that order,
// and Register refuses a taken or empty name and a nil model (the model
// of example_register_test.go is registered once, at init).
func TestRegistry(t *testing.T) {
	names := follow.Names()
	if len(names) < 3 || !slices.Equal(names[:3], []string{"idm", "krauss", "cityflow"}) {
		t.Errorf("Names() = %v, want idm, krauss, cityflow first", names)
	}
	if !slices.Contains(names, "cruise") {
		t.Errorf("Names() = %v lacks the example's registered model", names)
	}
	for _, c := range []struct {
		name string
		m    follow.Model
	}{
		{"idm", follow.Krauss{}},
		{"cruise", follow.IDM{}},
		{"", follow.IDM{}},
		{"nil", nil},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q, %v) did not panic", c.name, c.m)
				}
			}()
			follow.Register(c.name, c.m)
		}()
	}
	if got := follow.Names(); !slices.Equal(got, names) {
		t.Errorf("refused registrations changed Names: %v, was %v", got, names)
	}
}

// UsesRand: only Krauss among the built-ins draws on Situation.Rand.
func TestUsesRand(t *testing.T) {
	for _, c := range []struct {
		m    follow.Model
		want bool
	}{
		{follow.IDM{}, false},
		{follow.Krauss{}, true},
		{follow.CityFlow{}, false},
		{follow.CACC{}, false},
	} {
		if got := follow.UsesRand(c.m); got != c.want {
			t.Errorf("UsesRand(%T) = %v, want %v", c.m, got, c.want)
		}
	}
}

// TestHoldsStill checks the Holding bound of every model that claims it:
// at speed 0 behind a standing leader (or stop point) at most MinGap
// ahead, the acceleration is never positive, over random parameters,
// desired speeds, steps and gaps (negative gaps included: a vehicle
// beside a merging one). It also checks that the bound is not vacuous:
// a little beyond MinGap the same vehicles do move off, and that the
// claim is made where it is expected (IDM needs MinGap ≥ 0.01 m, its
// gap floor; Krauss, whose draw can hold a vehicle or not, makes none).
func TestHoldsStill(t *testing.T) {
	for _, c := range []struct {
		m    follow.Model
		p    follow.Params
		want bool
	}{
		{follow.IDM{}, follow.Params{MinGap: 2.5}, true},
		{follow.IDM{}, follow.Params{MinGap: 0.005}, false},
		{follow.CityFlow{}, follow.Params{MinGap: 0}, true},
		{follow.Krauss{}, follow.Params{MinGap: 2.5}, false},
		{follow.CACC{}, follow.Params{MinGap: 2.5}, false},
	} {
		if got := follow.HoldsStill(c.m, &c.p); got != c.want {
			t.Errorf("HoldsStill(%T, min gap %g) = %v, want %v", c.m, c.p.MinGap, got, c.want)
		}
	}
	r := rand.New(rand.NewPCG(19, 7))
	for _, name := range follow.Names() {
		m, err := follow.ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		moved := 0
		for range 20000 {
			p := follow.Params{
				Accel: 0.5 + 4*r.Float64(), Decel: 1 + 4*r.Float64(), MinGap: 0.01 + 5*r.Float64(),
				Headway: 0.5 + 2*r.Float64(), Delta: []float64{4, 4, 2, 1.5}[r.IntN(4)],
			}
			p.EmergencyDecel = p.Decel * (1 + r.Float64())
			if err := p.Init(); err != nil {
				t.Fatal(err)
			}
			if !follow.HoldsStill(m, &p) {
				continue
			}
			gap := p.MinGap * (2*r.Float64() - 1)
			switch r.IntN(4) {
			case 0:
				gap = p.MinGap // the edge itself
			case 1:
				gap = -3 * r.Float64()
			}
			s := follow.Situation{Gap: gap, DesiredSpeed: 0.5 + 40*r.Float64(), Step: []float64{0.1, 0.25, 0.5, 1}[r.IntN(4)]}
			if a := m.Accel(&p, s); !(a <= 0) {
				t.Fatalf("%s holds still but accelerates at %g m/s² from standing at gap %g m ≤ min gap %g m (%+v)", name, a, gap, p.MinGap, p)
			}
			s.Gap = p.MinGap + 1
			if m.Accel(&p, s) > 0 {
				moved++
			}
		}
		if (name == "idm" || name == "cityflow") && moved == 0 {
			t.Errorf("%s: no standing vehicle moves off 1 m beyond its min gap: the check above is vacuous", name)
		}
	}
}

// TestPerStep checks that PerStep gives the bits of the division it
// stands for, for the usual steps and special values.
func TestPerStep(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 1, -2.5, 1e-300, -1e300, math.Inf(1), math.Inf(-1), 0.1, 13.37}
	for _, dt := range []float64{1, 0.5, 0.25, 0.1, 0.2, 0.3} {
		for _, x := range xs {
			if got, want := follow.PerStep(x, dt), x/dt; math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("PerStep(%v, %v) = %v, want %v", x, dt, got, want)
			}
		}
	}
}
