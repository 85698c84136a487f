package maps

import (
	"fmt"
	"math"
)

// Check verifies that every cross-reference of the network is in range and
// consistent (roads, lanes, movements and links point at each other both
// ways, programs have one signal per movement, lengths are positive and
// finite). Loaders call it; it is exported for tests and tools.
func (n *Network) Check() error {
	nn, nr, nl, nm, nk := len(n.Nodes), len(n.Roads), len(n.Lanes), len(n.Movements), len(n.Links)
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	for i := range n.Roads {
		r := &n.Roads[i]
		if int(r.From) < 0 || int(r.From) >= nn || int(r.To) < 0 || int(r.To) >= nn {
			return fmt.Errorf("road %s: end node out of range", r.ID)
		}
		if len(r.Lanes) == 0 || len(r.Geometry) < 2 || !(r.Length > 0) || !finite(r.Length) || !(r.Speed > 0) || !finite(r.Speed) {
			return fmt.Errorf("road %s: needs lanes, a geometry, a positive length and speed", r.ID)
		}
		for k, l := range r.Lanes {
			if int(l) < 0 || int(l) >= nl || n.Lanes[l].Road != RoadID(i) || n.Lanes[l].Index != k {
				return fmt.Errorf("road %s: lane %d inconsistent", r.ID, k)
			}
		}
	}
	for i := range n.Lanes {
		l := &n.Lanes[i]
		if int(l.Road) < 0 || int(l.Road) >= nr || len(l.Geometry) < 2 || !(l.Length > 0) || !finite(l.Length) || !(l.Speed > 0) || !(l.Width > 0) {
			return fmt.Errorf("lane %d: bad road, geometry, length, width or speed", i)
		}
		for _, k := range l.Links {
			if int(k) < 0 || int(k) >= nk || n.Links[k].From != LaneID(i) {
				return fmt.Errorf("lane %d: link %d inconsistent", i, k)
			}
		}
	}
	for i := range n.Nodes {
		nd := &n.Nodes[i]
		for _, r := range nd.In {
			if int(r) < 0 || int(r) >= nr || n.Roads[r].To != NodeID(i) {
				return fmt.Errorf("node %s: incoming road %d inconsistent", nd.ID, r)
			}
		}
		for _, r := range nd.Out {
			if int(r) < 0 || int(r) >= nr || n.Roads[r].From != NodeID(i) {
				return fmt.Errorf("node %s: outgoing road %d inconsistent", nd.ID, r)
			}
		}
		if nd.Conflicts.N != len(nd.Movements) || len(nd.Conflicts.Flags) != nd.Conflicts.N*nd.Conflicts.N {
			return fmt.Errorf("node %s: conflict matrix is %d×%d for %d movements", nd.ID, nd.Conflicts.N, nd.Conflicts.N, len(nd.Movements))
		}
		for k, m := range nd.Movements {
			if int(m) < 0 || int(m) >= nm || n.Movements[m].Node != NodeID(i) || n.Movements[m].Local != k {
				return fmt.Errorf("node %s: movement %d inconsistent", nd.ID, k)
			}
		}
		if (nd.Kind == Signalised) != (nd.Program != nil) {
			return fmt.Errorf("node %s: kind %s with program %v", nd.ID, nd.Kind, nd.Program != nil)
		}
		if p := nd.Program; p != nil {
			if len(p.Phases) == 0 || !(p.Yellow >= 0) || !(p.AllRed >= 0) || !finite(p.Yellow+p.AllRed+p.Offset) {
				return fmt.Errorf("node %s: program needs phases and non-negative yellow and all-red", nd.ID)
			}
			if a := p.Actuated; a != nil && !(a.MaxGap > 0 && a.MaxGap < 3600 && a.DetectorGap >= 0 && a.DetectorGap < 3600) {
				return fmt.Errorf("node %s: actuated program: max_gap %g s must be in (0, 3600), detector_gap %g s in [0, 3600)", nd.ID, a.MaxGap, a.DetectorGap)
			}
			for k, ph := range p.Phases {
				if !(ph.Duration > 0) || !finite(ph.Duration) {
					return fmt.Errorf("node %s: phase %d: duration %g", nd.ID, k, ph.Duration)
				}
				if (ph.MinDur != 0 || ph.MaxDur != 0) && !(ph.MinDur >= 0 && ph.MaxDur >= ph.MinDur && ph.MaxDur > 0 && finite(ph.MaxDur)) {
					return fmt.Errorf("node %s: phase %d: min_dur %g and max_dur %g s need 0 ≤ min ≤ max, max > 0", nd.ID, k, ph.MinDur, ph.MaxDur)
				}
				for _, c := range []byte(ph.State) {
					if c != 'G' && c != 'g' && c != 'r' {
						return fmt.Errorf("node %s: phase %d: state %q has a letter other than G, g, r", nd.ID, k, ph.State)
					}
				}
				if err := nd.Conflicts.CheckPhase(ph.State); err != nil {
					return fmt.Errorf("node %s: phase %d: %w", nd.ID, k, err)
				}
			}
		}
	}
	for i := range n.Movements {
		m := &n.Movements[i]
		if int(m.Node) < 0 || int(m.Node) >= nn || int(m.From) < 0 || int(m.From) >= nr || int(m.To) < 0 || int(m.To) >= nr {
			return fmt.Errorf("movement %d: reference out of range", i)
		}
		if n.Roads[m.From].To != m.Node || n.Roads[m.To].From != m.Node || len(m.Links) == 0 {
			return fmt.Errorf("movement %d: roads do not meet at its node or no links", i)
		}
		for _, k := range m.Links {
			if int(k) < 0 || int(k) >= nk || n.Links[k].Movement != MovementID(i) {
				return fmt.Errorf("movement %d: link %d inconsistent", i, k)
			}
		}
	}
	for i := range n.Links {
		k := &n.Links[i]
		if int(k.Movement) < 0 || int(k.Movement) >= nm || int(k.From) < 0 || int(k.From) >= nl || int(k.To) < 0 || int(k.To) >= nl {
			return fmt.Errorf("link %d: reference out of range", i)
		}
		m := &n.Movements[k.Movement]
		if n.Lanes[k.From].Road != m.From || n.Lanes[k.To].Road != m.To || len(k.Path) < 2 || !(k.Length > 0) || !(k.Speed > 0) {
			return fmt.Errorf("link %d: lanes do not match its movement, or bad path, length or speed", i)
		}
		for _, list := range [][]LinkID{k.Crossing(), k.Merging(), k.Foes()} {
			for _, f := range list {
				if int(f) < 0 || int(f) >= nk || int(n.Links[f].Movement) < 0 || int(n.Links[f].Movement) >= nm ||
					n.Movements[n.Links[f].Movement].Node != m.Node {
					return fmt.Errorf("link %d: foe %d is not a link of the same node", i, f)
				}
			}
		}
	}
	return nil
}
