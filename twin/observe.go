package twin

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
	"golang.org/x/sync/singleflight"
)

// Status is the state of the twin (GET /v1/status).
type Status struct {
	Scenario   string  `json:"scenario"`
	Time       float64 `json:"time"` // s, the start of the next step
	Step       int64   `json:"step"` // steps taken
	StepLength float64 `json:"step_length"`
	// End is the time at which a paced twin pauses (s; 0: it never does).
	End float64 `json:"end"`
	// Mode is "paced" (the twin steps on its own at Pace) or "stepped"
	// (clients step it with POST /v1/step).
	Mode   string `json:"mode"`
	Paused bool   `json:"paused"`
	// Pace is simulated seconds per wall second in paced mode; 0 means
	// as fast as possible.
	Pace float64 `json:"pace"`
	// StepsPerSecond is the measured step rate over the last second.
	StepsPerSecond float64 `json:"steps_per_second"`
	// Lag is how far a paced twin is behind its pace (s of wall time).
	Lag       float64 `json:"lag"`
	Pending   int     `json:"pending"`   // commands waiting for the next step
	Scheduled int     `json:"scheduled"` // commands with a later time
	Logged    int64   `json:"logged"`    // commands applied so far
	// Failed counts commands that were accepted but failed when they
	// came to apply (the state had changed); GET /v1/log says why.
	Failed  int64  `json:"failed"`
	Shadows int    `json:"shadows_running"`
	Hash    string `json:"hash,omitempty"` // the engine state hash, on request
	Counts  Counts `json:"counts"`
	Note    string `json:"note,omitempty"`
}

// Counts are the vehicle counters of the run (engine.Counts).
type Counts struct {
	Trips       int     `json:"trips"`
	Unroutable  int     `json:"unroutable"`
	Inserted    int64   `json:"inserted"`
	Running     int64   `json:"running"`
	Arrived     int64   `json:"arrived"`
	Removed     int64   `json:"removed"`
	Waiting     int64   `json:"waiting"`
	Teleports   int64   `json:"teleports"`
	LaneChanges int64   `json:"lane_changes"`
	Reroutes    int64   `json:"reroutes"`
	MeanSpeed   float64 `json:"mean_speed"` // m/s of running vehicles
}

func countsOf(c engine.Counts, meanSpeed float64) Counts {
	return Counts{Trips: c.Trips, Unroutable: c.Unroutable, Inserted: c.Inserted, Running: c.Running, Arrived: c.Arrived,
		Removed: c.Removed, Waiting: c.Waiting, Teleports: c.Teleports, LaneChanges: c.LaneChanges, Reroutes: c.Reroutes,
		MeanSpeed: round(meanSpeed, 3)}
}

// LaneObs is the state of one lane.
type LaneObs struct {
	Lane     int    `json:"lane"`  // dense lane id
	Road     string `json:"road"`  // road id
	Index    int    `json:"index"` // on the road, 0 = next to the centre line
	Vehicles int    `json:"vehicles"`
	// Halting, Queue: the lane-area detector's halting vehicles and the
	// length of the standing queue from the stop line (m).
	Halting   int     `json:"halting"`
	Queue     float64 `json:"queue_m"`
	MeanSpeed float64 `json:"mean_speed"` // m/s over the lane's vehicles; 0 when empty
	// Count is the vehicles its induction loop has counted since the start.
	Count      int64   `json:"count"`
	Closed     bool    `json:"closed,omitempty"`
	SpeedLimit float64 `json:"speed_limit"` // m/s in force
}

// JunctionObs is the state of one signalised junction.
type JunctionObs struct {
	ID       string  `json:"id"`
	Node     int     `json:"node"`
	Phase    int     `json:"phase"`
	Stage    string  `json:"stage"` // green, yellow, all-red
	Next     int     `json:"next"`  // the phase a change leads to
	GreenFor float64 `json:"green_for"`
	Phases   int     `json:"phases"`
	// Lights holds the light of every movement in the junction's order:
	// G green, g green yielding, y yellow, r red.
	Lights string `json:"lights"`
	Policy string `json:"policy"`
	// Requested is the phase asked of an external controller (−1: none).
	Requested *int `json:"requested,omitempty"`
	// Held is a force_phase hold in force.
	Held *Hold `json:"held,omitempty"`
	// MirrorsField says the junction shows the street's signal
	// (field_signal).
	MirrorsField bool `json:"mirrors_field,omitempty"`
	// Refused and Forced are the guard's counts for this junction.
	Refused int64 `json:"guard_refused"`
	Forced  int64 `json:"guard_forced"`
	// Halting is the halting vehicles on its incoming lanes;
	// MovementHalting the halting vehicles on the incoming lanes of each
	// movement (in the junction's order).
	Halting         int   `json:"halting"`
	MovementHalting []int `json:"movement_halting"`
}

// Hold is a force_phase in force.
type Hold struct {
	Phase int     `json:"phase"`
	Until float64 `json:"until"` // s
}

// DetectorObs are the detector readings of one lane (see
// signal.LaneSensors).
type DetectorObs struct {
	Lane      int     `json:"lane"`
	Road      string  `json:"road"`
	Index     int     `json:"index"`
	Count     int64   `json:"count"`     // loop count since the start
	Occupied  bool    `json:"occupied"`  // a vehicle is over the loop
	Occupancy float64 `json:"occupancy"` // share of recent time occupied, 0..1
	Gap       float64 `json:"gap"`       // s since the last vehicle passed the loop
	Vehicles  int     `json:"vehicles"`  // in the area detector
	Halting   int     `json:"halting"`
	Queue     float64 `json:"queue_m"`
}

// VehicleObs is one vehicle.
type VehicleObs struct {
	// ID is the vehicle's trip id, as in trips.csv and the FCD output
	// (SUMO's vehicle id for SUMO demand); Index is the engine's number
	// for it, fixed for the run.
	ID      string  `json:"id"`
	Index   int32   `json:"index"`
	X       float64 `json:"x"` // m, front centre
	Y       float64 `json:"y"`
	Heading float64 `json:"heading"` // rad, counter-clockwise from east
	Speed   float64 `json:"speed"`   // m/s
	// Road and Lane are where it drives; inside a junction Road is the
	// road it left, Lane −1 and Junction the junction.
	Road     string  `json:"road"`
	Lane     int     `json:"lane"`
	Junction string  `json:"junction,omitempty"`
	Pos      float64 `json:"pos"`     // m along the lane or link
	Waiting  float64 `json:"waiting"` // s standing
}

// Observation is everything a client may ask for at one step, in one
// response (GET /v1/observe, POST /v1/step). Parts not asked for are left
// out.
type Observation struct {
	Time      float64       `json:"time"`
	Step      int64         `json:"step"`
	Counts    Counts        `json:"counts"`
	Lanes     []LaneObs     `json:"lanes,omitempty"`
	Junctions []JunctionObs `json:"junctions,omitempty"`
	Detectors []DetectorObs `json:"detectors,omitempty"`
	Vehicles  []VehicleObs  `json:"vehicles,omitempty"`
}

// Parts of an observation.
const (
	PartLanes     = "lanes"
	PartJunctions = "junctions"
	PartDetectors = "detectors"
	PartVehicles  = "vehicles"
)

// Parts lists the observation parts.
var Parts = []string{PartLanes, PartJunctions, PartDetectors, PartVehicles}

// A frame caches what has been built of the observation of one step. Its
// parts are built on the twin's goroutine and never change after; the
// stream encoding is built once by whichever stream needs it first.
type frame struct {
	step      int64
	time      float64
	counts    Counts
	snap      *engine.Snapshot
	names     []string // the trip id of each vehicle of snap
	lanes     []LaneObs
	junctions []JunctionObs
	detectors []DetectorObs
	vehicles  []VehicleObs

	streamOnce [2]sync.Once
	stream     [2][]byte

	mu       sync.Mutex
	enc      map[string][]byte // encoded observations by parts
	encoding singleflight.Group
}

// json returns the encoded observation of parts, encoding it once per
// frame however many clients ask at once or later (off the twin's
// goroutine: the parts are built and never change).
func (f *frame) json(parts []string) ([]byte, error) {
	key := strings.Join(parts, ",")
	if b, ok := f.encoded(key); ok {
		return b, nil
	}
	v, err, _ := f.encoding.Do(key, func() (any, error) {
		if b, ok := f.encoded(key); ok { // encoded since the check above
			return b, nil
		}
		b, err := json.Marshal(f.observation(parts))
		if err == nil {
			f.mu.Lock()
			if f.enc == nil {
				f.enc = map[string][]byte{}
			}
			f.enc[key] = b
			f.mu.Unlock()
		}
		return b, err
	})
	return v.([]byte), err
}

// encoded returns the observation of parts key if it has been encoded.
func (f *frame) encoded(key string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.enc[key]
	return b, ok
}

// frame returns the frame of the current step with the given parts built
// (on the twin's goroutine).
func (t *Twin) currentFrame(parts ...string) *frame {
	s := t.w.sim
	f := t.frame
	if f == nil || f.step != s.Steps() {
		c := s.Counts()
		f = &frame{step: s.Steps(), time: s.Time()}
		f.snap = &engine.Snapshot{}
		s.Snapshot(f.snap)
		f.names = make([]string, len(f.snap.Vehicles))
		for i, v := range f.snap.Vehicles {
			f.names[i] = s.TripID(v.ID)
		}
		f.counts = countsOf(c, f.snap.MeanSpeed)
		t.frame = f
	}
	for _, p := range parts {
		switch p {
		case PartLanes:
			if f.lanes == nil {
				f.lanes = t.buildLanes(f.snap)
			}
		case PartJunctions:
			if f.junctions == nil {
				f.junctions = t.buildJunctions()
			}
		case PartDetectors:
			if f.detectors == nil {
				f.detectors = t.buildDetectors()
			}
		case PartVehicles:
			if f.vehicles == nil {
				f.vehicles = t.buildVehicles(f.snap, f.names)
			}
		}
	}
	return f
}

func (f *frame) observation(parts []string) *Observation {
	o := &Observation{Time: f.time, Step: f.step, Counts: f.counts}
	for _, p := range parts {
		switch p {
		case PartLanes:
			o.Lanes = f.lanes
		case PartJunctions:
			o.Junctions = f.junctions
		case PartDetectors:
			o.Detectors = f.detectors
		case PartVehicles:
			o.Vehicles = f.vehicles
		}
	}
	return o
}

func (t *Twin) buildLanes(snap *engine.Snapshot) []LaneObs {
	net := t.run.Network
	s := t.w.sim
	sens := s.LaneSensors()
	n := make([]int, len(net.Lanes))
	speed := make([]float64, len(net.Lanes))
	for _, v := range snap.Vehicles {
		if int(v.Segment) < len(net.Lanes) {
			n[v.Segment]++
			speed[v.Segment] += v.Speed
		}
	}
	out := make([]LaneObs, len(net.Lanes))
	for l := range net.Lanes {
		ln := &net.Lanes[l]
		o := LaneObs{Lane: l, Road: net.Roads[ln.Road].ID, Index: ln.Index, Vehicles: n[l], Halting: sens[l].Halting,
			Queue: round(sens[l].Queue, 2), Count: sens[l].Count, Closed: s.LaneClosed(maps.LaneID(l)),
			SpeedLimit: round(s.LaneSpeedLimit(maps.LaneID(l)), 3)}
		if n[l] > 0 {
			o.MeanSpeed = round(speed[l]/float64(n[l]), 3)
		}
		out[l] = o
	}
	return out
}

func (t *Twin) buildJunctions() []JunctionObs {
	net := t.run.Network
	s := t.w.sim
	sens := s.LaneSensors()
	var lights []signal.Light
	if t.frame != nil && t.frame.snap != nil {
		lights = t.frame.snap.Lights
	}
	out := []JunctionObs{}
	for v := range net.Nodes {
		p := s.Plant(maps.NodeID(v))
		if p == nil {
			continue
		}
		nd := &net.Nodes[v]
		st := p.State()
		ph, next, stage := st.Phase, st.Next, st.Stage
		nc, _ := s.NodeControl(maps.NodeID(v))
		o := JunctionObs{ID: nd.ID, Node: v, Phase: ph, Stage: stage.String(), Next: next, Phases: len(p.Program.Phases),
			Policy: policyName(nc.Controller), MirrorsField: t.w.saved[v] != nil, Refused: p.Refused, Forced: p.Forced}
		if stage == signal.StageGreen {
			o.GreenFor = round(s.Time()-p.GreenStart(), 3)
		}
		if e, ok := nc.Controller.(*signal.External); ok {
			r := e.Requested()
			o.Requested = &r
		}
		if nc.Held {
			o.Held = &Hold{Phase: nc.Phase, Until: nc.Until}
		}
		var b strings.Builder
		for _, m := range nd.Movements {
			if int(m) < len(lights) {
				b.WriteString(lightLetter(lights[m]))
			}
		}
		o.Lights = b.String()
		lay := t.layout(maps.NodeID(v))
		o.MovementHalting = make([]int, len(lay.movIn))
		for k, lanes := range lay.movIn {
			for _, l := range lanes {
				o.MovementHalting[k] += sens[l].Halting
			}
		}
		for _, l := range lay.in {
			o.Halting += sens[l].Halting
		}
		out = append(out, o)
	}
	return out
}

func lightLetter(l signal.Light) string {
	if l == signal.Yellow {
		return "y"
	}
	return l.String()
}

func (t *Twin) buildDetectors() []DetectorObs {
	net := t.run.Network
	sens := t.w.sim.LaneSensors()
	out := make([]DetectorObs, len(net.Lanes))
	for l := range net.Lanes {
		ls := &sens[l]
		out[l] = DetectorObs{Lane: l, Road: net.Roads[net.Lanes[l].Road].ID, Index: net.Lanes[l].Index, Count: ls.Count,
			Occupied: ls.Occupied, Occupancy: round(ls.Occupancy, 4), Gap: round(ls.Gap, 3), Vehicles: ls.Vehicles,
			Halting: ls.Halting, Queue: round(ls.Queue, 2)}
	}
	return out
}

func (t *Twin) buildVehicles(snap *engine.Snapshot, names []string) []VehicleObs {
	net := t.run.Network
	out := make([]VehicleObs, len(snap.Vehicles))
	for i, v := range snap.Vehicles {
		o := VehicleObs{ID: names[i], Index: v.ID, X: round(v.X, 2), Y: round(v.Y, 2), Heading: round(v.Heading, 4), Speed: round(v.Speed, 3),
			Pos: round(v.Pos, 2), Waiting: v.Waiting, Lane: -1}
		if seg := int(v.Segment); seg < len(net.Lanes) {
			o.Road, o.Lane = net.Roads[net.Lanes[seg].Road].ID, net.Lanes[seg].Index
		} else if k := seg - len(net.Lanes); k < len(net.Links) {
			lk := &net.Links[k]
			o.Road = net.Roads[net.Lanes[lk.From].Road].ID
			o.Junction = net.Nodes[net.Movements[lk.Movement].Node].ID
		}
		out[i] = o
	}
	return out
}

// round rounds x to d decimals (the API does not need more precision
// than that, and shorter numbers make smaller responses).
func round(x float64, d int) float64 {
	p := math.Pow10(d) // exact: a table of powers of ten
	return math.Round(x*p) / p
}

// nodeLayout lists a junction's incoming lanes, and those of each of its
// movements, each once.
type nodeLayout struct {
	in    []maps.LaneID
	movIn [][]maps.LaneID
}

// layout returns the layout of node v, computing it the first time (on
// the twin's goroutine).
func (t *Twin) layout(v maps.NodeID) *nodeLayout {
	if t.layouts == nil {
		t.layouts = make([]*nodeLayout, len(t.run.Network.Nodes))
	}
	if l := t.layouts[v]; l != nil {
		return l
	}
	net := t.run.Network
	nd := &net.Nodes[v]
	l := &nodeLayout{movIn: make([][]maps.LaneID, len(nd.Movements))}
	for k, m := range nd.Movements {
		for _, lk := range net.Movements[m].Links {
			from := net.Links[lk].From
			if !slices.Contains(l.movIn[k], from) {
				l.movIn[k] = append(l.movIn[k], from)
			}
			if !slices.Contains(l.in, from) {
				l.in = append(l.in, from)
			}
		}
	}
	t.layouts[v] = l
	return l
}
