package engine

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync/atomic"

	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/engine/signal"
)

// Phase 2 of Step: junction admission (step.go has the phases in order).

// junctionScratch is per-chunk scratch space for phaseJunctions.
type junctionScratch struct {
	// res are the lengths (m) granted vehicles take on exit lanes this
	// step, one entry per lane (reserve).
	res []reservation
	// granted are the links granted at the node being decided when it
	// has no masks (noteGrant; grantedInLists looks them up).
	granted []int32
	// The junction's link sets as bit masks from its first link
	// (junctionMasks.lo; all ones at a junction without masks), for the
	// node being decided: live, links holding vehicles, found when first
	// asked (liveKnown); shown, links whose head and tail records describe
	// a vehicle (Sim.shown); grant, links granted this step; waiting, links
	// the first vehicle of whose lane has chosen them and waits for its
	// crossing to clear (headTo with fCross), found when first asked
	// (waitKnown).
	lo                          int32
	live, shown, grant, waiting uint64
	waitKnown, liveKnown        bool
}

// junctionMasks let the junction phase skip with one AND the checks of a
// vehicle's link against crossing links that hold no vehicle, were granted
// nothing or have no one waiting, which is what most checks find. A
// node's links are consecutive segments, so a set of them is a bit mask
// from its first link when they are at most 64; immutable after New
// (clones share it).
type junctionMasks struct {
	// lo is, per node, its first link segment, or −1 when its links do
	// not fit in a 64-bit mask (then every check runs in full).
	lo []int32
	// link is, per link (segment index − nLanes), what the junction
	// phase reads of it (jmLink).
	link []jmLink
	// into is, per lane, the links into it (a link's merging links and
	// itself) as bits from the lo of the node it starts at; all ones
	// after a node without masks.
	into []uint64
	// out is, per lane, the links leaving it (laneTopo.links) as bits
	// from the lo of the node it ends at (lookAhead); all ones before a
	// node without masks.
	out []uint64
	// exact, for tests, has every vehicle decided in full (admit, not
	// decideLane's short way), its path's length read at once.
	exact bool
}

// jmLink is what decideLane and admit read of a link, in one place for
// speed (one lookup and bounds check instead of one per slice): its exit
// lane and movement (the link's Sim.linkLane and Sim.linkMov, immutable
// after New, so the same values), and as bits from its node's lo its
// crossing links (linkTopo.cross) and its merging links: the links into
// its exit lane (jm.into) less itself, the mask admit worked out at
// every decision from jm.into and the link's own bit (the same bits, as
// the node being decided is the link's node). At a node without masks
// both are all ones (admit took no bit of the link out there either).
// TestJunctionLinks checks it against the lists. (The link's foes,
// linkTopo.foes, the one list of its topology admit asks about for every
// vehicle, were kept here too for 0.9 instructions per update on grid32,
// but they made the record 32 bytes instead of 24: 2.6 B per vehicle at
// scale, where 345,600 of the 461,760 segments are links.)
type jmLink struct {
	lane, mov    int32
	cross, merge uint64
}

// laneGroup is lanes of one word of the segment bitmaps (word w: segments
// 64w to 64w+63), those whose bits are set in mask: a node's incoming
// lanes are groups (nodeState.groups), for the junction phase to find a
// group's lanes with vehicles with one look at the live bitmap
// (groupBits) instead of one per lane: most lanes a junction looks at are
// empty on a sparse network. b is the segment of bit 0 of word w, 64w,
// kept for base (in the padding after w: the record stays 16 B), so that
// the junction phase adds a lane's bit index to it without working it out
// again for every lane with vehicles (TestLaneGroups checks it).
type laneGroup struct {
	w    uint32
	b    int32
	mask uint64
}

// lanesGroups returns lanes, in their order, as groups: each group takes
// the lanes that follow in the same bitmap word in ascending order, so
// that its bits, ascending, give them in their order.
func lanesGroups(lanes []int32) []laneGroup {
	var gs []laneGroup
	last := int32(-1)
	for _, li := range lanes {
		w, bit := uint32(li)/chunkSize, uint64(1)<<(uint32(li)%chunkSize)
		if n := len(gs); n > 0 && gs[n-1].w == w && li > last {
			gs[n-1].mask |= bit
		} else {
			gs = append(gs, laneGroup{w: w, b: int32(w * chunkSize), mask: bit})
		}
		last = li
	}
	return gs
}

// base returns the segment of bit 0 of g's word: the lane of bit j is
// g.base()+j.
func (g laneGroup) base() int32 { return g.b }

// nodeLanes returns node v's incoming lanes in processing order.
func (s *Sim) nodeLanes(v int) []int32 {
	var lanes []int32
	for _, g := range s.nodes[v].groups {
		for m := g.mask; m != 0; m &= m - 1 {
			lanes = append(lanes, g.base()+int32(bits.TrailingZeros64(m)))
		}
	}
	return lanes
}

// groupBits returns the bits of bitmap bm (Sim.live) of group g's lanes,
// bit j for lane g.base()+j.
func groupBits(bm []uint64, g laneGroup) uint64 {
	return atomic.LoadUint64(&bm[g.w]) & g.mask
}

// buildJunctionMasks fills Sim.jm from the nodes' lanes and the links'
// topology (after buildSegments and buildNodes).
func (s *Sim) buildJunctionMasks() {
	s.jm.lo = make([]int32, len(s.nodes))
	s.jm.link = make([]jmLink, len(s.linkT))
	s.jm.into = make([]uint64, s.nLanes)
	s.jm.out = make([]uint64, s.nLanes)
	for v := range s.nodes {
		lo, hi := int32(math.MaxInt32), int32(-1)
		for _, li := range s.nodeLanes(v) {
			for _, k := range s.ids(s.laneT[li].links) {
				lo, hi = min(lo, k), max(hi, k)
				for _, f := range s.ids(s.lt(k).cross) {
					lo, hi = min(lo, f), max(hi, f)
				}
				for _, f := range s.ids(s.lt(k).merging) {
					lo, hi = min(lo, f), max(hi, f)
				}
			}
		}
		if hi < 0 || hi-lo >= 64 {
			s.jm.lo[v] = -1
			for _, li := range s.nodeLanes(v) {
				s.jm.out[li] = ^uint64(0)
				for _, k := range s.ids(s.laneT[li].links) {
					s.jm.link[int(k)-s.nLanes].cross = ^uint64(0)
					s.jm.into[s.linkLane[k]] = ^uint64(0)
				}
			}
			continue
		}
		s.jm.lo[v] = lo
		for _, li := range s.nodeLanes(v) {
			for _, k := range s.ids(s.laneT[li].links) {
				m := uint64(0)
				for _, f := range s.ids(s.lt(k).cross) {
					m |= 1 << (f - lo)
				}
				s.jm.link[int(k)-s.nLanes].cross = m
				s.jm.into[s.linkLane[k]] |= 1 << (k - lo)
				s.jm.out[li] |= 1 << (k - lo)
			}
		}
	}
	for i := range s.jm.link {
		k := int32(s.nLanes + i)
		jl := &s.jm.link[i]
		jl.lane, jl.mov, jl.merge = s.linkLane[k], s.linkMov[k], s.jm.into[s.linkLane[k]]
		if lo := s.jm.lo[s.laneT[s.fromOf(k)].node]; lo >= 0 {
			jl.merge &^= 1 << (k - lo)
		}
	}
}

// startNode prepares the scratch masks for node v's decisions.
func (s *Sim) startNode(v int, sc *junctionScratch) {
	sc.lo = s.jm.lo[v]
	sc.live, sc.shown, sc.grant, sc.waiting, sc.waitKnown, sc.liveKnown = ^uint64(0), ^uint64(0), 0, ^uint64(0), true, true
	if sc.lo >= 0 {
		sc.shown, sc.waitKnown, sc.liveKnown = bitsFrom(s.shown, sc.lo), false, false
	}
}

// liveMask returns the links of the node being decided that hold
// vehicles, found once per node in Sim.live when first asked: only admit
// asks, and most nodes' lanes wait at a red light or beyond their approach
// zones (no phase changes Sim.live while the junction phase runs, so the
// bits read late are the ones startNode would have read).
func (s *Sim) liveMask(sc *junctionScratch) uint64 {
	if !sc.liveKnown {
		sc.liveKnown, sc.live = true, bitsFrom(s.live, sc.lo)
	}
	return sc.live
}

// maskBit returns link k's bit in the scratch masks at a node with
// masks, where k − lo is below 64 for every link of the node and every
// link crossing or merging with one (buildJunctionMasks): the shift is
// taken modulo 64, which it then is anyway, for speed (no test of a
// shift past 63).
func (sc *junctionScratch) maskBit(k int32) uint64 {
	return 1 << (uint32(k-sc.lo) % 64)
}

// noteGrant notes link k as granted: in the scratch masks, and at a node
// without masks in the list granted.
func (sc *junctionScratch) noteGrant(k int32) {
	if sc.lo >= 0 {
		sc.grant |= sc.maskBit(k)
	} else {
		sc.granted = append(sc.granted, k)
		sc.grant = ^uint64(0)
	}
}

// waitMask returns the links of the node being decided whose lane's
// first vehicle has chosen them and waits for its crossing to clear (what
// waitsLonger looks for), found once per node in Sim.crossWait. (Its
// bits of other nodes' links are no crossing link's: the masks it is
// compared with drop them.)
func (s *Sim) waitMask(sc *junctionScratch) uint64 {
	if !sc.waitKnown {
		sc.waitKnown, sc.waiting = true, bitsFrom(s.crossWait, sc.lo)
	}
	return sc.waiting
}

// phaseJunctions decides, at every node with vehicles on its incoming
// lanes (Sim.nodeLive), which vehicles in their approach zones may enter
// their links this step (junction), by chunks of nodes in parallel.
func (s *Sim) phaseJunctions() {
	nc := chunks(len(s.nodes))
	if len(s.jscratch) < nc {
		s.jscratch = make([]junctionScratch, nc)
	}
	s.par.run(nc, func(c int) {
		lo, hi := span(c, len(s.nodes))
		sc := &s.jscratch[c]
		for i, n := range s.nodeLive[lo:hi] {
			if n != 0 { // (else nothing to decide, and no memory touched)
				s.junction(lo+i, sc)
			}
		}
	})
}

// approachZone is how far before a stop line (m) a vehicle at speed v asks
// for entry: far enough to stop comfortably from where it learns the answer.
// (No shortcut for a standing vehicle, whose speed terms are ±0 and add
// nothing: the test of v mispredicted where standing and moving vehicles
// take turns, and cost more than the division it saved.)
func approachZone(v float64, vt *VType, dt float64) float64 {
	p := &vt.Follow
	return zoneFloor(vt) + float64(v*(dt+p.Headway)) + v*v/p.Decel
}

// zoneFloor is the approach zone of a standing vehicle of type vt (m): 10 m
// plus its minimum gap, approachZone's first partial sum.
func zoneFloor(vt *VType) float64 { return 10 + vt.Follow.MinGap }

// beyondZone reports whether a vehicle at speed v (m/s) of type vt, d
// metres before its stop line, is beyond its approach zone: d >
// approachZone(v, vt, dt). It asks approachZone (a division) only when d
// is past zoneFloor. Exact: the zone's speed terms are never negative (v ≥
// 0), and adding a number ≥ ±0 never rounds a float64 sum below its first
// term, so the zone is at least zoneFloor and d ≤ zoneFloor is never beyond
// it (most vehicles decideLane asks about wait near the line: a queue's
// first two); TestBeyondZone compares it with the full test.
func beyondZone(d, v float64, vt *VType, dt float64) bool {
	return d > zoneFloor(vt) && d > approachZone(v, vt, dt)
}

// beyondZoneT is beyondZone(d, v, vt, dt) for a vehicle type checked
// for the run (Config.check) at its step dt (Sim.dt is Config.Step),
// with approachZone's terms that depend on the type and the step alone
// read off the type (VType.zone0, zoneDt), for speed. Exact: zone0 is
// zoneFloor's sum and zoneDt approachZone's dt+Headway, the same
// operations on the same operands (the type's Follow is final after
// Init, in check, as for holdGap), and the rest is approachZone's
// expression term by term in its order (the product converted as
// there, not fused); TestBeyondZoneT compares it with beyondZone.
func beyondZoneT(d, v float64, vt *VType) bool {
	return d > vt.zone0 && d > approachZoneT(v, vt)
}

// zoneMinOf returns the least of the types' zone0 (Sim.zoneMin), −Inf
// when there are none or one is NaN: a number no type's zone0 is below,
// so that d ≤ zoneMin gives d ≤ vt.zone0 for every type vt, and
// beyondZoneT(d, v, vt) is false, its first test failing. decideLane's
// second loop, over the vehicles behind one refused, asks it first, for
// speed: most of those stand in a queue near the line, and the test
// needs no look at the vehicle's type. (A NaN d fails both tests.)
// TestZoneMin checks the bound against beyondZoneT.
func zoneMinOf(vtypes []VType) float64 {
	m := math.Inf(-1)
	for i := range vtypes {
		z := vtypes[i].zone0
		if z != z {
			return math.Inf(-1)
		}
		if i == 0 || z < m {
			m = z
		}
	}
	return m
}

// approachZoneT is approachZone(v, vt, dt) for a vehicle type checked
// for the run at its step dt (beyondZoneT); lookAhead asks it too (a
// link shorter than the zone of the vehicle about to take it).
func approachZoneT(v float64, vt *VType) float64 {
	return vt.zone0 + float64(v*vt.zoneDt) + v*v/vt.Follow.Decel
}

// junction decides the vehicles in the approach zone of node v's lanes
// that hold vehicles (it has one: Sim.nodeLive), lane by lane in the
// node's order (decideLane).
//
// It is not inlined (go:noinline) for the profile's sake (default.pgo):
// on its own it has the profile's hot calls of decideLane and startNode
// inlined, where inlined into phaseJunctions' closure it kept decideLane a
// call, one per lane with vehicles (its spills and reloads with it). The
// same code without the profile, which inlines neither.
//
//go:noinline
func (s *Sim) junction(v int, sc *junctionScratch) {
	sc.res, sc.granted = sc.res[:0], sc.granted[:0]
	s.startNode(v, sc)
	for _, g := range s.nodes[v].groups {
		// Only the lanes with vehicles: nothing to decide on the others.
		for m := groupBits(s.live, g); m != 0; m &= m - 1 {
			s.decideLane(g.base()+int32(bits.TrailingZeros64(m)), sc)
		}
	}
}

// decideLane decides the vehicles in the approach zone of lane li, in
// driving order, for the node being decided (sc's): whether each may
// enter its link this step (admit, which reserves room on the exit lane);
// once one may not, the ones behind it may not either (the second loop,
// which asks no one).
//
// It answers itself, for speed, when the vehicle's link is chosen, it was
// not granted it at the last decision and the link's light holds it (most
// vehicles asked wait at a red light; lightHolds): it sets fRed, and fRoom
// when the exit lane has no room for it (fits). Exact: admit takes the same
// steps then (the same fits, with nothing reserved in between); it is
// left the vehicles with a link to choose, a grant from the last decision
// (was: committed to the link, or held only at the step its light stops
// letting it go; admit works out the stopping distance and looks up the
// light itself, so the short way's look first was work done twice for
// these vehicles, most of which go on), a light that lets them go, and
// the ones standing at the line without room, which look for another
// link (linkWithRoom); and every vehicle with jm.exact (TestJunctionMasks
// compares the two).
func (s *Sim) decideLane(li int32, sc *junctionScratch) {
	seg := &s.segs[li]
	cars, length := seg.cars, seg.length
	i := 0
	for ; i < len(cars); i++ {
		c := &cars[i]
		vt := &s.vtypes[c.vt]
		d := length - c.pos
		if beyondZoneT(d, c.speed, vt) {
			s.passZone(cars[i:])
			return
		}
		if c.next < 0 {
			// Arriving on this road: no junction to cross.
			c.flags = c.flags&^(fRed|fOut) | fDecided | fPermit
			continue
		}
		// The flags in a local, written once on the short way (neither
		// lightHolds nor fits reads them).
		f := c.flags
		was := f&(fPermit|fDecided) == fPermit|fDecided
		f &^= fRed | fCross | fRoom | fOut
		if !was && f&fDecided != 0 && c.link >= 0 && !s.jm.exact && s.lightHolds(c, s.lights[s.jm.link[int(c.link)-s.nLanes].mov], d, vt) {
			// fits, its common way written out (most exit lanes hold the
			// vehicle): fitsNeed's steps, given the scratch, for speed (a
			// call of fits for every vehicle held by its light cost a
			// fifth more than its work, its spills around it too). Exact:
			// the same calls on the same values in the same order
			// (need is fits' sum, sc is not nil). An exit lane shorter
			// than need (fitsAlong's look along the route) is left to
			// admit, which takes the same steps for the vehicle (no call
			// on this way, so nothing to spill for it). TestJunctionMasks
			// compares it with fits (with jm.exact, admit asks fits).
			t := s.jm.link[int(c.link)-s.nLanes].lane
			need, tseg := float64(c.length)+vt.Follow.MinGap, &s.segs[t]
			if !(tseg.length < need) {
				r := s.queueRoom(tseg, t)
				r = s.lessInLinks(r, tseg, t, sc, true)
				ok := sc.lessGranted(r, t) >= need
				if ok || s.cfg.FixedLanes || !(c.speed < 0.1) {
					f = f&^fPermit | fDecided | fRed
					if !ok {
						f |= fRoom
					}
					c.flags = f
					i++
					break
				}
			}
		}
		c.flags = f
		if !s.admit(c, li, d, was, vt, sc) {
			c.flags = c.flags&^fPermit | fDecided
			i++
			break
		}
		c.flags |= fPermit | fDecided
	}
	for ; i < len(cars); i++ {
		c := &cars[i]
		if d := length - c.pos; d > s.zoneMin && beyondZoneT(d, c.speed, &s.vtypes[c.vt]) {
			s.passZone(cars[i:])
			return
		}
		if c.next < 0 {
			c.flags = c.flags&^(fRed|fOut) | fDecided | fPermit
		} else {
			c.flags = c.flags&^(fRed|fCross|fRoom|fPermit|fOut) | fDecided
		}
	}
}

// passZone clears the junction flags of cars, the first vehicle of a
// lane found beyond its approach zone (cars[0]) and those behind it,
// which decideLane does not decide, and marks cars[0] with fOut. When
// cars[0] is marked already they have none to clear, and it returns at
// once (with jm.exact, the tests' full path, it clears anyway): fOut is
// set only here, after the clearing; a vehicle behind a marked one is
// decided only once that one is found in its zone, and those flag writes
// clear fOut (decideLane); a vehicle joins the lane without junction
// flags (fJunction, fOut among them, is cleared on a change of lane or
// segment; inserted vehicles have none); and a vehicle ahead of the mark
// found beyond its zone is not marked, so its clearing takes the old
// mark with it. checkInvariants checks this (checkPassed). A lane whose
// first vehicle beyond its zone stays so (most lanes with one far from
// the line) costs one test a step.
func (s *Sim) passZone(cars []car) {
	if cars[0].flags&fOut != 0 && !s.jm.exact {
		return
	}
	clearJunction(cars)
	cars[0].flags |= fOut
}

// checkPassed reports, for checkInvariants, a segment's vehicles (cars)
// that passZone would wrongly skip: a vehicle marked fOut with another
// junction flag, or behind it one with any.
func checkPassed(cars []car) error {
	for j := range cars {
		if cars[j].flags&fOut == 0 {
			continue
		}
		for k := j; k < len(cars); k++ {
			if f := cars[k].flags & fJunction &^ fOut; f != 0 || k > j && cars[k].flags&fOut != 0 {
				return fmt.Errorf("vehicle %d is marked the first beyond its approach zone (fOut), but vehicle %d (it or one behind it) has junction flags %#x", cars[j].id, cars[k].id, cars[k].flags&fJunction)
			}
		}
		return nil
	}
	return nil
}

// clearJunction clears the junction flags of cars, beyond the approach
// zone: no decision (most have none to clear; the store is skipped for
// them).
func clearJunction(cars []car) {
	for j := range cars {
		if cars[j].flags&fJunction != 0 {
			cars[j].flags &^= fJunction
		}
	}
}

// passes reports whether light l lets a vehicle go on that is d metres
// before its stop line at speed v and needs stopDist metres to stop
// comfortably: a green does, and a yellow it cannot stop for comfortably
// or waits at the line on for a gap (a permissive turn: it clears on the
// yellow, once the foes stop, as drivers do).
func passes(l signal.Light, stopDist, d, v float64) bool {
	return l.IsGreen() || l == signal.Yellow && (stopDist > d || d < 1 && v < 2)
}

// lightHolds reports whether light l, that of car c's chosen link, holds
// c, d metres before its stop line, for a vehicle not granted the link at
// the last decision (so not committed to it: admit's committed needs
// that grant): the light does not let it go on (passes). It is admit's
// light test for such a vehicle, for decideLane's short way.
func (s *Sim) lightHolds(c *car, l signal.Light, d float64, vt *VType) bool {
	if l == signal.Red {
		// A red light holds a vehicle not committed to its link whatever
		// its speed and distance: no stopping distance then.
		return true
	}
	stopDist := c.speed * c.speed / (2 * vt.Follow.Decel)
	return !passes(l, stopDist, d, c.speed)
}

// admit decides whether car c, d metres before the stop line of lane li,
// may enter its link this step, and reserves room on the exit lane.
//
// A vehicle committed to its link (granted it last step and unable to
// stop comfortably before its line) takes an early way (admitCommitted),
// at once.
func (s *Sim) admit(c *car, li int32, d float64, was bool, vt *VType, sc *junctionScratch) bool {
	p, stopDist := &vt.Follow, c.speed*c.speed/(2*vt.Follow.Decel)
	if was && c.link >= 0 && stopDist > d-0.5 {
		return s.admitCommitted(c, li, p.MinGap, sc) // committed to its link
	}
	if c.flags&fDecided == 0 || c.link < 0 {
		c.link = s.chooseLink(li, c) // entering the approach zone: the link with most room now
	}
	if c.link < 0 {
		return false
	}
	// fitLink is the link whose exit lane was found to have room for the
	// vehicle (fits) or not (fitOK), −1 when not looked at: nothing
	// changes the answer before the light is checked.
	fitLink, fitOK := int32(-1), false
	if !s.cfg.FixedLanes && c.speed < 0.1 {
		// (fits is a few hundred instructions: its answer for the same
		// link is reused below.)
		fitLink, fitOK = c.link, s.fits(s.linkLane[c.link], sc, c, p.MinGap, 1)
		if !fitOK {
			// Waiting at the line for room on its exit lane: take another
			// lane of the next road that has room, as a driver would, and
			// change lanes there if the route needs it.
			if l := s.linkWithRoom(li, c, p, sc); l >= 0 {
				c.link = l
			}
		}
	}
	jl := &s.jm.link[int(c.link)-s.nLanes] // now that the link is final
	mov := jl.mov                          // c.link's movement, and its light
	light := s.lights[mov]
	if !passes(light, stopDist, d, c.speed) {
		c.flags |= fRed
		ok := fitOK
		if c.link != fitLink {
			ok = s.fits(s.linkLane[c.link], sc, c, p.MinGap, 1)
		}
		if !ok {
			c.flags |= fRoom
		}
		return false
	}
	t := jl.lane
	// The crossing and the merging links as masks (see junctionMasks): a
	// check against them whose mask finds none to look at is skipped,
	// for speed.
	cross, merging := jl.cross, jl.merge
	// Vehicles inside the junction on crossing paths that have not yet
	// cleared the crossing point.
	if cross&s.liveMask(sc) != 0 {
		kt := s.lt(c.link)
		for i, f := range s.ids(kt.cross) {
			// (The links without vehicles, skipped by the mask before
			// the call where the node has masks: crossBlocked's own
			// first test, which would find no vehicle on f.)
			if (sc.lo < 0 || sc.live&sc.maskBit(f) != 0) && s.crossBlocked(kt, i, f, c, p) {
				c.flags |= fCross
				return false
			}
		}
	}
	// When this one can still stop gently, give way to a vehicle that
	// has waited longer for its crossing to clear: on a parallel stream
	// that takes turns with this one, and on any crossing path once
	// crossing traffic alone has held it for starveWait (without that,
	// a turn whose path crosses busy streams green at the same time may
	// never find a gap; SUMO's drivers grow impatient for the same
	// reason).
	if (stopDist <= d-2 || c.speed < 1) && cross&s.waitMask(sc) != 0 { // (turns are crossing links)
		from, kt := s.fromOf(c.link), s.lt(c.link)
		for _, f := range s.ids(kt.turns) {
			if s.waitsLonger(f, from, c, 0) {
				c.flags |= fCross
				return false
			}
		}
		for _, f := range s.ids(kt.cross) {
			if s.waitsLonger(f, from, c, starveWait) {
				c.flags |= fCross
				return false
			}
		}
	}
	// Vehicles on links merging into the same lane that are not far
	// enough ahead to follow.
	if merging&sc.shown != 0 {
		for _, m := range s.ids(s.lt(c.link).merging) {
			if !hasBit(s.shown, m) {
				continue // no vehicle on m
			}
			ms := &s.segs[m]
			if ms.length-ms.tail.pos > s.segs[c.link].length-float64(ms.tail.length)-p.MinGap {
				return false
			}
		}
	}
	// Vehicles granted this step on crossing paths.
	if s.grantedAcross(c.link, cross|merging, sc) {
		return false
	}
	// Foes with right of way about to arrive — but after starveWait at
	// its line a driver no longer waits for a foe that can still stop
	// comfortably (SUMO's impatience, time-to-impatience): without
	// that, a merge into a busy stream may starve for good.
	// (A link no first vehicle has chosen has no foe arriving
	// (foeArriving): that cheaper test goes first, here and below.)
	// The path's length, for the critical gap, is read off the link
	// when a foe is first asked about (most checks find none: the
	// link's segment is not touched then, for the cache); at once
	// with jm.exact, as the test's full path.
	pathLen, lenKnown := 0.0, false
	if s.jm.exact {
		pathLen, lenKnown = s.segs[c.link].length+float64(c.length), true
	}
	for _, f := range s.idsOrNone(s.lt(c.link).foes) {
		if s.headTo[f]&hdMark != 0 && s.lights[s.linkMov[f]].IsGreen() {
			if !lenKnown {
				pathLen, lenKnown = s.segs[c.link].length+float64(c.length), true
			}
			if s.foeArriving(f, pathLen, p.Accel) && !(c.wait >= starveWait && s.foeCanStop(f)) {
				return false
			}
		}
	}
	if light == signal.GreenMinor {
		// A permissive green ('g', SUMO's minor link) gives way to
		// every crossing or merging stream that has a protected green
		// ('G') at the same time, whatever the junction's static
		// priorities: that is what makes two conflicting movements
		// green together safe (maps.ConflictMatrix.CheckPhase).
		kt := s.lt(c.link)
		for _, list := range [2][]int32{s.ids(kt.cross), s.ids(kt.merging)} {
			for _, f := range list {
				if s.headTo[f]&hdMark == 0 {
					continue
				}
				if fm := s.linkMov[f]; fm != mov && s.lights[fm] == signal.Green && !slices.Contains(s.ids(kt.turns), f) {
					if !lenKnown {
						pathLen, lenKnown = s.segs[c.link].length+float64(c.length), true
					}
					if s.foeArriving(f, pathLen, p.Accel) {
						return false
					}
				}
			}
		}
	}
	// Room on the exit lane: no entry without space behind the last
	// vehicle for this one, counting vehicles already on links into it.
	ok, need := fitOK, float64(c.length)+p.MinGap // (need: reserve's length too)
	if c.link != fitLink {
		// fits, its common way written out as in decideLane (fits itself
		// with jm.exact, the tests' full path).
		tseg := &s.segs[t]
		if s.jm.exact {
			ok = s.fits(t, sc, c, p.MinGap, 1)
		} else if tseg.length < need {
			ok = s.fitsAlong(t, sc, c, need, 1)
		} else {
			r := s.queueRoom(tseg, t)
			r = s.lessInLinks(r, tseg, t, sc, true)
			ok = sc.lessGranted(r, t) >= need
		}
	}
	if !ok {
		c.flags |= fRoom
		return false
	}
	s.reserve(t, need, sc)
	sc.noteGrant(c.link)
	if !s.roomNoted(t, c) {
		s.noteLaneForRoom(li, c)
	}
	return true
}

// admitCommitted is admit's early way for car c of lane li, committed to
// its link (granted it last step and unable to stop comfortably before
// its line, minGap its type's minimum gap): the reservation, the grant
// and noteLaneForRoom, the steps the full path takes for it after
// skipping every test (its light, crossings, foes and room are asked only
// of vehicles not committed), without the link's masks and topology
// looked up, and before the choice of a link and the look for room,
// which admit makes only for a vehicle without a decided link or not
// committed (for speed; exact: the same calls in the same order on the
// same values, the lookups skipped having no effect). It is a call of
// its own, not inlined, so that admit's way for the other vehicles keeps
// its spills off this one. TestAdmitCommitted checks it.
//
//go:noinline
func (s *Sim) admitCommitted(c *car, li int32, minGap float64, sc *junctionScratch) bool {
	t := s.linkLane[c.link]
	s.reserve(t, float64(c.length)+minGap, sc)
	sc.noteGrant(c.link)
	if !s.roomNoted(t, c) {
		s.noteLaneForRoom(li, c)
	}
	return true
}

// roomNoted reports, for a vehicle c granted its link into exit lane t,
// that noteLaneForRoom would return at once: c has no road after its
// next (next2), or the lanes' bits tell that t serves it. It is
// noteLaneForRoom's early returns written out, small enough to be inlined
// (for speed: most vehicles granted take one of them, and the call cost
// more than its work); false sends admit to noteLaneForRoom, which asks
// again and does the same then. TestNoteLaneForRoomSkip checks that the
// call it skips would change nothing.
func (s *Sim) roomNoted(t int32, c *car) bool {
	if c.next2 < 0 {
		return true
	}
	return s.lsrch.serve.leadsToKnown(t, c.next2)
}

// idsOrNone is ids for a list that is often empty (a link's foes: only
// links without a protected turn have any): an empty span gives nil at
// once, without ids' slicing and its bounds checks (for speed; ranging
// over nil and over an empty slice do the same, nothing).
func (s *Sim) idsOrNone(p topoSpan) []int32 {
	if p.n == 0 {
		return nil
	}
	return s.ids(p)
}

// grantedAcross reports whether a link crossing link k or merging with
// it (the mask conflicts) was granted this step.
func (s *Sim) grantedAcross(k int32, conflicts uint64, sc *junctionScratch) bool {
	if sc.lo >= 0 || sc.grant == 0 {
		return conflicts&sc.grant != 0
	}
	return s.grantedInLists(k, sc)
}

// grantedInLists is grantedAcross at a node without masks: the links
// granted looked up in link k's lists.
func (s *Sim) grantedInLists(k int32, sc *junctionScratch) bool {
	kt := s.lt(k)
	for _, g := range sc.granted {
		if slices.Contains(s.ids(kt.cross), g) || slices.Contains(s.ids(kt.merging), g) {
			return true
		}
	}
	return false
}

// foeArriving reports whether the first vehicle of the lane feeding link
// f is about to take f within the critical gap for a path of length l at
// acceleration a (criticalGap): moving towards it, or granted and about to
// go. A vehicle waiting itself (for a light, room or its own foes) is not
// arriving; one held only by vehicles clearing the junction goes next and
// keeps its right of way.
func (s *Sim) foeArriving(f int32, l, a float64) bool {
	if s.headTo[f]&hdMark == 0 {
		return false // f's lane has no first vehicle, or it has chosen another link
	}
	from := &s.segs[s.fromOf(f)]
	h := &from.head
	if h.flags&(fPermit|fCross) == 0 && h.speed < 1 {
		return false
	}
	return (from.length-h.pos)/max(h.speed, 0.1) < criticalGap(l, a)
}

// foeCanStop reports whether the first vehicle of the lane feeding link f
// can stop at its line at its comfortable deceleration.
func (s *Sim) foeCanStop(f int32) bool {
	from := &s.segs[s.fromOf(f)]
	h := &from.head
	vt := &s.vtypes[s.veh[h.id].vt]
	return h.speed*h.speed <= 2*vt.Follow.Decel*(from.length-h.pos-1)
}

// stopRearm is the speed (m/s, 15 km/h) a vehicle must reach after a stop
// before another stop counts, so that creeping in a queue is one stop.
const stopRearm = 15 / 3.6

// crossBlocked reports whether a vehicle on crossing link f (k.cross[i])
// is in the way of car c entering link k: it has not cleared the crossing
// point yet and would reach it before c has passed it (the time c needs
// from where it is, at its acceleration, to be a length past the point).
func (s *Sim) crossBlocked(k *linkTopo, i int, f int32, c *car, p *follow.Params) bool {
	if !hasBit(s.live, f) {
		return false // no vehicle on f (nothing moves in this phase)
	}
	fs := &s.segs[f]
	x := &s.crossings(k.crossPts)[i]
	at := x.at
	need := x.self + float64(c.length) + crossClearance
	t := math.Sqrt(2 * need / p.Accel)
	if c.speed > 0 {
		t = min(t, need/c.speed+1)
	}
	for j := range fs.cars {
		o := &fs.cars[j]
		if o.pos-float64(o.length) >= at+crossClearance {
			continue // past the crossing point
		}
		// Cars are in driving order: the first one not past is the next
		// to arrive; farther ones come later.
		return o.pos >= at-float64(o.speed*t)-crossClearance
	}
	return false
}

// waitsLonger reports whether the first vehicle of the lane feeding link f
// is about to take f and held only by vehicles crossing its path (fCross),
// for at least least seconds and longer than car c, which leaves lane li
// (ties: the lower lane id goes first).
func (s *Sim) waitsLonger(f, li int32, c *car, least float32) bool {
	if s.headTo[f]&(hdMark|fCross) != hdMark|fCross {
		return false // no first vehicle on f's lane that chose f and waits for its crossing
	}
	ff := s.fromOf(f)
	h := &s.segs[ff].head
	return h.wait >= least && (h.wait > c.wait || h.wait == c.wait && ff < li)
}

// starveWait is how long (s) crossing traffic may hold a vehicle at its
// line before the vehicles that would cross its path give way to it.
const starveWait float32 = 60

// crossClearance is how far (m) beyond a crossing point the rear of a
// vehicle must be before a crossing path counts as clear: about a vehicle
// width and a margin.
const crossClearance = 3.0

// criticalGap is the time (s) a yielding vehicle needs before a foe arrives:
// the time to cross a path of length l from standstill at acceleration a,
// plus a 1.5 s margin, within [3, 8] s.
func criticalGap(l, a float64) float64 {
	return min(max(1.5+math.Sqrt(2*l/a), 3), 8)
}

// room is the length (m) lane t has left for vehicles not yet on it: its
// length minus what its vehicles, the vehicles on links into it and this
// step's grants take (each vehicle with its minimum gap), and when its last
// vehicle stands, at most the space behind that vehicle. Moving vehicles
// will make room; a standing queue will not, so a vehicle that would have
// to stop inside the junction waits.
func (s *Sim) room(t int32, sc *junctionScratch) float64 { return s.roomAt(t, sc, false) }

// roomAt is room; local says that t is an exit lane of the node being
// decided (sc's), whose links into t are then taken from its masks: only
// those holding vehicles, in the same order (the others' occupancy is 0,
// and subtracting it changes nothing), for speed.
func (s *Sim) roomAt(t int32, sc *junctionScratch, local bool) float64 {
	seg := &s.segs[t]
	r := s.queueRoom(seg, t)
	r = s.lessInLinks(r, seg, t, sc, local)
	return sc.lessGranted(r, t)
}

// queueRoom is room's first term: the length of lane t (seg) less what its
// vehicles take, and when its last vehicle stands, at most the space
// behind that vehicle.
func (s *Sim) queueRoom(seg *segment, t int32) float64 {
	r := seg.length - s.occ[t]
	if seg.tail.n > 0 && seg.tail.speed < 1 {
		// A standing queue: only the space behind it counts.
		r = min(r, seg.tailBack())
	}
	return r
}

// lessInLinks returns r less what the vehicles on the links into lane t
// (seg) take, one link after the other (roomAt, local).
func (s *Sim) lessInLinks(r float64, seg *segment, t int32, sc *junctionScratch, local bool) float64 {
	if local && sc.lo >= 0 {
		for m := s.jm.into[t] & sc.shown; m != 0; m &= m - 1 {
			r -= s.occ[sc.lo+int32(bits.TrailingZeros64(m))]
		}
		return r
	}
	for _, in := range s.ids(seg.inLinks) {
		r -= s.occ[in]
	}
	return r
}

// lessGranted returns r less the lengths granted vehicles take on lane t
// this step (none without scratch).
func (sc *junctionScratch) lessGranted(r float64, t int32) float64 {
	if sc != nil {
		for _, x := range sc.res {
			if x.lane == t {
				r -= x.len
			}
		}
	}
	return r
}

// fits reports whether lane t, on the road off roads after car c's
// current one on its route, has room for c: its length and minimum gap
// behind the lane's last vehicle, counting those on links into it (room).
// A lane shorter than that (netconvert splits roads into pieces of a metre
// or less where ways meet) holds no queue of its own: a vehicle standing
// at its end stands in the link behind it, inside the junction. So, as
// SUMO's junction model does (MSVehicle::checkRewindLinkLanes, counting
// the space after a junction along the route, lanes shorter than the
// vehicle adding none), the room that counts is on the first lane along
// the route long enough for the vehicle, less what the vehicles on the
// short lanes before it and on the links into them take (they will end up
// there first), with no vehicle standing on the short lanes and links up
// to it or granted into them this step. A link that is not green ends the
// look: the short lane before it then needs its own length free, as
// before any light.
func (s *Sim) fits(t int32, sc *junctionScratch, c *car, minGap float64, off int) bool {
	return s.fitsNeed(t, sc, c, float64(c.length)+minGap, off)
}

// fitsNeed is fits, need the vehicle's length and minimum gap.
func (s *Sim) fitsNeed(t int32, sc *junctionScratch, c *car, need float64, off int) bool {
	seg := &s.segs[t]
	if seg.length < need {
		return s.fitsAlong(t, sc, c, need, off)
	}
	// Most lanes hold the vehicle: the first step of fitsAlong, roomAt's
	// parts inline, in one call (nothing used yet; min(need, length) is
	// need).
	r := s.queueRoom(seg, t)
	r = s.lessInLinks(r, seg, t, sc, sc != nil)
	return sc.lessGranted(r, t) >= need
}

// fitsAlong is fits looking along the route past short lanes, need the
// vehicle's length and minimum gap.
func (s *Sim) fitsAlong(t int32, sc *junctionScratch, c *car, need float64, off int) bool {
	used := 0.0 // by the vehicles on the short lanes and the links into them
	// Given the junction's scratch, t is an exit lane of the node being
	// decided (roomAt), until the look goes on along the route.
	local := sc != nil
	for range maxShortChain {
		seg := &s.segs[t]
		if seg.length >= need {
			return s.roomAt(t, sc, local)-used >= min(need, seg.length)
		}
		if seg.tail.n > 0 && seg.tail.speed < 1 {
			return false
		}
		used += s.occ[t]
		for _, in := range s.ids(seg.inLinks) {
			if h := &s.segs[in].head; h.n > 0 && h.speed < 1 {
				return false
			}
			used += s.occ[in]
		}
		if sc != nil && slices.ContainsFunc(sc.res, func(x reservation) bool { return x.lane == t }) {
			return false
		}
		off++
		nr := s.roadAfter(c.id, off)
		if nr < 0 {
			return true // arriving at the end of this lane
		}
		next := int32(-1)
		for _, k := range s.ids(s.laneT[t].links) {
			if s.segRoad[k] == nr && !s.closed[s.linkLane[k]] {
				next = k
				break
			}
		}
		if next < 0 {
			return true // a wrong lane: the vehicle will reroute from it
		}
		if !s.lights[s.linkMov[next]].IsGreen() {
			// A light ahead, not a queue: the lane's own room decides, as
			// for any lane (SUMO clears a junction only for stopped
			// vehicles beyond it).
			return s.roomAt(t, sc, local) >= seg.length
		}
		t, local = s.linkLane[next], false
	}
	return s.room(t, sc)-used >= min(need, s.segs[t].length)
}

// maxShortChain is how many lanes shorter than a vehicle fits looks
// through before taking the room of the last one as it is.
const maxShortChain = 8

// reservation is the length (m) granted vehicles take on exit lane lane
// this step.
type reservation struct {
	lane int32
	len  float64
}

// reserve notes that a vehicle granted entry takes length l (m) on exit
// lane t.
func (s *Sim) reserve(t int32, l float64, sc *junctionScratch) {
	for i := range sc.res {
		if sc.res[i].lane == t {
			sc.res[i].len += l
			return
		}
	}
	sc.res = append(sc.res, reservation{t, l})
}

// chooseLink picks the link from lane seg towards the car's next road: the
// one into the lane a rerouted vehicle's plan names (reroute.go), or else
// one whose exit lane leads on along the route through the short roads
// after it (aheadLanes), then one whose exit lane serves the road after,
// then the one with most room, then the lowest id; it sets fAhead when the
// link's exit lane does not lead on. It returns -1 when the lane does not
// lead to the next road. It also keeps the lane's Sim.lcAttn bit
// (markDecide): a car's lane-change decisions depend on its link.
func (s *Sim) chooseLink(lane int32, c *car) int32 {
	if c.next < 0 {
		return -1
	}
	after := c.next2
	c.flags &^= fAhead
	want := s.plannedArrival(c) // a rerouted vehicle's planned lane (reroute.go)
	// On a next road too short to change lanes on, the lanes that lead on
	// along the route (aheadLanes).
	short, good := after >= 0 && !s.changeable(c.next, float64(c.length)), uint64(0)
	if short {
		_, good = s.aheadLanes(c.id, float64(c.length))
	}
	// The best link's serve and room are worked out only when a second
	// link competes (for speed: most lanes have one link to a road).
	best, bestGood, bestServe, bestRoom, ranked := int32(-1), false, false, 0.0, false
	for _, l := range s.ids(s.laneT[lane].links) {
		if s.segRoad[l] != c.next {
			continue
		}
		kl := s.linkLane[l]
		if s.closed[kl] {
			continue
		}
		if kl == want {
			if !decideQuiet(l, c) {
				s.markDecide(lane, c, l)
			}
			return l
		}
		ok := !short || good>>s.net.Lanes[kl].Index&1 != 0
		if best < 0 {
			best, bestGood = l, ok
			continue
		}
		if !ranked {
			bestServe, bestRoom = s.linkRank(best, after)
			ranked = true
		}
		serve, room := s.linkRank(l, after)
		if ok && !bestGood || ok == bestGood && (serve && !bestServe || serve == bestServe && room > bestRoom+1e-9) {
			best, bestGood, bestServe, bestRoom = l, ok, serve, room
		}
	}
	if best >= 0 && !bestGood {
		c.flags |= fAhead
	}
	if !decideQuiet(best, c) {
		s.markDecide(lane, c, best)
	}
	return best
}

// decideQuiet reports that markDecide(lane, c, link) would return at
// once, changing nothing: c is given a link (link ≥ 0) and has no lane
// plan and no lanes to keep to (fPlanned, fAhead). chooseLink calls
// markDecide only when it does not hold, for speed: most of its vehicles
// take a link that leads on without either flag, and the call cost more
// than its work. Exact: it is markDecide's first test, on which that
// returns. TestDecideQuiet checks that markDecide leaves the lcAttn bits
// as they were whenever it holds.
func decideQuiet(link int32, c *car) bool {
	return link >= 0 && c.flags&(fPlanned|fAhead) == 0
}

// linkRank returns what chooseLink ranks link l by: whether its exit lane
// serves road after (any when after < 0), and the room (m) its exit lane
// and l leave.
func (s *Sim) linkRank(l, after int32) (serve bool, room float64) {
	kl := s.linkLane[l]
	return after < 0 || s.serves(kl, after), s.segs[kl].length - s.occ[kl] - s.occ[l]
}

// linkWithRoom returns the link from lane seg towards the car's next road
// whose exit lane has room for it (the planned one first, then one that
// also serves the road after, then the most room), or -1 when none has. An
// exit lane that does not serve the road after is taken only when it leads
// back to it (to a road of its strongly connected component): should the
// vehicle fail to move over there, it then makes a detour
// (rerouteFromLane), never meets a dead end.
func (s *Sim) linkWithRoom(lane int32, c *car, p *follow.Params, sc *junctionScratch) int32 {
	want := s.plannedArrival(c)
	best, bestServe, bestRoom := int32(-1), false, math.Inf(-1)
	for _, l := range s.ids(s.laneT[lane].links) {
		kl := s.linkLane[l]
		if s.segRoad[l] != c.next || s.closed[kl] {
			continue
		}
		if !s.fits(kl, sc, c, p.MinGap, 1) {
			continue
		}
		room := s.roomAt(kl, sc, true)
		if kl == want {
			return l
		}
		serve := c.next2 < 0 || s.serves(kl, c.next2)
		if !serve && !s.leadsBack(kl, c.next2) {
			continue
		}
		if best < 0 || serve && !bestServe || serve == bestServe && room > bestRoom+1e-9 {
			best, bestServe, bestRoom = l, serve, room
		}
	}
	return best
}

// leadsBack reports whether lane l has a link to a road in road r's
// strongly connected component (from where r can be reached), or the
// network lists no components.
func (s *Sim) leadsBack(l, r int32) bool {
	if s.comp[r] < 0 {
		return true
	}
	for _, k := range s.ids(s.laneT[l].links) {
		if s.comp[s.segRoad[k]] == s.comp[r] {
			return true
		}
	}
	return false
}

// roadAfter returns the road k roads after the vehicle's current road on
// its route, or -1.
func (s *Sim) roadAfter(id int32, k int) int32 {
	v := &s.veh[id]
	r := s.routes[v.route]
	if i := int(v.ri) + k; i < len(r) {
		return int32(r[i])
	}
	return -1
}

// serves reports whether lane segment l has a link to road r into a lane
// that is not closed: read off the lanes' bits (serveBits) where they are
// made, else by walking the lane's links (servesByLinks; TestServes
// compares the two).
func (s *Sim) serves(l, r int32) bool {
	if yes, ok := s.lsrch.serve.leadsTo(l, r); ok {
		return yes
	}
	return s.servesByLinks(l, r)
}

// servesByLinks is serves by a walk of lane l's links.
func (s *Sim) servesByLinks(l, r int32) bool {
	for _, k := range s.ids(s.laneT[l].links) {
		if s.segRoad[k] == r && !s.closed[s.linkLane[k]] {
			return true
		}
	}
	return false
}
