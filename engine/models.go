package engine

import "github.com/citytwin/citytwin/engine/follow"

// modelAccel returns the acceleration (m/s²) the vehicle type's model wants
// at speed v behind a leader gap metres ahead moving at vl (gap +Inf: free
// road). IDM is called directly, the common case on the hot path.
func modelAccel(vt *VType, v, gap, vl, v0, dt, rnd float64) float64 {
	switch vt.Model {
	case follow.KindIDM:
		return follow.IDMAccel(&vt.Follow, v, gap, vl, v0)
	default:
		return follow.Krauss{}.Accel(&vt.Follow, follow.Situation{Speed: v, Gap: gap, LeaderSpeed: vl, DesiredSpeed: v0, Step: dt, Rand: rnd})
	}
}
