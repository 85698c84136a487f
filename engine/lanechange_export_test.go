package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// LaneChangeCutCounts counts the cases CheckLaneChangeCuts met, so that a
// test can tell that it exercised each short way.
type LaneChangeCutCounts struct {
	Passed, Planned int // vehicles toDecideOn passed; of them with a lane plan
	Stopped         int // vehicles with a lane plan toDecideOn stopped at, their lane leading on
	Swaps, Found    int // swapPartner calls; with a partner found
	// MOBIL evaluations (mobilLane); of them with a change, and with the
	// vehicle impeded but fitting into no lane by the gaps (its own
	// terms not computed).
	Mobil, Changes, NoFit int
	// Lanes noGain rules out (and how many of them the change was safe
	// to, with an incentive found ≤ 0); of them the lanes it rules out
	// by IDM's gap ratio (idmQ), the new leader being farther ahead or
	// faster than the leader.
	NoGain, NoGainSafe, NoGainQ int
	// Of the NoGainQ lanes, those with the gap ratio smaller behind the
	// new leader, the own term bounded by ownBound.
	NoGainOwn int
	// Of the NoGain lanes, those of a vehicle with an old follower, its
	// term at most the threshold.
	NoGainO int
	// Lanes whose new follower's term newFollowerLoses finds ≤ 0, so that
	// mobilOwn's terms bound the incentive; of them the lanes the bound
	// rules out (not above the threshold) with the change safe.
	Bounded, BoundedOut int
	// Of the Bounded lanes, those whose new follower newFollowerLoses
	// rules on by IDM's gap ratio (followerLoses), c being faster than the
	// new leader.
	BoundedQ int
	// Lanes to which the vehicle's own term a'_c − a_c exceeds the
	// threshold (IDM, the same speed limit), so that mobilLane takes it
	// as impeded without its free-road acceleration.
	OwnImpeded int
	// MOBIL evaluations with a lane either side that both pass
	// mobilLane's tests (the gaps, noGain at the threshold, serves), so
	// that mobilFrom tests and evaluates a lane after the first.
	Both int
}

// CheckLaneChangeCuts checks the short ways of the lane-change phase
// against the full paths they stand for, on s's state (between steps),
// and adds what it met to n:
//
//   - the lanes the walk without MOBIL passes by their lcAttn bit have no
//     vehicle that may decide a change (checkLaneAttn);
//   - toDecideOn passes only vehicles for which decide does nothing: no
//     change, no yield point (MOBIL off, as it is used);
//   - swapPartner, which returns at once on a target lane without the
//     lcAttn bit and stops at the first vehicle wholly behind the
//     changer, finds the partner a scan of the whole target lane finds;
//   - with MOBIL on, mobilLane (the gaps to the target lanes first, the
//     vehicle's own terms only when one fits, its acceleration carried
//     along the lane from the vehicle before) picks, for each vehicle
//     changeLanes gives it, the lane the full evaluation (mobilFull)
//     picks; and wherever noGain rules a lane out, the full evaluation
//     finds the change unsafe or an incentive ≤ 0; and wherever
//     newFollowerLoses finds the new follower's term ≤ 0, the incentive
//     the full evaluation finds is at most mobilOwn's terms' sum; and
//     wherever the own term exceeds the threshold (IDM, the same speed
//     limit), the vehicle is impeded.
func (s *Sim) CheckLaneChangeCuts(n *LaneChangeCutCounts) error {
	if err := s.checkLaneLayout(); err != nil {
		return err
	}
	if err := s.checkLaneAttn(); err != nil {
		return err
	}
	period := int64(max(1, math.Round(1/s.dt)))
	for r := range s.net.Roads {
		ids := s.net.Roads[r].Lanes
		lanes := lanesOf(ids)
		if len(ids) < 2 {
			continue
		}
		sc := &lcScratch{}
		if len(s.lcs) > 0 {
			sc.lay = s.lcs[0].lay
		}
		sc.nb.reset()
		for li, l := range ids {
			seg := &s.segs[l]
			cars := seg.cars
			next := nowCarry{i: -1}
			for i := range cars {
				c := &cars[i]
				if !s.cfg.LaneChange || i == 0 || c.flags&fPermit != 0 || !noStrategic(c) || c.flags&fPlanned != 0 ||
					!s.mobilDue(seg.length, c, period) || c.pos < min(float64(c.length), seg.length-lcGap) || s.farBehind(c, &cars[i-1]) {
					continue // not changeLanes's common case
				}
				got := s.mobilLane(seg, i, &lanes, li, sc, &next)
				want, noFit, err := s.mobilFull(seg, i, &lanes, li, n)
				if err != nil {
					return fmt.Errorf("lane %d vehicle %d: %v", l, c.id, err)
				}
				if got != want {
					return fmt.Errorf("lane %d vehicle %d: mobilLane moves it to lane %d, the full evaluation to %d", l, c.id, got, want)
				}
				n.Mobil++
				if s.bothPass(seg, i, &lanes, li) {
					n.Both++
				}
				if got >= 0 {
					n.Changes++
				}
				if noFit {
					n.NoFit++
				}
			}
			for i := 0; !s.cfg.LaneChange && i < len(cars); i++ { // toDecideOn: MOBIL off
				next := s.toDecideOn(int32(l), cars, i)
				for k := i; k < next; k++ {
					if cars[k].flags&fPermit != 0 {
						continue // changeLanes passes these too
					}
					if err := s.decidesNothing(seg, k, &lanes, li, period); err != nil {
						return fmt.Errorf("lane %d: toDecideOn passes vehicle %d (index %d), but %v", l, cars[k].id, k, err)
					}
					n.Passed++
					if cars[k].flags&fPlanned != 0 {
						n.Planned++
					}
				}
				if c := &cars[min(next, len(cars)-1)]; next < len(cars) && c.link >= 0 && c.flags&(fPlanned|fAhead) == fPlanned {
					n.Stopped++
				}
				i = next
			}
			for i := range cars {
				for _, dir := range [2]int{-1, 1} {
					if t := li + dir; t < 0 || t >= len(ids) {
						continue
					}
					got, want := s.swapPartner(seg, i, &lanes, li, dir), s.swapPartnerScan(seg, i, &lanes, li, dir)
					if got != want {
						return fmt.Errorf("lane %d vehicle %d towards %+d: swapPartner %d, a scan of the whole lane %d", l, cars[i].id, dir, got, want)
					}
					n.Swaps++
					if got >= 0 {
						n.Found++
					}
				}
			}
		}
	}
	return nil
}

// bothPass reports whether car i of lane lanes[li] (seg) has a lane
// either side and both pass mobilLane's tests at the threshold.
func (s *Sim) bothPass(seg *segment, i int, lanes *roadLanes, li int) bool {
	if li == 0 || li+1 >= lanes.n {
		return false
	}
	c := &seg.cars[i]
	for _, t := range [2]int{li - 1, li + 1} {
		var nb nbCache
		nb.reset()
		var old mobilOld
		tl := lanes.lane(t)
		fits, lead, fol := s.lcGaps(seg, i, tl, &nb)
		if !fits || s.noGain(seg, i, tl, lead, fol, &old, s.cfg.LaneChangeThreshold) || c.next >= 0 && !s.serves(tl, c.next) {
			return false
		}
	}
	return true
}

// checkLaneLayout checks that the lane-change phase's dense copy of the
// lanes' layout by road (laneLayout) answers what it stands for: roadOf
// gives each lane's road's lanes and the lane's index among them as the
// road's and the lane's records do, and laneAt.lo is the junction masks'
// first link of the node the lane starts at. A Sim that has not run the phase yet (or a fresh
// clone) has no layout to check.
func (s *Sim) checkLaneLayout() error {
	if len(s.lcs) == 0 || s.lcs[0].lay == nil {
		return nil
	}
	for l := range int32(s.nLanes) {
		lanes, li := s.lcs[0].lay.roadOf(l)
		got := make([]maps.LaneID, lanes.n)
		for k := range got {
			got[k] = maps.LaneID(lanes.lane(k))
		}
		if want := s.net.Roads[s.segRoad[l]].Lanes; !slices.Equal(got, want) || li != s.net.Lanes[l].Index {
			return fmt.Errorf("lane %d: layout gives lane %d of road lanes %v, the network lane %d of %v", l, li, got, s.net.Lanes[l].Index, want)
		}
		if lo, want := s.lcs[0].lay.at[l].lo, s.jm.lo[s.net.Roads[s.segRoad[l]].From]; lo != want {
			return fmt.Errorf("lane %d: layout gives %d as its start node's first masked link, the junction masks %d", l, lo, want)
		}
	}
	return nil
}

// mobilFull is mobilLane without its short ways: the vehicle's own terms
// found first, each lane's evaluation from scratch. It also reports
// whether the vehicle is impeded and fits into no lane by the gaps, and
// an error where noGain rules out a lane the full evaluation finds a
// change to safe with an incentive > 0 (counted in n).
func (s *Sim) mobilFull(seg *segment, i int, lanes *roadLanes, li int, n *LaneChangeCutCounts) (best int32, noFit bool, err error) {
	c, l := &seg.cars[i], &seg.cars[i-1]
	p := &s.vtypes[c.vt].Follow
	gap := l.pos - float64(l.length) - c.pos
	if ss := p.MinGap + float64(c.speed*p.Headway) + max(0, c.speed*(c.speed-l.speed))/(2*math.Sqrt(p.Accel*p.Decel)); gap > 4*ss && p.Accel/16 <= s.cfg.LaneChangeThreshold {
		return -1, false, nil // far behind its leader: part of the model
	}
	now := s.accBehind(c, seg, l)
	// Not impeded: no change; the lanes are evaluated all the same, to
	// check the claims below.
	impeded := s.accBehind(c, seg, nil)-now > s.cfg.LaneChangeThreshold
	bestGain, best, noFit := s.cfg.LaneChangeThreshold, int32(-1), true
	for t := li - 1; t <= li+1; t += 2 {
		if t < 0 || t >= lanes.n {
			continue
		}
		tl := lanes.lane(t)
		if c.next >= 0 && !s.serves(tl, c.next) {
			continue
		}
		var nb nbCache // empty: the search from the front
		nb.reset()
		fits, lead, fol := s.lcGaps(seg, i, tl, &nb)
		if !fits {
			continue
		}
		noFit = false
		vt := &s.vtypes[c.vt]
		own, oTerm, hasO := s.mobilOwn(seg, i, tl, lead, &mobilOld{now: now}, vt, vt.desired(seg.speed, c.factor))
		// mobilOwn's terms as accBehind finds them.
		ts := &s.segs[tl]
		var newLeader *car
		if lead >= 0 {
			newLeader = &ts.cars[lead]
		}
		wOwn, wO := s.accBehind(c, ts, newLeader)-now, 0.0
		if i+1 < len(seg.cars) {
			o := &seg.cars[i+1]
			wO = float64(s.cfg.Politeness * (s.accBehind(o, seg, l) - s.accBehind(o, seg, c)))
		}
		if own != wOwn || oTerm != wO || hasO != (i+1 < len(seg.cars)) {
			return -1, false, fmt.Errorf("lane %d: mobilOwn's terms %g, %g (%v), accBehind's %g, %g", tl, own, oTerm, hasO, wOwn, wO)
		}
		if own > s.cfg.LaneChangeThreshold && vt.direct.idm() && ts.speed == seg.speed {
			n.OwnImpeded++
			if !impeded {
				return -1, false, fmt.Errorf("lane %d: own term %g above the threshold, yet the vehicle is not impeded", tl, own)
			}
		}
		g, ok := s.mobilGain(seg, i, tl, lead, fol, nil, own, oTerm, hasO)
		if s.newFollowerLoses(&s.segs[tl], c, lead, fol) {
			bound := own
			if hasO {
				bound += oTerm
			}
			n.Bounded++
			if fol >= 0 && lead >= 0 && ts.cars[lead].speed < c.speed {
				n.BoundedQ++
			}
			if ok && g > bound {
				return -1, false, fmt.Errorf("lane %d: newFollowerLoses, but the incentive %g exceeds its bound %g", tl, g, bound)
			}
			if ok && !(bound > s.cfg.LaneChangeThreshold) {
				n.BoundedOut++
			}
		}
		if s.noGain(seg, i, tl, lead, fol, &mobilOld{}, s.cfg.LaneChangeThreshold) {
			n.NoGain++
			if ok {
				n.NoGainSafe++
			}
			ownUp := false // the own term bounded by ownBound, not found ≤ 0
			if nl := &ts.cars[lead]; nl.speed > l.speed || nl.pos-float64(nl.length) > l.pos-float64(l.length) {
				n.NoGainQ++
				p := &vt.Follow
				if ownUp = idmQ(p, c.speed, nl.pos-float64(nl.length)-c.pos, nl.speed) < idmQ(p, c.speed, l.pos-float64(l.length)-c.pos, l.speed); ownUp {
					n.NoGainOwn++
				}
			}
			// mobilLane's bound rules the lane out alike: the new
			// follower's term is ≤ 0, and the own and old follower's
			// terms sum to at most the threshold.
			bound := own
			if hasO {
				bound += oTerm
			}
			if !s.newFollowerLoses(ts, c, lead, fol) || bound > s.cfg.LaneChangeThreshold {
				return -1, false, fmt.Errorf("noGain rules lane %d out, yet mobilLane's bound would not: own term %g, old follower's %g", tl, own, oTerm)
			}
			// At most 0 for the last vehicle of its lane, else at most
			// the old follower's term, itself at most the threshold; at
			// most the threshold where ownBound bounds the own term.
			most := 0.0
			if ownUp {
				most = s.cfg.LaneChangeThreshold
			}
			if i+1 < len(seg.cars) {
				n.NoGainO++
				if most = s.cfg.LaneChangeThreshold; !(oTerm <= most) {
					return -1, false, fmt.Errorf("noGain rules lane %d out, the old follower's term %g exceeds the threshold", tl, oTerm)
				}
			}
			if ok && g > most {
				return -1, false, fmt.Errorf("noGain rules lane %d out, the full evaluation finds a safe change with incentive %g", tl, g)
			}
		}
		if !ok || g <= bestGain {
			continue
		}
		if c.flags&fAhead == 0 && c.next2 >= 0 && !s.changeable(c.next, float64(c.length)) {
			if cur, _ := s.aheadLanes(c.id, float64(c.length)); cur>>t&1 == 0 {
				continue
			}
		}
		bestGain, best = g, tl
	}
	if !impeded {
		return -1, false, nil
	}
	return best, noFit, nil
}

// decidesNothing runs decide on car i of lane lanes[li] (seg) and reports
// an error if it decides a change or sets a yield point; it leaves the
// yield points as they were.
func (s *Sim) decidesNothing(seg *segment, i int, lanes *roadLanes, li int, period int64) error {
	// decide sets yield points on the road's own lanes only.
	yields := make([]yieldPoint, lanes.n)
	for k := range lanes.n {
		l := lanes.lane(k)
		yields[k] = s.yield[l]
	}
	var sc lcScratch
	sc.nb.reset()
	next := nowCarry{i: -1}
	s.decide(seg, i, lanes, li, period, &sc, &next)
	set := 0
	for k := range lanes.n {
		l := lanes.lane(k)
		if s.yield[l] != yields[k] {
			set++
		}
		s.yield[l] = yields[k]
	}
	if len(sc.moves) > 0 || len(sc.yielded) > 0 || set > 0 {
		return fmt.Errorf("decide decides %d changes and sets %d yield points", len(sc.moves), set)
	}
	return nil
}

// swapPartnerScan is swapPartner scanning every vehicle of the target lane.
func (s *Sim) swapPartnerScan(seg *segment, i int, lanes *roadLanes, li, dir int) int32 {
	c := &seg.cars[i]
	to := lanes.lane(li + dir)
	for j := range s.segs[to].cars {
		y := &s.segs[to].cars[j]
		if y.pos-float64(y.length) >= c.pos || c.pos-float64(c.length) >= y.pos || y.pos < float64(y.length) {
			continue // not side by side, or not wholly on its lane
		}
		if y.next >= 0 && y.link < 0 && s.towards(lanes, li+dir, y.next) == -dir {
			return y.id
		}
	}
	return -1
}

// ReplanExits gives every vehicle with a lane plan and no lanes to keep to
// after, on a lane of a road of several lanes that leads on, a planned
// exit on another lane of the road: a vehicle off its planned lane, on a
// lane that leads on, which the CityFlow runs rarely meet. It changes
// s's plans (on copies: a clone shares them with the original) and
// returns how many vehicles it replanned.
func (s *Sim) ReplanExits() int {
	s.plans = slices.Clone(s.plans)
	n := 0
	for l := range int32(s.nLanes) {
		lanes := s.net.Roads[s.segRoad[l]].Lanes
		if len(lanes) < 2 {
			continue
		}
		for i := range s.segs[l].cars {
			c := &s.segs[l].cars[i]
			v := &s.veh[c.id]
			p := s.plans[v.route]
			if c.flags&(fPlanned|fAhead) != fPlanned || c.link < 0 || c.next < 0 || p == nil {
				continue
			}
			q := &lanePlan{arrive: p.arrive, exit: slices.Clone(p.exit)}
			q.exit[v.ri] = int32(lanes[(s.net.Lanes[l].Index+1)%len(lanes)])
			s.plans[v.route] = q
			setBit(s.lcAttn, l) // its planned exit changed (mayDecide)
			n++
		}
	}
	return n
}

// TestIDMMonotone checks, on random situations, what noGain and
// newFollowerLoses rely on: IDM's acceleration over a step (modelAccel,
// floating point as run) never falls when the gap or the leader's speed
// grows, at the same speed, desired speed and step — ties, neighbouring
// floating-point values and the free road (gap +Inf, which mobilGain asks
// for a new follower with no leader now) included.
func TestIDMMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func(lo, hi float64) float64 {
		switch rng.IntN(8) {
		case 0:
			return lo
		case 1:
			return hi
		}
		return lo + (hi-lo)*rng.Float64()
	}
	grow := func(x float64) float64 { // x, or a little or much more
		switch rng.IntN(4) {
		case 0:
			return x
		case 1:
			return math.Nextafter(x, math.Inf(1))
		case 2:
			return x + 1e-9*rng.Float64()
		}
		return x + pick(0, 20)
	}
	for k := range 300000 {
		vt := DefaultCar()
		vt.Follow.Accel, vt.Follow.Decel = pick(0.3, 4), pick(1, 9)
		vt.Follow.EmergencyDecel = vt.Follow.Decel
		vt.Follow.MinGap, vt.Follow.Headway = pick(0, 5), pick(0.3, 3)
		if rng.IntN(3) == 0 {
			vt.Follow.Delta = pick(1, 6)
		}
		if err := vt.Follow.Init(); err != nil {
			t.Fatal(err)
		}
		vt.direct = directFor(vt.Model)
		v, v0 := pick(0, 30), pick(0.1, 30)
		if rng.IntN(4) == 0 {
			v = v0 // at the desired speed: the step limit's edge
		}
		dt := []float64{0.1, 0.5, 1}[rng.IntN(3)]
		g1, vl1 := pick(0, 80), pick(0, 30)
		g2, vl2 := grow(g1), grow(vl1)
		if rng.IntN(8) == 0 {
			g2, vl2 = math.Inf(1), 0 // the free road (accBehind without a leader)
		}
		a1, a2 := modelAccel(&vt, v, g1, vl1, v0, dt, 0), modelAccel(&vt, v, g2, vl2, v0, dt, 0)
		if !(a1 <= a2) {
			t.Fatalf("case %d: IDM %+v at %g m/s (desired %g, step %g s): %g m/s² at gap %g behind %g m/s, %g at the larger gap %g behind %g m/s",
				k, vt.Follow, v, v0, dt, a1, g1, vl1, a2, g2, vl2)
		}
	}
}

// VisitEveryRoad has the lane-change phase visit every road of more than
// one lane, as it does when the lanes are not laid out by road, instead
// of the roads its live walk finds (TestLaneChangeVisitsAhead). Call it
// after a Step: the phase's scratch is made on its first run. It reports
// false when there is no live walk to turn off.
func (s *Sim) VisitEveryRoad() bool {
	if len(s.lcs) == 0 || s.lcs[0].multi == nil {
		return false
	}
	for c := range s.lcs {
		s.lcs[c].multi = nil
	}
	return true
}

// AloneAhead returns how many lanes of roads of more than one lane hold
// one vehicle, which changeLanes hands to decide for its lanes to keep to
// (fAhead) alone: the live walk must not pass such a lane
// (toDecideFirst).
func (s *Sim) AloneAhead() int {
	n := 0
	for l := range s.nLanes {
		if cars := s.segs[l].cars; len(cars) == 1 && len(s.net.Roads[s.segRoad[l]].Lanes) > 1 {
			c := &cars[0]
			if c.flags&(fPermit|fPlanned) == 0 && c.link >= 0 && c.next >= 0 && c.flags&fAhead != 0 {
				n++
			}
		}
	}
	return n
}
