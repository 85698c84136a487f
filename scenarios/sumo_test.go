package scenarios_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/maps"
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
	sim := testrun.New(t, r)
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

// sumoRoutes is demand for the SUMO grid (A0 is its south-west corner).
const sumoRoutes = `<routes>
  <vType id="slow" accel="1.5" decel="4" sigma="0" tau="1.5" length="6" maxSpeed="12" speedFactor="1" speedDev="0"/>
  <vType id="idm" carFollowModel="IDM" speedDev="0"/>
  <route id="east" edges="A0A1 A1B1 B1C1"/>
  <vehicle id="v0" depart="0" route="east" type="slow" departLane="1" departSpeed="max"/>
  <vehicle id="v1" depart="5" type="idm" departLane="best"><route edges="B0B1 B1A1 A1A0"/></vehicle>
  <trip id="t0" depart="10" from="C0C1" to="A1A0" via="B1A1"/>
  <flow id="f" begin="20" end="80" period="20" route="east" departLane="random"/>
  <person id="p" depart="0"><walk edges="A0A1"/></person>
</routes>
`

func TestBuildSUMODemand(t *testing.T) {
	sc := sumoScenario(t, `
seed = 1
duration = 100
cooldown = 600
stop_when_empty = true
[network]
sumo = "grid.net.xml"
[demand]
sumo = ["a.rou.xml", "b.rou.xml"]
`, map[string]string{"a.rou.xml": sumoRoutes, "b.rou.xml": `<routes><trip id="b0" depart="3" from="B0C0" to="C1B1"/></routes>`})
	r := mustBuild(t, sc)
	var ids []string
	for _, tr := range r.Trips {
		ids = append(ids, tr.ID)
	}
	if got := strings.Join(ids, " "); got != "v0 v1 t0 f.0 f.1 f.2 b0" {
		t.Errorf("trips %s", got)
	}
	net := r.Network
	road := func(id string) maps.RoadID { x, _ := net.RoadByID(id); return x }
	byID := map[string]engine.Trip{}
	for _, tr := range r.Trips {
		byID[tr.ID] = tr
	}
	// SUMO lane 1 of A0A1 is its left lane: CityTwin lane 0.
	v0 := byID["v0"]
	if v0.DepartLane != engine.DepartLaneIndex || v0.LaneIndex != 0 || v0.DepartSpeed != engine.DepartSpeedMax ||
		!slices.Equal(v0.Route, maps.Route{road("A0A1"), road("A1B1"), road("B1C1")}) {
		t.Errorf("v0 = %+v", v0)
	}
	// SUMO's defaults: the rightmost lane, standing start.
	if t0 := byID["t0"]; t0.DepartLane != engine.DepartLaneIndex || t0.LaneIndex != 1 || t0.DepartSpeed != engine.DepartSpeedGiven || t0.Speed != 0 ||
		t0.Route[0] != road("C0C1") || !slices.Contains(t0.Route, road("B1A1")) {
		t.Errorf("t0 = %+v", t0)
	}
	if byID["f.1"].DepartLane != engine.DepartLaneRandom || byID["f.1"].Depart != 40 {
		t.Errorf("f.1 = %+v", byID["f.1"])
	}
	vt := r.Config.VTypes[v0.VType]
	if vt.ID != "slow" || vt.Model != (follow.Krauss{}) || vt.Length != 6 || vt.MaxSpeed != 12 || vt.Follow.Headway != 1.5 || vt.Follow.Accel != 1.5 {
		t.Errorf("type slow = %+v", vt)
	}
	if vt := r.Config.VTypes[byID["v1"].VType]; vt.ID != "idm" || vt.Model != (follow.IDM{}) {
		t.Errorf("type idm = %+v", vt)
	}
	if vt := r.Config.VTypes[byID["t0"].VType]; vt.ID != "DEFAULT_VEHTYPE" || vt.Model != (follow.Krauss{}) || vt.Follow.Sigma != 0.5 || vt.SpeedFactor.Dev != 0.1 {
		t.Errorf("SUMO's default type = %+v", vt)
	}
	notes := strings.Join(r.Notes, "\n")
	if !strings.Contains(notes, "a.rou.xml: not supported: <person> elements: skipped (CityTwin simulates vehicles only) (1, first at line 9)") {
		t.Errorf("notes:\n%s", notes)
	}
	sim := testrun.New(t, r)
	if err := sim.RunToEnd(); err != nil {
		t.Fatal(err)
	}
	if c := sim.Counts(); c.Arrived != 7 || !(sim.Time() < r.End()) {
		t.Errorf("at t = %g s: %+v", sim.Time(), c)
	}
}

func TestBuildSUMODemandErrors(t *testing.T) {
	cases := []struct{ routes, want string }{
		{"<routes>\n<trip id=\"x\" depart=\"0\" from=\"A0A1\" to=\"nowhere\"/></routes>", `r.rou.xml:2: vehicle "x": edge "nowhere" is not in the network`},
		{"<routes>\n<vehicle id=\"x\" depart=\"0\"><route edges=\"A0A1 B0C0\"/></vehicle></routes>", `r.rou.xml:2: vehicle "x": the route goes from edge "A0A1" to "B0C0", which no connection of the network joins`},
		{"<routes>\n<trip id=\"x\" depart=\"0\" from=\"A0A1\" to=\"A1B1\" departLane=\"4\"/></routes>", `departLane 4: edge "A0A1" has no such lane`},
		{"<routes>\n<vType id=\"big\" length=\"40\"/><trip id=\"x\" depart=\"0\" from=\"A0A1\" to=\"A1B1\" type=\"big\"/></routes>", `r.rou.xml:2: vType "big": length 40 m`},
		{"<routes>\n<trip id=\"x\" depart=\"0\" from=\"A0A1\"/></routes>", `r.rou.xml: line 2: <trip> "x": needs a route`},
	}
	for _, c := range cases {
		sc := sumoScenario(t, "duration = 60\n[network]\nsumo = \"grid.net.xml\"\n[demand]\nsumo = \"r.rou.xml\"\n", map[string]string{"r.rou.xml": c.routes})
		_, err := scenarios.Build(sc)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "demand.sumo") {
			t.Errorf("%q: error %v, want one with demand.sumo and %q", c.routes, err, c.want)
		}
	}
}

// A SUMO network exported as GeoJSON (citytwin net export) and read back
// runs the same demand to the same state hash as the network itself: the
// grid with actuated signals and SUMO routes, and the projected crossing
// from OpenStreetMap with random trips.
func TestSUMOExportRoundTripHash(t *testing.T) {
	for _, c := range []struct{ net, demand string }{
		{"grid3x2.net.xml", "sumo = \"r.rou.xml\"\n[[demand.random]]\nrate = 2400\n"},
		{"cross.net.xml", "[[demand.random]]\nrate = 1500\n"},
	} {
		hashes := map[string]uint64{}
		for _, net := range []string{`sumo = "x.net.xml"`, `geojson = "x.geojson"`} {
			data, err := os.ReadFile(filepath.Join("..", "maps", "testdata", "sumo", c.net))
			if err != nil {
				t.Fatal(err)
			}
			sc := writeScenario(t, "seed = 4\nduration = 300\ncooldown = 300\n[network]\n"+net+"\n[demand]\n"+c.demand,
				map[string]string{"r.rou.xml": sumoRoutes, "x.net.xml": string(data)})
			if strings.Contains(net, "geojson") {
				n, err := maps.LoadSUMO(sc.Resolve("x.net.xml"), maps.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := n.SaveGeoJSON(sc.Resolve("x.geojson")); err != nil {
					t.Fatal(err)
				}
			}
			_, sim := testrun.Start(t, sc)
			if err := sim.RunToEnd(); err != nil {
				t.Fatal(err)
			}
			if cn := sim.Counts(); cn.Arrived < 100 {
				t.Fatalf("%s %s: %+v", c.net, net, cn)
			}
			hashes[net] = sim.Hash()
			sim.Close()
		}
		if hashes[`sumo = "x.net.xml"`] != hashes[`geojson = "x.geojson"`] {
			t.Errorf("%s: state hashes differ: %x", c.net, hashes)
		}
	}
}

// SUMO networks and demand run to the same state hash for any worker
// count (the parallel phases forced).
func TestSUMODeterministicWorkers(t *testing.T) {
	var hashes []uint64
	for _, w := range []int{1, 2, 3} {
		sc := sumoScenario(t, "seed = 7\nduration = 300\ncooldown = 300\nmin_parallel = -1\n"+
			"workers = "+strconv.Itoa(w)+"\n[network]\nsumo = \"grid.net.xml\"\n[demand]\nsumo = \"r.rou.xml\"\n[[demand.random]]\nrate = 2400\n",
			map[string]string{"r.rou.xml": sumoRoutes})
		_, sim := testrun.Start(t, sc)
		if err := sim.RunToEnd(); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, sim.Hash())
		sim.Close()
	}
	if hashes[0] != hashes[1] || hashes[0] != hashes[2] {
		t.Errorf("state hashes for 1, 2, 3 workers: %x", hashes)
	}
}
