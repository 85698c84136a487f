package engine

import (
	"fmt"
	"math"
	"slices"
)

// checkInvariants verifies, for tests, that no two vehicles on a segment
// overlap, no speed is negative or NaN, positions are on their segment,
// vehicles are conserved, and the records the phases read instead of the
// segments (each segment's first and last vehicle records; live.go,
// Sim.nodeLive, Sim.shown, Sim.headTo, Sim.spare, Sim.lcAttn, the fOut
// marks: checkPassed) say what the segments hold, and the lights of a
// signal plant's node not held are those of its last update (phaseSignals
// leaves them there through its quiet updates). Call it between steps.
func (s *Sim) checkInvariants() error {
	running := int64(0)
	for i := range s.segs {
		seg := &s.segs[i]
		if hasBit(s.live, int32(i)) != (len(seg.cars) > 0) {
			return fmt.Errorf("segment %d holds %d vehicles, its live bit says otherwise", i, len(seg.cars))
		}
		if hasBit(s.shown, int32(i)) != (seg.head.n > 0) || (seg.head.n > 0) != (seg.tail.n > 0) {
			return fmt.Errorf("segment %d: first/last vehicle records (n %d, %d) and shown bit disagree", i, seg.head.n, seg.tail.n)
		}
		if seg.head.n == 0 && (seg.head != info{} || seg.tail != info{}) {
			// refresh's test of the link alone (emptyLink) needs it.
			return fmt.Errorf("segment %d: empty records %+v, %+v, not info{}", i, seg.head, seg.tail)
		}
		if n := len(seg.cars); n > 0 {
			var h, t info
			h.describe(&seg.cars[0], n)
			t.describe(&seg.cars[n-1], n)
			if seg.head != h || seg.tail != t {
				return fmt.Errorf("segment %d: first/last vehicle records %+v, %+v; its vehicles say %+v, %+v", i, seg.head, seg.tail, h, t)
			}
		}
		if i < s.nLanes {
			if h := &seg.head; h.n > 0 && h.link >= 0 {
				if s.headLink[i] != h.link || s.headTo[h.link] != h.flags|hdMark {
					return fmt.Errorf("lane %d: its first vehicle chose link %d, headTo/headLink say %d/%#x", i, h.link, s.headLink[i], s.headTo[h.link])
				}
			} else if s.headLink[i] != -1 {
				return fmt.Errorf("lane %d: no first vehicle with a link, headLink says %d", i, s.headLink[i])
			}
		} else if s.headTo[i] != 0 && s.headLink[s.fromOf(int32(i))] != int32(i) {
			return fmt.Errorf("link %d: headTo %#x, but the first vehicle of lane %d did not choose it", i, s.headTo[i], s.fromOf(int32(i)))
		}
		if hasBit(s.crossWait, int32(i)) != (s.headTo[i]&fCross != 0) {
			return fmt.Errorf("segment %d: headTo %#x, its crossWait bit says otherwise", i, s.headTo[i])
		}
		if hasBit(s.spare, int32(i)) && (i < s.nLanes || len(seg.cars) > 0 || cap(seg.cars) == 0) {
			return fmt.Errorf("segment %d (%d vehicles, room for %d): its spare bit says an empty link keeping a list", i, len(seg.cars), cap(seg.cars))
		}
		if err := checkPassed(seg.cars); err != nil {
			return fmt.Errorf("segment %d: %v", i, err)
		}
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
	if err := s.checkLaneAttn(); err != nil {
		return err
	}
	for v := range s.nodes {
		n := int32(0)
		for _, li := range s.nodeLanes(v) {
			if hasBit(s.live, li) {
				n++
			}
		}
		if s.nodeLive[v] != n {
			return fmt.Errorf("node %d: %d incoming lanes hold vehicles, nodeLive says %d", v, n, s.nodeLive[v])
		}
	}
	for v := range s.nodes {
		ns := &s.nodes[v]
		if p := ns.plant; p != nil && ns.held == nil && p.Lights() != nil && !slices.Equal(s.lights[ns.movLo:ns.movLo+ns.movN], p.Lights()) {
			return fmt.Errorf("node %d: lights %v, its plant's last update showed %v", v, s.lights[ns.movLo:ns.movLo+ns.movN], p.Lights())
		}
	}
	c := s.Counts()
	if running != c.Running {
		return fmt.Errorf("%d vehicles on segments, counters say %d running", running, c.Running)
	}
	return nil
}

// checkLaneAttn checks that every closed lane, and every lane with a
// vehicle that may have a strategic lane change to decide (mayDecide),
// has its bit set in Sim.lcAttn, which the lane-change phase without
// MOBIL walks.
func (s *Sim) checkLaneAttn() error {
	if any := slices.Contains(s.closed, true); any != s.anyClosed {
		return fmt.Errorf("anyClosed is %v, yet some lane closed is %v", s.anyClosed, any)
	}
	for l := range int32(s.nLanes) {
		if hasBit(s.lcAttn, l) {
			continue
		}
		if s.closed[l] {
			return fmt.Errorf("lane %d is closed, its lcAttn bit is clear", l)
		}
		cars := s.segs[l].cars
		if j := s.firstMayDecide(l, cars); j >= 0 {
			return fmt.Errorf("lane %d: vehicle %d may have a lane change to decide (link %d, next road %d, flags %#x), its lcAttn bit is clear", l, cars[j].id, cars[j].link, cars[j].next, cars[j].flags)
		}
	}
	return nil
}
