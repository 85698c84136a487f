package scenarios

import (
	"path/filepath"
	"strings"
)

// Defaults for keys a scenario leaves unset. README.md lists them too; the vehicle-type defaults are those of [PassengerCar].
const (
	DefaultStep                = 1.0             // step, s
	DefaultOutputInterval      = 60.0            // output.interval, s
	DefaultScale               = 1.0             // demand.scale
	DefaultDistribution        = "poisson"       // distribution of flows, random trips and OD matrices
	DefaultPolicy              = PolicyFixedTime // signals.policy
	DefaultTeleport            = 300.0           // driving.teleport, s
	DefaultPoliteness          = 0.2             // driving.politeness
	DefaultLaneChangeThreshold = 0.2             // driving.lane_change_threshold, m/s²
	DefaultOutputRoot          = "out"           // output.dir is DefaultOutputRoot/<name>
	DefaultName                = "scenario"      // name when the file name gives none

	DefaultGridBlock = 200.0 // network.grid.block, m
	DefaultGridLanes = 2     // network.grid.lanes, per direction
	DefaultGridSpeed = 13.89 // network.grid.speed, m/s (50 km/h)

	DefaultKraussSigma = 0.5 // sigma of a krauss vehicle type
)

// Signal defaults (the [signals] tables but the policies'; see the
// policy_*.go files and package engine/signal for those).
const (
	DefaultGuardMinGreen = 5.0      // signals.guard.min_green, s
	DefaultLoopOffset    = 25.0     // signals.detectors.loop_offset, m
	MaxSignalTime        = 3600.0   // upper bound of any signal time key, s
	MaxChangeTime        = 20.0     // upper bound of yellow and all_red, s
	MaxSaturation        = 10000.0  // signals.webster.saturation, veh/h per lane
	MaxDetectorDistance  = 10000.0  // signals.detectors keys, m
	GroupPrefix          = "group:" // a junction list entry naming a group of signals.groups
)

// The built-in car-following models a vehicle type may name (follow.Names
// lists every registered model: follow.Register adds one).
const (
	ModelIDM      = "idm"
	ModelKrauss   = "krauss"
	ModelCityFlow = "cityflow"
)

// Step methods ([driving] step_method).
const (
	StepEuler     = "euler"
	StepBallistic = "ballistic"
)

// StepMethods and Distributions are the values Validate accepts for
// driving.step_method and the distribution keys (follow.Names lists the
// car-following models, PolicyNames the signal policies).
var (
	StepMethods   = []string{StepEuler, StepBallistic}
	Distributions = []string{"poisson", "uniform"}
)

// PassengerCar returns the default vehicle type, a passenger car driven by
// IDM. ApplyDefaults uses it when a scenario lists no vehicle type, and
// takes every unset parameter of a listed type from it.
func PassengerCar() VehicleType {
	return VehicleType{
		ID:             "car",
		Share:          1,
		Model:          ModelIDM,
		Length:         5.0,      // m
		Accel:          2.6,      // m/s²
		Decel:          4.5,      // m/s²
		EmergencyDecel: 9.0,      // m/s²
		MinGap:         ptr(2.5), // m
		Headway:        1.0,      // s
		MaxSpeed:       50.0,     // m/s
		Sigma:          ptr(0.0),
	}
}

// DefaultSpeedFactor returns the values that fill the unset keys of a
// speed_factor table. Scenarios without the table use no speed factor.
func DefaultSpeedFactor() SpeedFactor {
	return SpeedFactor{Mean: 1, Dev: 0, Min: 0.2, Max: 2}
}

// ApplyDefaults fills every unset key with its documented default: a nil
// pointer, or the zero value of a key for which 0 is not allowed (see
// Scenario). It is idempotent. Load and Parse call it; call it yourself on
// a Scenario built in code before Validate.
func (s *Scenario) ApplyDefaults() {
	def(&s.Step, DefaultStep)
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(s.path), filepath.Ext(s.path))
		if s.Name == "" || s.Name == "." || s.Name == string(filepath.Separator) {
			s.Name = DefaultName
		}
	}
	def(&s.Network.DrivingSide, "auto")
	if g := s.Network.Grid; g != nil {
		def(&g.Block, DefaultGridBlock)
		def(&g.Lanes, DefaultGridLanes)
		def(&g.Speed, DefaultGridSpeed)
	}

	if len(s.VTypes) == 0 {
		s.VTypes = []VehicleType{PassengerCar()}
	}
	car := PassengerCar()
	for i := range s.VTypes {
		v := &s.VTypes[i]
		def(&v.Share, car.Share)
		def(&v.Model, car.Model)
		def(&v.Length, car.Length)
		def(&v.Accel, car.Accel)
		def(&v.Decel, car.Decel)
		def(&v.EmergencyDecel, car.EmergencyDecel)
		setDefault(&v.MinGap, *car.MinGap)
		def(&v.Headway, car.Headway)
		def(&v.MaxSpeed, car.MaxSpeed)
		if v.Model == ModelKrauss {
			setDefault(&v.Sigma, DefaultKraussSigma)
		}
		setDefault(&v.Sigma, *car.Sigma)
		if f := v.SpeedFactor; f != nil {
			d := DefaultSpeedFactor()
			def(&f.Mean, d.Mean)
			def(&f.Min, d.Min)
			def(&f.Max, d.Max)
		}
	}

	d := &s.Demand
	setDefault(&d.Scale, DefaultScale)
	for i := range d.Flows {
		f := &d.Flows[i]
		def(&f.Distribution, DefaultDistribution)
		def(&f.End, s.Duration)
	}
	for i := range d.Random {
		r := &d.Random[i]
		def(&r.Distribution, DefaultDistribution)
		def(&r.End, s.Duration)
	}
	for i := range d.OD {
		m := &d.OD[i]
		def(&m.Distribution, DefaultDistribution)
		def(&m.End, s.Duration)
	}

	s.Signals.applyDefaults()
	if s.V2X != nil {
		s.V2X.applyDefaults() // v2x.go
	}

	setDefault(&s.Driving.Teleport, DefaultTeleport)
	if s.Demand.CityFlow != "" {
		// CityFlow's vehicles, moved as CityFlow moves them.
		def(&d.CityFlowModel, ModelCityFlow)
		def(&s.Driving.StepMethod, StepBallistic)
	}
	def(&s.Driving.StepMethod, StepEuler)
	setDefault(&s.Driving.Politeness, DefaultPoliteness)
	setDefault(&s.Driving.LaneChangeThreshold, DefaultLaneChangeThreshold)

	s.Limits.applyDefaults() // limits.go

	o := &s.Output
	def(&o.Dir, filepath.Join(DefaultOutputRoot, s.Name))
	def(&o.Interval, DefaultOutputInterval)
	for _, b := range []**bool{&o.Trips, &o.TimeSeries, &o.Roads, &o.Summary, &o.Junctions} {
		if *b == nil {
			*b = ptr(true)
		}
	}
	if o.Detectors == nil {
		o.Detectors = ptr(false)
	}
	if f := o.FCD; f != nil {
		def(&f.Interval, s.Step)
		def(&f.Format, "csv")
	}
}

func (g *Signals) applyDefaults() {
	def(&g.Policy, DefaultPolicy)
	setDefault(&g.Guard.MinGreen, DefaultGuardMinGreen)
	for _, d := range policies() {
		d.defaults(g.params(d))
	}
	// SOTL's ω is the loop offset (signal.SOTL).
	def(&g.Detectors.LoopOffset, paramsOf[SOTLParams](g, "sotl").Omega)
	def(&g.Detectors.LoopOffset, DefaultLoopOffset)
}

// def sets *p to v if *p is the zero value (a key for which 0 is not
// allowed and means unset).
func def[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// setDefault points *p at v if it is nil (an unset key whose allowed
// values include 0).
func setDefault[T any](p **T, v T) {
	if *p == nil {
		*p = &v
	}
}

func ptr[T any](v T) *T { return &v }
