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

// TestLCGapsSearch checks that lcGaps finds the same place, and the same
// answer, whether its search of the target lane starts at the front or
// where the road's last search ended (nbCache, for lanes of more than
// nbShort vehicles): each vehicle of one lane of a two-lane road, in
// order, against the other lane holding 0 to 12 vehicles, ahead of them,
// among them or behind, with a cache kept along the lane, against
// neighbours' search from the front (and lcGaps with an empty cache). It
// fails when the cache or the short lanes' search starts past the place
// (tried).
func TestLCGapsSearch(t *testing.T) {
	net, err := maps.Grid(maps.GridOptions{Rows: 1, Cols: 1, Block: 300, Lanes: 2, Speed: 13.89})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(net, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lanes := net.Roads[0].Lanes
	from, to := &s.segs[lanes[0]], int32(lanes[1])
	place := func(n int, gap, first float64) []car {
		cars := make([]car, n)
		for k := range cars {
			cars[k] = car{pos: first - float64(k)*gap, length: 5, id: int32(k)}
		}
		return cars
	}
	for n := range 13 {
		for _, gap := range []float64{6, 7.5, 11, 23} {
			for _, front := range []float64{283, 266, 150} {
				from.cars = place(12, 9.5, 280)
				s.segs[to].cars = place(n, gap, front)
				var nb nbCache
				nb.reset()
				for i := range from.cars {
					var fresh nbCache
					fresh.reset()
					ok, lead, fol := s.lcGaps(from, i, to, &nb)
					wok, _, _ := s.lcGaps(from, i, to, &fresh)
					wlead, wfol := neighbours(&s.segs[to], from.cars[i].pos) // from the front
					if ok != wok || lead != wlead || fol != wfol {
						t.Fatalf("%d vehicles %g m apart from %g m, vehicle %d: lcGaps %v, %d, %d along the lane, %v, %d, %d from the front", n, gap, front, i, ok, lead, fol, wok, wlead, wfol)
					}
				}
			}
		}
	}
}
