package engine

import (
	"slices"
	"testing"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// twinSim is a 2×2 grid with trips entering from the west every 4 s.
func twinSim(t *testing.T, ctrl func(maps.NodeID) Controller) (*Sim, *maps.Network) {
	t.Helper()
	net, err := maps.Grid(maps.GridOptions{Rows: 2, Cols: 2, Block: 200, Lanes: 2, Speed: 13.89})
	if err != nil {
		t.Fatal(err)
	}
	from, _ := net.RoadByID("road_0_1_0")
	to, _ := net.RoadByID("road_2_1_0")
	other, _ := net.RoadByID("road_0_2_0")
	var trips []Trip
	for k := 0; k < 100; k++ {
		trips = append(trips, Trip{Depart: float64(4 * k), From: from, To: to})
		trips = append(trips, Trip{Depart: float64(4*k + 2), From: other, To: to})
	}
	cfg := DefaultConfig()
	cfg.Seed, cfg.Workers, cfg.Controllers = 1, 2, ctrl
	s, err := New(net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, net
}

// TestForkSameFuture: a fork with fresh copies of stateless and External
// controllers, and a ForcePhase hold, steps to the same state as the
// original, and changing one does not touch the other.
func TestForkSameFuture(t *testing.T) {
	s, net := twinSim(t, func(v maps.NodeID) Controller {
		if net := v; net%2 == 0 {
			return &signal.External{}
		}
		return nil
	})
	var node maps.NodeID = -1
	for v := range net.Nodes {
		if nc, ok := s.NodeControl(maps.NodeID(v)); ok {
			if e, ok := nc.Controller.(*signal.External); ok {
				e.Request(2)
				node = maps.NodeID(v)
			}
		}
	}
	if node < 0 {
		t.Fatal("no external junction")
	}
	s.RunUntil(100)
	if err := s.Enqueue(ForcePhase{Node: node, Phase: 0, Duration: 50}); err != nil {
		t.Fatal(err)
	}
	s.Step()
	fresh := func(c Controller) Controller {
		if e, ok := c.(*signal.External); ok {
			n := &signal.External{}
			n.Request(e.Requested())
			return n
		}
		return c
	}
	f := s.Fork(fresh)
	defer f.Close()
	nc, _ := f.NodeControl(node)
	if !nc.Held || nc.Phase != 0 || nc.Until != 150 {
		t.Fatalf("the fork lost the hold: %+v", nc)
	}
	orig, _ := s.NodeControl(node)
	if nc.Controller == orig.Controller {
		t.Fatalf("the fork shares the External controller")
	}
	s.RunUntil(300)
	f.RunUntil(300)
	if s.Hash() != f.Hash() {
		t.Errorf("fork and original differ after the same steps")
	}
	orig.Controller.(*signal.External).Request(1)
	s.RunUntil(400)
	f.RunUntil(400)
	if s.Hash() == f.Hash() {
		t.Errorf("a request to the original changed the fork")
	}
	if nc, _ := f.NodeControl(node); nc.Held || nc.Controller.(*signal.External).Requested() != 2 {
		t.Errorf("fork control at 400 s: %+v", nc)
	}
}

// TestScaleRoadDemand scales only the trips whose routes use the road.
func TestScaleRoadDemand(t *testing.T) {
	s, net := twinSim(t, nil)
	r, _ := net.RoadByID("road_0_1_0")
	o, _ := net.RoadByID("road_0_2_0")
	before := s.PendingByRoad(100, 200)
	if before[r] != 25 || before[o] != 25 {
		t.Fatalf("pending in [100, 200): %d on %s, %d on the other entry; want 25 each", before[r], "road_0_1_0", before[o])
	}
	for _, c := range []Command{ScaleRoadDemand{Road: r, Factor: 0, From: 100, To: 200}, ScaleRoadDemand{Road: o, Factor: 2, From: 100, To: 200}} {
		if err := s.Enqueue(c); err != nil {
			t.Fatal(err)
		}
	}
	s.Step()
	after := s.PendingByRoad(100, 200)
	if after[r] != 0 || after[o] != 50 {
		t.Errorf("after scaling by 0 and 2: %d and %d pending, want 0 and 50", after[r], after[o])
	}
	if slices.Equal(before, after) {
		t.Errorf("nothing changed")
	}
	for _, bad := range []Command{ScaleRoadDemand{Road: 999, Factor: 1}, ScaleRoadDemand{Road: r, Factor: -1}, ScaleRoadDemand{Road: r, Factor: 1, From: 5, To: 2}} {
		if err := bad.Validate(s); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	if s.LaneClosed(-1) || s.LaneSpeedLimit(1<<20) != 0 {
		t.Errorf("out-of-range lanes")
	}
}
