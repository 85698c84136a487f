package follow

import (
	"math"

	"github.com/citytwin/citytwin/internal/detmath"
)

// IDM is the Intelligent Driver Model of Treiber, Hennecke & Helbing,
// "Congested traffic states in empirical observations and microscopic
// simulations", Phys. Rev. E 62 (2000) 1805:
//
//	a_IDM = a · [1 − (v/v0)^δ − (s*/s)²],  s* = s0 + max(0, v·T + v·Δv / (2√(a·b)))
//
// with Δv = v − v_leader and s the gap. Without a leader the interaction
// term vanishes.
type IDM struct{}

// Accel implements Model.
func (IDM) Accel(p *Params, s Situation) float64 {
	return IDMAccel(p, s.Speed, s.Gap, s.LeaderSpeed, s.DesiredSpeed)
}

// IDMAccel is IDM's acceleration as a plain function, so that the engine's
// inner loop can call it directly (m/s²).
func IDMAccel(p *Params, v, gap, vl, v0 float64) float64 {
	free := 1.0
	if v0 > 0 {
		r := v / v0
		if p.Delta == 4 {
			r *= r
			free = 1 - float64(r*r)
		} else {
			free = 1 - detmath.Pow(r, p.Delta)
		}
	} else {
		free = -1
	}
	if math.IsInf(gap, 1) {
		return p.Accel * free
	}
	ss := p.MinGap + max(0, float64(v*p.Headway)+float64(v*(v-vl)/p.twoSqrtAB))
	g := max(gap, 0.01)
	q := ss / g
	return p.Accel * (free - float64(q*q))
}
