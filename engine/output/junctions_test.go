package output_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// junctionScenario is a 2×2 grid under fixed-time control, with a
// warm-up that is not a multiple of the interval.
const junctionScenario = `
seed = 4
duration = 600
warmup = 90
[network.grid]
rows = 2
cols = 2
block = 200
lanes = 2
[[demand.flows]]
from = "road_0_1_0"
to = "road_2_1_0"
rate = 900
[[demand.random]]
rate = 900
fringe = true
[output]
interval = 60
`

// collect runs the scenario with a JunctionMetrics and returns both.
func collect(t *testing.T, text string) (*engine.Sim, *output.JunctionMetrics, *scenarios.Run) {
	t.Helper()
	sc := testrun.Parse(t, text, "j.toml")
	run, sim := testrun.Start(t, sc)
	jm := output.NewJunctionMetrics(sim.Sim, output.JunctionOptions{Interval: sc.Output.Interval, Warmup: sc.Warmup, Junctions: true, Detectors: true})
	sim.Collect(jm)
	if err := sim.RunUntil(run.End()); err != nil {
		t.Fatal(err)
	}
	jm.Finish(sim.Sim)
	return sim.Sim, jm, run
}

// TestJunctionMetrics checks the per-junction time series against the
// engine's own lane statistics and the signal programs.
func TestJunctionMetrics(t *testing.T) {
	sim, jm, run := collect(t, junctionScenario)
	net := run.Network
	var nodes []maps.NodeID
	for v := range net.Nodes {
		if sim.Plant(maps.NodeID(v)) != nil {
			nodes = append(nodes, maps.NodeID(v))
		}
	}
	rows := jm.Rows()
	// Intervals [90, 120), [120, 180), …, [540, 600).
	if want := len(nodes) * 9; len(rows) != want {
		t.Fatalf("got %d rows, want %d (4 junctions × 9 intervals)", len(rows), want)
	}
	if rows[0].Begin != 90 || rows[0].End != 120 || rows[len(rows)-1].End != 600 {
		t.Errorf("intervals from %g–%g to …–%g, want 90–120 to …–600", rows[0].Begin, rows[0].End, rows[len(rows)-1].End)
	}
	// Throughput, stops and delay add up to the lane statistics of the
	// approach lanes (counted from the warm-up).
	stats := sim.LaneStats()
	for k, v := range nodes {
		var left, stops int64
		var lost float64
		for _, r := range net.Nodes[v].In {
			for _, l := range net.Roads[r].Lanes {
				left += stats[l].Left
				stops += stats[l].Stops
				lost += stats[l].Lost
			}
		}
		var tp, st int64
		var delay float64
		for _, r := range rows {
			if r.Junction == net.Nodes[v].ID {
				tp += r.Throughput
				st += r.Stops
				delay += r.Delay
				if r.QueueMax < 0 || r.QueueMean < 0 || r.QueueMean > r.QueueMax+1e-9 || r.HaltingMean < 0 {
					t.Errorf("%s %g–%g: queue mean %g max %g halting %g", r.Junction, r.Begin, r.End, r.QueueMean, r.QueueMax, r.HaltingMean)
				}
			}
		}
		if tp != left || st != stops || math.Abs(delay-lost) > 1e-6*math.Max(1, lost) {
			t.Errorf("junction %s: throughput %d stops %d delay %g, want %d, %d and %g from the lane statistics",
				net.Nodes[v].ID, tp, st, delay, left, stops, lost)
		}
		if tp == 0 {
			t.Errorf("junction %s: no vehicle crossed", net.Nodes[v].ID)
		}
		js := jm.Junctions(sim)[k]
		if js.Throughput != tp || js.ID != net.Nodes[v].ID {
			t.Errorf("summary of %s: throughput %d, want %d", js.ID, js.Throughput, tp)
		}
		// Fixed time: every complete green lasts its programmed duration
		// (the first one counted may have started before the warm-up).
		prog := sim.Plant(v).Program
		for _, ps := range js.Phases {
			if ps.Greens < 2 {
				continue
			}
			d := prog.Phases[ps.Phase].Duration
			if ps.MeanGreen > d+1e-9 || ps.MeanGreen < d*float64(ps.Greens-1)/float64(ps.Greens)-1e-9 {
				t.Errorf("junction %s phase %d: mean green %g s over %d greens, want %g s", js.ID, ps.Phase, ps.MeanGreen, ps.Greens, d)
			}
		}
		if len(js.Phases) != len(prog.Phases) {
			t.Errorf("junction %s: greens of %d phases recorded, want %d", js.ID, len(js.Phases), len(prog.Phases))
		}
	}
	sum := jm.Summary(sim)
	refused, forced := sim.GuardCounts()
	if sum.Junctions != len(nodes) || sum.Refused != refused || sum.Forced != forced || sum.Throughput == 0 {
		t.Errorf("summary %+v", sum)
	}
	// Detectors: one row per lane per interval, counts adding up.
	drows := jm.DetectorRows()
	if want := len(net.Lanes) * 9; len(drows) != want {
		t.Fatalf("got %d detector rows, want %d", len(drows), want)
	}
	var counted int64
	for _, r := range drows {
		counted += r.Count
		if r.Occupancy < 0 || r.Occupancy > 1 || r.QueueMean < 0 || r.QueueMean > r.QueueMax+1e-9 || r.VehiclesMean < r.HaltingMean-1e-9 {
			t.Errorf("detector row %+v out of range", r)
		}
	}
	if counted == 0 {
		t.Errorf("the loops counted no vehicle")
	}
}

// TestWriteJunctions checks the files WriteAll adds, and that summary.json
// keeps its fields when no collector is given.
func TestWriteJunctions(t *testing.T) {
	sim, jm, _ := collect(t, junctionScenario)
	dir := t.TempDir()
	files := output.Files{Summary: true, Junctions: jm}
	written, err := output.WriteAll(dir, sim, 90, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 4 {
		t.Errorf("wrote %v, want summary.json, junctions.csv, junctions.json and detectors.csv", written)
	}
	csvData, err := os.ReadFile(filepath.Join(dir, "junctions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if head, _, _ := strings.Cut(string(csvData), "\n"); head != "begin,end,junction,delay,queue_mean,queue_max,halting_mean,stops,throughput,greens,mean_green" {
		t.Errorf("junctions.csv header %q", head)
	}
	var rep output.JunctionsReport
	data, _ := os.ReadFile(filepath.Join(dir, "junctions.json"))
	if err := json.Unmarshal(data, &rep); err != nil || len(rep.Junctions) != 4 || rep.Signals.Junctions != 4 {
		t.Errorf("junctions.json: %v, %d junctions", err, len(rep.Junctions))
	}
	var sum map[string]any
	data, _ = os.ReadFile(filepath.Join(dir, "summary.json"))
	if err := json.Unmarshal(data, &sum); err != nil || sum["signals"] == nil {
		t.Errorf("summary.json has no signals section: %v", err)
	}
	// Without a collector: no signals section, no junction files.
	dir2 := t.TempDir()
	written, err = output.WriteAll(dir2, sim, 90, output.Files{Summary: true})
	if err != nil || len(written) != 1 {
		t.Fatalf("wrote %v, %v", written, err)
	}
	data, _ = os.ReadFile(filepath.Join(dir2, "summary.json"))
	if bytes.Contains(data, []byte(`"signals"`)) {
		t.Errorf("summary.json without a collector has a signals section")
	}
	// The same run gives byte-identical files.
	sim2, jm2, _ := collect(t, junctionScenario)
	dir3 := t.TempDir()
	if _, err := output.WriteAll(dir3, sim2, 90, output.Files{Junctions: jm2}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"junctions.csv", "junctions.json", "detectors.csv"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(dir3, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs of the same scenario", name)
		}
	}
}
