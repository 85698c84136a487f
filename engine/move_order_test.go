package engine

import (
	"slices"
	"testing"
)

// TestMoveOrder checks that the move phase's result does not depend on
// the order it takes the chunks in: a busy grid with turning traffic runs
// to the same state, vehicle for vehicle, with the chunks taken from the
// last down (runDown, the default) as from the first up (moveUp), on one
// worker and on two (parts mirrored).
func TestMoveOrder(t *testing.T) {
	net, trips := junctionGrid(t)
	defer func() { moveUp = false }()
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
		for step := 1; step <= 900; step++ {
			moveUp = false
			down.Step()
			moveUp = true
			up.Step()
			moveUp = false
			for i := range down.segs {
				if !slices.Equal(down.segs[i].cars, up.segs[i].cars) {
					t.Fatalf("%d workers, after %d steps: segment %d's vehicles differ going down and up", workers, step, i)
				}
			}
			if step%100 == 0 && down.Hash() != up.Hash() {
				t.Fatalf("%d workers, after %d steps: state hash %016x going down, %016x going up", workers, step, down.Hash(), up.Hash())
			}
		}
		if c := down.Counts(); c.Arrived < 300 {
			t.Errorf("%d workers: %d vehicles arrived: the grid is not busy enough to test the move phase", workers, c.Arrived)
		}
	}
}
