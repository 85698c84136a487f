package follow

import "math"

// Krauss is the model of S. Krauß, "Microscopic modeling of traffic flow:
// investigation of collision free vehicle dynamics", DLR report 98-08
// (1998), in the form SUMO uses by default: the safe speed
//
//	v_safe = v_l + (g − v_l·τ) / ((v + v_l)/(2b) + τ)
//
// with τ the headway, bounded by v + a·Δt and v0, then reduced by a random
// dawdle σ·a·Δt·ξ (ξ uniform in [0, 1)). The result is returned as the
// acceleration that reaches that speed in one step.
type Krauss struct{}

// UsesRand implements Random: the dawdle draws on Situation.Rand.
func (Krauss) UsesRand() bool { return true }

// Accel implements Model.
func (Krauss) Accel(p *Params, s Situation) float64 {
	v, dt := s.Speed, s.Step
	next := min(v+float64(p.Accel*dt), s.DesiredSpeed)
	if !math.IsInf(s.Gap, 1) {
		vl := s.LeaderSpeed
		g := s.Gap - p.MinGap
		safe := vl + (g-float64(vl*p.Headway))/((v+vl)/(2*p.Decel)+p.Headway)
		next = min(next, safe)
	}
	next = max(0, next-float64(p.Sigma*p.Accel*dt*s.Rand))
	return (next - v) / dt
}
