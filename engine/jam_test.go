package engine_test

import (
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/internal/testnet"
	"github.com/citytwin/citytwin/maps"
)

// TestJamsGridlock fills a one-lane 2×2 grid whose four roads form a
// ring with vehicles that all want to go round it, no teleports: each
// ring road's queue waits on the next, so the detector must report one
// gridlock of the four ring lanes; a run without demand reports none.
func TestJamsGridlock(t *testing.T) {
	ring := testnet.Gridlocked(t)
	sim, net, cfg := ring.Sim, ring.Net, ring.Config
	jams := sim.Jams(0)
	if len(jams) == 0 || !jams[0].Cycle {
		t.Fatalf("jams %+v, want a gridlock first (counts %+v)", jams, sim.Counts())
	}
	if got := len(jams[0].Lanes); got != 4 {
		t.Errorf("gridlock of %d lanes, want 4: %s", got, sim.Describe(jams[0]))
	}
	if d := sim.Describe(jams[0]); !strings.HasPrefix(d, "gridlock of 4 lanes") {
		t.Errorf("description %q", d)
	}
	empty, err := engine.New(net, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	empty.RunUntil(600)
	if j := empty.Jams(0); len(j) != 0 {
		t.Errorf("an empty network has jams: %+v", j)
	}
}

// TestJamsStarved holds one junction of a grid on its first phase for
// good: the queues of the other phase are reported as starved, not as
// gridlocks.
func TestJamsStarved(t *testing.T) {
	net, err := maps.Grid(maps.GridOptions{Rows: 1, Cols: 1, Block: 200, Lanes: 1})
	if err != nil {
		t.Fatal(err)
	}
	var trips []engine.Trip
	for r := range net.Roads {
		if net.Nodes[net.Roads[r].From].Kind != maps.Boundary {
			continue
		}
		for k := 0; k < 5; k++ {
			trips = append(trips, engine.Trip{Depart: float64(10 * k), From: maps.RoadID(r), To: maps.RoadID(r)})
		}
	}
	// Each trip's route: straight across the junction.
	for i := range trips {
		rd := &net.Roads[trips[i].From]
		for _, m := range net.Nodes[rd.To].Movements {
			if mv := &net.Movements[m]; mv.From == trips[i].From && mv.Turn == maps.Straight {
				trips[i].To = mv.To
			}
		}
	}
	cfg := engine.DefaultConfig()
	cfg.Teleport = -1
	cfg.Controllers = func(maps.NodeID) engine.Controller {
		return signal.ControllerFunc(func(signal.View) int { return 0 })
	}
	sim, err := engine.New(net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.RunUntil(700)
	jams := sim.Jams(0)
	if len(jams) == 0 {
		t.Fatalf("no jam reported; counts %+v", sim.Counts())
	}
	for _, j := range jams {
		if !j.Starved || j.Cycle || len(j.Lanes) != 1 {
			t.Errorf("jam %+v: want a starved lane alone (%s)", j, sim.Describe(j))
		}
		if d := sim.Describe(j); !strings.HasPrefix(d, "queue held by a red light") {
			t.Errorf("description %q", d)
		}
	}
	if got := sim.Counts().Arrived; got == 0 {
		t.Errorf("no vehicle crossed on the green phase")
	}
}
