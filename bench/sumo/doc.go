// Sumo runs a CityTwin benchmark grid side by side with SUMO: it writes
// the grid and its trips in SUMO's formats, builds the network with
// netconvert, runs sumo on it, runs CityTwin on the same trips with one
// worker and with -workers workers, and prints every run's wall and CPU
// time, vehicle-updates per second, mean travel time and teleports in one
// table.
//
// Usage:
//
//	go run ./bench/sumo [flags]
//
// The flags are:
//
//	-case name       benchmark case: grid10 (default) or grid32
//	-duration s      simulated time for both engines (default 1200)
//	-seed n          demand and engine seed (default 1)
//	-keep dir        keep SUMO's files in dir (default: a temporary folder)
//	-workers n       CityTwin workers for the parallel run (default: all cores)
//	-cases list      instead: generate SUMO cases (all, or names of
//	                 bench/sumocase.Standard, comma-separated) and compare
//	                 the two engines' traffic on them (-keep, -seed apply)
//
// With -cases, each case is made with SUMO's own tools (netgenerate grids and
// random networks with static or actuated signals, randomTrips.py trips
// routed by duarouter); sumo runs the files, and CityTwin loads the very same
// files with [network] sumo and [demand] sumo; the table gives vehicles,
// arrivals, teleports, when the run ended and the mean travel time with
// CityTwin's difference to SUMO's.
//
// It needs SUMO's sumo and netconvert on the PATH (Debian:
// apt-get install sumo) and exits with a message, status 0, when they are
// missing. It is not part of the tests or CI.
//
// Both engines get the same network (maps.Grid's nodes and roads; SUMO's
// junctions, lanes, connections and fixed-time programs come from
// netconvert, told to use CityTwin's green, yellow and all-red times), the
// same trips with the same routes, the same car (IDM, 5 m, accel 2.6 m/s²,
// decel 4.5 m/s², min gap 2.5 m, headway 1 s, no speed spread), 1 s steps
// and a 300 s time-to-teleport. SUMO runs its default single thread.
package main
