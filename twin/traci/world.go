package traci

import (
	"slices"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// world is the simulation behind a TraCI session: the engine, the SUMO
// view of its network, the traffic lights run as SUMO runs them, and
// what each step leaves for the getters (SUMO's "last step" values).
//
// Time is kept in integer milliseconds: SUMO time = begin + steps × Δt.
// The engine's clock starts at 0 with the first step; a vehicle SUMO
// inserts in the step that starts at its depart time d enters the engine
// in the step that ends at d − begin + Δt (the engine inserts after the
// move, as SUMO does, but stamps the step's end).
type world struct {
	sim  *engine.Sim
	net  *maps.Network
	view *netView

	beginMs, dtMs int64
	nowMs         int64 // SUMO time of the state the getters report
	steps         int64
	memoryMs      int64 // --waiting-time-memory

	tls []*tlsState // by view.tls index

	// Mapping between the SUMO view and the engine (mapping.go).
	segLanes [][]laneRef   // per engine segment: the view lanes it covers, in order
	nodeRefs []nodeSignals // signalised nodes driven by the lights
	linkSig  [][]sigRef    // per engine link: the SUMO signals controlling it
	vnames   []string      // engine vehicle id -> SUMO id
	vbyName  map[string]int32
	vtypes   []string // engine vehicle type -> SUMO type id

	// Per-step observations.
	snap       engine.Snapshot
	veh        []vehState // by engine vehicle id
	running    []int32    // engine ids of running vehicles, sorted by SUMO id
	departed   []int32    // this step
	arrived    []int32    // this step
	teleStart  int64      // teleports started this step
	teleports  int64      // total so far
	nFinished  int        // len(sim.Finished()) already reported
	laneVeh    [][]int32  // per view lane: vehicles rear to front (lazy, laneStep)
	laneStep   int64      // step laneVeh was built for (−1: never)
	pendingBuf []int32

	// Loops of actuated lights (detect.go).
	dets     []detector
	laneDets [][]int32 // per view lane
}

// vehState is what the server tracks per vehicle between steps.
type vehState struct {
	running  bool
	seen     int64 // step of the last observation
	seg      int32
	pos      float64 // m along the segment
	speed    float64 // m/s
	accel    float64 // m/s², over the last step
	x, y     float64 // m
	heading  float64 // radians, counter-clockwise from east
	length   float64 // m
	vt       uint16
	waitMs   int64      // standing (< 0.1 m/s) since, without interruption
	waitIvls [][2]int64 // standing intervals [from, to) in ms within the memory
	departMs int64      // SUMO time the vehicle entered
	arriveMs int64      // SUMO time it left (−1: not yet)
	laneRef  laneRef    // its SUMO lane and lane position at the last observation
	// For the tripinfo output.
	departLane             string
	departPos, departSpeed float64
	waitTotalMs            int64   // time standing, in total
	stops                  int     // times it came to a halt
	timeLoss               float64 // s lost against its allowed speed
}

// newWorld joins a simulation to the SUMO view of its network and starts
// the traffic lights at begin.
func newWorld(sim *engine.Sim, view *netView, beginMs, dtMs, memoryMs int64) (*world, error) {
	w := &world{sim: sim, net: sim.Network(), view: view, beginMs: beginMs, dtMs: dtMs, nowMs: beginMs,
		memoryMs: memoryMs, laneStep: -1}
	for _, t := range view.tls {
		w.tls = append(w.tls, newTLSState(t, beginMs))
	}
	if err := w.mapNetwork(); err != nil {
		return nil, err
	}
	n := sim.NumTrips()
	w.vnames = make([]string, n)
	w.vbyName = make(map[string]int32, n)
	for i := 0; i < n; i++ {
		id := sim.Trip(i).ID
		w.vnames[i] = id
		w.vbyName[id] = int32(i)
	}
	for _, vt := range sim.VehicleTypes() {
		w.vtypes = append(w.vtypes, vt.ID)
	}
	w.laneDets = make([][]int32, len(view.lanes))
	w.veh = make([]vehState, n)
	for i := range w.veh {
		w.veh[i].arriveMs = -1
	}
	return w, nil
}

// step advances one step of Δt: the lights switch as due at its start,
// the engine moves, and the observations are refreshed.
func (w *world) step() {
	for _, t := range w.tls {
		var gap gapFunc
		for _, p := range t.programs {
			if p.actuated() {
				w.programDetectors(t, p) // loops count from the first step
				gap = w.gap(t)
			}
		}
		t.advance(w.nowMs, w.dtMs, gap)
	}
	w.applyLights()
	w.sim.Step()
	w.steps++
	w.nowMs += w.dtMs
	w.observe()
}

// applyLights holds every driven node's movement lights at what the
// active programs show.
func (w *world) applyLights() {
	for i := range w.nodeRefs {
		nr := &w.nodeRefs[i]
		for m, refs := range nr.movs {
			l := signal.GreenMinor
			for k, r := range refs {
				lr := lightOf(w.tls[r.tls].state()[r.index])
				if k == 0 || rank(lr) < rank(l) {
					l = lr
				}
			}
			nr.lights[m] = l
		}
		// The lights have the node's length and valid values: the error
		// cannot happen.
		_ = w.sim.HoldLights(nr.node, nr.lights)
	}
}

// lightOf maps a SUMO signal state to an engine light: G green with
// priority; g green yielding to the foes the network gives; y/Y yellow;
// r and u (red-yellow) red; s (stop, then go) and o/O (off, priority
// rules) as a yielding green.
func lightOf(c byte) signal.Light {
	switch c {
	case 'G':
		return signal.Green
	case 'g', 's', 'o', 'O':
		return signal.GreenMinor
	case 'y', 'Y':
		return signal.Yellow
	}
	return signal.Red
}

// rank orders lights from the most to the least restrictive; a movement
// that bundles several SUMO connections shows the most restrictive of
// their signals.
func rank(l signal.Light) int {
	switch l {
	case signal.Red:
		return 0
	case signal.Yellow:
		return 1
	case signal.GreenMinor:
		return 2
	}
	return 3
}

// observe refreshes the per-vehicle state after a step.
func (w *world) observe() {
	w.sim.Snapshot(&w.snap)
	dt := float64(w.dtMs) / 1000
	w.departed, w.arrived = w.departed[:0], w.arrived[:0]
	step := w.steps
	stepStart := w.nowMs - w.dtMs
	for i := range w.snap.Vehicles {
		vv := &w.snap.Vehicles[i]
		st := &w.veh[vv.ID]
		first := !st.running
		if first {
			st.running = true
			st.departMs = stepStart
			st.accel = 0
			w.departed = append(w.departed, vv.ID)
		} else {
			st.accel = (vv.Speed - st.speed) / dt
		}
		prev := st.laneRef
		if first || st.seen != step-1 {
			prev = laneRef{lane: -1}
		}
		st.seen = step
		st.seg, st.pos, st.speed = vv.Segment, vv.Pos, vv.Speed
		st.x, st.y, st.heading, st.length, st.vt = vv.X, vv.Y, vv.Heading, vv.Length, vv.VType
		st.laneRef = w.laneOf(vv.Segment, vv.Pos)
		if len(w.dets) > 0 {
			w.detect(st, prev)
		}
		if first {
			st.departLane, st.departPos, st.departSpeed = w.laneName(st.laneRef.lane), st.laneRef.pos, vv.Speed
		}
		if vmax := w.allowedSpeed(vv.ID); vmax > 0 {
			st.timeLoss += float64(dt*(vmax-vv.Speed)) / vmax
		}
		if vv.Speed < haltingSpeed {
			if st.waitMs == 0 {
				st.stops++
			}
			st.waitTotalMs += w.dtMs
			st.waitMs += w.dtMs
			if n := len(st.waitIvls); n > 0 && st.waitIvls[n-1][1] == stepStart {
				st.waitIvls[n-1][1] = w.nowMs
			} else {
				st.waitIvls = append(st.waitIvls, [2]int64{stepStart, w.nowMs})
			}
		} else {
			st.waitMs = 0
		}
		// Forget standing that left the memory window.
		k := 0
		for k < len(st.waitIvls) && st.waitIvls[k][1] <= w.nowMs-w.memoryMs {
			k++
		}
		if k > 0 {
			st.waitIvls = slices.Delete(st.waitIvls, 0, k)
		}
	}
	fin := w.sim.Finished()
	for _, id := range fin[w.nFinished:] {
		st := &w.veh[id]
		if !st.running && st.arriveMs < 0 {
			// Entered and left within this step.
			st.departMs = stepStart
			w.departed = append(w.departed, id)
		}
		st.running = false
		st.arriveMs = stepStart
		w.arrived = append(w.arrived, id)
	}
	w.nFinished = len(fin)
	slices.Sort(w.departed)
	c := w.sim.Counts()
	w.teleStart = c.Teleports - w.teleports
	w.teleports = c.Teleports
	// Running vehicles in SUMO's order (by id).
	w.running = w.running[:0]
	for i := range w.snap.Vehicles {
		w.running = append(w.running, w.snap.Vehicles[i].ID)
	}
	slices.SortFunc(w.running, func(a, b int32) int { return strings.Compare(w.vnames[a], w.vnames[b]) })
}

// haltingSpeed is SUMO's SUMO_const_haltingSpeed (m/s): below it a vehicle
// is halting, and its waiting time grows.
const haltingSpeed = 0.1

// accumulatedWaiting returns how long (ms) vehicle id stood within the
// last memory window (SUMO's getAccumulatedWaitingTime).
func (w *world) accumulatedWaiting(id int32) int64 {
	from := w.nowMs - w.memoryMs
	total := int64(0)
	for _, iv := range w.veh[id].waitIvls {
		total += iv[1] - max(iv[0], from)
	}
	return total
}

// lanes builds, once per step, the vehicles of every view lane from rear
// to front (SUMO's order).
func (w *world) lanes() [][]int32 {
	if w.laneStep == w.steps {
		return w.laneVeh
	}
	if w.laneVeh == nil {
		w.laneVeh = make([][]int32, len(w.view.lanes))
	}
	for i := range w.laneVeh {
		w.laneVeh[i] = w.laneVeh[i][:0]
	}
	// The snapshot lists each segment's vehicles front first.
	for i := len(w.snap.Vehicles) - 1; i >= 0; i-- {
		vv := &w.snap.Vehicles[i]
		if li := w.veh[vv.ID].laneRef.lane; li >= 0 {
			w.laneVeh[li] = append(w.laneVeh[li], vv.ID)
		}
	}
	w.laneStep = w.steps
	return w.laneVeh
}

// vehicle returns the engine id of running vehicle name.
func (w *world) vehicle(name string) (int32, error) {
	id, ok := w.vbyName[name]
	if !ok || !w.veh[id].running {
		return 0, errf("Vehicle '%s' is not known.", name)
	}
	return id, nil
}

// pending returns the vehicles whose departure has come but that have not
// entered yet.
func (w *world) pending() []string {
	w.pendingBuf = w.sim.WaitingToEnter(w.pendingBuf[:0])
	out := make([]string, len(w.pendingBuf))
	for i, id := range w.pendingBuf {
		out[i] = w.vnames[id]
	}
	return out
}

// names returns the SUMO ids of engine vehicles.
func (w *world) names(ids []int32) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = w.vnames[id]
	}
	return out
}

// expected is SUMO's getMinExpectedNumber: vehicles running, waiting to
// enter, or still to depart (the server takes no demand out).
func (w *world) expected() int {
	c := w.sim.Counts()
	return c.Trips - c.Unroutable - int(c.Arrived) - int(c.Removed)
}
