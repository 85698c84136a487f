// Package bench holds CityTwin's reference benchmark cases, the harness
// that times them and the bare car-following kernel they are judged
// against.
//
// # Cases
//
// Cases lists the standard workloads by name:
//
//   - grid10, grid32: generated signalised grids (maps.Grid, two lanes each
//     way, 200 m blocks) with demand that keeps them busy but not
//     gridlocked: trips start on any road at a steady Poisson rate and
//     drive straight for a few blocks, perhaps turn once, and drive on
//     (GridDemand). Routes are computed from the grid's road names, so no
//     router is involved.
//   - wuhan: the embedded default scenario (scenarios.Default).
//   - scale: a 120×120 grid with 400 m blocks holding more than a million
//     vehicles at once, all departing at t = 0 from every road along
//     straight routes to the edge (ScaleDemand). Heavy: left out of the
//     default set.
//   - jinan_3x4, hangzhou_4x4, newyork_16x3: the public CityFlow datasets,
//     read from the folder named by the CITYTWIN_DATASETS environment
//     variable; Load reports ErrSkipped when it is unset.
//
// Every case is deterministic: the same seed gives the same network,
// demand and run, whatever the number of workers.
//
// # Measuring
//
// Case.Load builds a Setup (network, engine settings, demand); Setup.NewSim
// creates a simulation and steps it through the case's warm-up so that the
// network is in a steady state; Time steps it and reports throughput
// (vehicle-updates per second of wall time), heap per vehicle and the
// counters of the timed window. The citytwin bench command and the
// Benchmark functions of this package's tests both use them.
//
// Kernel is the lower bound: the bare Intelligent Driver Model update over
// contiguous position and speed arrays, with no lanes, junctions or
// bookkeeping. The engine's cost per vehicle-update is reported as a
// multiple of the kernel's.
//
// The figures measured on the reference machine, and how to regenerate
// them, are in README.md beside this file.
package bench
