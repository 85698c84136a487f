package engine

import (
	"fmt"
	"math"
)

// checkInvariants verifies, for tests, that no two vehicles on a segment
// overlap, no speed is negative or NaN, positions are on their segment and
// vehicles are conserved.
func (s *Sim) checkInvariants() error {
	running := int64(0)
	for i := range s.segs {
		seg := &s.segs[i]
		for j := range seg.cars {
			c := &seg.cars[j]
			running++
			if math.IsNaN(c.speed) || c.speed < 0 || math.IsNaN(c.pos) {
				return fmt.Errorf("segment %d: vehicle %d has speed %g at %g", i, c.id, c.speed, c.pos)
			}
			if c.pos > seg.length+1e-9 || c.pos < -1e-9 {
				return fmt.Errorf("segment %d (length %g): vehicle %d at %g", i, seg.length, c.id, c.pos)
			}
			if j > 0 {
				l := &seg.cars[j-1]
				if c.pos > l.pos-float64(l.length)+1e-9 {
					return fmt.Errorf("segment %d: vehicle %d at %g overlaps vehicle %d at %g (length %g)", i, c.id, c.pos, l.id, l.pos, l.length)
				}
			}
		}
	}
	c := s.Counts()
	if running != c.Running {
		return fmt.Errorf("%d vehicles on segments, counters say %d running", running, c.Running)
	}
	return nil
}
