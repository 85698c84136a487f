package scenarios_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// gridHead starts the scenarios of these tests: a 2×2 grid, whose road
// ids are listed in `go doc ./maps Grid`.
const gridHead = `
seed = 3
duration = 600
[network.grid]
rows = 2
cols = 2
block = 150
lanes = 2
`

// writeScenario writes the scenario text and the extra files into a new
// temporary folder, parses the scenario from there and returns it.
func writeScenario(t *testing.T, text string, files map[string]string) *scenarios.Scenario {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return sc
}

func mustBuild(t *testing.T, sc *scenarios.Scenario) *scenarios.Run {
	t.Helper()
	r, err := scenarios.Build(sc)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return r
}

// buildErrors returns every *scenarios.Error joined in err.
func buildErrors(t *testing.T, err error) []*scenarios.Error {
	t.Helper()
	var out []*scenarios.Error
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var e *scenarios.Error
		if !errors.As(err, &e) {
			t.Errorf("error %q is not a *scenarios.Error", err)
			return
		}
		out = append(out, e)
	}
	walk(err)
	return out
}

// TestBuildUnknownRoads checks that demand on roads the network does not
// have fails Build, naming the file, the key (and for a trips CSV the line)
// and the road, every problem at once.
func TestBuildUnknownRoads(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		files map[string]string
		want  []string // substrings of the problems, in order: key, then message parts
	}{
		{
			name: "flow from",
			text: gridHead + "[[demand.flows]]\nfrom = \"road_9_9_0\"\nto = \"road_2_1_0\"\nrate = 100\n",
			want: []string{"demand.flows[0].from: road \"road_9_9_0\" does not exist"},
		},
		{
			name: "flow to and via",
			text: gridHead + "[[demand.flows]]\nfrom = \"road_0_1_0\"\nto = \"nowhere\"\nvia = [\"road_1_1_0\", \"detour\"]\nrate = 100\n",
			want: []string{"demand.flows[0].to: road \"nowhere\" does not exist", "demand.flows[0].via: road \"detour\" does not exist"},
		},
		{
			name: "zone",
			text: gridHead + "[demand.zones]\nwest = [\"road_0_1_0\", \"road_0_7_0\"]\n[[demand.flows]]\nfrom = \"zone:west\"\nto = \"road_2_1_0\"\nrate = 100\n",
			want: []string{"demand.zones.west: road \"road_0_7_0\" does not exist"},
		},
		{
			name: "trips csv",
			text: gridHead + "[demand]\ntrips_csv = \"trips.csv\"\n",
			files: map[string]string{"trips.csv": "id,depart,from,to\n" +
				"a,0,road_0_1_0,road_2_1_0\n" +
				"b,5,road_0_1_0,road_5_5_5\n" +
				"c,10,ghost,road_2_1_0\n" +
				"d,soon,road_0_1_0,road_2_1_0\n"},
			want: []string{
				"trips.csv:3: road \"road_0_1_0\" or \"road_5_5_5\" does not exist",
				"trips.csv:4: road \"ghost\" or \"road_2_1_0\" does not exist",
				"trips.csv:5: depart \"soon\" is not a time",
			},
		},
		{
			name:  "cityflow flow",
			text:  gridHead + "[demand]\ncityflow = \"flow.json\"\n",
			files: map[string]string{"flow.json": cityflowFlow(`["road_0_1_0", "road_missing"]`, 0, 10, 5)},
			want:  []string{"flow.json: flow 0: route road \"road_missing\" does not exist"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := writeScenario(t, tc.text, tc.files)
			r, err := scenarios.Build(sc)
			if err == nil {
				t.Fatalf("Build: got %d trips and no error, want an error", len(r.Trips))
			}
			probs := buildErrors(t, err)
			if len(probs) != len(tc.want) {
				t.Fatalf("Build: got %d problems, want %d:\n%v", len(probs), len(tc.want), err)
			}
			for i, p := range probs {
				msg := p.Error()
				if !strings.Contains(msg, tc.want[i]) {
					t.Errorf("problem %d: got %q, want it to contain %q", i, msg, tc.want[i])
				}
				if p.File != sc.Path() || !strings.HasPrefix(msg, "scenarios: "+sc.Path()) {
					t.Errorf("problem %d: got file %q in %q, want %s", i, p.File, msg, sc.Path())
				}
				if p.Line == 0 {
					t.Errorf("problem %d (%s): no line in the scenario file", i, msg)
				}
			}
		})
	}
}

// TestBuildUnroutable checks that trips between roads with no route
// between them are kept, reported in Run.Notes and counted by the engine
// as unroutable, never silently dropped.
func TestBuildUnroutable(t *testing.T) {
	// road_3_1_0 leaves the grid eastwards: nothing follows it, so no trip
	// from it can reach road_0_1_0 (entering from the west).
	text := gridHead + `
[[demand.flows]]
id = "ok"
from = "road_0_1_0"
to = "road_2_1_0"
rate = 360
distribution = "uniform"
[[demand.flows]]
id = "stranded"
from = "road_2_1_0"
to = "road_0_1_0"
rate = 180
distribution = "uniform"
`
	sc := writeScenario(t, text, nil)
	r := mustBuild(t, sc)
	const ok, stranded = 60, 30 // 360 and 180 veh/h for 600 s
	if got := len(r.Trips); got != ok+stranded {
		t.Fatalf("trips: got %d, want %d (%d routable + %d unroutable, none dropped)", got, ok+stranded, ok, stranded)
	}
	if len(r.Notes) != 1 {
		t.Fatalf("notes: got %q, want one about demand.flows[1]", r.Notes)
	}
	for _, want := range []string{sc.Path(), "demand.flows[1]", "stranded", fmt.Sprintf("%d trips have no route", stranded), "road_2_1_0", "road_0_1_0"} {
		if !strings.Contains(r.Notes[0], want) {
			t.Errorf("note %q: want it to contain %q", r.Notes[0], want)
		}
	}
	sim := testrun.New(t, r)
	if got := len(sim.Unroutable); got != stranded {
		t.Errorf("Sim.Unroutable: got %d trips, want %d", got, stranded)
	}
	sim.RunUntil(r.End() + 600)
	c := sim.Counts()
	if c.Trips != ok+stranded || c.Unroutable != stranded {
		t.Errorf("Counts: got %d trips, %d unroutable, want %d and %d", c.Trips, c.Unroutable, ok+stranded, stranded)
	}
	if c.Inserted != ok || c.Arrived != ok {
		t.Errorf("Counts: got %d inserted and %d arrived, want %d and %d", c.Inserted, c.Arrived, ok, ok)
	}
	for _, id := range sim.Unroutable {
		tr := sim.Trip(id)
		if tr.Status != engine.TripUnroutable || tr.Depart != -1 || !strings.HasPrefix(tr.ID, "stranded.") {
			t.Errorf("trip %d: got %+v, want an unroutable trip of flow \"stranded\" that never departed", id, tr)
		}
	}
}

// TestBuildTripsCSV reads a trips CSV and runs it.
func TestBuildTripsCSV(t *testing.T) {
	text := gridHead + `
[[vtypes]]
id = "car"
[[vtypes]]
id = "bus"
length = 12.0
[demand]
trips_csv = "trips.csv"
`
	csv := "id,depart,from,to,vtype\n" +
		"first,0,road_0_1_0,road_2_1_0,\n" +
		"second, 12.5 ,road_1_0_1,road_1_2_1,bus\n" +
		"third,30,road_3_2_2,road_1_2_2,car\n"
	sc := writeScenario(t, text, map[string]string{"trips.csv": csv})
	r := mustBuild(t, sc)
	want := []struct {
		id     string
		depart float64
		from   string
		to     string
		vtype  int
	}{
		{"first", 0, "road_0_1_0", "road_2_1_0", 0},
		{"second", 12.5, "road_1_0_1", "road_1_2_1", 1},
		{"third", 30, "road_3_2_2", "road_1_2_2", 0},
	}
	if len(r.Trips) != len(want) {
		t.Fatalf("trips: got %d, want %d", len(r.Trips), len(want))
	}
	for i, w := range want {
		got := r.Trips[i]
		from, _ := r.Network.RoadByID(w.from)
		to, _ := r.Network.RoadByID(w.to)
		if got.ID != w.id || got.Depart != w.depart || got.From != from || got.To != to || got.VType != w.vtype {
			t.Errorf("trip %d: got %+v, want id %s, depart %g, from %s, to %s, vtype %d", i, got, w.id, w.depart, w.from, w.to, w.vtype)
		}
	}
	sim := testrun.New(t, r)
	sim.RunUntil(300)
	if c := sim.Counts(); c.Arrived != 3 {
		t.Errorf("arrived: got %d, want 3 (%+v)", c.Arrived, c)
	}
	for id := range 3 {
		if tr := sim.Trip(id); tr.Status != engine.TripArrived || tr.ID != want[id].id || tr.Origin != want[id].from || tr.Destination != want[id].to {
			t.Errorf("trip %d: got %+v, want %s arrived from %s to %s", id, tr, want[id].id, want[id].from, want[id].to)
		}
	}
	if got := sim.Trip(1).VType; got != "bus" {
		t.Errorf("trip second: got vehicle type %q, want bus", got)
	}
}

// TestBuildTripsCSVBadRows checks the other problems a trips CSV can have.
func TestBuildTripsCSVBadRows(t *testing.T) {
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"header", "from,to,id,depart\nroad_0_1_0,road_2_1_0,a,0\n", "trips.csv:1: the header must be id,depart then from,to and/or route, and optionally vtype"},
		{"header column", "id,depart,from,to,colour\na,0,road_0_1_0,road_2_1_0,red\n", "trips.csv:1: the header must be"},
		{"header ends", "id,depart,from,vtype\na,0,road_0_1_0,car\n", "trips.csv:1: the header must be"},
		{"fields", "id,depart,from,to\na,0,road_0_1_0\n", "trips.csv:2: want 4 fields (id,depart,from,to), have 3"},
		{"route road", "id,depart,route\na,0,road_0_1_0 road_9_9_0\n", `trips.csv:2: route road "road_9_9_0" does not exist`},
		{"route gap", "id,depart,route\na,0,road_0_1_0 road_2_1_0\n", "trips.csv:2: route: no movement leads from road road_0_1_0 to road road_2_1_0"},
		{"route ends", "id,depart,from,to,route\na,0,road_0_1_0,road_2_1_2,road_0_1_0 road_1_1_0\n", "trips.csv:2: the route runs from road_0_1_0 to road_1_1_0"},
		{"negative depart", "id,depart,from,to\na,-4,road_0_1_0,road_2_1_0\n", "trips.csv:2: depart \"-4\" is not a time"},
		{"vtype", "id,depart,from,to,vtype\na,0,road_0_1_0,road_2_1_0,truck\n", "vehicle type \"truck\" is not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := writeScenario(t, gridHead+"[demand]\ntrips_csv = \"trips.csv\"\n", map[string]string{"trips.csv": tc.csv})
			_, err := scenarios.Build(sc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build: got %v, want an error containing %q", err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), "demand.trips_csv") {
				t.Errorf("Build: got %v, want the key demand.trips_csv", err)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		sc := writeScenario(t, gridHead+"[demand]\ntrips_csv = \"absent.csv\"\n", nil)
		_, err := scenarios.Build(sc)
		if err == nil || !strings.Contains(err.Error(), "absent.csv") || !strings.Contains(err.Error(), "demand.trips_csv") {
			t.Errorf("Build: got %v, want an error naming demand.trips_csv and absent.csv", err)
		}
	})
}

// cityflowFlow returns a CityFlow flow.json with one entry.
func cityflowFlow(route string, start, end, interval float64) string {
	return fmt.Sprintf(`[{"vehicle": {"length": 4.5, "width": 2, "maxPosAcc": 2.0, "maxNegAcc": 4.5, "usualPosAcc": 2.0,
  "usualNegAcc": 4.5, "minGap": 2.5, "maxSpeed": 11.111, "headwayTime": 2},
  "route": %s, "interval": %g, "startTime": %g, "endTime": %g}]`, route, interval, start, end)
}

// TestBuildCityFlowFlow reads a CityFlow flow file on a grid (whose road
// ids follow CityFlow's naming) and runs it.
func TestBuildCityFlowFlow(t *testing.T) {
	// Two entries: a full route, and one listing only its first and last
	// roads, whose gap the router fills.
	flow := "[" + strings.Trim(cityflowFlow(`["road_0_1_0", "road_1_1_0", "road_2_1_0"]`, 0, 100, 10), "[]") + "," +
		strings.Trim(cityflowFlow(`["road_1_0_1", "road_1_2_1"]`, 50, 60, 5), "[]") + "]"
	sc := writeScenario(t, gridHead+"[demand]\ncityflow = \"flow.json\"\n", map[string]string{"flow.json": flow})
	r := mustBuild(t, sc)
	if len(r.Notes) != 0 {
		t.Errorf("notes: got %q, want none", r.Notes)
	}
	// startTime to endTime inclusive: 0, 10, …, 100 and 50, 55, 60.
	if got, want := len(r.Trips), 11+3; got != want {
		t.Fatalf("trips: got %d, want %d", got, want)
	}
	road := func(id string) maps.RoadID {
		rd, ok := r.Network.RoadByID(id)
		if !ok {
			t.Fatalf("no road %s", id)
		}
		return rd
	}
	for i, tr := range r.Trips {
		if i < 11 {
			if tr.Depart != float64(10*i) || tr.ID != fmt.Sprintf("flow_0_%d", i) || len(tr.Route) != 3 {
				t.Errorf("trip %d: got %+v, want flow_0_%d departing at %d s on a 3-road route", i, tr, i, 10*i)
			}
			continue
		}
		if want := (maps.Route{road("road_1_0_1"), road("road_1_1_1"), road("road_1_2_1")}); tr.From != want[0] || tr.To != want[2] || !slices.Equal(tr.Route, want) {
			t.Errorf("trip %d: got %+v, want road_1_0_1 → road_1_1_1 → road_1_2_1", i, tr)
		}
	}
	// One vehicle type for the identical vehicle descriptions, with the
	// file's parameters.
	var cf []engine.VType
	for _, vt := range r.Config.VTypes {
		if strings.HasPrefix(vt.ID, "cityflow-") {
			cf = append(cf, vt)
		}
	}
	if len(cf) != 1 {
		t.Fatalf("vehicle types: got %+v, want one cityflow-N type", r.Config.VTypes)
	}
	if vt := cf[0]; vt.Length != 4.5 || vt.MaxSpeed != 11.111 || vt.Follow.Accel != 2 || vt.Follow.Decel != 4.5 || vt.Follow.MinGap != 2.5 || vt.Follow.Headway != 2 {
		t.Errorf("vehicle type: got %+v, want the flow file's vehicle", vt)
	}
	sim := testrun.New(t, r)
	sim.RunUntil(400)
	if c := sim.Counts(); c.Arrived != int64(len(r.Trips)) {
		t.Errorf("arrived: got %d, want all %d (%+v)", c.Arrived, len(r.Trips), c)
	}
}

// departureTimes builds a scenario with one flow and returns its departure
// times.
func departureTimes(t *testing.T, seed uint64, rate, duration float64, dist string) []float64 {
	t.Helper()
	text := fmt.Sprintf(`seed = %d
duration = %g
[network.grid]
rows = 1
cols = 1
[[demand.flows]]
from = "road_0_1_0"
to = "road_1_1_0"
rate = %g
distribution = %q
`, seed, duration, rate, dist)
	sc := testrun.Parse(t, text, "flow.toml")
	r := mustBuild(t, sc)
	var out []float64
	for _, tr := range r.Trips {
		out = append(out, tr.Depart)
	}
	return out
}

// TestDepartures checks the number and spacing of departures of a flow:
// uniform gives exactly rate × duration, evenly spaced; Poisson a count
// within four standard deviations of it, with exponential gaps (mean
// 3600/rate s, coefficient of variation near 1).
func TestDepartures(t *testing.T) {
	const rate, duration = 1200.0, 3600.0
	mean := 3600 / rate
	want := rate * duration / 3600
	t.Run("uniform", func(t *testing.T) {
		ts := departureTimes(t, 1, rate, duration, "uniform")
		if len(ts) != int(want) {
			t.Fatalf("departures: got %d, want %g", len(ts), want)
		}
		for i, x := range ts {
			if math.Abs(x-float64(i)*mean) > 1e-6 {
				t.Fatalf("departure %d: got %g s, want %g s", i, x, float64(i)*mean)
			}
		}
	})
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprintf("poisson/seed=%d", seed), func(t *testing.T) {
			ts := departureTimes(t, seed, rate, duration, "poisson")
			n := float64(len(ts))
			if sd := math.Sqrt(want); math.Abs(n-want) > 4*sd {
				t.Errorf("departures: got %g, want %g ± %.0f", n, want, 4*sd)
			}
			if !slices.IsSorted(ts) || ts[0] < 0 || ts[len(ts)-1] >= duration {
				t.Errorf("departures must be sorted within [0, %g) s, got %g … %g", duration, ts[0], ts[len(ts)-1])
			}
			var sum, sum2 float64
			prev := 0.0
			for _, x := range ts {
				g := x - prev
				sum += g
				sum2 += g * g
				prev = x
			}
			m := sum / n
			cv := math.Sqrt(sum2/n-m*m) / m
			t.Logf("seed %d: %d departures, mean gap %.3f s, coefficient of variation %.3f", seed, len(ts), m, cv)
			if math.Abs(m-mean) > 0.15*mean {
				t.Errorf("mean gap: got %.3f s, want %.3f s ± 15%%", m, mean)
			}
			if cv < 0.85 || cv > 1.15 {
				t.Errorf("coefficient of variation of the gaps: got %.3f, want 1 ± 0.15 (exponential)", cv)
			}
		})
	}
	t.Run("scale", func(t *testing.T) {
		// demand.scale multiplies the rate.
		text := "duration = 3600\n[network.grid]\nrows = 1\ncols = 1\n[demand]\nscale = 0.5\n" +
			"[[demand.flows]]\nfrom = \"road_0_1_0\"\nto = \"road_1_1_0\"\nrate = 1200\ndistribution = \"uniform\"\n"
		sc := testrun.Parse(t, text, "scale.toml")
		if got := len(mustBuild(t, sc).Trips); got != 600 {
			t.Errorf("trips at scale 0.5: got %d, want 600", got)
		}
	})
}

// demandMix uses every generated source: flows with zones, random trips and
// an OD matrix.
const demandMix = `
duration = 1800
[network.grid]
rows = 3
cols = 3
[[vtypes]]
id = "car"
share = 0.8
[[vtypes]]
id = "van"
share = 0.2
length = 7.0
[demand.zones]
west = ["road_0_1_0", "road_0_2_0", "road_0_3_0"]
east = ["road_3_1_0", "road_3_2_0", "road_3_3_0"]
[[demand.flows]]
from = "zone:west"
to = "zone:east"
rate = 600
[[demand.random]]
rate = 600
min_length = 300
[[demand.random]]
rate = 300
fringe = true
[[demand.od]]
zones = ["west", "east"]
trips = [[0, 40], [0, 0]]
begin = 0
end = 900
`

// TestSameSeedSameTrips checks that building a scenario twice gives the
// same trips, and that another seed gives others.
func TestSameSeedSameTrips(t *testing.T) {
	build := func(seed uint64) []engine.Trip {
		sc := testrun.Parse(t, fmt.Sprintf("seed = %d\n", seed)+demandMix, "mix.toml")
		r := mustBuild(t, sc)
		if len(r.Notes) != 0 {
			t.Logf("notes: %q", r.Notes)
		}
		return r.Trips
	}
	a, b := build(7), build(7)
	if len(a) < 500 {
		t.Fatalf("got %d trips, want the mix's ~1,200", len(a))
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("seed 7 twice: got different trips (%d and %d)", len(a), len(b))
	}
	c := build(8)
	if reflect.DeepEqual(a, c) {
		t.Errorf("seeds 7 and 8: got identical trips, want different ones")
	}
	vans := 0
	for _, tr := range a {
		if tr.VType == 1 {
			vans++
		}
	}
	if share := float64(vans) / float64(len(a)); share < 0.15 || share > 0.25 {
		t.Errorf("van share: got %.3f, want 0.2 ± 0.05", share)
	}
}

// TestBuildTripsCSVRoute: a route column gives the roads to follow.
func TestBuildTripsCSVRoute(t *testing.T) {
	csv := "id,depart,route,vtype\n" +
		"east,0,road_0_1_0 road_1_1_1 road_1_2_0 road_2_2_0,\n" +
		"north,3,road_1_0_1 road_1_1_1 road_1_2_1\n"
	sc := writeScenario(t, gridHead+"[demand]\ntrips_csv = \"trips.csv\"\n", map[string]string{"trips.csv": csv})
	r := mustBuild(t, sc)
	if len(r.Trips) != 2 {
		t.Fatalf("%d trips", len(r.Trips))
	}
	var ids []string
	for _, rd := range r.Trips[0].Route {
		ids = append(ids, r.Network.Roads[rd].ID)
	}
	if strings.Join(ids, " ") != "road_0_1_0 road_1_1_1 road_1_2_0 road_2_2_0" || r.Trips[0].From != r.Trips[0].Route[0] {
		t.Errorf("route %v", ids)
	}
	sim := testrun.New(t, r)
	sim.RunUntil(400)
	if c := sim.Counts(); c.Arrived != 2 {
		t.Errorf("%+v", c)
	}
}
