package engine

import (
	"math"
	"testing"
	"unsafe"

	"github.com/citytwin/citytwin/maps"
)

// TestOccupancy checks refresh's occupancy of every segment against the
// plain sum over its vehicles, bit for bit, with one vehicle type (looked
// up: occupancies), with one type beyond a table cut to 4 vehicles (summed,
// each vehicle's gap read from its type: oneSum) and with two types of
// different lengths (summed).
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
		cut    bool
	}{
		{"one type", []VType{DefaultCar()}, true, false},
		{"one type, table cut", []VType{DefaultCar()}, true, true},
		{"two lengths", []VType{DefaultCar(), long}, false, false},
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
		if c.cut {
			s.occSums = s.occSums[:4]
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

// TestDescribe checks that a first/last vehicle record holds the vehicle's
// own values, field by field, and the segment's vehicle count: each car
// field holds a value no other field does.
func TestDescribe(t *testing.T) {
	for _, c := range []car{
		{pos: 12.5, speed: 3.25, id: 7, link: 9, next: 11, next2: 13, vt: 2, flags: fRed | fHalted, length: 4.5, factor: 1.125, wait: 6.5, fuel: 0.75, held: 2.5},
		{pos: 0.5, speed: 0, id: 1 << 30, link: -1, next: -1, next2: -1, vt: 65535, flags: fPermit | fPlanned, length: 18.75, factor: 0.875, wait: 0, fuel: 3, held: 0},
	} {
		var h info
		h.describe(&c, 5)
		want := info{pos: c.pos, speed: c.speed, id: c.id, link: c.link, vt: c.vt, flags: c.flags, length: c.length, wait: c.wait, n: 5}
		if h != want {
			t.Errorf("describe(%+v, 5) = %+v, want %+v", c, h, want)
		}
	}
}

// TestInfoLayout checks that the fields describe copies lie side by side
// in the same order in a vehicle and in its record (id, link; vt, flags,
// length), so that the compiler copies each run with one load and one
// store (refresh writes two records per segment with vehicles).
func TestInfoLayout(t *testing.T) {
	var c car
	var h info
	for _, run := range []struct {
		name string
		car  []uintptr // offsets in car
		info []uintptr // offsets in info
	}{
		{"id, link", []uintptr{unsafe.Offsetof(c.id), unsafe.Offsetof(c.link)}, []uintptr{unsafe.Offsetof(h.id), unsafe.Offsetof(h.link)}},
		{"vt, flags, length", []uintptr{unsafe.Offsetof(c.vt), unsafe.Offsetof(c.flags), unsafe.Offsetof(c.length)}, []uintptr{unsafe.Offsetof(h.vt), unsafe.Offsetof(h.flags), unsafe.Offsetof(h.length)}},
	} {
		for k := 1; k < len(run.car); k++ {
			if run.car[k]-run.car[0] != run.info[k]-run.info[0] {
				t.Errorf("%s: offsets %v in car, %v in info: not the same run", run.name, run.car, run.info)
				break
			}
		}
	}
	if size := unsafe.Sizeof(h); size != 40 {
		t.Errorf("info takes %d bytes, want 40 (a segment's line 0 holds its tail record)", size)
	}
}

// TestFoldChunks checks that a step's per-chunk totals reach the
// statistics and are cleared: the speed and delay sums in chunk order
// (values whose sum depends on the order), the counts in full.
func TestFoldChunks(t *testing.T) {
	s := junctionSim(t, nil)
	if len(s.chunkAcc) < 4 {
		t.Fatalf("%d chunk accumulators, want 4 or more (three set below, and the last)", len(s.chunkAcc))
	}
	s.cur.speedSum, s.cur.TotalDelay = 0.5, 3
	s.stats.vehSteps, s.stats.hard, s.stats.clamps, s.stats.laneChanges = 10, 1, 2, 3
	copy(s.chunkAcc, []stepAcc{
		{running: 2, speedSum: 1e16, lost: 1, hard: 1},
		{clamps: 4, laneChanges: 2},
		{running: 5, speedSum: 1, lost: 1e16, laneChanges: 1},
	})
	s.chunkAcc[len(s.chunkAcc)-1].speedSum = 1 // the last chunk too
	s.chunkAcc[len(s.chunkAcc)-1].running = 1
	s.foldChunks()
	inOrder := func(xs ...float64) float64 { // left to right, in float64
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		return sum
	}
	wantSpeed, wantLost := inOrder(0.5, 1e16, 1, 1), inOrder(3, 1, 1e16)
	if wantSpeed == inOrder(0.5, 1, 1, 1e16) {
		t.Fatal("the speeds' sum does not depend on the order: the test cannot fail")
	}
	if s.cur.speedSum != wantSpeed || s.cur.TotalDelay != wantLost || s.cur.vehSteps != 8 {
		t.Errorf("interval sums %v, %v, %v vehicle-steps; want %v, %v, 8", s.cur.speedSum, s.cur.TotalDelay, s.cur.vehSteps, wantSpeed, wantLost)
	}
	if st := s.stats; st.vehSteps != 18 || st.hard != 2 || st.clamps != 6 || st.laneChanges != 6 {
		t.Errorf("run counts %v vehicle-steps, %d hard, %d clamps, %d lane changes; want 18, 2, 6, 6", st.vehSteps, st.hard, st.clamps, st.laneChanges)
	}
	for c := range s.chunkAcc {
		a := &s.chunkAcc[c]
		if a.running|a.hard|a.clamps|a.laneChanges != 0 || a.speedSum != 0 || a.lost != 0 {
			t.Errorf("chunk %d: totals %+v left", c, a)
		}
	}
}
