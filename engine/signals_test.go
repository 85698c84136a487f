package engine_test

import (
	"slices"
	"testing"

	"github.com/citytwin/citytwin/engine"

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
	nodes := signalised(sim)
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
			if p.Clone().UpdateQuiet(now, 1, len(p.Program.Phases[0].State)) {
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

// A node's lights held (HoldLights) while its plant's updates are quiet
// go back to the plant's at the first step after the release: the signal
// phase tells the plant its lights were written over (LightsChanged), so
// that its next update writes them again (a quiet update leaves them as
// they are). Every step, the lights of every node not held are its
// plant's (CheckInvariants), and the held ones are the hold's.
func TestHeldLightsReleased(t *testing.T) {
	_, sim := mustSim(t, busyGridTOML(1, "idm", 1500), nil)
	nodes := signalised(sim)
	held := map[maps.NodeID][]signal.Light{}
	var snap engine.Snapshot
	for step := range 400 {
		for k, v := range nodes {
			// Holds of 3 to 23 steps, begun and ended at steps of
			// every phase of the cycle.
			switch at := (step + 37*k) % 97; {
			case at == 0 && step > 0:
				p := sim.Plant(v)
				l := slices.Clone(p.Lights())
				for m := range l {
					l[m] = signal.Light((int(l[m]) + 1 + m) % 4) // other lights than the plant's
				}
				if err := sim.HoldLights(v, l); err != nil {
					t.Fatal(err)
				}
				held[v] = l
			case at == 3+k%21 && held[v] != nil:
				sim.ReleaseLights(v)
				delete(held, v)
			}
		}
		sim.Step()
		if err := sim.CheckInvariants(); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		sim.Snapshot(&snap)
		for v, l := range held {
			lo := int(sim.Network().Nodes[v].Movements[0])
			if got := snap.Lights[lo : lo+len(l)]; !slices.Equal(got, l) {
				t.Fatalf("step %d: node %d held at %v shows %v", step, v, l, got)
			}
		}
	}
}

// signalised returns the nodes of sim that have a signal plant.
func signalised(sim *engine.Sim) []maps.NodeID {
	var nodes []maps.NodeID
	for v := range sim.Network().Nodes {
		if sim.Plant(maps.NodeID(v)) != nil {
			nodes = append(nodes, maps.NodeID(v))
		}
	}
	return nodes
}
