package engine

import (
	"math"
	"testing"
)

// TestRoomFirst checks roomFirst: on a busy grid, step after step, the
// lane tryInsert and bestLane choose among a road's lanes (most room,
// ties: the first) is the one the old order chooses, which asks whether a
// vehicle may enter each lane (room for it, nobody entering) before
// comparing rooms; for every road and vehicle length in the table. It
// fails when mayEnter leaves out its look at the links into the lane
// (tried).
func TestRoomFirst(t *testing.T) {
	s := junctionSim(t, nil)
	old := func(l int32, vt *VType) (float64, bool) {
		seg := &s.segs[l]
		room := seg.length
		if n := len(seg.cars); n > 0 {
			room = seg.cars[n-1].pos - float64(seg.cars[n-1].length)
		}
		need := min(vt.Length+vt.Follow.MinGap, seg.length)
		return room, room >= need && s.entering(l) <= -vt.Follow.MinGap
	}
	differ, entering := 0, 0
	for step := range 400 {
		s.Step()
		for _, c := range []struct{ length, gap float64 }{{5, 2.5}, {12, 2.5}, {2, 0}, {40, 10}} {
			vt := s.vtypes[0]
			vt.Length, vt.Follow.MinGap = c.length, c.gap
			for r := range s.net.Roads {
				want, wantRoom := int32(-1), math.Inf(-1)
				got, gotRoom := int32(-1), math.Inf(-1)
				for _, l := range s.net.Roads[r].Lanes {
					li := int32(l)
					if room, ok := old(li, &vt); ok && room > wantRoom+1e-9 {
						want, wantRoom = li, room
					}
					if room := s.roomBehind(li); room > gotRoom+1e-9 && s.mayEnter(li, room, &vt) {
						got, gotRoom = li, room
					}
					if s.entering(li) > -vt.Follow.MinGap {
						entering++
					}
				}
				if got != want || math.Float64bits(gotRoom) != math.Float64bits(wantRoom) {
					differ++
					if differ < 5 {
						t.Errorf("step %d, road %d, length %g: lane %d (room %g), want %d (%g)", step, r, c.length, got, gotRoom, want, wantRoom)
					}
				}
			}
		}
	}
	if entering == 0 {
		t.Error("no lane with a vehicle about to enter it: nothing tested")
	}
	if differ > 0 {
		t.Errorf("%d choices differ", differ)
	}
}
