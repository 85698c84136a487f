package engine

import (
	"cmp"
	"iter"
	"math"
	mathbits "math/bits"
	"slices"
	"sync/atomic"

	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/internal/fminmax"
	"github.com/citytwin/citytwin/maps"
)

// Lane changing: strategic changes towards a lane that serves the next road
// of the route, and discretionary changes by MOBIL (Kesting, Treiber &
// Helbing, "General lane-changing model MOBIL for car-following models",
// Transp. Res. Rec. 1999 (2007) 86–94): change when
//
//	a'_c − a_c + p·(a'_n − a_n + a'_o − a_o) > Δa_th   and   a'_n ≥ −b_safe
//
// where c is the changer, n its new follower and o its old follower, primes
// are accelerations after the change, p the politeness and b_safe the new
// follower's comfortable deceleration. Changes are instantaneous, as in
// SUMO's default; a change never places a vehicle within `tiny` of another.

// lcScratch holds one chunk's pending lane changes, and what the chunk
// needs to know from its last run.
type lcScratch struct {
	moves []lcMove
	nb    nbCache
	// yielded lists the lanes whose yield point (Sim.yield) the chunk's
	// roads set in its last run: the next run clears them first. A new
	// scratch (the first phase of a simulation or of a clone, which drops
	// its scratch) has no such record, and clears every lane's instead
	// (newLaneChangeScratch).
	yielded []int32
	// multi masks the live bitmap (Sim.live) to the lanes of the chunk's
	// roads with more than one lane: multi[k] for word w0+k. Nil when the
	// network's lanes are not laid out by road; the chunk then visits
	// each of its roads.
	multi []uint64
	w0    int32
	// lay is the lanes' layout by road, shared by every chunk's scratch;
	// nil with multi.
	lay *laneLayout
}

// laneLayout is what the live walk of the lane-change phase reads of a
// lane's road: with lanes laid out by road (see newLaneChangeScratch),
// lane l is lane at[l].li of its road's at[l].n lanes, l − at[l].li, …,
// l − at[l].li + at[l].n − 1. It is a dense array by lane (a cache line
// covers 16 lanes) read instead of the road's record (net.Roads[r].Lanes)
// and the lane's (net.Lanes[l].Index), a line each per live lane that
// nothing else the walk does for the common vehicle reads.
type laneLayout struct {
	at []laneAt
}

// laneAt is a lane's index on its road and its road's lane count, and
// Sim.jm.lo of the node the lane starts at (for enteringLink: the junction
// masks are immutable after New).
type laneAt struct {
	li, n uint16
	lo    int32
}

// roadOf returns lane l's road's lanes and l's index among them.
func (lay *laneLayout) roadOf(l int32) (lanes roadLanes, li int) {
	at := lay.at[l]
	return roadLanes{first: l - int32(at.li), n: int(at.n)}, int(at.li)
}

// roadLanes is a road's lanes, in order: lane k (0 ≤ k < n) is ids[k] or,
// with ids nil (lanes laid out by road: roadOf), first + k. The doc
// comments write lanes[k] for lanes.lane(k).
type roadLanes struct {
	ids   []maps.LaneID
	first int32
	n     int
}

// lanesOf returns ids as roadLanes.
func lanesOf(ids []maps.LaneID) roadLanes { return roadLanes{ids: ids, n: len(ids)} }

// lane returns lane k of the road (0 ≤ k < n).
func (rl *roadLanes) lane(k int) int32 {
	if rl.ids != nil {
		return int32(rl.ids[k])
	}
	return rl.first + int32(k)
}

// nbCache remembers, for the two lanes of more than nbShort vehicles last
// searched, where lcGaps found a position's place (placeIn): the road's
// vehicles are visited front to back, so each search on a lane starts
// where the last one ended rather than at the lane's front. Valid while
// the lanes' vehicles do not change (the decisions of a road, before any
// change is applied); an empty cache (reset) has every search start at
// the front.
type nbCache struct {
	lane [2]int32
	pos  [2]float64
	j    [2]int
	next int // entry to replace
}

func (nb *nbCache) reset() { nb.lane = [2]int32{-1, -1} }

// nbShort is the most vehicles a lane may have for lcGaps to search it
// from its front, without the cache: a search of so few costs less than
// the cache's bookkeeping. (The answer does not depend on where a search
// starts: any start not past it finds the same place.)
const nbShort = 4

// start returns where a search of lane tl for the place of position pos
// may start (see placeIn), and the cache entry to note its answer
// in (note). Split from the search so that both inline into lcGaps.
func (nb *nbCache) start(tl int32, pos float64) (e, j int) {
	if tl == nb.lane[1] {
		e = 1
	} else if tl != nb.lane[0] {
		e = nb.evict()
	}
	if pos <= nb.pos[e] {
		j = nb.j[e] // every vehicle before it is at or ahead of nb.pos ≥ pos
	}
	return e, j
}

// evict empties the older entry, for a lane not in the cache, and returns
// it: a search from its place starts at the front (j = 0), whatever pos.
func (nb *nbCache) evict() int {
	e := nb.next
	nb.j[e] = 0
	nb.next ^= 1
	return e
}

// note records in entry e (from start) that position pos of lane tl has
// its leader at index lead.
func (nb *nbCache) note(e int, tl int32, pos float64, lead int) {
	nb.lane[e], nb.pos[e], nb.j[e] = tl, pos, lead+1
}

type lcMove struct {
	from, to int32 // lane segments
	id       int32
	// swap is the vehicle on lane `to` that trades places with id, or −1.
	swap int32
	// at is, for a change MOBIL decided, the vehicle's index on lane
	// from when decided, else −1. MOBIL decides a change only where it is
	// safe as lcSafe checks it at urgency 0 (lcGaps and lcFollower, in
	// mobilLane and mobilGain), and urgency 0 is what applyChange asks of
	// it (a vehicle whose lane does not lead to its next road is left to
	// the strategic changes): while no change of the road has been applied,
	// the lanes are as decided on, and applyChange need not search for
	// the vehicle nor check the change again.
	at int32
}

// lcGap is the least net gap (m) a change leaves to the new leader and
// follower.
const lcGap = 0.5

// phaseLaneChange decides and applies the lane changes of every road with
// more than one lane, by chunks of roads in parallel: a road's decisions
// and changes touch only its own lanes (and their yield points). Only
// roads with a vehicle on one of their lanes have anything to do; the
// chunk finds them in the live bitmap.
//
// With MOBIL, the walk passes an open lane of one vehicle, or of two or
// three whose last is within 20 m of the lane's end, that changeLanes
// would hand to decide none of (toDecideFirst): changeLanes evaluates no
// MOBIL change for a lane's first vehicle, nor for one within 20 m of the
// end (mobilDue: the same test, length − pos < 20, on the same values;
// the vehicles before the last are no farther back, and length − pos as
// rounded never falls as pos rises), so such a lane has nothing to decide
// and the road's decisions start from its next lane (TestLaneChangeVisits
// compares the walk with a visit of every road; it fails without the
// test of the last vehicle's place or of a vehicle after the first).
func (s *Sim) phaseLaneChange() {
	if s.cfg.FixedLanes {
		return
	}
	nr := len(s.net.Roads)
	nc := chunks(nr)
	if len(s.lcs) < nc {
		s.lcs = s.newLaneChangeScratch(nc)
	}
	period := int64(max(1, math.Round(1/s.dt)))
	s.par.run(nc, func(c int) {
		sc, acc := &s.lcs[c], &s.chunkAcc[c]
		for _, l := range sc.yielded {
			s.yield[l].at = -1
		}
		sc.yielded = sc.yielded[:0]
		if sc.multi == nil {
			lo, hi := span(c, nr)
			for r := lo; r < hi; r++ {
				if lanes := s.net.Roads[r].Lanes; len(lanes) > 1 {
					s.changeLanes(lanesOf(lanes), 0, 0, period, sc, acc)
				}
			}
			return
		}
		// The live lanes of the chunk's multi-lane roads, in lane order:
		// road by road, as each road's lanes are consecutive.
		if s.cfg.LaneChange {
			end := int32(0) // the lanes before it belong to roads decided already
			for l := range sc.liveLanes(s.live, nil) {
				if l < end {
					continue
				}
				// An open lane of one vehicle, or of two or three (len − 2
				// < 2) whose last is within 20 m of the end, that
				// changeLanes would hand to decide none of (see above):
				// the road's decisions start from its next lane.
				if seg := &s.segs[l]; (len(seg.cars) == 1 || uint(len(seg.cars)-2) < 2 && seg.length-seg.cars[len(seg.cars)-1].pos < 20 && !toDecideFirst(&seg.cars[1]) && (len(seg.cars) == 2 || !toDecideFirst(&seg.cars[2]))) && !toDecideFirst(&seg.cars[0]) && !(s.anyClosed && s.closed[l]) {
					continue
				}
				lanes, li := sc.lay.roadOf(l)
				end = lanes.first + int32(lanes.n) // past the road's last lane
				s.changeLanes(lanes, li, 0, period, sc, acc)
			}
			return
		}
		// Without MOBIL, a road has something to decide only on a closed
		// lane or for a vehicle toDecideOn finds: its lanes are looked at
		// here first, and the road's decisions start from the first such
		// lane and vehicle (the lanes before have nothing to decide, or no
		// vehicle at all). Only lanes whose lcAttn bit is set can have
		// either (see mayDecide); a lane found with no vehicle that may
		// decide loses its bit.
		done := int32(0) // the lanes before it belong to roads decided already
		for l := range sc.liveLanes(s.live, s.lcAttn) {
			if l < done {
				continue
			}
			if i, ok := s.laneToDecide(l); ok {
				lanes, li := sc.lay.roadOf(l)
				done = lanes.first + int32(lanes.n) // past the road's last lane
				s.changeLanes(lanes, li, i, period, sc, acc)
			}
		}
	})
}

// laneToDecide returns, for the lane-change phase without MOBIL, the
// vehicle of lane l to start its road's decisions from: the first one
// toDecideOn finds, or 0 on a closed lane (changeLanes has each of its
// vehicles leave it, leaveClosed, whatever the index); false when the
// lane has nothing to decide, and then, when none of its vehicles may
// decide at a later step either (mayDecide), it clears the lane's lcAttn
// bit.
func (s *Sim) laneToDecide(l int32) (int, bool) {
	cars := s.segs[l].cars
	// toDecideOn(l, cars, 0), its first step inlined.
	i := toDecide(cars, 0)
	if i < len(cars) {
		i = s.toDecideOn(l, cars, i)
	}
	switch {
	case i < len(cars):
		return i, true
	case s.anyClosed && s.closed[l]:
		return 0, true
	}
	if s.firstMayDecide(l, cars) < 0 {
		clearBit(s.lcAttn, l)
	}
	return 0, false
}

// liveLanes yields the lanes of the chunk's multi-lane roads whose bit is
// set in the live bitmap, and in bitmap attn unless it is nil, in lane
// order. A road's changes alter only its own lanes' bits: each word is
// read once (other chunks' bits in it are masked out).
func (sc *lcScratch) liveLanes(live, attn []uint64) iter.Seq[int32] {
	return func(yield func(int32) bool) {
		for k, m := range sc.multi {
			w := sc.w0 + int32(k)
			if attn != nil {
				m &= atomic.LoadUint64(&attn[w])
			}
			for bits := atomic.LoadUint64(&live[w]) & m; bits != 0; bits &= bits - 1 {
				if !yield(w*chunkSize + int32(mathbits.TrailingZeros64(bits))) {
					return
				}
			}
		}
	}
}

// newLaneChangeScratch returns the scratch of the lane-change phase for nc
// chunks of roads. It clears every lane's yield point, as the new scratch
// does not know which the last phase set (see lcScratch.yielded).
func (s *Sim) newLaneChangeScratch(nc int) []lcScratch {
	for i := range s.yield {
		s.yield[i].at = -1
	}
	lcs := make([]lcScratch, nc)
	// The lanes are laid out by road when each road's lanes are
	// consecutive and follow those of the road before (maps builds every
	// network so); then chunk c's roads own one range of lanes.
	roads := s.net.Roads
	first := make([]int32, len(roads)+1) // first lane of each road
	for r := range roads {
		first[r+1] = first[r] + int32(len(roads[r].Lanes))
		for k, l := range roads[r].Lanes {
			if int32(l) != first[r]+int32(k) {
				return lcs
			}
		}
	}
	lay := &laneLayout{at: make([]laneAt, s.nLanes)}
	for _, road := range roads {
		if len(road.Lanes) > math.MaxUint16 {
			return lcs // laneAt cannot tell (no road has so many)
		}
		for k, l := range road.Lanes {
			lay.at[l] = laneAt{li: uint16(k), n: uint16(len(road.Lanes)), lo: s.jm.lo[road.From]}
		}
	}
	for c := range lcs {
		lo, hi := span(c, len(roads))
		a, b := first[lo], first[hi]
		sc := &lcs[c]
		sc.lay = lay
		sc.w0 = a / chunkSize
		sc.multi = make([]uint64, (b+chunkSize-1)/chunkSize-sc.w0)
		for r := lo; r < hi; r++ {
			if len(roads[r].Lanes) < 2 {
				continue
			}
			for l := first[r]; l < first[r+1]; l++ {
				sc.multi[l/chunkSize-sc.w0] |= 1 << (l % chunkSize)
			}
		}
	}
	return lcs
}

// changeLanes decides the lane changes of the vehicles of a road's lanes,
// then applies them in the order decided. period is MOBIL's cadence in
// steps: a vehicle evaluates a discretionary change once per second
// (mobilDue). The decisions start at vehicle i0 of lanes[li0]: the caller
// has found that the vehicles before it have nothing to decide. (A change
// MOBIL decides notes its lane as lanes.lane(li), the lane loop's l: l is
// then not kept in a register along the lane's vehicles.)
func (s *Sim) changeLanes(lanes roadLanes, li0, i0 int, period int64, sc *lcScratch, acc *stepAcc) {
	sc.moves = sc.moves[:0]
	sc.nb.reset()
	mobilOn := s.cfg.LaneChange
	for li := li0; li < lanes.n; li++ {
		l := lanes.lane(li)
		first := i0 // the vehicle to start from on this lane
		i0 = 0
		seg := &s.segs[l]
		if len(seg.cars) == 0 {
			continue
		}
		if s.anyClosed && s.closed[l] {
			s.leaveClosed(seg, &lanes, li, sc)
			continue
		}
		next := nowCarry{i: -1} // see mobilLane
		cars := seg.cars
		if !mobilOn {
			// Only the vehicles toDecideOn finds have anything to decide,
			// and only on lanes with the lcAttn bit (see mayDecide).
			if !hasBit(s.lcAttn, int32(l)) {
				continue
			}
			for i := s.toDecideOn(int32(l), cars, first); i < len(cars); i = s.toDecideOn(int32(l), cars, i+1) {
				s.decide(seg, i, &lanes, li, period, sc, &next)
			}
			continue
		}
		length := seg.length
		for i := first; i < len(cars); i++ {
			c := &cars[i]
			if c.link < 0 || c.flags&(fPermit|fPlanned|fAhead) != 0 {
				if c.flags&fPermit != 0 {
					continue // crossing the stop line this step: no change
				}
				if c.next >= 0 || c.flags&fPlanned != 0 {
					// A strategic change to consider (!noStrategic(c), as
					// the test above passed) or a lane plan.
					s.decide(seg, i, &lanes, li, period, sc, &next)
					continue
				}
			}
			// The common case, in few instructions: no strategic change to
			// consider and no lane plan, so only MOBIL (as decide would:
			// when due, for a vehicle wholly on the lane with one ahead).
			if i > 0 && s.mobilDueOn(length, c, period) && !s.farBehind(c, &cars[i-1]) {
				if to := s.mobilLane(seg, i, &lanes, li, sc, &next); to >= 0 {
					sc.moves = append(sc.moves, lcMove{from: lanes.lane(li), to: to, id: c.id, swap: -1, at: int32(i)})
				}
			}
		}
	}
	fresh := true // the lanes as decided on: no change applied yet
	for _, m := range sc.moves {
		if s.applyChange(m, fresh, acc) {
			fresh = false
		}
	}
}

// toDecideFirst reports whether changeLanes, with MOBIL on, hands car c,
// the first of its lane, to decide: not crossing the stop line, with a
// strategic change to consider or a lane plan. (It evaluates no MOBIL
// change for a first vehicle.)
func toDecideFirst(c *car) bool {
	return c.flags&fPermit == 0 && (!noStrategic(c) || c.flags&fPlanned != 0)
}

// toDecide returns the index of the first vehicle of cars from i on that
// may have a change to decide when MOBIL is off (len(cars) when none):
// not one crossing the stop line this step, nor one with no strategic
// change to consider (noStrategic). With CityFlow's settings (no MOBIL)
// most vehicles have nothing to decide: this loop (inlined) passes them.
func toDecide(cars []car, i int) int {
	for ; i < len(cars); i++ {
		c := &cars[i]
		if c.link >= 0 && c.flags&(fPermit|fPlanned|fAhead) == 0 {
			continue // the common case first: its lane leads on
		}
		if c.flags&fPermit == 0 && c.next >= 0 {
			break // !noStrategic(c), as the test above failed
		}
	}
	return i
}

// toDecideOn is toDecide for the vehicles of lane l, also passing those
// on their planned lane (onPlan).
func (s *Sim) toDecideOn(l int32, cars []car, i int) int {
	for i = toDecide(cars, i); i < len(cars) && s.onPlan(l, &cars[i]); i = toDecide(cars, i+1) {
	}
	return i
}

// onPlan reports whether car c of lane l, found by toDecide, has nothing
// to decide after all: its lane leads on, it has no lanes to keep to
// after (fAhead), and its lane plan (reroute.go) has it leave the road
// from lane l, or from no lane in particular. decide finds no direction
// for such a vehicle and, without MOBIL, does nothing else.
func (s *Sim) onPlan(l int32, c *car) bool { return s.leadsOnPlan(l, c, c.link) }

// leadsOnPlan is onPlan for car c of lane l with link in place of
// c.link: markDecide asks it while chooseLink is picking c.link.
func (s *Sim) leadsOnPlan(l int32, c *car, link int32) bool {
	if link < 0 || c.flags&fAhead != 0 {
		return false
	}
	p := s.plannedExit(c)
	return p < 0 || p == l
}

// mayDecide reports whether car c of lane l may have a strategic change to
// decide, now or at a later step on the lane: toDecideOn's test (a next
// road, and not onPlan), without the grant to cross the stop line
// (fPermit), which a vehicle may lose. What it reads changes only where a
// link is chosen for the car on its lane (chooseLink: the link and fAhead;
// and after a new road or route, v.ri, fPlanned and the plan's exit; plans
// never change once made) or where its route changes without one
// (setRoute marks the lane). So markDecide, called by chooseLink, keeps
// Sim.lcAttn's bit set on every lane with such a car, and the lane-change
// walk without MOBIL passes the lanes without the bit (checkInvariants
// checks it, and that closed lanes keep theirs: setClosed sets them).
func (s *Sim) mayDecide(l int32, c *car) bool {
	return c.next >= 0 && !s.onPlan(l, c)
}

// firstMayDecide returns the index of the first of lane l's cars that may
// decide a change (mayDecide), or −1 when none may.
func (s *Sim) firstMayDecide(l int32, cars []car) int {
	for i := range cars {
		if s.mayDecide(l, &cars[i]) {
			return i
		}
	}
	return -1
}

// markDecide sets lane's lcAttn bit when car c, given link (−1: none)
// there by chooseLink, may have a strategic change to decide (mayDecide,
// whose test of a next road holds: chooseLink calls it only for a
// vehicle with one).
func (s *Sim) markDecide(lane int32, c *car, link int32) {
	if link >= 0 && c.flags&(fPlanned|fAhead) == 0 {
		return // the common case: its lane leads on, no plan
	}
	if !s.leadsOnPlan(lane, c, link) {
		setBit(s.lcAttn, lane)
	}
}

// noStrategic reports whether vehicle c has no strategic change to
// consider: it is on its last road, or its lane leads to its next road and
// it has neither a lane plan (fPlanned) nor lanes to keep to for the roads
// after (fAhead). See changeLanes.
func noStrategic(c *car) bool {
	return c.next < 0 || c.link >= 0 && c.flags&(fPlanned|fAhead) == 0
}

// mobilDue reports whether MOBIL, when on (Config.LaneChange), evaluates
// car c of a lane of the given length (m) this step: for a vehicle 20 m
// or more before the end of the lane, at steps where (step + id) mod
// period = 0 (period: MOBIL's cadence in steps).
func (s *Sim) mobilDue(length float64, c *car, period int64) bool {
	return !(length-c.pos < 20) && (period <= 1 || (s.step+int64(c.id))%period == 0)
}

// wholly reports whether car c is wholly on a lane of the given length
// (m), as a lane change asks: its rear past the lane's start. On a lane
// shorter than itself (netconvert makes lanes of a metre or less where
// ways meet) a vehicle may change at its end: else one that stops there
// on a lane that does not lead on could never move over, and would make
// a detour.
func wholly(c *car, length float64) bool {
	return !(c.pos < min(float64(c.length), length-lcGap))
}

// mobilDueOn reports whether MOBIL evaluates car c of a lane of the given
// length (m) this step (mobilDue) and c is wholly on the lane (wholly).
// A vehicle due is 20 m or more before the end, so that c.pos <
// length − lcGap, and wholly's test reduces to c.pos ≥ c.length (where
// c.length > length − lcGap, both fail): one comparison for every vehicle
// changeLanes asks, where min takes several. Exact in floating point,
// on any lane shorter than 2⁵² m: length − c.pos ≥ 20 after rounding puts
// c.pos below length − 19.9, and length − lcGap rounded stays above
// length − 1 (TestMobilDueOn).
func (s *Sim) mobilDueOn(length float64, c *car, period int64) bool {
	return s.mobilDue(length, c, period) && !(c.pos < float64(c.length))
}

// farBehind reports that car c, behind leader l, is far behind it: four
// times IDM's desired gap, where the leader's pull is under a sixteenth
// of the maximum acceleration. MOBIL then takes it as not impeded, and
// does not evaluate a change (part of the model: mobilLane's callers ask
// it first, in few instructions).
func (s *Sim) farBehind(c, l *car) bool {
	p := &s.vtypes[c.vt].Follow
	ss := p.MinGap + float64(c.speed*p.Headway) + fminmax.Pos(c.speed*(c.speed-l.speed))/p.TwoSqrtAB()
	return l.pos-float64(l.length)-c.pos > 4*ss && p.Accel/16 <= s.cfg.LaneChangeThreshold
}

// decide decides the change of car i of lane lanes[li] (seg), not
// crossing the stop line, with MOBIL's cadence period (see mobilDue).
func (s *Sim) decide(seg *segment, i int, lanes *roadLanes, li int, period int64, sc *lcScratch, next *nowCarry) {
	c := &seg.cars[i]
	if !wholly(c, seg.length) {
		return
	}
	// Strategic changes: towards the nearest lane that leads to the next
	// road; for a rerouted vehicle, towards the lane its route was planned
	// on (reroute.go); and, from a lane that leads to the next road but
	// not on along the route through the short roads after it, towards the
	// nearest lane that does (ahead.go).
	l := lanes.lane(li)
	planned := s.plannedExit(c)
	dir := 0
	switch {
	case c.next < 0:
	case planned >= 0 && planned != l:
		dir = cmp.Compare(s.net.Lanes[planned].Index, li)
	case c.link < 0:
		dir = s.towards(lanes, li, c.next)
	case c.flags&fAhead != 0:
		cur, _ := s.aheadLanes(c.id, float64(c.length))
		dir = nearestIn(cur, li, lanes.n)
	}
	if dir != 0 {
		s.strategic(seg, i, lanes, li, dir, sc)
		return
	}
	if c.next >= 0 && c.link < 0 || planned >= 0 || i == 0 || !s.cfg.LaneChange || !s.mobilDue(seg.length, c, period) || s.farBehind(c, &seg.cars[i-1]) {
		// No lane towards the next road, MOBIL off, or no evaluation
		// due (for a vehicle with a lane plan, none at all; the first
		// vehicle of a lane has nothing ahead to escape).
		return
	}
	if to := s.mobilLane(seg, i, lanes, li, sc, next); to >= 0 {
		sc.moves = append(sc.moves, lcMove{from: l, to: to, id: c.id, swap: -1, at: int32(i)})
	}
}

// leaveClosed decides the changes of the vehicles on closed lane
// lanes[li] (seg): each wholly on it leaves for an open neighbour where it
// fits, whatever its route.
func (s *Sim) leaveClosed(seg *segment, lanes *roadLanes, li int, sc *lcScratch) {
	for i := range seg.cars {
		c := &seg.cars[i]
		if !wholly(c, seg.length) {
			continue
		}
		for _, dir := range [2]int{-1, 1} {
			if t := li + dir; t >= 0 && t < lanes.n && s.lcSafe(seg, i, lanes.lane(t), urgency(seg.length-c.pos), &sc.nb) {
				sc.moves = append(sc.moves, lcMove{from: lanes.lane(li), to: lanes.lane(t), id: c.id, swap: -1, at: -1})
				break
			}
		}
	}
}

// strategic decides the strategic change of car i of lane lanes[li] (seg)
// to the neighbouring lane in direction dir: a change where it fits, else
// a swap with a vehicle there that needs to move the other way; else, for
// a vehicle whose lane does not lead on and that has waited long enough,
// a yield point on the target lane.
func (s *Sim) strategic(seg *segment, i int, lanes *roadLanes, li, dir int, sc *lcScratch) {
	c := &seg.cars[i]
	from, to := lanes.lane(li), lanes.lane(li+dir)
	if s.lcSafe(seg, i, to, urgency(seg.length-c.pos), &sc.nb) {
		sc.moves = append(sc.moves, lcMove{from: from, to: to, id: c.id, swap: -1, at: -1})
	} else if y := s.swapPartner(seg, i, lanes, li, dir); y >= 0 {
		sc.moves = append(sc.moves, lcMove{from: from, to: to, id: c.id, swap: y, at: -1})
	} else if c.wait >= cooperateWait && c.link < 0 {
		// Stuck: ask the vehicles behind on the target lane to leave a
		// gap beside it (SUMO's cooperative changes); not for a lane
		// merely better than its own (its lane leads on), which would
		// hold the target lane for good.
		if y := &s.yield[to]; c.pos > y.at {
			if y.at < 0 {
				sc.yielded = append(sc.yielded, to)
			}
			*y = yieldPoint{at: c.pos, length: float64(c.length)}
		}
	}
}

// nowCarry carries, along a lane's vehicles, the acceleration of vehicle
// i behind the vehicle before it (i = −1: none), found by the MOBIL
// evaluation of that vehicle (its old follower's term) and needed again by
// vehicle i's own (whether it is impeded: mobilLane).
type nowCarry struct {
	i   int
	now float64
}

// mobilLane returns the lane that MOBIL moves car i (i > 0) of lane
// lanes[li] (seg) to, or −1 to stay. Only a vehicle impeded by its leader
// is evaluated; its callers pass one far behind its leader first
// (farBehind: in the caller, the call of mobilLane cost more than the
// check on grid32).
//
// The lanes either side: MOBIL evaluates a change to one that it fits
// into by the gaps alone (lcGaps), that noGain does not rule out and
// that serves its next road (tested in this order: the first two rule
// out many lanes, the last few); only then does it need the vehicle's
// own terms, found for the first such lane (the evaluation of the
// others could only find the change unsafe or not worth it).
//
// Most vehicles have no such lane (on grid32 nine in ten). mobilLane
// tests the lanes itself, with little to keep across its calls, and
// leaves the evaluation, from the first lane that passes on, to
// mobilFrom, which tests the lanes after that one as this loop would
// have: the best incentive so far is still the threshold when it starts
// (no lane was evaluated before), and the tests, the nbCache searches and
// the old follower's terms (old) are the same, in the same order, as in
// one loop (TestLaneChangeCuts, three-lanes: a vehicle with two lanes
// that pass).
func (s *Sim) mobilLane(seg *segment, i int, lanes *roadLanes, li int, sc *lcScratch, next *nowCarry) int32 {
	var old mobilOld
	for t := li - 1; t <= li+1; t += 2 {
		if uint(t) >= uint(lanes.n) { // t < 0 or t ≥ lanes.n, in one test
			continue
		}
		tl := lanes.lane(t)
		fits, lead, fol := s.lcGaps(seg, i, tl, &sc.nb)
		if !fits || s.noGain(seg, i, tl, lead, fol, &old, s.cfg.LaneChangeThreshold) || seg.cars[i].next >= 0 && !s.serves(tl, seg.cars[i].next) {
			continue
		}
		return s.mobilFrom(seg, i, lanes, li, sc, next, t, lead, fol, &old)
	}
	// No lane evaluated: next as mobilFrom leaves it.
	next.i = -1
	if old.oKnown {
		*next = nowCarry{i: i + 1, now: old.oNow}
	}
	return -1
}

// mobilFrom is mobilLane from lane lanes[t0], the first to pass its tests
// (lcGaps found new leader lead0 and follower fol0 there), on: the
// vehicle's evaluation, with old as the tests left it.
//
// A vehicle whose own term a'_c − a_c to a lane of the same speed limit
// exceeds the threshold is impeded, and its free-road acceleration is
// not needed to tell: for IDM the free road asks the most of all
// (follow.IDMAccel drops the gap's term, q² ≥ 0, and
// follow.IDMStepLimit only raises it there), so free ≥ a'_c at the same
// desired speed, and rounding being monotone, free − a_c ≥ a'_c − a_c >
// threshold (a_c, now, the same value in both). Other models, or another
// limit, ask for it.
func (s *Sim) mobilFrom(seg *segment, i int, lanes *roadLanes, li int, sc *lcScratch, next *nowCarry, t0, lead0, fol0 int, old *mobilOld) int32 {
	c, l := &seg.cars[i], &seg.cars[i-1]
	known, now := next.i == i, next.now
	next.i = -1
	vt := &s.vtypes[c.vt]
	// The evaluation finds first the terms of the incentive that do not
	// depend on the new follower (mobilOwn). Where the new follower's
	// term is ≤ 0 by positions and speeds (newFollowerLoses), their sum
	// bounds the incentive: a change it cannot make worth it is ruled out
	// there, before the follower's accelerations (mobilGain), and before
	// the vehicle's free-road acceleration, which only tells whether it
	// is impeded (not impeded: no change at all). Exact: the incentive is
	// summed as own + p·(a'_n − a_n) + old-follower term, in this order,
	// and rounding is monotone, so with p·(a'_n − a_n) ≤ 0 the rounded
	// incentive is at most the rounded own + old-follower term (the
	// same, without a new follower).
	v0 := vt.desired(seg.speed, c.factor)
	if !known {
		// accBehind(c, seg, l), spelled out with v0 at hand.
		now = s.accel(vt, c.speed, l.pos-float64(l.length)-c.pos, l.speed, v0, 0)
	}
	old.now = now
	impeded := false
	bestGain, best := s.cfg.LaneChangeThreshold, int32(-1)
	cur, curSet := uint64(0), false // lanes that lead on (aheadLanes)
	for t := t0; t <= li+1; t += 2 {
		if t < 0 || t >= lanes.n {
			continue
		}
		tl := lanes.lane(t)
		lead, fol := lead0, fol0
		if t != t0 {
			// mobilLane's tests, with the best incentive so far.
			var fits bool
			fits, lead, fol = s.lcGaps(seg, i, tl, &sc.nb)
			if !fits || s.noGain(seg, i, tl, lead, fol, old, bestGain) || c.next >= 0 && !s.serves(tl, c.next) {
				continue
			}
		}
		own, oTerm, hasO := s.mobilOwn(seg, i, tl, lead, old, vt, v0)
		if s.newFollowerLoses(&s.segs[tl], c, lead, fol) {
			bound := own
			if hasO {
				bound += oTerm
			}
			if !(bound > bestGain) {
				continue
			}
		}
		if !impeded && !(own > s.cfg.LaneChangeThreshold && vt.direct.idm() && s.segs[tl].speed == seg.speed) {
			if free := s.accel(vt, c.speed, math.Inf(1), 0, v0, 0); !(free-now > s.cfg.LaneChangeThreshold) {
				best = -1 // not impeded
				break
			}
			impeded = true
		}
		g, ok := s.mobilGain(seg, i, tl, lead, fol, sc.lay, own, oTerm, hasO)
		if !ok || g <= bestGain {
			continue
		}
		// Not from a lane that leads on along the route (ahead.go)
		// to one that does not.
		if c.flags&fAhead == 0 && c.next2 >= 0 && !s.changeable(c.next, float64(c.length)) {
			if !curSet {
				cur, _ = s.aheadLanes(c.id, float64(c.length))
				curSet = true
			}
			if cur>>t&1 == 0 {
				continue
			}
		}
		bestGain, best = g, tl
	}
	if old.oKnown {
		*next = nowCarry{i: i + 1, now: old.oNow}
	}
	return best
}

// strategicDir returns −1 or +1 towards the nearest lane of the road that
// serves road next, or 0 when none does.
func (s *Sim) strategicDir(lanes []maps.LaneID, li int, next int32) int {
	rl := lanesOf(lanes)
	return s.towards(&rl, li, next)
}

// towards is strategicDir for lane li of a road's lanes.
func (s *Sim) towards(lanes *roadLanes, li int, next int32) int {
	for d := 1; d < lanes.n; d++ {
		if li-d >= 0 && s.serves(lanes.lane(li-d), next) {
			return -1
		}
		if li+d < lanes.n && s.serves(lanes.lane(li+d), next) {
			return 1
		}
	}
	return 0
}

// cooperateWait is how long (s) a vehicle waits, unable to make a strategic
// lane change, before the target lane's vehicles behind it hold back.
const cooperateWait = 3.0

// urgency of a strategic change d metres before the end of the lane: 0 up
// to 60 m before, rising to 1 at 10 m.
func urgency(d float64) float64 { return min(max((60-d)/50, 0), 1) }

// neighbours returns the indices in lane t of the vehicles that would lead
// and follow a vehicle at position pos (−1 when absent).
func neighbours(t *segment, pos float64) (lead, follow int) {
	j := placeIn(t.cars, pos, 0)
	lead, follow = j-1, j
	if follow >= len(t.cars) {
		follow = -1
	}
	return
}

// placeIn returns the place of position pos among a lane's vehicles
// cars: the index of the first vehicle behind it (len(cars) if none),
// searching from index j, which must not be past it: every vehicle before
// j is at or ahead of pos.
func placeIn(cars []car, pos float64, j int) int {
	for j < len(cars) && cars[j].pos >= pos {
		j++
	}
	return j
}

// lcSafe reports whether car i of seg fits into lane t: gaps of at least
// lcGap to the new leader and follower, and a new follower that need not
// brake harder than comfortably — or, as urgency grows from 0 to 1, up to
// its emergency deceleration.
func (s *Sim) lcSafe(seg *segment, i int, tl int32, urgent float64, nb *nbCache) bool {
	ok, _, fol := s.lcGaps(seg, i, tl, nb)
	if ok {
		ok, _ = s.lcFollower(seg, i, tl, fol, urgent, nil)
	}
	return ok
}

// lcGaps is the first part of lcSafe, the one without a car-following
// model: whether lane tl is open and car i of seg leaves gaps of at least
// lcGap to the new leader and to a new follower on the lane. It returns
// the indices in lane tl of the new leader and follower (neighbours).
func (s *Sim) lcGaps(seg *segment, i int, tl int32, nb *nbCache) (ok bool, lead, fol int) {
	if s.anyClosed && s.closed[tl] {
		return false, -1, -1
	}
	c := &seg.cars[i]
	pos := c.pos
	cars := s.segs[tl].cars
	var j int
	if len(cars) <= nbShort {
		j = placeIn(cars, pos, 0)
	} else {
		e, j0 := nb.start(tl, pos)
		j = placeIn(cars, pos, j0)
		nb.note(e, tl, pos, j-1)
	}
	lead, fol = j-1, -1
	if j < len(cars) {
		fol = j
	}
	if lead >= 0 {
		l := &cars[lead]
		if l.pos-float64(l.length)-pos < lcGap {
			return false, lead, fol
		}
	} else if s.leaving(tl)-pos < lcGap {
		// The rear of a vehicle that has just left the lane is too close.
		return false, lead, fol
	}
	if j < len(cars) {
		return pos-float64(c.length)-cars[j].pos >= lcGap, lead, fol
	}
	return true, lead, fol
}

// lcFollower is the rest of lcSafe, for lane tl past lcGaps (fol the new
// follower it returned): the gap to a follower still on a link into the lane,
// and the new follower's braking. It also returns, when the change is
// safe and the follower is on the lane (fol ≥ 0), the follower's
// acceleration behind the car (accBehind(f, lane tl, car)), which MOBIL
// reads next.
func (s *Sim) lcFollower(seg *segment, i int, tl int32, fol int, urgent float64, lay *laneLayout) (ok bool, folAcc float64) {
	c := &seg.cars[i]
	t := &s.segs[tl]
	var f *car
	gap := 0.0
	if fol >= 0 {
		f = &t.cars[fol]
		gap = c.pos - float64(c.length) - f.pos // ≥ lcGap (lcGaps)
	} else if e, pos := s.enteringLink(tl, lay); e != nil {
		// The follower is still on a link into the lane.
		f = e
		if gap = c.pos - float64(c.length) - pos; gap < lcGap {
			return false, 0
		}
	}
	if f != nil {
		vt := &s.vtypes[f.vt]
		limit := vt.Follow.Decel + float64(urgent*(vt.Follow.EmergencyDecel-vt.Follow.Decel))
		v0 := vt.desired(t.speed, f.factor)
		// A slow follower cannot brake by more than it has speed: a
		// standing one, held back to let this vehicle in, need not brake
		// at all, whatever its model asks for so short a gap.
		folAcc = s.accel(vt, f.speed, gap, c.speed, v0, 0)
		if max(folAcc, -f.speed/s.dt) < -limit {
			return false, 0
		}
	}
	return true, folAcc
}

// enteringLink is s.enteringCar(tl), first asking the live bitmap whether
// any link into lane tl holds a vehicle at all, with the junction masks of
// the node tl starts at (Sim.jm.into: the links into tl as bits): in one
// AND where that node has masks. Most often none does. It reads the node's
// masks' first link in lay (lanes laid out by road), else in the records.
func (s *Sim) enteringLink(tl int32, lay *laneLayout) (*car, float64) {
	var lo int32
	if lay != nil {
		lo = lay.at[tl].lo
	} else {
		lo = s.jm.lo[s.net.Roads[s.segRoad[tl]].From]
	}
	if lo >= 0 && bitsFrom(s.live, lo)&s.jm.into[tl] == 0 {
		return nil, math.Inf(-1)
	}
	return s.enteringCar(tl)
}

// accBehind is the acceleration of car x on lane seg behind leader (nil:
// none), at the lane's speed limit.
func (s *Sim) accBehind(x *car, lane *segment, leader *car) float64 {
	xt := &s.vtypes[x.vt]
	v0 := xt.desired(lane.speed, x.factor)
	if leader == nil {
		return s.accel(xt, x.speed, math.Inf(1), 0, v0, 0)
	}
	return s.accel(xt, x.speed, leader.pos-float64(leader.length)-x.pos, leader.speed, v0, 0)
}

// mobilOld holds the terms of a vehicle's MOBIL incentive on its own lane,
// the same whichever lane it considers: its acceleration behind its leader
// (now), and once found (oKnown) its old follower's behind that leader
// (oLead) and behind the vehicle (oNow).
type mobilOld struct {
	now         float64
	oKnown      bool
	oLead, oNow float64
}

// noGain reports that MOBIL's incentive for car i of seg to move to lane
// tl (new leader lead and follower fol there, from lcGaps) is at most
// bestGain (≥ 0; for a bestGain not ≥ 0, a negative threshold or NaN, it
// reports false, as its callers' own test of it did before they asked:
// the test is made here, in fewer instructions, where bestGain is in a
// register). For the last vehicle of its lane (no old follower) it
// tells, from positions and speeds alone, that the incentive is at most
// 0: its new leader is no farther ahead of it than its leader l
// (lead's rear no farther ahead than l's) and no faster, on a lane of
// the same speed limit, so that a'_c ≤ a_c; and the new follower, if
// any, would follow it no faster than it follows the new leader (v_c ≤
// v_lead) and at a smaller gap (car i's rear is behind the new leader's:
// lcGaps leaves lcGap between them), so that a'_n ≤ a_n. It holds exactly
// for IDM, whose acceleration never falls as the gap or the leader's
// speed grows, in floating point too: every operation of follow.IDMAccel
// and follow.IDMStepLimit is monotone in them for speeds, gaps and
// parameters ≥ 0 (s0 ≥ 0, a, b > 0), so the rounded a'_c − a_c and,
// politeness p being ≥ 0 (Config.Validate), p·(a'_n − a_n) are ≤ 0 and
// so is their sum. Other models take the full evaluation.
//
// Where the new leader is farther ahead but slower, or closer but faster,
// the same holds when IDM's ratio of desired to actual gap behind the new
// leader, as follow.IDMStep computes it (idmQ), is no smaller than behind
// l: a'_c ≤ a_c all the same, as the acceleration a·(free − q²), then
// limited by follow.IDMStepLimit (at or below v0 a min with the same
// bound for both, above v0 behind a leader a itself), never rises as q
// grows, in floating point too (q ≥ 0; a·(…) with a > 0, follow.Init).
// The first test, by positions and speeds, implies it (a smaller gap and
// a leader no faster give a desired gap no smaller over an actual gap no
// larger) and costs less, so it is made first. Equal ratios give equal
// accelerations, a'_c − a_c = +0, not above a threshold ≥ 0 (the caller
// asks only then); with the leaders' positions and speeds finite no NaN
// arises; the step length enters both sides alike; and nothing outlives
// the vehicle's evaluation (old below; workers, clones).
//
// Where the gap ratio behind the new leader is the smaller (a'_c > a_c
// may be), ownBound bounds the own term from above by the ratios alone;
// a bound above bestGain leaves the lane to the full evaluation. So the
// own term is at most own (0 where the tests above hold), and the new
// follower's ≤ 0 (newFollowerLoses).
//
// With an old follower (car i not the last of its lane), the incentive
// adds its term p·(a'_o − a_o), found here (into old, as mobilOwn finds
// it: oldTerms) once the own term's bound is known: the incentive, the
// sum own term + p·(a'_n − a_n) + old-follower term rounded
// monotonically, is at most own + that term where the new follower's
// term is ≤ 0, and noGain reports whether that is at most bestGain (≥ 0),
// the best incentive so far (the last vehicle of its lane: own alone).
// Then mobilLane's bound (own term + old-follower term, the new
// follower's found ≤ 0) would rule the lane out as well. (The old
// follower's accelerations, found once, serve the other lane and the
// next vehicle alike: see mobilLane.)
//
// The new follower's test (newFollowerLoses) comes last, so that nothing
// is kept across its call. The order changes only which of the old
// follower's accelerations are found, not their values nor the answer
// (a conjunction of the same tests): they are those mobilOwn, and the next
// vehicle's evaluation (nowCarry), would find from the same positions
// and speeds.
func (s *Sim) noGain(seg *segment, i int, tl int32, lead, fol int, old *mobilOld, bestGain float64) bool {
	t := &s.segs[tl]
	if lead < 0 || !(bestGain >= 0) || t.speed != seg.speed {
		return false
	}
	c, l, n := &seg.cars[i], &seg.cars[i-1], &t.cars[lead]
	vt := &s.vtypes[c.vt]
	if !vt.direct.idm() {
		return false
	}
	own := 0.0 // at least the own term a'_c − a_c (0: by the tests above)
	if n.speed > l.speed || n.pos-float64(n.length) > l.pos-float64(l.length) {
		p := &vt.Follow
		if qn, ql := idmQ(p, c.speed, n.pos-float64(n.length)-c.pos, n.speed), idmQ(p, c.speed, l.pos-float64(l.length)-c.pos, l.speed); qn < ql {
			if own = ownBound(p, c.speed, vt.desired(seg.speed, c.factor), qn, ql); !(own <= bestGain) {
				return false
			}
		}
	}
	if i+1 < len(seg.cars) && !old.oKnown {
		// The old follower's term, first from its gap ratios alone
		// (oldBound): most often enough.
		if o, ok := s.oldBound(seg, i); !ok || float64(own+o) > bestGain {
			s.oldTerms(seg, i, old)
		}
	}
	if old.oKnown && float64(own+old.term(s.cfg.Politeness)) > bestGain {
		return false
	}
	return s.newFollowerLoses(t, c, lead, fol)
}

// oldBound returns a number at least the old follower's term of MOBIL's
// incentive for car i of seg (an old follower o, car i + 1, and a leader
// l, car i − 1), p·(a'_o − a_o) as mobilOld.term finds it from oldTerms'
// accelerations (o behind l, a'_o, and behind car i, a_o, on seg at o's
// desired speed there), from IDM's gap ratios (idmQ) alone; false when it
// cannot tell (o not driving IDM, or ownBound cannot). Where o's gap
// ratio behind l is no smaller than behind car i, a'_o ≤ a_o (see noGain:
// the same speed, desired speed and step), so the term is ≤ 0 (p ≥ 0)
// and 0 is returned; else ownBound's bound X of a'_o − a_o, as rounded,
// gives p·X, rounded, at least the term (p ≥ 0: rounding is monotone).
// noGain asks it before oldTerms, and falls back on oldTerms when the
// bound is not enough.
func (s *Sim) oldBound(seg *segment, i int) (float64, bool) {
	c, o, l := &seg.cars[i], &seg.cars[i+1], &seg.cars[i-1]
	ot := &s.vtypes[o.vt]
	if !ot.direct.idm() {
		return 0, false
	}
	p := &ot.Follow
	ql, qc := idmQ(p, o.speed, l.pos-float64(l.length)-o.pos, l.speed), idmQ(p, o.speed, c.pos-float64(c.length)-o.pos, c.speed)
	if ql >= qc {
		return 0, true
	}
	x := ownBound(p, o.speed, ot.desired(seg.speed, o.factor), ql, qc)
	return float64(s.cfg.Politeness * x), x <= 0x1p900
}

// ownBound returns a number at least the own term a'_c − a_c of MOBIL's
// incentive, as mobilOwn computes it, for a vehicle of IDM parameters p
// at speed v, desired speed v0 on its lane and the target lane alike,
// whose gap ratio (idmQ) is qn behind its new leader and ql (> qn) behind
// its leader; +Inf when it cannot tell. It tells for 0 ≤ v ≤ v0, δ = 4
// and an acceleration a = p.Accel ≥ 2⁻⁹⁰⁰, from the squares u = ql² and
// u' = qn² alone, rounded as in follow.IDMStep (float64(q*q) of the same
// q, TestIdmQ), with a margin for the roundings:
//
// follow.IDMStep computes x = a·(F − u) and x' = a·(F − u') (F the
// free-road term; u ≥ u' ≥ 0, as ql > qn ≥ 0), each with two roundings,
// then limits both to min(·, L), with the same L at v ≤ v0; mobilOwn
// subtracts the results. min moves the two no further apart, so the real
// difference of the limited values is at most max(0, x' − x), and own,
// that difference rounded, is at most any number ≥ it. With ε = 2⁻⁵³,
// each rounding relative (|δ| ≤ ε) or, for a product under 2⁻¹⁰²², off by
// at most 2⁻¹⁰⁷⁵ (a difference that small is exact):
//
//	x' − x ≤ a·(u − u') + a·(|F − u| + |F − u'|)·(2ε + ε²) + 2⁻¹⁰⁷⁴.
//
// At 0 ≤ v ≤ v0 with δ = 4, F is in [−1, 1]: 1 − r⁴ with r = v/v0 in
// [0, 1] as rounded, or −1 for v0 = 0. So |F − u| + |F − u'| ≤ S = 2 + u +
// u', and with D = u − u' ≥ 0 as rounded (D ≤ u ≤ S; u − u' ≤ D·(1 +
// 1.0001ε)), x' − x ≤ a·D + 3.0002ε·a·S + 2⁻¹⁰⁷⁴ < a·(D + 2⁻⁵¹·S), as
// a·S·ε ≥ 2⁻⁹⁵² exceeds 2⁻¹⁰⁷⁴. W = D + 2⁻⁴⁹·S as rounded (S rounded
// from below by at most 2ε relative) is at least D + 2⁻⁵⁰·S, and the
// returned M = a·W as rounded, not under 2⁻⁹⁴⁸ (W ≥ 2⁻⁴⁸), is at least
// a·W·(1 − ε) ≥ a·(D + 2⁻⁵¹·S). Everything stays finite while M ≤ 2⁹⁰⁰
// (then a·S ≤ 2⁹⁵²), which is required. No NaN arises from finite
// speeds and gaps (a NaN own term mobilLane's bound rules out alike);
// the step length enters L only; nothing outlives the call (workers,
// clones). TestOwnBound checks it against follow.IDMStep on random and
// edge cases.
//
// It tests its guards after finding m (plain arithmetic, whatever the
// values: the guards' outcome and m are as before, only their order
// differs) and returns posInf, not math.Inf(1): one test, one return and
// no call, for the compiler to inline it (cost 66, budget 80) into noGain
// and oldBound.
func ownBound(p *follow.Params, v, v0, qn, ql float64) float64 {
	u, un := float64(ql*ql), float64(qn*qn)
	m := float64(p.Accel * float64(float64(u-un)+float64(float64(float64(u+un)+2)*0x1p-49)))
	if v >= 0 && v <= v0 && p.Delta4() && p.Accel >= 0x1p-900 && m <= 0x1p900 {
		return m
	}
	return posInf
}

// posInf is +Inf (ownBound's "cannot tell"); nothing assigns it.
var posInf = math.Inf(1)

// idmQ is IDM's ratio q = s*/s of the desired gap to the gap (m) for
// speed v behind a leader at speed vl, in the same operations as
// follow.IDMStep's (TestIdmQ): its acceleration is a·(free − q²). The
// gap's floor is fminmax.Max(gap, 0.01) in fewer operations, for the
// compiler to inline idmQ: gap above 0.01, else 0.01 (a tie gives the
// same value), and for a NaN gap a NaN q, which its callers' tests take
// as Max's NaN (no comparison holds).
func idmQ(p *follow.Params, v, gap, vl float64) float64 {
	ss := p.MinGap + fminmax.Pos(float64(v*p.Headway)+float64(v*(v-vl)/p.TwoSqrtAB()))
	g := 0.01
	if gap > 0.01 || gap != gap {
		g = gap
	}
	return ss / g
}

// newFollowerLoses reports, from positions, speeds and models alone,
// that the new follower's term of MOBIL's incentive for car c to move to
// lane t (new leader lead and follower fol there, from lcGaps),
// p·(a'_n − a_n), is absent (no new follower: fol < 0) or at most 0: the
// follower drives IDM and would follow c at a smaller gap than it follows
// its leader now (c's rear is behind the new leader's: lcGaps leaves lcGap
// between them) and behind a leader no faster (v_c ≤ v_lead), or it has
// no leader now, so that a'_n ≤ a_n: IDM's acceleration never falls as
// the gap or the leader's speed grows, in floating point too (see
// noGain), and on a free road (gap +Inf) it is the greatest of all:
// follow.IDMAccel drops the gap's term (≥ 0) and follow.IDMStepLimit only
// raises it there; a_n and a'_n are taken at the same speed limit and
// desired speed; and p ≥ 0 (Config.Validate). Behind a leader slower
// than c, the same holds when IDM's gap ratio behind c is no smaller than
// behind the leader (idmQ; see noGain). (Without a new follower, the
// most common case, in few instructions, for the compiler to inline it:
// the rest is followerLoses.)
func (s *Sim) newFollowerLoses(t *segment, c *car, lead, fol int) bool {
	return fol < 0 || s.followerLoses(t, c, lead, fol)
}

// followerLoses is newFollowerLoses with a new follower (fol ≥ 0): an
// IDM follower behind a new leader no faster than c, or behind a slower
// one with IDM's gap ratio (idmQ) behind c no smaller than behind the
// new leader, so that its acceleration behind c is no greater (see
// noGain).
func (s *Sim) followerLoses(t *segment, c *car, lead, fol int) bool {
	f := &t.cars[fol]
	ft := &s.vtypes[f.vt]
	if !ft.direct.idm() {
		return false
	}
	if lead < 0 || t.cars[lead].speed >= c.speed {
		return true
	}
	n, p := &t.cars[lead], &ft.Follow
	return idmQ(p, f.speed, c.pos-float64(c.length)-f.pos, c.speed) >= idmQ(p, f.speed, n.pos-float64(n.length)-f.pos, n.speed)
}

// mobilOwn returns the terms of the MOBIL incentive for car i (i > 0) of
// seg to move to lane tl (new leader lead there, from lcGaps) that do not
// depend on its new follower: its own, a'_c − a_c (old.now is a_c), and
// its old follower's, p·(a'_o − a_o) (found on first use, into old), or
// hasO false when it has none. vt is car i's type and v0 its desired
// speed on seg.
func (s *Sim) mobilOwn(seg *segment, i int, tl int32, lead int, old *mobilOld, vt *VType, v0 float64) (own, oTerm float64, hasO bool) {
	c := &seg.cars[i]
	t := &s.segs[tl]
	// accBehind(c, t, new leader), with the type and, on a lane of the
	// same limit, the desired speed at hand.
	if t.speed != seg.speed {
		v0 = vt.desired(t.speed, c.factor)
	}
	gap, vl := math.Inf(1), 0.0
	if lead >= 0 {
		n := &t.cars[lead]
		gap, vl = n.pos-float64(n.length)-c.pos, n.speed
	}
	own = s.accel(vt, c.speed, gap, vl, v0, 0) - old.now
	if i+1 == len(seg.cars) {
		return own, 0, false
	}
	if !old.oKnown {
		s.oldTerms(seg, i, old)
	}
	return own, old.term(s.cfg.Politeness), true
}

// term is the old follower's term of the incentive, p·(a'_o − a_o) for
// politeness p, from the accelerations oldTerms found: noGain and
// mobilOwn take the same rounded value.
func (old *mobilOld) term(politeness float64) float64 {
	return float64(politeness * (old.oLead - old.oNow))
}

// oldTerms finds the accelerations of car i's old follower (car i + 1 of
// seg) into old: accBehind(o, seg, l) and accBehind(o, seg, c), with the
// old follower's type and desired speed found once.
func (s *Sim) oldTerms(seg *segment, i int, old *mobilOld) {
	c, o, l := &seg.cars[i], &seg.cars[i+1], &seg.cars[i-1]
	ot := &s.vtypes[o.vt]
	ov0 := ot.desired(seg.speed, o.factor)
	old.oLead = s.accel(ot, o.speed, l.pos-float64(l.length)-o.pos, l.speed, ov0, 0)
	old.oNow = s.accel(ot, o.speed, c.pos-float64(c.length)-o.pos, c.speed, ov0, 0)
	old.oKnown = true
}

// mobilGain returns the MOBIL incentive for car i (i > 0) of seg to move
// to lane tl, which it fits into by the gaps (lcGaps: lead and fol its
// new leader and follower there), from the terms mobilOwn found, and
// whether the change is safe: own + p·(a'_n − a_n) + oTerm (the last
// when hasO).
func (s *Sim) mobilGain(seg *segment, i int, tl int32, lead, fol int, lay *laneLayout, own, oTerm float64, hasO bool) (float64, bool) {
	ok, folAcc := s.lcFollower(seg, i, tl, fol, 0, lay)
	if !ok {
		return 0, false
	}
	gain := own
	if fol >= 0 {
		// folAcc is accBehind(f, t, c).
		t := &s.segs[tl]
		var newLeader *car
		if lead >= 0 {
			newLeader = &t.cars[lead]
		}
		gain += float64(s.cfg.Politeness * (folAcc - s.accBehind(&t.cars[fol], t, newLeader)))
	}
	if hasO {
		gain += oTerm
	}
	return gain, true
}

// swapPartner finds a vehicle beside car i of lane lanes[li], on the lane
// in direction dir, that itself needs to move the other way (its lane does
// not lead to its next road, and the nearest lane that does lies towards
// lanes[li]): two vehicles each in the other's way trade places, as SUMO's
// lane changer lets them. It returns the partner's id or −1. The target
// lane's vehicles are visited front to back (positions never rising, as
// neighbours relies on) up to the first one wholly behind car i: those
// after it are too, so none of them is side by side with it. A partner
// may decide a change (mayDecide: its lane does not lead to its next
// road), so a lane without the lcAttn bit has none.
func (s *Sim) swapPartner(seg *segment, i int, lanes *roadLanes, li, dir int) int32 {
	c := &seg.cars[i]
	to := lanes.lane(li + dir)
	if !hasBit(s.lcAttn, to) {
		return -1
	}
	rear := c.pos - float64(c.length)
	cars := s.segs[to].cars
	for j := range cars {
		y := &cars[j]
		if rear >= y.pos {
			break // wholly behind car i, as is every vehicle after it
		}
		if y.pos-float64(y.length) >= c.pos || y.pos < float64(y.length) {
			continue // wholly ahead, or not wholly on its lane
		}
		if y.next >= 0 && y.link < 0 && s.towards(lanes, li+dir, y.next) == -dir {
			return y.id
		}
	}
	return -1
}

// swap trades the places of vehicles a (on lane from) and b (on lane to) if
// each fits in the other's slot, and reports whether it did.
func (s *Sim) swap(m lcMove, acc *stepAcc) bool {
	from, to := &s.segs[m.from], &s.segs[m.to]
	i := slices.IndexFunc(from.cars, func(c car) bool { return c.id == m.id })
	j := slices.IndexFunc(to.cars, func(c car) bool { return c.id == m.swap })
	if i < 0 || j < 0 {
		return false
	}
	a, b := from.cars[i], to.cars[j]
	fits := func(lane *segment, k int, x car, pos float64) bool {
		if k > 0 && lane.cars[k-1].pos-float64(lane.cars[k-1].length) < pos+tiny {
			return false
		}
		return k+1 >= len(lane.cars) || pos-float64(x.length) > lane.cars[k+1].pos+tiny
	}
	if !fits(from, i, b, a.pos) || !fits(to, j, a, b.pos) || a.pos < float64(b.length) || b.pos < float64(a.length) {
		return false
	}
	a.pos, b.pos = b.pos, a.pos
	v := min(a.speed, b.speed)
	a.speed, b.speed = v, v
	a.flags &^= fJunction
	b.flags &^= fJunction
	from.cars[i], to.cars[j] = b, a
	from.cars[i].link = s.chooseLink(m.from, &from.cars[i])
	to.cars[j].link = s.chooseLink(m.to, &to.cars[j])
	acc.laneChanges += 2
	return true
}

// lcCheckAll, for tests, has applyChange search for and check every
// change, as it did before lcMove.at (TestFreshChanges).
var lcCheckAll bool

// applyChange moves vehicle m.id from lane m.from to lane m.to if it still
// fits (earlier changes on the road may have taken the gap), and reports
// whether it changed the lanes. fresh says that no change of the road has
// been applied yet (see lcMove.at).
func (s *Sim) applyChange(m lcMove, fresh bool, acc *stepAcc) bool {
	if m.swap >= 0 {
		return s.swap(m, acc)
	}
	from, to := &s.segs[m.from], &s.segs[m.to]
	i := int(m.at)
	if !fresh || i < 0 || lcCheckAll {
		if i = slices.IndexFunc(from.cars, func(c car) bool { return c.id == m.id }); i < 0 {
			return false
		}
		u := 0.0
		if c := &from.cars[i]; c.link < 0 && c.next >= 0 {
			u = urgency(from.length - c.pos)
		}
		var nb nbCache // empty: its searches start from the front
		nb.reset()
		if !s.lcSafe(from, i, m.to, u, &nb) {
			return false
		}
	}
	c := from.cars[i]
	from.cars = slices.Delete(from.cars, i, i+1)
	s.setLive(m.from, len(from.cars) > 0)
	_, fol := neighbours(to, c.pos)
	j := fol
	if j < 0 {
		j = len(to.cars)
	}
	c.flags &^= fJunction
	to.cars = slices.Insert(roomForCar(to.cars), j, c)
	s.setLive(m.to, true)
	to.cars[j].link = s.chooseLink(m.to, &to.cars[j])
	acc.laneChanges++
	return true
}
