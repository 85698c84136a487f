package engine

import (
	"math"
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
