package engine

import (
	"math"
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
