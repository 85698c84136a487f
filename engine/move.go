package engine

import (
	"math"
	"math/bits"

	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/internal/fminmax"
)

// The move phase (phase 3 of Step), one segment at a time: each vehicle,
// front to back, gets its next speed from the constraints on it, then
// moves, is counted, and leaves the segment when it passes the end.
//
// The next speed follows SUMO's plan/execute split and CityFlow's
// getNextSpeed: the acceleration is the least of the named constraints
// that apply to the vehicle:
//
//   - car following: the leader on the segment (caccFollowing for CACC),
//     or what lies beyond the segment's end for the first vehicle
//     (lookAhead);
//   - speed advice: GLOSA from the junction's roadside unit (V2X);
//   - merge yield: holding back behind a neighbour that must merge in;
//   - stop line: refused entry at the junction ahead;
//   - turn speed: the speed limit of the link ahead;
//
// and the speed is then clamped so that no vehicle can reach the one
// ahead. The minimum of exact values does not depend on the order in which
// they are taken, so the constraints read as a list whatever the order
// they were once applied in. constraints calls a constraint only when it
// applies, and moveChunk takes short ways around it (car following alone;
// a follower with its junction's constraint: followJunction; a first
// vehicle that meets only what lies beyond the end, the free road and the
// turn speed: front; a vehicle held still: heldStill).

// leader is the vehicle ahead on the same segment as the move phase saw
// it: before its own move this step and, newPos, after it.
type leader struct {
	pos, speed, length float64 // before its move (m, m/s, m)
	newPos             float64 // its front after the move (m)
}

// moveChunk moves the vehicles of chunk's live segments, segment by
// segment in index order and front to back on each (driving order), into
// the chunk's accumulators acc; vehicles that pass a segment's end go to
// the chunk's outbox (stepAcc.out: leave).
//
// The vehicles that left a segment are the first exited of its list (each
// stays behind the one ahead), which the rest are copied over. The list is
// cut from seg.cars, which nothing in the loop changes (leave copies a
// vehicle out and appends to the chunk's lists only), rather than from
// cars, so that the list's capacity need not be kept through the loop; and
// when every vehicle left, nothing is copied (copy would still call the
// runtime for its 0 bytes). The same list results either way.
//
// A moving vehicle's fHalted mark is cleared above stopRearm only when it
// is set: clearing a bit that is not set changes nothing, and most moving
// vehicles have not halted, so their flags are tested, not rewritten.
//
// The short way's three cases (behind the leader on the segment; a first
// vehicle on the free road; a first vehicle refused entry, at its stop
// line: stopAlone) set the model's gap and leader's speed and the bound,
// then share one call of the model, on the line of the profile's hot call
// (default.pgo knows call sites by their line in the function): inlined
// there, it calls the model's function itself, where the free road's and
// the stop line's calls, on lines of their own, called modelAccel. Exact:
// each case gives the model the arguments it gave it before and the same
// bound (behind, toLine: pure, now worked out before the model's call).
// The general path (constraints) follows it under a label of its own, and
// front is taken where the chain of tests falls through. Its first test
// asks first whether the vehicle has no junction decision (most followers
// have none, and go the short way on that one test), then whether it is on
// a link or has no next road: an or of comparisons that read and change
// nothing else, the same in any order.
//
// A segment's speed limit (limit: seg.speed, for the desired speed and
// wantsToMove) is read once per segment, as its length is: nothing in the
// move phase writes a segment's record but its own list (seg.cars, cut
// after the loop), and the limit is the same value read before the loop
// as at each vehicle. (In a local it is one load from the frame where the
// record's field was two: the segments' base, then the field.)
func (s *Sim) moveChunk(chunk int, acc *stepAcc) {
	lo := chunk * chunkSize
	dt, ballistic, vtypes := s.dt, s.cfg.Ballistic, s.vtypes
	dt32 := float32(dt) // the step in a waiting time's units, for stands
	// The sums of the chunk (acc) and of each segment (sa) are added to in
	// place, in driving order. (Kept in locals they were saved and reloaded
	// around every call in the loop: more instructions, not fewer.)
	for w := s.live[chunk]; w != 0; w &= w - 1 {
		si := int32(lo + bits.TrailingZeros64(w))
		seg := &s.segs[si]
		cars := seg.cars                    // not empty: only the live segments move
		end, limit := seg.length, seg.speed // read once: nothing in the move phase changes them
		// (Vehicles past its end go to the chunk's outbox: leave.)
		var lead leader
		lane := !s.isLink(si)
		// A follower meets car following alone (followOnly) unless its lane
		// has a merging neighbour to yield to or something of its own applies
		// (tested per vehicle below): most vehicles take that short way.
		followOnly := (!lane || s.yield[si].at < 0) && !exactOnly
		exited := 0
		sa := &s.acc[si]
		for i := range cars {
			c := &cars[i]
			vt := &vtypes[c.vt]
			v := c.speed
			if math.Float64bits(v) == 0 && vt.holds && c.flags&fConnected == 0 && !exactOnly {
				if room, held := s.heldStill(end, c, i, &lead, lane, vt.holdGap); held {
					// Standing, a standing leader or the stop line within its hold
					// gap (VType.holdGap): that constraint asks for an acceleration
					// ≤ 0 (follow.Holding, CityFlowHoldGap), the others only lower it:
					// it stays at +0 m/s. The general path below then, without its
					// branches: the clamp with a = 0 gives +0, hard exactly when
					// the full one is (heldStill's room; mayClampHard); it idles,
					// moves by +0 in both updates, passes no loop detector, adds
					// +0 to the speed sums (nothing to add: below) and the whole
					// step to the time lost, and stands.
					if heldHook != nil {
						heldHook()
					}
					if mayClampHard(room) { // behind's bound below 0 too
						s.heldClamp(si, i, v, room, vt, acc)
					}
					lead.pos, lead.speed, lead.length = c.pos, v, float64(c.length)
					f := float64(vt.fuel.Idle * dt)
					c.fuel += float32(f)
					sa.fuel += f
					c.pos += 0
					lead.newPos = c.pos
					acc.running++
					// (+0 leaves the speed sums as they are: sums of speeds
					// ≥ 0 from +0, never −0)
					if wantsToMove(vt, limit, c.factor) {
						acc.lost += dt
						sa.lost += dt
					}
					s.stands(si, c, i == 0 && lane && !c.lightAlone(), chunk, dt32)
					if c.pos > end {
						exited++
						s.leave(si, seg, c, acc)
					}
					continue
				}
			}
			var a, vmax, v0, gap, vl float64
			// constraints with one constraint that applies or adds anything
			// (the short way: shortWay): car following behind the leader on
			// the segment; for the first vehicle of a road lane, the free road
			// without a junction decision (lookAhead looks no further), or
			// refused, its stop line. (Tested as a chain of jumps to shortWay:
			// no boolean kept for the test.) A first vehicle granted entry
			// (or on a link) whose constraints are lookAhead's, the free
			// road and the turn speed alone takes front instead.
			if (i > 0 || lane) && followOnly && c.flags&fConnected == 0 && !vt.drawsRand {
				if c.flags&(fDecided|fPermit) == 0 || !lane || c.next < 0 {
					goto shortWay
				}
				if i > 0 {
					if s.junctionQuiet(end, c, &lead, vt) {
						goto shortWay
					}
					a, vmax, v0 = s.followJunction(seg, c, vt, &lead)
					goto clamp
				} else if stopAlone(c, vt) {
					goto shortWay
				} else if !coversFree(vt) {
					goto general
				} // granted (fPermit): front
			} else if i > 0 || lane || vt.drawsRand || !coversFree(vt) {
				goto general
			}
			a, vmax, v0 = s.front(si, seg, c, vt, lane)
			goto clamp
		shortWay:
			if v0 = vt.desired(limit, c.factor); i > 0 {
				gap, vl, vmax = lead.pos-lead.length-c.pos, lead.speed, s.behind(&lead, c.pos)
			} else if gap, vl, vmax = math.Inf(1), 0, math.Inf(1); c.flags&(fDecided|fPermit) == fDecided && c.next >= 0 {
				gap, vmax = end-c.pos-0.5, s.toLine(end-c.pos) // stopAlone: its stop line alone
			}
			a = modelAccel(vt, v, gap, vl, v0, dt, 0)
			goto clamp
		general:
			a, vmax, v0 = s.constraints(si, seg, cars, i, &lead, vt)
			// (The three cases of the short way share the model's call
			// above, on the line the profile knows as hot: inlined, it
			// calls the model's function itself.)
		clamp:
			nv, hard := clampSpeed(v, a, vmax, vt.Follow.EmergencyDecel, dt, ballistic)
			if hard {
				s.hardClamp(si, i, v, vmax, acc)
			}
			lead.pos, lead.speed, lead.length = c.pos, v, float64(c.length)
			// Move at the new speed (Euler, or Ballistic within vmax·Δt); burn fuel; pass the loop.
			f := float64(vt.fuel.Rate(nv, follow.PerStep(nv-v, dt)) * dt)
			c.fuel += float32(f)
			sa.fuel += f
			c.speed = nv
			if ballistic {
				c.pos += fminmax.Min(float64((v+nv)*dt/2), fminmax.Pos(float64(vmax*dt)))
			} else {
				c.pos += float64(nv * dt)
			}
			if lane {
				s.passLoop(si, lead.pos, c)
			}
			lead.newPos = c.pos
			// Count the step: running vehicles, speeds and time lost against
			// the desired speed (dt·max(0, 1 − nv/v0), +0 without the division
			// at the desired speed); standing time and stops (stands).
			acc.running++
			acc.speedSum += nv
			sa.speedSum += nv
			if v0 > 0 && nv != v0 {
				// (At the desired speed the time lost is +0, which would leave
				// both sums as they are: they start at +0 and are never −0;
				// TestLostSkip.)
				l := float64(dt * fminmax.Pos(1-nv/v0))
				acc.lost += l
				sa.lost += l
			}
			if nv < 0.1 {
				s.stands(si, c, i == 0 && lane && !c.lightAlone(), chunk, dt32)
			} else {
				if c.wait > 0 {
					s.veh[c.id].waitTotal += float64(c.wait)
					c.wait, c.held = 0, 0
				}
				if c.flags&fHalted != 0 && nv > stopRearm {
					c.flags &^= fHalted
				}
			}
			if c.pos > end {
				exited++
				s.leave(si, seg, c, acc)
			}
		}
		sa.vehSteps += float64(len(cars)) // whole numbers: as adding one per vehicle
		if exited > 0 {
			n := len(cars) - exited
			if n > 0 {
				seg.cars = seg.cars[:copy(cars, cars[exited:])]
			} else {
				seg.cars = seg.cars[:0]
				s.setLive(si, false)
				if !lane {
					w, b := bitOf(s.spare, si) // its list, for the chunk's links
					*w |= b
				}
			}
		}
	}
}

// stopAlone reports whether car c, the first vehicle of a road lane with
// a next road (c.next ≥ 0), unequipped, of a type that draws nothing, on
// a lane without a yield point, meets its stop line alone in constraints:
// refused entry (fDecided without fPermit), with a direct model
// (coversFree). moveChunk then takes stopLine's steps alone, as
// constraints would (no draw, no green from GLOSA, no leader on the
// segment), without constraints' other steps. Exact: lookAhead looks no further for a
// vehicle refused entry (+Inf, asking nothing), the free-road term is
// left out (coversFree), no speed advice, yield or turn speed applies,
// and the least of +Inf and a value is that value. moveChunk writes
// stopLine's steps out for it (no call of stopLine, which saved and
// reloaded around its own): with no leader, leaderCovers says no, so the
// model is asked about the stop line, end − pos − 0.5 being stopLine's
// d − 0.5 (d = end − pos, the segment's length end read once), and the
// bound is toLine(d). TestStopAlone compares constraints with those steps
// and with stopLine; TestShortcutsExact compares whole runs with
// constraints asked for every vehicle.
func stopAlone(c *car, vt *VType) bool {
	return c.flags&(fDecided|fPermit) == fDecided && coversFree(vt)
}

// front is constraints for the first vehicle c of segment si (lane: a
// road lane) where only car following beyond the segment's end (lookAhead),
// the free road and, on a lane, the turn speed can apply: moveChunk asks
// it for a first vehicle of a type that draws nothing, with a direct model
// (coversFree), on a link, or on a road lane without a yield point,
// unequipped, with a next road and granted entry (fPermit: neither refused,
// which stopAlone takes, nor undecided, which the short way takes).
// Exact: constraints then works out the same desired speed, no speed
// advice (only equipped vehicles on road lanes get any; an equipped one on
// a link follows by CACC in lookAhead either way) and no draw (rnd 0);
// lookAhead with the same arguments (the step s.dt, the update, the other
// segments' records: what the move phase does not change, whichever
// worker runs it); the free-road term exactly when the model was not
// asked (coversFree, and granted or on a link); no merge yield (none on
// links, and the lane has no yield point) nor stop line (granted, or a
// link); and the turn speed for a granted vehicle with a link on a lane;
// the least of the same values is the same value in any order (min is
// symmetric and associative, NaN and −0 included). TestFront compares it
// with constraints wherever moveChunk takes it; TestShortcutsExact
// compares whole runs with constraints asked for every vehicle
// (exactOnly: coversFree false).
func (s *Sim) front(si int32, seg *segment, c *car, vt *VType, lane bool) (a, vmax, v0 float64) {
	v0 = vt.desired(seg.speed, c.factor)
	var asked bool
	a, vmax, asked = s.lookAhead(si, seg, c, vt, v0, 0)
	if !asked {
		a = min(a, modelAccel(vt, c.speed, math.Inf(1), 0, v0, s.dt, 0))
	}
	if lane && c.link >= 0 {
		// turnSpeed, its test written out (inlined: no call for the
		// vehicles not faster than their link, most of them, whose +Inf
		// would leave a as it is: min(a, +Inf) is a, NaN and −0 included).
		if vk := vt.desired(s.segs[c.link].speed, c.factor); c.speed > vk {
			a = min(a, s.slowTo(seg, c, vt, vk))
		}
	}
	return a, vmax, v0
}

// followJunction is constraints for car c, a follower (behind lead) on
// a road lane without a yield point, unequipped, of a type that draws
// nothing, with a junction decision at the end of the lane (c.next ≥ 0,
// fDecided or fPermit) that junctionQuiet does not rule out: car following
// behind lead and the junction's constraint, the stop line (refused) or
// the turn speed (granted, with a link). Exact: constraints then works out
// the same desired speed, no speed advice and no draw (rnd 0), car
// following by the model (no CACC for an unequipped vehicle) behind lead,
// which the driver's model followed, with the bound behind it; no merge
// yield (no yield point); and the junction's constraint with the same
// arguments, the least taken of the same values (min is symmetric, NaN
// and −0 included). TestFollowJunction compares it with constraints
// wherever moveChunk takes it; TestShortcutsExact compares whole runs.
func (s *Sim) followJunction(seg *segment, c *car, vt *VType, lead *leader) (a, vmax, v0 float64) {
	v0 = vt.desired(seg.speed, c.factor)
	a = modelAccel(vt, c.speed, lead.pos-lead.length-c.pos, lead.speed, v0, s.dt, 0)
	vmax = s.behind(lead, c.pos)
	switch {
	case c.flags&(fDecided|fPermit) == fDecided: // refused entry
		stopA, stopV := s.stopLine(seg, c, vt, v0, 0, false, lead)
		a, vmax = min(a, stopA), min(vmax, stopV)
	case c.flags&fPermit != 0 && c.link >= 0: // granted entry
		a = min(a, s.turnSpeed(seg, c, vt))
	}
	return a, vmax, v0
}

// heldStill reports whether car i of a segment end metres long, standing
// (speed +0), unequipped and of a type whose model holds (VType.holds),
// has a standing obstacle within holdGap (m; VType.holdGap: the minimum
// gap, or CityFlow's wider band) whose constraint applies for certain:
// the leader on the segment (standing at the start of the step), or,
// refused entry at the end of its road lane (lane), the stop line.
//
// It then also returns room (m), from which moveChunk works out the clamp
// of the vehicle's next speed (clampSpeed with a = 0) as it would with
// the bound vmax that constraints gives, the least of the leader's
// (behind) and the stop line's (toLine), whichever apply: +0 m/s, and a
// hard clamp exactly when that one makes one. The leader's bound alone
// does: a standing vehicle's clamp is hard only below −EmergencyDecel·Δt
// < 0 (follow.Params.Init), and the stop line's bound is never below 0 (a
// NaN compares false), so it never makes one, and where the leader's
// does, the least of the two is the leader's. room is behind's distance
// (roomBehind; for the first vehicle, with no leader, 0, standing in for
// the stop line's bound): its bound room/Δt is below 0 exactly when room
// is (Config.check keeps Δt within 0.1 and 1 s, give or take 1e-9: a
// division by a positive Δt below 2 keeps the sign and never rounds a
// value below 0 to −0), so moveChunk divides only then (mayClampHard).
// TestHeldStillBound compares both ways. (Small enough to inline into
// moveChunk's loop: no call for the vehicles held still.)
func (s *Sim) heldStill(end float64, c *car, i int, lead *leader, lane bool, holdGap float64) (room float64, ok bool) {
	if i > 0 {
		room = roomBehind(lead, c.pos)
		if lead.speed == 0 && lead.pos-lead.length-c.pos <= holdGap {
			return room, true
		}
	}
	return room, lane && c.next >= 0 && c.flags&(fDecided|fPermit) == fDecided && end-c.pos-0.5 <= holdGap
}

// heldClamp counts the clamp of the next speed of car i of segment si,
// held still (speed v, +0) by moveChunk's short way with room m of room
// (heldStill), when it is hard: clampSpeed with a = 0 and the bound
// room/Δt, as the general path does. (A call of its own: inlined into
// moveChunk, its a·Δt = 0·Δt was worked out once per segment for the
// vehicles it is rarely called for.)
func (s *Sim) heldClamp(si int32, i int, v, room float64, vt *VType, acc *stepAcc) {
	if _, hard := clampSpeed(v, 0, follow.PerStep(room, s.dt), vt.Follow.EmergencyDecel, s.dt, s.cfg.Ballistic); hard {
		s.hardClamp(si, i, v, follow.PerStep(room, s.dt), acc)
	}
}

// behind is the bound (m/s) on the displacement over the step of a
// vehicle whose front is at pos (m) behind lead on the same segment: it
// stays tiny behind where that leader ended its move.
func (s *Sim) behind(lead *leader, pos float64) float64 {
	return follow.PerStep(roomBehind(lead, pos), s.dt)
}

// roomBehind is how far (m) a vehicle whose front is at pos may move
// before it comes within tiny of where lead ended its move (behind's
// distance).
func roomBehind(lead *leader, pos float64) float64 { return lead.newPos - lead.length - tiny - pos }

// toLine is the bound (m/s) on the displacement over the step of a
// vehicle d metres before a stop line it may not cross.
func (s *Sim) toLine(d float64) float64 { return follow.PerStep(fminmax.Pos(d), s.dt) }

// constraints returns the acceleration (m/s²) car i's constraints allow,
// the least of those that apply, the bound vmax (m/s) on its displacement
// over the step that keeps it off the vehicles ahead, and its desired speed
// v0 (m/s) after any speed advice. moveChunk clamps the speed they give
// (clampSpeed).
func (s *Sim) constraints(si int32, seg *segment, cars []car, i int, lead *leader, vt *VType) (a, vmax, v0 float64) {
	c := &cars[i]
	v := c.speed
	v0 = vt.desired(seg.speed, c.factor)
	vAdv, onGreen := math.Inf(1), false
	if x := s.v2x; x != nil && c.flags&fConnected != 0 && !s.isLink(si) && c.next >= 0 && x.rsu[s.laneT[si].node] != nil {
		vAdv, onGreen, v0 = s.speedAdvice(si, seg, c, v0)
	}
	rnd := 0.0
	if vt.drawsRand {
		rnd = s.uniform(streamDawdle, uint64(c.id), uint64(s.step))
	}
	p := &vt.Follow
	var followed *leader // the leader on the segment, when the driver's model followed it
	// Car following: behind the leader on the segment (CACC when both are
	// equipped and the V2V message arrives), kept behind where that leader
	// ended its move; for the first vehicle, the free road and whatever
	// lies beyond the segment's end (lookAhead).
	switch {
	case i == 0:
		// A leader's constraint includes the free-road term, so the free
		// acceleration is only computed without one: when the model was
		// asked about no vehicle or obstacle beyond the segment's end
		// (lookAhead), nor will be about the stop line of a vehicle
		// refused entry (without GLOSA's green), or does not cover it
		// (coversFree: the direct models never answer a leader or an
		// obstacle with more, follow.TestFreeTops).
		var asked bool
		a, vmax, asked = s.lookAhead(si, seg, c, vt, v0, rnd)
		if !coversFree(vt) || !asked && (onGreen || c.flags&(fDecided|fPermit) != fDecided || c.next < 0 || s.isLink(si)) {
			a = min(a, s.accel(vt, v, math.Inf(1), 0, v0, rnd))
		}
	case s.caccBehind(c.flags, cars[i-1].flags, cars[i-1].id):
		// (The leader's fConnected flag and id: its move changes neither.)
		a, vmax = s.caccFollowing(cars, i, lead, vt, v0)
	default:
		followed = lead
		a = s.accel(vt, v, lead.pos-lead.length-c.pos, lead.speed, v0, rnd)
		vmax = s.behind(lead, c.pos)
	}
	if vAdv < math.Inf(1) {
		a = min(a, adviceAccel(vAdv, v, s.dt, p.Decel))
	}
	if !s.isLink(si) {
		if y := &s.yield[si]; y.at >= 0 {
			a = min(a, s.mergeYield(y, c, vt, v0, rnd, followed))
		}
	}
	if !s.isLink(si) && c.next >= 0 {
		switch {
		case c.flags&(fDecided|fPermit) == fDecided: // refused entry
			stopA, stopV := s.stopLine(seg, c, vt, v0, rnd, onGreen, followed)
			a, vmax = min(a, stopA), min(vmax, stopV)
		case c.flags&fPermit != 0 && c.link >= 0: // granted entry
			a = min(a, s.turnSpeed(seg, c, vt))
		}
	}
	return a, vmax, v0
}

// clampSpeed is the clamp on the next speed of a vehicle at speed v
// (m/s) whose constraints ask for acceleration a (m/s²) over a step of dt
// seconds: no harder braking than the emergency deceleration (m/s²) unless
// the vehicle ahead leaves no choice, and a displacement of at most vmax·Δt
// (with the ballistic update, a mean of the two speeds of at most vmax);
// never negative. hard reports a clamp beyond the emergency deceleration.
func clampSpeed(v, a, vmax, emergency, dt float64, ballistic bool) (nv float64, hard bool) {
	nv = v + float64(a*dt)
	if lo := v - float64(emergency*dt); nv < lo {
		nv = lo
	}
	lim := vmax
	if ballistic {
		lim = float64(2*vmax) - v
	}
	if nv > lim {
		hard = lim < v-float64(emergency*dt)-1e-9
		nv = lim
	}
	if nv < 0 {
		nv = 0
	}
	return nv, hard
}

// mayClampHard reports whether the clamp of the next speed of a vehicle
// held still (speed +0, acceleration 0) to the bound vmax (m/s) can be
// hard at all (clampSpeed(+0, 0, vmax, ...)'s hard): only when vmax is
// below 0, as for vehicles that overlap (rare). The held vehicles' short
// way in moveChunk works the clamp out for those alone. Exact: from +0 and
// a = 0 the clamp lowers the speed (and may call it hard) only to a limit
// below +0, the limit being vmax, or 2·vmax − 0 with the ballistic update:
// neither is below 0 unless vmax is (a NaN or −0 bound compares false both
// here and there). TestMayClampHard compares the two.
func mayClampHard(vmax float64) bool { return vmax < 0 }

// wantsToMove reports whether a vehicle of type vt with speed factor
// factor desires to move on a segment with speed limit limit (m/s):
// vt.desired(limit, factor) > 0, for the held vehicles' time lost, without
// working out the desired speed. Exact: the least of two numbers is above
// 0 exactly when both are (fminmax.Min of a NaN is a NaN, of +0 and −0 is
// −0, neither above 0). TestWantsToMove compares the two.
func wantsToMove(vt *VType, limit float64, factor float32) bool {
	return limit*float64(factor) > 0 && vt.MaxSpeed > 0
}

// hardClamp counts a clamp of car i of segment si beyond the emergency
// deceleration (at speed v, bound vmax).
func (s *Sim) hardClamp(si int32, i int, v, vmax float64, acc *stepAcc) {
	acc.hard++
	if debugHook != nil {
		debugHook(s, si, i, v, vmax)
	}
}

// caccFollowing is car following by CACC behind an equipped leader on
// the segment whose V2V status arrived: its planned speed reaches the
// follower within the step when the latency is under a step.
func (s *Sim) caccFollowing(cars []car, i int, lead *leader, vt *VType, v0 float64) (a, vmax float64) {
	c, dt := &cars[i], s.dt
	vl := lead.speed
	if s.v2x.cfg.Status.Latency < dt {
		vl = cars[i-1].speed
	}
	a = follow.CACCAccel(&vt.Follow, c.speed, lead.pos-lead.length-c.pos, vl, v0, dt, s.v2x.cfg.CACCTimeGap)
	return a, s.behind(lead, c.pos)
}

// speedAdvice counts the SPaT messages an equipped vehicle approaching a
// roadside unit's junction receives and returns GLOSA's advised speed
// (+Inf: none), whether the light will be green on arrival, and the
// desired speed: a little higher when the advice is to speed up.
func (s *Sim) speedAdvice(si int32, seg *segment, c *car, v0 float64) (vAdv float64, onGreen bool, desired float64) {
	s.countMessages(si, seg, c, seg.length-c.pos)
	vAdv, onGreen = s.glosa(si, c, seg.length-c.pos, v0)
	if vAdv > v0 && vAdv < math.Inf(1) {
		v0, vAdv = vAdv, math.Inf(1) // speed up a little: a higher target
	}
	return vAdv, onGreen, v0
}

// adviceAccel is the speed-advice constraint: reach the advised speed vAdv
// at a comfortable rate.
func adviceAccel(vAdv, v, dt, decel float64) float64 {
	if vAdv < v {
		return max((vAdv-v)/dt, -decel)
	}
	return (vAdv - v) / dt
}

// mergeYield is the merge-yield constraint on a lane with a vehicle beside
// it that must move into it and cannot (y, from Sim.yield, at ≥ 0): hold
// back behind that vehicle as long as stopping there is still comfortable
// (and the constraint of the leader on the segment the driver's model
// followed, if any, does not already ask as much: leaderCovers).
func (s *Sim) mergeYield(y *yieldPoint, c *car, vt *VType, v0, rnd float64, followed *leader) float64 {
	if gap := y.at - y.length - lcGap - c.pos; gap > 0 && c.speed*c.speed/(2*vt.Follow.Decel) < gap &&
		!s.leaderCovers(vt, followed, c, gap) {
		return s.accel(vt, c.speed, gap, 0, v0, rnd)
	}
	return math.Inf(1)
}

// leaderCovers reports whether the constraint of lead, the leader of car
// c on the segment as the driver's model followed it (nil: none), asks at
// least as much as a standing obstacle gapStop metres ahead of c would:
// then the model need not be asked about the obstacle (their least is the
// same). For the direct models (never with the test switch exactOnly:
// TestShortcutsExact; TestModelSeam compares with the models called
// through their interface, asked every time):
//
//   - a standing leader no farther than the obstacle: IDM (follow.IDMStep)
//     and CityFlow's rule (follow.CityFlowAccel) never ask less for a
//     larger gap to a standing leader (follow.TestStandingLeaderGap);
//   - a moving leader far enough before the obstacle, with CityFlow's
//     rule (follow.CityFlowCovers).
func (s *Sim) leaderCovers(vt *VType, lead *leader, c *car, gapStop float64) bool {
	if lead == nil || vt.direct == directNone || exactOnly {
		return false
	}
	gap := lead.pos - lead.length - c.pos
	if lead.speed == 0 {
		return gapStop >= gap
	}
	return vt.direct == directCityFlow && follow.CityFlowCovers(&vt.Follow, gap, lead.speed, gapStop, s.dt)
}

// stopLine is the stop-line constraint of a vehicle refused entry at the
// end of its road lane: stop before the line, unless GLOSA says the light
// will be green by the time it gets there (onGreen) or the constraint of
// the leader on the segment the driver's model followed (nil: none) asks
// at least as much (leaderCovers), and in any case never cross it (vmax).
func (s *Sim) stopLine(seg *segment, c *car, vt *VType, v0, rnd float64, onGreen bool, followed *leader) (a, vmax float64) {
	a = math.Inf(1)
	d := seg.length - c.pos
	if !onGreen && !s.leaderCovers(vt, followed, c, d-0.5) {
		a = s.accel(vt, c.speed, d-0.5, 0, v0, rnd)
	}
	return a, s.toLine(d)
}

// junctionQuiet reports whether the junction constraint of car c, a
// follower with a junction decision at the end of its road lane (c.next
// ≥ 0, fDecided), unequipped and behind lead, adds nothing to its car
// following behind lead (the driver's model, a direct one), so that
// constraints would give the acceleration and bound vmax (behind) of car
// following alone:
//
//   - refused entry, when lead's constraint covers the stop line
//     (leaderCovers: the model is not asked about it, stopLine's
//     acceleration is +Inf) and lead ended its move at or before the end
//     of the segment (end, m): then behind(lead) ≤ toLine, which bounds
//     the distance to the line, d = end − pos, from above (lead's back
//     at most end − length − tiny m, rounded monotonely, against d,
//     floored at 0), and the least of the two is behind's;
//   - granted entry, when it is not faster than the speed of its link
//     (turnSpeed's +Inf).
//
// TestJunctionQuiet compares constraints with car following alone
// wherever it says so; TestShortcutsExact compares whole runs with
// constraints asked for every vehicle (exactOnly, under which moveChunk
// does not call it).
func (s *Sim) junctionQuiet(end float64, c *car, lead *leader, vt *VType) bool {
	if c.flags&fPermit == 0 {
		return lead.newPos <= end && s.leaderCovers(vt, lead, c, end-c.pos-0.5)
	}
	return c.link < 0 || !(c.speed > vt.desired(s.segs[c.link].speed, c.factor))
}

// turnSpeed is the turn-speed constraint of a vehicle granted entry to its
// link at the end of its road lane: slow down at most comfortably to the
// speed of the link by the line.
func (s *Sim) turnSpeed(seg *segment, c *car, vt *VType) float64 {
	vk := vt.desired(s.segs[c.link].speed, c.factor)
	if !(c.speed > vk) {
		return math.Inf(1)
	}
	return s.slowTo(seg, c, vt, vk)
}

// slowTo is turnSpeed for a vehicle faster than vk (m/s), the desired
// speed on its link.
func (s *Sim) slowTo(seg *segment, c *car, vt *VType, vk float64) float64 {
	v, p := c.speed, &vt.Follow
	d := seg.length - c.pos
	allowed := math.Sqrt(float64(vk*vk) + float64(2*p.Decel*fminmax.Pos(d)))
	return max((allowed-v)/s.dt, -p.Decel)
}

// stands counts a step standing of a car of segment si. front says that
// it stands at the front of a road lane and is not held there by its
// light alone (moveChunk works that out: lightAlone). Once halted, a car
// that is not front only adds to its waiting time; otherwise standing
// also counts stops, holds and teleports. dt32 is float32(s.dt), worked
// out once per chunk by moveChunk.
func (s *Sim) stands(si int32, c *car, front bool, chunk int, dt32 float32) {
	if !front && c.flags&fHalted != 0 {
		c.wait += dt32
		return
	}
	s.standing(si, c, front, chunk)
}

// lightAlone reports whether car c, standing at the front of a road
// lane, is held there by its light alone (fRed without fRoom), with its
// link chosen and no hold time counted (held +0). Then standing counts
// the same with front false, and so stands need not call it once the
// vehicle has halted (most vehicles waiting at a red light): its hold
// time stays +0, a vehicle held by its light is no candidate for a
// teleport, nor one with a link for a reroute after a missed turn
// (TestStandsLightAlone).
func (c *car) lightAlone() bool {
	return c.flags&(fRed|fRoom) == fRed && c.link >= 0 && math.Float32bits(c.held) == 0
}

// standing counts a step a car of segment si stands (below 0.1 m/s):
// its standing time, how long a road lane's front vehicle (front) has
// been held by something other than a red light, a stop when it had been
// moving, and, at the front of a road lane, whether it is a candidate for
// a teleport or a reroute after a missed turn. (A front vehicle held by
// its light alone may come with front false: lightAlone.)
func (s *Sim) standing(si int32, c *car, front bool, chunk int) {
	dt := s.dt
	c.wait += float32(dt)
	if front {
		if c.flags&(fRed|fRoom) == fRed {
			c.held = 0 // only the light holds it: nothing is stuck
		} else {
			c.held += float32(dt)
		}
	}
	if c.flags&fHalted == 0 {
		c.flags |= fHalted
		s.veh[c.id].stops++
		s.acc[si].stops++
	}
	if front && c.next >= 0 {
		if s.cfg.Teleport > 0 && float64(c.wait) >= s.cfg.Teleport && c.flags&fRed == 0 {
			s.teleCand[chunk] = append(s.teleCand[chunk], tele{seg: si, id: c.id})
		} else if c.link < 0 && float64(c.wait) >= rerouteWait && int64(float64(c.wait)/s.dt)%int64(rerouteWait/s.dt) == 0 {
			s.teleCand[chunk] = append(s.teleCand[chunk], tele{seg: si, id: c.id, reroute: true})
		}
	}
}

// leave handles car c past the end of its segment: it arrives at the end
// of its destination road, or goes to the outbox (of the segment's chunk)
// with the segment and position it ends the step on.
func (s *Sim) leave(si int32, seg *segment, c *car, acc *stepAcc) {
	over := c.pos - seg.length
	switch {
	case !s.isLink(si) && c.next < 0:
		acc.arrivals = append(acc.arrivals, arrival{id: c.id, wait: c.wait, fuel: c.fuel})
	case !s.isLink(si):
		k := &s.segs[c.link]
		target, pos := c.link, over
		if over >= k.length {
			kl := s.linkLane[c.link]
			target, pos = kl, min(over-k.length, s.segs[kl].length-tiny)
		}
		acc.out = append(acc.out, outCar{c: *c, target: target, pos: pos})
		setBit(s.incoming, target)
	default:
		t := s.linkLane[si]
		acc.out = append(acc.out, outCar{c: *c, target: t, pos: min(over, s.segs[t].length-tiny)})
		setBit(s.incoming, t)
	}
}

// phaseMove runs the move phase (step order 3), chunk by chunk: moveChunk,
// then nextRoads for the chunk's outbox.
//
// It takes the chunks from the last down (pool.runDown; upwards within
// each chunk), for the cache: the junction phase just before went up
// through the nodes and ended on the links and lanes of the last ones,
// which lie at the top of Sim.segs, so the move phase starts with what is
// still in the core's cache (on grid32 each phase touches 3-4 MB, the L2
// holds 1 MB), and ends on the low lanes the lane-change phase starts
// with. Any chunk order gives the same results: a chunk writes only its
// own segments, vehicles and accumulator (merged in chunk order), and
// reads of other segments only what the move phase does not change; the
// test switch moveUp takes the chunks upwards instead (TestWalkOrder).
func (s *Sim) phaseMove() {
	nc := chunks(len(s.segs))
	run := s.par.runDown
	if moveUp {
		run = s.par.run
	}
	run(nc, func(c int) {
		acc := &s.chunkAcc[c]
		// Only segments with vehicles move (most links have none).
		acc.arrivals, acc.out = acc.arrivals[:0], acc.out[:0]
		s.teleCand[c] = s.teleCand[c][:0]
		if s.live[c] != 0 {
			s.moveChunk(c, acc)
			s.nextRoads(acc.out)
		}
	})
}

// moveUp, for tests, has the move phase take its chunks upwards (pool.run)
// as it did before: TestWalkOrder checks that the order changes nothing.
var moveUp bool

// nextRoads moves the route of each vehicle in out that reaches a road
// lane (a new road) on by one road and reads its next two roads (car.next,
// next2) from it, for pull. Done here, in one short loop over a chunk's
// outbox, rather than in pull one vehicle at a time between the lists it
// builds: the vehicle and route records, cold in large networks, are read
// for several vehicles at once. (Nothing reads a vehicle's route position
// between the move and transfer phases.)
func (s *Sim) nextRoads(out []outCar) {
	for k := range out {
		o := &out[k]
		if s.isLink(o.target) {
			continue
		}
		s.veh[o.c.id].ri++
		o.c.next, o.c.next2 = s.roadAfter(o.c.id, 1), s.roadAfter(o.c.id, 2)
	}
}

const tiny = 0.01 // m, least distance kept between vehicles

// accel dispatches to the vehicle type's car-following model.
func (s *Sim) accel(vt *VType, v, gap, vl, v0, rnd float64) float64 {
	return modelAccel(vt, v, gap, vl, v0, s.dt, rnd)
}

// coversFree reports whether the model of vehicle type vt asks no more
// for a leader or a standing obstacle at any finite gap than for the free
// road, as computed and in the order min takes: the direct models
// (follow.TestFreeTops), never with the test switch exactOnly
// (TestShortcutsExact; TestModelSeam compares with the models called
// through their interface, which are not direct). The free-road term
// then adds nothing to the least of a vehicle's constraints once the
// model was asked about a leader or an obstacle.
func coversFree(vt *VType) bool { return vt.direct != directNone && !exactOnly }

// lookAhead returns the least acceleration (m/s²) and the bound vmax
// (m/s) that the constraints beyond the end of the segment allow the
// first vehicle (+Inf: none): the last vehicle of the next segment on its
// path (assumed to brake as hard as it can), and on links the first
// vehicles of links merging into the same lane that are closer to the
// merge; and whether the driver's model was asked about one of them or
// about a stop line ahead (asked; CACC is not the model).
//
// Whether the lane after the link is shorter than the vehicle's approach
// zone (short, stopAhead's first test) is asked before keep's call for the
// last vehicle on it: approachZoneT reads the vehicle's speed and type and
// the lane's length, none of which keep writes (it writes b alone), so the
// comparison has the same value before as after. With neither a merging
// link to look at nor a short lane (most first vehicles), lookAhead then
// returns right after that call, as it would have after testing both:
// nothing else is kept across the call for the rest of the function.
// The model's call for the stop line ahead reads the desired speed and
// the draw from b (b.v0, b.rnd: set from v0 and rnd, which keep never
// writes), so that neither argument is live past b's fields and neither
// is saved on entry for that rare call: the same values.
func (s *Sim) lookAhead(si int32, seg *segment, c *car, vt *VType, v0, rnd float64) (a, vmax float64, asked bool) {
	if !s.isLink(si) && (c.next < 0 || c.flags&fPermit == 0 || c.link < 0) {
		return math.Inf(1), math.Inf(1), false
	}
	// (Field by field: from a composite literal the compiler built b in a
	// temporary and copied it.)
	var b beyond
	b.s, b.c, b.vt, b.v0, b.rnd, b.a, b.vmax = s, c, vt, v0, rnd, math.Inf(1), math.Inf(1)
	d := seg.length - c.pos
	// lo is Sim.jm.lo of the node of the links looked at (−1: no masks,
	// or not looked up), x the shown bits from it.
	lo, x := int32(-1), uint64(0)
	if !s.isLink(si) {
		// Links leaving one lane overlap where they start: keep behind
		// the last vehicle on each of them, not only on this one's (as
		// CityFlow does; SUMO until the paths have separated).
		// (c.link and the bitmap's slice, which nothing here changes, read
		// once for the loop.)
		link, shown := c.link, s.shown
		if lo = s.jm.lo[s.laneT[si].node]; lo >= 0 {
			// At a node with masks, those links in one look at the
			// bitmap (sideLinks): most lanes have none.
			x = bitsFrom(shown, lo)
			for m := sideLinks(x, lo, s.jm.out[si], link); m != 0; m &= m - 1 {
				ls := &s.segs[lo+int32(bits.TrailingZeros64(m))]
				b.keep(d+ls.tail.pos-float64(ls.tail.length), &ls.tail, true)
			}
		} else {
			for _, l := range s.ids(s.laneT[si].links) {
				if l != link && hasBit(shown, l) {
					ls := &s.segs[l]
					b.keep(d+ls.tail.pos-float64(ls.tail.length), &ls.tail, true)
				}
			}
		}
		k := &s.segs[c.link]
		if k.tail.n > 0 {
			b.keep(d+k.tail.pos-float64(k.tail.length), &k.tail, true)
			return b.a, b.vmax, b.asked
		}
		d += k.length
		si = c.link
	}
	// On link si, d metres from its end.
	tl := s.linkLane[si]
	t := &s.segs[tl]
	// Whether mergeLeaders has anyone to keep behind, asked before the
	// call for the last vehicle on tl (nothing kept across it; the
	// question reads nothing keep writes): from a lane at a node with
	// masks in the bits read already (mergeMask).
	var merge bool
	if lo >= 0 {
		merge = s.mergeMask(x, lo, si)
	} else {
		merge = s.mergeAhead(s.ids(s.lt(si).merging))
	}
	short := t.length < approachZoneT(c.speed, vt)
	if t.tail.n > 0 {
		b.keep(d+t.tail.pos-float64(t.tail.length), &t.tail, true)
		if !merge && !short {
			return b.a, b.vmax, b.asked
		}
	}
	if merge {
		s.mergeLeaders(d, si, s.ids(s.lt(si).merging), &b)
	}
	if short && s.stopAhead(tl, c, vt) {
		b.a, b.asked = min(b.a, s.accel(vt, c.speed, d+t.length-0.5, 0, b.v0, b.rnd)), true
	}
	return b.a, b.vmax, b.asked
}

// beyond is lookAhead's car following of first vehicle c (of type vt,
// desired speed v0, model draw rnd) with the vehicles beyond its
// segment's end: the least acceleration a (m/s²) and bound vmax (m/s)
// so far, and whether the driver's model was asked (asked).
type beyond struct {
	s       *Sim
	c       *car
	vt      *VType
	v0, rnd float64
	a, vmax float64
	asked   bool
}

// keep applies the vehicle ahead at gap: on this vehicle's own path
// (path) CACC when both are equipped and the V2V message arrives — the
// leader is on another segment, moved in parallel, so its speed at the
// start of the step stands in for its plan — and the driver's model
// otherwise, merging vehicles included.
//
// (The bound first: then nothing but b is kept across the model's call.
// The two touch different fields of b, from values neither changes.)
//
// For IDM with δ = 4 (directIDM4) and CityFlow's model keep calls
// follow.IDM4Step or follow.CityFlowAccel itself, as modelAccel would (the
// same arguments, the step s.dt; neither draws), without modelAccel's
// frame between. TestModelSeam compares whole runs
// with the models called through their interface.
func (b *beyond) keep(gap float64, h *info, path bool) {
	s, c, dt := b.s, b.c, b.s.dt
	if gap > 0 {
		// Never reach the leader even if it brakes as hard as it can.
		// (A negative gap is a vehicle beside this one on a merging
		// path: braking as hard as allowed sorts them out, and the
		// transfer phase keeps them apart on the lane.)
		worst := fminmax.Pos(h.speed - float64(s.vtypes[h.vt].Follow.EmergencyDecel*dt))
		if s.cfg.Ballistic {
			worst = (h.speed + worst) / 2
		}
		b.vmax = min(b.vmax, follow.PerStep(fminmax.Pos(gap-tiny+float64(worst*dt)), dt))
	}
	if path && s.caccBehind(c.flags, h.flags, h.id) {
		b.a = min(b.a, follow.CACCAccel(&b.vt.Follow, c.speed, gap, h.speed, b.v0, dt, s.v2x.cfg.CACCTimeGap))
	} else if d := b.vt.direct; d == directIDM4 { // modelAccel's calls, made here
		b.a, b.asked = min(b.a, follow.IDM4Step(&b.vt.Follow, c.speed, gap, h.speed, b.v0, dt)), true
	} else if d == directCityFlow {
		b.a, b.asked = min(b.a, follow.CityFlowAccel(&b.vt.Follow, c.speed, gap, h.speed, b.v0, dt)), true
	} else {
		b.a, b.asked = min(b.a, s.accel(b.vt, c.speed, gap, h.speed, b.v0, b.rnd)), true
	}
}

// stopAhead reports whether a vehicle about to enter lane t would meet no
// green link towards its next road with room behind the exit lane's queue
// (fits): the stop line at t's end then slows it already (a soft
// constraint: the junction decides once the vehicle is on t). It is asked
// only about a lane too short for the vehicle to ask for entry at its end
// in time, shorter than its approach zone: lookAhead tests that before the
// call (most lanes are not, and the call is saved).
func (s *Sim) stopAhead(t int32, c *car, vt *VType) bool {
	lane := &s.segs[t]
	nr := c.next2
	if nr < 0 {
		return false
	}
	// Stop ahead when no link towards the next road shows green with room
	// behind its exit lane's queue (fits). A lane with no link towards it
	// at all, too short to hold the vehicle (netconvert makes lanes of
	// 0.2 m where ways meet), is not stopped for here: a vehicle stopping
	// before it would stand in the link behind, never reach its end, and
	// never find out there that it must take another way (reroute.go); it
	// enters the lane and stops at its end. Before a longer lane it slows
	// down, to change lanes there or stop.
	leads := false
	for _, k := range s.ids(s.laneT[t].links) {
		kl := s.linkLane[k]
		if s.segRoad[k] != nr || s.closed[kl] {
			continue
		}
		leads = true
		if s.lights[s.linkMov[k]].IsGreen() && s.fits(kl, nil, c, vt.Follow.MinGap, 2) {
			return false
		}
	}
	return leads || lane.length >= float64(c.length)+vt.Follow.MinGap
}

// mergeAhead reports whether a link of merging (the links merging with
// another into the same lane) holds a vehicle or has the first vehicle of
// its lane granted entry to it: what mergeLeaders looks for, without
// what it does with them. Most links find neither (New York: 37 vehicles
// kept behind in 13,700 links looked at), and lookAhead calls
// mergeLeaders only when this finds one; it inlines, a loop without
// calls (nothing saved and reloaded around them per link). The two
// slices it reads are read once for the loop (in it, the compiler read
// them again for every link): nothing here changes them.
func (s *Sim) mergeAhead(merging []int32) bool {
	shown, headTo := s.shown, s.headTo
	for _, m := range merging {
		if hasBit(shown, m) || granted(headTo, m) {
			return true
		}
	}
	return false
}

// grantedTo reports whether the first vehicle of the lane link m leaves
// was granted entry to m (as refresh last saw it: Sim.headTo).
func (s *Sim) grantedTo(m int32) bool { return granted(s.headTo, m) }

// granted is grantedTo given Sim.headTo, for loops that read the slice
// once (mergeAhead, mergeMask).
func granted(headTo []uint16, m int32) bool {
	return headTo[m]&(hdMark|fPermit) == hdMark|fPermit
}

// mergeLeaders has b keep behind the vehicles that will reach the lane at
// the end of link self before a vehicle r metres from it: the first vehicle
// on each merging link, and the first vehicle of the lane feeding it when
// that vehicle is granted entry to it. Ties go to the lower link id.
// (lookAhead calls it only when mergeAhead finds one of them.)
func (s *Sim) mergeLeaders(r float64, self int32, merging []int32, b *beyond) {
	for _, m := range merging {
		ahead := func(rm float64) bool { return rm < r || rm == r && m < self }
		switch {
		case hasBit(s.shown, m): // vehicles on m: its first
			ms := &s.segs[m]
			if rm := ms.length - ms.head.pos; ahead(rm) {
				b.keep(r-rm-float64(ms.head.length), &ms.head, false)
			}
		case s.grantedTo(m): // the first vehicle of m's lane, granted entry to m
			ms := &s.segs[m]
			f := &s.segs[s.fromOf(m)]
			if rm := f.length - f.head.pos + ms.length; ahead(rm) {
				b.keep(r-rm-float64(f.head.length), &f.head, false)
			}
		}
	}
}

// sideLinks returns, as bits from lo (Sim.jm.lo of a lane's end node, a
// node with masks), the links of out (Sim.jm.out: the links leaving the
// lane) other than link that hold vehicles as refresh last saw them (x:
// Sim.shown's bits from lo, bitsFrom): those lookAhead keeps behind for a
// first vehicle taking link, the links it tests one by one at a node
// without masks. Exact: the
// bits of out are the lane's links, each at its own place (the node's
// links, and only they, lie within 64 of lo), so the bits left are the
// links l of the lane with l ≠ link and hasBit(shown, l); a link outside
// the window (never a link of the lane) clears no bit, the shift by 64
// or more giving 0. Shown does not change in the move phase (refresh
// alone writes it), so the word read once, whichever worker reads it, is
// the bits read one by one; and keep's results do not depend on the order
// of the links, ascending here, listed there: min is symmetric and
// associative (NaN and −0 included) and asked an or. (8 bytes per lane
// for the mask; a lane's links cost ~25 instructions fewer on grid32.)
// TestSideLinks compares with the test one by one; TestJunctionMasks
// compares whole runs without masks (the test one by one).
func sideLinks(x uint64, lo int32, out uint64, link int32) uint64 {
	return x & out &^ (1 << uint32(link-lo))
}

// mergeMask is mergeAhead for link self at a node with masks (lo:
// Sim.jm.lo ≥ 0), given the shown bits from lo (x: bitsFrom, which
// lookAhead has read for sideLinks): the links into self's exit lane
// other than self (jmLink.merge) are self's merging links, and x tells at once
// whether one holds a vehicle; only when none does are they asked one by
// one whether the first vehicle of their lane was granted entry
// (grantedTo), without the topology list. Exact: the links into a lane
// leave one node's lanes, within 64 of its lo, each at its own bit, and
// merging lists exactly those other than self (buildSegments); shown and
// headTo do not change in the move phase, and whether one of them holds
// does not depend on the order they are asked in. TestMergeAhead
// compares it with mergeAhead.
func (s *Sim) mergeMask(x uint64, lo, self int32) bool {
	m := s.jm.link[int(self)-s.nLanes].merge
	if x&m != 0 {
		return true
	}
	headTo := s.headTo
	for ; m != 0; m &= m - 1 {
		if granted(headTo, lo+int32(bits.TrailingZeros64(m))) {
			return true
		}
	}
	return false
}
