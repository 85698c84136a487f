package engine

import (
	"github.com/citytwin/citytwin/engine/signal"
	"slices"
)

// Detectors. Every road lane has an induction loop LoopOffset metres before
// its stop line (at its start if shorter) and a lane-area detector over its
// last AreaLength metres (the whole lane when AreaLength is 0), like SUMO's
// E1 and E2 detectors placed on every approach. The loop counts vehicles in
// the move phase; the area detector is read in the refresh phase, so
// controllers see the state at the start of the step.

// Detector defaults.
const (
	DefaultLoopOffset = 25.0 // m before the stop line
	occupancyWindow   = 30.0 // s, time constant of the loop occupancy average
	haltingSpeed      = 0.1  // m/s
	queueJoinGap      = 10.0 // m, largest gap within one standing queue
)

// loop is the per-lane induction loop state, owned by the lane's worker.
type loop struct {
	pos      float64 // m from the lane start
	count    int64
	lastPass float64 // s, -1 before the first vehicle
	occ      float64 // occupancy average
}

func (s *Sim) initDetectors() {
	off := s.cfg.LoopOffset
	if off <= 0 {
		off = DefaultLoopOffset
	}
	s.loops = make([]loop, s.nLanes)
	s.lsens = make([]signal.LaneSensors, s.nLanes)
	for i := range s.loops {
		s.loops[i] = loop{pos: max(0, s.segs[i].length-off), lastPass: -1}
		s.lsens[i].Lane = int32(i)
	}
	// Node sensor layouts are built when first asked for (nodeSensors):
	// a fixed-time junction never reads them, and a city of them would
	// hold tens of megabytes of layouts for nothing.
	s.nsens = make([]*signal.NodeSensors, len(s.nodes))
}

// nodeSensors returns the sensor layout of node v (nil for an
// unsignalised node), building it the first time: incoming and outgoing
// lanes in road order, and per movement the lanes it uses. Only node v's
// work item calls it during a step.
func (s *Sim) nodeSensors(v int) *signal.NodeSensors {
	if ns := s.nsens[v]; ns != nil {
		return ns
	}
	nd := &s.net.Nodes[v]
	if nd.Program == nil {
		return nil
	}
	ns := &signal.NodeSensors{MovIn: make([][]int, len(nd.Movements)), MovOut: make([][]int, len(nd.Movements)),
		MovLinks: make([][]signal.LanePair, len(nd.Movements))}
	inIdx, outIdx := map[int32]int{}, map[int32]int{}
	for _, r := range nd.In {
		for _, l := range s.net.Roads[r].Lanes {
			inIdx[int32(l)] = len(ns.In)
			ns.In = append(ns.In, signal.LaneSensors{Lane: int32(l)})
		}
	}
	for _, r := range nd.Out {
		for _, l := range s.net.Roads[r].Lanes {
			outIdx[int32(l)] = len(ns.Out)
			ns.Out = append(ns.Out, signal.LaneSensors{Lane: int32(l)})
		}
	}
	for k, m := range nd.Movements {
		for _, lk := range s.net.Movements[m].Links {
			l := &s.net.Links[lk]
			in, out := inIdx[int32(l.From)], outIdx[int32(l.To)]
			ns.MovIn[k] = appendUnique(ns.MovIn[k], in)
			ns.MovOut[k] = appendUnique(ns.MovOut[k], out)
			if lp := (signal.LanePair{In: in, Out: out}); !slices.Contains(ns.MovLinks[k], lp) {
				ns.MovLinks[k] = append(ns.MovLinks[k], lp)
			}
		}
	}
	s.nsens[v] = ns
	return ns
}

func appendUnique(xs []int, x int) []int {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// passLoop records car c moving from old to c.pos on lane l. (Whether it
// is past the loop is asked first: most vehicles are not, and one
// comparison answers for them; the two comparisons read nothing else and
// change nothing, so their order does not matter, NaN included.)
func (s *Sim) passLoop(l int32, old float64, c *car) {
	lp := &s.loops[l]
	if c.pos >= lp.pos && old < lp.pos {
		lp.count++
		// Time the front crossed the loop, interpolated within the step.
		frac := 1.0
		if d := c.pos - old; d > 0 {
			frac = (lp.pos - old) / d
		}
		lp.lastPass = s.now + float64(frac*s.dt)
	}
}

// readLane fills the sensor readings of road lane l (refresh phase).
// With advance set (once per step, in the refresh phase) it also advances
// the loop's occupancy average; reads on demand leave the state alone, so
// that observing a run never changes it.
func (s *Sim) readLane(l int, advance bool) {
	seg := &s.segs[l]
	lp := &s.loops[l]
	ls := &s.lsens[l]
	now := s.now
	occupied := false
	near := 0
	areaStart := 0.0
	if a := s.cfg.AreaLength; a > 0 {
		areaStart = seg.length - a
	}
	ls.Vehicles, ls.Halting, ls.Queue = 0, 0, 0
	queueing := true
	for j := range seg.cars {
		c := &seg.cars[j]
		back := c.pos - float64(c.length)
		if back < lp.pos && c.pos >= lp.pos {
			occupied = true
		}
		if c.pos >= lp.pos {
			near++
		}
		if c.pos < areaStart {
			continue
		}
		ls.Vehicles++
		if c.speed < haltingSpeed {
			ls.Halting++
			if queueing {
				front := seg.length
				if j > 0 {
					front = seg.cars[j-1].pos - float64(seg.cars[j-1].length)
				}
				if j == 0 && seg.length-c.pos > queueJoinGap || j > 0 && front-c.pos > queueJoinGap {
					queueing = false
				} else {
					ls.Queue = seg.length - max(back, 0)
				}
			}
		} else {
			queueing = false
		}
	}
	x := 0.0
	if occupied {
		x = 1
	}
	if advance {
		lp.occ += float64((x - lp.occ) * min(1, s.dt/occupancyWindow))
	}
	ls.Count, ls.Occupied, ls.Occupancy, ls.Near = lp.count, occupied, lp.occ, near
	if lp.lastPass < 0 {
		ls.Gap = now
	} else {
		ls.Gap = now - lp.lastPass
	}
}

// fillNodeSensors copies the lane readings of node v's lanes.
func (s *Sim) fillNodeSensors(v int) *signal.NodeSensors {
	ns := s.nodeSensors(v)
	if ns == nil {
		return nil
	}
	for i := range ns.In {
		ns.In[i] = s.lsens[ns.In[i].Lane]
	}
	for i := range ns.Out {
		ns.Out[i] = s.lsens[ns.Out[i].Lane]
	}
	if s.v2x != nil && s.v2x.cfg.Sensors {
		s.cvSensors(ns)
	}
	return ns
}

// LaneSensors returns the detector readings of every road lane (indexed by
// maps.LaneID) at the start of the next step. The slice is the engine's:
// read it between steps only.
func (s *Sim) LaneSensors() []signal.LaneSensors {
	s.readAll()
	return s.lsens
}

// readAll brings every lane's readings up to date when the refresh phase
// does not (no controller reads sensors).
func (s *Sim) readAll() {
	if s.sensorsOn || s.readAt == s.step {
		return
	}
	for l := 0; l < s.nLanes; l++ {
		s.readLane(l, false)
	}
	s.readAt = s.step
}

// updateSensorsOn records whether some controller or the guard reads
// sensors, so that the refresh phase keeps the readings (and the occupancy
// averages) up to date every step. It depends only on the controllers, never
// on who observes the run.
func (s *Sim) updateSensorsOn() {
	s.sensorsOn = s.v2x != nil && s.v2x.cfg.Sensors
	for i := range s.nodes {
		if p := s.nodes[i].plant; p != nil && needsSensors(p) {
			s.sensorsOn = true
		}
	}
}

// NodeSensors returns the readings node v's controller sees, or nil for an
// unsignalised node. Read it between steps only.
func (s *Sim) NodeSensors(v int) *signal.NodeSensors {
	s.readAll()
	return s.fillNodeSensors(v)
}
