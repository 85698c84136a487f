package scenarios

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
)

// Event is a what-if event: something that happens to the network, its
// demand or its signals at a given time. Scenario files list them as
// [[events]] tables; the live API (package twin) takes the same objects as
// commands, as JSON with the same keys. Every event becomes engine
// commands (engine.Command) applied between steps, so a run with events is
// as deterministic as one without.
//
// Which keys an event takes depends on its kind (see EventKeys and
// README.md, "[[events]]"); setting a key its kind does not take is an
// error.
type Event struct {
	// At is when the event happens (s): it takes effect at the start of
	// the first step that begins at or after At. Events with equal At
	// apply in file order.
	At float64 `toml:"at" json:"at,omitempty"`
	// Kind is one of EventKinds.
	Kind string `toml:"kind" json:"kind"`

	// Road is the road id of close_road, open_road, speed_limit,
	// close_lane and open_lane.
	Road string `toml:"road" json:"road,omitempty"`
	// Lane is the index of the lane on Road (0 = next to the centre line) of close_lane
	// and open_lane.
	Lane *int `toml:"lane" json:"lane,omitempty"`
	// Speed is the speed limit of speed_limit (m/s); 0 restores the
	// network's.
	Speed *float64 `toml:"speed" json:"speed,omitempty"`

	// Factor multiplies the demand of scale_demand (0 to 100).
	Factor float64 `toml:"factor" json:"factor,omitempty"`
	// Begin and End bound the departure times scale_demand and add_demand
	// act on (s). Begin is at least At; End 0 means no end for
	// scale_demand and is required by add_demand.
	Begin float64 `toml:"begin" json:"begin,omitempty"`
	End   float64 `toml:"end" json:"end,omitempty"`
	// From and To are the origin and destination of add_demand: a road id
	// or "zone:NAME" (a zone of demand.zones).
	From string `toml:"from" json:"from,omitempty"`
	To   string `toml:"to" json:"to,omitempty"`
	// Rate is the rate of add_demand (veh/h).
	Rate float64 `toml:"rate" json:"rate,omitempty"`
	// Distribution of the add_demand departures: "poisson" (default) or
	// "uniform".
	Distribution string `toml:"distribution" json:"distribution,omitempty"`
	// VType is the vehicle type of add_demand; empty draws by share.
	VType string `toml:"vtype" json:"vtype,omitempty"`

	// Junctions lists the junctions of switch_policy: ids and
	// "group:NAME" references to signals.groups; empty means every
	// signalised junction.
	Junctions []string `toml:"junctions" json:"junctions,omitempty"`
	// Policy is the policy switch_policy gives them, one of
	// PolicyNames, with the parameters of its [signals] table.
	Policy string `toml:"policy" json:"policy,omitempty"`
	// Phases is the phase set of switch_policy; empty keeps the policy's.
	Phases []int `toml:"phases" json:"phases,omitempty"`

	// Junction, Phase and Duration (s) are those of force_phase: the
	// junction shows the phase for that long (after yellow and all-red,
	// within the signal guard), then its controller takes over again.
	Junction string  `toml:"junction" json:"junction,omitempty"`
	Phase    *int    `toml:"phase" json:"phase,omitempty"`
	Duration float64 `toml:"duration" json:"duration,omitempty"`
}

// Event kinds.
const (
	EventCloseLane    = "close_lane"    // road, lane: an incident closes one lane
	EventOpenLane     = "open_lane"     // road, lane: the lane reopens
	EventCloseRoad    = "close_road"    // road: every lane closes; traffic reroutes
	EventOpenRoad     = "open_road"     // road
	EventSpeedLimit   = "speed_limit"   // road, speed
	EventScaleDemand  = "scale_demand"  // factor, begin, end
	EventAddDemand    = "add_demand"    // from, to, rate, begin, end, distribution, vtype
	EventSwitchPolicy = "switch_policy" // junctions, policy, phases
	EventForcePhase   = "force_phase"   // junction, phase, duration
)

// EventKinds are the values Validate accepts for events[].kind.
var EventKinds = []string{EventCloseLane, EventOpenLane, EventCloseRoad, EventOpenRoad, EventSpeedLimit,
	EventScaleDemand, EventAddDemand, EventSwitchPolicy, EventForcePhase}

var eventKeys = map[string][]string{
	EventCloseLane:    {"road", "lane"},
	EventOpenLane:     {"road", "lane"},
	EventCloseRoad:    {"road"},
	EventOpenRoad:     {"road"},
	EventSpeedLimit:   {"road", "speed"},
	EventScaleDemand:  {"factor", "begin", "end"},
	EventAddDemand:    {"from", "to", "rate", "begin", "end", "distribution", "vtype"},
	EventSwitchPolicy: {"junctions", "policy", "phases"},
	EventForcePhase:   {"junction", "phase", "duration"},
}

// Event limits.
const (
	MaxEventSpeed     = 80.0      // speed_limit speed, m/s
	MaxEventFactor    = 100.0     // scale_demand factor
	MaxForceDuration  = 24 * 3600 // force_phase duration, s
	MaxEventTrips     = 100000    // trips of one add_demand event
	MaxEventJunctions = 10000     // junctions listed by one switch_policy
)

// clipID shortens an id quoted in a message.
func clipID(id string) string {
	if len(id) > 60 {
		return id[:60] + "…"
	}
	return id
}

// EventKeys returns the keys an event of the given kind takes besides at
// and kind, or nil when the kind is unknown.
func EventKeys(kind string) []string { return slices.Clone(eventKeys[kind]) }

// setKeys returns the keys of e that hold a non-zero value.
func (e *Event) setKeys() []string {
	var out []string
	for _, kv := range []struct {
		k  string
		on bool
	}{
		{"road", e.Road != ""}, {"lane", e.Lane != nil}, {"speed", e.Speed != nil}, {"factor", e.Factor != 0},
		{"begin", e.Begin != 0}, {"end", e.End != 0}, {"from", e.From != ""}, {"to", e.To != ""}, {"rate", e.Rate != 0},
		{"distribution", e.Distribution != ""}, {"vtype", e.VType != ""}, {"junctions", e.Junctions != nil},
		{"policy", e.Policy != ""}, {"phases", e.Phases != nil}, {"junction", e.Junction != ""}, {"phase", e.Phase != nil},
		{"duration", e.Duration != 0},
	} {
		if kv.on {
			out = append(out, kv.k)
		}
	}
	return out
}

// allEventKeys lists every key an event may have, in a fixed order.
var allEventKeys = []string{"road", "lane", "speed", "factor", "begin", "end", "from", "to", "rate", "distribution",
	"vtype", "junctions", "policy", "phases", "junction", "phase", "duration"}

// events checks the [[events]] tables (without the network).
func (c *checker) events(evs []Event) {
	for i := range evs {
		e := &evs[i]
		key := func(k string) string { return fmt.Sprintf("events[%d].%s", i, k) }
		set := e.setKeys()
		for _, k := range allEventKeys {
			if _, ok := c.s.lines[key(k)]; ok && !slices.Contains(set, k) {
				set = append(set, k)
			}
		}
		c.s.checkEvent(e, set, key, c.add)
	}
}

// checkEvent reports through add the problems of e that do not need the
// network; set lists the keys the event sets.
func (s *Scenario) checkEvent(e *Event, set []string, key func(string) string, add func(key, format string, args ...any)) {
	check := func(k string, ok bool, format string, args ...any) bool {
		if !ok {
			add(key(k), format, args...)
		}
		return ok
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	check("at", e.At >= 0 && finite(e.At), "must be a time of at least 0 s, got %g", e.At)
	want, ok := eventKeys[e.Kind]
	if !check("kind", ok, "must be one of %s, got %q", strings.Join(EventKinds, ", "), e.Kind) {
		return
	}
	for _, k := range set {
		check(k, slices.Contains(want, k), "does not apply to a %s event (it takes %s)", e.Kind, strings.Join(want, ", "))
	}
	switch e.Kind {
	case EventCloseLane, EventOpenLane, EventCloseRoad, EventOpenRoad, EventSpeedLimit:
		check("road", e.Road != "", "must name a road")
	}
	switch e.Kind {
	case EventCloseLane, EventOpenLane:
		check("lane", e.Lane != nil && *e.Lane >= 0, "must be a lane index (0 = next to the centre line)%s", gotInt(e.Lane))
	case EventSpeedLimit:
		check("speed", e.Speed != nil && *e.Speed >= 0 && *e.Speed <= MaxEventSpeed,
			"must be a speed limit in [0, %g] m/s (0 restores the network's)%s", MaxEventSpeed, gotFloat(e.Speed))
	case EventScaleDemand:
		check("factor", e.Factor >= 0 && e.Factor <= MaxEventFactor, "must be in [0, %g], got %g", MaxEventFactor, e.Factor)
		check("begin", e.Begin >= 0 && finite(e.Begin), "must be a time of at least 0 s, got %g", e.Begin)
		check("end", e.End == 0 || e.End > math.Max(e.Begin, e.At) && finite(e.End),
			"must be 0 (no end) or a finite time after begin and at (%g s), got %g", math.Max(e.Begin, e.At), e.End)
	case EventAddDemand:
		for _, k := range []string{"from", "to"} {
			v := map[string]string{"from": e.From, "to": e.To}[k]
			if check(k, v != "", "must name a road or %sNAME", ZonePrefix) && strings.HasPrefix(v, ZonePrefix) {
				name := strings.TrimPrefix(v, ZonePrefix)
				_, ok := s.Demand.Zones[name]
				check(k, ok, "no zone %q in demand.zones", name)
			}
		}
		check("rate", e.Rate > 0 && e.Rate <= MaxFlowRate, "must be in (0, %g] veh/h, got %g", MaxFlowRate, e.Rate)
		check("begin", e.Begin >= 0 && finite(e.Begin), "must be a time of at least 0 s, got %g", e.Begin)
		if check("end", e.End > math.Max(e.Begin, e.At) && finite(e.End), "must be a finite time after begin and at (%g s), got %g",
			math.Max(e.Begin, e.At), e.End) && e.Rate > 0 {
			n := e.Rate * (e.End - math.Max(e.Begin, e.At)) / 3600
			check("end", n <= MaxEventTrips, "rate × (end − begin) gives %.0f trips; at most %d per event", n, MaxEventTrips)
		}
		if e.Distribution != "" {
			check("distribution", slices.Contains(Distributions, e.Distribution), "must be one of %s, got %q",
				strings.Join(Distributions, ", "), e.Distribution)
		}
		if e.VType != "" {
			check("vtype", slices.ContainsFunc(s.VTypes, func(v VehicleType) bool { return v.ID == e.VType }),
				"no vehicle type %q in vtypes", e.VType)
		}
	case EventSwitchPolicy:
		check("policy", IsPolicy(e.Policy), "must be one of %s, got %q", strings.Join(PolicyNames(), ", "), e.Policy)
		if !check("junctions", len(e.Junctions) <= MaxEventJunctions, "at most %d junctions, got %d", MaxEventJunctions, len(e.Junctions)) {
			break
		}
		seen := make(map[string]bool, len(e.Junctions))
		for j, id := range e.Junctions {
			if !check(fmt.Sprintf("junctions[%d]", j), !seen[id], "%q is listed twice", clipID(id)) {
				break
			}
			seen[id] = true
			if name, ok := strings.CutPrefix(id, GroupPrefix); ok {
				_, ok := s.Signals.Groups[name]
				check(fmt.Sprintf("junctions[%d]", j), ok, "no group %q in signals.groups", name)
			} else {
				check(fmt.Sprintf("junctions[%d]", j), id != "", "must name a junction")
			}
		}
		check("phases", e.Phases == nil || len(e.Phases) > 0, "must list at least one phase when set")
		for j, p := range e.Phases {
			check(fmt.Sprintf("phases[%d]", j), p >= 0, "must be a phase index, got %d", p)
		}
	case EventForcePhase:
		check("junction", e.Junction != "", "must name a signalised junction")
		check("phase", e.Phase != nil && *e.Phase >= 0, "must be a phase index%s", gotInt(e.Phase))
		check("duration", e.Duration > 0 && e.Duration <= MaxForceDuration, "must be in (0, %d] s, got %g", MaxForceDuration, e.Duration)
	}
}

func gotInt(p *int) string {
	if p == nil {
		return ", got none"
	}
	return fmt.Sprintf(", got %d", *p)
}

func gotFloat(p *float64) string {
	if p == nil {
		return ", got none"
	}
	return fmt.Sprintf(", got %g", *p)
}

// CheckEvent reports whether e can happen in the run: the checks of
// Validate and those that need the network (roads, lanes and junctions
// exist, junctions are signalised, phases exist). Problems are joined,
// one *Error each, with keys relative to the event ("road", "phase").
func (r *Run) CheckEvent(e *Event) error {
	var probs []error
	add := func(k, format string, args ...any) {
		probs = append(probs, &Error{Key: k, Msg: fmt.Sprintf(format, args...)})
	}
	key := func(k string) string { return k }
	r.Scenario.checkEvent(e, e.setKeys(), key, add)
	if len(probs) == 0 {
		r.checkEventNet(e, key, add)
	}
	return errors.Join(probs...)
}

// checkEvents checks the scenario's events against the network (Build).
func (r *Run) checkEvents() error {
	var probs []error
	for i := range r.Scenario.Events {
		key := func(k string) string { return fmt.Sprintf("events[%d].%s", i, k) }
		r.checkEventNet(&r.Scenario.Events[i], key, func(k, format string, args ...any) {
			probs = append(probs, r.Scenario.errorf(k, format, args...))
		})
	}
	return errors.Join(probs...)
}

// checkEventNet reports the problems of e that need the network.
func (r *Run) checkEventNet(e *Event, key func(string) string, add func(key, format string, args ...any)) {
	net := r.Network
	switch e.Kind {
	case EventCloseLane, EventOpenLane, EventCloseRoad, EventOpenRoad, EventSpeedLimit:
		rd, ok := net.RoadByID(e.Road)
		if !ok {
			add(key("road"), "road %q does not exist in the network", e.Road)
			return
		}
		if e.Lane != nil && *e.Lane >= len(net.Roads[rd].Lanes) {
			add(key("lane"), "road %q has lanes 0 to %d, not %d", e.Road, len(net.Roads[rd].Lanes)-1, *e.Lane)
		}
	case EventAddDemand:
		if _, err := r.endpointRoads(e.From); err != nil {
			add(key("from"), "%v", err)
		}
		if _, err := r.endpointRoads(e.To); err != nil {
			add(key("to"), "%v", err)
		}
	case EventSwitchPolicy:
		nodes, err := r.eventJunctions(e.Junctions)
		if err != nil {
			add(key("junctions"), "%v", err)
			return
		}
		if !IsPolicy(e.Policy) {
			return // reported by checkEvent
		}
		for _, v := range nodes {
			if err := r.checkPolicy(v, e.Policy, e.Phases); err != nil {
				k := "phases"
				if e.Phases == nil {
					k = "policy"
				}
				add(key(k), "junction %s: %v", net.Nodes[v].ID, err)
				return
			}
		}
	case EventForcePhase:
		nodes, err := r.eventJunctions([]string{e.Junction})
		if err != nil {
			add(key("junction"), "%v", err)
			return
		}
		if n := len(r.program(nodes[0]).Phases); e.Phase != nil && *e.Phase >= n {
			add(key("phase"), "junction %s has phases 0 to %d, not %d", e.Junction, n-1, *e.Phase)
		}
	}
}

// program returns the signal program junction v runs (the network's, or
// the one [signals] gives it).
func (r *Run) program(v maps.NodeID) *maps.Program {
	if r.signals != nil {
		return r.signals.program(v)
	}
	return r.Network.Nodes[v].Program
}

// checkPolicy reports whether junction v can run policy with phase set
// phases (nil: the policy's), as SignalController would make it.
func (r *Run) checkPolicy(v maps.NodeID, policy string, phases []int) error {
	st := r.signals
	if st == nil {
		return fmt.Errorf("the run has no signal setup (build it with Build)")
	}
	d, ok := policyByName(policy)
	if !ok {
		return fmt.Errorf("unknown signal policy %q (want one of %s)", policy, strings.Join(PolicyNames(), ", "))
	}
	if _, ok := st.params[policy]; !ok {
		return fmt.Errorf("signal policy %q was registered after the run was built", policy)
	}
	return st.checkJunction(d, v, policyChoice{policy: policy, phases: phases})
}

// endpointRoads resolves an add_demand origin or destination.
func (r *Run) endpointRoads(v string) ([]maps.RoadID, error) {
	if name, ok := strings.CutPrefix(v, ZonePrefix); ok {
		ids, ok := r.Scenario.Demand.Zones[name]
		if !ok {
			return nil, fmt.Errorf("no zone %q in demand.zones", name)
		}
		var out []maps.RoadID
		for _, id := range ids {
			rd, ok := r.Network.RoadByID(id)
			if !ok {
				return nil, fmt.Errorf("zone %q: road %q does not exist in the network", name, id)
			}
			out = append(out, rd)
		}
		return out, nil
	}
	rd, ok := r.Network.RoadByID(v)
	if !ok {
		return nil, fmt.Errorf("road %q does not exist in the network", v)
	}
	return []maps.RoadID{rd}, nil
}

// eventJunctions resolves junction ids and group references to signalised
// nodes, each once, in listed order; none means every signalised node.
func (r *Run) eventJunctions(ids []string) ([]maps.NodeID, error) {
	net := r.Network
	if len(ids) == 0 {
		var out []maps.NodeID
		for v := range net.Nodes {
			if signalised(net, maps.NodeID(v)) {
				out = append(out, maps.NodeID(v))
			}
		}
		return out, nil
	}
	var out []maps.NodeID
	var expand func(ids []string, depth int) error
	expand = func(ids []string, depth int) error {
		for _, id := range ids {
			if name, ok := strings.CutPrefix(id, GroupPrefix); ok {
				g, ok := r.Scenario.Signals.Groups[name]
				if !ok {
					return fmt.Errorf("no group %q in signals.groups", name)
				}
				if depth > 8 {
					return fmt.Errorf("group %q: groups nest too deep", name)
				}
				if err := expand(g, depth+1); err != nil {
					return err
				}
				continue
			}
			v, ok := net.NodeByID(id)
			if !ok {
				return fmt.Errorf("junction %q does not exist in the network", id)
			}
			if !signalised(net, v) {
				return fmt.Errorf("junction %q is not signalised", id)
			}
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return nil
	}
	if err := expand(ids, 0); err != nil {
		return nil, err
	}
	return out, nil
}

func signalised(net *maps.Network, v maps.NodeID) bool {
	nd := &net.Nodes[v]
	return nd.Kind == maps.Signalised && nd.Program != nil
}

// EventCommands returns the engine commands of event e applied to sim now
// (between steps), in the order they must be enqueued. Fresh controllers
// are made for switch_policy, and add_demand draws its trips from a
// generator seeded by the scenario seed, the step and the event's demand
// keys, so the same event at the same step gives the same commands
// whether it comes from a file or the live API. e must have passed
// CheckEvent.
func (r *Run) EventCommands(e *Event, sim *engine.Sim) ([]engine.Command, error) {
	net := r.Network
	road := func() (maps.RoadID, error) {
		rd, ok := net.RoadByID(e.Road)
		if !ok {
			return 0, fmt.Errorf("scenarios: road %q does not exist in the network", e.Road)
		}
		return rd, nil
	}
	lane := func() (maps.LaneID, error) {
		rd, err := road()
		if err != nil {
			return 0, err
		}
		if e.Lane == nil || *e.Lane < 0 || *e.Lane >= len(net.Roads[rd].Lanes) {
			return 0, fmt.Errorf("scenarios: road %q has no lane %s", e.Road, gotInt(e.Lane))
		}
		return net.Roads[rd].Lanes[*e.Lane], nil
	}
	switch e.Kind {
	case EventCloseLane, EventOpenLane:
		l, err := lane()
		if err != nil {
			return nil, err
		}
		if e.Kind == EventCloseLane {
			return []engine.Command{engine.CloseLane{Lane: l}}, nil
		}
		return []engine.Command{engine.OpenLane{Lane: l}}, nil
	case EventCloseRoad, EventOpenRoad:
		rd, err := road()
		if err != nil {
			return nil, err
		}
		if e.Kind == EventCloseRoad {
			return []engine.Command{engine.CloseRoad{Road: rd}}, nil
		}
		return []engine.Command{engine.OpenRoad{Road: rd}}, nil
	case EventSpeedLimit:
		rd, err := road()
		if err != nil {
			return nil, err
		}
		if e.Speed == nil {
			return nil, fmt.Errorf("scenarios: speed_limit needs a speed")
		}
		return []engine.Command{engine.SetSpeedLimit{Road: rd, Speed: *e.Speed}}, nil
	case EventScaleDemand:
		return []engine.Command{engine.ScaleDemand{Factor: e.Factor, From: max(e.Begin, e.At, sim.Time()), To: e.End}}, nil
	case EventAddDemand:
		trips, err := r.eventTrips(e, sim)
		if err != nil {
			return nil, err
		}
		return []engine.Command{engine.AddTrips{Trips: trips}}, nil
	case EventSwitchPolicy:
		nodes, err := r.eventJunctions(e.Junctions)
		if err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
		var out []engine.Command
		for _, v := range nodes {
			c, err := r.SignalController(v, e.Policy, e.Phases)
			if err != nil {
				return nil, err
			}
			out = append(out, engine.SetNodeController{Node: v, Controller: c})
		}
		return out, nil
	case EventForcePhase:
		nodes, err := r.eventJunctions([]string{e.Junction})
		if err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
		if e.Phase == nil {
			return nil, fmt.Errorf("scenarios: force_phase needs a phase")
		}
		return []engine.Command{engine.ForcePhase{Node: nodes[0], Phase: *e.Phase, Duration: e.Duration}}, nil
	}
	return nil, fmt.Errorf("scenarios: unknown event kind %q", e.Kind)
}

// streamEvents keys the draws of add_demand events.
const streamEvents uint64 = 0x3c6ef372fe94f82b

// eventTrips draws the trips of an add_demand event applied now.
func (r *Run) eventTrips(e *Event, sim *engine.Sim) ([]engine.Trip, error) {
	from, err := r.endpointRoads(e.From)
	if err != nil {
		return nil, fmt.Errorf("scenarios: from: %w", err)
	}
	to, err := r.endpointRoads(e.To)
	if err != nil {
		return nil, fmt.Errorf("scenarios: to: %w", err)
	}
	begin := max(e.Begin, e.At, sim.Time())
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%g|%g|%g|%s|%s", e.From, e.To, e.Rate, begin, e.End, e.Distribution, e.VType)
	key := h.Sum64() ^ uint64(sim.Steps())*0x9e3779b97f4a7c15
	rng := rand.New(rand.NewPCG(r.Scenario.Seed^streamEvents, key))
	vt := -1
	if e.VType != "" {
		for i, t := range r.Config.VTypes {
			if t.ID == e.VType {
				vt = i
			}
		}
		if vt < 0 {
			return nil, fmt.Errorf("scenarios: no vehicle type %q", e.VType)
		}
	}
	var trips []engine.Trip
	for k, t := range departures(rng, e.Rate, begin, e.End, e.Distribution) {
		trip := engine.Trip{ID: fmt.Sprintf("event@%d.%08x.%d", sim.Steps(), uint32(key), k), Depart: t,
			From: from[rng.IntN(len(from))], To: to[rng.IntN(len(to))], VType: vt}
		if vt < 0 {
			trip.VType = r.DrawVType(rng)
		}
		trips = append(trips, trip)
	}
	return trips, nil
}

// DrawVType draws a vehicle type of the scenario by share, as demand that
// names no type does: one draw of rng when there are several types, none
// otherwise. It returns the index into Scenario.VTypes (and
// Config.VTypes).
func (r *Run) DrawVType(rng *rand.Rand) int { return drawVType(rng, r.Scenario.VTypes) }

// drawVType draws one of vts by share.
func drawVType(rng *rand.Rand, vts []VehicleType) int {
	if len(vts) <= 1 {
		return 0
	}
	total := 0.0
	for _, v := range vts {
		total += v.Share
	}
	x := rng.Float64() * total
	for i, v := range vts {
		if x < v.Share {
			return i
		}
		x -= v.Share
	}
	return len(vts) - 1
}
