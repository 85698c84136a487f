package engine

import (
	"fmt"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// SetProgram gives signalised node v the signal program p from the next
// step on, in place of the network's (for example a copy with another
// yellow time). The program is checked against the node's conflict
// matrix first (signal.CheckProgram): it must have one signal per
// movement and never give exclusive movements green together. The plant's
// state carries on, so the program must have the phase the signal is in
// (any program will do before the first step). Call it between steps
// only; p must not change afterwards.
func (s *Sim) SetProgram(v maps.NodeID, p *maps.Program) error {
	pl := s.plantOf(v)
	if pl == nil {
		return fmt.Errorf("engine: node %d is not signalised", v)
	}
	nd := &s.net.Nodes[v]
	if err := signal.CheckProgram(p, nd.Conflicts); err != nil {
		return fmt.Errorf("engine: node %s: %w", nd.ID, err)
	}
	if st := pl.State(); st.Phase >= len(p.Phases) || st.Next >= len(p.Phases) {
		return fmt.Errorf("engine: node %s: the signal is in phase %d, which a program of %d phases does not have", nd.ID, max(st.Phase, st.Next), len(p.Phases))
	}
	pl.Program = p
	return nil
}
