package bench

import (
	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// RouteScenario is the routing case (issue 19): a 30×30 signalised grid
// (maps.Grid defaults: 200 m blocks, two lanes each way; 3,720 roads
// with those entering and leaving at the edges) and
// 14,400 random trips over an hour ([[demand.random]] at 14,400 veh/h,
// evenly spaced), each to be routed from its origin road to its
// destination road. SUMO's duarouter routes the same kind of demand.
const RouteScenario = `name = "route30"
duration = 3600
[network.grid]
rows = 30
cols = 30
[[demand.random]]
rate = 14400
distribution = "uniform"
`

// RouteCase builds the routing case: its network and its trips, without
// routes (scenarios.Build only checks that each pair is connected).
func RouteCase() (*maps.Network, []engine.Trip, error) {
	sc, err := scenarios.Parse([]byte(RouteScenario), "route30")
	if err != nil {
		return nil, nil, err
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		return nil, nil, err
	}
	return run.Network, run.Trips, nil
}
