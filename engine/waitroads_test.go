package engine

import (
	"slices"
	"testing"
)

// TestSortWaitRoads checks that roads appended to Sim.waitRoads and then
// sorted (sortWaitRoads, phaseInsert) come out in the order the binary
// search and insertion of each joining road in place gave: waitRoads
// before the release (sorted), then roads joining in release order. It
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
		{[]int32{100}, []int32{99, 101, 1 << 30, 0}},
	} {
		want := slices.Clone(tc.had)
		for _, r := range tc.join {
			i, _ := slices.BinarySearch(want, r)
			want = slices.Insert(want, i, r)
		}
		got := append(slices.Clone(tc.had), tc.join...)
		sortWaitRoads(got)
		if !slices.Equal(got, want) {
			t.Errorf("had %v join %v: sorted %v, inserted in place %v", tc.had, tc.join, got, want)
		}
	}
}
