package engine

import (
	"slices"
	"testing"
)

// TestTransferInOrder checks the transfer phase on vehicles placed in the
// outboxes of the first and the last chunk: each segment takes in all the
// vehicles that end on it and no other, furthest first and, at the same
// position, by vehicle id (the one behind is placed behind the one ahead),
// whatever the order they were delivered in; the inboxes and incoming
// bits are left empty. It fails when the vehicles a segment takes in are
// not sorted, or when an outbox is not delivered (tried).
func TestTransferInOrder(t *testing.T) {
	s := junctionSim(t, nil)
	// Two links of one chunk, long enough for the positions below.
	var a, b int32 = -1, -1
	for k := s.nLanes; k < len(s.segs) && b < 0; k++ {
		switch {
		case s.segs[k].length < 12:
		case a < 0:
			a = int32(k)
		case uint32(k)/chunkSize == uint32(a)/chunkSize:
			b = int32(k)
		}
	}
	if b < 0 {
		t.Fatal("no two links of 12 m or more in one chunk")
	}
	last := chunks(len(s.segs)) - 1
	put := func(chunk int, id, target int32, pos float64) {
		acc := &s.chunkAcc[chunk]
		acc.out = append(acc.out, outCar{c: car{id: id, speed: 5, length: 2, link: -1}, target: target, pos: pos})
		setBit(s.incoming, target)
	}
	put(0, 5, a, 6)
	put(0, 9, b, 1)
	put(last, 7, a, 11)
	put(last, 2, a, 6) // at 5's position: first by id
	s.phaseTransfer()
	for _, tc := range []struct {
		seg int32
		ids []int32
		pos []float64
	}{
		{a, []int32{7, 2, 5}, []float64{11, 6, 6 - 2 - tiny}},
		{b, []int32{9}, []float64{1}},
	} {
		var ids []int32
		var pos []float64
		for _, c := range s.segs[tc.seg].cars {
			ids, pos = append(ids, c.id), append(pos, c.pos)
		}
		if !slices.Equal(ids, tc.ids) || !slices.Equal(pos, tc.pos) {
			t.Errorf("link %d took in vehicles %v at %v, want %v at %v", tc.seg, ids, pos, tc.ids, tc.pos)
		}
		if !hasBit(s.live, tc.seg) {
			t.Errorf("link %d holds vehicles, its live bit is clear", tc.seg)
		}
	}
	for c := range s.chunkAcc {
		if len(s.chunkAcc[c].in) != 0 {
			t.Errorf("chunk %d: %d vehicles left in its inbox", c, len(s.chunkAcc[c].in))
		}
	}
	for c, w := range s.incoming {
		if w != 0 {
			t.Errorf("chunk %d: incoming bits %#x left", c, w)
		}
	}
}

// TestTransferLastTakesRest checks lastTakesRest: vehicles for up to four
// links of one chunk, delivered in mixed orders, end each on its own link
// and only there, the chunk's last incoming link (which takes the rest of
// the inbox unlooked) included. It fails when the last link's short way
// is taken by an earlier one (tried: every link taking the rest).
func TestTransferLastTakesRest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		targets []int // index into the chunk's links, in delivery order
	}{
		{"one link", []int{0, 0, 0}},
		{"last first", []int{2, 0, 1, 2, 0}},
		{"interleaved", []int{0, 1, 0, 1, 3, 2, 3}},
		{"last only once", []int{1, 1, 0, 3}},
		{"first only once", []int{3, 3, 2, 1, 0, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := junctionSim(t, nil)
			var links []int32
			for k := s.nLanes; k < len(s.segs) && len(links) < 4; k++ {
				if s.segs[k].length < 12 || len(s.segs[k].cars) > 0 {
					continue
				}
				if len(links) > 0 && uint32(k)/chunkSize != uint32(links[0])/chunkSize {
					links = links[:0]
				}
				links = append(links, int32(k))
			}
			if len(links) < 4 {
				t.Fatal("no four empty links of 12 m or more in one chunk")
			}
			want := make(map[int32][]int32)
			for j, x := range tc.targets {
				id, target := int32(j), links[x]
				acc := &s.chunkAcc[0]
				acc.out = append(acc.out, outCar{c: car{id: id, speed: 5, length: 2, link: -1}, target: target, pos: 11 - float64(j)})
				setBit(s.incoming, target)
				want[target] = append(want[target], id)
			}
			s.phaseTransfer()
			for _, k := range links {
				var ids []int32
				for _, c := range s.segs[k].cars {
					ids = append(ids, c.id)
				}
				if !slices.Equal(ids, want[k]) {
					t.Errorf("link %d took in %v, want %v", k, ids, want[k])
				}
			}
			if len(s.chunkAcc[uint32(links[0])/chunkSize].in) != 0 {
				t.Error("vehicles left in the inbox")
			}
		})
	}
}
