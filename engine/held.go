package engine

import (
	"fmt"
	"slices"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// HoldLights sets the lights of node v's movements (lights[i] is the light
// of the node's movement with Local index i) from the next step on, in
// place of what its signal plant would show, until ReleaseLights. It
// serves controllers that decide every signal themselves outside the
// engine, such as a TraCI client's setRedYellowGreenState or the SUMO
// programs the TraCI server runs (twin/traci). The plant stands still
// while the node is held: its phase, timers and counters resume where
// they were on release. The engine's junction rules (yielding to foes,
// not blocking the box) apply under any lights. Call it between steps
// only; lights is copied.
func (s *Sim) HoldLights(v maps.NodeID, lights []signal.Light) error {
	if v < 0 || int(v) >= len(s.nodes) {
		return fmt.Errorf("engine: node %d does not exist", v)
	}
	ns := &s.nodes[v]
	if len(lights) != int(ns.movN) {
		return fmt.Errorf("engine: node %s has %d movements, %d lights given", s.net.Nodes[v].ID, ns.movN, len(lights))
	}
	for i, l := range lights {
		if l > signal.GreenMinor {
			return fmt.Errorf("engine: node %s: movement %d: %v is not a light", s.net.Nodes[v].ID, i, l)
		}
	}
	s.wakeSignals()
	ns.held = append(ns.held[:0], lights...)
	if ns.held == nil {
		ns.held = []signal.Light{}
	}
	return nil
}

// ReleaseLights hands node v's lights back to its signal plant (or, for
// an unsignalised node, to the priority rules) from the next step on.
func (s *Sim) ReleaseLights(v maps.NodeID) {
	if v < 0 || int(v) >= len(s.nodes) {
		return
	}
	ns := &s.nodes[v]
	if ns.held == nil {
		return
	}
	s.wakeSignals()
	ns.held = nil
	if ns.plant == nil {
		for k := ns.movLo; k < ns.movLo+ns.movN; k++ {
			s.lights[k] = signal.GreenMinor
		}
	}
}

// Held reports whether node v's lights are held (HoldLights).
func (s *Sim) Held(v maps.NodeID) bool {
	return v >= 0 && int(v) < len(s.nodes) && s.nodes[v].held != nil
}

// VehicleSpeedFactor returns the desired-speed factor drawn for vehicle id
// (its desired speed is min(speed limit × factor, the type's MaxSpeed)),
// or 0 when id does not exist.
func (s *Sim) VehicleSpeedFactor(id int32) float64 {
	if id < 0 || int(id) >= len(s.veh) {
		return 0
	}
	return float64(s.veh[id].factor)
}

// WaitingToEnter appends to dst the ids of the vehicles whose departure
// time has come but that have not entered the network yet (no room on
// their first lane), in increasing id order, and returns it.
func (s *Sim) WaitingToEnter(dst []int32) []int32 {
	n := len(dst)
	for _, r := range s.waitRoads {
		dst = append(dst, s.waiting[r]...)
	}
	slices.Sort(dst[n:])
	return dst
}
