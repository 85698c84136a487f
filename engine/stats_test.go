package engine

import (
	"math"
	"slices"
	"testing"

	"github.com/citytwin/citytwin/maps"
)

func TestUniformGap(t *testing.T) {
	for _, c := range []struct {
		gaps []float64
		gap  float64
		one  bool
	}{
		{nil, 0, false},
		{[]float64{2.5}, 2.5, true},
		{[]float64{2.5, 2.5, 2.5}, 2.5, true},
		{[]float64{2.5, 2.5, 3}, 0, false},
		{[]float64{0, math.Copysign(0, -1)}, 0, false}, // equal, not the same bits
	} {
		if gap, one := uniformGap(c.gaps); gap != c.gap || one != c.one {
			t.Errorf("uniformGap(%v) = %g, %t; want %g, %t", c.gaps, gap, one, c.gap, c.one)
		}
	}
}

// TestOccupancy checks refresh's occupancy of every segment against the
// plain sum over its vehicles, bit for bit, with one vehicle type (looked
// up: occupancies) and with two of different lengths (summed).
func TestOccupancy(t *testing.T) {
	net, err := maps.Grid(maps.GridOptions{Rows: 3, Cols: 3, Block: 150, Lanes: 2, Speed: 13.89})
	if err != nil {
		t.Fatal(err)
	}
	long := DefaultCar()
	long.Length = 11.3
	for _, c := range []struct {
		name   string
		vtypes []VType
		table  bool
	}{
		{"one type", []VType{DefaultCar()}, true},
		{"two lengths", []VType{DefaultCar(), long}, false},
	} {
		var trips []Trip
		for k := 0; k < 900; k++ {
			from, to := maps.RoadID(k*7%len(net.Roads)), maps.RoadID((k*13+5)%len(net.Roads))
			if from != to {
				trips = append(trips, Trip{Depart: float64(k) / 3, From: from, To: to, VType: k % len(c.vtypes)})
			}
		}
		cfg := DefaultConfig()
		cfg.Seed, cfg.Workers, cfg.VTypes = 1, 1, c.vtypes
		s, err := New(net, cfg, trips)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.occupancies() != nil; got != c.table {
			t.Errorf("%s: occupancy table %t, want %t", c.name, got, c.table)
		}
		most := 0
		for range 300 {
			s.Step()
			for i := range s.segs {
				occ := 0.0
				for _, v := range s.segs[i].cars {
					occ += float64(v.length) + s.minGap[v.vt]
				}
				if math.Float64bits(occ) != math.Float64bits(s.occ[i]) {
					t.Fatalf("%s, t = %g s: segment %d with %d vehicles: occupancy %g m, want %g", c.name, s.Time(), i, len(s.segs[i].cars), s.occ[i], occ)
				}
				most = max(most, len(s.segs[i].cars))
			}
		}
		s.Close()
		if most < 10 {
			t.Errorf("%s: at most %d vehicles on a segment: too few to test", c.name, most)
		}
	}
}

// TestRefreshOrder checks that refresh's records do not depend on the
// order it takes the segments in: a busy grid with turning traffic runs
// to the same state hash, vehicle for vehicle and record for record, with
// refresh going down through the chunks (runDown, the default) as going
// up (refreshUp), on one worker and on two (parts mirrored).
func TestRefreshOrder(t *testing.T) {
	net, trips := junctionGrid(t)
	for _, workers := range []int{1, 2} {
		cfg := DefaultConfig()
		cfg.Seed, cfg.Workers, cfg.MinParallel = 1, workers, -1
		sims := make([]*Sim, 2)
		for i := range sims {
			var err error
			if sims[i], err = New(net, cfg, trips); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sims[i].Close)
		}
		down, up := sims[0], sims[1]
		defer func() { refreshUp = false }()
		for step := 1; step <= 900; step++ {
			refreshUp = false
			down.Step()
			refreshUp = true
			up.Step()
			refreshUp = false
			if step%100 == 0 && down.Hash() != up.Hash() {
				t.Fatalf("%d workers, after %d steps: state hash %016x going down, %016x going up", workers, step, down.Hash(), up.Hash())
			}
			for i := range down.segs {
				a, b := &down.segs[i], &up.segs[i]
				if a.head != b.head || a.tail != b.tail || down.occ[i] != up.occ[i] {
					t.Fatalf("%d workers, after %d steps: segment %d records differ going down and up", workers, step, i)
				}
			}
			if !slices.Equal(down.headTo, up.headTo) || !slices.Equal(down.crossWait, up.crossWait) {
				t.Fatalf("%d workers, after %d steps: headTo or crossWait differ going down and up", workers, step)
			}
		}
		if c := down.Counts(); c.Arrived < 300 {
			t.Errorf("%d workers: %d vehicles arrived: the grid is not busy enough to test refresh", workers, c.Arrived)
		}
	}
}
