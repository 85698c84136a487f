package engine

import "github.com/citytwin/citytwin/maps"

// NeedsSensors exposes needsSensors for node v's plant to the external
// test package (phaseSignals asks the plant for a quiet update first).
func (s *Sim) NeedsSensors(v maps.NodeID) bool { return needsSensors(s.Plant(v)) }

// SignalsAsleep reports whether the signal phase skipped the last step
// (signalSleep) and has not woken since.
func (s *Sim) SignalsAsleep() bool { return s.sleep.slept }
