package engine_test

import (
	"testing"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// The signal phase asks each plant for a quiet update before it works
// out whether the plant reads sensors (needsSensors), and gathers them
// only when it does not get one. That is the update UpdateSensed makes
// only if a plant that can be quiet never needs sensors: here, on a grid
// whose junctions run a mix of controllers and guards (guards changed in
// place through Plant, as a user may, some in mid-run), every plant whose
// update at a step would be quiet (asked of a clone) needs no sensors,
// and quiet updates do happen.
func TestQuietNeedsNoSensors(t *testing.T) {
	_, sim := mustSim(t, busyGridTOML(1, "idm", 1500), nil)
	var nodes []maps.NodeID
	for v := range sim.Network().Nodes {
		if sim.Plant(maps.NodeID(v)) != nil {
			nodes = append(nodes, maps.NodeID(v))
		}
	}
	if len(nodes) < 6 {
		t.Fatalf("%d signalised nodes, want at least 6", len(nodes))
	}
	asks := signal.ControllerFunc(func(v signal.View) int { return signal.FixedTime{}.Decide(v) })
	for k, v := range nodes {
		switch k % 6 {
		case 1:
			sim.Plant(v).Guard.MaxRed = 40 // needs sensors; never quiet
		case 2:
			sim.SetController(v, asks)
		case 3:
			sim.SetController(v, &signal.FixedTime{})
		case 4:
			sim.SetController(v, signal.FixedTime{Offset: 3})
		}
	}
	quiet := 0
	for step := range 600 {
		now := float64(step)
		if step == 300 {
			for k, v := range nodes {
				if k%6 == 5 {
					sim.Plant(v).Guard.MaxRed = 30 // in place, while quiet
				}
			}
		}
		for _, v := range nodes {
			p := sim.Plant(v)
			lights := make([]signal.Light, len(p.Program.Phases[0].State))
			if p.Clone().UpdateQuiet(now, 1, lights) {
				quiet++
				if sim.NeedsSensors(v) {
					t.Fatalf("step %d: node %d: a quiet update, but the plant (%s, guard %+v) needs sensors", step, v, p.Ctrl.Name(), p.Guard)
				}
			}
		}
		sim.Step()
	}
	if quiet < 600*len(nodes)/6 {
		t.Errorf("%d quiet updates in 600 steps of %d plants", quiet, len(nodes))
	}
}
