package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// ErrSkipped is wrapped by Case.Load when a case cannot run here, such as
// a dataset case without CITYTWIN_DATASETS; the message says why.
var ErrSkipped = errors.New("skipped")

// DatasetsEnv names the environment variable holding the folder of the
// public CityFlow datasets (jinan_3x4/, hangzhou_4x4/, newyork_16x3/).
const DatasetsEnv = "CITYTWIN_DATASETS"

// A Case is a named benchmark workload.
type Case struct {
	Name string
	Desc string // a few words: network and demand
	// Warmup is the simulated time (s) stepped before timing starts, long
	// enough for the network to reach a steady state.
	Warmup float64
	// Steps is the default number of timed steps.
	Steps int
	// Heavy marks cases left out of the default set: they need minutes or
	// gigabytes.
	Heavy bool
	// load builds the setup; horizon is the simulated time (s) the demand
	// must cover.
	load func(seed uint64, horizon float64) (*Setup, error)
}

// Setup is a case made ready to simulate.
type Setup struct {
	Case    *Case
	Network *maps.Network
	Config  engine.Config
	// Trips returns the demand. It is called once per simulation, so that
	// large cases need not keep a copy while the engine holds its own.
	Trips func() []engine.Trip
	// End is the simulated time (s) until which the demand keeps the
	// network in the state the case measures; after it the network
	// drains. Benchmarks that step longer start a new simulation there.
	End float64
	// Notes lists what the builder reported without failing.
	Notes []string
}

// Load builds the case's network, settings and demand for seed, with
// demand lasting at least horizon seconds of simulated time (cases with
// fixed demand ignore it). It wraps ErrSkipped when the case cannot run
// here.
func (c *Case) Load(seed uint64, horizon float64) (*Setup, error) {
	s, err := c.load(seed, horizon)
	if err != nil {
		return nil, err
	}
	s.Case = c
	return s, nil
}

// NewSim creates a simulation of the setup with the given number of
// workers (0: all cores) and steps it through the case's warm-up. The
// caller must Close it.
func (s *Setup) NewSim(workers int) (*engine.Sim, error) {
	cfg := s.Config
	cfg.Workers = workers
	sim, err := engine.New(s.Network, cfg, s.Trips())
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", s.Case.Name, err)
	}
	sim.RunUntil(s.Case.Warmup)
	return sim, nil
}

// Scale-case geometry: 120×120 junctions, 400 m blocks, two lanes each way
// (58,080 roads, 116,160 lanes) holding 1,050,000 vehicles from t ≈ 20 s,
// about nine per lane (23 per lane-km). See README.md for why not 200 m.
const (
	scaleSize     = 120
	scaleBlock    = 400
	scaleVehicles = 1_050_000
)

// Cases returns the standard cases, in the order they are reported.
func Cases() []*Case {
	return []*Case{
		{Name: "grid10", Desc: "10×10 signalised grid, busy", Warmup: 600, Steps: 600, load: gridCase(10, 120)},
		{Name: "grid32", Desc: "32×32 signalised grid, busy", Warmup: 600, Steps: 200, load: gridCase(32, 90)},
		{Name: "wuhan", Desc: "embedded Wuhan scenario", Warmup: 900, Steps: 600, load: wuhanCase},
		{Name: "scale", Desc: fmt.Sprintf("%d×%d grid, 400 m blocks, >1M vehicles", scaleSize, scaleSize), Warmup: 30, Steps: 30, Heavy: true, load: scaleCase},
		{Name: "jinan_3x4", Desc: "CityFlow Jinan 3×4, real flow, CityFlow's settings", Warmup: 900, Steps: 600,
			load: cityflowCase("jinan_3x4", "roadnet_3_4.json", "anon_3_4_jinan_real.json", false)},
		{Name: "hangzhou_4x4", Desc: "CityFlow Hangzhou 4×4, real flow, CityFlow's settings", Warmup: 900, Steps: 600,
			load: cityflowCase("hangzhou_4x4", "roadnet_4_4.json", "anon_4_4_hangzhou_real.json", false)},
		{Name: "newyork_16x3", Desc: "CityFlow New York 16×3, real flow, CityFlow's settings", Warmup: 900, Steps: 600,
			load: cityflowCase("newyork_16x3", "roadnet_16_3.json", "anon_16_3_newyork_real.json", false)},
		{Name: "jinan_3x4_full", Desc: "CityFlow Jinan 3×4, real flow, full model", Warmup: 900, Steps: 600,
			load: cityflowCase("jinan_3x4", "roadnet_3_4.json", "anon_3_4_jinan_real.json", true)},
		{Name: "hangzhou_4x4_full", Desc: "CityFlow Hangzhou 4×4, real flow, full model", Warmup: 900, Steps: 600,
			load: cityflowCase("hangzhou_4x4", "roadnet_4_4.json", "anon_4_4_hangzhou_real.json", true)},
		{Name: "newyork_16x3_full", Desc: "CityFlow New York 16×3, real flow, full model", Warmup: 900, Steps: 600,
			load: cityflowCase("newyork_16x3", "roadnet_16_3.json", "anon_16_3_newyork_real.json", true)},
	}
}

// Lookup returns the case named name.
func Lookup(name string) (*Case, error) {
	var names []string
	for _, c := range Cases() {
		if c.Name == name {
			return c, nil
		}
		names = append(names, c.Name)
	}
	return nil, fmt.Errorf("bench: no case %q (have %s)", name, strings.Join(names, ", "))
}

// gridCase builds an n×n busy grid: maps.Grid defaults (200 m blocks, two
// lanes each way, 50 km/h), engine defaults, GridDemand at rate veh/h per
// road. The rates were found by experiment (see README.md): the highest
// that settle, after about 500 s, at a steady 12 vehicles per lane-km
// (queues at most lights) without teleports; more demand makes the
// vehicle count grow and left-turners wait long enough to teleport. The
// 32×32 grid's longer trips need a lower rate for the same density.
func gridCase(n int, rate float64) func(seed uint64, horizon float64) (*Setup, error) {
	return func(seed uint64, horizon float64) (*Setup, error) {
		net, err := maps.Grid(maps.GridOptions{Rows: n, Cols: n})
		if err != nil {
			return nil, err
		}
		g, err := NewGridIndex(net, n, n)
		if err != nil {
			return nil, err
		}
		cfg := engine.DefaultConfig()
		cfg.Seed = seed
		trips := func() []engine.Trip {
			return GridDemand(net, g, GridDemandOptions{Rate: rate, Horizon: horizon, Seed: seed})
		}
		return &Setup{Network: net, Config: cfg, Trips: trips, End: horizon}, nil
	}
}

// scaleCase builds the million-vehicle grid. Teleporting is off: vehicles
// only drive straight on, which cannot lock up.
func scaleCase(seed uint64, _ float64) (*Setup, error) {
	net, err := maps.Grid(maps.GridOptions{Rows: scaleSize, Cols: scaleSize, Block: scaleBlock})
	if err != nil {
		return nil, err
	}
	g, err := NewGridIndex(net, scaleSize, scaleSize)
	if err != nil {
		return nil, err
	}
	cfg := engine.DefaultConfig()
	cfg.Seed = seed
	cfg.Teleport = 0
	// By 600 s a few per cent of the vehicles have left at the edges.
	return &Setup{Network: net, Config: cfg, Trips: func() []engine.Trip { return ScaleDemand(net, g, scaleVehicles) }, End: 600}, nil
}

// wuhanCase builds the embedded default scenario with its own seed and
// settings.
func wuhanCase(_ uint64, _ float64) (*Setup, error) {
	sc, err := scenarios.Default()
	if err != nil {
		return nil, err
	}
	return scenarioSetup(sc)
}

func scenarioSetup(sc *scenarios.Scenario) (*Setup, error) {
	run, err := scenarios.Build(sc)
	if err != nil {
		return nil, err
	}
	return &Setup{Network: run.Network, Config: run.Config, Trips: func() []engine.Trip { return run.Trips },
		End: sc.Duration, Notes: run.Notes}, nil
}

// cityflowCase builds a CityFlow dataset from $CITYTWIN_DATASETS/dir: its
// roadnet with its own signal phases and its flow file, one hour, 1 s
// steps, as the CityFlow benchmarks run it. With CityFlow's settings (full
// false) discretionary lane changes and teleporting are off, as in
// CityFlow's benchmark configuration (laneChange false; CityFlow has no
// teleporting), so that speeds compare with CityFlow's; full keeps the
// whole model (MOBIL lane changes, 300 s time-to-teleport).
func cityflowCase(dir, roadnet, flow string, full bool) func(seed uint64, horizon float64) (*Setup, error) {
	return func(seed uint64, _ float64) (*Setup, error) {
		root := os.Getenv(DatasetsEnv)
		if root == "" {
			return nil, fmt.Errorf("%w: %s is not set (it names the folder holding %s/)", ErrSkipped, DatasetsEnv, dir)
		}
		root, err := filepath.Abs(root)
		if err != nil {
			return nil, err
		}
		net, fl := filepath.Join(root, dir, roadnet), filepath.Join(root, dir, flow)
		for _, f := range []string{net, fl} {
			if _, err := os.Stat(f); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrSkipped, err)
			}
		}
		src := fmt.Sprintf("name = %q\nseed = %d\nduration = 3600\nstep = 1.0\n[network]\ncityflow = %q\n[demand]\ncityflow = %q\n",
			dir, seed, net, fl)
		if !full {
			src += "[driving]\nno_lane_change = true\nteleport = -1\n"
		}
		sc, err := scenarios.Parse([]byte(src), filepath.Join(root, dir, "bench.toml"))
		if err != nil {
			return nil, err
		}
		return scenarioSetup(sc)
	}
}

// ParseWorkers parses a comma-separated list of worker counts ("1,2"),
// as the bench commands take them.
func ParseWorkers(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("workers: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
