package engine

import "github.com/citytwin/citytwin/engine/follow"

// modelAccel returns the acceleration (m/s²) the vehicle type's
// car-following model wants over a step of dt seconds at speed v (m/s),
// gap metres behind a leader moving at vl (m/s; gap +Inf: free road), with
// desired speed v0 (m/s); rnd is the model's uniform draw (see
// VType.Model; 0 for models that take none).
//
// Every model is called through the follow.Model interface, so a new
// model needs no change here, except the two built-ins that the
// benchmarks run, which are called directly (no interface dispatch, no
// Situation built): IDM, the default (follow.IDMStep, IDMAccel's formula
// and the step limit IDMStepLimit in one body: what follow.IDM.Accel
// computes; for δ = 4, follow.IDM4Step, the same steps in a function that
// calls nothing and so runs without a frame), and
// CityFlow's model on the CityFlow datasets (follow.CityFlowAccel, what
// follow.CityFlow.Accel computes). The direct path is chosen once by
// Config.check from the model's concrete type (directFor): testing a
// cached byte costs less than comparing type words on every call.
func modelAccel(vt *VType, v, gap, vl, v0, dt, rnd float64) float64 {
	switch vt.direct {
	case directIDM4:
		return follow.IDM4Step(&vt.Follow, v, gap, vl, v0, dt)
	case directCityFlow:
		return follow.CityFlowAccel(&vt.Follow, v, gap, vl, v0, dt)
	case directIDM:
		return follow.IDMStep(&vt.Follow, v, gap, vl, v0, dt)
	}
	return vt.Model.Accel(&vt.Follow, follow.Situation{Speed: v, Gap: gap, LeaderSpeed: vl, DesiredSpeed: v0, Step: dt, Rand: rnd})
}

// directModel names modelAccel's direct calls.
type directModel uint8

const (
	directNone directModel = 0 // through follow.Model
	// directIDM4 is IDM with δ = 4, its default (follow.IDM4Step), set by
	// Config.check for a type of directIDM whose parameters have it. (The
	// least value: modelAccel's switch, which the compiler orders by value,
	// tests it first.)
	directIDM4     directModel = 1
	directCityFlow directModel = 2 // follow.CityFlowAccel
	directIDM      directModel = 3 // follow.IDMStep, any δ
)

// idm reports whether d is a direct call of IDM, whatever δ (directIDM or
// directIDM4: bit 0, which directCityFlow has not).
func (d directModel) idm() bool { return d&1 != 0 }

// directFor returns the direct call for model m: one for the concrete
// types follow.IDM and follow.CityFlow, none for any other model.
func directFor(m follow.Model) directModel {
	switch m.(type) {
	case follow.IDM:
		return directIDM
	case follow.CityFlow:
		return directCityFlow
	}
	return directNone
}
