package follow_test

import (
	"fmt"
	"math"

	"github.com/citytwin/citytwin/engine/follow"
)

// Cruise is a (deliberately simple) car-following model: it drives at the
// speed that keeps the headway T and the standstill gap s0 to the leader,
//
//	v' = min(v0, v + a·Δt, (g − s0)/T),  never below 0,
//
// reached within the step, and returns the acceleration (v' − v)/Δt.
type Cruise struct{}

// Accel implements follow.Model.
func (Cruise) Accel(p *follow.Params, s follow.Situation) float64 {
	next := min(s.DesiredSpeed, s.Speed+float64(p.Accel*s.Step))
	if !math.IsInf(s.Gap, 1) {
		next = min(next, (s.Gap-p.MinGap)/p.Headway)
	}
	return (max(next, 0) - s.Speed) / s.Step
}

// A model is a type implementing follow.Model plus a registration, which
// makes it a value of the model key of scenario files
// ([[vtypes]] model = "cruise"); the engine calls it through the
// interface.
func init() { follow.Register("cruise", Cruise{}) }

func ExampleRegister() {
	p := follow.Params{Accel: 2.6, Decel: 4.5, EmergencyDecel: 9, MinGap: 2.5, Headway: 1.0}
	if err := p.Init(); err != nil {
		panic(err)
	}
	m, err := follow.ByName("cruise")
	if err != nil {
		panic(err)
	}
	s := follow.Situation{Speed: 12, Gap: 10.5, LeaderSpeed: 8, DesiredSpeed: 13.9, Step: 1}
	fmt.Printf("%s: %.2f m/s²\n", follow.Names(), m.Accel(&p, s))
	// Output:
	// [idm krauss cityflow cruise]: -4.00 m/s²
}
