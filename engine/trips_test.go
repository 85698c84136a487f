package engine

import (
	"testing"
	"unsafe"

	"github.com/citytwin/citytwin/maps"
)

// The per-vehicle records are what a million vehicles cost (bench case
// scale): a field added to them is 1 MB per byte there. Put what most
// vehicles leave at zero in Sim.cold instead (see coldData).
func TestRecordSizes(t *testing.T) {
	for _, c := range []struct {
		name      string
		size, max uintptr
	}{
		{"vehicle", unsafe.Sizeof(vehicle{}), 64},
		{"tripRec", unsafe.Sizeof(tripRec{}), 12},
	} {
		if c.size > c.max {
			t.Errorf("%s takes %d bytes, want at most %d", c.name, c.size, c.max)
		}
	}
}

func TestSparse(t *testing.T) {
	for _, c := range []struct {
		name string
		sets map[int32]float64 // in id order below
		ids  []int32
		len  int
	}{
		{"none", nil, []int32{0, 3}, 0},
		{"zeros only", map[int32]float64{0: 0, 5: 0}, []int32{0, 5}, 0},
		{"one", map[int32]float64{4: 2.5}, []int32{0, 4}, 5},
		{"zero after", map[int32]float64{1: 7, 3: 0}, []int32{1, 3}, 2},
		{"two", map[int32]float64{1: 7, 3: -1}, []int32{1, 3}, 4},
	} {
		var xs []float64
		for _, id := range c.ids {
			xs = setSparse(xs, id, c.sets[id])
		}
		if len(xs) != c.len {
			t.Errorf("%s: %d elements, want %d", c.name, len(xs), c.len)
		}
		for id := range int32(8) {
			if got := sparseAt(xs, id); got != c.sets[id] {
				t.Errorf("%s: element %d is %g, want %g", c.name, id, got, c.sets[id])
			}
		}
	}
}

// A vehicle's trip delay is measured against the free-flow time of the
// route it departed with, also after it changed route; its given trip
// fields and rare counters survive in a clone, and the clone's own changes
// stay its own.
func TestColdData(t *testing.T) {
	net, err := maps.Grid(maps.GridOptions{Rows: 3, Cols: 3, Block: 200, Lanes: 2, Speed: 13.89})
	if err != nil {
		t.Fatal(err)
	}
	road := func(id string) maps.RoadID {
		for i := range net.Roads {
			if net.Roads[i].ID == id {
				return maps.RoadID(i)
			}
		}
		t.Fatalf("no road %s", id)
		return -1
	}
	trips := []Trip{
		{From: road("road_0_1_0"), To: road("road_3_1_0")},
		{ID: "short", From: road("road_1_0_1"), To: road("road_1_1_1"), Depart: 1,
			DepartSpeed: DepartSpeedGiven, Speed: 3, DepartLane: DepartLaneIndex, LaneIndex: 1},
	}
	s, err := New(net, DefaultConfig(), trips)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.veh[0].route < 0 || s.veh[1].route < 0 || s.veh[0].route == s.veh[1].route {
		t.Fatalf("routes %d and %d, want two different routes", s.veh[0].route, s.veh[1].route)
	}
	if got := s.tripOf(1); got.ID != "short" || got.Speed != 3 || got.LaneIndex != 1 || got.Depart != 1 {
		t.Errorf("trip 1 reads back as %+v", got)
	}
	if got := s.tripOf(0); got.ID != "" || got.Speed != 0 || got.LaneIndex != 0 {
		t.Errorf("trip 0 reads back as %+v", got)
	}
	ff0, ff1 := s.freeFlowOf(0), s.freeFlowOf(1)
	if !(ff0 > ff1 && ff1 > 0) {
		t.Fatalf("free-flow times %g and %g s, want the four-road route's longer", ff0, ff1)
	}
	s.leaveRoute(0)
	s.veh[0].route = s.veh[1].route
	s.leaveRoute(0) // a second change keeps the first route's time
	if got := s.freeFlowOf(0); got != ff0 {
		t.Errorf("after a route change the free-flow time is %g s, want the departed route's %g s", got, ff0)
	}
	r := s.rareOf(0)
	r.teleports = 2
	s.setRare(0, r)

	c := s.Clone()
	defer c.Close()
	r.misses = 1
	c.setRare(0, r)
	c.addTripRec(2, &Trip{ID: "late", From: trips[0].From, To: trips[0].To})
	if got := s.rareOf(0); got.misses != 0 || got.teleports != 2 || !got.rerouted {
		t.Errorf("the original's rare fields are %+v after the clone's change", got)
	}
	if got := c.rareOf(0); got.misses != 1 || got.teleports != 2 || c.freeFlowOf(0) != ff0 {
		t.Errorf("the clone's rare fields are %+v, free-flow %g s", got, c.freeFlowOf(0))
	}
	if s.tripID(2) != "" || c.tripID(2) != "late" || c.tripID(1) != "short" {
		t.Errorf("trip ids: original %q, clone %q and %q", s.tripID(2), c.tripID(2), c.tripID(1))
	}
}
