package follow_test

import (
	"fmt"
	"math"

	"github.com/citytwin/citytwin/engine/follow"
)

// A car at 12 m/s (desired speed 13.9 m/s, 50 km/h) follows a leader doing
// 8 m/s 20 m ahead: IDM asks it to brake. Params must be initialised once
// with Init before use.
func ExampleIDMAccel() {
	p := follow.Params{Accel: 2.6, Decel: 4.5, EmergencyDecel: 9, MinGap: 2.5, Headway: 1.0}
	if err := p.Init(); err != nil {
		panic(err)
	}
	a := follow.IDMAccel(&p, 12, 20, 8, 13.9)
	fmt.Printf("behind the leader: %.2f m/s²\n", a)

	// Through the Model interface the acceleration is IDMStep's: IDMAccel
	// limited to what a step of 0.5 s can use (here: not limited).
	var m follow.Model = follow.IDM{}
	s := follow.Situation{Speed: 12, Gap: 20, LeaderSpeed: 8, DesiredSpeed: 13.9, Step: 0.5}
	fmt.Printf("via Model: %.2f m/s²\n", m.Accel(&p, s))

	// On a free road the interaction term vanishes.
	fmt.Printf("free road: %.2f m/s²\n", follow.IDMAccel(&p, 12, math.Inf(1), 0, 13.9))
	// Output:
	// behind the leader: -1.85 m/s²
	// via Model: -1.85 m/s²
	// free road: 1.16 m/s²
}
