// Citytwin-sumo is CityTwin behind SUMO's TraCI protocol, under SUMO's
// command line: point SUMO_BINARY (or $SUMO_HOME/bin/sumo) at it, and
// tools that drive sumo through traci.start — sumo-rl, LibSignal's SUMO
// world, RESCO, scripts that import traci — run on CityTwin unchanged.
//
// Usage:
//
//	citytwin-sumo -n NET.net.xml [-r ROUTES.rou.xml[,...]] --remote-port PORT [sumo options]
//	citytwin-sumo -c SCENARIO.sumocfg --remote-port PORT [sumo options]
//
// It reads -n, -r, -c, --step-length, --begin, --end, --seed, --random,
// --remote-port, --num-clients 1, --tripinfo-output (and
// .write-unfinished), --no-warnings, --time-to-teleport and
// --waiting-time-memory; other options are ignored with one notice. It
// listens on 127.0.0.1 only, serves one client and exits after close.
// CityTwin's own options: --citytwin.record FILE (write the client's
// messages), --citytwin.replay FILE (answer a recorded session without a
// client), --citytwin.digest (print the run digest at the end) and
// --citytwin.workers N. See twin/traci and docs/traci.md.
package main

import (
	"os"

	"github.com/citytwin/citytwin/twin/traci"
)

func main() { os.Exit(traci.Main(os.Args[1:], os.Stdout, os.Stderr)) }
