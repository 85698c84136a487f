package engine

import (
	"slices"
	"testing"
)

// TestSortWaitRoads checks that roads appended to Sim.waitRoads and then
// sorted (sortWaitRoads, phaseInsert) come out in the order the binary
// search and insertion of each joining road in place gave: waitRoads
// before the release (sorted), then roads joining in release order. Both
// ways are tried: by bits (a network of few roads for those waiting) and
// by slices.Sort (many), the scratch words shared by all cases (they must
// be left clear). It fails when the appended roads are left unsorted or
// sorted the wrong way (tried: a descending sort), or when bits are read
// back out of order or not cleared (tried: no clearing).
func TestSortWaitRoads(t *testing.T) {
	var scratch []uint64
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
		n := len(tc.had) + len(tc.join)
		// By bits: the roads fit in 4n words; by sorting: they do not.
		for _, nRoads := range []int{int(want[len(want)-1]) + 1, 64 * (4*n + 1)} {
			if bits := (nRoads+63)/64 <= 4*n; bits != (nRoads < 64*4*n) {
				t.Fatalf("%d roads for %d waiting: not the way meant", nRoads, n)
			}
			got := append(slices.Clone(tc.had), tc.join...)
			sortWaitRoads(got, nRoads, &scratch)
			if !slices.Equal(got, want) {
				t.Errorf("had %v join %v, %d roads: sorted %v, inserted in place %v", tc.had, tc.join, nRoads, got, want)
			}
			for i, w := range scratch {
				if w != 0 {
					t.Fatalf("%d roads: scratch word %d left %#x", nRoads, i, w)
				}
			}
		}
	}
}
