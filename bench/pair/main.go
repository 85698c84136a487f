package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citytwin/citytwin/bench"
	"github.com/citytwin/citytwin/engine"
)

func main() {
	name := flag.String("case", "grid10", "benchmark case (see citytwin bench -h)")
	warmup := flag.Float64("warmup", -1, "simulated warm-up before timing, s (default: the case's own)")
	steps := flag.Int("steps", 20, "steps per clone and round")
	rounds := flag.Int("rounds", 30, "rounds")
	workers := flag.String("workers", "1,2", "worker counts, comma-separated; ratios are to the first")
	minPar := flag.Int("min-parallel", 0, "engine Config.MinParallel (0: the engine's default; 1 or -1: always parallel)")
	seed := flag.Uint64("seed", 1, "seed of the case's demand and of the engine")
	flag.Parse()
	ws, err := bench.ParseWorkers(*workers)
	if err == nil {
		err = run(os.Stdout, *name, *warmup, *steps, *rounds, ws, *minPar, *seed)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pair:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, name string, warmup float64, steps, rounds int, ws []int, minPar int, seed uint64) error {
	if steps < 1 || rounds < 1 {
		return fmt.Errorf("want -steps >= 1 and -rounds >= 1")
	}
	c, err := bench.Lookup(name)
	if err != nil {
		return err
	}
	if warmup >= 0 {
		c.Warmup = warmup
	}
	setup, err := c.Load(seed, c.Warmup+float64(steps*rounds)+60) // as citytwin bench, for steps of 1 s or less
	if err != nil {
		return err
	}
	setup.Config.MinParallel = minPar
	base, err := setup.NewSim(slices.Max(ws)) // the warm-up on all workers: the same state, sooner
	if err != nil {
		return err
	}
	defer base.Close()
	if end := c.Warmup + float64(float64(steps*rounds)*base.StepLength()); end > setup.End {
		return fmt.Errorf("%s: the timed steps would end at %.0f s, after the case's steady demand (%.0f s): fewer -steps or -rounds", name, end, setup.End)
	}
	sims := make([]*engine.Sim, len(ws))
	for i, w := range ws {
		sims[i] = base.CloneWorkers(w)
		defer sims[i].Close()
	}
	load0 := loadAverage()
	busy0, cpu0, t0 := machineBusy(), bench.CPUTime(), time.Now()
	wall := make([]time.Duration, len(ws))
	cpu := make([]float64, len(ws))
	ratios := make([][]float64, len(ws))
	var vehicles float64
	for r := 0; r < rounds; r++ {
		took := make([]time.Duration, len(ws))
		for k := range ws {
			i := k
			if r%2 == 1 {
				i = len(ws) - 1 - k
			}
			sim := sims[i]
			if i == 0 {
				vehicles += float64(sim.Counts().Running)
			}
			c0, t0 := bench.CPUTime(), time.Now()
			for range steps {
				sim.Step()
			}
			took[i] = time.Since(t0)
			wall[i] += took[i]
			cpu[i] += bench.CPUTime() - c0
		}
		for i := range ws {
			ratios[i] = append(ratios[i], took[0].Seconds()/took[i].Seconds())
		}
	}
	load1 := loadAverage()
	others := "?"
	if busy1 := machineBusy(); busy0 >= 0 && busy1 >= 0 {
		others = fmt.Sprintf("%.2f", (busy1-busy0-(bench.CPUTime()-cpu0))/time.Since(t0).Seconds())
	}
	updates := sims[0].Counts().VehicleSteps - base.Counts().VehicleSteps
	fmt.Fprintf(out, "%s: %d rounds of %d steps after %.0f s, %.0f running vehicles on average; load average %s -> %s, other processes used %s cores meanwhile\n",
		name, rounds, steps, c.Warmup, vehicles/float64(rounds), load0, load1, others)
	for i, w := range ws {
		rs := slices.Clone(ratios[i])
		slices.Sort(rs)
		fmt.Fprintf(out, "  workers %d: %.2f M updates/s, %.2fx (rounds %.2f-%.2f, median %.2f), CPU/wall %.2f\n",
			w, updates/wall[i].Seconds()/1e6, wall[0].Seconds()/wall[i].Seconds(), rs[0], rs[len(rs)-1], rs[len(rs)/2], cpu[i]/wall[i].Seconds())
	}
	for i := 1; i < len(sims); i++ {
		if sims[i].Hash() != sims[0].Hash() || sims[i].Digest() != sims[0].Digest() {
			return fmt.Errorf("%s: %d workers ended in another state than %d (hash %016x, want %016x)", name, ws[i], ws[0], sims[i].Hash(), sims[0].Hash())
		}
	}
	return nil
}

// loadAverage returns the one-minute load average, or "?" where
// /proc/loadavg does not exist.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// machineBusy returns the CPU time (s) all processors have spent outside
// the idle and I/O-wait states since boot, from /proc/stat, or -1 where
// that file does not exist.
func machineBusy() float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return -1
	}
	var busy float64
	for i, v := range f[1:] {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return -1
		}
		if i != 3 && i != 4 && i < 8 { // idle, iowait; guest time is counted in user already
			busy += n
		}
	}
	return busy / 100 // USER_HZ, 100 on Linux
}
