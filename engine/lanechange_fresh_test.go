package engine

import (
	"slices"
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// TestFreshChanges checks applyChange's short way for the changes MOBIL
// decides (lcMove.at): applied unchecked while no change of the road has
// been applied yet, they give the same results as every change searched
// for and checked again (lcCheckAll): busy grids of two- and three-lane
// roads (where changes from either side into the middle lane take each
// other's gap) run to the same vehicles on every lane, step after step.
// It fails when the short way is also taken after a change of the road,
// found or unchecked (tried).
func TestFreshChanges(t *testing.T) {
	defer func() { lcCheckAll = false }()
	for _, lanes := range []int{2, 3} {
		net, err := maps.Grid(maps.GridOptions{Rows: 4, Cols: 4, Block: 120, Lanes: lanes, Speed: 13.89})
		if err != nil {
			t.Fatal(err)
		}
		var trips []Trip
		for k := range 6000 {
			from, to := maps.RoadID(k*7%len(net.Roads)), maps.RoadID((k*13+5)%len(net.Roads))
			if from != to {
				trips = append(trips, Trip{Depart: float64(k) / 5, From: from, To: to})
			}
		}
		cfg := DefaultConfig()
		cfg.Seed = 1
		short, full := twinSims(t, net, cfg, trips)
		for step := 1; step <= 900; step++ {
			lcCheckAll = false
			short.Step()
			lcCheckAll = true
			full.Step()
			lcCheckAll = false
			for i := range short.segs {
				if !slices.Equal(short.segs[i].cars, full.segs[i].cars) {
					t.Fatalf("%d lanes, after %d steps: segment %d's vehicles differ with and without the short way", lanes, step, i)
				}
			}
		}
		if short.Hash() != full.Hash() {
			t.Fatalf("%d lanes: state hash %016x with the short way, %016x without", lanes, short.Hash(), full.Hash())
		}
		t.Logf("%d lanes: %d lane changes", lanes, int(short.Counts().LaneChanges))
		if c := short.Counts(); c.LaneChanges < 1000 {
			t.Errorf("%d lanes: %d lane changes: too few for the test", lanes, int(c.LaneChanges))
		}
	}
}
