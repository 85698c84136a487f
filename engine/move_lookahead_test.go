package engine

import (
	"math/bits"
	"slices"
	"testing"
)

// TestSideLinks checks sideLinks, with which lookAhead finds the other
// links of a first vehicle's lane that hold vehicles at a node with masks:
// it must give the links the test one by one gives (l ≠ link, shown), no
// more, no fewer. First a table of bitmaps made up for the edge cases (the
// window from lo across two words of the bitmap, the vehicle's own link
// shown or not, a link outside the window, which must clear nothing);
// then every lane of a busy grid with turning traffic after every step,
// for each link its first vehicle could take and for none (−1), which
// must have found other links shown often.
func TestSideLinks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shown []uint64
		lo    int32
		out   uint64
		link  int32
		want  []int32
	}{
		{"none shown", []uint64{0, 0}, 10, 0b111, 11, nil},
		{"own link alone shown", []uint64{1 << 11, 0}, 10, 0b111, 11, nil},
		{"own and another shown", []uint64{1<<11 | 1<<12, 0}, 10, 0b111, 11, []int32{12}},
		{"shown but not the lane's", []uint64{1 << 13, 0}, 10, 0b111, 11, nil},
		{"across two words", []uint64{1 << 63, 1<<0 | 1<<1}, 62, 0b1110, 64, []int32{63, 65}},
		{"second word alone", []uint64{0, 1 << 2}, 62, 0b10000, 63, []int32{66}},
		{"link below the window", []uint64{1<<11 | 1<<12, 0}, 11, 0b11, 3, []int32{11, 12}},
		{"link past the window", []uint64{1<<11 | 1<<12, 0}, 11, 0b11, 11 + 64, []int32{11, 12}},
		{"no link", []uint64{1<<11 | 1<<12, 0}, 11, 0b11, -1, []int32{11, 12}},
	} {
		var got []int32
		for m := sideLinks(tc.shown, tc.lo, tc.out, tc.link); m != 0; m &= m - 1 {
			got = append(got, tc.lo+int32(bits.TrailingZeros64(m)))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: sideLinks gives links %v, want %v", tc.name, got, tc.want)
		}
	}

	s := junctionSim(t, nil)
	masked, found := 0, 0
	for range 600 {
		s.Step()
		for si := range int32(s.nLanes) {
			lo := s.jm.lo[s.laneT[si].node]
			if lo < 0 {
				continue
			}
			masked++
			links := s.ids(s.laneT[si].links)
			for _, link := range append(slices.Clone(links), -1) {
				var want, got []int32
				for _, l := range links {
					if l != link && hasBit(s.shown, l) {
						want = append(want, l)
					}
				}
				for m := sideLinks(s.shown, lo, s.jm.out[si], link); m != 0; m &= m - 1 {
					got = append(got, lo+int32(bits.TrailingZeros64(m)))
				}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("t=%g s, lane %d (links %v), link %d: sideLinks gives %v, one by one %v", s.Time(), si, links, link, got, want)
				}
				if len(want) > 0 {
					found++
				}
			}
		}
	}
	if masked == 0 || found < 1000 {
		t.Errorf("%d lanes at nodes with masks looked at, other links shown %d times: the check proves little", masked, found)
	}
}
