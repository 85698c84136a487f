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
