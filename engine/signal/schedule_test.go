package signal

import (
	"math"
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// A plant's kept schedule (scheduleOf: the changes that take a green
// away, as bits) gives the plain fixed-time plan the same answer, bit for
// bit, as working them out at each call (FixedPhaseAt), over several
// cycles and odd times; a program of more than 64 phases keeps asking.
func TestScheduleExact(t *testing.T) {
	long := &maps.Program{Yellow: 3, AllRed: 1.5, Offset: 7}
	for i := range 70 {
		st := "Gr"
		if i%3 == 0 {
			st = "rG"
		}
		long.Phases = append(long.Phases, maps.Phase{Duration: 1.25 + float64(i%5), State: st})
	}
	for _, tc := range []struct {
		name string
		p    *maps.Program
	}{
		{"cityflow", cfProgram()},
		{"two phases", twoPhase()},
		{"no change interval", &maps.Program{Phases: []maps.Phase{{Duration: 7.3, State: "Gr"}, {Duration: 4.1, State: "rG"}}}},
		{"shared greens, offset", &maps.Program{Yellow: 2, AllRed: 0.7, Offset: -13.1, Phases: []maps.Phase{
			{Duration: 9, State: "GGr"}, {Duration: 6.6, State: "GGG"}, {Duration: 11, State: "rrG"}, {Duration: 3, State: "gGr"}}}},
		{"70 phases", long},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kept := scheduleOf(tc.p)
			if kept.all != (len(tc.p.Phases) <= 64) {
				t.Fatalf("schedule of %d phases: all %v", len(tc.p.Phases), kept.all)
			}
			cycle := tc.p.Cycle()
			for k := range 4000 {
				now := -20 + float64(k)*(3*cycle+40)/4000 + 1e-7*float64(k%3)
				fresh := schedule{program: tc.p, cycle: tc.p.Cycle()}
				i, h := fixedPhase(&fresh, now)
				j, g := fixedPhase(&kept, now)
				if i != j || math.Float64bits(h) != math.Float64bits(g) {
					t.Fatalf("at %g s: phase %d for %g s kept, %d for %g s worked out", now, j, g, i, h)
				}
				if i != FixedPhaseAt(tc.p, now) {
					t.Fatalf("at %g s: FixedPhaseAt disagrees", now)
				}
			}
		})
	}
}

// cycleMod gives math.Mod's number, bit for bit, whole or not, in range
// or not, signed zeros included.
func TestCycleMod(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 1, 4, 244, 245, 246, 1100, 1e15, 1<<53 - 1, 1 << 53, 1 << 62, 1 << 63, 1e300,
		-1, -245, -1100, 0.5, 1100.25, 1e-300, math.Inf(1), math.Inf(-1), math.NaN()}
	ys := []float64{245, 1, 2, 0.3, 7.5, 1 << 53, 1 << 62, 1e300, -245, 0, math.Copysign(0, -1), math.Inf(1), math.NaN()}
	for _, x := range xs {
		for _, y := range ys {
			got, want := cycleMod(x, y), math.Mod(x, y)
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("cycleMod(%g, %g) = %g, math.Mod gives %g", x, y, got, want)
			}
		}
	}
}
