package scenarios_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestMonacoRandomTrips: an hour of random trips at 1,800 veh/h over the
// Monaco extract of $CITYTWIN_DATASETS, read straight from the .osm.pbf,
// with 15 minutes for the last trips to finish: at least 95 % of the
// vehicles arrive and at most 0.5 % teleport.
func TestMonacoRandomTrips(t *testing.T) {
	dir := os.Getenv("CITYTWIN_DATASETS")
	if dir == "" {
		t.Skip("CITYTWIN_DATASETS is not set: skipping the Monaco run (point it at the folder holding monaco/monaco.osm.pbf)")
	}
	path := filepath.Join(dir, "monaco", "monaco.osm.pbf")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("CITYTWIN_DATASETS=%s but %v", dir, err)
	}
	sc := writeScenario(t, fmt.Sprintf(`
name = "monaco"
seed = 1
duration = 3600
cooldown = 900
[network]
osm = %q
[[demand.random]]
rate = 1800
`, path), nil)
	run := mustBuild(t, sc)
	sim, err := run.NewSim()
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.RunUntil(run.End())
	c := sim.Counts()
	t.Logf("%+v", c)
	if c.Inserted < 1700 {
		t.Fatalf("%d vehicles entered, want about 1,800", c.Inserted)
	}
	if share := float64(c.Arrived) / float64(c.Inserted); share < 0.95 {
		t.Errorf("%d of %d vehicles arrived (%.1f%%), want at least 95%%", c.Arrived, c.Inserted, 100*share)
	}
	if share := float64(c.Teleports) / float64(c.Inserted); share > 0.005 {
		t.Errorf("%d teleports for %d vehicles (%.2f%%), want at most 0.5%%", c.Teleports, c.Inserted, 100*share)
	}
}
