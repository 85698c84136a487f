package engine_test

import (
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// TestJamsGridlock fills a one-lane 2×2 grid whose four roads form a
// ring with vehicles that all want to go round it, no teleports: each
// ring road's queue waits on the next, so the detector must report one
// gridlock of the four ring lanes; a run without demand reports none.
func TestJamsGridlock(t *testing.T) {
	net, err := maps.Grid(maps.GridOptions{Rows: 2, Cols: 2, Block: 60, Lanes: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The ring: the four roads between the inner junctions, clockwise.
	var ring []maps.RoadID
	inner := func(v maps.NodeID) bool { return net.Nodes[v].Kind != maps.Boundary }
	for r := range net.Roads {
		rd := &net.Roads[r]
		if inner(rd.From) && inner(rd.To) {
			ring = append(ring, maps.RoadID(r))
		}
	}
	// Order the ring as a cycle and keep one direction.
	cyc := []maps.RoadID{ring[0]}
	for len(cyc) < 4 {
		last := &net.Roads[cyc[len(cyc)-1]]
		for _, r := range ring {
			if net.Roads[r].From == last.To && net.Roads[r].To != last.From {
				cyc = append(cyc, r)
				break
			}
		}
	}
	var trips []engine.Trip
	for k := 0; k < 80; k++ {
		start := k % 4
		route := maps.Route{cyc[start], cyc[(start+1)%4], cyc[(start+2)%4], cyc[(start+3)%4]}
		trips = append(trips, engine.Trip{Depart: float64(k / 4), From: route[0], To: route[3], Route: route})
	}
	cfg := engine.DefaultConfig()
	cfg.Teleport = -1
	sim, err := engine.New(net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.RunUntil(900)
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
