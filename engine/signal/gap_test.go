package signal

import (
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// gapProgram is an actuated two-phase program: movement 0 in phase 0,
// movement 1 in phase 1, each green 10 to 40 s (30 s nominal), 3 s yellow,
// a 2.5 s maximum gap, and a third movement green in both phases.
func gapProgram() *maps.Program {
	return &maps.Program{Yellow: 3, Actuated: &maps.Actuation{MaxGap: 2.5, DetectorGap: 2}, Phases: []maps.Phase{
		{Duration: 30, MinDur: 10, MaxDur: 40, State: "GrG"},
		{Duration: 30, MinDur: 10, MaxDur: 40, State: "rGG"},
	}}
}

// greens returns how long each green lasted, in order, from the phases a
// plant showed at every step (−1 during changes).
func greens(shown []int) []int {
	var out []int
	run, cur := 0, -2
	for _, ph := range shown {
		if ph == cur {
			run++
			continue
		}
		if cur >= 0 {
			out = append(out, run)
		}
		cur, run = ph, 1
	}
	return out
}

func TestGapActuated(t *testing.T) {
	cases := []struct {
		name string
		// arrivals returns the gap (s since the last vehicle) on the loop
		// of movement m at time t.
		gap  func(t float64, m int) float64
		want []int // lengths of the first greens (s)
	}{
		// No traffic: every phase gaps out at its minimum.
		{"empty", func(t float64, m int) float64 { return t + 100 }, []int{10, 10, 10, 10}},
		// A vehicle every 2 s on movement 0 only: phase 0 maxes out at 40 s,
		// phase 1 (no vehicles) gaps out at 10 s.
		{"steady on 0", func(t float64, m int) float64 {
			if m == 0 {
				return float64(int(t) % 2)
			}
			return 100
		}, []int{40, 10, 40, 10}},
		// The last vehicle always more than the 2.5 s maximum gap ago:
		// minimum greens.
		{"sparse", func(t float64, m int) float64 { return 3 + float64(int(t)%4) }, []int{10, 10, 10, 10}},
		// The third movement, green in both phases, never extends a phase.
		{"always green", func(t float64, m int) float64 {
			if m == 2 {
				return 0
			}
			return 100
		}, []int{10, 10, 10, 10}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, shown := drive(gapProgram(), &GapActuated{}, Guard{MinGreen: 5}, sensors(3), 200, func(now float64, s *NodeSensors) {
				for m := range s.In {
					s.In[m].Gap = c.gap(now, m)
				}
			})
			got := greens(shown)
			if len(got) < len(c.want) {
				t.Fatalf("greens %v", got)
			}
			for i, w := range c.want {
				if got[i] != w {
					t.Errorf("greens %v, want %v first", got, c.want)
					break
				}
			}
		})
	}
	// Without sensors, or for phases with MinDur = MaxDur, the durations
	// run as they are.
	p := gapProgram()
	p.Phases[1].MinDur, p.Phases[1].MaxDur = 30, 30
	_, shown := drive(p, &GapActuated{}, Guard{MinGreen: 5}, sensors(3), 200, func(now float64, s *NodeSensors) {
		for m := range s.In {
			s.In[m].Gap = 0
		}
	})
	if g := greens(shown); len(g) < 3 || g[0] != 40 || g[1] != 30 || g[2] != 40 {
		t.Errorf("greens %v, want 40, 30, 40", g)
	}
	_, shown = drive(gapProgram(), &GapActuated{}, Guard{MinGreen: 5}, nil, 200, nil)
	if g := greens(shown); len(g) < 3 || g[0] != 30 || g[1] != 30 {
		t.Errorf("without sensors: greens %v, want 30, 30", g)
	}
}
