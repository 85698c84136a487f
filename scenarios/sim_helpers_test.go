package scenarios

import "testing"

// The tests of package scenarios itself cannot import internal/testrun
// (it imports scenarios); these are its Start and New for them.

// buildSim builds sc and returns its run and a new simulation of it,
// closed when the test ends.
func buildSim(t testing.TB, sc *Scenario) (*Run, *Simulation) {
	t.Helper()
	run, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	return run, newSim(t, run)
}

// newSim returns a new simulation of run, closed when the test ends.
func newSim(t testing.TB, run *Run) *Simulation {
	t.Helper()
	sim, err := run.NewSimulation()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}
