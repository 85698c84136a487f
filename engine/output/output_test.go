package output_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/internal/testnet"
	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/scenarios"
)

// small is a 3×3 grid with flows, random trips and two vehicle types,
// busy enough that vehicles wait to enter during its first five minutes.
const small = `
name = "small"
seed = %d
duration = 900
cooldown = 300
warmup = 120
[network.grid]
rows = 3
cols = 3
block = 200
lanes = 2
[[vtypes]]
id = "car"
share = 0.9
speed_factor = { mean = 1.0, dev = 0.1 }
[[vtypes]]
id = "bus"
share = 0.1
length = 12.0
[[demand.flows]]
from = "road_0_2_0"
to = "road_3_2_0"
rate = 4000
end = 300
[[demand.random]]
rate = 1500
min_length = 300
[output]
interval = 60
`

// runSmall runs the small scenario with the given seed and worker count
// until t (s) and returns the run and its simulation.
func runSmall(t *testing.T, seed uint64, workers int, until float64) (*scenarios.Run, *engine.Sim) {
	t.Helper()
	sc := testrun.Parse(t, fmt.Sprintf(small, seed), "small.toml")
	sc.Workers = workers
	sc.MinParallel = -1
	r, sim := testrun.Start(t, sc)
	sim.RunUntil(until)
	return r, sim.Sim
}

var allFiles = output.Files{Trips: true, TimeSeries: true, Roads: true, Summary: true}

// runLength is how long (s) the file tests run the small scenario: its
// whole duration and cool-down, or half of it in -short mode (CI runs that
// under the race detector).
func runLength() float64 {
	if testing.Short() {
		return 600
	}
	return 1200
}

// readDir returns the contents of every file in dir by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

// TestSameSeedSameFiles runs a scenario twice with the same seed (with
// different worker counts) and checks that every output file is
// byte-identical, and that another seed changes them.
func TestSameSeedSameFiles(t *testing.T) {
	write := func(seed uint64, workers int) map[string][]byte {
		r, sim := runSmall(t, seed, workers, runLength())
		dir := filepath.Join(t.TempDir(), "out")
		if _, err := output.WriteAll(dir, sim, r.Scenario.Warmup, allFiles); err != nil {
			t.Fatal(err)
		}
		return readDir(t, dir)
	}
	a, b := write(1, 1), write(1, 2)
	if len(a) != 4 {
		t.Fatalf("got files %v, want 4", reflect.ValueOf(a).MapKeys())
	}
	for name, want := range a {
		if got := b[name]; !bytes.Equal(got, want) {
			t.Errorf("%s: second run with the same seed wrote %d different bytes, want %d identical", name, len(got), len(want))
		}
	}
	c := write(2, 1)
	for _, name := range []string{"trips.csv", "timeseries.csv", "summary.json"} {
		if bytes.Equal(a[name], c[name]) {
			t.Errorf("%s: seeds 1 and 2 wrote identical files, want different", name)
		}
	}
}

// TestWriteAll checks what each file holds.
func TestWriteAll(t *testing.T) {
	r, sim := runSmall(t, 1, 1, runLength())
	warmup := r.Scenario.Warmup
	t.Run("selection", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "b") // created
		paths, err := output.WriteAll(dir, sim, warmup, output.Files{Trips: true, Summary: true})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{filepath.Join(dir, "trips.csv"), filepath.Join(dir, "summary.json")}
		if !reflect.DeepEqual(paths, want) {
			t.Errorf("paths: got %v, want %v", paths, want)
		}
		if got := len(readDir(t, dir)); got != 2 {
			t.Errorf("files in %s: got %d, want 2", dir, got)
		}
	})
	dir := t.TempDir()
	if _, err := output.WriteAll(dir, sim, warmup, allFiles); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, dir)
	t.Run("trips.csv", func(t *testing.T) {
		rows, err := csv.NewReader(bytes.NewReader(files["trips.csv"])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		header := []string{"id", "type", "origin", "destination", "scheduled", "depart", "arrival", "travel_time", "delay",
			"stops", "waiting_time", "route_length", "teleports", "status"}
		// Later columns may be added; these come first.
		if len(rows[0]) < len(header) || !reflect.DeepEqual(rows[0][:len(header)], header) {
			t.Errorf("header: got %v, want %v", rows[0], header)
		}
		if got, want := len(rows)-1, sim.NumTrips(); got != want {
			t.Fatalf("rows: got %d, want one per trip (%d)", got, want)
		}
		for id, row := range rows[1:] {
			tr := sim.Trip(id)
			num := func(i int) float64 {
				x, err := strconv.ParseFloat(row[i], 64)
				if err != nil {
					t.Fatalf("row %d column %s: %v", id+1, header[i], err)
				}
				return x
			}
			if row[0] != tr.ID || row[1] != tr.VType || row[13] != tr.Status.String() || math.Abs(num(7)-tr.TravelTime) > 5e-4 || math.Abs(num(4)-tr.Scheduled) > 5e-4 {
				t.Fatalf("row %d: got %v, want trip %+v", id+1, row, tr)
			}
			if tr.Status == engine.TripArrived && math.Abs(num(6)-num(5)-num(7)) > 2e-3 {
				t.Errorf("row %d: arrival %s − depart %s != travel time %s", id+1, row[6], row[5], row[7])
			}
		}
	})
	t.Run("timeseries.csv", func(t *testing.T) {
		rows, err := csv.NewReader(bytes.NewReader(files["timeseries.csv"])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		series := sim.Series()
		if got, want := len(rows)-1, len(series); got != want || want != int(runLength()/60) {
			t.Fatalf("rows: got %d, want %d (one per 60 s interval)", got, want)
		}
		var inserted, arrived int64
		for i, row := range rows[1:] {
			if row[0] != strconv.FormatFloat(float64(60*i), 'f', 3, 64) {
				t.Errorf("row %d: begins at %s, want %d", i+1, row[0], 60*i)
			}
			n, _ := strconv.ParseInt(row[3], 10, 64)
			a, _ := strconv.ParseInt(row[4], 10, 64)
			inserted += n
			arrived += a
		}
		if c := sim.Counts(); inserted != c.Inserted || arrived != c.Arrived {
			t.Errorf("totals: got %d inserted and %d arrived over the rows, want %d and %d", inserted, arrived, c.Inserted, c.Arrived)
		}
	})
	t.Run("roads.geojson", func(t *testing.T) {
		var fc struct {
			Type     string `json:"type"`
			Features []struct {
				Geometry struct {
					Type string `json:"type"`
				} `json:"geometry"`
				Properties map[string]any `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal(files["roads.geojson"], &fc); err != nil {
			t.Fatal(err)
		}
		if fc.Type != "FeatureCollection" || len(fc.Features) != len(sim.Network().Roads) {
			t.Fatalf("got a %s of %d features, want a FeatureCollection of %d roads", fc.Type, len(fc.Features), len(sim.Network().Roads))
		}
		stats := sim.RoadStats()
		total := 0.0
		for i, f := range fc.Features {
			if f.Geometry.Type != "LineString" {
				t.Errorf("feature %d: geometry %s, want LineString", i, f.Geometry.Type)
			}
			for _, k := range []string{"id", "volume", "mean_speed", "delay", "veh_hours"} {
				if _, ok := f.Properties[k]; !ok {
					t.Errorf("feature %d: no property %q", i, k)
				}
			}
			if v := f.Properties["volume"].(float64); v != float64(stats[i].Volume) {
				t.Errorf("feature %d: volume %g, want %d", i, v, stats[i].Volume)
			}
			total += f.Properties["volume"].(float64)
		}
		if total == 0 {
			t.Error("every road has volume 0")
		}
	})
	t.Run("summary.json", func(t *testing.T) {
		var got output.Summary
		if err := json.Unmarshal(files["summary.json"], &got); err != nil {
			t.Fatal(err)
		}
		want := output.Summarize(sim, warmup)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("summary.json: got %+v, want %+v", got, want)
		}
	})
}

// TestSummarize recomputes the summary from the trip records mid-run, with
// vehicles still running and waiting to enter.
func TestSummarize(t *testing.T) {
	r, sim := runSmall(t, 3, 1, 300)
	warmup := r.Scenario.Warmup
	s := output.Summarize(sim, warmup)
	c := sim.Counts()
	if c.Running == 0 || c.Waiting == 0 || c.Arrived == 0 {
		t.Fatalf("want running, waiting and arrived vehicles at t=300 s, got %+v", c)
	}
	now := sim.Time()
	var att float64
	var due, trips, throughput int
	var tt, tts []float64
	for id := range sim.NumTrips() {
		tr := sim.Trip(id)
		if tr.Status == engine.TripUnroutable || tr.Scheduled >= now {
			continue
		}
		due++
		end := now
		if tr.Status == engine.TripArrived {
			// CityFlow dates an arrival by the start of its step.
			end = tr.Arrival - sim.StepLength()
			if tr.Arrival >= warmup {
				throughput++
			}
			if tr.Scheduled >= warmup {
				trips++
				tt = append(tt, tr.TravelTime)
				tts = append(tts, tr.TravelTime)
			}
		}
		att += end - tr.Scheduled
	}
	mean := 0.0
	for _, x := range tt {
		mean += x / float64(len(tt))
	}
	for _, x := range []struct {
		name      string
		got, want float64
	}{
		{"CityFlowATT", s.CityFlowATT, att / float64(due)},
		{"Trips", float64(s.Trips), float64(trips)},
		{"Throughput", float64(s.Throughput), float64(throughput)},
		{"MeanTravelTime", s.MeanTravelTime, mean},
		{"P95TravelTime", s.P95TravelTime, output.Percentile(tts, 0.95)},
		{"ArrivedShare", s.ArrivedShare, float64(c.Arrived) / float64(c.Inserted)},
		{"Time", s.Time, now},
	} {
		if math.Abs(x.got-x.want) > 1e-9*math.Max(1, math.Abs(x.want)) {
			t.Errorf("%s: got %g, want %g", x.name, x.got, x.want)
		}
	}
	t.Logf("t=%g s: CityFlow ATT %.1f s over %d due trips (%d waiting, %d running); mean travel time %.1f s over %d finished",
		now, s.CityFlowATT, due, c.Waiting, c.Running, s.MeanTravelTime, s.Trips)
}

func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		p    float64
		want float64
	}{
		{[]float64{5}, 0.95, 5},
		{[]float64{3, 1, 2}, 0, 1},
		{[]float64{3, 1, 2}, 1, 3},
		{[]float64{3, 1, 2}, 0.5, 2},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{10, 0, 20, 30, 40}, 0.95, 38},
	} {
		in := append([]float64(nil), tc.xs...)
		if got := output.Percentile(in, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Percentile(%v, %g): got %g, want %g", tc.xs, tc.p, got, tc.want)
		}
	}
	if got := output.Percentile(nil, 0.5); !math.IsNaN(got) {
		t.Errorf("Percentile(nil, 0.5): got %g, want NaN", got)
	}
}

// TestSummarizeJams fills the ring of a one-lane 2×2 grid with vehicles
// going round it, without teleports: the summary must report the
// gridlock; a run that empties reports none.
func TestSummarizeJams(t *testing.T) {
	ring := testnet.Gridlocked(t)
	sim, net, cfg, trips := ring.Sim, ring.Net, ring.Config, ring.Trips
	s := output.Summarize(sim, 0)
	if s.Jams == nil || s.Jams.Gridlocks != 1 || len(s.Jams.Where) == 0 || !strings.HasPrefix(s.Jams.Where[0], "gridlock of 4 lanes") {
		t.Fatalf("jams %+v, want one gridlock of 4 lanes", s.Jams)
	}
	clean, err := engine.New(net, cfg, trips[:1])
	if err != nil {
		t.Fatal(err)
	}
	defer clean.Close()
	clean.RunUntil(600)
	if j := output.Summarize(clean, 0).Jams; j != nil {
		t.Errorf("a run that emptied reports jams %+v", j)
	}
}
