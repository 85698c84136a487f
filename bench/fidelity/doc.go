// Command fidelity compares CityTwin with the simulators it is meant to
// agree with, on inputs that can be rerun here, and writes the report
// docs/fidelity.md:
//
//   - the CityFlow benchmark datasets (Jinan 3×4, Hangzhou 4×4, New York
//     16×3; every flow file) with each roadnet's own fixed plan and
//     CityFlow's settings (1 s steps, fixed lanes, no teleporting),
//     against CityFlow's own figures where they are on record;
//   - the same datasets with the 8-phase set under fixed time, max
//     pressure and SOTL with LibSignal's settings, with the gridlock
//     detector's findings;
//   - SUMO 1.15 side by side on the networks and routes bench/sumocase
//     generates with SUMO's own tools (netgenerate grids and random
//     networks, static and actuated signals, randomTrips and duarouter).
//
// Usage:
//
//	CITYTWIN_DATASETS=/path/to/datasets go run ./bench/fidelity -o docs/fidelity.md
//
// Without CITYTWIN_DATASETS the CityFlow sections say they were skipped;
// without SUMO's tools (Debian's sumo and sumo-tools) the SUMO section
// does. -cityflow=false or -sumo=false leave a part out (its section then
// says so). The whole run takes about ten minutes, most of it SUMO.
package main
