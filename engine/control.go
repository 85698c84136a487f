package engine

import (
	"fmt"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// Plant returns the signal plant of node v (its controller, guard, phase
// and counters), or nil when v is not signalised. Change it between steps
// only. (The caller may change it at any time after: from then on, the
// signal phase updates every plant at every step; see signalSleep.)
func (s *Sim) Plant(v maps.NodeID) *signal.Plant {
	s.sleep.never = true
	return s.plantOf(v)
}

// plantOf returns the plant of node v (nil when there is none) for the
// engine to change between steps: the next signal phase updates every
// plant (wakeSignals).
func (s *Sim) plantOf(v maps.NodeID) *signal.Plant {
	if v < 0 || int(v) >= len(s.nodes) {
		return nil
	}
	s.wakeSignals()
	return s.nodes[v].plant
}

// SetController gives signalised node v a new controller from the next
// step on; the signal state (phase, stage, timers) carries on, so the
// change is safe at any time.
func (s *Sim) SetController(v maps.NodeID, c Controller) error {
	p := s.plantOf(v)
	if p == nil {
		return fmt.Errorf("engine: node %d is not signalised", v)
	}
	if c == nil {
		c = signal.FixedTime{}
	}
	p.SetController(c)
	s.updateSensorsOn()
	return nil
}

// needsSensors reports whether a plant reads its junction's sensors: a
// fixed-time controller does not, unless the guard's maximum red needs to
// know about waiting vehicles.
func needsSensors(p *signal.Plant) bool {
	if p.Guard.MaxRed > 0 {
		return true
	}
	switch p.Ctrl.(type) {
	case signal.FixedTime, *signal.FixedTime:
		return false
	}
	return true
}

// GuardCounts returns, over all plants, the requests the guard refused and
// the changes it forced.
func (s *Sim) GuardCounts() (refused, forced int64) {
	for i := range s.nodes {
		if p := s.nodes[i].plant; p != nil {
			refused += p.Refused
			forced += p.Forced
		}
	}
	return
}

// Err returns an error when the configuration asks for a strict guard and
// some controller request was refused or overridden.
func (s *Sim) Err() error {
	if !s.cfg.StrictGuard {
		return nil
	}
	for i := range s.nodes {
		if p := s.nodes[i].plant; p != nil && (p.Refused > 0 || p.Forced > 0) {
			return fmt.Errorf("engine: node %s: the signal guard refused %d and forced %d controller decisions (strict guard)",
				s.net.Nodes[i].ID, p.Refused, p.Forced)
		}
	}
	return nil
}

// LaneStat is the per-lane statistics since the warm-up ended.
type LaneStat struct {
	Entered  int64   // vehicles that entered the lane
	Left     int64   // vehicles that crossed its stop line into a link
	Stops    int64   // vehicles that came to a halt on it
	Lost     float64 // time lost against desired speeds (s)
	VehSteps float64 // vehicle-steps on it
}

// LaneStats returns the statistics of every road lane (indexed by
// maps.LaneID). Read it between steps.
func (s *Sim) LaneStats() []LaneStat {
	out := make([]LaneStat, s.nLanes)
	for i := 0; i < s.nLanes; i++ {
		a := &s.acc[i]
		out[i] = LaneStat{Entered: int64(a.entered), Stops: int64(a.stops), Lost: a.lost, VehSteps: a.vehSteps}
	}
	for k := s.nLanes; k < len(s.segs); k++ {
		out[s.fromOf(int32(k))].Left += int64(s.acc[k].entered)
	}
	return out
}
