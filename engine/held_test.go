package engine_test

import (
	"testing"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// Held lights replace the plant's: all red stops every crossing, and the
// plant resumes where it stood on release; clones keep their own holds.
func TestHoldLights(t *testing.T) {
	_, sim := mustSim(t, busyGridTOML(1, "idm", 1500), nil)
	net := sim.Network()
	var sig []maps.NodeID
	for v := range net.Nodes {
		if net.Nodes[v].Kind == maps.Signalised {
			sig = append(sig, maps.NodeID(v))
		}
	}
	if len(sig) == 0 {
		t.Fatal("no signalised node")
	}
	sim.RunUntil(300)
	v := sig[0]
	ph0, _ := sim.Plant(v).Phase()
	red := make([]signal.Light, len(net.Nodes[v].Movements))
	if err := sim.HoldLights(v, red[:len(red)-1]); err == nil {
		t.Error("HoldLights took too few lights")
	}
	if err := sim.HoldLights(v, red); err != nil {
		t.Fatal(err)
	}
	// Vehicles crossing node v: entering links of its movements.
	crossed := func() int64 {
		n := int64(0)
		st := sim.LaneStats()
		for _, r := range net.Nodes[v].In {
			for _, l := range net.Roads[r].Lanes {
				n += st[l].Left
			}
		}
		return n
	}
	clone := sim.Clone()
	defer clone.Close()
	clone.ReleaseLights(v)
	sim.RunUntil(310) // vehicles already committed clear the line
	before := crossed()
	sim.RunUntil(400)
	if got := crossed(); got != before {
		t.Errorf("%d vehicles crossed node %s under held red lights", got-before, net.Nodes[v].ID)
	}
	held400 := sim.Hash()
	if ph, _ := sim.Plant(v).Phase(); ph != ph0 {
		t.Errorf("plant moved from phase %d to %d while held", ph0, ph)
	}
	if !sim.Held(v) || clone.Held(v) {
		t.Errorf("held: sim %v clone %v, want true false", sim.Held(v), clone.Held(v))
	}
	sim.ReleaseLights(v)
	sim.RunUntil(700)
	if crossed() == before {
		t.Errorf("no vehicle crossed node %s after release", net.Nodes[v].ID)
	}
	clone.RunUntil(400)
	if clone.Hash() == held400 {
		t.Error("clone released at 300 s equals the held run")
	}
}
