package twin

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// A world is one simulated timeline: a simulation, the scenario events
// still to come, and the twin state that commands change besides the
// simulation (demand following, mirrored signals). The live twin has one;
// shadow runs fork their own. A world is used by one goroutine at a time.
type world struct {
	run *scenarios.Run
	// s is the simulation with its place in the scenario's schedule; sim
	// is its engine simulation (s.Sim).
	s     *scenarios.Simulation
	sim   *engine.Sim
	field fieldState
	// saved holds, per node, the controller a field_signal replaced
	// (nil: the node does not mirror the street).
	saved []engine.Controller
	exits *exitCache
	meter *meter // nil unless measured (shadow runs)
	// maxTrips bounds the trips still to depart (0: no bound); added
	// counts the trips this step's commands may add (budget.go).
	maxTrips int
	added    float64
}

func newWorld(run *scenarios.Run, exits *exitCache) (*world, error) {
	s, err := run.NewSimulation()
	if err != nil {
		return nil, err
	}
	w := &world{run: run, s: s, sim: s.Sim, saved: make([]engine.Controller, len(run.Network.Nodes)), exits: exits}
	w.field.init(run.Network)
	return w, nil
}

// close releases the simulation's workers.
func (w *world) close() { w.sim.Close() }

// fork returns an independent copy of w at the same point (see
// engine.Sim.Fork for what a copy of a controller is).
func (w *world) fork() *world {
	s := w.s.Fork(freshController)
	c := &world{run: w.run, s: s, sim: s.Sim, field: w.field.clone(), exits: w.exits, maxTrips: w.maxTrips}
	c.saved = make([]engine.Controller, len(w.saved))
	for i, s := range w.saved {
		c.saved[i] = copyController(s)
	}
	return c
}

// copyController returns a controller that shares no state with c: its
// Clone when it has one, otherwise freshController(c).
func copyController(c engine.Controller) engine.Controller {
	if c == nil {
		return nil
	}
	if cl, ok := c.(engine.Cloner); ok {
		return cl.Clone()
	}
	return freshController(c)
}

// freshController returns a controller like c that shares no state with
// it, for controllers that cannot clone themselves (engine.Cloner): an
// External with the same request; for any other pointer to a struct, a
// new struct with the same exported fields (its parameters) and its
// unexported state reset; any other value (FixedTime, functions) itself.
func freshController(c engine.Controller) engine.Controller {
	if e, ok := c.(*signal.External); ok {
		n := &signal.External{}
		n.Request(e.Requested())
		return n
	}
	rv := reflect.ValueOf(c)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return c
	}
	src := rv.Elem()
	dst := reflect.New(src.Type())
	for i := 0; i < src.NumField(); i++ {
		if src.Type().Field(i).IsExported() {
			dst.Elem().Field(i).Set(src.Field(i))
		}
	}
	if n, ok := dst.Interface().(engine.Controller); ok {
		return n
	}
	return c
}

// apply carries out command c now, between steps: it enqueues its engine
// commands (applied at the start of the next step) or, for set_phase,
// sets the request of the junction's External controller. c has been
// checked against the twin, but the state may have changed since (a
// scheduled command, a switch of policy); apply then fails and changes
// nothing. The note says what a field_counts did.
func (w *world) apply(c *Command) (note string, err error) {
	if e := w.overBudget(c); e != nil {
		return "", e
	}
	if !live(c.Kind) {
		cmds, err := w.run.EventCommands(&c.Event, w.sim)
		if err != nil {
			return "", err
		}
		for _, ec := range cmds {
			if err := ec.Validate(w.sim); err != nil {
				return "", err
			}
		}
		for _, ec := range cmds {
			w.sim.Enqueue(ec) // validated just above
			if sc, ok := ec.(engine.SetNodeController); ok {
				w.saved[sc.Node] = nil // a new policy ends mirroring the street
			}
		}
		return "", nil
	}
	if err := w.check(c); err != nil {
		return "", err
	}
	net := w.run.Network
	switch c.Kind {
	case KindSetPhase:
		v, _ := net.NodeByID(c.Junction)
		nc, _ := w.sim.NodeControl(v)
		nc.Controller.(*signal.External).Request(*c.Phase)
	case KindFieldSignal:
		v, _ := net.NodeByID(c.Junction)
		phase := w.fieldPhase(v, c)
		nc, _ := w.sim.NodeControl(v)
		if e, ok := nc.Controller.(*signal.External); ok && w.saved[v] != nil {
			e.Request(phase)
			return "", nil
		}
		w.saved[v] = nc.Controller
		e := &signal.External{}
		e.Request(phase)
		w.sim.Enqueue(engine.SetNodeController{Node: v, Controller: e})
	case KindReleaseSignal:
		v, _ := net.NodeByID(c.Junction)
		w.sim.Enqueue(engine.SetNodeController{Node: v, Controller: w.saved[v]})
		w.saved[v] = nil
	case KindFieldCounts:
		return w.followCounts(c), nil
	}
	return "", nil
}

// check reports whether c can apply to the world now. Errors are *Error.
func (w *world) check(c *Command) error {
	if err := c.checkForm(); err != nil {
		return err
	}
	net := w.run.Network
	if !live(c.Kind) {
		if err := w.run.CheckEvent(&c.Event); err != nil {
			return errorf(statusUnprocess, "invalid_command", "%s: %s", c.Kind, eventProblems(err))
		}
		if c.Kind == scenarios.EventScaleDemand && c.Factor > MaxLiveFactor {
			return errorf(statusUnprocess, "invalid_command", "scale_demand: factor %g: the live twin takes at most %g", c.Factor, MaxLiveFactor)
		}
		return nil
	}
	var v maps.NodeID
	if c.Kind != KindFieldCounts {
		var ok bool
		if v, ok = net.NodeByID(c.Junction); !ok {
			return errorf(statusUnprocess, "invalid_command", "%s: junction %q does not exist", c.Kind, clip(c.Junction, 60))
		}
		if w.sim.Plant(v) == nil {
			return errorf(statusUnprocess, "invalid_command", "%s: junction %q is not signalised", c.Kind, c.Junction)
		}
	}
	switch c.Kind {
	case KindSetPhase:
		nc, _ := w.sim.NodeControl(v)
		if _, ok := nc.Controller.(*signal.External); !ok || w.saved[v] != nil {
			why := "its policy is " + policyName(nc.Controller)
			if w.saved[v] != nil {
				why = "it mirrors the street's signal (release_signal first)"
			}
			return errorf(statusConflict, "wrong_mode", "set_phase: junction %s is not under external control: %s; "+
				"switch it with {\"kind\": \"switch_policy\", \"policy\": \"external\", \"junctions\": [%q]}", c.Junction, why, c.Junction)
		}
		if n := len(w.sim.Plant(v).Program.Phases); *c.Phase >= n {
			return errorf(statusUnprocess, "invalid_command", "set_phase: junction %s has phases 0 to %d, not %d", c.Junction, n-1, *c.Phase)
		}
	case KindFieldSignal:
		if w.fieldPhase(v, c) < 0 {
			p := w.sim.Plant(v).Program
			if c.Phase != nil {
				return errorf(statusUnprocess, "invalid_command", "field_signal: junction %s has phases 0 to %d, not %d", c.Junction, len(p.Phases)-1, *c.Phase)
			}
			return errorf(statusUnprocess, "invalid_command", "field_signal: state %q is no phase of junction %s (%d movements; phases %s)",
				clip(c.State, 60), c.Junction, len(p.Phases[0].State), phaseStates(p))
		}
	case KindReleaseSignal:
		if w.saved[v] == nil {
			return errorf(statusConflict, "wrong_mode", "release_signal: junction %s does not mirror the street", c.Junction)
		}
	case KindFieldCounts:
		seen := map[[2]int]bool{}
		for i, fc := range c.Counts {
			r, ok := net.RoadByID(fc.Road)
			if !ok {
				return errorf(statusUnprocess, "invalid_command", "field_counts: counts[%d]: road %q does not exist", i, clip(fc.Road, 60))
			}
			lane := -1
			if fc.Lane != nil {
				lane = *fc.Lane
				if lane >= len(net.Roads[r].Lanes) {
					return errorf(statusUnprocess, "invalid_command", "field_counts: counts[%d]: road %s has lanes 0 to %d, not %d",
						i, fc.Road, len(net.Roads[r].Lanes)-1, lane)
				}
			}
			if seen[[2]int{int(r), lane}] || lane >= 0 && seen[[2]int{int(r), -1}] || lane < 0 && w.anyLaneSeen(seen, r) {
				return errorf(statusUnprocess, "invalid_command", "field_counts: counts[%d]: road %s is counted twice", i, fc.Road)
			}
			seen[[2]int{int(r), lane}] = true
		}
	}
	return nil
}

func (w *world) anyLaneSeen(seen map[[2]int]bool, r maps.RoadID) bool {
	for i := range w.run.Network.Roads[r].Lanes {
		if seen[[2]int{int(r), i}] {
			return true
		}
	}
	return false
}

// fieldPhase returns the phase a field_signal names, or −1.
func (w *world) fieldPhase(v maps.NodeID, c *Command) int {
	p := w.sim.Plant(v).Program
	if c.Phase != nil {
		if *c.Phase < len(p.Phases) {
			return *c.Phase
		}
		return -1
	}
	for i, ph := range p.Phases {
		if ph.State == c.State {
			return i
		}
	}
	return -1
}

func phaseStates(p *maps.Program) string {
	var s []string
	for i, ph := range p.Phases {
		s = append(s, fmt.Sprintf("%d=%s", i, ph.State))
	}
	return fmt.Sprint(s)
}

// eventProblems formats the problems CheckEvent returned.
func eventProblems(err error) string {
	var parts []string
	var errs []error
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		errs = u.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var se *scenarios.Error
		if errors.As(e, &se) {
			if se.Key != "" {
				parts = append(parts, se.Key+": "+se.Msg)
			} else {
				parts = append(parts, se.Msg)
			}
			continue
		}
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}

// policyName names the policy of a controller ("none" for nil).
func policyName(c engine.Controller) string {
	if c == nil {
		return "none"
	}
	return c.Name()
}

// step applies the scenario events due now, then cmds (already checked,
// in order), then steps the simulation. It returns the log entries of
// cmds; a command that fails at this point is logged with its error and
// changes nothing.
func (w *world) step(cmds []*Command) []LogEntry {
	var log []LogEntry
	w.added = 0
	if err := w.s.Apply(); err != nil {
		log = append(log, LogEntry{Step: w.sim.Steps(), Time: w.sim.Time(), Error: "scenario events: " + err.Error()})
	}
	for _, c := range cmds {
		e := LogEntry{Step: w.sim.Steps(), Time: w.sim.Time(), Command: c}
		note, err := w.apply(c)
		if err != nil {
			e.Error = err.Error()
		}
		e.Note = note
		log = append(log, e)
	}
	_ = w.s.Step() // the schedule is applied above, before the commands
	if w.meter != nil {
		w.meter.observe(w.sim)
	}
	return log
}

// A LogEntry is one command as the twin applied it: before step Step+1
// (at time Time, s). Replaying the entries at their steps on the same
// scenario gives the same state.
type LogEntry struct {
	Seq     int64    `json:"seq"`
	Step    int64    `json:"step"`
	Time    float64  `json:"time"`
	Command *Command `json:"command,omitempty"`
	// Error says why the command failed when it came to apply (it then
	// changed nothing); Note what a field_counts did.
	Error string `json:"error,omitempty"`
	Note  string `json:"note,omitempty"`

	size int    // bytes as a line of JSON (the twin's log budget)
	raw  []byte // its JSON, encoded once when logged
}

// Replay runs the scenario of run from the start with the commands of log
// applied at their steps, for steps steps, and returns the simulation
// (Close it). The same log on the same scenario gives the same state hash
// as the twin that wrote it, at the same step.
func Replay(run *scenarios.Run, log []LogEntry, steps int64) (*engine.Sim, error) {
	w, err := newWorld(run, newExitCache(run.Network))
	if err != nil {
		return nil, err
	}
	if err := w.replay(log, steps); err != nil {
		w.close()
		return nil, err
	}
	return w.sim, nil
}

// replay steps w until it has taken steps steps, applying the commands of
// log at their steps; entries before w's step are skipped.
func (w *world) replay(log []LogEntry, steps int64) error {
	i := 0
	for i < len(log) && log[i].Step < w.sim.Steps() {
		i++
	}
	for w.sim.Steps() < steps {
		var cmds []*Command
		for ; i < len(log) && log[i].Step == w.sim.Steps(); i++ {
			if log[i].Command != nil && log[i].Error == "" { // a failed command changed nothing
				cmds = append(cmds, log[i].Command)
			}
		}
		w.step(cmds)
	}
	for ; i < len(log); i++ {
		if log[i].Step < steps && log[i].Command != nil {
			return fmt.Errorf("twin: replay: log entry %d (step %d) is out of order", log[i].Seq, log[i].Step)
		}
	}
	return nil
}

// Demand following. A field_counts command gives, per road, the vehicles
// the street's loops counted over the last Interval seconds. For each road
// the twin sets the demand of the next Interval seconds to the field's
// rate, plus half the gap between the field's count and its own count
// over the same period (its loop counts since the previous message for
// that road): trips still to depart in the window whose routes use the
// road are scaled (engine.ScaleRoadDemand, factor at most MaxDemandFactor);
// on a road where vehicles enter the network, trips are added to reach the
// target when scaling cannot. A trip's departure window is scaled once.

// MaxLiveFactor bounds the factor of a scale_demand command (each factor
// unit copies every trip still to depart).
const MaxLiveFactor = 10.0

// MaxDemandFactor bounds the factor by which demand following scales the
// trips on one road in one window.
const MaxDemandFactor = 10.0

type fieldState struct {
	lastLane []int64   // per lane: the twin's loop count at the last message (−1: none)
	scaledTo []float64 // per road: departures scaled up to this time (s)
	factor   []float64 // per road: the last factor (reporting)
}

func (f *fieldState) init(net *maps.Network) {
	f.lastLane = make([]int64, len(net.Lanes))
	for i := range f.lastLane {
		f.lastLane[i] = -1
	}
	f.scaledTo = make([]float64, len(net.Roads))
	f.factor = make([]float64, len(net.Roads))
	for i := range f.factor {
		f.factor[i] = 1
	}
}

func (f fieldState) clone() fieldState {
	return fieldState{lastLane: slices.Clone(f.lastLane), scaledTo: slices.Clone(f.scaledTo), factor: slices.Clone(f.factor)}
}

// followCounts applies a field_counts command and says what it did.
func (w *world) followCounts(c *Command) string {
	net := w.run.Network
	sens := w.sim.LaneSensors()
	now := w.sim.Time()
	end := now + c.Interval
	type roadCount struct {
		field, twin float64
		known       bool
	}
	counts := map[maps.RoadID]*roadCount{}
	var roads []maps.RoadID
	for _, fc := range c.Counts {
		r, _ := net.RoadByID(fc.Road)
		lanes := net.Roads[r].Lanes
		if fc.Lane != nil {
			lanes = lanes[*fc.Lane : *fc.Lane+1]
		}
		rc := counts[r]
		if rc == nil {
			rc = &roadCount{known: true}
			counts[r] = rc
			roads = append(roads, r)
		}
		rc.field += fc.Count
		for _, l := range lanes {
			if w.field.lastLane[l] < 0 {
				rc.known = false
			} else {
				rc.twin += float64(sens[l].Count - w.field.lastLane[l])
			}
			w.field.lastLane[l] = sens[l].Count
		}
	}
	slices.Sort(roads)
	pending := map[float64][]int{} // by window start
	var notes []string
	var add []engine.Trip
	for _, r := range roads {
		rc := counts[r]
		from := math.Max(now, w.field.scaledTo[r])
		if end-from < 1e-9 {
			continue
		}
		target := float64(rc.field / c.Interval * (end - from))
		if rc.known {
			target += float64(0.5 * (rc.field - rc.twin))
		}
		target = math.Max(target, 0)
		p, ok := pending[from]
		if !ok {
			p = w.sim.PendingByRoad(from, end)
			pending[from] = p
		}
		have := float64(p[r])
		factor := 1.0
		if have > 0 {
			factor = math.Min(target/have, MaxDemandFactor)
			w.sim.Enqueue(engine.ScaleRoadDemand{Road: r, Factor: factor, From: from, To: end})
		}
		short := target - float64(have*factor)
		entry := entryRoad(net, r)
		if short >= 0.5 && entry {
			add = append(add, w.fieldTrips(r, int(math.Round(short)), from, end)...)
		}
		w.field.scaledTo[r] = end
		w.field.factor[r] = factor
		n := fmt.Sprintf("%s: field %g, twin %s, demand ×%.2f", net.Roads[r].ID, rc.field, twinCount(rc.known, rc.twin), factor)
		if short >= 0.5 && entry {
			n += fmt.Sprintf(" + %d trips", int(math.Round(short)))
		} else if short >= 0.5 {
			n += fmt.Sprintf(" (%.0f vehicles short: not an entry road, no trips added)", short)
		}
		notes = append(notes, n)
	}
	if len(add) > 0 {
		w.sim.Enqueue(engine.AddTrips{Trips: add})
	}
	return strings.Join(notes, "; ")
}

func twinCount(known bool, n float64) string {
	if !known {
		return "unknown (first count)"
	}
	return fmt.Sprint(n)
}

// entryRoad reports whether vehicles enter the network on road r (its
// start node is a boundary or dead end, or has no road in).
func entryRoad(net *maps.Network, r maps.RoadID) bool {
	from := &net.Nodes[net.Roads[r].From]
	return from.Kind == maps.Boundary || from.Kind == maps.DeadEnd || len(from.In) == 0
}

// streamField keys the draws of demand following.
const streamField uint64 = 0xf1e1d

// fieldTrips draws n trips entering on road r with departures spread
// evenly over [from, to), to exits reachable from r.
func (w *world) fieldTrips(r maps.RoadID, n int, from, to float64) []engine.Trip {
	exits := w.exits.from(r)
	if len(exits) == 0 || n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(w.run.Scenario.Seed^streamField, uint64(w.sim.Steps())<<20^uint64(r)))
	out := make([]engine.Trip, n)
	for k := range out {
		out[k] = engine.Trip{ID: fmt.Sprintf("field@%d.%s.%d", w.sim.Steps(), w.run.Network.Roads[r].ID, k),
			Depart: from + (to-from)*float64(k)/float64(n), From: r, To: exits[rng.IntN(len(exits))]}
		out[k].VType = w.run.DrawVType(rng)
	}
	return out
}

// exitCache holds, per entry road, the roads leaving the network that
// can be reached from it. It is shared by every world of a twin.
type exitCache struct {
	net    *maps.Network
	router *maps.Router
	mu     sync.Mutex
	exits  map[maps.RoadID][]maps.RoadID
	all    []maps.RoadID
}

func newExitCache(net *maps.Network) *exitCache {
	c := &exitCache{net: net, router: maps.NewRouter(net), exits: map[maps.RoadID][]maps.RoadID{}}
	for r := range net.Roads {
		to := &net.Nodes[net.Roads[r].To]
		if to.Kind == maps.Boundary || to.Kind == maps.DeadEnd || len(to.Out) == 0 {
			c.all = append(c.all, maps.RoadID(r))
		}
	}
	return c
}

func (c *exitCache) from(r maps.RoadID) []maps.RoadID {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.exits[r]; ok {
		return e
	}
	var out []maps.RoadID
	for _, d := range c.all {
		if d == r || c.net.Roads[d].To == c.net.Roads[r].From {
			continue
		}
		if c.router.Reachable(r, d) {
			out = append(out, d)
		}
	}
	c.exits[r] = out
	return out
}
