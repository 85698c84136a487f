package follow_test

import (
	"math"
	"testing"

	"github.com/citytwin/citytwin/engine/follow"
)

// cfCar returns the vehicle of the CityFlow benchmark flow files (length
// 5 m, maxPosAcc 2, usualNegAcc = maxNegAcc 4.5 m/s², minGap 2.5 m,
// headwayTime 2 s), initialised.
func cfCar(t testing.TB) *follow.Params {
	t.Helper()
	p := &follow.Params{Accel: 2, Decel: 4.5, EmergencyDecel: 4.5, MinGap: 2.5, Headway: 2}
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	return p
}

// Without a leader CityFlow's vehicles reach v + a·Δt, capped by the
// desired speed: the full acceleration until v0, then none.
func TestCityFlowFreeRoad(t *testing.T) {
	p := cfCar(t)
	for _, c := range []struct{ v, v0, dt, want float64 }{
		{0, 11.111, 1, 2},
		{10, 11.111, 1, 1.111},
		{11.111, 11.111, 1, 0},
		{5, 11.111, 0.5, 2},
		{13, 11.111, 1, -1.889},
	} {
		if got := follow.CityFlowAccel(p, c.v, math.Inf(1), 0, c.v0, c.dt); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("v=%g v0=%g Δt=%g: accel %g, want %g", c.v, c.v0, c.dt, got, c.want)
		}
	}
}

// The headway term holds a follower at the leader's speed v a time gap T
// behind it, g = v·T (the rule's steady state, where neither stopping
// bound is tighter), and a standing follower stays behind a standing
// leader until the gap exceeds s0 by more than d·Δt²/2: the bound on
// reaching the leader assumes it brakes during the step.
func TestCityFlowEquilibrium(t *testing.T) {
	p := cfCar(t)
	const v0 = 20
	for _, v := range []float64{5, 8, 11} {
		if a := follow.CityFlowAccel(p, v, v*p.Headway, v, v0, 1); math.Abs(a) > 1e-9 {
			t.Errorf("v=%g at the gap v·T = %g m: accel %g, want 0", v, v*p.Headway, a)
		}
		if a := follow.CityFlowAccel(p, v, 1.1*v*p.Headway, v, v0, 1); !(a > 0) {
			t.Errorf("v=%g 10 %% beyond v·T: accel %g, want > 0", v, a)
		}
		if a := follow.CityFlowAccel(p, v, 0.9*v*p.Headway, v, v0, 1); !(a < 0) {
			t.Errorf("v=%g 10 %% short of v·T: accel %g, want < 0", v, a)
		}
	}
	for _, c := range []struct {
		gap   float64
		moves bool
	}{{p.MinGap, false}, {p.MinGap + 2, false}, {p.MinGap + 3, true}} {
		a := follow.CityFlowAccel(p, 0, c.gap, 0, v0, 1)
		if (a > 0) != c.moves {
			t.Errorf("standing %g m behind a standing leader: accel %g, want moving %v", c.gap, a, c.moves)
		}
	}
}

// Collision-free with the ballistic update: behind a leader that brakes as
// hard as it can to a stop, the follower — whatever it starts from —
// never reaches it, and ends up standing.
func TestCityFlowFollowsBrakingLeader(t *testing.T) {
	p := cfCar(t)
	for _, c := range []struct {
		name       string
		v, vl, gap float64
		dt         float64
	}{
		{"steady at v·T", 11, 11, 22, 1},
		{"steady at v·T, 0.2 s", 11, 11, 22, 0.2},
		{"closing in", 11.111, 5, 15, 1},
		{"approaching a queue", 11.111, 0, 40, 1},
		{"tight, 0.5 s", 8, 8, 10, 0.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, vl, gap := c.v, c.vl, c.gap
			least := gap
			for range int(60 / c.dt) {
				nv := max(0, v+follow.CityFlowAccel(p, v, gap, vl, 11.111, c.dt)*c.dt, v-p.EmergencyDecel*c.dt)
				nvl := max(0, vl-p.EmergencyDecel*c.dt)
				gap += (vl+nvl)/2*c.dt - (v+nv)/2*c.dt
				v, vl = nv, nvl
				least = min(least, gap)
			}
			if least < -1e-9 {
				t.Errorf("ran into the leader: least gap %g m", least)
			}
			if v > 1e-6 {
				t.Errorf("still moving at %g m/s behind a stopped leader", v)
			}
		})
	}
}

// The rule never asks for more than the free acceleration and never less
// than the answer with a closer or slower leader (monotone in the gap and
// the leader's speed).
func TestCityFlowMonotone(t *testing.T) {
	p := cfCar(t)
	speeds := []float64{0, 1, 3, 6, 9, 11}
	gaps := []float64{0, 1, 2.5, 5, 10, 20, 40, 80}
	for _, v := range speeds {
		free := follow.CityFlowAccel(p, v, math.Inf(1), 0, 11.111, 1)
		for _, vl := range speeds {
			prev := math.Inf(-1)
			for _, g := range gaps {
				a := follow.CityFlowAccel(p, v, g, vl, 11.111, 1)
				if a > free+1e-9 {
					t.Errorf("v=%g vl=%g g=%g: accel %g above the free %g", v, vl, g, a, free)
				}
				if a < prev-1e-9 {
					t.Errorf("v=%g vl=%g: accel falls with the gap at %g m: %g after %g", v, vl, g, a, prev)
				}
				prev = a
			}
		}
	}
}
