package engine

import (
	"errors"
	"fmt"
	"math"

	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/internal/fminmax"
	"github.com/citytwin/citytwin/maps"
)

// Config holds the engine settings of one run. Times are in seconds.
type Config struct {
	// Step is the step length Δt, from 0.1 to 1.0 s.
	Step float64
	// Seed drives every random draw; the same seed gives the same run.
	Seed uint64
	// Workers is the number of goroutines stepping the network; 0 means
	// runtime.NumCPU(). Results do not depend on it.
	Workers int
	// MinParallel is the least number of running vehicles for which a
	// step hands its phases to several workers (below it the calling
	// goroutine runs them: cheaper on small networks). 0 means 600; a
	// negative value always runs them in parallel. Results do not depend
	// on it.
	MinParallel int
	// Warmup is the initial time excluded from statistics (s).
	Warmup float64
	// Teleport is the time-to-teleport (s): a vehicle that has stood at
	// the front of its lane for this long, blocked by something other than
	// a red light, jumps ahead along its route. 0 or less disables it.
	Teleport float64
	// Ballistic moves vehicles by the mean of their speeds at the start
	// and the end of a step, Δx = (v + v')·Δt/2 (SUMO's
	// --step-method.ballistic; CityFlow's only update); otherwise by the
	// new speed, Δx = v'·Δt (Euler, SUMO's default).
	Ballistic bool
	// FixedLanes keeps every vehicle in the lane it enters, as CityFlow
	// does with laneChange false: no lane changes at all, strategic ones
	// included. Each junction still puts a vehicle on a lane of the next
	// road that serves the turn after (Sim's usual choice), and a vehicle
	// whose exit lane is full waits at its line for it rather than take
	// another lane. A vehicle that ends up on a lane not leading to its
	// next road (a closed lane, a given departure lane) takes a road its
	// lane does lead to and is rerouted from there.
	FixedLanes bool
	// LaneChange enables discretionary lane changes (MOBIL). Strategic
	// changes, needed to follow the route, always happen.
	LaneChange bool
	// Politeness is MOBIL's politeness factor p in [0, 1].
	Politeness float64
	// LaneChangeThreshold is MOBIL's Δa_th (m/s²).
	LaneChangeThreshold float64
	// Interval is the time-series interval (s).
	Interval float64
	// VTypes lists the vehicle types; Trip.VType indexes it.
	VTypes []VType
	// LoopOffset is the distance (m) of every lane's induction loop
	// before its stop line; 0 means DefaultLoopOffset.
	LoopOffset float64
	// AreaLength is the length (m) of the lane-area detectors at the end
	// of every lane; 0 means the whole lane.
	AreaLength float64
	// V2X, when set, enables connected vehicles and roadside units.
	V2X *V2X
	// Guard, when set, replaces signal.DefaultGuard for every plant.
	Guard *signal.Guard
	// StrictGuard makes any request the guard refuses or overrides an
	// error (see Sim.Err).
	StrictGuard bool
	// Controllers, when set, returns the controller of a signalised node
	// (nil: the node's fixed-time program). It is called once per node by
	// New, in node order.
	Controllers func(n maps.NodeID) Controller
}

// VType is a vehicle type.
type VType struct {
	ID       string
	Length   float64 // m
	MaxSpeed float64 // m/s
	// Model is the car-following model (follow.ByName gives the one a
	// scenario names); nil means follow.IDM{}. Models that implement
	// follow.Random get a uniform draw per vehicle and step from the
	// seed (stream streamDawdle), the others none.
	Model  follow.Model
	Follow follow.Params
	// SpeedFactor is drawn once per vehicle; the desired speed is
	// min(speed limit × factor, MaxSpeed).
	SpeedFactor Normal
	// Connected is the share of vehicles of this type equipped for V2X
	// (0..1), drawn per vehicle from the seed.
	Connected float64

	fuel FuelModel
	// direct selects modelAccel's direct call for the built-in models
	// of the benchmarks (none: through the interface), and drawsRand
	// caches follow.UsesRand(Model); holds says that a standing vehicle
	// of the type stays standing behind a standing obstacle within its
	// minimum gap (follow.HoldsStill; never for models that draw), and
	// holdGap (m) within what gap: the minimum gap, or for CityFlow's rule
	// called directly the wider follow.CityFlowHoldGap at the run's step.
	// Config.check sets them.
	direct    directModel
	drawsRand bool
	holds     bool
	holdGap   float64
	// zone0 and zoneDt are the terms of approachZone that depend on the
	// type and the run's step alone, for beyondZoneT: zoneFloor, and the
	// step plus the headway. Config.check sets them.
	zone0, zoneDt float64
}

// desired returns the desired speed (m/s) on a segment with speed limit
// limit (m/s) of a vehicle of this type with speed factor factor:
// min(limit × factor, MaxSpeed).
func (vt *VType) desired(limit float64, factor float32) float64 {
	return fminmax.Min(limit*float64(factor), vt.MaxSpeed)
}

// Normal is a normal distribution truncated to [Min, Max].
type Normal struct{ Mean, Dev, Min, Max float64 }

// DefaultCar is a passenger car: IDM with SUMO's default car parameters
// (accel 2.6 m/s², decel 4.5 m/s², emergency 9 m/s², min gap 2.5 m) and a
// 1.0 s headway.
func DefaultCar() VType {
	return VType{
		ID: "car", Length: 5, MaxSpeed: 50, Model: follow.IDM{},
		Follow:      follow.Params{Accel: 2.6, Decel: 4.5, EmergencyDecel: 9, MinGap: 2.5, Headway: 1.0},
		SpeedFactor: Normal{Mean: 1, Dev: 0, Min: 0.2, Max: 2},
	}
}

// DefaultConfig returns the defaults: 1 s steps, teleport after 300 s,
// MOBIL lane changes with p = 0.2 and Δa_th = 0.2 m/s², 60 s intervals and
// one vehicle type, DefaultCar.
func DefaultConfig() Config {
	return Config{Step: 1, Teleport: 300, LaneChange: true, Politeness: 0.2, LaneChangeThreshold: 0.2,
		Interval: 60, VTypes: []VType{DefaultCar()}}
}

func (c *Config) check() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if !(c.Step >= 0.1-1e-9 && c.Step <= 1+1e-9) {
		bad("step %g s not in [0.1, 1.0]", c.Step)
	}
	if c.Workers < 0 {
		bad("workers %d is negative", c.Workers)
	}
	if !(c.Warmup >= 0) || math.IsInf(c.Warmup, 0) {
		bad("warmup %g s is not a non-negative time", c.Warmup)
	}
	if !(c.Interval > 0) || math.IsInf(c.Interval, 0) {
		bad("interval %g s must be positive", c.Interval)
	}
	if !(c.Politeness >= 0 && c.Politeness <= 1) {
		bad("politeness %g not in [0, 1]", c.Politeness)
	}
	if len(c.VTypes) == 0 {
		bad("no vehicle types")
	}
	for i := range c.VTypes {
		t := &c.VTypes[i]
		if t.Model == nil {
			t.Model = follow.IDM{}
		}
		t.direct = directFor(t.Model)
		t.drawsRand = follow.UsesRand(t.Model)
		if err := t.Follow.Init(); err != nil {
			bad("vehicle type %q: %v", t.ID, err)
		}
		if t.direct == directIDM && t.Follow.Delta4() {
			t.direct = directIDM4 // IDM's default δ: follow.IDM4Step
		}
		t.holds = !t.drawsRand && follow.HoldsStill(t.Model, &t.Follow)
		t.holdGap = t.Follow.MinGap
		t.zone0, t.zoneDt = zoneFloor(t), c.Step+t.Follow.Headway
		if t.holds && t.direct == directCityFlow {
			t.holdGap = follow.CityFlowHoldGap(&t.Follow, c.Step)
		}
		if !(t.Length > 0 && t.Length <= 30) || !(t.MaxSpeed > 0 && t.MaxSpeed <= 80) {
			bad("vehicle type %q: length %g m or max speed %g m/s out of range", t.ID, t.Length, t.MaxSpeed)
		}
		sf := t.SpeedFactor
		if !(sf.Min > 0 && sf.Min <= sf.Mean && sf.Mean <= sf.Max && sf.Dev >= 0) {
			bad("vehicle type %q: speed factor needs 0 < min ≤ mean ≤ max and dev ≥ 0", t.ID)
		}
		if !(t.Connected >= 0 && t.Connected <= 1) {
			bad("vehicle type %q: connected share %g not in [0, 1]", t.ID, t.Connected)
		}
		t.fuel = fuelFor(t)
	}
	return errors.Join(errs...)
}

// Trip is one vehicle's journey: it departs (enters the network) at Depart
// on road From and leaves at the end of road To.
type Trip struct {
	// ID is the external name used in outputs; empty means the index.
	ID     string
	Depart float64 // s
	From   maps.RoadID
	To     maps.RoadID
	VType  int // index into Config.VTypes
	// Route, when set, is the road sequence to follow (From first, To
	// last); otherwise the router's fastest route is used.
	Route maps.Route
	// DepartLane chooses the lane of road From the vehicle enters on
	// (SUMO's departLane); the zero value is DepartLaneBest.
	DepartLane DepartLane
	// LaneIndex is the departure lane with DepartLaneIndex: an index into
	// the Lanes of road From (0 = leftmost).
	LaneIndex int
	// DepartSpeed chooses the speed it enters with (SUMO's departSpeed);
	// the zero value is DepartSpeedMax.
	DepartSpeed DepartSpeed
	// Speed is the departure speed (m/s) with DepartSpeedGiven.
	Speed float64
}

// DepartLane says how a vehicle's departure lane is chosen. Whatever the
// choice, a vehicle waits for its lane: vehicles enter a lane in the order
// their departure times came, and one waiting for a full lane holds back
// only the vehicles that would take that lane (CityFlow keeps a waiting
// buffer per lane; SUMO inserts lane by lane).
type DepartLane uint8

// Departure lane choices.
const (
	// DepartLaneBest: any lane of the first road that leads to the next
	// road of the route, the one with the most room when several have
	// room (SUMO's departLane="best", roughly; CityTwin's default).
	DepartLaneBest DepartLane = iota
	// DepartLaneRandom: one lane drawn per vehicle, uniformly among those
	// leading to the next road (CityFlow's choice: Router::getFirstDrivable).
	DepartLaneRandom
	// DepartLaneIndex: the lane Trip.LaneIndex, whether or not it leads
	// to the next road (the vehicle then changes lanes). While that lane
	// is closed the vehicle takes the best lane instead.
	DepartLaneIndex
)

// DepartSpeed says how a vehicle's departure speed is chosen. It is
// always lowered, if needed, so that the vehicle keeps a safe distance to
// the last vehicle on its lane and can stop comfortably before the lane's
// end.
type DepartSpeed uint8

// Departure speed choices.
const (
	// DepartSpeedMax: as fast as is safe, up to the desired speed (SUMO's
	// departSpeed="max"; CityTwin's default).
	DepartSpeedMax DepartSpeed = iota
	// DepartSpeedGiven: Trip.Speed (SUMO's numeric departSpeed; 0 is
	// SUMO's default and CityFlow's only choice).
	DepartSpeedGiven
)

// checkDepart reports a departure lane or speed that trip t cannot have
// on net.
func checkDepart(net *maps.Network, t *Trip) error {
	switch t.DepartLane {
	case DepartLaneBest, DepartLaneRandom:
	case DepartLaneIndex:
		if n := len(net.Roads[t.From].Lanes); t.LaneIndex < 0 || t.LaneIndex >= n {
			return fmt.Errorf("departure lane %d does not exist: road %s has lanes 0 to %d", t.LaneIndex, net.Roads[t.From].ID, n-1)
		}
	default:
		return fmt.Errorf("departure lane choice %d is unknown", t.DepartLane)
	}
	switch t.DepartSpeed {
	case DepartSpeedMax:
	case DepartSpeedGiven:
		if !(t.Speed >= 0) || math.IsInf(t.Speed, 0) {
			return fmt.Errorf("departure speed %g m/s is not a speed", t.Speed)
		}
	default:
		return fmt.Errorf("departure speed choice %d is unknown", t.DepartSpeed)
	}
	return nil
}
