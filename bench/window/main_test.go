package main

import (
	"testing"

	"github.com/citytwin/citytwin/bench"
)

func TestRunRefusesBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name           string
		warmup         float64
		steps, workers int
	}{
		{"negative steps", 10, -1, 1},
		{"no worker", 10, 1, 0},
		{"negative warm-up", -1, 1, 1},
	} {
		if err := run("grid10", tc.warmup, tc.steps, tc.workers, 1); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if err := run("nosuchcase", 10, 1, 1, 1); err == nil {
		t.Error("unknown case: no error")
	}
}

// The window's updates are the vehicle-steps its steps add, and its end
// state is bench's for the same warm-up and steps.
func TestWindow(t *testing.T) {
	c, err := bench.Lookup("grid10")
	if err != nil {
		t.Fatal(err)
	}
	c.Warmup = 60
	setup, err := c.Load(1, 60+5+60)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := setup.NewSim(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	before := sim.Counts()
	if got := Window(sim, 5); got != sim.Counts().VehicleSteps-before.VehicleSteps || got <= 0 {
		t.Errorf("Window = %v vehicle-updates, counts say %v", got, sim.Counts().VehicleSteps-before.VehicleSteps)
	}
	if sim.Time() != 65 {
		t.Errorf("after the window t = %v, want 65", sim.Time())
	}
}
