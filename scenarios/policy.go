package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
)

// A Policy is a signal policy scenarios can name: in signals.policy,
// [[signals.overrides]], [[signals.switch]] and switch_policy events. Its
// parameters are the table [signals.NAME] of a scenario file, decoded into
// a P: a struct whose fields carry toml tags, following the rule of
// Scenario (a key whose allowed values include 0 while its default is not
// 0 is a pointer, nil when unset; for the others 0 means unset).
//
// Adding a policy takes one file with its parameter struct, its
// controller and its Policy, and one RegisterPolicy call (the built-in
// policies are registered in init below; a package of your own may
// register more in its init function, as database/sql drivers do). The
// controller's Name must return the policy's Name.
type Policy[P any] struct {
	// Name is the policy's name in scenario files, and the key of its
	// parameter table under [signals].
	Name string
	// Defaults fills the unset keys of a table (nil: none).
	Defaults func(p *P)
	// Check reports, through c, the problems of a table whose defaults
	// are filled (nil: none). Keys are relative to the table.
	Check func(p *P, c *ParamChecker)
	// Phases returns the table's phase set (its phases key), nil when it
	// sets none. A nil Phases is a policy that chooses no phase (such as
	// external): it gets no phase set and no warning about movements its
	// phases leave red.
	Phases func(p *P) []int
	// CheckJunction reports whether junction j can run the policy with
	// parameters p, beyond its phase set (nil: any can). Build calls it
	// for every junction and every time the policy is chosen for it.
	CheckJunction func(p *P, j Junction) error
	// New returns a new controller of junction j. It is called once per
	// junction for every simulation, and again whenever a switch gives
	// the junction the policy, on the goroutine that builds or steps that
	// simulation: it must not change p or anything shared.
	New func(p *P, j Junction) engine.Controller
}

// Junction is what a policy's New and CheckJunction get of the junction
// they make a controller for.
type Junction struct {
	Node maps.NodeID
	// ID is the junction's id in the network.
	ID string
	// Program is the program the junction runs: the network's, after the
	// [signals] yellow, all_red and [[signals.programs]] changes.
	Program *maps.Program
	// Phases is the phase set the policy runs with, in cycle order: the
	// one an override, switch or event gives, else the policy table's
	// phases, else signals.phases (but for fixed_time). nil means the
	// policy's default (signal.DefaultPhases for the adaptive policies).
	Phases []int

	st     *signalSetup
	choice []int // the phases of the override, switch or event, if any
}

// Network returns the road network.
func (j Junction) Network() *maps.Network { return j.st.net }

// ScenarioFlows returns the demand of the scenario through each movement
// of the junction (veh/h over the scenario's duration, in the node's
// Local order), following each trip's route or its fastest one. It is
// computed once per run, on the first call for any junction.
func (j Junction) ScenarioFlows() []float64 {
	st := j.st
	st.flowsOnce.Do(func() { st.flows = movementFlows(st.net, st.trips, st.sc.Duration) })
	return st.flows[j.Node]
}

// RegisterPolicy makes policy p available to scenarios. It panics if the
// name is empty or taken, or New is nil, as database/sql.Register does:
// call it from an init function.
func RegisterPolicy[P any](p Policy[P]) {
	if p.Name == "" || p.New == nil {
		panic("scenarios: RegisterPolicy: a policy needs a name and a New function")
	}
	if _, dup := policyByName(p.Name); dup {
		panic("scenarios: RegisterPolicy: policy " + p.Name + " is registered twice")
	}
	if strings.ContainsFunc(p.Name, func(r rune) bool { return !isBare(r) }) {
		panic(fmt.Sprintf("scenarios: RegisterPolicy: policy name %q is not a bare TOML key", p.Name))
	}
	d := &policyDef{
		name:   p.Name,
		typ:    reflect.TypeFor[P](),
		params: func() any { return new(P) },
		defaults: func(x any) {
			if p.Defaults != nil {
				p.Defaults(x.(*P))
			}
		},
		check: func(x any, c *ParamChecker) {
			if p.Check != nil {
				p.Check(x.(*P), c)
			}
		},
		new: func(x any, j Junction) engine.Controller { return p.New(x.(*P), j) },
	}
	if p.Phases != nil {
		d.phases = func(x any) []int { return p.Phases(x.(*P)) }
	}
	if p.CheckJunction != nil {
		d.checkJunction = func(x any, j Junction) error { return p.CheckJunction(x.(*P), j) }
	}
	registry.Lock()
	defer registry.Unlock()
	registry.list = append(registry.list, d)
}

// The built-in policies, in the order messages list them. Each is defined
// in its own file (policy_NAME.go).
func init() {
	RegisterPolicy(fixedTimePolicy)
	RegisterPolicy(websterPolicy)
	RegisterPolicy(actuatedPolicy)
	RegisterPolicy(maxPressurePolicy)
	RegisterPolicy(sotlPolicy)
	RegisterPolicy(externalPolicy)
}

// PolicyNames returns the names of the registered policies, in the order
// of registration (the built-in ones first).
func PolicyNames() []string {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]string, len(registry.list))
	for i, d := range registry.list {
		out[i] = d.name
	}
	return out
}

// IsPolicy reports whether name is a registered policy.
func IsPolicy(name string) bool {
	_, ok := policyByName(name)
	return ok
}

// policyDef is a registered Policy with its parameter type erased.
type policyDef struct {
	name          string
	typ           reflect.Type // the parameter struct P
	params        func() any   // new(P)
	defaults      func(p any)
	check         func(p any, c *ParamChecker)
	phases        func(p any) []int // nil: the policy chooses no phase
	checkJunction func(p any, j Junction) error
	new           func(p any, j Junction) engine.Controller
}

var registry struct {
	sync.RWMutex
	list []*policyDef
}

func policyByName(name string) (*policyDef, bool) {
	registry.RLock()
	defer registry.RUnlock()
	for _, d := range registry.list {
		if d.name == name {
			return d, true
		}
	}
	return nil, false
}

// policies returns the registered policies in registration order.
func policies() []*policyDef {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Clone(registry.list)
}

// params returns the parameter table of policy name in g, creating it
// (every key unset) if g has none.
func (g *Signals) params(d *policyDef) any {
	if g.Params == nil {
		g.Params = map[string]any{}
	}
	p, ok := g.Params[d.name]
	if !ok || p == nil {
		p = d.params()
		g.Params[d.name] = p
	}
	return p
}

// paramsOf returns the parameter table of a built-in policy, typed.
func paramsOf[P any](g *Signals, name string) *P {
	d, _ := policyByName(name)
	return g.params(d).(*P)
}

// ParamChecker collects the problems of a policy's parameter table; keys
// are relative to the table ("min_green" for signals.webster.min_green).
// The range checks fail for NaN, and for ±Inf unless a bound is.
type ParamChecker struct {
	c      *checker
	prefix string // "signals.NAME"
}

// Check reports the problem format (with args) at key if ok is false, and
// returns ok.
func (p *ParamChecker) Check(key string, ok bool, format string, args ...any) bool {
	return p.c.check(joinKey(p.prefix, key), ok, format, args...)
}

// Within checks that lo ≤ x ≤ hi.
func (p *ParamChecker) Within(key string, x, lo, hi float64) bool {
	return p.Check(key, lo <= x && x <= hi, "must be in [%g, %g], got %g", lo, hi, x)
}

// Positive checks that 0 < x ≤ hi.
func (p *ParamChecker) Positive(key string, x, hi float64) bool {
	return p.Check(key, x > 0 && x <= hi && !math.IsInf(x, 0), "must be in (0, %g], got %g", hi, x)
}

// OneOf checks that v is one of allowed.
func (p *ParamChecker) OneOf(key, v string, allowed []string) bool {
	return p.Check(key, slices.Contains(allowed, v), "must be one of %s, got %q", strings.Join(allowed, ", "), v)
}

// PhaseSet checks a list of program phase indices (whether they exist is
// checked per junction by Build).
func (p *ParamChecker) PhaseSet(key string, set []int) {
	p.c.phaseSet(joinKey(p.prefix, key), set)
}
