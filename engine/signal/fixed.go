package signal

import (
	"math"

	"github.com/citytwin/citytwin/maps"
)

// FixedTime cycles the program's phases with their durations, starting the
// cycle at the program's offset. Yellow and all-red between phases are part
// of the cycle (see maps.Program.Cycle), so phase i+1 turns green exactly
// when the previous green, yellow and all-red have run.
type FixedTime struct{}

// Decide implements Controller.
func (FixedTime) Decide(v View) int { return FixedPhaseAt(v.Program, v.Now) }

// FixedPhaseAt returns the phase a fixed-time program wants at time t (s):
// the phase whose green is running, or the next one while a change runs.
func FixedPhaseAt(p *maps.Program, t float64) int {
	cycle := p.Cycle()
	c := math.Mod(t-p.Offset, cycle)
	if c < 0 {
		c += cycle
	}
	for i, ph := range p.Phases {
		c -= ph.Duration
		if c < -eps {
			return i
		}
		if p.LosesGreen(i, (i+1)%len(p.Phases)) {
			c -= p.Yellow + p.AllRed
		}
		if c < -eps {
			return (i + 1) % len(p.Phases)
		}
	}
	return 0
}
