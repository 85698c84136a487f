package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestApproachZone checks the approach zone: a standing vehicle's (±0
// m/s) is 10 m plus its minimum gap, bit for bit (its speed terms add
// nothing, so approachZone needs no shortcut for it), and it grows with
// the speed, for steps of several lengths.
func TestApproachZone(t *testing.T) {
	vt := DefaultCar()
	if err := vt.Follow.Init(); err != nil {
		t.Fatal(err)
	}
	standing := 10 + vt.Follow.MinGap
	for _, dt := range []float64{1, 0.5, 0.1} {
		for _, v := range []float64{math.Copysign(0, -1), 0} {
			if got := approachZone(v, &vt, dt); math.Float64bits(got) != math.Float64bits(standing) {
				t.Errorf("approachZone(%v, dt %v) = %v m, want %v m (standing)", v, dt, got, standing)
			}
		}
		prev := standing
		for _, v := range []float64{0.5, 5, 13.9, 30} {
			z := approachZone(v, &vt, dt)
			if !(z > prev) {
				t.Errorf("approachZone(%v, dt %v) = %v m, not above %v m at a lower speed", v, dt, z, prev)
			}
			prev = z
		}
	}
}

// TestBeyondZone compares beyondZone, which skips approachZone for a
// vehicle within zoneFloor of its stop line, with the full test d >
// approachZone, at distances around both bounds, for standing and moving
// vehicles.
func TestBeyondZone(t *testing.T) {
	vt := DefaultCar()
	if err := vt.Follow.Init(); err != nil {
		t.Fatal(err)
	}
	floor := zoneFloor(&vt)
	for _, dt := range []float64{1, 0.5, 0.1} {
		for _, v := range []float64{math.Copysign(0, -1), 0, 1e-9, 0.5, 5, 13.9, 30} {
			zone := approachZone(v, &vt, dt)
			for _, d := range []float64{
				0, floor - 1, math.Nextafter(floor, 0), floor, math.Nextafter(floor, math.Inf(1)), floor + 0.5,
				math.Nextafter(zone, 0), zone, math.Nextafter(zone, math.Inf(1)), zone + 1, math.NaN(),
			} {
				if got, want := beyondZone(d, v, &vt, dt), d > zone; got != want {
					t.Errorf("beyondZone(%v m, %v m/s, dt %v) = %v, want %v (zone %v m)", d, v, dt, got, want, zone)
				}
			}
		}
	}
}

// zoneTypes returns four vehicle types of several minimum gaps, headways
// and decelerations, checked for a run of the given step (Config.check sets
// their zone0 and zoneDt): the types TestBeyondZoneT and TestZoneMin try.
func zoneTypes(t *testing.T, step float64) []VType {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Step = step
	cfg.VTypes = nil
	for _, f := range []struct{ minGap, headway, decel float64 }{
		{2.5, 1, 4.5}, {0, 0.3, 1}, {7.3, 2.9, 9}, {1.7, 1.3, 3.3},
	} {
		vt := DefaultCar()
		vt.Follow.MinGap, vt.Follow.Headway, vt.Follow.Decel = f.minGap, f.headway, f.decel
		vt.Follow.EmergencyDecel = max(vt.Follow.EmergencyDecel, f.decel)
		cfg.VTypes = append(cfg.VTypes, vt)
	}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	return cfg.VTypes
}

// TestBeyondZoneT compares beyondZoneT and approachZoneT, which read the
// terms that depend on the type and the step alone off the type
// (VType.zone0, zoneDt, set by Config.check), with beyondZone and
// approachZone (bit for bit) at the run's step, for types of several
// minimum gaps, headways and decelerations, steps of several lengths,
// standing (±0) and moving vehicles at many speeds, and distances around
// the floor and the zone.
func TestBeyondZoneT(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 10))
	speeds := []float64{math.Copysign(0, -1), 0, 1e-9, 0.05, 0.5, 5, 13.9, 30, 80}
	for range 200 {
		speeds = append(speeds, 40*rng.Float64())
	}
	for _, step := range []float64{1, 0.5, 0.1, 0.3, 0.7} {
		types := zoneTypes(t, step)
		for i := range types {
			vt := &types[i]
			floor := zoneFloor(vt)
			for _, v := range speeds {
				zone := approachZone(v, vt, step)
				if got := approachZoneT(v, vt); math.Float64bits(got) != math.Float64bits(zone) {
					t.Fatalf("approachZoneT(%v m/s), type %d, step %v = %v m, want %v m", v, i, step, got, zone)
				}
				for _, d := range []float64{
					0, floor - 1, math.Nextafter(floor, 0), floor, math.Nextafter(floor, math.Inf(1)), floor + 0.5,
					math.Nextafter(zone, 0), zone, math.Nextafter(zone, math.Inf(1)), zone + 1, math.NaN(), math.Inf(1),
				} {
					if got, want := beyondZoneT(d, v, vt), beyondZone(d, v, vt, step); got != want {
						t.Fatalf("beyondZoneT(%v m, %v m/s), type %d, step %v = %v, want %v", d, v, i, step, got, want)
					}
				}
			}
		}
	}
}

// TestZoneMin checks decideLane's second-loop bound (Sim.zoneMin,
// zoneMinOf): for sets of checked vehicle types and of bare types with
// odd zone0 values (a NaN, infinities, −0), a distance d at or below the
// bound is beyond no type's approach zone at any speed (beyondZoneT is
// false), and the bound is the least zone0 when every type has a number.
func TestZoneMin(t *testing.T) {
	speeds := []float64{math.Copysign(0, -1), 0, 1e-9, 0.5, 13.9, 80, math.NaN()}
	var sets [][]VType
	for _, step := range []float64{1, 0.5, 0.1} {
		types := zoneTypes(t, step)
		for n := 1; n <= len(types); n++ {
			sets = append(sets, types[len(types)-n:])
		}
	}
	bare := func(zones ...float64) []VType {
		out := make([]VType, len(zones))
		for i, z := range zones {
			out[i].zone0, out[i].zoneDt, out[i].Follow.Decel = z, 2, 4.5
		}
		return out
	}
	sets = append(sets, nil, bare(12.5), bare(14, 12.5, 13), bare(12.5, math.NaN()), bare(math.NaN(), 3),
		bare(math.Inf(1), 5), bare(math.Inf(-1), 5), bare(math.Copysign(0, -1), 0), bare(-3, 0))
	for k, types := range sets {
		m := zoneMinOf(types)
		least, nan := math.Inf(1), false
		for i := range types {
			least = min(least, types[i].zone0)
			nan = nan || math.IsNaN(types[i].zone0)
		}
		if (nan || len(types) == 0) && !math.IsInf(m, -1) || !nan && len(types) > 0 && m != least {
			t.Fatalf("set %d: zoneMinOf = %v (least zone0 %v, a NaN: %v)", k, m, least, nan)
		}
		for i := range types {
			z := types[i].zone0
			for _, d := range []float64{m, math.Nextafter(m, math.Inf(-1)), z, math.Nextafter(z, math.Inf(1)), z + 1, 0, -1, math.NaN()} {
				if d > m {
					continue // asked in full
				}
				for _, v := range speeds {
					if beyondZoneT(d, v, &types[i]) {
						t.Fatalf("set %d, type %d (zone0 %v): d = %v m is at most zoneMin %v, but beyond the zone at %v m/s", k, i, z, d, m, v)
					}
				}
			}
		}
	}
}
