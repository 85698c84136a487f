package scenarios_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/scenarios"
)

// sumoGridNet is a SUMO network made by netgenerate (see maps/sumo_test.go).
const sumoGridNet = "../maps/testdata/sumo/grid3x2.net.xml"

// sumoScenario writes the scenario text beside a copy of the SUMO grid
// network (grid.net.xml) and the extra files, and loads it.
func sumoScenario(t *testing.T, text string, files map[string]string) *scenarios.Scenario {
	t.Helper()
	net, err := os.ReadFile(sumoGridNet)
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]string{"grid.net.xml": string(net)}
	for k, v := range files {
		all[k] = v
	}
	return writeScenario(t, text, all)
}

func TestBuildSUMONetwork(t *testing.T) {
	sc := sumoScenario(t, `
seed = 2
duration = 600
cooldown = 900
[network]
sumo = "grid.net.xml"
[[demand.random]]
rate = 600
`, nil)
	r := mustBuild(t, sc)
	if len(r.Network.Roads) != 14 || r.Network.Source != "grid.net.xml" {
		t.Fatalf("network: %d roads from %s", len(r.Network.Roads), r.Network.Source)
	}
	sim, err := r.NewSim()
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.RunUntil(r.End())
	c := sim.Counts()
	if c.Arrived != int64(len(r.Trips)) || c.Teleports != 0 || len(r.Trips) < 50 {
		t.Errorf("%d trips: %d arrived, %d teleports", len(r.Trips), c.Arrived, c.Teleports)
	}
}

func TestBuildSUMONetworkErrors(t *testing.T) {
	sc := sumoScenario(t, `
duration = 600
[network]
sumo = "bad.net.xml"
`, map[string]string{"bad.net.xml": "<net>\n<edge id=\"e\" from=\"a\" to=\"b\"><lane id=\"e_0\" index=\"0\" speed=\"0\" length=\"1\" shape=\"0,0 1,0\"/></edge>\n</net>\n"})
	_, err := scenarios.Build(sc)
	if err == nil {
		t.Fatal("a bad network was accepted")
	}
	for _, want := range []string{"network.sumo", filepath.Join(filepath.Dir(sc.Path()), "bad.net.xml"), "line 2", `edge "e"`, "speed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
