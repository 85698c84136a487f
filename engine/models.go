package engine

import (
	"math"

	"github.com/citytwin/citytwin/engine/follow"
)

// modelAccel returns the acceleration (m/s²) the vehicle type's model wants
// at speed v behind a leader gap metres ahead moving at vl (gap +Inf: free
// road). IDM is called directly, the common case on the hot path.
func modelAccel(vt *VType, v, gap, vl, v0, dt, rnd float64) float64 {
	switch vt.Model {
	case follow.KindIDM:
		a := follow.IDMAccel(&vt.Follow, v, gap, vl, v0)
		// With a step as long as 1 s, IDM's free-road term can carry the
		// speed past a low desired speed and then brake back, oscillating;
		// it never crosses the desired speed within a step, and above it
		// slows at most comfortably.
		if v <= v0 {
			a = min(a, (v0-v)/dt)
		} else if math.IsInf(gap, 1) {
			a = max(a, max((v0-v)/dt, -vt.Follow.Decel))
		}
		return a
	case follow.KindCityFlow:
		return follow.CityFlowAccel(&vt.Follow, v, gap, vl, v0, dt)
	default:
		return follow.Krauss{}.Accel(&vt.Follow, follow.Situation{Speed: v, Gap: gap, LeaderSpeed: vl, DesiredSpeed: v0, Step: dt, Rand: rnd})
	}
}
