package engine

import "testing"

// TestNoteLaneForRoomSkip checks roomNoted, admit's written-out early
// returns of noteLaneForRoom (no road after, or the lanes' bits telling
// that the exit lane serves it): wherever it skips the call, the call
// would have changed nothing. Every link of every lane of a busy grid is tried as a
// granted vehicle's link towards every road and none (next2), with and
// without lanes closed (the bits then unmade, serves asks the links); a
// skip that hid a call marking the vehicle (forRoom) fails it, and the
// test fails too when no call marks one (it would test nothing).
func TestNoteLaneForRoomSkip(t *testing.T) {
	for _, closed := range []bool{false, true} {
		s := junctionSim(t, nil)
		for range 30 {
			s.Step()
		}
		if closed {
			for l := 0; l < s.nLanes; l += 7 {
				s.closed[l] = true
			}
			s.lsrch.serve = nil
		} else {
			s.makeServeBits()
		}
		v := &s.veh[0]
		skipped, marked := 0, 0
		for li := int32(0); li < int32(s.nLanes); li++ {
			for _, k := range s.ids(s.laneT[li].links) {
				for r := int32(-1); r < int32(len(s.net.Roads)); r++ {
					c := car{id: 0, link: k, next: s.segRoad[k], next2: r}
					skip := s.roomNoted(s.linkLane[k], &c)
					const sentinel = -12345
					v.forRoom = sentinel
					s.noteLaneForRoom(li, &c)
					if v.forRoom != sentinel {
						marked++
						if skip {
							t.Fatalf("closed %v, lane %d, link %d, road after %d: skipped, but noteLaneForRoom marks the vehicle", closed, li, k, r)
						}
					}
					if skip {
						skipped++
					}
				}
			}
		}
		if marked == 0 || skipped == 0 {
			t.Fatalf("closed %v: %d skipped, %d marked: not a test", closed, skipped, marked)
		}
	}
}

// TestLeadsToKnown compares leadsToKnown with leadsTo's ok && yes over
// every lane and road of a busy grid, with a road's key made −1 (placed
// 32nd or later) in turn, and without bits.
func TestLeadsToKnown(t *testing.T) {
	s := junctionSim(t, nil)
	s.makeServeBits()
	sb := s.lsrch.serve
	if sb == nil {
		t.Fatal("no serve bits")
	}
	for _, tc := range []struct {
		name string
		sb   *serveBits
		drop int
	}{{"bits", sb, -1}, {"a key dropped", sb, 0}, {"another key dropped", sb, len(sb.key) / 2}, {"none", nil, -1}} {
		var old int32
		if tc.drop >= 0 {
			old, sb.key[tc.drop] = sb.key[tc.drop], -1
		}
		yes := 0
		for l := int32(0); l < int32(s.nLanes); l++ {
			for r := int32(0); r < int32(len(s.net.Roads)); r++ {
				y, ok := tc.sb.leadsTo(l, r)
				if got := tc.sb.leadsToKnown(l, r); got != (ok && y) {
					t.Fatalf("%s: lane %d, road %d: leadsToKnown %v, leadsTo %v, %v", tc.name, l, r, got, y, ok)
				}
				if ok && y {
					yes++
				}
			}
		}
		if tc.sb != nil && yes == 0 {
			t.Fatalf("%s: no lane leads to a road: not a test", tc.name)
		}
		if tc.drop >= 0 {
			sb.key[tc.drop] = old
		}
	}
}
