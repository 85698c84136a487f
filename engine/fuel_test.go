package engine

import (
	"math"
	"testing"
)

// TestFuelRate checks the fuel model against the figures its doc gives (a
// car at 50 km/h burns about 7.6 L/100 km and idles at 1.35 L/h), and
// that a standing vehicle's rate is exactly the idle rate, which the move
// phase uses for vehicles held still without calling Rate.
func TestFuelRate(t *testing.T) {
	car := LightVehicleFuel
	v := 50 / 3.6
	if per100km := car.Rate(v, 0) / v * 100; math.Abs(per100km-7.6) > 0.1 { // mL/m × 100 = L/100 km
		t.Errorf("cruising at 50 km/h: %.2f L/100 km, want about 7.6", per100km)
	}
	if perHour := car.Rate(0, 0) * 3.6; math.Abs(perHour-1.35) > 1e-9 { // mL/s × 3600 / 1000
		t.Errorf("idling: %.3f L/h, want 1.35", perHour)
	}
	bus := fuelFor(&VType{Length: 12})
	for _, m := range []FuelModel{car, bus} {
		if got := m.Rate(0, 0); math.Float64bits(got) != math.Float64bits(m.Idle) {
			t.Errorf("mass %g kg: Rate(0, 0) = %v, want the idle rate %v exactly", m.Mass, got, m.Idle)
		}
		// The same bits as the formula written out, a = 0 included (Rate
		// skips the inertia term then).
		for _, c := range [][2]float64{{v, 0}, {v, math.Copysign(0, -1)}, {v, 0.7}, {v, -1.3}, {0, 0}, {30, 0}} {
			vv, a := c[0], c[1]
			rt := m.B1 + float64(m.B2*vv*vv) + m.Mass*a/1000
			want := m.Idle
			if rt > 0 {
				want = m.Idle + float64(m.Beta1*rt*vv)
				if a > 0 {
					want += m.Beta2 * m.Mass * a * a * vv / 1000
				}
			}
			if got := m.Rate(vv, a); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("mass %g kg: Rate(%v, %v) = %v, want %v", m.Mass, vv, a, got, want)
			}
		}
		if m.Rate(v, 1) <= m.Rate(v, 0) {
			t.Errorf("mass %g kg: accelerating burns no more than cruising", m.Mass)
		}
	}
}
