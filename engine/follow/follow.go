package follow

import (
	"fmt"
	"math"
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
}

// Init checks the parameters, fills defaults and caches derived values.
func (p *Params) Init() error {
	if p.Delta == 0 {
		p.Delta = 4
	}
	switch {
	case !(p.Accel > 0), !(p.Decel > 0), !(p.EmergencyDecel >= p.Decel):
		return fmt.Errorf("follow: need accel > 0 and 0 < decel ≤ emergency decel, have %g, %g, %g", p.Accel, p.Decel, p.EmergencyDecel)
	case !(p.MinGap >= 0), !(p.Headway > 0), !(p.Sigma >= 0 && p.Sigma <= 1), !(p.Delta > 0):
		return fmt.Errorf("follow: need min gap ≥ 0, headway > 0, sigma in [0,1], delta > 0")
	}
	p.twoSqrtAB = 2 * math.Sqrt(p.Accel*p.Decel)
	return nil
}

// Situation is what a driver perceives at the start of a step.
type Situation struct {
	Speed float64 // own speed v (m/s)
	// Gap is the net distance to the leader's back, or to a stop point (m);
	// +Inf when the road ahead is free.
	Gap          float64
	LeaderSpeed  float64 // m/s; 0 for a stop point
	DesiredSpeed float64 // v0 (m/s): speed limit × speed factor, capped by the vehicle's maximum
	Step         float64 // step length Δt (s)
	// Rand is a uniform draw in [0, 1) for stochastic models, drawn per
	// vehicle and step from the seed.
	Rand float64
}

// A Model returns the acceleration (m/s²) a driver wants in situation s.
// It must depend only on its arguments. Negative values brake.
type Model interface {
	Accel(p *Params, s Situation) float64
}

// Kind names a Model in scenario files. CACC is not one: the engine
// applies it between equipped vehicles when [v2x] enables it (cacc.go).
type Kind uint8

// The models.
const (
	KindIDM Kind = iota
	KindKrauss
	KindCityFlow
)

// ByName returns the model named "idm", "krauss" or "cityflow".
func ByName(name string) (Kind, Model, error) {
	switch name {
	case "", "idm":
		return KindIDM, IDM{}, nil
	case "krauss":
		return KindKrauss, Krauss{}, nil
	case "cityflow":
		return KindCityFlow, CityFlow{}, nil
	}
	return 0, nil, fmt.Errorf("follow: unknown model %q (want idm, krauss or cityflow)", name)
}
