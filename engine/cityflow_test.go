package engine_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/scenarios"
)

// TestCityFlowBenchmarks runs the CityFlow traffic-signal benchmarks (Wei
// et al., "CoLight", CIKM 2019) as CityFlow does: the roadnet's own fixed
// plan (its lightphases cycled with their times), one hour at 1 s steps,
// no lane changes at all (CityFlow's default laneChange false) and no
// teleporting, the flow files' vehicles driven by CityFlow's own model
// with its ballistic update (the scenario defaults for a flow file). It
// checks the average travel time computed the CityFlow way against
// CityFlow's own figures for the two real flow files (issue 14: within
// ±5 %) and logs the finished trips. The datasets are read from the folder
// named by CITYTWIN_DATASETS.
func TestCityFlowBenchmarks(t *testing.T) {
	root := os.Getenv("CITYTWIN_DATASETS")
	if root == "" {
		t.Skip("CITYTWIN_DATASETS is not set: no CityFlow datasets to run (set it to the folder holding jinan_3x4/ and hangzhou_4x4/)")
	}
	if testing.Short() {
		t.Skip("one-hour benchmark runs; skipped in -short mode")
	}
	for _, tc := range []struct {
		name, roadnet, flow string
		att                 float64 // CityFlow's ATT (s)
	}{
		{"jinan-3x4", "jinan_3x4/roadnet_3_4.json", "jinan_3x4/anon_3_4_jinan_real.json", 444.84},
		{"hangzhou-4x4", "hangzhou_4x4/roadnet_4_4.json", "hangzhou_4x4/anon_4_4_hangzhou_real.json", 525.28},
	} {
		t.Run(tc.name, func(t *testing.T) {
			roadnet, flow := filepath.Join(root, tc.roadnet), filepath.Join(root, tc.flow)
			for _, p := range []string{roadnet, flow} {
				if _, err := os.Stat(p); err != nil {
					t.Skipf("dataset file missing: %v", err)
				}
			}
			sc := &scenarios.Scenario{
				Name:     tc.name,
				Seed:     1,
				Duration: 3600,
				Step:     1,
				Network:  scenarios.Network{CityFlow: roadnet},
				Demand:   scenarios.Demand{CityFlow: flow},
				Signals:  scenarios.Signals{Policy: scenarios.DefaultPolicy},
				Driving:  scenarios.Driving{FixedLanes: true, Teleport: new(-1.0)},
			}
			sc.ApplyDefaults()
			if err := sc.Validate(); err != nil {
				t.Fatal(err)
			}
			run, sim := mustBuild(t, sc, nil)
			for _, n := range run.Notes {
				t.Logf("note: %s", n)
			}
			r := runWatched(tc.name, sim, 3600, 0)
			if r.err != nil {
				t.Errorf("%d steps failed the checks; the first: %v", r.bad, r.err)
			}
			// CityFlow plans have no yellow: a green turns red at once, and
			// vehicles too close to stop comfortably keep their grant, as in
			// CityFlow. Any other crossing on red is an error.
			committed := 0
			for _, x := range r.w.red {
				if x.Before.IsGreen() && x.RedFor <= 3 {
					committed++
					continue
				}
				t.Errorf("%v", x)
			}
			if committed > 0 {
				t.Logf("%d vehicles unable to stop crossed within 3 s of a green turning straight to red", committed)
			}
			checkFinalCounts(t, sim)
			c, s := r.counts, r.sum
			due := 0 // vehicles whose departure time has come
			for id := range sim.NumTrips() {
				if sim.Trip(id).Scheduled <= 3600 {
					due++
				}
			}
			t.Logf("%s: CityFlow ATT %.1f s, finished trips %d of %d vehicles (%.1f%%); inserted %d, running %d, waiting %d, teleports %d, hard brakes %d; %v wall",
				tc.name, s.CityFlowATT, c.Arrived, due, 100*float64(c.Arrived)/float64(due), c.Inserted, c.Running, c.Waiting, c.Teleports, c.HardBrakes, r.wall)
			if c.LaneChanges != 0 {
				t.Errorf("%d lane changes with fixed lanes, want none", c.LaneChanges)
			}
			if d := s.CityFlowATT/tc.att - 1; math.Abs(d) > 0.05 {
				t.Errorf("CityFlow ATT: got %.1f s, %+.1f %% from CityFlow's %.2f s, want within ±5 %%", s.CityFlowATT, 100*d, tc.att)
			}
			if 2*c.Arrived <= int64(due) {
				t.Errorf("finished trips: got %d, want more than half of the %d vehicles", c.Arrived, due)
			}
		})
	}
}

// TestCityFlowPolicies runs the three CityFlow datasets with the 8-phase
// set as LibSignal does (phases 1–8, yellow 5 s; fixed time 30 s per phase
// with the yellow inside; max pressure deciding every 10 s after 10 s of
// green; SOTL's threshold rule), with CityFlow's settings (no lane
// changes, no teleports), and checks that max pressure and SOTL each cut
// fixed time's CityFlow ATT by more than 25 %, and that no run ends with a
// gridlock or a queue stuck for lack of room or crossing gaps
// (Sim.Jams; queues a controller leaves red are reported, not failed).
func TestCityFlowPolicies(t *testing.T) {
	root := os.Getenv("CITYTWIN_DATASETS")
	if root == "" {
		t.Skip("CITYTWIN_DATASETS is not set: no CityFlow datasets to run")
	}
	if testing.Short() {
		t.Skip("one-hour benchmark runs; skipped in -short mode")
	}
	for _, ds := range []struct{ name, roadnet, flow string }{
		{"jinan", "jinan_3x4/roadnet_3_4.json", "jinan_3x4/anon_3_4_jinan_real.json"},
		{"hangzhou", "hangzhou_4x4/roadnet_4_4.json", "hangzhou_4x4/anon_4_4_hangzhou_real.json"},
		{"newyork", "newyork_16x3/roadnet_16_3.json", "newyork_16x3/anon_16_3_newyork_real.json"},
	} {
		t.Run(ds.name, func(t *testing.T) {
			roadnet, flow := filepath.Join(root, ds.roadnet), filepath.Join(root, ds.flow)
			for _, p := range []string{roadnet, flow} {
				if _, err := os.Stat(p); err != nil {
					t.Skipf("dataset file missing: %v", err)
				}
			}
			att := map[string]float64{}
			for _, pol := range []string{"fixed_time", "max_pressure", "sotl"} {
				yellow := 5.0
				sc := &scenarios.Scenario{
					Name: ds.name, Seed: 1, Duration: 3600, Step: 1,
					Network: scenarios.Network{CityFlow: roadnet},
					Demand:  scenarios.Demand{CityFlow: flow},
					Signals: scenarios.Signals{Policy: pol, Yellow: &yellow,
						Params: map[string]any{scenarios.PolicyFixedTime: &scenarios.FixedTimeParams{Phases: []int{1, 2, 3, 4, 5, 6, 7, 8}, Green: new(30.0), YellowInside: true}}},
					Driving: scenarios.Driving{NoLaneChange: true, Teleport: new(-1.0)},
				}
				_, sim := mustBuild(t, sc, nil)
				starved := 0
				for sim.Time() < 3600-1e-9 {
					sim.Step()
					if sim.Steps()%600 != 0 {
						continue
					}
					// Every 10 minutes: no gridlock, no queue stuck.
					for _, j := range sim.Jams(0) {
						if j.Starved {
							starved++
							continue
						}
						t.Errorf("%s, t = %g s: %s", pol, sim.Time(), sim.Describe(j))
					}
				}
				sum := output.Summarize(sim, 0)
				att[pol] = sum.CityFlowATT
				t.Logf("%s: CityFlow ATT %.1f s, %d finished, %d waiting; lanes left red over %g s, summed over the checks: %d", pol, sum.CityFlowATT,
					sim.Counts().Arrived, sim.Counts().Waiting, engine.DefaultJamTime, starved)
			}
			for _, pol := range []string{"max_pressure", "sotl"} {
				if cut := 1 - att[pol]/att["fixed_time"]; cut <= 0.25 {
					t.Errorf("%s cuts fixed time's ATT by %.1f %% (%.1f against %.1f s), want more than 25 %%", pol, 100*cut, att[pol], att["fixed_time"])
				}
			}
		})
	}
}
