package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/citytwin/citytwin/bench"
	"github.com/citytwin/citytwin/engine"
)

func main() {
	name := flag.String("case", "grid32", "benchmark case (see citytwin bench -h)")
	warmup := flag.Float64("warmup", 300, "simulated warm-up before the window, s")
	steps := flag.Int("steps", 20, "steps in the window")
	workers := flag.Int("workers", 1, "worker goroutines")
	seed := flag.Uint64("seed", 1, "seed of the case's demand and of the engine")
	flag.Parse()
	if err := run(*name, *warmup, *steps, *workers, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "window:", err)
		os.Exit(1)
	}
}

func run(name string, warmup float64, steps, workers int, seed uint64) error {
	if steps < 0 || workers < 1 || !(warmup >= 0) {
		return fmt.Errorf("want -steps >= 0, -workers >= 1 and -warmup >= 0")
	}
	c, err := bench.Lookup(name)
	if err != nil {
		return err
	}
	c.Warmup = warmup
	setup, err := c.Load(seed, warmup+float64(steps)+60) // as citytwin bench
	if err != nil {
		return err
	}
	sim, err := setup.NewSim(workers)
	if err != nil {
		return err
	}
	defer sim.Close()
	start, cpu0 := time.Now(), bench.CPUTime()
	updates := Window(sim, steps)
	wall, cpu := time.Since(start).Seconds(), bench.CPUTime()-cpu0
	fmt.Printf("%s: %d steps after %g s, %.0f vehicle-updates, state hash %016x, %.3f s wall (%.2f M updates/s), %.3f s CPU (%.2f M updates per CPU second)\n",
		name, steps, warmup, updates, sim.Hash(), wall, updates/wall/1e6, cpu, updates/cpu/1e6)
	return nil
}

// Window steps sim steps times and returns the vehicle-updates done; it
// is the function an instruction counter is told to measure.
//
//go:noinline
func Window(sim *engine.Sim, steps int) float64 {
	before := sim.Counts().VehicleSteps
	for range steps {
		sim.Step()
	}
	return sim.Counts().VehicleSteps - before
}
