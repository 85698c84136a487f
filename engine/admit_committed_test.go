package engine

import (
	"testing"

	"github.com/citytwin/citytwin/engine/signal"
)

// TestAdmitCommitted checks admit's early way for a vehicle committed to
// its link (granted last step and unable to stop comfortably before its
// line): it is granted whatever its light shows and whatever room its exit
// lane has, its length and minimum gap reserved on the exit lane and its
// link noted as granted, as the full path's tail does; a vehicle that can
// still stop is not (the light and the room decide). A wrong early way
// (one that asks the light or the room, or forgets the reservation or the
// grant) fails it.
func TestAdmitCommitted(t *testing.T) {
	s := junctionSim(t, nil)
	for range 60 {
		s.Step()
	}
	// A lane with a link at a node with masks, and that node.
	li, k, node := int32(-1), int32(-1), -1
	for v := range s.nodes {
		if s.jm.lo[v] < 0 {
			continue
		}
		for _, l := range s.nodeLanes(v) {
			if ks := s.ids(s.laneT[l].links); len(ks) > 0 {
				li, k, node = l, ks[0], v
				break
			}
		}
		if li >= 0 {
			break
		}
	}
	if li < 0 {
		t.Fatal("no lane with a link at a node with masks")
	}
	t0 := s.linkLane[k]
	vt := &s.vtypes[0]
	for _, tc := range []struct {
		name      string
		light     signal.Light
		speed     float64 // m/s, 1 m before the line
		was       bool    // granted last step
		noRoom    bool    // the exit lane full
		committed bool
	}{
		{"committed at red", signal.Red, 12, true, false, true},
		{"committed at yellow", signal.Yellow, 12, true, false, true},
		{"committed at green", signal.Green, 12, true, false, true},
		{"committed at a permissive green", signal.GreenMinor, 12, true, false, true},
		{"committed at red, no room", signal.Red, 12, true, true, true},
		{"committed at green, no room", signal.Green, 12, true, true, true},
		{"not granted last step, at red", signal.Red, 12, false, false, false},
		{"able to stop, at red", signal.Red, 0.5, true, false, false},
		{"able to stop, at green, no room", signal.Green, 0.5, true, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := s.lights[s.linkMov[k]]
			defer func() { s.lights[s.linkMov[k]] = saved }()
			s.lights[s.linkMov[k]] = tc.light
			sc := &junctionScratch{}
			s.startNode(node, sc)
			if tc.noRoom {
				s.reserve(t0, 1e9, sc)
			}
			before := sc.lessGranted(0, t0)
			c := car{pos: s.segs[li].length - 1, speed: tc.speed, id: 0, link: k, next: s.segRoad[k], next2: -1, length: float32(vt.Length)}
			if tc.was {
				c.flags = fPermit | fDecided
			} else {
				c.flags = fDecided
			}
			got := s.admit(&c, li, 1, tc.was, vt, sc)
			granted := sc.grant&sc.maskBit(k) != 0
			reserved := before - sc.lessGranted(0, t0)
			if tc.committed {
				if !got || !granted || reserved != float64(c.length)+vt.Follow.MinGap || c.link != k {
					t.Fatalf("admit %v, grant noted %v, reserved %g m (want %g), link %d (want %d)", got, granted, reserved, float64(c.length)+vt.Follow.MinGap, c.link, k)
				}
				return
			}
			if tc.light == signal.Red && (got || c.flags&fRed == 0) {
				t.Fatalf("admit %v, flags %#x: a vehicle able to stop passes a red light", got, c.flags)
			}
			if tc.noRoom && (got || c.flags&fRoom == 0) {
				t.Fatalf("admit %v, flags %#x: a vehicle able to stop enters a full lane", got, c.flags)
			}
			if got || granted || reserved != 0 {
				t.Fatalf("admit %v, grant noted %v, reserved %g m: refused vehicle granted", got, granted, reserved)
			}
		})
	}
}
