package engine

import (
	"math"
	"math/bits"
	"sync/atomic"
)

// runStats are whole-run counters.
type runStats struct {
	inserted    int64
	arrived     int64
	removed     int64 // teleported out: no room ahead
	teleports   int64
	hard        int64 // speed clamps beyond the emergency deceleration
	clamps      int64 // transfers placed behind the vehicle ahead
	laneChanges int64
	reroutes    int64
	stranded    int64 // reroutes around closures that found no way
	missed      int64 // missed turns
	repeated    int64 // missed turns of vehicles that had missed one before
	vehSteps    float64
	peak        int64 // most vehicles running at once
}

// SeriesRow is one interval of the time series.
type SeriesRow struct {
	Begin, End float64 // s
	Running    int64   // vehicles in the network at End
	Inserted   int64   // vehicles that entered during the interval
	Arrived    int64   // vehicles that reached their destination
	Teleports  int64
	MeanSpeed  float64 // m/s, over vehicle-steps in the interval
	TotalDelay float64 // s, time lost against desired speeds
	Waiting    int64   // trips waiting to enter at End
	vehSteps   float64
	speedSum   float64
}

// refresh records each segment's first and last vehicle for the next step
// and folds the step's per-chunk totals, in chunk order, into the
// statistics.
//
// It goes down through the segments (pool.runDownWhere, and downwards
// within each chunk), for the cache: the lane-change phase just before went up
// through the lanes, so the lanes it touched last are still in cache (on
// grid32 the step touches 3-4 MB, a core's L2 holds 1 MB), and the
// junction phase after it goes up again through the nodes, whose lanes
// mostly lie in the same order. Any order gives the same records:
// refresh writes only the segment's own records and occupancy, the headTo
// entries of the links leaving the lane (pointHead: its own) and their
// crossWait bits (atomically); the test switch refreshUp takes the
// chunks upwards instead (pool.runWhere; TestWalkOrder).
//
// emptyLink: a lane's first vehicle takes pointHead when its link is not
// the one of the record refresh left last time, with no test of whether
// that record was empty. Exact: an empty record is info{} (refresh clears
// it so, New makes it so, Clone copies it; checkInvariants), whose link 0
// no vehicle has (a vehicle's link is −1 or a link segment, and links are
// numbered after the lanes, of which there is at least the one being
// refreshed), so a lane that was empty always takes pointHead, as the
// test of the count made it. TestRefreshHeadLink puts lanes through
// emptying and refilling with the same link and flags.
//
// oneSum: a segment the occupancy table does not cover (more vehicles
// than occSumsLen, or no table: the types' lengths or gaps differ) sums
// each vehicle's length and its type's minimum gap, also when the types
// share one gap (the sum once took that gap, read before the walk, for
// speed). Exact: each type's gap is then the shared one bit for bit, so
// every term and the order of the sum are the same; reading the gap in
// that rare path frees the registers the shared gap and its test held
// across the walk (TestOccupancy, with the table cut short).
func (s *Sim) refresh() {
	// (The sums: occupancies, else each vehicle's length and gap: oneSum.)
	sums := s.occupancies()
	// A chunk without a segment holding vehicles now (live) or at the last
	// refresh (shown) has nothing to refresh, unless its lanes are read.
	run := s.par.runDownWhere
	if refreshUp {
		run = s.par.runWhere
	}
	a, b := s.live, s.shown
	if s.sensorsOn || s.v2x != nil && s.v2x.cv != nil {
		a, b = nil, nil // every chunk
	}
	run(chunks(len(s.segs)), a, b, func(c int) {
		lo, hi := span(c, len(s.segs))
		if lo < s.nLanes && (s.sensorsOn || s.v2x != nil && s.v2x.cv != nil) {
			for i := lo; i < min(hi, s.nLanes); i++ {
				if s.sensorsOn {
					s.readLane(i, true)
				}
				if s.v2x != nil && s.v2x.cv != nil {
					s.readCV(i)
				}
			}
		}
		// Refresh alone writes the head and tail records and the
		// occupancy: those of a segment that became empty are cleared, a
		// segment empty already (most links) is not touched at all.
		live := s.live[c]
		for w := s.shown[c] &^ live; w != 0; w &= w - 1 {
			i := lo + bits.TrailingZeros64(w)
			s.segs[i].head, s.segs[i].tail, s.occ[i] = info{}, info{}, 0
			if i < s.nLanes {
				s.pointHead(i, &s.segs[i].head)
			}
		}
		s.shown[c] = live
		// Downwards: the bits of live reversed, lowest first, bit j
		// standing for segment lo + 63 − j (63 − j is 63 XOR j).
		w := live
		if w != 0 {
			w = bits.Reverse64(w)
		}
		for ; w != 0; w &= w - 1 {
			i := lo + (bits.TrailingZeros64(w) ^ 63)
			seg := &s.segs[i]
			cars := seg.cars
			n := len(cars)
			// The record refresh left last time (headLink and headTo say so;
			// an empty one's link is 0, no vehicle's: emptyLink).
			wasLink, wasFlags := seg.head.link, seg.head.flags
			// (The last vehicle's record is made alike when it is the
			// first: no test of n, which mispredicted.)
			seg.head.describe(&cars[0], n)
			seg.tail.describe(&cars[n-1], n)
			if i < s.nLanes {
				// pointHead, from the last record when the first vehicle
				// has the link it had: headTo changes only with its flags,
				// and crossWait only with fCross.
				switch k, f := seg.head.link, seg.head.flags; {
				case k != wasLink:
					s.pointHead(i, &seg.head)
				case f == wasFlags || k < 0:
					// headLink and headTo say so already
				case (f^wasFlags)&fCross != 0:
					s.pointLink(k, f|hdMark)
				default:
					s.headTo[k] = f | hdMark
				}
			}
			// The same sum in the same order whichever way: looked up when
			// every vehicle takes the same length (occupancies), else
			// summed over the vehicles, each with its type's minimum gap
			// (oneSum: also when the types share one).
			occ := 0.0
			if n <= len(sums) {
				occ = sums[n-1]
			} else {
				// (The table ends at occSumsLen vehicles, or there is
				// none: the types' lengths or minimum gaps differ; a
				// gap read for each vehicle keeps registers free.)
				for j := range cars {
					occ += float64(cars[j].length) + s.minGap[cars[j].vt]
				}
			}
			s.occ[i] = occ
		}
	})
	s.foldChunks()
	running := s.running()
	s.stats.peak = max(s.stats.peak, running)
	if end := s.cur.Begin + s.cfg.Interval; s.now >= end-1e-9 {
		s.closeInterval(end)
	}
}

// foldChunks adds the step's per-chunk totals (stepAcc) to the statistics
// and clears them. The speed and delay sums take the chunks' in chunk
// order, in locals; the counts are whole numbers, added up first (the
// vehicle-steps too: sums of whole numbers below 2⁵³ are exact in any
// order).
func (s *Sim) foldChunks() {
	speed, lost := s.cur.speedSum, s.cur.TotalDelay
	var running, hard, clamps, changes int
	for c := range s.chunkAcc {
		a := &s.chunkAcc[c]
		running += a.running
		speed += a.speedSum
		lost += a.lost
		hard += a.hard
		clamps += a.clamps
		changes += a.laneChanges
		a.running, a.speedSum, a.lost, a.hard, a.clamps, a.laneChanges = 0, 0, 0, 0, 0, 0
	}
	s.cur.speedSum, s.cur.TotalDelay = speed, lost
	s.cur.vehSteps += float64(running)
	s.stats.vehSteps += float64(running)
	s.stats.hard += int64(hard)
	s.stats.clamps += int64(clamps)
	s.stats.laneChanges += int64(changes)
}

func (s *Sim) closeInterval(end float64) {
	r := s.cur
	r.End = end
	r.Running = s.running()
	if r.vehSteps > 0 {
		r.MeanSpeed = r.speedSum / r.vehSteps
	}
	for _, q := range s.waitRoads {
		r.Waiting += int64(len(s.waiting[q]))
	}
	s.series = append(s.series, r)
	s.cur = SeriesRow{Begin: end}
}

// refreshUp, for tests, has refresh take its chunks upwards (pool.run)
// instead of down.
var refreshUp bool

// occSumsLen is how many vehicles occupancies tabulates.
const occSumsLen = 256

// occupancies returns, when every vehicle type takes the same length and
// minimum gap (bit for bit), the occupancy of n vehicles at index n−1 for
// n up to occSumsLen, summed in the order refresh sums a segment's
// vehicles; else nil. The table is made once (vehicle types do not change
// after New) and shared by clones.
func (s *Sim) occupancies() []float64 {
	if s.occSums != nil {
		return s.occSums
	}
	if len(s.vtypes) == 0 {
		return nil
	}
	term := float64(float32(s.vtypes[0].Length)) + s.minGap[0]
	for t := range s.vtypes {
		// A vehicle's length is its type's, as a float32 (insert.go).
		if x := float64(float32(s.vtypes[t].Length)) + s.minGap[t]; math.Float64bits(x) != math.Float64bits(term) {
			return nil
		}
	}
	sums := make([]float64, occSumsLen)
	occ := 0.0
	for i := range sums {
		occ += term
		sums[i] = occ
	}
	s.occSums = sums
	return sums
}

// pointHead records in headTo which link lane l's first vehicle h (an
// empty record: none) has chosen. Only lane l's refresh writes the entries
// of the links leaving it, so lanes refreshed in parallel never share one.
//
// It keeps Sim.crossWait with headTo: a link's bit is set while its
// entry has fCross. Refresh writes the bits of links leaving lanes of
// other chunks, so they change atomically, and only when they change
// (rarely: a vehicle is held for its crossing).
func (s *Sim) pointHead(l int, h *info) {
	k := int32(-1)
	if h.n > 0 {
		k = h.link
	}
	if old := s.headLink[l]; old != k {
		if old >= 0 {
			s.pointLink(old, 0)
		}
		s.headLink[l] = k
	}
	if k >= 0 {
		s.pointLink(k, h.flags|hdMark)
	}
}

// pointLink sets link k's headTo entry, and its crossWait bit with it.
//
// The bit is set or cleared with one atomic or/and, not setBit/clearBit,
// whose look first makes pointLink too big to inline into pointHead and
// refresh: with no call left in refresh's walk, fewer values are kept on
// the stack across it. Exact: an atomic or sets the bit and an atomic and
// clears it whatever it was (setBit and clearBit skip only the writes that
// change nothing), and they leave the word's other bits alone.
func (s *Sim) pointLink(k int32, to uint16) {
	if (s.headTo[k]^to)&fCross != 0 {
		w, b := bitOf(s.crossWait, k)
		if to&fCross != 0 {
			atomic.OrUint64(w, b)
		} else {
			atomic.AndUint64(w, ^b)
		}
	}
	s.headTo[k] = to
}

// describe makes h the record of car c on a segment holding n vehicles.
// (Field by field: a composite literal is built on the stack and copied,
// twice the instructions, and refresh writes two records per segment.)
func (h *info) describe(c *car, n int) {
	h.pos, h.speed = c.pos, c.speed
	h.id, h.link, h.vt, h.flags, h.length = c.id, c.link, c.vt, c.flags, c.length
	h.wait, h.n = c.wait, int32(n)
}

// Counts are the vehicle counters of a run.
type Counts struct {
	Trips       int   `json:"trips"`        // trips given to New
	Unroutable  int   `json:"unroutable"`   // trips without a route (never depart)
	Inserted    int64 `json:"inserted"`     // vehicles that entered the network
	Running     int64 `json:"running"`      // vehicles in the network now
	Arrived     int64 `json:"arrived"`      // vehicles that reached their destination
	Removed     int64 `json:"removed"`      // vehicles teleported out (no room anywhere ahead)
	Waiting     int64 `json:"waiting"`      // departed trips still waiting to enter
	Teleports   int64 `json:"teleports"`    // teleports (a vehicle may teleport more than once)
	LaneChanges int64 `json:"lane_changes"` // lane changes made
	// Reroutes counts route changes while driving: after a missed turn,
	// around a closed road, or by travel-time information (V2X).
	Reroutes int64 `json:"reroutes"`
	// MissedTurns counts vehicles that stood at the front of a lane that
	// does not lead to their next road for 10 s, unable to change lanes;
	// RepeatedMisses counts those of the misses made by a vehicle that had
	// already missed a turn on its trip (see "Missed turns" in the engine
	// source, reroute.go).
	MissedTurns    int64 `json:"missed_turns"`
	RepeatedMisses int64 `json:"repeated_misses"`
	// HardBrakes counts speed clamps beyond a vehicle's emergency
	// deceleration; Clamps counts vehicles placed behind the one ahead on
	// entering a segment. Both are safety nets that keep vehicles from
	// overlapping whatever happens; they are rare (a few per hundred
	// thousand vehicle-steps on real networks, mostly on junction lanes
	// shorter than a braking distance) and reported, never hidden.
	HardBrakes   int64   `json:"hard_brakes"`
	Clamps       int64   `json:"clamps"`
	Peak         int64   `json:"peak"`          // most vehicles running at once
	VehicleSteps float64 `json:"vehicle_steps"` // vehicle updates so far
}

// Counts returns the current counters.
func (s *Sim) Counts() Counts {
	c := Counts{Trips: len(s.trips), Unroutable: len(s.Unroutable), Inserted: s.stats.inserted, Arrived: s.stats.arrived,
		Removed: s.stats.removed, Teleports: s.stats.teleports, LaneChanges: s.stats.laneChanges, Reroutes: s.stats.reroutes,
		MissedTurns: s.stats.missed, RepeatedMisses: s.stats.repeated,
		HardBrakes: s.stats.hard, Clamps: s.stats.clamps, Peak: s.stats.peak, VehicleSteps: s.stats.vehSteps}
	c.Running = c.Inserted - c.Arrived - c.Removed
	for _, q := range s.waitRoads {
		c.Waiting += int64(len(s.waiting[q]))
	}
	return c
}

// Series returns the completed time-series rows.
func (s *Sim) Series() []SeriesRow { return s.series }

// Done reports whether every routable trip has departed and left the
// network.
func (s *Sim) Done() bool {
	c := s.Counts()
	return s.pendIdx >= len(s.pending) && c.Running == 0 && c.Waiting == 0
}

// RoadStat is the per-road statistics since the warm-up ended.
type RoadStat struct {
	Volume    int64   // vehicles that entered the road
	MeanSpeed float64 // time-mean speed over vehicle-steps (m/s), 0 when unused
	Delay     float64 // time lost against desired speeds (s), summed over vehicles
	VehHours  float64 // vehicle-hours spent on the road
	Fuel      float64 // mL burnt on the road
}

// RoadStats returns the statistics of every road (indexed by maps.RoadID):
// its lanes and the links leaving them.
func (s *Sim) RoadStats() []RoadStat {
	out := make([]RoadStat, len(s.net.Roads))
	steps := make([]float64, len(out))
	speed := make([]float64, len(out))
	for i := range s.segs {
		r := s.segRoad[i]
		if s.isLink(int32(i)) {
			r = int32(s.net.Lanes[s.fromOf(int32(i))].Road) // time on a link counts for the road it leaves
		} else {
			out[r].Volume += int64(s.acc[i].entered)
		}
		steps[r] += s.acc[i].vehSteps
		speed[r] += s.acc[i].speedSum
		out[r].Delay += s.acc[i].lost
		out[r].Fuel += s.acc[i].fuel
	}
	for r := range out {
		if steps[r] > 0 {
			out[r].MeanSpeed = speed[r] / steps[r]
		}
		out[r].VehHours = steps[r] * s.dt / 3600
	}
	return out
}

// resetWarmup clears the per-segment statistics when the warm-up ends.
func (s *Sim) resetWarmup() {
	for i := range s.segs {
		s.acc[i] = segAcc{}
	}
	if s.v2x != nil {
		clear(s.v2x.acc)
	}
}

// running returns the number of vehicles in the network: inserted, not
// yet arrived nor removed.
func (s *Sim) running() int64 { return s.stats.inserted - s.stats.arrived - s.stats.removed }
