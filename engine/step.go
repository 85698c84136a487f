package engine

import (
	"math"

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
//     end go to their chunk's outbox with the segment they end on, and
//     those reaching a new road move on along their route (nextRoads).
//  4. Transfer (parallel by segment, transfer.go): the vehicles in the
//     outboxes are handed to the chunks of the segments they end on
//     (serial), and each segment takes in those ending on it, furthest
//     first (ties by vehicle id), behind the vehicles already there. With V2X, the
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
//  11. Packing (parallel by chunk of lanes, every packEvery steps from
//     packMin running vehicles): the lanes' vehicle lists are copied into
//     one array in lane order, so that the phases' walks read them as a
//     stream (pack.go). It moves vehicles in memory and changes nothing
//     else.
//
// The parallel phases give the same results whatever order they take
// their chunks in. The move phase and refresh go down through them, the
// others up, so that each phase starts on what the one before touched
// last, which may still be in the core's cache (pool.runDown;
// TestWalkOrder).
func (s *Sim) Step() {
	// Few vehicles: handing phases to other workers costs more than it
	// saves. The choice changes only who runs the chunks, never results.
	s.par.inline = s.cfg.MinParallel >= 0 && s.running() < int64(s.minParallel())
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
	if s.packEvery > 0 && s.step%s.packEvery == 0 && s.running() >= s.packMin {
		s.pack()
	}
}

// RunUntil steps until the simulation time reaches t (s).
func (s *Sim) RunUntil(t float64) {
	for s.now < t-1e-9 {
		s.Step()
	}
}

// 1. Signals.
func (s *Sim) phaseSignals() {
	if s.now < s.sleep.until && s.v2x == nil {
		s.sleep.end, s.sleep.slept = s.now+s.dt, true // as UpdateQuiet's now + step
		return
	}
	s.wakeSignals()
	s.par.run(chunks(len(s.nodes)), func(c int) {
		lo, hi := span(c, len(s.nodes))
		now, dt, spat := s.now, s.dt, s.v2x != nil // (read once: the loop calls out)
		for v := lo; v < hi; v++ {
			ns := &s.nodes[v]
			p := ns.plant
			if ns.held != nil {
				copy(s.lights[ns.movLo:ns.movLo+ns.movN], ns.held)
				if p != nil {
					p.LightsChanged()
				}
				continue
			}
			if p == nil {
				continue
			}
			// A quiet update is the one UpdateSensed makes (for speed:
			// most steps of a fixed-time junction): it happens only
			// under a plain FixedTime with no maximum red, which needs
			// no sensors (needsSensors), and it shows the lights the
			// plant's last update wrote into s.lights, which only a
			// hold (above, telling the plant) writes over in between.
			// Asked first, it spares the type switch of needsSensors
			// and the copy of the lights.
			if !p.UpdateQuiet(now, dt, int(ns.movN)) {
				var sens *signal.NodeSensors
				if needsSensors(p) {
					sens = s.fillNodeSensors(v)
				}
				p.UpdateSensed(now, dt, s.lights[ns.movLo:ns.movLo+ns.movN], sens, int32(v))
			}
			if spat {
				s.broadcastSPaT(v)
			}
		}
	})
	s.sleep.until = s.signalsQuietUntil()
}

// signalSleep is what lets the signal phase skip whole steps. At a step
// when every plant's update would be quiet (signal.Plant.UpdateQuiet:
// most steps of fixed-time junctions) the phase does nothing at all, not
// even visit the nodes: a quiet update only records the end of its step
// (signal.Plant.Slept), and the lights stay as the last full update wrote
// them. Exact: a plant's quiet updates change nothing else, and every
// plant's update stays quiet before until (signal.Plant.QuietUntil,
// worked out after each step the phase does not skip), which no step
// changes but an update that is not quiet; what could change it between
// steps wakes the signals (wakeSignals: HoldLights, SetController,
// SetProgram, the commands, Clone), and a plant handed out (Sim.Plant)
// stops the skipping for good. TestSignalSleep compares with a run that
// never skips.
type signalSleep struct {
	until float64 // s: the phase skips a step that starts before it (0: none does)
	end   float64 // s: the end of the last step skipped (its now + dt)
	slept bool    // steps were skipped since the plants last heard (Slept)
	never bool    // a plant was handed out (Sim.Plant): skip no step
}

// signalsQuietUntil returns the time before which every plant's update
// would be quiet, or −Inf when none may be skipped: a node's lights are
// held, a plant was handed out or V2X broadcasts the signals' state.
func (s *Sim) signalsQuietUntil() float64 {
	until := math.Inf(1)
	if s.sleep.never || s.v2x != nil {
		return math.Inf(-1)
	}
	for v := range s.nodes {
		ns := &s.nodes[v]
		if ns.held != nil {
			return math.Inf(-1)
		}
		if ns.plant != nil {
			until = min(until, ns.plant.QuietUntil(int(ns.movN)))
		}
	}
	return until
}

// wakeSignals makes the next signal phase update every plant: it tells
// the plants about the steps skipped (signal.Plant.Slept) and skips no
// step until that phase has worked out when it may again.
func (s *Sim) wakeSignals() {
	if s.sleep.slept {
		for v := range s.nodes {
			if p := s.nodes[v].plant; p != nil {
				p.Slept(s.sleep.end)
			}
		}
		s.sleep.slept = false
	}
	s.sleep.until = math.Inf(-1)
}

// 2. Junctions: junction.go.

// 3. Move: move.go. 4. Transfer: transfer.go.

// stepAcc is a per-chunk accumulator, merged in chunk order.
type stepAcc struct {
	running     int
	speedSum    float64
	lost        float64
	arrivals    []arrival
	hard        int // speed clamps beyond the emergency deceleration
	clamps      int // transfers placed behind the vehicle ahead
	laneChanges int
	// out is the chunk's outbox: the vehicles that left its segments
	// during the move phase, segment by segment (leave); in its
	// inbox: those of the outboxes that end the step on its segments, for
	// the transfer phase (deliver).
	out []outCar
	in  []*outCar
	// pad keeps neighbouring chunks' accumulators, written by different
	// workers, off one cache line.
	_ [64]byte
}

type arrival struct {
	id   int32
	wait float32
	fuel float32
}

var debugHook func(s *Sim, si int32, i int, v, vmax float64)

// Test hooks of the move phase's short ways (moveChunk): with
// exactOnly set every vehicle's next speed comes from constraints, and
// heldHook, when set, is called for each vehicle left standing by
// heldStill. TestShortcutsExact runs scenarios both ways.
var (
	exactOnly bool
	heldHook  func()
)
