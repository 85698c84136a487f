package engine_test

import (
	"reflect"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
)

// The signal phase skips the steps at which every plant's update would
// be quiet (signalSleep). TestSignalSleep runs a grid of fixed-time
// junctions with and without the skipping (a clone that handed out a
// plant: Sim.Plant stops it for good) and compares, after every step, the
// state hashes and every plant in full: the skipping run's plants as a
// clone of it sees them (Clone wakes the signals, telling the plants
// about the steps skipped), so a plant that missed a full update or the
// record of a skipped step shows. It fails, too, unless most steps are
// skipped; a hold of one node's lights in mid-run must wake the phase.
func TestSignalSleep(t *testing.T) {
	_, sleeper := mustSim(t, busyGridTOML(1, "idm", 1500), nil)
	awake := sleeper.Clone()
	defer awake.Close()
	nodes := signalised(awake) // (Plant: awake never skips a step)
	if len(nodes) < 4 {
		t.Fatalf("%d signalised nodes, want at least 4", len(nodes))
	}
	const steps = 400
	// Hold a node's lights (all red, as a TraCI client might) for 10
	// steps from the first step from 250 on that the phase would skip
	// (as a clone run ahead finds).
	ahead, held := sleeper.Clone(), -1
	for step := range steps {
		ahead.Step()
		if held < 0 && step >= 250 && ahead.SignalsAsleep() {
			held = step
		}
	}
	ahead.Close()
	asleep := 0
	for step := range steps {
		if held >= 0 && (step == held || step == held+10) {
			red := make([]signal.Light, len(awake.Plant(nodes[0]).Lights()))
			for _, sim := range [2]*engine.Sim{sleeper, awake} {
				if step == held {
					if err := sim.HoldLights(nodes[0], red); err != nil {
						t.Fatal(err)
					}
				} else {
					sim.ReleaseLights(nodes[0])
				}
			}
		}
		sleeper.Step()
		awake.Step()
		if sleeper.SignalsAsleep() {
			asleep++
			if held >= 0 && step >= held && step < held+10 {
				t.Fatalf("step %d: the signal phase skipped a step while a node's lights are held", step)
			}
		}
		if a, b := sleeper.Hash(), awake.Hash(); a != b {
			t.Fatalf("step %d: state hash %016x with skipped steps, %016x without", step, a, b)
		}
		if step%5 != 0 && !sleeper.SignalsAsleep() {
			continue
		}
		seen := sleeper.Clone()
		for _, v := range nodes {
			if p, q := seen.Plant(v), awake.Plant(v); !reflect.DeepEqual(p, q) {
				t.Fatalf("step %d: node %d: plant %+v with skipped steps, %+v without", step, v, *p, *q)
			}
		}
		seen.Close()
	}
	t.Logf("skipped %d of %d steps", asleep, steps)
	if held < 0 {
		t.Error("no step held")
	}
	if asleep < steps/2 {
		t.Errorf("the signal phase skipped %d of %d steps, want at least half", asleep, steps)
	}
}
