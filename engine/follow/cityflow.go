package follow

import (
	"math"

	"github.com/citytwin/citytwin/internal/fminmax"
)

// CityFlow is the car-following rule of CityFlow (H. Zhang et al.,
// "CityFlow: A Multi-Agent Reinforcement Learning Environment for Large
// Scale City Traffic Scenario", WWW 2019; Vehicle::getCarFollowSpeed in
// its sources), a collision-free safe-speed model of the Gipps/Krauß
// family written for a ballistic position update (a step moves a vehicle
// by the mean of its old and new speeds, Δx = (v + v')·Δt/2). The next
// speed is the least of
//
//   - the desired speed v0 and v + a·Δt;
//   - the speed from which the follower, after this step, can still stop
//     behind a leader that brakes as hard as it can (deceleration
//     EmergencyDecel for both, no gap to spare);
//   - the same with the comfortable deceleration b for both, keeping the
//     standstill gap s0;
//   - the headway term: the speed that leaves a time gap T after the step,
//     v' = (g + (v_l + max(0, v − v_l)/2)·Δt − v·Δt/2) / (T + Δt/2),
//     which also makes a faster follower anticipate half its speed
//     difference.
//
// The "stop after the step" speed v' solves, for a gap g, a margin m and
// decelerations d (follower) and d_l (leader),
//
//	(v + v')·Δt/2 + v'²/(2d) ≤ g − m + v_l²/(2d_l)
//
// and is also held below 2·v_l − d_l·Δt + 2(g − m)/Δt, the speed whose
// step would reach the leader's position should it brake at once (for a
// standing leader that keeps a standing follower in place until the gap
// exceeds m by d·Δt²/2). CityFlow
// uses the leader's own decelerations; the vehicle's own stand in for them
// here (a flow file's vehicles share one description). The result is
// returned as the acceleration (v' − v)/Δt; the engine keeps it above
// −EmergencyDecel and the speed at or above 0. Stopping at a line uses the
// engine's stop constraint (a standing leader at the line), not CityFlow's
// own stop-before rule.
//
// Use it with the ballistic position update (engine.Config.Ballistic), as
// CityFlow moves its vehicles; with the Euler update the same speeds cover
// more ground and the engine's clamps keep vehicles apart.
type CityFlow struct{}

// Accel implements Model.
func (CityFlow) Accel(p *Params, s Situation) float64 {
	return CityFlowAccel(p, s.Speed, s.Gap, s.LeaderSpeed, s.DesiredSpeed, s.Step)
}

// HoldsStill implements Holding. At speed 0 behind a standing leader
// with gap g ≤ s0, the comfortable stop-after-step speed is at most 0
// (its constant term s0 − g is ≥ 0, so the positive root is ≤ 0), so the
// next speed, the least of the terms, is at most 0.
func (CityFlow) HoldsStill(p *Params) bool { return true }

// CityFlowAccel is CityFlow's rule as a plain function (m/s²).
//
// On a free road (gap +Inf) it returns the free term at once, without
// comparing it with the free gap: the same bits, as +Inf passes
// cityFlowFree whenever none of its bounds is NaN, and with finite
// parameters (Init), a finite speed v ≥ 0 and a desired speed v0 ≥ 0, as
// the engine's are, none is (next ≥ 0 is finite, so are the three bounds). The
// engine asks for the free term of many first vehicles of a segment
// (TestCityFlowFreeGap compares with the full rule).
func CityFlowAccel(p *Params, v, gap, vl, v0, dt float64) float64 {
	next := fminmax.Min(v0, v+float64(p.Accel*dt))
	if gap == math.Inf(1) {
		return PerStep(next-v, dt)
	}
	if !cityFlowFree(p, gap, next, v, dt) {
		// The least of the four, folded pairwise: the same as min of all.
		// With EmergencyDecel = Decel (as on CityFlow's datasets) the
		// emergency stop term is never below the comfortable one, and
		// is left out (see stopAfterStep).
		if p.EmergencyDecel != p.Decel {
			next = fminmax.Min(next, stopAfterStep(v, vl, gap, 0, p.EmergencyDecel, p.halfPerEmergency, dt))
		}
		next = fminmax.Min(next, headwaySpeed(v, gap, vl, p.Headway, dt))
		// The comfortable stop term last: when its root is surely above
		// the least so far (stopRootAbove), only its bound can count.
		if stopRootAbove(p, next, v, gap, vl, dt) {
			next = fminmax.Min(next, stopReach(vl, gap, p.MinGap, p.Decel, dt))
		} else {
			next = fminmax.Min(next, stopAfterStep(v, vl, gap, p.MinGap, p.Decel, p.halfPerDecel, dt))
		}
	}
	return PerStep(next-v, dt)
}

// CityFlowHoldGap returns the largest gap G (m) to a standing leader or
// stop point at which CityFlow's rule keeps a standing follower
// standing: CityFlowAccel(p, +0, g, 0, v0, dt) ≤ 0, as computed, for every
// gap g ≤ G and desired speed v0 ≥ 0, with parameters p (Init) and step
// dt (s). It is at least p.MinGap (HoldsStill's bound): a queue under
// this rule comes to rest with gaps up to about s0 + b·Δt²/2 (see
// CityFlow), and the engine leaves a standing vehicle that close behind
// a standing obstacle standing without asking the rule.
//
// Exact: at v = +0 and vl = 0, once the free-gap test has failed, the
// rule's result is at most each of its stop terms (the comfortable one;
// the emergency one when b_e ≠ b), each of them the least of its bound
// stopReach(0, g, m, d, Δt) and something (the root, when stopAfterStep
// takes it; the least so far, when stopRootAbove skips it), so at most
// the bound, and the rule returns (that − 0)/Δt. The bounds never
// decrease with g (each rounded operation keeps the order), so G is the
// largest float64 at which one of them is ≤ 0, found by bisection over
// the ordered float64s. Beyond G every term is above 0 (v0 > 0), so no
// larger gap would do. The free-gap test needs g ≥ s0 + (next +
// b_e·Δt)·Δt/2 + 1 (cityFlowFree), nearly a metre beyond G, and its
// bounds only grow with next ≥ 0: CityFlowHoldGap checks that the test
// fails at G with next = 0, and returns p.MinGap if not (never for
// parameters that pass Init). TestCityFlowHoldGap compares with the rule.
func CityFlowHoldGap(p *Params, dt float64) float64 {
	m := p.MinGap
	holds := func(g float64) bool {
		return stopReach(0, g, m, p.Decel, dt) <= 0 ||
			p.EmergencyDecel != p.Decel && stopReach(0, g, 0, p.EmergencyDecel, dt) <= 0
	}
	lo, hi := m, m+float64(p.EmergencyDecel*dt*dt)+1 // hi: both bounds above 2/Δt there
	if !(m >= 0 && dt > 0) || !holds(lo) || holds(hi) {
		return m
	}
	for math.Float64bits(hi)-math.Float64bits(lo) > 1 { // positive: bits in order
		mid := math.Float64frombits((math.Float64bits(lo) + math.Float64bits(hi)) / 2)
		if holds(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if cityFlowFree(p, lo, 0, 0, dt) {
		return m
	}
	return lo
}

// CityFlowCovers reports whether CityFlow's rule asks no more of a
// follower behind a standing obstacle (a stop line) gapStop metres ahead
// than behind a leader gap metres ahead moving at vl ≥ 0 (m/s):
// CityFlowAccel(p, v, gapStop, 0, v0, dt) ≥ CityFlowAccel(p, v, gap, vl,
// v0, dt), in the order min takes, for every speed v and desired speed
// v0 ≥ 0. The obstacle's constraint then adds nothing to their minimum.
// It holds when the obstacle lies beyond the leader by at least the
// leader's comfortable stopping distance and its step's travel, plus 1 m:
//
//	gapStop − gap ≥ max(vl²/(2b), vl·Δt) + 1.
//
// Each of the rule's terms (see CityFlow) grows with what follows, so
// each is at least as high for the obstacle (vl = 0) as for the leader:
//
//   - the stop-after-step speeds (d = b_e, no margin; d = b, margin s0)
//     with g + vl²/(2d), and vl²/(2d) ≤ vl²/(2b) as b ≤ b_e;
//   - their bounds 2·vl − d·Δt + 2(g − m)/Δt with g + vl·Δt;
//   - the headway speed with its numerator, g + (vl + max(0, v − vl)/2)·Δt
//     − v·Δt/2: at most g + vl·Δt for vl ≥ 0, exactly g for vl = 0.
//
// The metre to spare is far more than the few rounded operations on
// values of metres and m/s can take off, so the computed terms keep the
// order; so do their least (folded by Min), the free-gap shortcut (the
// obstacle, the farther, skips the terms whenever the leader does) and
// (next − v)/Δt. TestCityFlowCovers checks it on random situations near
// the bound.
func CityFlowCovers(p *Params, gap, vl, gapStop, dt float64) bool {
	return gapStop-gap >= float64(vl*max(float64(vl*p.halfPerDecel), dt))+1
}

// cityFlowFree reports whether gap (m) is at least the free gap from which
// none of CityFlow's three leader terms can come below next ≥ 0, the
// least of the desired speed and v + a·Δt, for any leader speed ≥ 0
// (speeds are never negative): the rule's result is then next, and
// CityFlowAccel skips the terms (two square roots and five divisions) for
// a vehicle with a long free gap ahead. With b ≤ b_e (Init) and vl ≥ 0,
// each term reaches next where
//
//   - the stop-after-step roots (b_e, no margin; b, margin s0):
//     g ≥ next²/(2b) + (next + v)·Δt/2 + s0;
//   - their bounds 2·vl − d·Δt + 2(g − m)/Δt: g ≥ s0 + (next + b_e·Δt)·Δt/2;
//   - the headway term, whose numerator is at least g (vl + max(0, v −
//     vl)/2 ≥ v/2): g ≥ next·(T + Δt/2);
//
// and one metre more keeps every term clear of next by far more than
// rounding could take off (TestCityFlowFreeGap compares with the full
// rule).
//
// The gap is compared with each bound plus one metre in turn, the first
// that it falls short of answering (the most common first, for a
// follower in a queue: the stop term); that is gap ≥ max(stop, reach,
// headway) + 1 as computed, the single free gap (the test's
// cityFlowFreeGap), without the three-way max: the rounded sum x + 1
// never decreases with x, so the largest bound gives the largest sum, and
// a NaN bound fails its comparison as it fails the max's
// (TestCityFlowFreeSplit compares the two).
func cityFlowFree(p *Params, gap, next, v, dt float64) bool {
	halfDt := float64(dt / 2)
	return gap >= float64(float64(next*next)*p.halfPerDecel)+float64((next+v)*halfDt)+p.MinGap+1 &&
		gap >= p.MinGap+float64((next+float64(p.EmergencyDecel*dt))*halfDt)+1 &&
		gap >= float64(next*(p.Headway+halfDt))+1
}

// stopAfterStep returns the largest speed v' at the end of a step from
// which a follower at speed v, a gap g behind a leader at speed vl, can
// stop m short of where the leader stops, both braking at d after the
// step (see CityFlow). When no speed can, it returns −Inf: brake as hard
// as possible. qa is 1/(2d), which Params caches (Init).
//
// For the same v, vl, g, d and step it never grows with the margin m ≥ 0,
// as computed: qc = ((v·Δt/2 + m) − vl²/(2d)) − g grows with m (each
// rounded operation keeps the order of its operand), so the
// discriminant shrinks, and the root (−Inf once it is negative) and the
// bound 2·vl − d·Δt + 2(g − m)/Δt do not grow; and with m = 0 it is never
// −0 (the root is (√disc − Δt/2)/(2qa), the bound's first part
// 2·vl − d·Δt is not −0 for d·Δt > 0), so the order holds in the order
// min takes too. CityFlowAccel leaves out the emergency term (d = b_e,
// m = 0) when b_e = b, as the comfortable one (d = b, m = s0) is never
// above it (TestCityFlowFreeGap compares with the full rule, b_e = b in a
// quarter of its cases).
func stopAfterStep(v, vl, g, m, d, qa, dt float64) float64 {
	// v'²/(2d) + v'·Δt/2 + (v·Δt/2 + m − vl²/(2d) − g) ≤ 0.
	qb := float64(dt / 2)
	qc := float64(v*dt/2) + m
	if vl != 0 { // a standing leader's braking distance is +0: nothing to take off
		qc -= float64(vl * vl / (2 * d))
	}
	qc -= g
	disc := float64(qb*qb) - float64(4*qa*qc)
	if disc < 0 {
		return math.Inf(-1)
	}
	root := (math.Sqrt(disc) - qb) / (2 * qa)
	return fminmax.Min(root, stopReach(vl, g, m, d, dt))
}

// stopReach is stopAfterStep's bound 2·vl − d·Δt + 2(g − m)/Δt (m/s).
func stopReach(vl, g, m, d, dt float64) float64 {
	return float64(2*vl) - float64(d*dt) + PerStep(float64(2*(g-m)), dt)
}

// stopRootAbove reports whether the root of CityFlow's comfortable
// stop-after-step term (stopAfterStep with d = b, m = s0) is surely above
// x, as computed: then that term is the least of the root and its bound
// (stopReach) only through the bound, and min(x, term) = min(x, bound),
// without the square root and two divisions. The root is the larger
// solution of f(v') = v'²/(2b) + v'·Δt/2 + qc = 0 with
// qc = v·Δt/2 + s0 − vl²/(2b) − g, and f(x) ≤ −ε puts x strictly between
// the two solutions, at least ε/√disc below the root (f is convex, its
// slope at the root √disc); and the discriminant at least 2ε/b above 0.
// With ε = 0.01 m that is far beyond what rounding moves the computed
// root, f(x) here (written without a division) or the discriminant, for
// speeds, gaps and parameters many orders of magnitude beyond a road's
// (TestStopRootAbove compares with the term computed in full).
func stopRootAbove(p *Params, x, v, g, vl, dt float64) bool {
	qb := float64(dt / 2)
	f := float64(p.halfPerDecel*float64(float64(x*x)-float64(vl*vl))) + float64(qb*(x+v)) + p.MinGap - g
	return f <= -0.01
}

// headwaySpeed is the speed that leaves the headway T to a leader at vl
// after the step, the follower anticipating half of any speed excess:
// (g + (vl + max(0, v − vl)/2)·Δt − v·Δt/2) / (T + Δt/2).
func headwaySpeed(v, g, vl, T, dt float64) float64 {
	lead := vl + float64(fminmax.Pos(v-vl)/2)
	num := g + float64(lead*dt) - float64(v*dt/2)
	return num / (T + float64(dt/2))
}
