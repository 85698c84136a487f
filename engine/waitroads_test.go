package engine

import (
	"slices"
	"testing"
)

// TestSortWaitRoads checks that roads appended to Sim.waitRoads and then
// sorted once (phaseInsert) come out in the order the binary search and
// insertion of each joining road in place gave: waitRoads before the
// release (sorted), then distinct roads joining in release order. It
// fails when the appended roads are left unsorted or sorted the wrong way
// (tried: a descending sort).
func TestSortWaitRoads(t *testing.T) {
	for _, tc := range []struct {
		had, join []int32
	}{
		{nil, []int32{7}},
		{nil, []int32{3, 1, 2}},
		{[]int32{4, 9}, []int32{1}},
		{[]int32{4, 9}, []int32{12, 5, 0, 8}},
		{[]int32{0, 2, 4, 6}, []int32{7, 5, 3, 1}},
		{[]int32{100}, []int32{99, 101, 255, 0, 63, 64, 128, 127}},
		{[]int32{70, 900}, []int32{2047, 64, 1000, 5, 1999, 65, 63, 0, 1023, 1024, 600, 599}},
	} {
		want := slices.Clone(tc.had)
		for _, r := range tc.join {
			i, _ := slices.BinarySearch(want, r)
			want = slices.Insert(want, i, r)
		}
		s := &Sim{waitRoads: slices.Clone(tc.had)}
		had := len(s.waitRoads)
		s.waitRoads = append(s.waitRoads, tc.join...)
		if len(s.waitRoads) > had {
			slices.Sort(s.waitRoads)
		}
		if !slices.Equal(s.waitRoads, want) {
			t.Errorf("had %v join %v: sorted %v, inserted in place %v", tc.had, tc.join, s.waitRoads, want)
		}
	}
}
