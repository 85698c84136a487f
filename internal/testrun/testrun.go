// Package testrun builds scenarios for tests: parsing, building and
// starting a simulation, failing the test with the error otherwise.
package testrun

import (
	"testing"

	"github.com/citytwin/citytwin/scenarios"
)

// Parse parses a scenario's TOML text; name labels error messages and
// resolves relative paths.
func Parse(t testing.TB, text, name string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse([]byte(text), name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// Start builds sc and creates its simulation, closed when the test ends.
func Start(t testing.TB, sc *scenarios.Scenario) (*scenarios.Run, *scenarios.Simulation) {
	t.Helper()
	run, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	return run, New(t, run)
}

// New creates a simulation of run, closed when the test ends.
func New(t testing.TB, run *scenarios.Run) *scenarios.Simulation {
	t.Helper()
	sim, err := run.NewSimulation()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

// Finish starts sc and runs it to its end (duration + cool-down).
func Finish(t testing.TB, sc *scenarios.Scenario) (*scenarios.Run, *scenarios.Simulation) {
	t.Helper()
	run, sim := Start(t, sc)
	if err := sim.RunUntil(run.End()); err != nil {
		t.Fatal(err)
	}
	return run, sim
}
