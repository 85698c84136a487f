package live

import (
	"fmt"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// Frame is the state of every simulation of a Runner at one instant. The
// viewer owns the frame Take returned until its next Take.
type Frame struct {
	// Snaps holds one snapshot per simulation, in Runner order, all at the
	// same simulation time.
	Snaps []engine.Snapshot
	// Queues holds, per simulation and lane (maps.LaneID), the length of
	// the standing queue back from the stop line (m), from the engine's
	// lane-area detectors.
	Queues [][]float64
	// Vehicles and Junctions describe what the viewer asked to inspect
	// (Runner.Inspect), one per simulation; zero when nothing is asked.
	Vehicles  []VehicleInfo
	Junctions []JunctionInfo
	// RSUs lists, per simulation, the junctions with a roadside unit.
	RSUs   [][]maps.NodeID
	Status Status
}

// Status is the runner's clock and speed.
type Status struct {
	Paused bool
	// Speed is the speed multiplier asked for (simulated s per wall s);
	// 0 means as fast as possible.
	Speed float64
	// StepRate is the measured rate (steps per wall second, per
	// simulation) and RealTime the measured real-time factor (simulated s
	// per wall s), over the last second or so.
	StepRate, RealTime float64
	// End is the time (s) at which the runner pauses; Ended is true once
	// it has.
	End   float64
	Ended bool
	// Frames counts the frames published so far.
	Frames int64
}

// VehicleInfo is an inspected vehicle.
type VehicleInfo struct {
	ID    int32 // -1: none asked
	Trip  engine.TripRecord
	Route []string // road ids
	// RouteIndex is the index in Route of the vehicle's current road.
	RouteIndex int
}

// JunctionInfo is an inspected junction.
type JunctionInfo struct {
	Node maps.NodeID // maps.None: none asked
	ID   string
	Kind maps.NodeKind
	// Controller is the name of the junction's policy, as scenarios and
	// the live API name it ("fixed_time", "max_pressure" ...); Held is
	// set while a force_phase holds the junction.
	Controller string
	Held       bool
	// Phase, Next and Stage are the plant's state, phases counted from 0
	// as in scenarios and the live API (Phases is their number); StageFor
	// is the time (s) in the current stage and GreenFor the time Phase
	// has been green.
	Phase, Next, Phases int
	Stage               signal.Stage
	StageFor, GreenFor  float64
	// Lights lists the movement lights in Local order (signal.Light
	// letters: r y G g).
	Lights     string
	Approaches []Approach
}

// Approach is one incoming road of an inspected junction, from its
// lane-area detectors.
type Approach struct {
	Road              string
	Vehicles, Halting int
	Queue             float64 // m, longest standing queue over its lanes
}

// Lines formats the vehicle for an inspector panel.
func (v *VehicleInfo) Lines() []string {
	t := &v.Trip
	out := []string{
		fmt.Sprintf("vehicle %d  %s  (%s)", v.ID, t.ID, t.VType),
		fmt.Sprintf("status %s  %s -> %s", t.Status, t.Origin, t.Destination),
		fmt.Sprintf("departed %.0f s  route %.0f m  stops %d  stood %.0f s", t.Depart, t.RouteLength, t.Stops, t.Waiting),
	}
	if t.Arrival >= 0 {
		out = append(out, fmt.Sprintf("arrived %.0f s  travel %.0f s  delay %.0f s", t.Arrival, t.TravelTime, t.Delay))
	}
	if len(v.Route) > 0 {
		i := min(max(v.RouteIndex, 0), len(v.Route)-1)
		lo, hi := max(0, i-1), min(len(v.Route), i+4)
		r := strings.Join(v.Route[lo:i], " ")
		if r != "" {
			r += " "
		}
		r += "[" + v.Route[i] + "]"
		if i+1 < hi {
			r += " " + strings.Join(v.Route[i+1:hi], " ")
		}
		if hi < len(v.Route) {
			r += " ..."
		}
		out = append(out, fmt.Sprintf("road %d/%d: %s", i+1, len(v.Route), r))
	}
	return out
}

// Lines formats the junction for an inspector panel.
func (j *JunctionInfo) Lines() []string {
	out := []string{fmt.Sprintf("junction %s (%v)", j.ID, j.Kind)}
	if j.Controller != "" {
		policy := "policy " + j.Controller
		if j.Held {
			policy += " (phase held by force_phase)"
		}
		out = append(out, policy,
			fmt.Sprintf("phase %d of 0-%d, %v for %.0f s (green %.0f s), next %d", j.Phase, j.Phases-1, j.Stage, j.StageFor, j.GreenFor, j.Next),
			"lights "+j.Lights)
	}
	for _, a := range j.Approaches {
		out = append(out, fmt.Sprintf("  from %-14s %3d veh %3d halting  queue %4.0f m", a.Road, a.Vehicles, a.Halting, a.Queue))
	}
	return out
}
