package scenarios

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// signalSetup is what Build derives from [signals]: per signalised
// junction its program, its fixed-time plan, the phase sets and policies
// in force over time, and the flows Webster may start from.
type signalSetup struct {
	sc        *Scenario
	net       *maps.Network
	programs  []*maps.Program    // per node; nil: the network's own program
	fixed     []signal.FixedTime // per node, the fixed_time plan
	initial   []policyChoice     // per node, the policy at time 0
	switches  []resolvedSwitch   // in time order
	params    map[string]any     // per policy, its parameters (Signals.Params at Build)
	trips     []engine.Trip      // the run's trips, for ScenarioFlows
	flows     [][]float64        // per node, movement demand from the scenario (veh/h); see Junction.ScenarioFlows
	flowsOnce sync.Once
}

// policyChoice is a policy with the phase set it may choose from (nil:
// the policy's default).
type policyChoice struct {
	policy string
	phases []int
	key    string // the key phases comes from
}

type resolvedSwitch struct {
	at    float64
	nodes []maps.NodeID
	c     policyChoice
}

// buildSignals resolves the [signals] tables against the network and
// fills the engine configuration's signal settings. trips gives the
// scenario flows (Junction.ScenarioFlows).
func (sc *Scenario) buildSignals(net *maps.Network, cfg *engine.Config, trips []engine.Trip) (*signalSetup, []string, error) {
	g := &sc.Signals
	st := &signalSetup{sc: sc, net: net, programs: make([]*maps.Program, len(net.Nodes)),
		fixed: make([]signal.FixedTime, len(net.Nodes)), initial: make([]policyChoice, len(net.Nodes)),
		trips: trips, params: map[string]any{}}
	for _, d := range policies() {
		st.params[d.name] = g.params(d)
	}
	var errs []error
	var notes []string
	fail := func(key, format string, args ...any) { errs = append(errs, sc.errorf(key, format, args...)) }

	// Programs: custom ones, then yellow and all-red overrides.
	custom := map[maps.NodeID]int{}
	for i, p := range g.Programs {
		key := fmt.Sprintf("signals.programs[%d]", i)
		v, ok := st.junction(key+".junction", p.Junction, fail)
		if !ok {
			continue
		}
		custom[v] = i
	}
	for v := range net.Nodes {
		nd := &net.Nodes[v]
		if nd.Kind != maps.Signalised || nd.Program == nil {
			continue
		}
		prog, key := nd.Program, "signals"
		if i, ok := custom[maps.NodeID(v)]; ok {
			key = fmt.Sprintf("signals.programs[%d]", i)
			sp := g.Programs[i]
			prog = &maps.Program{Yellow: nd.Program.Yellow, AllRed: nd.Program.AllRed, Offset: sp.Offset}
			for k, ph := range sp.Phases {
				if len(ph.State) != len(nd.Movements) {
					fail(fmt.Sprintf("%s.phases[%d].state", key, k), "junction %s has %d movements, the state %q has %d letters",
						nd.ID, len(nd.Movements), ph.State, len(ph.State))
				}
				prog.Phases = append(prog.Phases, maps.Phase{Duration: ph.Duration, State: ph.State})
			}
			if sp.Yellow != nil {
				prog.Yellow = *sp.Yellow
			} else if g.Yellow != nil {
				prog.Yellow = *g.Yellow
			}
			if sp.AllRed != nil {
				prog.AllRed = *sp.AllRed
			} else if g.AllRed != nil {
				prog.AllRed = *g.AllRed
			}
		} else if g.Yellow != nil || g.AllRed != nil {
			cp := *prog
			if g.Yellow != nil {
				cp.Yellow = *g.Yellow
			}
			if g.AllRed != nil {
				cp.AllRed = *g.AllRed
			}
			prog = &cp
		}
		if prog != nd.Program {
			if err := signal.CheckProgram(prog, nd.Conflicts); err != nil {
				fail(key, "junction %s: %v", nd.ID, strings.TrimPrefix(err.Error(), "signal: "))
				continue
			}
			st.programs[v] = prog
		}
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}

	// Policies at time 0 and the switches.
	policy := g.Policy
	if policy == "" {
		policy = DefaultPolicy
	}
	for v := range net.Nodes {
		st.initial[v] = policyChoice{policy: policy}
	}
	for i, o := range g.Overrides {
		key := fmt.Sprintf("signals.overrides[%d]", i)
		for _, v := range st.junctions(key+".junctions", o.Junctions, fail) {
			if o.Policy != "" {
				st.initial[v].policy = o.Policy
			}
			if o.Phases != nil {
				st.initial[v].phases, st.initial[v].key = o.Phases, key+".phases"
			}
		}
	}
	for i, sw := range g.Switch {
		key := fmt.Sprintf("signals.switch[%d]", i)
		nodes := st.junctions(key+".junctions", sw.Junctions, fail)
		if len(sw.Junctions) == 0 {
			nodes = st.signalised()
		}
		st.switches = append(st.switches, resolvedSwitch{at: sw.At, nodes: nodes, c: policyChoice{policy: sw.Policy, phases: sw.Phases, key: key + ".phases"}})
	}

	// Fixed-time plans and phase sets, checked against every junction's
	// program for every policy it will run.
	ft := paramsOf[FixedTimeParams](g, PolicyFixedTime)
	for _, v := range st.signalised() {
		prog := st.program(v)
		plan := ft.plan()
		if c := st.initial[v]; c.policy == PolicyFixedTime && c.phases != nil {
			plan.Phases = c.phases
		}
		st.fixed[v] = plan
		type use struct {
			key string // where the policy is chosen
			c   policyChoice
		}
		uses := []use{{"signals.policy", st.initial[v]}}
		for i, sw := range st.switches {
			if slices.Contains(sw.nodes, v) {
				uses = append(uses, use{fmt.Sprintf("signals.switch[%d]", i), sw.c})
			}
		}
		for _, u := range uses {
			set, setKey := st.phaseSet(u.c)
			if setKey == "" {
				setKey = u.key
			}
			if err := signal.CheckPhases(prog, set); err != nil {
				fail(setKey, "junction %s: %v", net.Nodes[v].ID, strings.TrimPrefix(err.Error(), "signal: "))
				continue
			}
			d, _ := policyByName(u.c.policy)
			if err := st.checkJunction(d, v, u.c); err != nil {
				fail(joinKey("signals", d.name), "junction %s: %v", net.Nodes[v].ID, strings.TrimPrefix(err.Error(), "signal: "))
			} else if d.phases != nil && u.c.policy != PolicyFixedTime {
				if set == nil {
					set = signal.DefaultPhases(prog)
				}
				if m := unserved(prog, set); m >= 0 {
					mv := net.Movements[net.Nodes[v].Movements[m]]
					notes = append(notes, fmt.Sprintf("%s: %s: junction %s: no phase of the set %v gives movement %d (%s to %s) green; only the guard's max_red would serve it",
						sc.source(), setKey, net.Nodes[v].ID, set, m, net.Roads[mv.From].ID, net.Roads[mv.To].ID))
				}
			}
		}
	}

	// Green waves.
	for i, w := range g.GreenWave {
		key := fmt.Sprintf("signals.green_wave[%d]", i)
		nodes := st.junctions(key+".junctions", w.Junctions, fail)
		if len(nodes) != len(w.Junctions) && !hasGroup(w.Junctions) {
			continue
		}
		plans := make([]signal.FixedTime, len(nodes))
		progs := make([]*maps.Program, len(nodes))
		for k, v := range nodes {
			plans[k], progs[k] = st.fixed[v], st.program(v)
			if st.initial[v].policy != PolicyFixedTime {
				notes = append(notes, fmt.Sprintf("%s: %s: junction %s starts with policy %s; its offset applies while it runs fixed_time",
					sc.source(), key, net.Nodes[v].ID, st.initial[v].policy))
			}
		}
		offs, err := signal.GreenWave(net, nodes, w.Speed, plans, progs)
		if err != nil {
			fail(key+".junctions", "%s", strings.TrimPrefix(err.Error(), "signal: green wave: "))
			continue
		}
		for k, v := range nodes {
			st.fixed[v].Offset = offs[k]
		}
	}

	// The guard's maximum red against fixed-time cycles.
	if mr := g.Guard.MaxRed; mr > 0 {
		for _, v := range st.signalised() {
			if !st.runs(v, PolicyFixedTime) {
				continue
			}
			if m, red := st.fixed[v].LongestRed(st.program(v)); red > mr+1e-9 {
				fail("signals.guard.max_red", "junction %s: its fixed-time cycle keeps movement %d red for %g s, more than max_red = %g s", net.Nodes[v].ID, m, red, mr)
			}
		}
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}

	minGreen := DefaultGuardMinGreen
	if g.Guard.MinGreen != nil {
		minGreen = *g.Guard.MinGreen
	}
	cfg.Guard = &signal.Guard{MinGreen: minGreen, MaxRed: g.Guard.MaxRed}
	cfg.StrictGuard = g.Guard.Strict
	cfg.LoopOffset = g.Detectors.LoopOffset
	cfg.AreaLength = g.Detectors.AreaLength
	cfg.Controllers = func(v maps.NodeID) engine.Controller {
		return st.controller(v, st.initial[v])
	}
	return st, notes, nil
}

// signalised returns the signalised nodes in id order.
func (st *signalSetup) signalised() []maps.NodeID {
	var out []maps.NodeID
	for v := range st.net.Nodes {
		if nd := &st.net.Nodes[v]; nd.Kind == maps.Signalised && nd.Program != nil {
			out = append(out, maps.NodeID(v))
		}
	}
	return out
}

// runs reports whether junction v runs policy at some time.
func (st *signalSetup) runs(v maps.NodeID, policy string) bool {
	if st.initial[v].policy == policy {
		return true
	}
	for _, sw := range st.switches {
		if sw.c.policy == policy && slices.Contains(sw.nodes, v) {
			return true
		}
	}
	return false
}

// program returns the program junction v runs.
func (st *signalSetup) program(v maps.NodeID) *maps.Program {
	if p := st.programs[v]; p != nil {
		return p
	}
	return st.net.Nodes[v].Program
}

// junction resolves one junction id, which must be signalised.
func (st *signalSetup) junction(key, id string, fail func(key, format string, args ...any)) (maps.NodeID, bool) {
	v, ok := st.net.NodeByID(id)
	if !ok {
		fail(key, "junction %q does not exist in the network", id)
		return 0, false
	}
	if nd := &st.net.Nodes[v]; nd.Kind != maps.Signalised || nd.Program == nil {
		fail(key, "junction %q is not signalised (it is a %s node)", id, nd.Kind)
		return 0, false
	}
	return v, true
}

// junctions resolves a list of junction ids and "group:NAME" references,
// keeping the first occurrence of each junction in list order.
func (st *signalSetup) junctions(key string, ids []string, fail func(key, format string, args ...any)) []maps.NodeID {
	var out []maps.NodeID
	add := func(k, id string) {
		if v, ok := st.junction(k, id, fail); ok && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for i, id := range ids {
		k := fmt.Sprintf("%s[%d]", key, i)
		if name, ok := strings.CutPrefix(id, GroupPrefix); ok {
			for j, gid := range st.sc.Signals.Groups[name] {
				add(fmt.Sprintf("%s (group %s[%d])", k, name, j), gid)
			}
			continue
		}
		add(k, id)
	}
	return out
}

// phaseSet returns the phase set of a policy choice and the key it comes
// from ("" for the default set): the choice's own, else the policy
// table's, else signals.phases (not for fixed_time, whose phases are a
// cycle of the program). A policy that chooses no phase has none.
func (st *signalSetup) phaseSet(c policyChoice) ([]int, string) {
	d, ok := policyByName(c.policy)
	if !ok || d.phases == nil {
		return nil, ""
	}
	if c.phases != nil {
		return c.phases, c.key
	}
	if own := d.phases(st.params[d.name]); own != nil {
		return own, joinKey(joinKey("signals", c.policy), "phases")
	}
	if g := &st.sc.Signals; g.Phases != nil && c.policy != PolicyFixedTime {
		return g.Phases, "signals.phases"
	}
	return nil, ""
}

// junctionOf returns what a policy gets of junction v for choice c.
func (st *signalSetup) junctionOf(v maps.NodeID, c policyChoice) Junction {
	set, _ := st.phaseSet(c)
	return Junction{Node: v, ID: st.net.Nodes[v].ID, Program: st.program(v), Phases: set, st: st, choice: c.phases}
}

// checkJunction reports whether junction v can run choice c of policy d:
// its phase set exists in the program, and the policy's own check.
func (st *signalSetup) checkJunction(d *policyDef, v maps.NodeID, c policyChoice) error {
	j := st.junctionOf(v, c)
	if err := signal.CheckPhases(j.Program, j.Phases); err != nil {
		return err
	}
	if d.checkJunction != nil {
		return d.checkJunction(st.params[d.name], j)
	}
	return nil
}

// controller makes a new controller of junction v.
func (st *signalSetup) controller(v maps.NodeID, c policyChoice) engine.Controller {
	d, _ := policyByName(c.policy)
	return d.new(st.params[d.name], st.junctionOf(v, c))
}

// unserved returns a movement no phase of set gives green, or −1.
func unserved(p *maps.Program, set []int) int {
	for m := range p.Phases[0].State {
		if !slices.ContainsFunc(set, func(i int) bool { return p.Phases[i].Green(m) }) {
			return m
		}
	}
	return -1
}

// movementFlows returns, per node and movement (Local order), the demand
// of the trips (veh/h over duration s), following explicit routes or the
// fastest ones.
func movementFlows(net *maps.Network, trips []engine.Trip, duration float64) [][]float64 {
	out := make([][]float64, len(net.Nodes))
	for v := range net.Nodes {
		out[v] = make([]float64, len(net.Nodes[v].Movements))
	}
	// The fastest routes of the trips without one, one per pair.
	pairOf := map[maps.OD]int{}
	var pairs []maps.OD
	for _, t := range trips {
		if k := (maps.OD{From: t.From, To: t.To}); t.Depart < duration && t.Route == nil {
			if _, ok := pairOf[k]; !ok {
				pairOf[k] = len(pairs)
				pairs = append(pairs, k)
			}
		}
	}
	routes := maps.NewRouter(net).Routes(pairs, 0)
	for _, t := range trips {
		if t.Depart >= duration {
			continue
		}
		route := t.Route
		if route == nil {
			route = routes[pairOf[maps.OD{From: t.From, To: t.To}]]
		}
		for i := 1; i < len(route); i++ {
			if m := net.MovementBetween(route[i-1], route[i]); m != maps.None {
				mv := &net.Movements[m]
				out[mv.Node][mv.Local] += 3600 / math.Max(duration, 1)
			}
		}
	}
	return out
}

// SignalController returns a new controller for signalised junction v
// running policy (one of PolicyNames) as the scenario configures it: the
// parameters of its [signals] table, the junction's program after the
// yellow, all-red and [[signals.programs]] changes, its green-wave offset,
// and webster's scenario flows. phases, when set, replaces the policy's
// phase set. Every call returns a new controller (give one to one
// junction). It is safe for concurrent use.
func (r *Run) SignalController(v maps.NodeID, policy string, phases []int) (engine.Controller, error) {
	st := r.signals
	if st == nil || v < 0 || int(v) >= len(r.Network.Nodes) {
		return nil, fmt.Errorf("scenarios: node %d is not a junction of the run", v)
	}
	nd := &r.Network.Nodes[v]
	if nd.Kind != maps.Signalised || nd.Program == nil {
		return nil, fmt.Errorf("scenarios: junction %s is not signalised", nd.ID)
	}
	if err := r.checkPolicy(v, policy, phases); err != nil {
		return nil, fmt.Errorf("scenarios: junction %s: %w", nd.ID, err)
	}
	return st.controller(v, policyChoice{policy: policy, phases: phases}), nil
}
