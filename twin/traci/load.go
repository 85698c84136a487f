package traci

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// load builds the simulation the options describe: the network of -n
// read by maps.LoadSUMO (with SUMO's ids), the demand of -r read as
// [demand] sumo is by scenarios, SUMO's step length, seed and
// time-to-teleport. Departures are moved onto the engine's clock (see
// world); vehicles departing before --begin are dropped, as SUMO drops
// them. notes are what the builders reported without failing.
func load(o *Options, workers int) (*world, []string, error) {
	view, err := loadNetView(o.Net)
	if err != nil {
		return nil, nil, err
	}
	var (
		net   *maps.Network
		cfg   engine.Config
		trips []engine.Trip
		notes []string
	)
	if len(o.Routes) == 0 {
		// A network alone (sumo-rl's first probe): no vehicles.
		if net, err = maps.LoadSUMO(o.Net, maps.Options{}); err != nil {
			return nil, nil, err
		}
		cfg = engine.DefaultConfig()
	} else {
		sc, err := scenarios.Parse([]byte(scenarioText(o)), filepath.Join(filepath.Dir(abs(o.Net)), "traci.toml"))
		if err != nil {
			return nil, nil, err
		}
		run, err := scenarios.Build(sc)
		if err != nil {
			return nil, nil, err
		}
		net, cfg, trips, notes = run.Network, run.Config, run.Trips, run.Notes
	}
	cfg.Step = msToS(o.StepMs)
	cfg.Seed = o.Seed
	cfg.Workers = workers
	cfg.MinParallel = o.minParallel
	cfg.Teleport = max(msToS(o.TeleportMs), 0)
	kept := trips[:0]
	dropped := 0
	for _, t := range trips {
		d := secondsToMs(t.Depart)
		if d < o.BeginMs {
			dropped++
			continue
		}
		t.Depart = msToS(d - o.BeginMs + o.StepMs)
		kept = append(kept, t)
	}
	if dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d vehicles depart before --begin %s s and are dropped, as SUMO drops them", dropped, sec(o.BeginMs)))
	}
	sim, err := engine.New(net, cfg, kept)
	if err != nil {
		return nil, nil, err
	}
	w, err := newWorld(sim, view, o.BeginMs, o.StepMs, o.WaitingMemoryMs)
	if err != nil {
		sim.Close()
		return nil, nil, fmt.Errorf("%s: %w", o.Net, err)
	}
	return w, notes, nil
}

// scenarioText is the scenario that reads the options' files as
// `citytwin run` would: [network] sumo and [demand] sumo.
func scenarioText(o *Options) string {
	var routes []string
	for _, r := range o.Routes {
		routes = append(routes, strconv.Quote(abs(r)))
	}
	return fmt.Sprintf(`name = "traci"
seed = %d
duration = 2592000
step = %s

[network]
sumo = %s

[demand]
sumo = [%s]

[driving]
teleport = %s
`, o.Seed, sec(o.StepMs), strconv.Quote(abs(o.Net)), strings.Join(routes, ", "), teleportValue(o.TeleportMs))
}

func teleportValue(ms int64) string {
	if ms <= 0 {
		return "-1"
	}
	return sec(ms)
}

// sec writes milliseconds as seconds, exactly.
func sec(ms int64) string { return strconv.FormatFloat(msToS(ms), 'f', -1, 64) }

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
