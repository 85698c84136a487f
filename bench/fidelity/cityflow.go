package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/scenarios"
)

// cfDataset is one CityFlow dataset: its roadnet and flow files.
type cfDataset struct {
	name, dir, roadnet string
	flows              []cfFlow
}

// cfFlow is a flow file, with CityFlow's own figures for the roadnet's
// fixed plan when they are on record (0: none).
type cfFlow struct {
	file     string
	refATT   float64 // s
	refTrips int     // finished trips
}

// datasets are the CityFlow benchmark sets. The reference figures are
// CityFlow's, run with the roadnet's own plan (rlTrafficLight false),
// 1 s steps and laneChange false, as quoted in issue 14 (CityFlow
// itself cannot be installed here).
var datasets = []cfDataset{
	{"Jinan 3×4", "jinan_3x4", "roadnet_3_4.json", []cfFlow{
		{"anon_3_4_jinan_real.json", 444.84, 5256}, {"anon_3_4_jinan_real_2000.json", 0, 0}, {"anon_3_4_jinan_real_2500.json", 0, 0}}},
	{"Hangzhou 4×4", "hangzhou_4x4", "roadnet_4_4.json", []cfFlow{
		{"anon_4_4_hangzhou_real.json", 525.28, 2508}, {"anon_4_4_hangzhou_real_5734.json", 0, 0}, {"anon_4_4_hangzhou_real_5816.json", 0, 0}}},
	{"New York 16×3", "newyork_16x3", "roadnet_16_3.json", []cfFlow{{"anon_16_3_newyork_real.json", 0, 0}}},
}

// policies are the signal settings of the 8-phase comparison (LibSignal's:
// phases 1–8, yellow 5 s, fixed time 30 s per phase with the yellow inside,
// max pressure every 10 s after 10 s of green, SOTL's threshold rule).
var policies = []struct{ name, policy string }{
	{"fixed time", "fixed_time"}, {"max pressure", "max_pressure"}, {"SOTL", "sotl"},
}

// cfRun is one CityTwin run of a CityFlow case.
type cfRun struct {
	dataset, flow, policy string
	ref                   cfFlow
	att                   float64 // s, CityFlow's average travel time
	finished, due         int
	waiting, running      int
	gridlocks, stuck      int // Sim.Jams at the checks, summed (never counting starved lanes)
	starved               int // lanes left red over the jam time, summed over the checks
	worst                 string
}

// runCityFlow fills r.native (every flow file, fixed plan) and r.policy
// (the real flow files under the 8-phase policies).
func (r *report) runCityFlow(root string, log io.Writer) error {
	for _, ds := range datasets {
		for _, fl := range ds.flows {
			fmt.Fprintf(log, "CityFlow %s, %s, fixed plan…\n", ds.name, fl.file)
			run, err := runCF(root, ds, fl, "")
			if err != nil {
				return err
			}
			r.native = append(r.native, run)
		}
		for _, p := range policies {
			fmt.Fprintf(log, "CityFlow %s, %s, %s…\n", ds.name, ds.flows[0].file, p.name)
			run, err := runCF(root, ds, ds.flows[0], p.policy)
			if err != nil {
				return err
			}
			run.policy = p.name
			r.policy = append(r.policy, run)
		}
	}
	return nil
}

// runCF runs flow file fl of dataset ds for 3,600 s with CityFlow's
// settings: the roadnet's own fixed plan when policy is empty, else the
// 8-phase set under policy.
func runCF(root string, ds cfDataset, fl cfFlow, policy string) (cfRun, error) {
	roadnet := filepath.Join(root, ds.dir, ds.roadnet)
	flow := filepath.Join(root, ds.dir, fl.file)
	for _, p := range []string{roadnet, flow} {
		if _, err := os.Stat(p); err != nil {
			return cfRun{}, err
		}
	}
	sc := &scenarios.Scenario{
		Name: ds.dir, Seed: 1, Duration: 3600, Step: 1,
		Network: scenarios.Network{CityFlow: roadnet},
		Demand:  scenarios.Demand{CityFlow: flow},
		Signals: scenarios.Signals{Policy: scenarios.DefaultPolicy},
		Driving: scenarios.Driving{FixedLanes: true, Teleport: new(-1.0)},
	}
	if policy != "" {
		// The policy runs keep the exit-lane re-choice (see the report's
		// text and differences.go: "Exit lanes").
		sc.Driving = scenarios.Driving{NoLaneChange: true, Teleport: new(-1.0)}
		yellow := 5.0
		sc.Signals = scenarios.Signals{Policy: policy, Yellow: &yellow,
			Params: map[string]any{scenarios.PolicyFixedTime: &scenarios.FixedTimeParams{Phases: []int{1, 2, 3, 4, 5, 6, 7, 8}, Green: new(30.0), YellowInside: true}}}
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		return cfRun{}, err
	}
	sim, err := run.NewSimulation()
	if err != nil {
		return cfRun{}, err
	}
	defer sim.Close()
	res := cfRun{dataset: ds.name, flow: fl.file, ref: fl}
	for sim.Time() < 3600-1e-9 {
		if err := sim.Step(); err != nil {
			return cfRun{}, err
		}
		if sim.Steps()%600 != 0 {
			continue
		}
		for _, j := range sim.Jams(0) {
			switch {
			case j.Starved:
				res.starved++
				continue
			case j.Cycle:
				res.gridlocks++
			default:
				res.stuck++
			}
			if res.worst == "" {
				res.worst = fmt.Sprintf("t = %.0f s: %s", sim.Time(), sim.Describe(j))
			}
		}
	}
	sum := output.Summarize(sim.Sim, 0)
	c := sim.Counts()
	res.att, res.finished, res.waiting, res.running = sum.CityFlowATT, int(c.Arrived), int(c.Waiting), int(c.Running)
	for id := range sim.NumTrips() {
		if sim.Trip(id).Scheduled <= 3600 {
			res.due++
		}
	}
	return res, nil
}
