package scenarios_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/scenarios"
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
	run, sim := testrun.Start(t, sc)
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

// TestAllowEmpty: a scenario whose demand gives no trip fails to build
// with an error naming the file and saying what to do, unless it says
// allow_empty = true.
func TestAllowEmpty(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		ok          bool
	}{
		{"no demand", "", false},
		{"an OD matrix of zeros", "[demand.zones]\na = [\"road_0_1_0\"]\n[[demand.od]]\nzones = [\"a\"]\ntrips = [[0]]\n", false},
		{"allow_empty", "allow_empty = true\n", true},
		{"an add_demand event", "[[events]]\nat = 10\nkind = \"add_demand\"\nfrom = \"road_0_1_0\"\nto = \"road_1_1_0\"\nrate = 60\nend = 100\n", true},
		{"random trips", "[[demand.random]]\nrate = 600\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := gridHead
			if tc.extra != "" && tc.extra[0] != '[' {
				text = tc.extra + gridHead
			} else {
				text += tc.extra
			}
			sc := writeScenario(t, text, nil)
			_, err := scenarios.Build(sc)
			switch {
			case tc.ok && err != nil:
				t.Fatalf("Build: %v", err)
			case !tc.ok && err == nil:
				t.Fatal("Build accepted a scenario with no trip")
			case !tc.ok:
				for _, want := range []string{sc.Path(), "demand", "no trip", "allow_empty = true"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
			}
		})
	}
}

// TestNetworkKeys: the [network] keys of OSM input are checked.
func TestNetworkKeys(t *testing.T) {
	for _, tc := range []struct{ keys, want string }{
		{`driving_side = "middle"`, "network.driving_side"},
		{`country = "Monaco"`, "network.country"},
		{`bbox = [7.4, 43.7, 7.3, 43.8]`, "network.bbox"},
		{`bbox = [7.4, 43.7]`, "network.bbox"},
	} {
		_, err := scenarios.Parse([]byte("duration = 60\n[network]\nosm = \"a.osm.pbf\"\n"+tc.keys+"\n"), "n.toml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error at %s", tc.keys, err, tc.want)
		}
	}
}
