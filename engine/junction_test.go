package engine

import (
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// TestJunctionMasks checks that the junction phase's bit masks
// (junctionMasks, and Sim.crossWait behind waitMask) change no decision:
// a busy grid with turning traffic runs to the same state hash with them
// as with every check run in full, as at a node whose links do not fit in
// a mask; and crossWait mirrors headTo all along (checkInvariants).
func TestJunctionMasks(t *testing.T) {
	net, err := maps.Grid(maps.GridOptions{Rows: 4, Cols: 4, Block: 120, Lanes: 2, Speed: 13.89})
	if err != nil {
		t.Fatal(err)
	}
	var trips []Trip
	for k := 0; k < 4000; k++ {
		from, to := maps.RoadID(k*7%len(net.Roads)), maps.RoadID((k*13+5)%len(net.Roads))
		if from != to {
			trips = append(trips, Trip{Depart: float64(k) / 4, From: from, To: to})
		}
	}
	cfg := DefaultConfig()
	cfg.Seed, cfg.Workers = 1, 1
	sims := make([]*Sim, 2)
	for i := range sims {
		if sims[i], err = New(net, cfg, trips); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sims[i].Close)
	}
	masked, full := sims[0], sims[1]
	n := 0
	for v := range full.jm.lo {
		if full.jm.lo[v] >= 0 {
			n++
		}
		full.jm.lo[v] = -1
	}
	for k := range full.jm.cross {
		full.jm.cross[k] = ^uint64(0)
	}
	for l := range full.jm.into {
		full.jm.into[l] = ^uint64(0)
	}
	if n == 0 {
		t.Fatal("no node of the grid has masks: the test compares nothing")
	}
	for step := 1; step <= 1200; step++ {
		masked.Step()
		full.Step()
		if step%100 == 0 && masked.Hash() != full.Hash() {
			t.Fatalf("after %d steps: state hash %016x with masks, %016x without", step, masked.Hash(), full.Hash())
		}
		if err := masked.checkInvariants(); err != nil {
			t.Fatalf("after %d steps: %v", step, err)
		}
	}
	if c := masked.Counts(); c.Arrived < 1000 {
		t.Errorf("%d vehicles arrived: the grid is not busy enough to test the junctions", c.Arrived)
	}
}
