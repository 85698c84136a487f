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
