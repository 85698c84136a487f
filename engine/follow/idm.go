package follow

import (
	"math"

	"github.com/citytwin/citytwin/internal/detmath"
	"github.com/citytwin/citytwin/internal/fminmax"
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

// HoldsStill implements Holding. At speed 0 IDM's desired gap is the
// minimum gap s0 whatever the leader's speed, so the acceleration
// a·(1 − (s0/g)²) is ≤ 0 for a gap g ≤ s0 (g is floored at 0.01 m, hence
// s0 ≥ 0.01 m), and the step limit only lowers it.
func (IDM) HoldsStill(p *Params) bool { return p.MinGap >= 0.01 }

// Accel implements Model: IDM's acceleration over the step s.Step,
// IDMStep.
func (IDM) Accel(p *Params, s Situation) float64 {
	return IDMStep(p, s.Speed, s.Gap, s.LeaderSpeed, s.DesiredSpeed, s.Step)
}

// IDMStep is IDM's acceleration (m/s²) held for a step of dt seconds
// (dt > 0) at speed v (m/s), a gap metres behind a leader at vl (m/s;
// gap +Inf: free road), desired speed v0 (m/s): IDMAccel limited by
// IDMStepLimit. It is what the engine applies; Accel calls it.
func IDMStep(p *Params, v, gap, vl, v0, dt float64) float64 {
	return idm(p, v, gap, vl, v0, dt, true)
}

// IDMStepLimit limits IDM's acceleration a (m/s²) to what a step of dt
// seconds can use. IDM is a continuous-time model; held constant over a
// step as long as 1 s, its free-road term can carry a vehicle past a low
// desired speed v0 (m/s) and then brake it back, oscillating. So from at
// or below v0 the step ends at v0 at most, a ≤ (v0 − v)/dt; and above v0
// on a free road (gap +Inf) it slows towards v0 no faster than the
// comfortable deceleration b, a ≥ max((v0 − v)/dt, −b), never ending the
// step below v0 either. Behind a leader above v0 a is kept: the leader
// may ask for more. As the step shrinks the limit fades and IDMStep
// approaches IDMAccel.
//
// (Written for the compiler to inline it into idm, the engine's hot path,
// with the most common case, at or below v0, tested first: one comparison
// before the limit.)
func IDMStepLimit(p *Params, a, v, gap, v0, dt float64) float64 {
	if v <= v0 {
		return min(a, PerStep(v0-v, dt))
	}
	if gap > math.MaxFloat64 { // a free road (gap +Inf, tested as math.IsInf does)
		return max(a, max(PerStep(v0-v, dt), -p.Decel))
	}
	return a
}

// IDMAccel is IDM's acceleration as a plain function (m/s²).
func IDMAccel(p *Params, v, gap, vl, v0 float64) float64 {
	return idm(p, v, gap, vl, v0, 0, false)
}

// IDM4Step is IDMStep for parameters with Delta = 4 (Params.Delta4), the
// default: idm's steps for step set and p.delta4, written out in a function
// that calls nothing (idm may call detmath.Pow), so that it runs without a
// frame and without a stack check (about 7 instructions fewer per call;
// the engine calls it for every IDM vehicle: modelAccel). Exact: the same
// operations on the same values in the same order, so the same result to
// the bit, NaN and −0 included. TestIDM4Step compares it with IDMStep. (A
// change to idm must be made here too.)
func IDM4Step(p *Params, v, gap, vl, v0, dt float64) float64 {
	free := 1.0
	if v0 > 0 {
		r := v / v0
		r *= r
		free = 1 - float64(r*r)
	} else {
		free = -1
	}
	var a float64
	if math.IsInf(gap, 1) {
		a = p.Accel * free
	} else {
		ss := p.MinGap + fminmax.Pos(float64(v*p.Headway)+float64(v*(v-vl)/p.twoSqrtAB))
		g := fminmax.Max(gap, 0.01)
		q := ss / g
		a = p.Accel * (free - float64(q*q))
	}
	return IDMStepLimit(p, a, v, gap, v0, dt)
}

// idm is IDMAccel, limited by IDMStepLimit for a step of dt seconds when
// step is set (IDMStep): one body for both, so that IDMStep, which the
// engine calls for every IDM vehicle, keeps its arguments in registers
// through the whole computation instead of saving them around a call.
func idm(p *Params, v, gap, vl, v0, dt float64, step bool) float64 {
	free := 1.0
	if v0 > 0 {
		r := v / v0
		if p.delta4 {
			r *= r
			free = 1 - float64(r*r)
		} else {
			free = 1 - detmath.Pow(r, p.Delta)
		}
	} else {
		free = -1
	}
	var a float64
	if math.IsInf(gap, 1) {
		a = p.Accel * free
	} else {
		ss := p.MinGap + fminmax.Pos(float64(v*p.Headway)+float64(v*(v-vl)/p.twoSqrtAB))
		g := fminmax.Max(gap, 0.01)
		q := ss / g
		a = p.Accel * (free - float64(q*q))
	}
	if step {
		return IDMStepLimit(p, a, v, gap, v0, dt)
	}
	return a
}
