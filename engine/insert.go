package engine

import (
	"cmp"
	"math"
	"slices"

	"github.com/citytwin/citytwin/maps"
)

// tele is a teleport candidate found during the move phase.
type tele struct {
	seg     int32
	id      int32
	reroute bool // stuck in a lane that does not lead on: reroute instead
}

// phaseArrivals records the vehicles that left the network this step, in
// chunk order.
func (s *Sim) phaseArrivals() {
	for c := range s.chunkAcc {
		for _, a := range s.chunkAcc[c].arrivals {
			v := &s.veh[a.id]
			v.arrive = s.now
			v.status = statusArrived
			v.waitTotal += float64(a.wait)
			v.fuel += float64(a.fuel)
			s.stats.arrived++
			s.cur.Arrived++
			s.recordTrip(a.id)
		}
	}
}

// phaseInsert releases the trips whose departure time has come into
// per-road queues, in release order, and inserts every waiting vehicle
// that fits on its departure lane (see insertRoad).
func (s *Sim) phaseInsert() {
	s.makeServeBits() // for the next junction phase (noteLaneForRoom)
	// A road whose queue was empty joins waitRoads at its end, and
	// waitRoads is sorted once after the release, rather than each joining
	// road searched for and inserted in place: the same order exactly, as
	// a road joins only when its queue is empty and every road in
	// waitRoads has a waiting trip (phaseInsert keeps only those; nothing
	// else adds to the queues), so the roads are distinct and their
	// increasing order is unique (TestSortWaitRoads).
	had := len(s.waitRoads)
	for s.pendIdx < len(s.pending) && s.veh[s.pending[s.pendIdx]].depart <= s.now+1e-9 {
		id := s.pending[s.pendIdx]
		s.pendIdx++
		if s.veh[id].status != statusPending {
			continue
		}
		s.veh[id].status = statusWaiting
		r := s.routes[s.veh[id].route][0]
		if len(s.waiting[r]) == 0 {
			s.waitRoads = append(s.waitRoads, int32(r))
		}
		s.waiting[r] = append(s.waiting[r], int32(id))
	}
	if len(s.waitRoads) > had {
		slices.Sort(s.waitRoads)
	}
	kept := s.waitRoads[:0]
	for _, r := range s.waitRoads {
		q := s.insertRoad(r, s.waiting[r])
		if len(q) == 0 && cap(q) > keptQueue {
			q = nil // a burst's queue: its array is not kept for the run
		}
		s.waiting[r] = q
		if len(q) > 0 {
			kept = append(kept, r)
		}
	}
	s.waitRoads = kept
}

// keptQueue is the capacity (vehicles) up to which a road's emptied
// waiting queue keeps its array for the next departures.
const keptQueue = 8

// insertRoad inserts the vehicles of queue q (waiting to enter road r, in
// release order) that fit, and returns the queue of those still waiting.
// Each lane serves its own queue in release order, as CityFlow's per-lane
// waiting buffers and SUMO's lane-by-lane insertion do: a vehicle enters
// one of its departure lanes (Trip.DepartLane) that has room and that no
// vehicle released before it, still waiting, could take; a vehicle that
// cannot enter holds its lanes for the rest of the step. So a through
// vehicle waiting for a full lane no longer holds back a turning one whose
// lane has room.
func (s *Sim) insertRoad(r int32, q []int32) []int32 {
	nl := len(s.net.Roads[r].Lanes)
	if cap(s.insHeld) < nl {
		s.insHeld = make([]bool, nl)
	}
	held := s.insHeld[:nl]
	clear(held)
	free := nl
	n := 0
	for i, id := range q {
		if free == 0 {
			n += copy(q[n:], q[i:])
			break
		}
		cands := s.departLanes(id)
		s.insQueue = len(q) - i
		if s.tryInsert(id, cands, held) {
			continue
		}
		for _, k := range cands {
			if !held[k] {
				held[k] = true
				free--
			}
		}
		q[n] = id
		n++
	}
	s.insQueue = 0
	return q[:n]
}

// roomToInsert returns the cars of lane seg, on a road of nl lanes, with
// room for one more vehicle of type vt. While a queue of insertRoad
// waits (s.insQueue vehicles, this one included), a full list grows at
// once by the lane's share of the queue, up to the vehicles the lane
// holds at vt's length and minimum gap, instead of by a quarter
// (roomForCar): a demand released at once (a million vehicles at t = 0)
// fills lists of the size it needs, not a quarter more.
func (s *Sim) roomToInsert(seg int32, nl int, vt *VType) []car {
	cars := s.segs[seg].cars
	n := len(cars)
	if s.insQueue == 0 || n < cap(cars) {
		return roomForCar(cars)
	}
	share := (s.insQueue + nl - 1) / nl
	fits := int(s.segs[seg].length/(vt.Length+vt.Follow.MinGap)) + 1
	grown := make([]car, n, n+max(1, min(share, fits-n)))
	copy(grown, cars)
	return grown
}

// departLanes returns the indices (into the first road's Lanes) of the
// lanes vehicle id may enter on, per its trip's DepartLane, in a scratch
// slice valid until the next call.
func (s *Sim) departLanes(id int32) []int {
	v := &s.veh[id]
	t := &s.trips[id]
	route := s.routes[v.route]
	road := &s.net.Roads[route[0]]
	out := s.insLanes[:0]
	if k := s.laneIndex(id); t.departLane == DepartLaneIndex && !s.closed[road.Lanes[k]] {
		s.insLanes = append(out, k)
		return s.insLanes
	}
	next := int32(-1)
	if len(route) > 1 {
		next = int32(route[1])
	}
	for k, l := range road.Lanes {
		li := int32(l)
		if !s.closed[li] && (next < 0 || s.serves(li, next)) {
			out = append(out, k)
		}
	}
	if t.departLane == DepartLaneRandom && len(out) > 1 {
		u := s.uniform(streamDepartLane, uint64(id), 0)
		k := out[int(u*float64(len(out)))]
		out = append(out[:0], k)
	}
	s.insLanes = out
	return out
}

// tryInsert puts vehicle id on the lane, among the first road's lanes
// cands not held, with the most room at its start (ties: the first), if
// that room fits the vehicle and its minimum gap.
func (s *Sim) tryInsert(id int32, cands []int, held []bool) bool {
	v := &s.veh[id]
	road := &s.net.Roads[s.routes[v.route][0]]
	vt := &s.vtypes[v.vt]
	seg, room := int32(-1), math.Inf(-1)
	for _, k := range cands {
		if held[k] {
			continue
		}
		li := int32(road.Lanes[k])
		if r := s.roomBehind(li); r > room+1e-9 && s.mayEnter(li, r, vt) {
			seg, room = li, r
		}
	}
	if seg < 0 {
		return false
	}
	lane := &s.segs[seg]
	pos := min(vt.Length, lane.length)
	gap := max(0, room-pos)
	v0 := vt.desired(lane.speed, v.factor)
	if t := &s.trips[id]; t.departSpeed == DepartSpeedGiven {
		v0 = min(v0, s.departSpeed(id))
	}
	// Able to stop comfortably before the end of the lane.
	speed := min(v0, math.Sqrt(2*vt.Follow.Decel*max(0, lane.length-pos)))
	if len(lane.cars) > 0 {
		// At most the equilibrium speed for the gap, and never faster than
		// a leader braking as hard as it can would allow.
		last := &lane.cars[len(lane.cars)-1]
		lt := &s.vtypes[last.vt]
		speed = min(v0, max(0, (gap-vt.Follow.MinGap)/vt.Follow.Headway))
		worst := max(0, last.speed-float64(lt.Follow.EmergencyDecel*s.dt))
		speed = min(speed, max(0, gap-tiny)/s.dt+worst)
	}
	v.insert = s.now
	v.status = statusRunning
	v.ri = 0
	s.place(seg, id, pos, speed)
	s.stats.inserted++
	s.cur.Inserted++
	return true
}

// roomBehind returns the room (m) at the start of lane l, behind its last
// vehicle (the lane's length when it is empty).
func (s *Sim) roomBehind(l int32) float64 {
	seg := &s.segs[l]
	if n := len(seg.cars); n > 0 {
		return seg.cars[n-1].pos - float64(seg.cars[n-1].length)
	}
	return seg.length
}

// mayEnter reports whether a vehicle of type vt may enter lane l with
// room (m, roomBehind) at its start: the room fits the vehicle and its
// minimum gap, and no vehicle on a link into the lane is about to reach
// its start.
//
// tryInsert and bestLane ask it only of a lane with more room than the
// best so far (roomFirst): the look at the links into the lane (entering)
// is spared for the lanes that could not be chosen. Exact: the lane is
// chosen when both tests hold, and neither changes anything, so their
// order does not show (a NaN room fails the comparison either way).
// TestRoomFirst compares the choice with both tests in the old order.
func (s *Sim) mayEnter(l int32, room float64, vt *VType) bool {
	need := min(vt.Length+vt.Follow.MinGap, s.segs[l].length)
	return room >= need && s.entering(l) <= -vt.Follow.MinGap
}

// bestLane returns the lane of road route[ri] that serves route[ri+1] and
// has the most room at its start (ties: lowest lane), and that room, or -1
// when no lane has room for the vehicle and its minimum gap.
func (s *Sim) bestLane(route maps.Route, ri int, vt *VType) (int32, float64) {
	road := &s.net.Roads[route[ri]]
	next := int32(-1)
	if ri+1 < len(route) {
		next = int32(route[ri+1])
	}
	best, bestRoom := int32(-1), math.Inf(-1)
	for _, l := range road.Lanes {
		li := int32(l)
		if next >= 0 && !s.serves(li, next) || s.closed[li] {
			continue
		}
		if room := s.roomBehind(li); room > bestRoom+1e-9 && s.mayEnter(li, room, vt) {
			best, bestRoom = li, room
		}
	}
	return best, bestRoom
}

// place appends a vehicle at the back of lane seg.
func (s *Sim) place(seg int32, id int32, pos, speed float64) {
	v := &s.veh[id]
	vt := &s.vtypes[v.vt]
	lane := &s.segs[seg]
	c := car{pos: pos, speed: speed, id: id, vt: v.vt, length: float32(vt.Length), factor: v.factor}
	if v.connected {
		c.flags |= fConnected
	}
	if s.plans[v.route] != nil {
		c.flags |= fPlanned
	}
	if x := s.v2x; x != nil {
		x.enter[id] = s.now
	}
	c.next, c.next2 = s.roadAfter(id, 1), s.roadAfter(id, 2)
	lane.cars = append(s.roomToInsert(seg, len(s.net.Roads[s.segRoad[seg]].Lanes), vt), c)
	s.setLive(seg, true)
	last := &lane.cars[len(lane.cars)-1]
	last.link = s.chooseLink(seg, last)
	s.acc[seg].entered++
}

// phaseTeleport moves vehicles stuck for longer than the time-to-teleport
// to the first lane further along their route with room, standing; a
// vehicle with no room anywhere ahead is removed.
func (s *Sim) phaseTeleport() {
	var cands []tele
	for _, tc := range s.teleCand {
		if len(tc) > 0 { // most chunks have none (for speed: no call to append's copy)
			cands = append(cands, tc...)
		}
	}
	if len(cands) == 0 {
		return
	}
	slices.SortFunc(cands, func(a, b tele) int { return cmp.Compare(a.id, b.id) }) // ids differ
	for _, t := range cands {
		seg := &s.segs[t.seg]
		if len(seg.cars) == 0 || seg.cars[0].id != t.id {
			continue
		}
		if t.reroute {
			s.rerouteFromLane(t.seg, &seg.cars[0])
			continue
		}
		c := seg.cars[0]
		seg.cars = seg.cars[:copy(seg.cars, seg.cars[1:])]
		s.setLive(t.seg, len(seg.cars) > 0)
		v := &s.veh[t.id]
		v.waitTotal += float64(c.wait)
		v.fuel += float64(c.fuel)
		r := s.rareOf(t.id)
		r.teleports++
		s.setRare(t.id, r)
		s.stats.teleports++
		s.cur.Teleports++
		route := s.routes[v.route]
		vt := &s.vtypes[v.vt]
		placed := false
		for ri := int(v.ri) + 1; ri < len(route); ri++ {
			if l, _ := s.bestLane(route, ri, vt); l >= 0 {
				v.ri = int32(ri)
				s.place(l, t.id, min(vt.Length, s.segs[l].length), 0)
				placed = true
				break
			}
		}
		if !placed {
			v.status = statusRemoved
			v.arrive = s.now
			s.stats.removed++
			s.recordTrip(t.id)
		}
	}
}

// entering returns the position, relative to the start of lane l, of the
// front of the nearest vehicle on a link into it (negative: before the
// start), or −Inf when no link into l holds a vehicle. Links are not
// changed by the phases that call it.
func (s *Sim) entering(l int32) float64 {
	_, pos := s.enteringCar(l)
	return pos
}

// enteringCar returns the vehicle whose position entering reports (nil
// when none) and that position.
func (s *Sim) enteringCar(l int32) (*car, float64) {
	var best *car
	bestPos := math.Inf(-1)
	for _, in := range s.ids(s.segs[l].inLinks) {
		if !hasBit(s.live, in) {
			continue // no vehicle on it (links do not change in the phases that ask)
		}
		k := &s.segs[in]
		if k.cars[0].pos-k.length > bestPos {
			best, bestPos = &k.cars[0], k.cars[0].pos-k.length
		}
	}
	return best, bestPos
}

// leaving returns the position, in the coordinates of lane l, of the rear
// of the nearest vehicle on a link out of it (beyond the lane end when the
// vehicle is clear of it), or +Inf when no link out of l holds a vehicle.
func (s *Sim) leaving(l int32) float64 {
	seg := &s.segs[l]
	best := math.Inf(1)
	for _, k := range s.ids(s.laneT[l].links) {
		lk := &s.segs[k]
		if n := len(lk.cars); n > 0 {
			best = min(best, seg.length+lk.cars[n-1].pos-float64(lk.cars[n-1].length))
		}
	}
	return best
}

// router returns the network router, created on first use.
func (s *Sim) router() *maps.Router {
	if s.rt == nil {
		s.rt = maps.NewRouter(s.net)
	}
	return s.rt
}
