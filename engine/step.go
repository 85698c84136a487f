package engine

import (
	"cmp"
	"math/bits"
	"slices"
	"sync/atomic"

	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/engine/signal"
)

// Step advances the simulation by one step of Δt seconds, from time t to
// t+Δt. Queued commands (Enqueue) are applied first, in order; if there
// were any, the segments' first and last vehicles and the detector
// readings are refreshed for the phases. Then the phases run in this fixed
// order; each reads the state left by the previous ones and, when
// parallel, writes only its own work item's slots, so the result is the
// same for any number of workers:
//
//  1. Signals (parallel by node): every signal plant asks its controller
//     and sets its movements' lights for the step, inserting yellow and
//     all-red itself; a node whose lights are held (HoldLights) shows
//     them instead. With V2X, every roadside unit broadcasts its SPaT
//     message (v2x.go).
//  2. Junctions (parallel by node, junction.go): vehicles in the approach zone of a stop
//     line are granted or refused entry: light, room on the exit lane (no
//     blocking the box), vehicles inside the junction on crossing paths,
//     and foes with right of way arriving within the critical gap; a
//     vehicle that crossing traffic has held at its line for a minute gets
//     the crossing from the vehicles that would cross its path. A vehicle
//     that can no longer stop comfortably keeps its grant.
//  3. Move (parallel by segment, move.go): each lane or link updates its
//     vehicles front to back: the acceleration is the minimum over named
//     constraints (car following: the leader, vehicles ahead on the next
//     segment, on any link leaving the same lane or merging into it; speed
//     advice; merge yield; stop line; turn speed), then the speed is
//     clamped so that no vehicle can
//     reach the one ahead; positions advance by the new speed (Euler) or by
//     the mean of the old and new ones (Config.Ballistic). Vehicles that
//     pass the end of their destination road arrive; others that pass the
//     end go to the segment's outbox with the segment they end on.
//  4. Transfer (parallel by segment): each segment takes in the vehicles
//     ending on it from its predecessors' outboxes, furthest first (ties by
//     source segment), behind the vehicles already there. With V2X, the
//     road travel times observed are then folded into the roadside units'
//     estimates, and equipped vehicles that reached a road may reroute by
//     them (serial, in chunk order; v2xroute.go).
//  5. Lane changes (parallel by road): strategic changes towards a lane
//     that serves the next road (and leads on through the short roads
//     after it, ahead.go; or the lane a rerouted vehicle's plan names,
//     reroute.go), and discretionary MOBIL changes once per simulated
//     second, decided and applied road by road (none with
//     Config.FixedLanes).
//  6. Clock: the time becomes t+Δt; when it reaches the end of the
//     warm-up, the statistics start afresh (resetWarmup).
//  7. Arrivals (serial, in chunk order): the vehicles that left the network
//     in this step are recorded as finished (Finished, trip records).
//  8. Insertion (serial, in trip order): trips whose departure time has
//     come enter the first lane of their route that has room (insert.go).
//  9. Teleports (serial, in vehicle id order): vehicles stuck at the front
//     of a lane for longer than the time-to-teleport jump ahead; vehicles
//     standing at the front of a lane that does not lead to their next
//     road miss their turn and reroute (reroute.go).
//  10. Refresh (parallel by segment, totals merged in chunk order): the
//     first and last vehicle of every segment are recorded for the next
//     step, the detectors read, and statistics accumulated (stats.go); a
//     time-series interval closes when its end is reached.
func (s *Sim) Step() {
	// Few vehicles: handing phases to other workers costs more than it
	// saves. The choice changes only who runs the chunks, never results.
	s.par.inline = s.cfg.MinParallel >= 0 && s.stats.inserted-s.stats.arrived-s.stats.removed < int64(s.minParallel())
	s.applyCommands()
	s.phaseSignals()
	s.phaseJunctions()
	s.phaseMove()
	s.phaseTransfer()
	s.phaseLaneChange()
	s.step++
	prev := s.now
	s.now = float64(s.step) * s.dt
	if prev < s.cfg.Warmup && s.now >= s.cfg.Warmup-1e-9 {
		s.resetWarmup()
	}
	s.phaseArrivals()
	s.phaseInsert()
	s.phaseTeleport()
	s.refresh()
}

// RunUntil steps until the simulation time reaches t (s).
func (s *Sim) RunUntil(t float64) {
	for s.now < t-1e-9 {
		s.Step()
	}
}

// 1. Signals.
func (s *Sim) phaseSignals() {
	s.par.run(chunks(len(s.nodes)), func(c int) {
		lo, hi := span(c, len(s.nodes))
		for v := lo; v < hi; v++ {
			ns := &s.nodes[v]
			if ns.held != nil {
				copy(s.lights[ns.movLo:ns.movLo+ns.movN], ns.held)
				continue
			}
			if ns.plant != nil {
				var sens *signal.NodeSensors
				if needsSensors(ns.plant) {
					sens = s.fillNodeSensors(v)
				}
				ns.plant.UpdateSensed(s.now, s.dt, s.lights[ns.movLo:ns.movLo+ns.movN], sens, int32(v))
				if s.v2x != nil {
					s.broadcastSPaT(v)
				}
			}
		}
	})
}

// 2. Junctions: junction.go.

// 3. Move.

// stepAcc is a per-chunk accumulator, merged in chunk order.
type stepAcc struct {
	running     int
	speedSum    float64
	lost        float64
	arrivals    []arrival
	hard        int // speed clamps beyond the emergency deceleration
	clamps      int // transfers placed behind the vehicle ahead
	laneChanges int
	scratch     []outCar
	// pad keeps neighbouring chunks' accumulators, written by different
	// workers, off one cache line.
	_ [64]byte
}

// markIncoming flags segment t as the target of some outbox this step.
// Reading first avoids writing a cache line other workers share when the
// flag is already set.
func (s *Sim) markIncoming(t int32) {
	if atomic.LoadUint32(&s.incoming[t]) == 0 {
		atomic.StoreUint32(&s.incoming[t], 1)
	}
}

type arrival struct {
	id   int32
	wait float32
	fuel float32
}

func (s *Sim) phaseMove() {
	nc := chunks(len(s.segs))
	s.par.run(nc, func(c int) {
		lo, hi := span(c, len(s.segs))
		acc := &s.chunkAcc[c]
		acc.arrivals = acc.arrivals[:0]
		s.teleCand[c] = s.teleCand[c][:0]
		// Only segments with vehicles move (most links have none); the
		// outbox of any other is empty this step (pull reads an outbox
		// only when outN says it holds vehicles).
		clear(s.outN[lo:hi])
		for w := s.live[c]; w != 0; w &= w - 1 {
			s.moveSegment(int32(lo+bits.TrailingZeros64(w)), acc, c)
		}
	})
}

const tiny = 0.01 // m, least distance kept between vehicles

// accel dispatches to the vehicle type's car-following model.
func (s *Sim) accel(vt *VType, v, gap, vl, v0, rnd float64) float64 {
	return modelAccel(vt, v, gap, vl, v0, s.dt, rnd)
}

// lookAhead applies the constraints beyond the end of the segment to the
// first vehicle: the last vehicle of the next segment on its path (assumed
// to brake as hard as it can), and on links the first vehicles of links
// merging into the same lane that are closer to the merge.
func (s *Sim) lookAhead(si int32, seg *segment, c *car, vt *VType, v0, rnd, a, vmax float64) (float64, float64) {
	dt := s.dt
	v := c.speed
	d := seg.length - c.pos
	// keep applies the vehicle ahead at gap: on this vehicle's own path
	// (path) CACC when both are equipped and the V2V message arrives — the
	// leader is on another segment, moved in parallel, so its speed at the
	// start of the step stands in for its plan — and the driver's model
	// otherwise, merging vehicles included.
	keep := func(gap float64, h *info, path bool) {
		if path && s.caccBehind(c.flags, h.flags, h.id) {
			a = min(a, follow.CACCAccel(&vt.Follow, v, gap, h.speed, v0, dt, s.v2x.cfg.CACCTimeGap))
		} else {
			a = min(a, s.accel(vt, v, gap, h.speed, v0, rnd))
		}
		if gap > 0 {
			// Never reach the leader even if it brakes as hard as it can.
			// (A negative gap is a vehicle beside this one on a merging
			// path: braking as hard as allowed sorts them out, and the
			// transfer phase keeps them apart on the lane.)
			worst := max(0, h.speed-float64(s.vtypes[h.vt].Follow.EmergencyDecel*dt))
			if s.cfg.Ballistic {
				worst = (h.speed + worst) / 2
			}
			vmax = min(vmax, max(0, gap-tiny+float64(worst*dt))/dt)
		}
	}
	ahead := func(gap float64, h *info) { keep(gap, h, true) }
	merging := func(gap float64, h *info) { keep(gap, h, false) }
	if !seg.isLink {
		if c.next < 0 || c.flags&fPermit == 0 || c.link < 0 {
			return a, vmax
		}
		// Links leaving one lane overlap where they start: keep behind
		// the last vehicle on each of them, not only on this one's (as
		// CityFlow does; SUMO until the paths have separated).
		for _, l := range s.ids(seg.links) {
			if l == c.link || !hasBit(s.shown, l) {
				continue
			}
			if ls := &s.segs[l]; ls.tail.n > 0 {
				ahead(d+ls.tail.pos-float64(ls.tail.length), &ls.tail)
			}
		}
		k := &s.segs[c.link]
		if k.tail.n > 0 {
			ahead(d+k.tail.pos-float64(k.tail.length), &k.tail)
			return a, vmax
		}
		t := &s.segs[k.lane]
		if t.tail.n > 0 {
			ahead(d+k.length+t.tail.pos-float64(t.tail.length), &t.tail)
		}
		s.mergeLeaders(d+k.length, c.link, s.ids(k.merging), merging)
		if s.stopAhead(k.lane, c, vt) {
			a = min(a, s.accel(vt, v, d+k.length+t.length-0.5, 0, v0, rnd))
		}
		return a, vmax
	}
	t := &s.segs[seg.lane]
	if t.tail.n > 0 {
		ahead(d+t.tail.pos-float64(t.tail.length), &t.tail)
	}
	s.mergeLeaders(d, si, s.ids(seg.merging), merging)
	if s.stopAhead(seg.lane, c, vt) {
		a = min(a, s.accel(vt, v, d+t.length-0.5, 0, v0, rnd))
	}
	return a, vmax
}

// stopAhead reports whether a vehicle about to enter lane t, too short for
// it to ask for entry at its end in time (shorter than its approach zone),
// would meet no green link towards its next road with room behind the exit
// lane's queue (fits): the stop line at t's end then slows it already (a
// soft constraint: the junction decides once the vehicle is on t).
func (s *Sim) stopAhead(t int32, c *car, vt *VType) bool {
	lane := &s.segs[t]
	if lane.length >= approachZone(c.speed, vt, s.dt) {
		return false
	}
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
	for _, k := range s.ids(lane.links) {
		ks := &s.segs[k]
		if ks.road != nr || s.closed[ks.lane] {
			continue
		}
		leads = true
		if s.lights[ks.mov].IsGreen() && s.fits(ks.lane, nil, c, vt.Follow.MinGap, 2) {
			return false
		}
	}
	return leads || lane.length >= float64(c.length)+vt.Follow.MinGap
}

// mergeLeaders applies follow to the vehicles that will reach the lane at
// the end of link self before a vehicle r metres from it: the first vehicle
// on each merging link, and the first vehicle of the lane feeding it when
// that vehicle is granted entry to it. Ties go to the lower link id.
func (s *Sim) mergeLeaders(r float64, self int32, merging []int32, follow func(gap float64, h *info)) {
	for _, m := range merging {
		if !hasBit(s.shown, m) && s.headTo[m]&(hdMark|fPermit) != hdMark|fPermit {
			continue // nothing on m, and nothing granted entry to it
		}
		ms := &s.segs[m]
		ahead := func(rm float64) bool { return rm < r || rm == r && m < self }
		if ms.head.n > 0 {
			if rm := ms.length - ms.head.pos; ahead(rm) {
				follow(r-rm-float64(ms.head.length), &ms.head)
			}
			continue
		}
		f := &s.segs[ms.from]
		h := &f.head
		if h.n > 0 && h.link == m && h.flags&fPermit != 0 {
			if rm := f.length - h.pos + ms.length; ahead(rm) {
				follow(r-rm-float64(h.length), h)
			}
		}
	}
}

// 4. Transfer.

func (s *Sim) phaseTransfer() {
	nc := chunks(len(s.segs))
	s.par.run(nc, func(c int) {
		lo, hi := span(c, len(s.segs))
		acc := &s.chunkAcc[c]
		for i := lo; i < hi; i++ {
			if atomic.LoadUint32(&s.incoming[i]) != 0 { // else nothing ends here
				s.pull(int32(i), acc, c)
			}
		}
	})
	if s.v2x != nil {
		s.observeTT()
		if s.v2x.cfg.Reroute {
			s.rerouteCVs()
		}
	}
}

// pull appends the vehicles that end the step on segment si.
func (s *Sim) pull(si int32, acc *stepAcc, chunk int) {
	seg := &s.segs[si]
	if atomic.LoadUint32(&s.incoming[si]) == 0 {
		return
	}
	atomic.StoreUint32(&s.incoming[si], 0)
	in := acc.scratch[:0]
	for _, p := range s.ids(seg.in) {
		if s.outN[p] == 0 {
			continue
		}
		for _, o := range s.segs[p].out {
			if o.target == si {
				in = append(in, o)
			}
		}
	}
	if len(in) == 0 {
		acc.scratch = in
		return
	}
	if len(in) > 1 {
		// Furthest first; ties by vehicle id (unique).
		slices.SortFunc(in, func(a, b outCar) int {
			if a.pos != b.pos {
				return cmp.Compare(b.pos, a.pos)
			}
			return cmp.Compare(a.c.id, b.c.id)
		})
	}
	for _, o := range in {
		c := o.c
		c.pos = o.pos
		if n := len(seg.cars); n > 0 {
			ahead := &seg.cars[n-1]
			if back := ahead.pos - float64(ahead.length) - tiny; c.pos > back {
				c.pos = back
				c.speed = min(c.speed, ahead.speed)
				acc.clamps++
			}
		}
		if !seg.isLink {
			// A new road of the route.
			v := &s.veh[c.id]
			if x := s.v2x; x != nil {
				// Travel time of the road just left, for the RSUs; and a
				// chance for an equipped vehicle to reroute.
				x.ttObs[chunk] = append(x.ttObs[chunk], ttObs{road: int32(s.routes[v.route][v.ri]), tt: s.now + s.dt - v.enterRoad})
				if x.cfg.Reroute && c.flags&fConnected != 0 {
					x.rerouteQ[chunk] = append(x.rerouteQ[chunk], c.id)
				}
			}
			v.enterRoad = s.now + s.dt
			v.ri++
			c.next, c.next2 = s.roadAfter(c.id, 1), s.roadAfter(c.id, 2)
			c.flags &^= fJunction
			seg.cars = append(roomForCar(seg.cars), c)
			last := &seg.cars[len(seg.cars)-1]
			last.link = s.chooseLink(seg, last)
		} else {
			seg.cars = append(roomForCar(seg.cars), c)
		}
		seg.acc.entered++
	}
	s.setLive(si, true)
	acc.scratch = in
}

var debugHook func(s *Sim, si int32, i int, v, vmax float64)
