package scenarios_test

// The signal-policy comparisons of docs/signals.md. Print the tables with
//
//	CITYTWIN_DATASETS=/path/to/datasets go test ./scenarios -run Compare -v
//
// The CityFlow comparison needs the benchmark files (see
// scenarios/examples/cityflow-jinan.toml) and skips without them; the grid
// comparisons need nothing.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/scenarios"
)

// policyRun is the outcome of one scenario run.
type policyRun struct {
	name       string
	att        float64 // CityFlow's average travel time, s
	trips      int
	finished   int64 // arrived by the end
	hourDone   int64 // arrived by the end of the demand
	hourWait   int64 // waiting to enter at the end of the demand
	midWait    int64 // waiting to enter halfway through the demand
	running    int64 // still in the network at the end
	forced     int64
	refused    int64
	meanTravel float64 // s, finished trips
}

// runPolicy builds and runs a scenario, applying its switches.
func runPolicy(t *testing.T, name, text string) policyRun {
	t.Helper()
	sc, err := scenarios.Parse([]byte(text), name+".toml")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	run, sim := testrun.Start(t, sc)
	r := policyRun{name: name, trips: len(run.Trips)}
	for sim.Time() < run.End()-1e-9 {
		if err := sim.Step(); err != nil {
			t.Fatal(err)
		}
		if now := sim.Time(); now > sc.Duration-1e-9 && now < sc.Duration+sc.Step-1e-9 {
			c := sim.Counts()
			r.hourDone, r.hourWait = c.Arrived, c.Waiting
		} else if now > sc.Duration/2-1e-9 && now < sc.Duration/2+sc.Step-1e-9 {
			r.midWait = sim.Counts().Waiting
		}
	}
	s := output.Summarize(sim.Sim, 0)
	c := sim.Counts()
	r.att, r.finished, r.running, r.meanTravel = s.CityFlowATT, c.Arrived, c.Running, s.MeanTravelTime
	r.refused, r.forced = sim.GuardCounts()
	return r
}

// runAll runs the named scenarios in parallel and returns the outcomes in
// the given order.
func runAll(t *testing.T, names []string, texts []string) []policyRun {
	out := make([]policyRun, len(names))
	var wg sync.WaitGroup
	for i := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = runPolicy(t, names[i], texts[i])
		}()
	}
	wg.Wait()
	return out
}

// TestCompareCityFlow runs the usual CityFlow benchmark settings on Jinan
// 3×4 and Hangzhou 4×4 (3,600 s; yellow 5 s; the 4-phase set; fixed time
// 30 s per phase; max pressure deciding every 10 s with 10 s minimum
// green; SOTL with 5 s minimum green; no lane changes, no teleports, as in
// CityFlow) and checks that max pressure and SOTL beat fixed time.
func TestCompareCityFlow(t *testing.T) {
	dir := os.Getenv("CITYTWIN_DATASETS")
	if dir == "" {
		t.Skip("CITYTWIN_DATASETS is not set: skipping the CityFlow benchmark comparison (set it to the folder holding jinan_3x4/ and hangzhou_4x4/)")
	}
	policies := []struct{ name, signals string }{
		{"FixedTime", "policy = \"fixed_time\"\n[signals.fixed_time]\nphases = [1, 2, 3, 4]\ngreen = 30"},
		{"MaxPressure", "policy = \"max_pressure\"\n[signals.max_pressure]\ndelta = 10\nmin_green = 10"},
		{"SOTL", "policy = \"sotl\"\n[signals.sotl]\nphi_min = 5"},
		{"Actuated", "policy = \"actuated\""},
		{"Webster", "policy = \"webster\""},
	}
	for _, ds := range []struct{ name, roadnet, flow string }{
		{"Jinan 3×4", "jinan_3x4/roadnet_3_4.json", "jinan_3x4/anon_3_4_jinan_real.json"},
		{"Hangzhou 4×4", "hangzhou_4x4/roadnet_4_4.json", "hangzhou_4x4/anon_4_4_hangzhou_real.json"},
	} {
		t.Run(strings.Fields(ds.name)[0], func(t *testing.T) {
			roadnet, flow := filepath.Join(dir, ds.roadnet), filepath.Join(dir, ds.flow)
			for _, p := range []string{roadnet, flow} {
				if _, err := os.Stat(p); err != nil {
					t.Skipf("CITYTWIN_DATASETS: %v", err)
				}
			}
			var names, texts []string
			for _, p := range policies {
				names = append(names, p.name)
				texts = append(texts, fmt.Sprintf(`seed = 1
duration = 3600
[network]
cityflow = %q
[demand]
cityflow = %q
[driving]
no_lane_change = true
teleport = -1
[signals]
yellow = 5
all_red = 0
phases = [1, 2, 3, 4]
%s
`, roadnet, flow, p.signals))
			}
			res := runAll(t, names, texts)
			var b strings.Builder
			fmt.Fprintf(&b, "%s, 3,600 s:\n\n| policy | ATT (s) | finished trips | of |\n|---|---|---|---|\n", ds.name)
			for _, r := range res {
				fmt.Fprintf(&b, "| %s | %.1f | %d | %d |\n", r.name, r.att, r.finished, r.trips)
			}
			t.Log("\n" + b.String())
			fixed := res[0]
			for _, r := range res[1:3] {
				if !(r.att < fixed.att) {
					t.Errorf("%s: %s ATT %.1f s does not beat FixedTime's %.1f s", ds.name, r.name, r.att, fixed.att)
				}
			}
			for _, r := range res {
				if r.refused > 0 {
					t.Errorf("%s: the guard refused %d decisions of %s", ds.name, r.refused, r.name)
				}
			}
		})
	}
}

// gridDemand returns a 3×3 grid scenario (300 m blocks, 2 lanes) with
// through flows of ew veh/h along every row in each direction and ns veh/h
// along every column, plus turn veh/h of turning flows from every entry.
func gridDemand(ew, ns, turn, cooldown float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed = 1\nduration = 3600\ncooldown = %g\n[network.grid]\nrows = 3\ncols = 3\nblock = 300\nlanes = 2\n", cooldown)
	flow := func(from, to string, rate float64) {
		if rate > 0 {
			fmt.Fprintf(&b, "[[demand.flows]]\nfrom = %q\nto = %q\nrate = %g\n", from, to, rate)
		}
	}
	for i := 1; i <= 3; i++ {
		flow(fmt.Sprintf("road_0_%d_0", i), fmt.Sprintf("road_3_%d_0", i), ew)
		flow(fmt.Sprintf("road_4_%d_2", i), fmt.Sprintf("road_1_%d_2", i), ew)
		flow(fmt.Sprintf("road_%d_0_1", i), fmt.Sprintf("road_%d_3_1", i), ns)
		flow(fmt.Sprintf("road_%d_4_3", i), fmt.Sprintf("road_%d_1_3", i), ns)
		// Turning traffic: from the side streets into the middle row and
		// from the rows into the middle column.
		flow(fmt.Sprintf("road_%d_0_1", i), "road_3_2_0", turn)
		flow(fmt.Sprintf("road_%d_4_3", i), "road_1_2_2", turn)
		flow(fmt.Sprintf("road_0_%d_0", i), "road_2_3_1", turn)
		flow(fmt.Sprintf("road_4_%d_2", i), "road_2_1_3", turn)
	}
	b.WriteString("[driving]\nteleport = -1\n")
	return b.String()
}

// TestCompareGridUnbalanced: a 3×3 grid with heavy east–west and light
// north–south traffic. Actuated and Webster control beat a badly tuned
// fixed-time plan (150 s of green for every phase whatever the demand: a
// cycle far too long for it).
func TestCompareGridUnbalanced(t *testing.T) {
	base := gridDemand(600, 100, 0, 600) + "[signals]\n"
	names := []string{"FixedTime (150 s every phase)", "FixedTime (network program)", "Actuated", "Webster", "MaxPressure", "SOTL"}
	texts := []string{
		base + "policy = \"fixed_time\"\n[signals.fixed_time]\ngreen = 150\n",
		base + "policy = \"fixed_time\"\n",
		base + "policy = \"actuated\"\n",
		base + "policy = \"webster\"\n",
		base + "policy = \"max_pressure\"\n",
		base + "policy = \"sotl\"\n",
	}
	res := runAll(t, names, texts)
	var b strings.Builder
	b.WriteString("3×3 grid, 600 veh/h east–west and 100 veh/h north–south per road, 1 h + 10 min:\n\n| policy | ATT (s) | mean travel time (s) | finished trips | of |\n|---|---|---|---|---|\n")
	for _, r := range res {
		fmt.Fprintf(&b, "| %s | %.1f | %.1f | %d | %d |\n", r.name, r.att, r.meanTravel, r.finished, r.trips)
	}
	t.Log("\n" + b.String())
	bad := res[0]
	for _, r := range res[2:4] {
		if !(r.att < 0.8*bad.att) || r.finished != int64(r.trips) {
			t.Errorf("%s: ATT %.1f s, %d of %d finished; want under 80%% of the badly tuned fixed time's %.1f s, all finished",
				r.name, r.att, r.finished, r.trips, bad.att)
		}
	}
}

// TestCompareGridHeavy: the same grid at a demand fixed time cannot
// serve. Its queues back up to the entries and keep growing through the
// hour while max pressure keeps the network flowing: no queue at the
// entries and every trip finished.
func TestCompareGridHeavy(t *testing.T) {
	if testing.Short() {
		t.Skip("long comparison (about 5 s)")
	}
	base := gridDemand(1200, 300, 50, 1800) + "[signals]\n"
	names := []string{"FixedTime (network program)", "MaxPressure", "MaxPressure + max red 120 s"}
	texts := []string{
		base + "policy = \"fixed_time\"\n",
		base + "policy = \"max_pressure\"\n",
		base + "policy = \"max_pressure\"\n[signals.guard]\nmax_red = 120\n",
	}
	res := runAll(t, names, texts)
	var b strings.Builder
	b.WriteString("3×3 grid, 1,200 veh/h east–west and 300 veh/h north–south per road plus turning flows, 1 h + 30 min, no teleports:\n\n" +
		"| policy | ATT (s) | waiting to enter at 30 min | at 1 h | finished in the hour | finished at 1 h 30 | still in the network | of |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range res {
		fmt.Fprintf(&b, "| %s | %.1f | %d | %d | %d | %d | %d | %d |\n", r.name, r.att, r.midWait, r.hourWait, r.hourDone, r.finished, r.running, r.trips)
	}
	t.Log("\n" + b.String())
	fixed := res[0]
	if fixed.hourWait < 500 {
		t.Errorf("fixed time has only %d vehicles waiting to enter at 1 h; the comparison needs it saturated", fixed.hourWait)
	}
	for _, r := range res[1:] {
		if r.hourWait > fixed.hourWait/10 || r.finished != int64(r.trips) {
			t.Errorf("%s: %d waiting to enter at 1 h (fixed time %d), %d of %d finished; want no queue and all finished",
				r.name, r.hourWait, fixed.hourWait, r.finished, r.trips)
		}
	}
}
