package engine

import (
	"math"
	"slices"

	"github.com/citytwin/citytwin/maps"
)

// Missed turns.
//
// A vehicle that stands at the front of a lane that does not lead to its
// next road (it could not change lanes in time: a short road, a queue
// beside it) misses its turn: it takes a road its lane does lead to and
// reroutes from there, as a driver would. Road-level rerouting alone can
// loop: from the lane it is in, the fastest way back to the missed turn
// may arrive in the same wrong lane of the same short road, miss again,
// and circle for good (issue 18: a bus of the default scenario drove 13
// laps that way). So the new route is searched lane by lane
// ([Sim.laneRoute]): from the links of the lane the vehicle stands in,
// through the links between lanes, with lane changes only on roads long
// enough for them (planChange metres per lane crossed, beyond the
// vehicle's length). The route comes with the lanes it was planned on (a
// lanePlan), and the vehicle keeps to them: it takes the planned link at
// each junction and moves to the planned lane of each road, where the
// ordinary lane choice (ahead.go) looks only a few roads ahead.
//
// When it misses the turn: after rerouteWait seconds standing at the
// front of its lane, checked again every rerouteWait; but while a gap may
// still come beside it (the queue on the lane it needs can move on), a
// long detour — more than longDetour seconds longer than the rest of its
// route — is not taken before maxPatience seconds of waiting, unless the
// vehicle took that lane for its room at the junction before, knowing it
// might not get out of it (noteLaneForRoom). Every miss is counted (Counts.MissedTurns, the trip's
// MissedTurns); a miss by a vehicle that had missed a turn before on the
// same trip is also a repeated miss (Counts.RepeatedMisses), the sign of a
// vehicle going round in circles.

// rerouteWait is how long (s) a vehicle stands at the front of a lane that
// does not lead to its next road, unable to change lanes, before it misses
// its turn (and the period at which it checks again).
const rerouteWait = 10.0

// maxPatience is the longest (s) a vehicle waits at the front of its lane
// for a gap rather than take a long detour.
const maxPatience = 120.0

// longDetour is the extra free-flow time (s) from which a detour is long:
// worth waiting for a gap up to maxPatience.
const longDetour = 60.0

// planChange is the length of road (m), beyond the vehicle's own length,
// that a planned route needs for each lane it changes across on a road:
// the strategic changer starts at most 60 m before the stop line (see
// urgency) and must find a gap beside it.
const planChange = 30.0

// planChangeCost is the cost (s) a lane search puts on each lane crossed,
// so that of two equally fast routes the one with fewer changes is taken.
const planChangeCost = 1.0

// lanePlan is the lane-level part of a route found by laneRoute: for each
// road of the route, the lane the vehicle is to arrive on and the lane it
// is to leave from (−1 for the roads driven before the plan was made).
type lanePlan struct {
	arrive, exit []int32
}

// plannedArrival returns the lane car c is to arrive on at road
// route[ri+1] of its route's plan, or −1 (no plan).
func (s *Sim) plannedArrival(c *car) int32 {
	if c.flags&fPlanned == 0 {
		return -1
	}
	v := &s.veh[c.id]
	if p := s.plans[v.route]; p != nil {
		if i := int(v.ri) + 1; i < len(p.arrive) {
			return p.arrive[i]
		}
	}
	return -1
}

// plannedExit returns the lane car c is to leave its current road from,
// or −1 (no plan).
func (s *Sim) plannedExit(c *car) int32 {
	if c.flags&fPlanned == 0 {
		return -1
	}
	v := &s.veh[c.id]
	if p := s.plans[v.route]; p != nil {
		return p.exit[v.ri]
	}
	return -1
}

// rerouteFromLane handles car c, standing at the front of lane l that does
// not lead to its next road: unless it is worth waiting longer for a gap
// (see "Missed turns"), it counts a missed turn and gives the vehicle the
// fastest route to its destination that can be driven from l (laneRoute),
// keeping the roads driven so far. When no such route exists it falls
// back on the fastest road-level route from a road l leads to; when there
// is none either, the vehicle keeps its route (and waits).
func (s *Sim) rerouteFromLane(l int32, c *car) {
	v := &s.veh[c.id]
	route := s.routes[v.route]
	dest := route[len(route)-1]
	vt := &s.vtypes[v.vt]
	best, plan := s.laneRoute(l, dest, vt.Length)
	if best == nil {
		var starts []maps.RoadID
		for _, k := range s.ids(s.laneT[l].links) {
			if !s.closed[s.linkLane[k]] {
				starts = append(starts, maps.RoadID(s.segRoad[k]))
			}
		}
		if best, _ = s.fastestFrom(starts, dest, s.freeFlowTimes()); best == nil {
			return
		}
	}
	// Patience: a long detour is not worth it while a gap may yet come.
	tt := s.freeFlowTimes()
	stay, alt := 0.0, 0.0
	for _, r := range route[v.ri+1:] {
		stay += tt[r]
	}
	for _, r := range best {
		alt += tt[r]
	}
	if alt-stay > longDetour && v.forRoom != v.ri && float64(c.wait) < maxPatience && s.gapMayCome(l, c) {
		return
	}
	rare := s.rareOf(c.id)
	if rare.misses > 0 {
		s.stats.repeated++
	}
	rare.misses++
	s.setRare(c.id, rare)
	s.stats.missed++
	nr := append(append(make(maps.Route, 0, int(v.ri)+1+len(best)), route[:v.ri+1]...), best...)
	var lp *lanePlan
	if plan != nil {
		lp = &lanePlan{arrive: make([]int32, len(nr)), exit: make([]int32, len(nr))}
		for i := range int(v.ri) + 1 {
			lp.arrive[i], lp.exit[i] = -1, -1
		}
		lp.exit[v.ri] = l
		copy(lp.arrive[v.ri+1:], plan.arrive)
		copy(lp.exit[v.ri+1:], plan.exit)
	}
	s.leaveRoute(c.id)
	v.route = int32(len(s.routes))
	s.addRoute(nr)
	s.plans[v.route] = lp
	c.flags &^= fPlanned
	if lp != nil {
		c.flags |= fPlanned
	}
	s.stats.reroutes++
	c.next, c.next2 = s.roadAfter(c.id, 1), s.roadAfter(c.id, 2)
	c.link = s.chooseLink(l, c)
}

// noteLaneForRoom records, for car c granted its link from lane lane,
// that it enters its next road on a lane that does not serve the road
// after although another link of lane to that road would have: it took
// that lane for its room (linkWithRoom), knowing it may have to change
// lanes or take another way, and so it is not patient if it misses that
// turn. It asks at every grant; the lanes' bits (serveBits) answer the
// common case, an entry lane that serves the road after, at once.
func (s *Sim) noteLaneForRoom(lane int32, c *car) {
	if c.next2 < 0 {
		return
	}
	if s.serves(s.linkLane[c.link], c.next2) {
		return
	}
	for _, l := range s.ids(s.laneT[lane].links) {
		if kl := s.linkLane[l]; s.segRoad[l] == c.next && !s.closed[kl] && s.serves(kl, c.next2) {
			v := &s.veh[c.id]
			v.forRoom = v.ri + 1
			return
		}
	}
}

// leadsTo reports whether an open link of lane l leads to road r, when
// the bits can tell (ok): they are made (sb is not nil) and r is among
// the first 32 roads out of its node.
func (sb *serveBits) leadsTo(l, r int32) (yes, ok bool) {
	if sb == nil {
		return false, false
	}
	k := sb.key[r]
	if k < 0 {
		return false, false
	}
	return sb.lanes[l].has(k), true
}

// leadsToKnown is leadsTo's ok && yes (the bits tell that an open link of
// lane l leads to road r), in one test fewer: a key of −1 (a road placed
// 32nd or later out of its node) gives −1 >> 5 = −1, no lane's node (a
// node index, never negative), so the node test fails for it as the key
// test did. (It reads lane l's bits for such a road too: l is a lane,
// in range.) TestLeadsToKnown compares it with leadsTo.
func (sb *serveBits) leadsToKnown(l, r int32) bool {
	if sb == nil {
		return false
	}
	return sb.lanes[l].has(sb.key[r])
}

// serveBits tells which roads the open links of each lane lead to. A link
// leads to a road starting at the node where its lane ends; so a road is
// named by its start node and its place among the roads out of that node,
// and a lane's roads are bits of one word. It depends on the closed lanes
// and so lives in searchScratch, which setClosed and Clone drop; it is
// made again in the (serial) insertion phase, and serves falls back on
// the walk of the links (servesByLinks) until then, as for a road placed
// 32nd or later out of its node (32 bits: 8 bytes per lane with the node,
// for a million vehicles' lanes).
type serveBits struct {
	key   []int32 // per road: 32 × its start node + its place among the node's roads out; −1 from place 32 on
	lanes []laneBits
}

// laneBits are a lane's bits (key & 31) of the roads its open links lead
// to, and the node it ends at.
type laneBits struct {
	mask uint32
	node int32
}

// has reports whether the road of key k (serveBits.key) is among b's:
// it starts at b's node (k>>5) and its bit (k&31) is set. A key of −1
// names no road here (−1>>5 is no node).
func (b *laneBits) has(k int32) bool { return k>>5 == b.node && b.mask>>(k&31)&1 != 0 }

// makeServeBits makes s.lsrch.serve unless it is made. It leaves it nil
// where a link leads to a road that does not start at the node its lane
// ends at, or there are 2²⁵ nodes or more.
func (s *Sim) makeServeBits() {
	if s.lsrch.serve != nil || s.lsrch.noServe || len(s.net.Nodes) >= 1<<25 {
		return
	}
	sb := &serveBits{key: make([]int32, len(s.net.Roads)), lanes: make([]laneBits, s.nLanes)}
	for r := range sb.key {
		sb.key[r] = -1
	}
	for n := range s.net.Nodes {
		for i, r := range s.net.Nodes[n].Out {
			if i < 32 {
				sb.key[r] = int32(n)<<5 | int32(i)
			}
		}
	}
	for l := range s.nLanes {
		sb.lanes[l].node = s.laneT[l].node
		for _, k := range s.ids(s.laneT[l].links) {
			r := s.segRoad[k]
			if int32(s.net.Roads[r].From) != s.laneT[l].node {
				s.lsrch.noServe = true
				return
			}
			if key := sb.key[r]; key >= 0 && !s.closed[s.linkLane[k]] {
				sb.lanes[l].mask |= 1 << (key & 31)
			}
		}
	}
	s.lsrch.serve = sb
}

// gapMayCome reports whether car c, standing at the front of lane l, may
// yet find a gap on the lane it needs (the nearest of its road that leads
// to its next road): that lane's first vehicle has room to leave it once
// its light lets it (its exit lane is not full), so the queue beside will
// move. A queue held by traffic further on may stand for good.
func (s *Sim) gapMayCome(l int32, c *car) bool {
	road := &s.net.Roads[s.segRoad[l]]
	li := s.net.Lanes[l].Index
	dir := s.strategicDir(road.Lanes, li, c.next)
	if dir == 0 {
		return false
	}
	t := &s.segs[road.Lanes[li+dir]]
	if len(t.cars) == 0 {
		return true
	}
	f := &t.cars[0]
	if f.link < 0 {
		return false
	}
	exit := s.linkLane[f.link]
	return s.room(exit, nil) >= min(float64(f.length)+s.minGap[f.vt], s.segs[exit].length)
}

// laneRoute searches the fastest route for a vehicle of the given length
// (m) standing at the front of lane from, which it can leave only by one of
// its own links, to road dest. The search runs over lanes (Dijkstra by
// free-flow road times, ties broken by state number): a lane leads through
// its links to lanes of the next roads, and on a road of length L a
// vehicle may change across up to ⌊(L − length)/planChange⌋ lanes, once
// per road, through open lanes. The route ends at the first state settled
// on dest. It returns the roads after from's road and the lanes planned on
// each (nil when dest cannot be reached so).
//
// The first query from a lane by a vehicle of a length runs an A* search
// for dest alone; from the second on, the search is kept for the next
// query from the same lane by a vehicle of the same length (see
// searchScratch). Both give the same answer as a fresh Dijkstra search.
func (s *Sim) laneRoute(from int32, dest maps.RoadID, length float64) (maps.Route, *lanePlan) {
	ls := s.lsrch.search(s, from, length, dest)
	target := ls.settle(s, dest)
	if target < 0 {
		return nil, nil
	}
	// The path's roads are its states 2l (arrived on lane l by a link),
	// each followed, when the vehicle changes lanes on the road, by the
	// state 2c+1 of the lane c it leaves the road from. It is read back
	// from target twice: to count the roads, then to fill them in from
	// the last (arrays of the right length at once).
	n := 0
	for x := target; x >= 0; x = ls.prev[x] {
		n += int(1 - x%2)
	}
	r := make(maps.Route, n)
	p := &lanePlan{arrive: make([]int32, n), exit: make([]int32, n)}
	exit := int32(-1) // the lane of a change state just read, for its road
	for x := target; x >= 0; x = ls.prev[x] {
		lane := x / 2
		if x%2 == 1 {
			exit = lane
			continue
		}
		n--
		r[n], p.arrive[n], p.exit[n] = maps.RoadID(s.segRoad[lane]), lane, lane
		if exit >= 0 {
			p.exit[n], exit = exit, -1
		}
	}
	return r, p
}

// maxKeptStates bounds the lane states (about 16 bytes each) held by the
// searches laneRoute keeps (a variable for tests).
var maxKeptStates = 1 << 18

// searchScratch keeps laneRoute's searches, least recently used first.
//
// A search from a lane by a vehicle of a given length depends on nothing
// else but the network, the free-flow road times and the closed lanes
// (setClosed drops every kept search), and Dijkstra's search settles the
// same states in the same order whatever road it looks for: the queue
// pops the least (time, state) and every state is queued at most once per
// time. So a search stopped once it has settled a state of the road asked
// for can be resumed for the next road asked, and the answer to a road
// already settled is read off at once: the predecessor of a settled state
// never changes. Vehicles miss their turns again and again at the same
// few lanes (New York: 20 lanes for 127 searches in 1,100 s), each search
// settling most of the network's lanes.
//
// On a large network most lanes are asked once (grid32: 188 of 190
// queries in its first 300 s found no search kept for their lane), and a
// Dijkstra search for one road settles every state closer than it. So
// the first query from a lane and length runs an A* search for its road
// alone instead (see aStar: a tenth of the states settled on grid32), and
// only a lane and length asked again gets a kept search.
type searchScratch struct {
	kept    []*laneSearch
	states  int // held by kept
	asked   map[laneLength]bool
	once    *laneSearch // the A* search's arrays, reused
	serve   *serveBits  // for noteLaneForRoom (nil: not made)
	g       *laneGraph  // the searches' graph (nil: not made)
	noServe bool        // serveBits cannot be made for this network
	kappa   float64     // the A* bound's time per metre (s/m); 0: no A*
	known   bool        // kappa computed
}

// laneLength is a lane and a vehicle length (m) that laneRoute was asked
// about.
type laneLength struct {
	lane   int32
	length float64
}

// laneSearch is laneRoute's search from one lane for one vehicle length,
// over states 2l (on lane l, arrived by a link) and 2l+1 (on lane l after
// changing lanes on its road): a Dijkstra search kept for any road, or an
// A* search for road goal.
type laneSearch struct {
	from    int32
	length  float64   // m
	dist    []float64 // per state, s from the front of lane from; +Inf: not reached
	prev    []int32   // per state, its predecessor; −1 for none
	first   []int32   // per road, the first state settled on it; −1 for none yet
	touched []int32   // the states reached
	heap    maps.Queue
	sg      *stateGraph // the graph for length

	goal  maps.RoadID // the road an A* search is for; −1: a Dijkstra search
	kappa float64     // s/m, the A* bound's factor
	gx    [2]float64  // m, the start of road goal
	h     []float64   // A*: per road, its bound (s) to goal; NaN: not computed yet
}

// newLaneSearch returns a search with nothing reached.
func newLaneSearch(s *Sim) *laneSearch {
	n := 2 * s.nLanes
	ls := &laneSearch{dist: make([]float64, n), prev: make([]int32, n), first: make([]int32, len(s.net.Roads)), goal: -1}
	for i := range ls.dist {
		ls.dist[i], ls.prev[i] = math.Inf(1), -1
	}
	for i := range ls.first {
		ls.first[i] = -1
	}
	return ls
}

// reset forgets what the search reached (what touched lists).
func (ls *laneSearch) reset(s *Sim) {
	for _, x := range ls.touched {
		r := s.segRoad[x/2]
		ls.dist[x], ls.prev[x] = math.Inf(1), -1
		ls.first[r] = -1
		if ls.h != nil {
			ls.h[r] = math.NaN()
		}
	}
	ls.touched = ls.touched[:0]
	ls.heap.Reset()
}

// search returns the search for a query from lane from for vehicles of
// the given length to road dest: A* for a lane and length not asked
// before, else the kept Dijkstra search from lane from for that length or
// a new one (reusing the arrays of the least recently used search when
// the kept ones hold too many states).
func (sc *searchScratch) search(s *Sim, from int32, length float64, dest maps.RoadID) *laneSearch {
	for i, ls := range sc.kept {
		if ls.from == from && ls.length == length {
			copy(sc.kept[i:], sc.kept[i+1:])
			sc.kept[len(sc.kept)-1] = ls
			return ls
		}
	}
	if key := (laneLength{from, length}); !sc.asked[key] && sc.aStarKappa(s) > 0 {
		if sc.asked == nil {
			sc.asked = make(map[laneLength]bool)
		}
		sc.asked[key] = true
		return sc.aStar(s, from, length, dest)
	}
	n := 2 * s.nLanes
	var ls *laneSearch
	if len(sc.kept) > 0 && sc.states+n > maxKeptStates {
		ls = sc.kept[0]
		sc.kept = append(sc.kept[:0], sc.kept[1:]...)
		sc.states -= n
		ls.reset(s)
	} else {
		ls = newLaneSearch(s)
	}
	ls.from, ls.length, ls.sg = from, length, sc.graph(s).statesFor(length)
	sc.kept = append(sc.kept, ls)
	sc.states += n
	ls.start(s)
	return ls
}

// aStar returns an A* search from lane from for vehicles of the given
// length to road dest, ready to settle.
//
// It orders the queue by time so far plus a lower bound of the time
// still to go: κ times the straight-line distance from the end of a
// state's road to the start of dest (0 on dest itself), where κ
// (aStarKappa) is a little less than the least free-flow time per metre
// between a road's end nodes. It gives the same answer as the Dijkstra
// search, bit for bit:
//   - Along every edge of the search the queue's key grows by at least
//     10⁻³ of the edge's time (the bound is consistent with that much to
//     spare: far more than the rounding of keys below 2²⁶ s, which
//     aStarKappa asks of the network: keyLimit), so a state is
//     settled only after every state that reaches it as fast or faster;
//     its time is then the least sum over its predecessors, computed in
//     the same order as Dijkstra's, and so the same floating-point number.
//   - A state keeps, of its predecessors that reach it equally fast, the
//     one Dijkstra settles first, the least (time, state) (offer), and not
//     the one A* happens to settle first.
//   - On dest the bound is 0 and the key is the time: the first state of
//     dest settled is the least (time, state), as in Dijkstra's search.
func (sc *searchScratch) aStar(s *Sim, from int32, length float64, dest maps.RoadID) *laneSearch {
	ls := sc.once
	if ls == nil {
		ls = newLaneSearch(s)
		ls.h = make([]float64, len(s.net.Roads))
		for i := range ls.h {
			ls.h[i] = math.NaN()
		}
		sc.once = ls
	}
	ls.reset(s)
	ls.from, ls.length, ls.goal, ls.kappa, ls.sg = from, length, dest, sc.kappa, sc.graph(s).statesFor(length)
	p := s.net.Nodes[s.net.Roads[dest].From].Pos
	ls.gx = [2]float64{p[0], p[1]}
	ls.start(s)
	return ls
}

// aStarKappa returns the A* bound's factor κ (s/m): 1 − 10⁻³ times the
// least, over the roads, of the free-flow time per metre between the
// road's end nodes, computed once. It is 0 (no A*) unless every road
// takes at least 1 ms, every link leads to a road starting where the road
// of its lane ends, every node position is finite and the queue's keys
// stay below 2²⁶ s (keyLimit): what makes the bound consistent with room
// to spare (see aStar).
func (sc *searchScratch) aStarKappa(s *Sim) float64 {
	if sc.known {
		return sc.kappa
	}
	tt := s.freeFlowTimes()
	k := math.Inf(1)
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for r := range s.net.Roads {
		road := &s.net.Roads[r]
		a, b := s.net.Nodes[road.From].Pos, s.net.Nodes[road.To].Pos
		d := math.Sqrt(float64((b[0]-a[0])*(b[0]-a[0])) + float64((b[1]-a[1])*(b[1]-a[1])))
		if !(tt[r] >= 1e-3) || math.IsInf(d, 0) || math.IsNaN(d) {
			k = 0
			break
		}
		if d > 0 {
			k = min(k, tt[r]/d)
		}
		for i := range 2 {
			lo[i], hi[i] = min(lo[i], a[i], b[i]), max(hi[i], a[i], b[i])
		}
	}
	dx, dy := hi[0]-lo[0], hi[1]-lo[1]
	extent := math.Sqrt(float64(dx*dx) + float64(dy*dy)) // m, of the road ends
	if k > 0 && !math.IsInf(k, 1) && !(s.keyLimit(tt)+float64(k*extent) < 1<<26) {
		k = 0
	}
	for l := 0; l < s.nLanes && k > 0; l++ {
		for _, x := range s.ids(s.laneT[l].links) {
			if s.net.Roads[s.segRoad[s.linkLane[x]]].From != s.net.Roads[s.segRoad[l]].To {
				k = 0
			}
		}
	}
	if math.IsInf(k, 1) {
		k = 0
	}
	sc.kappa, sc.known = k*(1-1e-3), true
	return sc.kappa
}

// keyLimit returns a bound (s) on the times the lane search offers: a
// state's least time is at most the sum, over the lanes, of the time of
// its road and of a change across the road (a route settles each state
// once), and an offer adds at most one more of those. Below 2²⁶ s (about
// two years), a few units in the last place of a key or a bound (under
// 10⁻⁷ s) stay far inside the margin aStar's proof leaves (10⁻³ of a
// road's time of at least 1 ms).
func (s *Sim) keyLimit(tt []float64) float64 {
	sum := 0.0
	for l := range s.nLanes {
		r := s.segRoad[l]
		sum += tt[r] + float64(float64(len(s.net.Roads[r].Lanes))*planChangeCost)
	}
	return 2 * sum
}

// key returns the queue key of state x reached at time d: d for a
// Dijkstra search, d plus the bound of x's road for an A* search.
func (ls *laneSearch) key(s *Sim, x int32, d float64) float64 {
	if ls.goal < 0 {
		return d
	}
	return d + ls.bound(s, s.segRoad[x/2])
}

// bound returns the A* bound of road r (computed once per search): κ
// times the straight-line distance from its end to the start of the goal
// road, 0 on the goal road.
func (ls *laneSearch) bound(s *Sim, r int32) float64 {
	h := ls.h[r]
	if h != h {
		h = 0
		if maps.RoadID(r) != ls.goal {
			p := s.net.Nodes[s.net.Roads[r].To].Pos
			dx, dy := p[0]-ls.gx[0], p[1]-ls.gx[1]
			h = ls.kappa * math.Sqrt(float64(dx*dx)+float64(dy*dy))
		}
		ls.h[r] = h
	}
	return h
}

// relaxFrom offers the states that the edges out of state x lead to
// their times through p (x itself, or −1 for none): base plus the edge's
// weight. An offer slower than what its state has, or to a state 2c+1 (on
// lane c after a change) no faster than what its twin 2c has (dominated:
// see settle), ends here without a call to offer: most do (on New York
// more than half of them were changes to a lane already reached by a
// link).
func (ls *laneSearch) relaxFrom(s *Sim, x, p int32, base float64) {
	sg, dist := ls.sg, ls.dist
	for i, end := sg.off[x], sg.off[x+1]; i < end; i++ {
		y, d := sg.to[i], base+sg.w[i]
		if d <= dist[y] && (y&1 == 0 || d < dist[y-1]) {
			ls.offer(s, y, p, d)
		}
	}
}

// offer takes for state x the time d through state p when it is less
// than x's. In an A* search, a state reached equally fast through another
// predecessor keeps the one of least (time, state): the one a Dijkstra
// search settles first. Its caller, relaxFrom, offers no state 2c+1 (on lane
// c after a change) a time that state 2c (on lane c, arrived by a link)
// already has or beats: it is dominated (see settle).
func (ls *laneSearch) offer(s *Sim, x, p int32, d float64) {
	if old := ls.dist[x]; d < old {
		if math.IsInf(old, 1) {
			ls.touched = append(ls.touched, x)
		}
		ls.dist[x], ls.prev[x] = d, p
		ls.heap.Push(ls.key(s, x, d), x)
	} else if d == old && ls.goal >= 0 && p >= 0 {
		if q := ls.prev[x]; q >= 0 && (ls.dist[p] < ls.dist[q] || ls.dist[p] == ls.dist[q] && p < q) {
			ls.prev[x] = p
		}
	}
}

// start offers the lanes that the open links of the search's lane lead
// to, with no predecessor, at their roads' times (0 + t = t: times are
// positive): the edges out of state 2·from+1, which are the lane's links
// alone.
func (ls *laneSearch) start(s *Sim) {
	ls.relaxFrom(s, 2*ls.from+1, -1, 0)
}

// settle runs the search on until it has settled a state of road dest
// and returns the first such state (−1 when dest cannot be reached). An
// A* search answers for its goal only.
//
// A state 2c+1 whose twin 2c has a time no greater is dominated, and the
// search neither queues it (relaxFrom) nor follows its edges when it was
// queued before (here): it would change nothing. The edges out of 2c+1
// are those out of 2c less the changes, with the same weights
// (stateGraph), and 2c is settled first: by (time, state) in Dijkstra's
// search, 2c < 2c+1; in A*, the two have the same bound (their road's),
// their keys are in the order of their times, and the final offer to 2c
// comes from a state whose key is less (aStar's margin), so 2c is queued
// with its final time before 2c+1 is settled. Every offer from 2c+1, its
// time plus a weight, is then at least the one 2c made along the same
// edge, and changes neither a time nor, the offer of 2c coming first, a
// predecessor (nor, in A*, the least (time, state) one: 2c's is less).
// Nor is 2c+1 the first state of its road: 2c came before it. (New York:
// half the states a search settled were dominated.)
func (ls *laneSearch) settle(s *Sim, dest maps.RoadID) int32 {
	h := &ls.heap
	for ls.first[dest] < 0 && h.Len() > 0 {
		xk, x := h.Pop()
		xd := ls.dist[x]
		if xk > ls.key(s, x, xd) {
			continue // queued again since, sooner
		}
		if r := s.segRoad[x/2]; ls.first[r] < 0 {
			ls.first[r] = x
		}
		if x&1 == 1 && ls.dist[x-1] <= xd {
			continue // dominated since it was queued
		}
		ls.relaxFrom(s, x, x, xd)
	}
	return ls.first[dest]
}

// laneGraph is the lane search's graph over the open lanes: lane l's open
// links lead to lanes to[off[l]:off[l+1]], whose roads take tt[...] (s);
// the lanes beside it, nearest first up to the first closed one, are
// side[soff[2l]:soff[2l+1]] toward the centre line (index −1) and
// side[soff[2l+1]:soff[2l+2]] away from it; its road is length[l] long
// (m). It depends on the closed lanes and so lives in searchScratch
// (which setClosed drops), made on first use.
type laneGraph struct {
	off, to, soff, side []int32
	tt, length          []float64
	states              []*stateGraph // made from it, one per vehicle length (statesFor)
}

// stateGraph is the lane search's graph over lane states for vehicles of
// one length (m): the edges out of state x lead to states
// to[off[x]:off[x+1]] and take w[...] (s). Out of state 2l (on lane l,
// arrived by a link) go, in this order, lane l's open links (to state 2b
// of each lane b they lead to, taking the time of b's road) and the
// changes across l's road that the length allows: ⌊(L − length) /
// planChange⌋ lanes on a road of length L, to state 2c+1 of each lane c
// beside l up to that many lanes away (and up to the first closed one),
// nearest first, toward the centre line first, taking planChangeCost per
// lane crossed. Out of state 2l+1 (changed lanes on the road) go the
// links alone: one change per road. A search relaxes a state's edges in
// this order, the order in which it worked them out from the laneGraph
// before, so ties resolve as they did; a weight is the same number it
// added then (the change's float64((k+1)·planChangeCost) rounded before
// the addition, as there). It saves the search working out the changes
// at every state it settles (the span's division, the side lists'
// bounds): about a third of its instructions on New York.
//
// It leaves out a change from l to c that no search could take (and
// relaxFrom would skip at every state it settles): when every lane with
// an open link to l also has one to c (withEvery), state 2c is offered
// the time of 2l's road by every state that offers 2l a time (the same
// weight, the time of the same road, added to the same time), before 2l
// is settled; the change then arrives at 2c+1 later than 2c (its weight
// is at least planChangeCost > 0), dominated. On New York every lane
// link leads to all the lanes of its road, so the graph has no change at
// all.
type stateGraph struct {
	length  float64 // m
	off, to []int32
	w       []float64 // s
}

// statesFor returns the graph over states for vehicles of the given
// length (m), made on first use. A network's vehicle types have few
// lengths; the graphs go with the laneGraph (setClosed and Clone drop
// it).
func (g *laneGraph) statesFor(length float64) *stateGraph {
	for _, sg := range g.states {
		if math.Float64bits(sg.length) == math.Float64bits(length) {
			return sg
		}
	}
	n := len(g.length) // lanes
	sg := &stateGraph{length: length, off: make([]int32, 2*n+1)}
	in := g.linksInto()
	for l := range int32(n) {
		span := int(math.Floor((g.length[l] - length) / planChange))
		for x := 2 * l; x < 2*l+2; x++ {
			for i := g.off[l]; i < g.off[l+1]; i++ {
				sg.to, sg.w = append(sg.to, 2*g.to[i]), append(sg.w, g.tt[i])
			}
			if x == 2*l {
				for side := 2 * l; side < 2*l+2; side++ {
					for k, c := range g.side[g.soff[side]:g.soff[side+1]] {
						if k >= span {
							break
						}
						if !keepEveryChange && g.withEvery(in, l, c) {
							continue // never taken: dominated
						}
						sg.to, sg.w = append(sg.to, 2*c+1), append(sg.w, float64(float64(k+1)*planChangeCost))
					}
				}
			}
			sg.off[x+1] = int32(len(sg.to))
		}
	}
	g.states = append(g.states, sg)
	return sg
}

// keepEveryChange, for tests, has statesFor keep the changes withEvery
// would leave out (TestDominatedChangeStates searches that graph).
var keepEveryChange bool

// linksInto returns, for each lane b, the lanes with an open link to b:
// from[off[b]:off[b+1]].
func (g *laneGraph) linksInto() (in struct{ off, from []int32 }) {
	n := len(g.length)
	in.off = make([]int32, n+2)
	for _, b := range g.to {
		in.off[b+2]++
	}
	for b := 2; b < len(in.off); b++ {
		in.off[b] += in.off[b-1]
	}
	in.from = make([]int32, len(g.to))
	for a := range int32(n) {
		for _, b := range g.to[g.off[a]:g.off[a+1]] {
			in.from[in.off[b+1]] = a
			in.off[b+1]++
		}
	}
	return in
}

// withEvery reports whether every lane with an open link to lane l (in,
// from linksInto) also has one to lane c.
func (g *laneGraph) withEvery(in struct{ off, from []int32 }, l, c int32) bool {
	for _, a := range in.from[in.off[l]:in.off[l+1]] {
		if !slices.Contains(g.to[g.off[a]:g.off[a+1]], c) {
			return false
		}
	}
	return true
}

// graph returns the lane search's graph.
func (sc *searchScratch) graph(s *Sim) *laneGraph {
	if sc.g != nil {
		return sc.g
	}
	tt := s.freeFlowTimes()
	g := &laneGraph{off: make([]int32, s.nLanes+1), soff: make([]int32, 2*s.nLanes+1), length: make([]float64, s.nLanes)}
	for l := range s.nLanes {
		for _, k := range s.ids(s.laneT[l].links) {
			if b := s.linkLane[k]; !s.closed[b] {
				g.to, g.tt = append(g.to, b), append(g.tt, tt[s.segRoad[b]])
			}
		}
		g.off[l+1] = int32(len(g.to))
		road := &s.net.Roads[s.segRoad[l]]
		g.length[l] = road.Length
		li := s.net.Lanes[l].Index
		for d, dir := range [2]int{-1, 1} {
			for j := li + dir; j >= 0 && j < len(road.Lanes) && !s.closed[road.Lanes[j]]; j += dir {
				g.side = append(g.side, int32(road.Lanes[j]))
			}
			g.soff[2*l+d+1] = int32(len(g.side))
		}
	}
	sc.g = g
	return g
}
