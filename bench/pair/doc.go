// Command pair measures the speed-up of several workers over one on a
// shared machine, where two `citytwin bench` runs a few seconds apart see
// different loads. It steps a benchmark case through its warm-up once,
// clones the simulation for each worker count (engine.Sim.CloneWorkers:
// the same state, so the same work), then steps the clones in turn, a
// slice of steps each, for a number of rounds, the order alternating from
// round to round; a change of load during the run then slows every clone
// alike. It prints, per worker count, the vehicle-updates per second over
// all rounds, its ratio to the first worker count, the range of the
// per-round ratios, and the load average before and after (Linux); and it
// checks that every clone ends in the same state (hash and run digest).
//
//	go run ./bench/pair -case grid10 -min-parallel 1 -rounds 40 -steps 20
//
// -min-parallel 1 hands every step to the workers (Config.MinParallel);
// 0 keeps the engine's default, under which small cases run on one
// goroutine whatever the worker count.
package main
