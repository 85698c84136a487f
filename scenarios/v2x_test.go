package scenarios_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/scenarios"
)

// v2xGrid is a 1×3 corridor with through demand both ways, the base of
// the small V2X scenarios below.
const v2xGrid = `
seed = 4
duration = 600
warmup = 60
[network.grid]
rows = 1
cols = 3
block = 200
lanes = 2
[[vtypes]]
id = "car"
connected = 0.5
[[demand.flows]]
id = "east"
from = "road_0_1_0"
to = "road_3_1_0"
rate = 700
[[demand.flows]]
id = "west"
from = "road_4_1_2"
to = "road_1_1_2"
rate = 500
[[demand.random]]
rate = 300
fringe = true
[driving]
teleport = -1
`

// v2xRun builds the scenario text, runs it to its end with the given
// number of workers and returns the simulation (closed by the test's
// cleanup).
func v2xRun(t *testing.T, text string, workers int, edit func(*scenarios.Scenario)) (*scenarios.Run, *engine.Sim) {
	t.Helper()
	sc := testrun.Parse(t, text, "v2x.toml")
	sc.Workers = workers
	sc.MinParallel = -1
	if edit != nil {
		edit(sc)
	}
	return v2xSim(t, sc)
}

func v2xSim(t *testing.T, sc *scenarios.Scenario) (*scenarios.Run, *engine.Sim) {
	t.Helper()
	run, sim := testrun.Start(t, sc)
	if err := sim.RunUntil(run.End()); err != nil {
		t.Fatal(err)
	}
	return run, sim.Sim
}

func setShare(share float64) func(*scenarios.Scenario) {
	return func(sc *scenarios.Scenario) {
		for i := range sc.VTypes {
			sc.VTypes[i].Connected = share
		}
	}
}

func TestV2XDefaults(t *testing.T) {
	sc := testrun.Parse(t, v2xGrid+"[v2x]\n", "v2x.toml")
	run, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	want := engine.DefaultV2X()
	if got := run.Config.V2X; got == nil || !reflectEqualV2X(*got, want) {
		t.Errorf("an empty [v2x] table: got %+v, want engine.DefaultV2X() %+v", got, want)
	}
	if got := run.Config.VTypes[0].Connected; got != 0.5 {
		t.Errorf("vtypes[0].connected: got %g, want 0.5", got)
	}

	// Without the table there is no connectivity.
	sc, _ = scenarios.Parse([]byte(v2xGrid), "v2x.toml")
	if run, err := scenarios.Build(sc); err != nil || run.Config.V2X != nil {
		t.Errorf("no [v2x] table: got V2X %+v (%v), want nil", run.Config.V2X, err)
	}
}

func reflectEqualV2X(a, b engine.V2X) bool {
	return slices.Equal(a.RSUs, b.RSUs) && a.Range == b.Range && a.SPaT == b.SPaT && a.Status == b.Status &&
		a.StatusRate == b.StatusRate && a.GLOSA == b.GLOSA && a.GLOSARange == b.GLOSARange &&
		a.GLOSAMinSpeed == b.GLOSAMinSpeed && a.GLOSAMaxSpeedFactor == b.GLOSAMaxSpeedFactor && a.CACC == b.CACC &&
		a.CACCTimeGap == b.CACCTimeGap && a.Reroute == b.Reroute && a.RerouteGain == b.RerouteGain &&
		a.Sensors == b.Sensors && a.KnownShare == b.KnownShare
}

func TestV2XKeys(t *testing.T) {
	text := v2xGrid + `
[signals.groups]
ends = ["intersection_1_1", "intersection_3_1"]
[v2x]
rsus = ["group:ends", "intersection_2_1", "intersection_1_1"]
range = 250
status_rate = 2
[v2x.spat]
latency = 0.2
loss = 0.1
[v2x.status]
latency = 1
loss = 0.3
[v2x.glosa]
enabled = false
range = 150
min_speed = 4
max_speed_factor = 1.2
[v2x.cacc]
time_gap = 0.8
[v2x.reroute]
enabled = true
gain = 0.2
[v2x.sensors]
enabled = true
known_share = 0.4
`
	sc := testrun.Parse(t, text, "v2x.toml")
	run, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	x := run.Config.V2X
	var rsus []string
	for _, v := range x.RSUs {
		rsus = append(rsus, run.Network.Nodes[v].ID)
	}
	want := engine.V2X{Range: 250, StatusRate: 2, SPaT: engine.Channel{Latency: 0.2, Loss: 0.1}, Status: engine.Channel{Latency: 1, Loss: 0.3},
		GLOSA: false, GLOSARange: 150, GLOSAMinSpeed: 4, GLOSAMaxSpeedFactor: 1.2, CACC: true, CACCTimeGap: 0.8,
		Reroute: true, RerouteGain: 0.2, Sensors: true, KnownShare: 0.4}
	x.RSUs = nil
	if !reflectEqualV2X(*x, want) {
		t.Errorf("got %+v\nwant %+v", *x, want)
	}
	if w := []string{"intersection_1_1", "intersection_3_1", "intersection_2_1"}; !slices.Equal(rsus, w) {
		t.Errorf("rsus: got %v, want %v (groups expanded, duplicates dropped)", rsus, w)
	}
}

func TestV2XBadInput(t *testing.T) {
	for _, c := range []struct {
		name, text string
		key, msg   string // of the expected problem
	}{
		{"vtype share above 1", strings.Replace(v2xGrid, "connected = 0.5", "connected = 1.5", 1),
			"vtypes[0].connected", "must be in [0, 1], got 1.5"},
		{"vtype share negative", strings.Replace(v2xGrid, "connected = 0.5", "connected = -0.1", 1),
			"vtypes[0].connected", "must be in [0, 1], got -0.1"},
		{"flow share", strings.Replace(v2xGrid, "rate = 500", "rate = 500\nconnected = 2", 1),
			"demand.flows[1].connected", "must be in [0, 1], got 2"},
		{"negative range", v2xGrid + "[v2x]\nrange = -300\n", "v2x.range", "must be in (0, 5000] m, got -300"},
		{"negative glosa range", v2xGrid + "[v2x.glosa]\nrange = -1\n", "v2x.glosa.range", "must be in (0, 5000] m, got -1"},
		{"negative spat latency", v2xGrid + "[v2x.spat]\nlatency = -0.1\n", "v2x.spat.latency", "must be in [0, 60] s, got -0.1"},
		{"negative status latency", v2xGrid + "[v2x.status]\nlatency = -2\n", "v2x.status.latency", "must be in [0, 60] s, got -2"},
		{"spat loss above 1", v2xGrid + "[v2x.spat]\nloss = 1.01\n", "v2x.spat.loss", "must be in [0, 1], got 1.01"},
		{"status loss negative", v2xGrid + "[v2x.status]\nloss = -0.5\n", "v2x.status.loss", "must be in [0, 1], got -0.5"},
		{"status rate", v2xGrid + "[v2x]\nstatus_rate = -1\n", "v2x.status_rate", "must be in (0, 10] Hz, got -1"},
		{"glosa factor", v2xGrid + "[v2x.glosa]\nmax_speed_factor = 0.5\n", "v2x.glosa.max_speed_factor", "must be in [1, 2], got 0.5"},
		{"cacc gap", v2xGrid + "[v2x.cacc]\ntime_gap = -0.6\n", "v2x.cacc.time_gap", "must be in (0, 5] s, got -0.6"},
		{"known share", v2xGrid + "[v2x.sensors]\nknown_share = 1.5\n", "v2x.sensors.known_share", "must be in [0, 1], got 1.5"},
		{"unknown group", v2xGrid + "[v2x]\nrsus = [\"group:none\"]\n", "v2x.rsus[0]", `no group "none" in signals.groups`},
		{"unknown key", v2xGrid + "[v2x]\nlatency = 1\n", "v2x.latency", "unknown key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenarios.Parse([]byte(c.text), "v2x.toml")
			var e *scenarios.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *scenarios.Error", err)
			}
			if e.Key != c.key || e.Msg != c.msg || e.Line == 0 {
				t.Errorf("got %q (line %d, key %q), want key %q: %s with a line", e.Error(), e.Line, e.Key, c.key, c.msg)
			}
		})
	}

	// Roadside units at junctions that do not exist or have no signal:
	// Build names the key and the id.
	for _, c := range []struct{ rsus, key, msg string }{
		{`["intersection_1_1", "intersection_7_7"]`, "v2x.rsus[1]", `junction "intersection_7_7" does not exist in the network`},
		{`["intersection_0_1"]`, "v2x.rsus[0]", `junction "intersection_0_1" is not signalised (it is a boundary node)`},
	} {
		sc := testrun.Parse(t, v2xGrid+"[v2x]\nrsus = "+c.rsus+"\n", "v2x.toml")
		_, err := scenarios.Build(sc)
		var e *scenarios.Error
		if !errors.As(err, &e) || e.Key != c.key || e.Msg != c.msg || e.Line == 0 {
			t.Errorf("rsus = %s: got %v, want %s: %s with a line", c.rsus, err, c.key, c.msg)
		}
	}
}

// A flow's connected share overrides its type's, and the vehicles keep
// the type's id.
func TestV2XFlowShare(t *testing.T) {
	text := strings.Replace(v2xGrid, "rate = 500", "rate = 500\nconnected = 1.0", 1)
	text = strings.Replace(text, "connected = 0.5", "connected = 0.0", 1)
	_, sim := v2xRun(t, text+"[v2x]\n", 1, nil)
	var east, west, eastConn, westConn int
	for id := range sim.NumTrips() {
		r := sim.Trip(id)
		if r.VType != "car" {
			t.Fatalf("trip %s: type %q, want car", r.ID, r.VType)
		}
		switch {
		case strings.HasPrefix(r.ID, "east."):
			east++
			if r.Connected {
				eastConn++
			}
		case strings.HasPrefix(r.ID, "west."):
			west++
			if r.Connected {
				westConn++
			}
		}
	}
	if east == 0 || west == 0 || eastConn != 0 || westConn != west {
		t.Errorf("east %d trips, %d connected (want 0); west %d trips, %d connected (want all)", east, eastConn, west, westConn)
	}
}

// With every message lost, a run with equipped vehicles is the run without
// any: the same state hash.
func TestV2XFullLossIsNoConnectivity(t *testing.T) {
	t.Parallel()
	all := v2xGrid + `
[v2x]
[v2x.spat]
loss = 1.0
latency = 0.5
[v2x.status]
loss = 1.0
[v2x.reroute]
enabled = true
`
	_, none := v2xRun(t, all, 2, setShare(0))
	_, bare := v2xRun(t, v2xGrid, 2, setShare(0))
	for _, share := range []float64{0.5, 1} {
		_, lost := v2xRun(t, all, 2, setShare(share))
		if lost.Hash() != none.Hash() || lost.Hash() != bare.Hash() {
			t.Errorf("share %g with every message lost: hash %016x, want %016x (share 0) = %016x (no [v2x])",
				share, lost.Hash(), none.Hash(), bare.Hash())
		}
		if c := output.Summarize(lost, 60).ConnectedShare; c == 0 {
			t.Errorf("share %g: no connected trips, the test proves nothing", share)
		}
	}
	// And the messages do matter when they arrive.
	_, heard := v2xRun(t, strings.ReplaceAll(all, "loss = 1.0", "loss = 0.0"), 2, setShare(1))
	if heard.Hash() == none.Hash() {
		t.Error("with no losses the run is the unconnected run: connectivity has no effect")
	}
}

// Latency and losses keep the run deterministic: the same state hash for
// 1, 2 and 3 workers.
func TestV2XLatencyDeterministic(t *testing.T) {
	t.Parallel()
	text := v2xGrid + `
[signals]
policy = "max_pressure"
[v2x]
[v2x.spat]
latency = 0.7
loss = 0.2
[v2x.status]
latency = 1.5
loss = 0.3
[v2x.reroute]
enabled = true
[v2x.sensors]
enabled = true
`
	if !scenarios.IsPolicy("max_pressure") {
		text = strings.Replace(text, `policy = "max_pressure"`, `policy = "fixed_time"`, 1)
	}
	for _, step := range []string{"1.0", "0.5"} {
		var hashes []uint64
		for w := 1; w <= 3; w++ {
			_, sim := v2xRun(t, "step = "+step+"\n"+text, w, nil)
			hashes = append(hashes, sim.Hash())
		}
		if hashes[1] != hashes[0] || hashes[2] != hashes[0] {
			t.Errorf("step %s s: hashes for 1, 2, 3 workers %016x, want all equal", step, hashes)
		}
	}
}

// corridorRun runs scenarios/examples/corridor-v2x.toml with the given
// connected share.
func corridorRun(t *testing.T, share float64, edit func(*scenarios.Scenario)) output.Summary {
	t.Helper()
	sc, err := scenarios.Load("examples/corridor-v2x.toml")
	if err != nil {
		t.Fatal(err)
	}
	setShare(share)(sc)
	if edit != nil {
		edit(sc)
	}
	_, sim := v2xSim(t, sc)
	return output.Summarize(sim, sc.Warmup)
}

// On the corridor, stops per vehicle and fuel per km fall as the share of
// vehicles following GLOSA rises (docs/v2x.md, "GLOSA on the corridor").
func TestCorridorGLOSA(t *testing.T) {
	t.Parallel()
	shares := []float64{0, 0.25, 0.5, 1}
	var sums []output.Summary
	for _, p := range shares {
		sums = append(sums, corridorRun(t, p, nil))
	}
	for i, s := range sums {
		t.Logf("share %3.0f%%: %.3f stops/veh, %.3f L/100 km, travel time %.1f s, %d trips", 100*shares[i], s.MeanStops, s.FuelPer100km, s.MeanTravelTime, s.Trips)
		if i == 0 {
			continue
		}
		p := sums[i-1]
		if !(s.MeanStops < p.MeanStops) || !(s.FuelPer100km < p.FuelPer100km) {
			t.Errorf("share %g%% → %g%%: stops %.3f → %.3f, fuel %.3f → %.3f L/100 km; want both to fall",
				100*shares[i-1], 100*shares[i], p.MeanStops, s.MeanStops, p.FuelPer100km, s.FuelPer100km)
		}
	}
	if f := sums[3].FuelPer100km / sums[0].FuelPer100km; f > 0.97 {
		t.Errorf("fuel at 100%% is %.1f%% of the baseline, want at least a 3%% saving", 100*f)
	}
}

// satHead is one approach of one lane, saturated: 1800 veh/h against a
// 60 s green in a 132 s cycle, for an hour.
const satHead = `
seed = 9
duration = 3600
[network.grid]
rows = 1
cols = 1
block = 600
lanes = 1
[[vtypes]]
id = "car"
[[demand.flows]]
from = "road_0_1_0"
to = "road_1_1_0"
rate = 1800
distribution = "uniform"
[signals.fixed_time]
phases = [0, 1]
green = 60
[v2x]
[v2x.glosa]
enabled = false
[driving]
teleport = -1
`

// dischargeFlow runs satHead with the given CACC share and returns the
// saturation flow of the approach (veh/h of green): 3600 over the mean
// headway at the stop-line loop from the fifth vehicle of each queue on
// (the HCM method), while the queue lasts.
func dischargeFlow(t *testing.T, share float64) float64 {
	return dischargeFlowText(t, satHead, share)
}

func dischargeFlowText(t *testing.T, text string, share float64) float64 {
	sc := testrun.Parse(t, text, "sat.toml")
	sc.Workers = 1
	setShare(share)(sc)
	run, sim := testrun.Start(t, sc)
	road, _ := run.Network.RoadByID("road_0_1_0")
	lane := run.Network.Roads[road].Lanes[0]
	var passes []float64
	last := int64(0)
	for sim.Time() < run.End()-1e-9 {
		sim.Step()
		if n := sim.LaneSensors()[lane].Count; n > last {
			for range n - last {
				passes = append(passes, sim.Time())
			}
			last = n
		}
	}
	var sum float64
	n, inGreen := 0, 0
	for i := 1; i < len(passes); i++ {
		h := passes[i] - passes[i-1]
		if h > 10 { // a red: the next pass starts a queue discharge
			inGreen = 0
			continue
		}
		inGreen++
		if inGreen >= 4 { // headways from the 5th vehicle on
			sum += h
			n++
		}
	}
	if n < 20 {
		t.Fatalf("share %g: only %d discharge headways measured", share, n)
	}
	return 3600 / (sum / float64(n))
}

// Saturation flow rises with the share of CACC vehicles, at every step
// from none to all (docs/v2x.md, "CACC and saturation flow").
func TestCACCSaturationFlow(t *testing.T) {
	t.Parallel()
	shares := []float64{0, 0.25, 0.5, 0.75, 1}
	var flows []float64
	for _, p := range shares {
		flows = append(flows, dischargeFlow(t, p))
	}
	t.Logf("saturation flow at 0/25/50/75/100%% CACC: %.0f veh/h of green", flows)
	for i, f := range flows {
		if f < 1500 || f > 3600 {
			t.Errorf("share %g: saturation flow %.0f veh/h, want a plausible 1500–3600", shares[i], f)
		}
	}
	if r := flows[4] / flows[0]; r < 1.05 {
		t.Errorf("saturation flow at 100%% CACC is %.1f%% of the flow without, want at least +5%%", 100*r)
	}
	for i := 1; i < len(flows); i++ {
		if flows[i] < flows[i-1] {
			t.Errorf("the flow falls from %.0f to %.0f veh/h between %g%% and %g%% CACC, want it to rise",
				flows[i-1], flows[i], 100*shares[i-1], 100*shares[i])
		}
	}
}

// mpHead is a 3×3 grid under max-pressure control with fringe demand.
const mpHead = `
seed = 5
duration = 1500
warmup = 300
cooldown = 300
[network.grid]
rows = 3
cols = 3
block = 250
lanes = 2
[[demand.random]]
rate = 1800
fringe = true
[signals]
policy = "max_pressure"
[driving]
teleport = -1
`

// Max-pressure fed by status messages of every vehicle matches max-pressure
// fed by detectors within 5 % on mean travel time, and degrades as the
// share of equipped vehicles falls.
func TestMaxPressureConnected(t *testing.T) {
	t.Parallel()
	if !scenarios.IsPolicy("max_pressure") {
		t.Skip(`the max_pressure policy is not in scenarios.PolicyNames() yet; this test runs once it is`)
	}
	cv := mpHead + `
[v2x]
[v2x.glosa]
enabled = false
[v2x.cacc]
enabled = false
[v2x.sensors]
enabled = true
`
	_, det := v2xRun(t, mpHead, 1, nil)
	base := output.Summarize(det, 300)
	t.Logf("detectors: mean travel time %.1f s", base.MeanTravelTime)
	var prev float64
	for _, share := range []float64{1, 0.5, 0.25, 0.1} {
		_, sim := v2xRun(t, cv, 1, setShare(share))
		s := output.Summarize(sim, 300)
		rel := s.MeanTravelTime/base.MeanTravelTime - 1
		t.Logf("status messages, %3.0f%% equipped: mean travel time %.1f s (%+.1f%%), %d of %d trips arrived",
			100*share, s.MeanTravelTime, 100*rel, s.Counts.Arrived, s.Counts.Inserted)
		if share == 1 && math.Abs(rel) > 0.05 {
			t.Errorf("100%% equipped: mean travel time %.1f s is %+.1f%% off the detectors' %.1f s, want within 5%%",
				s.MeanTravelTime, 100*rel, base.MeanTravelTime)
		}
		if share < 1 && !(s.MeanTravelTime > prev) {
			t.Errorf("%g%% equipped: mean travel time %.1f s, want it above the %.1f s of the larger share", 100*share, s.MeanTravelTime, prev)
		}
		prev = s.MeanTravelTime
	}
}

func ExampleScenario_v2x() {
	sc, err := scenarios.Parse([]byte(`
duration = 300
allow_empty = true    # no demand: the example only shows the V2X settings
[network.grid]
rows = 1
cols = 2
[[vtypes]]
id = "car"
connected = 0.25      # a quarter of the cars are equipped
[v2x]
rsus = ["intersection_2_1"]
[v2x.spat]
latency = 0.1         # s
loss = 0.05
`), "example.toml")
	if err != nil {
		fmt.Println(err)
		return
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := run.Config.V2X
	fmt.Println(run.Network.Nodes[x.RSUs[0]].ID, x.Range, x.SPaT, x.GLOSA, x.CACC)
	// Output: intersection_2_1 300 {0.1 0.05} true true
}
