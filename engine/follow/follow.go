package follow

import (
	"fmt"
	"math"
	"strings"
)

// Params are the driver and vehicle parameters of one vehicle type.
type Params struct {
	Accel          float64 // maximum acceleration a (m/s²)
	Decel          float64 // comfortable deceleration b (m/s²)
	EmergencyDecel float64 // largest deceleration the vehicle can apply (m/s²)
	MinGap         float64 // standstill gap s0 (m)
	Headway        float64 // desired time headway T (s)
	// Sigma is Krauss's driver imperfection in [0, 1]; IDM ignores it.
	Sigma float64
	// Delta is IDM's acceleration exponent δ (default 4).
	Delta float64

	twoSqrtAB float64 // 2·√(a·b), cached by Init
	delta4    bool    // Delta = 4 (IDM's default: its power as two squares), cached by Init
	// halfPerDecel and halfPerEmergency are 1/(2b) and 1/(2·EmergencyDecel)
	// (s²/m), cached by Init for CityFlow's rule.
	halfPerDecel, halfPerEmergency float64
}

// Init checks the parameters, fills defaults and caches derived values.
func (p *Params) Init() error {
	if p.Delta == 0 {
		p.Delta = 4
	}
	switch {
	case !finite(p.Accel, p.Decel, p.EmergencyDecel, p.MinGap, p.Headway, p.Delta):
		return fmt.Errorf("follow: parameters must be finite, have accel %g, decel %g, emergency decel %g, min gap %g, headway %g, delta %g", p.Accel, p.Decel, p.EmergencyDecel, p.MinGap, p.Headway, p.Delta)
	case !(p.Accel > 0), !(p.Decel > 0), !(p.EmergencyDecel >= p.Decel):
		return fmt.Errorf("follow: need accel > 0 and 0 < decel ≤ emergency decel, have %g, %g, %g", p.Accel, p.Decel, p.EmergencyDecel)
	case !(p.MinGap >= 0), !(p.Headway > 0), !(p.Sigma >= 0 && p.Sigma <= 1), !(p.Delta > 0):
		return fmt.Errorf("follow: need min gap ≥ 0, headway > 0, sigma in [0,1], delta > 0")
	}
	p.twoSqrtAB = 2 * math.Sqrt(p.Accel*p.Decel)
	p.delta4 = p.Delta == 4
	p.halfPerDecel, p.halfPerEmergency = 0.5/p.Decel, 0.5/p.EmergencyDecel
	return nil
}

// finite reports whether no x is ±Inf (NaN is left to the range checks).
func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// TwoSqrtAB returns 2·√(a·b) (m/s²), IDM's scale of the dynamic part of
// the desired gap, as Init cached it.
func (p *Params) TwoSqrtAB() float64 { return p.twoSqrtAB }

// Delta4 reports whether IDM's exponent δ is 4, as Init cached it: IDM's
// free-road term is then 1 − ((v/v0)²)², two squares.
func (p *Params) Delta4() bool { return p.delta4 }

// Situation is what a driver perceives at the start of a step.
type Situation struct {
	Speed float64 // own speed v (m/s)
	// Gap is the net distance to the leader's back, or to a stop point (m);
	// +Inf when the road ahead is free.
	Gap          float64
	LeaderSpeed  float64 // m/s; 0 for a stop point
	DesiredSpeed float64 // v0 (m/s): speed limit × speed factor, capped by the vehicle's maximum
	Step         float64 // step length Δt (s), > 0
	// Rand is a uniform draw in [0, 1) for stochastic models (those
	// implementing Random), drawn per vehicle and step from the seed; 0
	// for the others.
	Rand float64
}

// A Model returns the acceleration (m/s²) a driver wants in situation s,
// over a step of s.Step seconds. It must depend only on its arguments (a
// stochastic model draws on s.Rand, never on a generator of its own).
// Negative values brake. A model with per-type settings is a struct value
// holding them (as CACC's time gap); Params holds what every model shares.
//
// A new model is a type implementing Model plus a Register call, which
// makes it a value of the model key of scenario files; the engine calls it
// through this interface (only IDM, the default, has a direct path).
type Model interface {
	Accel(p *Params, s Situation) float64
}

// Random is implemented by models whose acceleration depends on
// Situation.Rand. The engine draws Rand (per vehicle and step, from the
// seed) only for models whose UsesRand reports true, and passes 0 to the
// others.
type Random interface {
	UsesRand() bool
}

// UsesRand reports whether m asks for Situation.Rand (see Random).
func UsesRand(m Model) bool {
	r, ok := m.(Random)
	return ok && r.UsesRand()
}

// PerStep returns x/dt, x a change over a step of dt seconds (a speed
// change, a distance): the same bits as the division, without one when
// dt is 1 s (x/1 is x), the step of most runs and of every CityFlow
// dataset. A division takes the time of a dozen multiplications, and the
// models and the engine divide by the step several times per vehicle and
// step.
func PerStep(x, dt float64) float64 {
	if dt == 1 {
		return x
	}
	return x / dt
}

// Holding is implemented by models that can say when a standing vehicle
// stays standing. HoldsStill reports, for parameters p, whether the
// model's acceleration is ≤ 0 for every vehicle at speed 0 behind a
// standing leader (or a stop point: LeaderSpeed 0) whose gap is at most
// p.MinGap, whatever the desired speed and the step. The engine then
// leaves such a vehicle standing without asking the model (most vehicles
// of a queue at a red light), so a model must only say true when the
// bound holds for every such situation; TestHoldsStill checks the
// built-ins.
type Holding interface {
	HoldsStill(p *Params) bool
}

// HoldsStill reports whether model m with parameters p keeps a standing
// vehicle standing behind a standing leader within p.MinGap (see
// Holding); false for models that do not implement Holding.
func HoldsStill(m Model, p *Params) bool {
	h, ok := m.(Holding)
	return ok && h.HoldsStill(p)
}

// registered lists the models scenario files may name, in registration
// order (the built-ins first). A slice, not a map: Names lists them in a
// fixed order.
var registered = []struct {
	name  string
	model Model
}{
	{"idm", IDM{}},
	{"krauss", Krauss{}},
	{"cityflow", CityFlow{}},
}

// Register makes model m known by name ("idm", "krauss" and "cityflow"
// are built in; CACC is not a driver model: the engine applies it between
// equipped vehicles when [v2x] enables it, cacc.go). Call it from an init
// function; it panics on an empty or taken name or a nil model, as
// registering twice is a programming error.
func Register(name string, m Model) {
	if name == "" || m == nil {
		panic("follow: Register needs a name and a model")
	}
	if _, err := ByName(name); err == nil {
		panic(fmt.Sprintf("follow: model %q registered twice", name))
	}
	registered = append(registered, struct {
		name  string
		model Model
	}{name, m})
}

// Names returns the registered model names in registration order.
func Names() []string {
	names := make([]string, len(registered))
	for i, r := range registered {
		names[i] = r.name
	}
	return names
}

// ByName returns the model registered as name; "" is IDM, the default.
func ByName(name string) (Model, error) {
	if name == "" {
		return IDM{}, nil
	}
	for _, r := range registered {
		if r.name == name {
			return r.model, nil
		}
	}
	return nil, fmt.Errorf("follow: unknown model %q (want %s)", name, strings.Join(Names(), ", "))
}
