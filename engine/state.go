package engine

import (
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// Controller decides the phases of one signalised junction.
type Controller = signal.Controller

// car is the hot per-step state of a vehicle, stored in its segment's slice
// in driving order (front first). It is copied when the vehicle changes
// segment.
type car struct {
	pos   float64 // m, front of the vehicle from the segment start
	speed float64 // m/s
	id    int32   // vehicle id (index of its trip)
	// link is the link segment the vehicle takes at the end of its road
	// lane, or -1 when the lane does not serve its next road.
	link int32
	// next is the road after the current one on the route, -1 on the
	// destination road; next2 the road after that, or -1.
	next   int32
	next2  int32
	vt     uint16
	flags  uint16
	length float32 // m
	factor float32 // desired speed factor
	wait   float32 // s standing still without interruption
	fuel   float32 // mL burnt on the current segment, not yet credited
	// held is how long (s) it has stood at the front of a road lane held
	// by something other than a red light, since it last stood held by
	// the light alone: a wait for room on its exit lane counts whatever
	// the light shows. Sim.Jams reads it.
	held float32
}

// car flags.
const (
	fPermit    uint16 = 1 << iota // may cross the stop line this step
	fDecided                      // in the approach zone: fPermit was decided this step
	fHalted                       // standing (a stop has been counted)
	fRed                          // held by a red or yellow light
	fCross                        // held only until vehicles inside the junction clear its path
	fConnected                    // equipped for V2X
	fRoom                         // its exit lane has no room for it (set with fRed too)
	fAhead                        // its link ends on a lane that does not lead on along the route (ahead.go)
	fPlanned                      // its route has a lane plan (reroute.go)
	fOut                          // the first beyond its approach zone on its lane at the last junction decision, no other junction flag on it or behind it (passZone)

	// hdMark marks a link's entry in Sim.headTo (no car flag uses it).
	hdMark uint16 = 1 << 15

	// fJunction are the flags of a junction decision, cleared when a
	// vehicle changes lane or segment.
	fJunction = fPermit | fDecided | fRed | fCross | fRoom | fOut
)

// vehicle is the cold per-vehicle state, indexed by vehicle id.
type vehicle struct {
	route     int32   // index into Sim.routes, -1 when unroutable
	ri        int32   // index of the current road in the route
	depart    float64 // s, scheduled
	insert    float64 // s, actual (-1 before)
	arrive    float64 // s (-1 before)
	waitTotal float64 // s
	fuel      float64 // mL
	stops     int32
	// forRoom is the route index of the road the vehicle entered on a
	// lane that does not serve the road after, taken for room where another
	// did (0: none; see noteLaneForRoom).
	forRoom   int32
	status    uint8
	connected bool
	vt        uint16
	factor    float32
	// Kept elsewhere: the free-flow time of the route (computed when
	// needed: Sim.freeFlowOf), teleports and missed turns (Sim.cold), the
	// time it reached its current road (v2xState.enter, read by V2X only).
}

// Vehicle statuses.
const (
	statusPending uint8 = iota
	statusRunning
	statusArrived
	statusRemoved    // teleported out: no room anywhere ahead
	statusUnroutable // no route from origin to destination
	statusWaiting    // departure time has come; waiting to enter
	statusCanceled   // removed from the demand before departing (ScaleDemand)
)

// segment is a road lane or a link, the unit the engine steps in parallel.
//
// A segment is two cache lines (TestSegmentLayout checks it): line 0
// holds what a vehicle about to enter a lane reads of it, line 1 what foes
// and merging vehicles read of a link and of the lane it leaves, and the
// segment's own vehicles. What the step reads of a segment only now and
// then, or of many segments at once, lives apart in dense arrays, so that
// a segment stays small (345,600 of the 461,760 segments of the scale case
// are links): its road (Sim.segRoad), a link's exit lane and movement
// (Sim.linkLane, Sim.linkMov), its statistics (Sim.acc), a lane's yield
// point (Sim.yield), and its node and topology lists (Sim.laneT or
// Sim.linkT; see laneTopo, linkTopo). Lanes come first in Sim.segs
// (indices below Sim.nLanes), links after (Sim.isLink).
type segment struct {
	// Line 0: what the junction and the vehicles behind read of a lane
	// they may enter (room, fits, lookAhead).
	length float64 // m
	speed  float64 // speed limit, m/s
	tail   info    // last vehicle at the start of the step
	// inLinks lists the links into this segment (lanes).
	inLinks topoSpan

	// Line 1: what foes and merging vehicles read of a link and of the
	// lane it leaves (foeArriving, mergeLeaders, decideLane), and the
	// segment's vehicles, written by its own worker (those that leave it
	// during the move phase go to its chunk's outbox: stepAcc.out).
	head info // first vehicle at the start of the step
	cars []car
}

// isLink reports whether segment si is a link (links lead to a lane).
func (s *Sim) isLink(si int32) bool { return int(si) >= s.nLanes }

// yieldPoint is where a vehicle on a neighbouring lane that must move into
// a lane and cannot stands (Sim.yield, per lane): at is its front position
// (m; −1: none) and length its length (m). The lane's vehicles behind it
// hold back. Written by the lane-change phase, read by the next move
// phase.
type yieldPoint struct{ at, length float64 }

// laneTopo is a lane's node and topology lists (Sim.laneT, by segment
// index). The lists are immutable after New and stored in the Sim's pools
// (Sim.ids).
type laneTopo struct {
	node  int32    // node at the end of the lane
	links topoSpan // links leaving the lane
}

// linkTopo is a link's topology lists (Sim.linkT, by segment
// index − Sim.nLanes). The lists are immutable after New and stored in the
// Sim's pools (Sim.ids, Sim.crossings).
type linkTopo struct {
	// merging lists the links that end on the same lane.
	merging topoSpan
	foes    topoSpan // links this link yields to
	cross   topoSpan // links whose paths cross this one
	// crossPts[i] is where link cross[i] crosses this one (in
	// Sim.crossings).
	crossPts topoSpan
	// turns lists the crossing links whose movement takes turns with this
	// link's (maps.TakeTurns): waiting vehicles alternate.
	turns topoSpan
}

// fromOf returns the lane segment link k leaves.
func (s *Sim) fromOf(k int32) int32 { return s.linkFrom[int(k)-s.nLanes] }

// lt returns link segment k's topology.
func (s *Sim) lt(k int32) *linkTopo { return &s.linkT[int(k)-s.nLanes] }

// topoSpan locates a list of a segment in one of the Sim's topology pools:
// elements [off, off+n).
type topoSpan struct{ off, n uint32 }

// crossing is where another link's path crosses a link's: at is the
// distance (m) along the other link, self along this one.
type crossing struct{ at, self float64 }

// info describes a segment's first or last vehicle at the start of a step.
type info struct {
	pos, speed float64 // m, m/s
	id         int32
	link       int32
	vt         uint16 // vehicle type (its emergency deceleration bounds the braking ahead)
	flags      uint16
	length     float32 // m
	wait       float32 // s standing without interruption
	n          int32   // vehicles on the segment (0: info is empty)
}

// tailBack returns the position of the rear of the segment's last vehicle
// (m from the segment's start), or the segment length when the segment is
// empty: how far a vehicle entering the segment may drive.
func (s *segment) tailBack() float64 {
	if s.tail.n == 0 {
		return s.length
	}
	return s.tail.pos - float64(s.tail.length)
}

// outCar is a vehicle leaving a segment: where it ends up after the move.
type outCar struct {
	c      car
	target int32   // segment it ends the step on
	pos    float64 // its position there
}

// segAcc accumulates a segment's statistics (Sim.acc; owned by the
// segment's worker).
//
// It is 40 bytes, for scale's 461,760 segments: the counts are 32-bit (a
// lane carrying 2,000 vehicles an hour would take 240 years to overflow
// one) and widened where they are read. The four sums the move phase adds
// to come first, in 32 contiguous bytes.
type segAcc struct {
	vehSteps float64 // vehicle-steps on the segment
	speedSum float64 // Σ speed over vehicle-steps (m/s)
	lost     float64 // Σ time lost against the desired speed (s)
	fuel     float64 // mL burnt on the segment
	entered  uint32  // vehicles that entered
	stops    uint32  // vehicles that came to a halt on the segment
}

// v2xAcc counts a lane's V2X messages (lanes of an RSU's junction; kept
// in v2xState.acc, apart from the segments, as only V2X runs have them).
type v2xAcc struct {
	spatRecv int64
	spatLost int64
	statRecv int64 // status messages used for estimated sensors
	statSent int64
	statLost int64
}

// nodeState is the per-node junction state.
type nodeState struct {
	plant *signal.Plant // nil unless signalised
	movLo int32         // first movement id (movements are contiguous per node)
	movN  int32
	// groups are the incoming lane segments, in processing order, as
	// groups of a bitmap word each (lanesGroups): the junction phase
	// looks at a group's lanes at once (groupBits).
	groups []laneGroup
	// held, when not nil, are the lights HoldLights set, shown instead
	// of the plant's (one per movement, in Local order).
	held []signal.Light
}

// Sim is a running simulation. Create one with New; advance it with Step.
// A Sim is not safe for concurrent use; its methods must be called from one
// goroutine (its own workers run inside Step).
type Sim struct {
	net    *maps.Network
	cfg    Config
	dt     float64
	step   int64
	now    float64 // s, time at the start of the next step
	nLanes int
	// packEvery is how many steps apart pack runs, from packMin running
	// vehicles: the constants packEvery and packMin, but for tests
	// (packEvery 0: never).
	packEvery, packMin int64

	segs []segment
	acc  []segAcc // per segment: its statistics, owned by its worker
	// segRoad is, per segment, its road (lanes) or the road it leads to
	// (links); linkFrom is, per link (segment index − nLanes), the lane
	// segment it leaves (fromOf). Both immutable after New: clones share
	// them.
	segRoad, linkFrom []int32
	yield             []yieldPoint // per lane (Clone copies it: the lane-change phase writes it)
	// laneT and linkT are the lanes' and links' topology (see laneTopo,
	// linkTopo); immutable after New, so clones share them.
	laneT []laneTopo
	linkT []linkTopo
	// topo and crossPts are the pools of the segments' topology lists
	// (see topoSpan); immutable after New, so clones share them.
	topo     []int32
	crossPts []crossing
	nodes    []nodeState
	lights   []signal.Light // per movement
	sleep    signalSleep    // the signal phase's skipped steps (step.go)
	veh      []vehicle
	trips    []tripRec
	cold     coldData // trips' and vehicles' sparse fields (trips.go)
	routes   []maps.Route
	routeLen []float64   // per route: m
	plans    []*lanePlan // per route: the lanes it was planned on, or nil (reroute.go)
	vtypes   []VType
	minGap   []float64 // per vehicle type, m (hot copy)
	zoneMin  float64   // a lower bound of the types' VType.zone0, m (zoneMinOf)
	occSums  []float64 // occupancy by vehicle count when all vehicles take the same length (stats.go occupancies)
	ffTT     []float64 // per road free-flow time, s (for rerouting)
	// comp is each road's strongly connected component (an index into
	// net.Components; −1 when the network lists none).
	comp  []int32
	srch  *maps.Search  // road-level reroutes' (v2xroute.go)
	lsrch searchScratch // laneRoute's, over lane states
	// sensorsOn: some controller reads sensors, so lanes are read every
	// step; otherwise on demand (readAt: the step of the last full read).
	sensorsOn bool
	readAt    int64

	// insertion
	pending   []int32 // trips not yet released, by (departure, id), consumed from pendIdx
	pendIdx   int
	waiting   [][]int32 // per road: released trips waiting to enter, FIFO
	waitRoads []int32   // roads with waiting trips, sorted
	insHeld   []bool    // scratch: per lane of a road, held by a waiting vehicle
	insLanes  []int     // scratch: a vehicle's departure lanes
	insQueue  int       // while insertRoad runs: its queue from the vehicle tried on

	par      *pool
	chunkAcc []stepAcc
	teleCand [][]tele
	jscratch []junctionScratch
	jm       junctionMasks // the junctions' link sets as bit masks (junction.go)
	lcs      []lcScratch

	stats  runStats
	series []SeriesRow
	cur    SeriesRow

	finished []int32
	rt       *maps.Router
	geoms    []segGeom
	loops    []loop
	closed   []bool       // per lane: closed to entering vehicles
	rtClosed *maps.Router // router avoiding closed roads (nil: none closed)
	queue    []Command    // commands for the start of the next step
	scaled   uint64       // ScaleDemand commands applied (a draw stream key)
	v2x      *v2xState    // nil: no connected vehicles

	// anyClosed reports whether any lane is closed: the lane-change phase
	// asks s.anyClosed && s.closed[l], which is s.closed[l] in one test
	// where no lane is closed (most often). Exact: it is true exactly
	// when some closed flag is, as setClosed, the only writer of closed
	// after New (every lane open), sets it after each change, and Clone
	// copies both (checkLaneAttn checks it; TestAnyClosed).
	anyClosed bool
	// incoming has a bit per segment, in words by chunk as live, set
	// (atomically, by any worker) when some outbox targets the segment
	// this step; the transfer phase clears it.
	incoming []uint64
	// live has a bit per segment, set while the segment holds a vehicle:
	// word c covers chunk c (chunkSize segments), so the phases that walk
	// the segments visit only those with vehicles (most links are empty)
	// without touching the others' memory. shown is the same for the
	// segments whose head and tail records describe a vehicle (as refresh
	// last left them). Both are kept by setLive (live.go).
	live, shown []uint64
	// nodeLive is, per node, how many of its incoming lanes hold vehicles
	// (their live bits): the junction phase passes over a node without
	// one, not touching its records. Kept by setLive.
	nodeLive []int32
	// lcAttn has a bit per segment, in words by chunk as live, set on a
	// lane that may hold a vehicle with a strategic lane change to decide
	// (see mayDecide): chooseLink (markDecide), setRoute and setClosed
	// set it, and the lane-change phase without MOBIL clears it when it
	// finds no such vehicle on an open lane (lanechange.go). A superset:
	// a set bit only costs a look at the lane (checkInvariants checks
	// that no lane with such a vehicle lacks it). chooseLink runs in
	// parallel phases (junctions, transfer, lane changes) on lanes whose
	// words other workers share: bits are set and cleared atomically
	// (setBit, clearBit). Only the lane-change phase clears a bit, on
	// the worker of the lane's road, the only one that sets it then: a
	// set and a clear of one bit never race.
	lcAttn []uint64
	// spare has a bit per link, in words by chunk as live, set while the
	// link is empty but keeps the vehicle list it had (its capacity): a
	// link of the same chunk that fills with no list of its own takes it
	// (transfer.go). A link holds vehicles for a few steps at a time, so
	// over a long run nearly every link would otherwise keep a list.
	spare []uint64
	// occ is, per segment, the length taken by its vehicles at the start
	// of the step: Σ (length + minimum gap), m. Dense, apart from the
	// segments: room reads it for every link into a lane, and a node's
	// links lie next to each other here.
	occ []float64
	// headTo is, per link, the flags of the first vehicle of the lane it
	// leaves, with hdMark, when that vehicle's chosen link is this one (as
	// refresh last saw it), else 0; headLink is, per lane, the link its
	// first vehicle had chosen then (−1: none). Foes and merging vehicles
	// ask "is the vehicle at the line of the lane feeding link f about to
	// take f?" far more often than the answer is yes: this answers no
	// from a dense array without touching the lane.
	headTo   []uint16
	headLink []int32
	// crossWait has, per segment (a bitmap like live), the bit of each
	// link whose headTo has fCross: the first vehicle of its lane chose it
	// and waits for its crossing to clear (waitMask; kept by pointHead).
	crossWait []uint64
	// linkLane and linkMov are, per segment, the lane a link leads to and
	// its movement (−1 for lanes), dense: a vehicle waiting at a red light
	// checks its light and its exit lane's room every step without
	// touching its link.
	linkLane, linkMov []int32
	lsens             []signal.LaneSensors
	nsens             []*signal.NodeSensors

	// Unroutable lists the trips that had no route.
	Unroutable []int
}

// ids returns the segment list at p in the topology pool (read-only).
func (s *Sim) ids(p topoSpan) []int32 { return s.topo[p.off : p.off+p.n : p.off+p.n] }

// crossings returns the crossing points at p (read-only).
func (s *Sim) crossings(p topoSpan) []crossing {
	return s.crossPts[p.off : p.off+p.n : p.off+p.n]
}
