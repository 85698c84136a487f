package follow

import "math"

// CACC is the cooperative adaptive cruise control of Milanés & Shladover,
// "Modeling cooperative and autonomous adaptive cruise control dynamic
// responses using experimental data", Transp. Res. C 48 (2014) 285–300, in
// the gap-regulation form SUMO's CACC model uses: with the gap error
// e = s − s0 − t_c·v and its rate ė = v_leader − v,
//
//	v_next = v + k_p·e + k_d·ė,  k_p = 0.45 s⁻¹, k_d = 0.25
//
// returned as the acceleration (v_next − v)/Δt, bounded by the vehicle's
// maximum acceleration. The time gap t_c (default 0.6 s) replaces the
// driver's headway; the engine applies it only when the leader is
// connected too, and its speed clamps keep vehicles apart whatever the
// controller asks.
type CACC struct {
	TimeGap float64 // t_c (s); 0 means 0.6 s
}

// CACC gains (Milanés & Shladover 2014, table 2).
const (
	caccKp = 0.45
	caccKd = 0.25
)

// Accel implements Model.
func (m CACC) Accel(p *Params, s Situation) float64 {
	return CACCAccel(p, s.Speed, s.Gap, s.LeaderSpeed, s.DesiredSpeed, s.Step, m.TimeGap)
}

// CACCAccel is CACC as a plain function (m/s²). Without a leader it falls
// back to IDM's free-road term.
func CACCAccel(p *Params, v, gap, vl, v0, dt, tc float64) float64 {
	if tc <= 0 {
		tc = 0.6
	}
	if math.IsInf(gap, 1) {
		return IDMAccel(p, v, math.Inf(1), 0, v0)
	}
	e := gap - p.MinGap - float64(tc*v)
	next := v + float64(caccKp*e) + float64(caccKd*(vl-v))
	next = min(next, v0)
	a := (next - v) / dt
	a = min(a, p.Accel)
	// Never less cautious than IDM with the short time gap.
	q := *p
	q.Headway = tc
	return min(a, IDMAccel(&q, v, gap, vl, v0))
}
