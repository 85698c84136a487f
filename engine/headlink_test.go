package engine

import "testing"

// TestRefreshHeadLink checks refresh's short way for headLink and headTo
// (emptyLink): a lane whose last record is empty (info{}, link 0, which no
// vehicle has) takes pointHead by the test of the link alone, with no
// test of the record's count. Each case puts a lane through a sequence of
// first vehicles (link, flags; none: empty) with a refresh after each,
// and checks the invariants (headLink, headTo and crossWait say what the
// first vehicle's record says, an empty record is info{}). It fails when
// an emptied record keeps its link (tried: refresh clearing the counts
// alone, so that the vehicle back on the lane with the same link and flags
// found headLink −1 unchanged).
func TestRefreshHeadLink(t *testing.T) {
	type first struct {
		link  int // index into the lane's links; −1: none; −2: no vehicle
		flags uint16
	}
	none := first{-2, 0}
	for _, tc := range []struct {
		name string
		seq  []first
	}{
		{"back with the same link", []first{{0, 0}, none, {0, 0}}},
		{"back held for its crossing", []first{{0, fCross}, none, {0, fCross}}},
		{"back without a link", []first{{-1, 0}, none, {-1, 0}, {0, 0}}},
		{"without a link, flags change", []first{{-1, 0}, {-1, fCross}, {-1, fRed}, {0, fRed}, {-1, fRed}}},
		{"from empty", []first{none, {0, fRed}, {0, fRed | fCross}, {0, 0}, none}},
		{"other link", []first{{0, 0}, {1, fCross}, none, {1, fCross}, {0, fCross}, {-1, 0}, none}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := junctionSim(t, nil)
			l := int32(-1)
			for i := range s.nLanes {
				if s.laneT[i].links.n >= 2 {
					l = int32(i)
					break
				}
			}
			if l < 0 {
				t.Fatal("no lane with two links")
			}
			links := s.ids(s.laneT[l].links)
			for j, f := range tc.seq {
				seg := &s.segs[l]
				if f.link == -2 {
					seg.cars = seg.cars[:0]
					s.setLive(l, false)
				} else {
					k := int32(-1)
					if f.link >= 0 {
						k = links[f.link]
					}
					seg.cars = append(seg.cars[:0], car{pos: 10, speed: 1, id: 0, link: k, next: -1, next2: -1, flags: f.flags, length: 4})
					s.setLive(l, true)
				}
				s.stats.inserted = int64(len(seg.cars)) // the counters' running vehicles
				s.refresh()
				if err := s.checkInvariants(); err != nil {
					t.Fatalf("after %d of %v: %v", j+1, tc.seq, err)
				}
			}
		})
	}
}
