package follow_test

import (
	"math"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine/follow"
)

// car returns the engine's default passenger-car parameters
// (engine/config.go), initialised, with the given δ and σ.
func car(t testing.TB, delta, sigma float64) *follow.Params {
	t.Helper()
	p := &follow.Params{Accel: 2.6, Decel: 4.5, EmergencyDecel: 9, MinGap: 2.5, Headway: 1.0, Delta: delta, Sigma: sigma}
	if err := p.Init(); err != nil {
		t.Fatalf("Init(%+v): %v", *p, err)
	}
	return p
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

var inf = math.Inf(1)

func TestParamsInit(t *testing.T) {
	ok := follow.Params{Accel: 2.6, Decel: 4.5, EmergencyDecel: 9, MinGap: 2.5, Headway: 1}
	if err := ok.Init(); err != nil {
		t.Fatalf("valid params: %v", err)
	}
	if ok.Delta != 4 {
		t.Errorf("default Delta = %g, want 4", ok.Delta)
	}
	keep := ok
	keep.Delta = 2
	if err := keep.Init(); err != nil || keep.Delta != 2 {
		t.Errorf("Delta 2: err %v, Delta %g", err, keep.Delta)
	}
	for _, c := range []struct {
		name string
		edit func(*follow.Params)
	}{
		{"accel 0", func(p *follow.Params) { p.Accel = 0 }},
		{"decel negative", func(p *follow.Params) { p.Decel = -1 }},
		{"emergency below decel", func(p *follow.Params) { p.EmergencyDecel = 4 }},
		{"accel NaN", func(p *follow.Params) { p.Accel = math.NaN() }},
		{"min gap negative", func(p *follow.Params) { p.MinGap = -0.1 }},
		{"headway 0", func(p *follow.Params) { p.Headway = 0 }},
		{"sigma above 1", func(p *follow.Params) { p.Sigma = 1.1 }},
		{"sigma negative", func(p *follow.Params) { p.Sigma = -0.1 }},
		{"delta negative", func(p *follow.Params) { p.Delta = -4 }},
		{"accel +Inf", func(p *follow.Params) { p.Accel = math.Inf(1) }},
		{"decel and emergency +Inf", func(p *follow.Params) { p.Decel, p.EmergencyDecel = math.Inf(1), math.Inf(1) }},
		{"emergency +Inf", func(p *follow.Params) { p.EmergencyDecel = math.Inf(1) }},
		{"min gap +Inf", func(p *follow.Params) { p.MinGap = math.Inf(1) }},
		{"headway +Inf", func(p *follow.Params) { p.Headway = math.Inf(1) }},
		{"delta +Inf", func(p *follow.Params) { p.Delta = math.Inf(1) }},
	} {
		p := follow.Params{Accel: 2.6, Decel: 4.5, EmergencyDecel: 9, MinGap: 2.5, Headway: 1}
		c.edit(&p)
		if err := p.Init(); err == nil {
			t.Errorf("%s: Init accepted %+v", c.name, p)
		}
	}
}

func TestByName(t *testing.T) {
	for _, c := range []struct {
		name string
		want follow.Model // nil: an error
	}{
		{"", follow.IDM{}},
		{"idm", follow.IDM{}},
		{"krauss", follow.Krauss{}},
		{"cityflow", follow.CityFlow{}},
		{"IDM", nil},
		{"cacc", nil},
	} {
		m, err := follow.ByName(c.name)
		switch {
		case c.want == nil && err == nil:
			t.Errorf("ByName(%q) = %T, want an error", c.name, m)
		case c.want != nil && (err != nil || m != c.want):
			t.Errorf("ByName(%q) = %T, %v; want %T", c.name, m, err, c.want)
		}
	}
	_, err := follow.ByName("gipps")
	if want := `follow: unknown model "gipps" (want idm, krauss, cityflow`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ByName(gipps) error %v, want it to start %q", err, want)
	}
}

// IDM on a free road: a·(1 − (v/v0)^δ), the full acceleration from rest, 0
// at the desired speed and braking above it (Treiber et al. 2000, eq. 1).
func TestIDMFreeRoad(t *testing.T) {
	const v0 = 13.9
	for _, delta := range []float64{4, 2, 1.5} {
		p := car(t, delta, 0)
		for _, c := range []struct {
			v    float64
			sign int // of the acceleration
		}{
			{0, 1}, {0.25 * v0, 1}, {0.5 * v0, 1}, {0.9 * v0, 1}, {v0, 0}, {1.2 * v0, -1}, {2 * v0, -1},
		} {
			want := p.Accel * (1 - math.Pow(c.v/v0, delta))
			got := follow.IDMAccel(p, c.v, inf, 0, v0)
			if !near(got, want, 1e-12) {
				t.Errorf("δ=%g v=%g: IDMAccel = %.15g, want a·(1−(v/v0)^δ) = %.15g", delta, c.v, got, want)
			}
			if s := sign(got, 1e-12); s != c.sign {
				t.Errorf("δ=%g v=%g: acceleration %g has sign %d, want %d", delta, c.v, got, s, c.sign)
			}
			// The free road ignores the leader speed argument.
			if g2 := follow.IDMAccel(p, c.v, inf, 25, v0); g2 != got {
				t.Errorf("δ=%g v=%g: free road depends on leader speed: %g vs %g", delta, c.v, g2, got)
			}
		}
		if got := follow.IDMAccel(p, 0, inf, 0, v0); got != p.Accel {
			t.Errorf("δ=%g: acceleration from rest = %g, want exactly a = %g", delta, got, p.Accel)
		}
	}
}

func sign(x, tol float64) int {
	switch {
	case x > tol:
		return 1
	case x < -tol:
		return -1
	}
	return 0
}

// IDM's homogeneous equilibrium: behind a leader at the same speed v the
// acceleration vanishes at s_e(v) = (s0 + vT)/√(1 − (v/v0)^δ); a larger gap
// accelerates, a smaller one brakes.
func TestIDMEquilibrium(t *testing.T) {
	const v0 = 30.0
	for _, delta := range []float64{4, 2} {
		p := car(t, delta, 0)
		for _, v := range []float64{0, 1, 5, 10, 15, 20, 25, 0.95 * v0} {
			se := (p.MinGap + v*p.Headway) / math.Sqrt(1-math.Pow(v/v0, delta))
			if a := follow.IDMAccel(p, v, se, v, v0); math.Abs(a) > 1e-9 {
				t.Errorf("δ=%g v=%g: at the equilibrium gap %.3f m IDMAccel = %g, want 0", delta, v, se, a)
			}
			if a := follow.IDMAccel(p, v, 1.05*se, v, v0); !(a > 0) {
				t.Errorf("δ=%g v=%g: 5%% beyond the equilibrium gap IDMAccel = %g, want > 0", delta, v, a)
			}
			if a := follow.IDMAccel(p, v, 0.95*se, v, v0); !(a < 0) {
				t.Errorf("δ=%g v=%g: 5%% short of the equilibrium gap IDMAccel = %g, want < 0", delta, v, a)
			}
		}
	}
}

// Treiber & Kesting's plausibility conditions, which IDM satisfies: the
// acceleration never falls with a larger gap or a faster leader and never
// rises with the follower's own speed.
func TestIDMMonotone(t *testing.T) {
	p := car(t, 4, 0)
	const v0 = 20.0
	speeds := []float64{0, 0.5, 2, 5, 8, 12, 16, 20, 24}
	gaps := []float64{0, 0.5, 2.5, 5, 10, 20, 40, 80, 160, 1e4, inf}
	const tol = 1e-12
	for _, v := range speeds {
		for _, vl := range speeds {
			for i := 1; i < len(gaps); i++ {
				lo, hi := follow.IDMAccel(p, v, gaps[i-1], vl, v0), follow.IDMAccel(p, v, gaps[i], vl, v0)
				if hi < lo-tol*math.Abs(lo) {
					t.Errorf("v=%g vl=%g: accel falls with the gap: %g at %g m, %g at %g m", v, vl, lo, gaps[i-1], hi, gaps[i])
				}
			}
		}
	}
	for _, gap := range gaps[1:] {
		for i := 1; i < len(speeds); i++ {
			for _, x := range speeds {
				// Faster leader.
				lo, hi := follow.IDMAccel(p, x, gap, speeds[i-1], v0), follow.IDMAccel(p, x, gap, speeds[i], v0)
				if hi < lo-tol*math.Abs(lo) {
					t.Errorf("v=%g gap=%g: accel falls with the leader speed: %g at %g, %g at %g", x, gap, lo, speeds[i-1], hi, speeds[i])
				}
				// Faster follower.
				slow, fast := follow.IDMAccel(p, speeds[i-1], gap, x, v0), follow.IDMAccel(p, speeds[i], gap, x, v0)
				if fast > slow+tol*math.Abs(slow) {
					t.Errorf("vl=%g gap=%g: accel rises with own speed: %g at %g, %g at %g", x, gap, slow, speeds[i-1], fast, speeds[i])
				}
			}
		}
	}
}

// Approaching a stopped leader (or a stop line), IDM brakes; when the
// kinematic deceleration v²/(2s) needed to stop exceeds the comfortable b,
// IDM's "intelligent braking" brakes at least that hard.
func TestIDMBrakesForStoppedLeader(t *testing.T) {
	p := car(t, 4, 0)
	for _, c := range []struct{ v, v0, gap float64 }{
		{13.9, 13.9, 100},
		{13.9, 13.9, 40},
		{13.9, 13.9, 10},
		{10, 13.9, 30},
		{30, 30, 200},
		{30, 30, 80},
		{30, 30, 50},
		{5, 13.9, 3},
		{1, 13.9, 2.6},
	} {
		a := follow.IDMAccel(p, c.v, c.gap, 0, c.v0)
		if !(a < 0) {
			t.Errorf("v=%g gap=%g: IDMAccel = %g behind a stopped leader, want braking", c.v, c.gap, a)
		}
		if bkin := c.v * c.v / (2 * c.gap); bkin > p.Decel && !(a <= -bkin) {
			t.Errorf("v=%g gap=%g: IDMAccel = %g, want at most −v²/(2s) = %g in a critical approach", c.v, c.gap, a, -bkin)
		}
		// The same approach with the leader moving away asks for less braking.
		if a2 := follow.IDMAccel(p, c.v, c.gap, c.v, c.v0); !(a2 > a) {
			t.Errorf("v=%g gap=%g: a moving leader brakes as hard (%g) as a stopped one (%g)", c.v, c.gap, a2, a)
		}
	}
	// Standing s0 behind a stopped leader is IDM's standstill equilibrium;
	// closer than that a standing car is pushed back (the engine clamps
	// speeds at 0).
	if a := follow.IDMAccel(p, 0, p.MinGap, 0, 13.9); math.Abs(a) > 1e-12 {
		t.Errorf("standing s0 behind a stopped leader: IDMAccel = %g, want 0", a)
	}
	if a := follow.IDMAccel(p, 0, 0.9*p.MinGap, 0, 13.9); !(a < 0) {
		t.Errorf("standing closer than s0 to a stopped leader: IDMAccel = %g, want < 0", a)
	}
}

// Driven by IDM alone (ballistic update, 0.1 s), a car approaching a stopped
// obstacle never reaches it and comes to rest about s0 behind it.
func TestIDMStopsBehindObstacle(t *testing.T) {
	p := car(t, 4, 0)
	const dt = 0.1
	for _, c := range []struct{ v, v0, gap float64 }{
		{13.9, 13.9, 200}, {13.9, 13.9, 40}, {30, 30, 300}, {30, 30, 100}, {5, 13.9, 10}, {0, 13.9, 50},
	} {
		v, gap, minGap := c.v, c.gap, c.gap
		for i := 0; i < 1200; i++ {
			a := follow.IDMAccel(p, v, gap, 0, c.v0)
			if math.IsNaN(a) || math.IsInf(a, 0) {
				t.Fatalf("%+v step %d: IDMAccel(v=%g, gap=%g) = %g", c, i, v, gap, a)
			}
			nv := math.Max(0, v+a*dt)
			gap -= (v + nv) / 2 * dt
			v = nv
			minGap = math.Min(minGap, gap)
		}
		if !(minGap > 0) {
			t.Errorf("%+v: collided (min gap %g m)", c, minGap)
		}
		if v > 1e-6 || math.Abs(gap-p.MinGap) > 0.25 {
			t.Errorf("%+v: after 120 s speed %g m/s, gap %g m; want at rest about s0 = %g m behind", c, v, gap, p.MinGap)
		}
	}
}

// IDM never returns NaN or ±Inf, even at a zero or negative gap, at rest,
// with no leader, or with a zero desired speed; nor does IDMStep, which at
// or below the desired speed asks no more than IDMAccel; and the Model
// form is IDMStep.
func TestIDMFinite(t *testing.T) {
	for _, delta := range []float64{4, 2.5} {
		p := car(t, delta, 0)
		for _, v := range []float64{0, 0.1, 10, 40} {
			for _, gap := range []float64{-1, 0, 1e-6, 0.01, 2.5, 50, 1e9, inf} {
				for _, vl := range []float64{0, 10, 60} {
					for _, v0 := range []float64{0, 5, 13.9, 50} {
						a := follow.IDMAccel(p, v, gap, vl, v0)
						if math.IsNaN(a) || math.IsInf(a, 0) {
							t.Errorf("δ=%g IDMAccel(v=%g, gap=%g, vl=%g, v0=%g) = %g", delta, v, gap, vl, v0, a)
						}
						if a > p.Accel {
							t.Errorf("δ=%g IDMAccel(v=%g, gap=%g, vl=%g, v0=%g) = %g above a = %g", delta, v, gap, vl, v0, a, p.Accel)
						}
						st := follow.IDMStep(p, v, gap, vl, v0, 0.5)
						if math.IsNaN(st) || math.IsInf(st, 0) || (v <= v0 && st > a) {
							t.Errorf("δ=%g IDMStep(v=%g, gap=%g, vl=%g, v0=%g, 0.5) = %g, IDMAccel %g", delta, v, gap, vl, v0, st, a)
						}
						m := follow.IDM{}.Accel(p, follow.Situation{Speed: v, Gap: gap, LeaderSpeed: vl, DesiredSpeed: v0, Step: 0.5, Rand: 0.7})
						if m != st {
							t.Errorf("IDM.Accel = %g, IDMStep = %g", m, st)
						}
					}
				}
			}
		}
		if a := follow.IDMAccel(p, 0, 0, 0, 13.9); !(a < -p.EmergencyDecel) {
			t.Errorf("δ=%g: at rest touching a stopped leader IDMAccel = %g, want hard braking", delta, a)
		}
	}
}

func krauss(p *follow.Params, v, gap, vl, v0, dt, rnd float64) float64 {
	return follow.Krauss{}.Accel(p, follow.Situation{Speed: v, Gap: gap, LeaderSpeed: vl, DesiredSpeed: v0, Step: dt, Rand: rnd})
}

// On a free road Krauss (σ = 0) accelerates at a up to the desired speed,
// which it reaches exactly, and returns to it within one step from above.
func TestKraussFreeRoad(t *testing.T) {
	p := car(t, 4, 0)
	for _, c := range []struct{ v, v0, dt, want float64 }{
		{0, 13.9, 1, 2.6},
		{10, 13.9, 1, 2.6},
		{12, 13.9, 1, 1.9},
		{13.9, 13.9, 1, 0},
		{15.9, 13.9, 1, -2},
		{0, 13.9, 0.1, 2.6},
		{13.8, 13.9, 0.1, 1},
		{20, 13.9, 0.5, -12.2},
	} {
		got := krauss(p, c.v, inf, 0, c.v0, c.dt, 0.99)
		if !near(got, c.want, 1e-9) {
			t.Errorf("v=%g v0=%g dt=%g: Krauss = %g, want %g", c.v, c.v0, c.dt, got, c.want)
		}
	}
}

// Krauss's next speed v' = v + a·Δt stays in [0, min(v0, v + a_max·Δt)]
// (or [0, v0] from above v0), whatever the gap, the dawdle or the step.
func TestKraussBounds(t *testing.T) {
	for _, sigma := range []float64{0, 0.5, 1} {
		p := car(t, 4, sigma)
		for _, v := range []float64{0, 3, 10, 14, 20} {
			for _, gap := range []float64{-1, 0, 2.5, 5, 20, 100, inf} {
				for _, vl := range []float64{0, 5, 14, 25} {
					for _, dt := range []float64{0.1, 0.5, 1} {
						for _, rnd := range []float64{0, 0.3, 0.999} {
							const v0 = 13.9
							a := krauss(p, v, gap, vl, v0, dt, rnd)
							next := v + a*dt
							if math.IsNaN(a) || next < -1e-9 || next > v0+1e-9 || (v <= v0 && next > v+p.Accel*dt+1e-9) {
								t.Errorf("σ=%g v=%g gap=%g vl=%g dt=%g ξ=%g: Krauss = %g, next speed %g outside [0, min(v0, v+a·Δt)]", sigma, v, gap, vl, dt, rnd, a, next)
							}
						}
					}
				}
			}
		}
	}
}

// Krauss's safe speed (Krauß 1998): the next speed v' satisfies the
// model's own stopping condition (v' − vl)·(v + vl)/(2b) + v'·τ ≤ g, with
// g = gap − s0. Where v' lies between vl and v (so that using the current
// speed v in the mean speed is conservative) this is the exact condition
// that a follower reacting after τ and braking at b stops s0 behind a leader
// braking at b: v'²/(2b) + v'·τ ≤ g + vl²/(2b).
func TestKraussSafeSpeed(t *testing.T) {
	exact := 0
	for _, sigma := range []float64{0, 0.5} {
		p := car(t, 4, sigma)
		b, tau := p.Decel, p.Headway
		for _, v := range []float64{0, 2, 5, 10, 15, 20, 30} {
			for _, vl := range []float64{0, 2, 5, 10, 15, 20, 30} {
				for _, gap := range []float64{2.5, 3, 5, 10, 20, 40, 80, 200} {
					for _, dt := range []float64{0.5, 1} {
						for _, rnd := range []float64{0, 0.5} {
							next := v + krauss(p, v, gap, vl, 40, dt, rnd)*dt
							g := gap - p.MinGap
							if lhs := (next-vl)*(v+vl)/(2*b) + next*tau; lhs > g+1e-9 {
								t.Errorf("σ=%g v=%g vl=%g gap=%g dt=%g ξ=%g: next speed %g breaks the Krauss condition (%g > %g)", sigma, v, vl, gap, dt, rnd, next, lhs, g)
							}
							if (next-vl)*(next-v) <= 0 {
								exact++
								if lhs, rhs := next*next/(2*b)+next*tau, g+vl*vl/(2*b); lhs > rhs+1e-9 {
									t.Errorf("σ=%g v=%g vl=%g gap=%g dt=%g ξ=%g: next speed %g cannot stop behind a leader braking at b (%g m needed, %g m available)", sigma, v, vl, gap, dt, rnd, next, lhs, rhs)
								}
							}
						}
					}
				}
			}
		}
	}
	if exact < 100 {
		t.Errorf("only %d cases checked the exact stopping condition", exact)
	}
}

// Closed loop: a Krauss follower (Euler update, as in SUMO) that starts
// where it could stop behind its leader, v²/(2b) + v·τ ≤ gap − s0 + vl²/(2b),
// and whose leader then brakes at b to a stop (or that approaches a standing
// queue) never comes closer than s0, and stops.
func TestKraussFollowsBrakingLeader(t *testing.T) {
	for _, c := range []struct {
		name            string
		v, vl, gap, v0  float64
		dt, sigma, seed float64
	}{
		{"urban, at the Krauss equilibrium gap", 13.9, 13.9, 2.5 + 13.9, 13.9, 1, 0, 0},
		{"urban, 0.1 s steps", 13.9, 13.9, 2.5 + 13.9, 13.9, 0.1, 0, 0},
		{"motorway, 0.5 s steps", 30, 30, 2.5 + 30, 33, 0.5, 0, 0},
		{"motorway, slower leader at the stopping gap", 30, 25, 2.5 + 61, 33, 1, 0, 0},
		{"dawdling driver", 20, 20, 2.5 + 20, 25, 1, 0.5, 0.37},
		{"approaching a queue", 30, 0, 300, 30, 1, 0, 0},
		{"approaching a queue, 0.2 s", 13.9, 0, 60, 13.9, 0.2, 0, 0},
		{"approaching a queue, dawdling", 13.9, 0, 60, 13.9, 0.5, 1, 0.61},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := car(t, 4, c.sigma)
			v, vl, gap, rnd := c.v, c.vl, c.gap, c.seed
			minGap := gap
			for i := 0; i < int(120/c.dt); i++ {
				rnd = math.Mod(rnd*7.77+0.1234, 1) // deterministic draws in [0, 1)
				nv := v + krauss(p, v, gap, vl, c.v0, c.dt, rnd)*c.dt
				nvl := math.Max(0, vl-p.Decel*c.dt)
				gap += (nvl - nv) * c.dt
				v, vl = nv, nvl
				minGap = math.Min(minGap, gap)
			}
			if minGap < p.MinGap-1e-6 {
				t.Errorf("came within %g m of the leader, want at least s0 = %g m", minGap, p.MinGap)
			}
			if v > 1e-6 {
				t.Errorf("still moving at %g m/s behind a stopped leader", v)
			}
		})
	}
}

// The dawdle lowers the next speed by σ·a·Δt·ξ: never raises the
// acceleration, grows with σ and with the draw ξ, and vanishes with either.
func TestKraussDawdle(t *testing.T) {
	sigmas := []float64{0, 0.1, 0.3, 0.5, 0.8, 1}
	draws := []float64{0, 0.1, 0.25, 0.5, 0.75, 0.999}
	for _, s := range []struct{ v, gap, vl, v0, dt float64 }{
		{0, inf, 0, 13.9, 1},
		{8, inf, 0, 13.9, 1},
		{13.9, inf, 0, 13.9, 0.5},
		{10, 30, 8, 13.9, 1},
		{10, 12, 0, 13.9, 1},
		{1, 3, 0, 13.9, 1},
	} {
		prevSigma := make([]float64, len(draws))
		for i, sigma := range sigmas {
			p := car(t, 4, sigma)
			base := krauss(p, s.v, s.gap, s.vl, s.v0, s.dt, 0)
			if s0 := krauss(car(t, 4, 0), s.v, s.gap, s.vl, s.v0, s.dt, 0); base != s0 {
				t.Errorf("%+v σ=%g: with ξ=0 accel %g differs from σ=0's %g", s, sigma, base, s0)
			}
			prev := base
			for j, xi := range draws {
				a := krauss(p, s.v, s.gap, s.vl, s.v0, s.dt, xi)
				if a > prev+1e-12 {
					t.Errorf("%+v σ=%g: accel rises with the draw: %g at ξ=%g, %g before", s, sigma, a, xi, prev)
				}
				if i > 0 && a > prevSigma[j]+1e-12 {
					t.Errorf("%+v ξ=%g: accel rises with σ: %g at σ=%g, %g at σ=%g", s, xi, a, sigma, prevSigma[j], sigmas[i-1])
				}
				// Unless clamped at a standstill, the loss is exactly σ·a·ξ (m/s²).
				if want := base - sigma*p.Accel*xi; s.v+want*s.dt > 0 && !near(a, want, 1e-9) {
					t.Errorf("%+v σ=%g ξ=%g: accel %g, want %g − σ·a·ξ = %g", s, sigma, xi, a, base, want)
				}
				if sigma == 0 && a != base {
					t.Errorf("%+v: with σ=0 the draw %g changes the accel (%g vs %g)", s, xi, a, base)
				}
				prev, prevSigma[j] = a, a
			}
		}
	}
	// A free-road driver with σ > 0 and ξ > 0 no longer reaches v0 in a step.
	p := car(t, 4, 0.5)
	if a := krauss(p, 13, inf, 0, 13.9, 1, 0.5); !(13+a < 13.9) {
		t.Errorf("dawdling driver reaches %g m/s, want below v0", 13+a)
	}
}

// capParams is p with IDM's headway replaced by CACC's time gap tc.
func capParams(p *follow.Params, tc float64) *follow.Params {
	q := *p
	q.Headway = tc
	return &q
}

// At CACC's set point, the gap s0 + t_c·v with the leader at the same speed,
// the gap-regulation law asks for nothing. The IDM cap (headway t_c)
// asks for −a·(v/v0)^δ there, so the result is that: ~0 well below v0.
func TestCACCEquilibrium(t *testing.T) {
	p := car(t, 4, 0)
	for _, tc := range []float64{0.6, 1.2} {
		for _, v := range []float64{0, 1, 5, 13.9, 20, 30} {
			gap := p.MinGap + tc*v
			for _, dt := range []float64{0.1, 1} {
				if a := follow.CACCAccel(p, v, gap, v, inf, dt, tc); math.Abs(a) > 1e-9 {
					t.Errorf("tc=%g v=%g dt=%g, no speed limit: CACCAccel at the set point = %g, want 0", tc, v, dt, a)
				}
				if a := follow.CACCAccel(p, v, gap, v, 1000, dt, tc); math.Abs(a) > 1e-5 {
					t.Errorf("tc=%g v=%g dt=%g, v0 = 1000 m/s: CACCAccel at the set point = %g, want ~0", tc, v, dt, a)
				}
				v0 := 33.0
				want := -p.Accel * math.Pow(v/v0, 4)
				if a := follow.CACCAccel(p, v, gap, v, v0, dt, tc); !near(a, want, 1e-9) {
					t.Errorf("tc=%g v=%g dt=%g v0=%g: CACCAccel at the set point = %g, want the IDM cap −a·(v/v0)⁴ = %g", tc, v, dt, v0, a, want)
				}
			}
		}
	}
}

// The gap-regulation law v' = v + k_p·e + k_d·ė (k_p = 0.45, k_d = 0.25),
// bounded by v0, a and the IDM cap, on hand-computed cases (engine car,
// t_c = 0.6 s, so the set point at 10 m/s is 8.5 m).
func TestCACCLaw(t *testing.T) {
	p := car(t, 4, 0)
	for _, c := range []struct {
		name                   string
		v, gap, vl, v0, dt, tc float64
		want                   float64 // NaN: the IDM cap
	}{
		{"1 m long, leader 2 m/s faster", 10, 9.5, 12, 30, 1, 0.6, 0.45*1 + 0.25*2},
		{"2 m short, leader 4 m/s faster", 10, 6.5, 14, 30, 1, 0.6, 0.45*-2 + 0.25*4},
		{"1 m long, same speed, no limit", 10, 9.5, 10, inf, 1, 0.6, 0.45},
		{"1 m long, same speed, 0.5 s step", 10, 9.5, 10, inf, 0.5, 0.6, math.NaN()},
		{"tc 0 means 0.6 s", 10, 9.5, 12, 30, 1, 0, 0.95},
		{"1 m short, same speed: cap binds", 10, 7.5, 10, inf, 1, 0.6, math.NaN()},
		{"at the set point below v0: cap binds", 10, 8.5, 10, 30, 1, 0.6, math.NaN()},
		{"leader 2 m/s slower: cap binds", 10, 9.5, 8, 30, 1, 0.6, math.NaN()},
		{"at v0 with a faster leader: v0 bounds the law", 10, 9.5, 12, 10, 1, 0.6, math.NaN()},
		{"above v0, far behind: back to v0 within the step", 15, 100, 15, 13.9, 0.5, 0.6, (13.9 - 15) / 0.5},
	} {
		want := c.want
		if math.IsNaN(want) {
			tc := c.tc
			if tc == 0 {
				tc = 0.6
			}
			want = follow.IDMAccel(capParams(p, tc), c.v, c.gap, c.vl, c.v0)
			e := c.gap - p.MinGap - tc*c.v
			if law := (math.Min(c.v+0.45*e+0.25*(c.vl-c.v), c.v0) - c.v) / c.dt; !(want < law) {
				t.Fatalf("%s: bad case, the cap %g does not bind (law %g)", c.name, want, law)
			}
		}
		got := follow.CACCAccel(p, c.v, c.gap, c.vl, c.v0, c.dt, c.tc)
		if !near(got, want, 1e-9) {
			t.Errorf("%s: CACCAccel = %.12g, want %.12g", c.name, got, want)
		}
		m := follow.CACC{TimeGap: c.tc}.Accel(p, follow.Situation{Speed: c.v, Gap: c.gap, LeaderSpeed: c.vl, DesiredSpeed: c.v0, Step: c.dt})
		if m != got {
			t.Errorf("%s: CACC.Accel = %g, CACCAccel = %g", c.name, m, got)
		}
	}
}

var (
	caccSpeeds = []float64{0, 1, 5, 10, 13.9, 20, 30}
	caccTimes  = []float64{0.3, 0.6, 1.5}
	caccSteps  = []float64{0.1, 0.5, 1}
)

// CACC is never less cautious than IDM with headway t_c, never above the
// maximum acceleration, and finite, for any leader within 120 m.
func TestCACCNeverAboveIDMCap(t *testing.T) {
	p := car(t, 4, 0)
	for _, tc := range caccTimes {
		q := capParams(p, tc)
		for _, v := range caccSpeeds {
			for _, vl := range caccSpeeds {
				for _, gap := range []float64{0, 0.5, 2.5, 5, 10, 20, 40, 80, 119.9, 120} {
					for _, v0 := range []float64{5, 13.9, 33} {
						for _, dt := range caccSteps {
							a := follow.CACCAccel(p, v, gap, vl, v0, dt, tc)
							idm := follow.IDMAccel(q, v, gap, vl, v0)
							if math.IsNaN(a) || math.IsInf(a, 0) || a > idm+1e-12 || a > p.Accel {
								t.Errorf("tc=%g v=%g gap=%g vl=%g v0=%g dt=%g: CACCAccel = %g, want finite, ≤ IDM(T=tc) = %g and ≤ a = %g", tc, v, gap, vl, v0, dt, a, idm, p.Accel)
							}
						}
					}
				}
			}
		}
	}
}

// Without a leader CACC falls back to IDM's free-road acceleration.
func TestCACCFreeRoad(t *testing.T) {
	p := car(t, 4, 0)
	for _, tc := range append(caccTimes, 0) {
		for _, v := range caccSpeeds {
			for _, v0 := range []float64{0, 5, 13.9, 33} {
				for _, vl := range []float64{0, 20} {
					for _, dt := range caccSteps {
						want := follow.IDMAccel(p, v, inf, 0, v0)
						got := follow.CACCAccel(p, v, inf, vl, v0, dt, tc)
						if got != want {
							t.Errorf("tc=%g v=%g v0=%g vl=%g dt=%g: free-road CACCAccel = %g, want IDM's %g", tc, v, v0, vl, dt, got, want)
						}
						if got > p.Accel {
							t.Errorf("tc=%g v=%g v0=%g: free-road CACCAccel = %g above a", tc, v, v0, got)
						}
					}
				}
			}
		}
	}
}

// The IDM cap must hold for a leader beyond 120 m as well: the doc comment
// and docs/v2x.md say CACC is "never less cautious than IDM with that gap",
// and a car at 30 m/s needs 100 m (at b = 4.5 m/s²) to stop.
func TestCACCFarLeaderNotIgnored(t *testing.T) {
	p := car(t, 4, 0)
	for _, c := range []struct{ v, v0, gap, vl float64 }{
		{13.9, 13.9, 121, 0},
		{30, 30, 121, 0},
		{30, 30, 150, 0},
		{30, 33, 200, 10},
	} {
		const tc = 0.6
		idm := follow.IDMAccel(capParams(p, tc), c.v, c.gap, c.vl, c.v0)
		if a := follow.CACCAccel(p, c.v, c.gap, c.vl, c.v0, 1, tc); a > idm+1e-12 {
			t.Errorf("v=%g v0=%g, leader at %g m doing %g m/s: CACCAccel = %.3f, above IDM(T=tc) = %.3f (the leader beyond 120 m is ignored)", c.v, c.v0, c.gap, c.vl, a, idm)
		}
	}
}
