package engine

import (
	"math"
	"testing"
)

// TestApproachZone checks the approach zone against its formula written
// out, bit for bit, standing vehicles (±0) included, and that it grows
// with speed.
func TestApproachZone(t *testing.T) {
	vt := DefaultCar()
	if err := vt.Follow.Init(); err != nil {
		t.Fatal(err)
	}
	p := &vt.Follow
	prev := 0.0
	for _, v := range []float64{math.Copysign(0, -1), 0, 0.5, 5, 13.9, 30} {
		for _, dt := range []float64{1, 0.5, 0.1} {
			want := 10 + p.MinGap + float64(v*(dt+p.Headway)) + v*v/p.Decel
			if got := approachZone(v, &vt, dt); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("approachZone(%v, dt %v) = %v, want %v", v, dt, got, want)
			}
		}
		if z := approachZone(v, &vt, 1); z < prev {
			t.Errorf("approachZone(%v) = %v m, below %v m at a lower speed", v, z, prev)
		} else {
			prev = z
		}
	}
}
