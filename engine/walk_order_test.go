package engine

import (
	"slices"
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// twinSims returns two simulations of the same network, settings and
// trips, closed when the test ends: tests step them side by side, one of
// them taking a shortcut or another order, and compare.
func twinSims(t *testing.T, net *maps.Network, cfg Config, trips []Trip) (*Sim, *Sim) {
	t.Helper()
	var sims [2]*Sim
	for i := range sims {
		var err error
		if sims[i], err = New(net, cfg, trips); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sims[i].Close)
	}
	return sims[0], sims[1]
}

// TestWalkOrder checks that the phases that go down through the chunks
// for the cache (pool.runDown) give the same results going up: a busy
// grid with turning traffic runs to the same state, vehicle for vehicle
// and record for record, on one worker and on two (parts mirrored), with
// the move phase (moveUp) or refresh (refreshUp) taking its chunks
// upwards in one of the two simulations. It fails on an order-dependent
// change to either phase (tried).
func TestWalkOrder(t *testing.T) {
	net, trips := junctionGrid(t)
	defer func() { moveUp, refreshUp = false, false }()
	for _, tc := range []struct {
		phase string
		up    *bool // the phase's test switch
	}{
		{"move", &moveUp},
		{"refresh", &refreshUp},
	} {
		for _, workers := range []int{1, 2} {
			cfg := DefaultConfig()
			cfg.Seed, cfg.Workers, cfg.MinParallel = 1, workers, -1
			down, up := twinSims(t, net, cfg, trips)
			for step := 1; step <= 900; step++ {
				*tc.up = false
				down.Step()
				*tc.up = true
				up.Step()
				*tc.up = false
				if step%100 == 0 && down.Hash() != up.Hash() {
					t.Fatalf("%s, %d workers, after %d steps: state hash %016x going down, %016x going up", tc.phase, workers, step, down.Hash(), up.Hash())
				}
				for i := range down.segs {
					a, b := &down.segs[i], &up.segs[i]
					if !slices.Equal(a.cars, b.cars) || a.head != b.head || a.tail != b.tail || down.occ[i] != up.occ[i] {
						t.Fatalf("%s, %d workers, after %d steps: segment %d's vehicles or records differ going down and up", tc.phase, workers, step, i)
					}
				}
				if !slices.Equal(down.headTo, up.headTo) || !slices.Equal(down.crossWait, up.crossWait) {
					t.Fatalf("%s, %d workers, after %d steps: headTo or crossWait differ going down and up", tc.phase, workers, step)
				}
			}
			if c := down.Counts(); c.Arrived < 300 {
				t.Errorf("%s, %d workers: %d vehicles arrived: the grid is not busy enough for the test", tc.phase, workers, c.Arrived)
			}
		}
	}
}
