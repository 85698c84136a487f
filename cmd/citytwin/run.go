package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/internal/cliflag"
	"github.com/citytwin/citytwin/scenarios"
	"golang.org/x/term"
)

// runOpts are the flags of `citytwin run`.
type runOpts struct {
	workers      int
	hash         bool
	out          string
	quiet        bool
	printDefault bool
	snapshot     string
	snapshotAt   []float64 // s, sorted, each once
	stopEmpty    bool
	minParallel  int
}

const runAbout = `Runs a scenario file, or with none the embedded default (Wuhan, one hour),
prints a summary and writes the scenario's outputs (docs/outputs.md) into
its output directory, with run.json saying whether the run completed.
Output paths are checked before the run starts.`

func runCmd(args []string, stdout, stderr io.Writer) error {
	cmd := cliflag.New("citytwin run", "citytwin run [flags] [SCENARIO.toml]", runAbout, stdout, stderr)
	var o runOpts
	cmd.IntVar(&o.workers, "workers", 0, "worker goroutines, 0 for all cores (default: the scenario's workers key, or all cores)")
	cmd.BoolVar(&o.hash, "hash", false, "print the final state hash and the run digest (trip records and every output too)")
	cmd.StringVar(&o.out, "out", "", "output `directory`, created if needed (default: the scenario's output.dir)")
	cmd.BoolVar(&o.quiet, "quiet", false, "no progress output")
	cmd.BoolVar(&o.printDefault, "print-default", false, "print the embedded default scenario and exit (the copy runs as it is from any folder)")
	cmd.StringVar(&o.snapshot, "snapshot", "", "write a PNG picture of the final state to `file` (its folder must exist)")
	cmd.Func("snapshot-at", "also draw the state at simulated time `T` s (repeat, or T1,T2,...), into FILE-Ts.png beside -snapshot's FILE.png, or snapshot-Ts.png in the output directory", func(v string) error {
		for _, f := range strings.Split(v, ",") {
			t, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || t < 0 || math.IsInf(t, 0) {
				return fmt.Errorf("want a time in s (0 or more), got %q", f)
			}
			if !slices.Contains(o.snapshotAt, t) {
				o.snapshotAt = append(o.snapshotAt, t)
			}
		}
		slices.Sort(o.snapshotAt)
		return nil
	})
	cmd.BoolVar(&o.stopEmpty, "stop-when-empty", false, "end the run once demand is over and no vehicle is running or waiting (the scenario's stop_when_empty)")
	cmd.IntVar(&o.minParallel, "min-parallel", 0, "run steps on several workers from this many running vehicles (default: the scenario's min_parallel; -1: always, to test that results do not depend on the worker count)")
	if err := cmd.Parse(args); err != nil {
		return err
	}
	if o.printDefault {
		_, err := stdout.Write(scenarios.DefaultSource())
		return err
	}
	if cmd.NArg() > 1 {
		return cmd.Usagef("want one scenario file, got %d: %s", cmd.NArg(), strings.Join(cmd.Args(), " "))
	}
	workersSet := cmd.IsSet("workers")
	if workersSet && o.workers < 0 {
		return cmd.Usagef("-workers: want 0 (all cores) or more, got %d", o.workers)
	}
	sc, err := scenarios.LoadOrDefault(cmd.Arg(0))
	if err != nil {
		return err
	}
	if workersSet {
		sc.Workers = o.workers
	}
	if o.out != "" {
		sc.Output.Dir = o.out
	}
	if o.stopEmpty {
		sc.StopWhenEmpty = true
	}
	if o.minParallel != 0 {
		sc.MinParallel = o.minParallel
	}
	return runScenario(sc, o, stdout, stderr)
}

func runScenario(sc *scenarios.Scenario, o runOpts, stdout, stderr io.Writer) error {
	t0 := time.Now()
	// Every output path is checked before anything is built or run: a
	// wrong one fails now, not after an hour of simulation.
	dir := sc.Output.Dir
	snaps, err := checkOutputs(dir, o)
	if err != nil {
		return err
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		return err
	}
	for _, n := range run.Notes {
		fmt.Fprintln(stderr, "note:", n)
	}
	for _, sn := range snaps {
		if sn.at > run.End() {
			return fmt.Errorf("-snapshot-at %g: after the end of the run (%g s)", sn.at, run.End())
		}
	}
	// run.json says "not complete" before anything of this run is written
	// (and replaces the manifest of an earlier run in the folder).
	man := &output.Manifest{Scenario: sc.Name, ScenarioSHA256: sc.SourceSHA256(), Seed: sc.Seed, EndTime: run.End()}
	if err := output.BeginRun(dir, man); err != nil {
		return err
	}
	sim, err := run.NewSimulation()
	if err != nil {
		return err
	}
	defer sim.Close()
	if !o.quiet {
		fmt.Fprintf(stderr, "%s: %d roads, %d lanes, %d trips, %.0f s at %.1f s steps, %d workers (built in %.1f s)\n",
			sc.Name, len(run.Network.Roads), len(run.Network.Lanes), len(run.Trips), run.End(), sc.Step, sim.Workers(), time.Since(t0).Seconds())
	}
	p := newProgress(stderr, o.quiet, run.End())
	// The outputs that collect every step (junction metrics, FCD); the
	// files are written after the run.
	outs, err := output.Open(dir, sim.Sim, run.Outputs())
	if err != nil {
		return err
	}
	defer outs.Abort()
	sim.Collect(outs)
	// Pictures at given times (-snapshot-at), drawn after the step that
	// reaches each; the final one (-snapshot) after the run.
	var pics *snapshotter
	if len(snaps) > 0 || o.snapshot != "" {
		pics = newSnapshotter(run, snaps)
		if err := pics.observe(sim.Sim); err != nil { // t = 0
			return err
		}
		sim.Collect(pics)
	}
	// SIGINT or SIGTERM stops the run at the end of the current step; the
	// outputs are then written and marked incomplete. A second signal
	// kills at once (run.json still says incomplete).
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigc)
	var stopped os.Signal
	start := time.Now()
	for !sim.Over() && stopped == nil {
		if err := sim.Step(); err != nil { // [[signals.switch]] and [[events]] first
			return err
		}
		if pics != nil && pics.err != nil {
			return pics.err
		}
		p.update(sim.Sim, start)
		select {
		case stopped = <-sigc:
			signal.Reset(os.Interrupt, syscall.SIGTERM)
		default:
		}
	}
	p.done(sim.Sim, start)
	written, err := outs.Close(sim.Sim)
	if err != nil {
		return err
	}
	if pics != nil {
		if o.snapshot != "" {
			if err := pics.write(sim.Sim, o.snapshot); err != nil { // the final state
				return err
			}
		}
		for _, p := range pics.written {
			if inside(dir, p) {
				written = append(written, p)
			}
		}
	}
	if stopped != nil {
		man.Interrupted = fmt.Sprintf("%s at t = %g s (step %d)", signalName(stopped), sim.Time(), sim.Steps())
	}
	man.SimTime = sim.Time()
	if err := output.FinishRun(dir, man, written, stopped == nil); err != nil {
		return err
	}
	if stopped != nil {
		return exitError{code: signalExit(stopped), err: fmt.Errorf("interrupted by %s at t = %g of %g s: the outputs in %s are marked incomplete (run.json)",
			signalName(stopped), sim.Time(), run.End(), dir)}
	}
	sum := output.Summarize(sim.Sim, sc.Warmup)
	printRunSummary(stdout, sum, time.Since(start), sim.Sim)
	if sim.Time() < run.End()-1e-9 {
		fmt.Fprintf(stdout, "  ended at t = %g s of %g s: demand over and no vehicle running or waiting (stop_when_empty)\n\n", sim.Time(), run.End())
	}
	if refused, forced := sim.GuardCounts(); refused > 0 || forced > 0 {
		fmt.Fprintf(stdout, "  %-18s %d refused, %d forced\n\n", "signal guard", refused, forced)
	}
	if err := sim.Err(); err != nil { // signals.guard.strict
		return err
	}
	for _, w := range written {
		fmt.Fprintln(stdout, "wrote", w)
	}
	fmt.Fprintln(stdout, "wrote", filepath.Join(dir, output.ManifestFile))
	if o.hash {
		// The state hash describes where the run ended; the run digest
		// covers its history too: every trip record and every output.
		fmt.Fprintf(stdout, "state hash %016x\nrun digest %016x\n", sim.Hash(), output.Digest(sim.Sim, outs.Junctions()))
	}
	return nil
}

// inside reports whether path p lies in folder dir.
func inside(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// signalName names SIGINT and SIGTERM as people know them.
func signalName(s os.Signal) string {
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// signalExit is the exit code of a command stopped by s (128 + its
// number, as shells report it).
func signalExit(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}

// exitError is an error with its own exit code.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// progress reports a run's progress: a redrawn line on a terminal, plain
// lines at every 10% otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	end   float64
	last  time.Time
	next  float64
}

func newProgress(w io.Writer, quiet bool, end float64) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, quiet: quiet, end: end, next: end / 10}
}

func (p *progress) line(sim *engine.Sim, start time.Time) string {
	c := sim.Counts()
	el := time.Since(start).Seconds()
	rtf := 0.0
	if el > 0 {
		rtf = sim.Time() / el
	}
	return fmt.Sprintf("t=%6.0f/%.0f s  %5.1f%%  ×%.0f real time  running %d  arrived %d  waiting %d",
		sim.Time(), p.end, 100*sim.Time()/p.end, rtf, c.Running, c.Arrived, c.Waiting)
}

func (p *progress) update(sim *engine.Sim, start time.Time) {
	if p.quiet {
		return
	}
	if p.tty {
		if time.Since(p.last) > 200*time.Millisecond {
			p.last = time.Now()
			fmt.Fprintf(p.w, "\r%s\033[K", p.line(sim, start))
		}
		return
	}
	if sim.Time() >= p.next-1e-9 {
		p.next += p.end / 10
		fmt.Fprintln(p.w, p.line(sim, start))
	}
}

func (p *progress) done(sim *engine.Sim, start time.Time) {
	if !p.quiet && p.tty {
		fmt.Fprintf(p.w, "\r%s\033[K\n", p.line(sim, start))
	}
}

// afterWarmup says which trips the statistics leave out, if any.
func afterWarmup(warmup float64) string {
	if warmup <= 0 {
		return ""
	}
	return fmt.Sprintf(" scheduled from %.0f s (warm-up)", warmup)
}

func printRunSummary(w io.Writer, s output.Summary, wall time.Duration, sim *engine.Sim) {
	c := s.Counts
	rows := [][2]string{
		{"simulated", fmt.Sprintf("%.0f s in %.2f s wall (×%.0f real time)", s.Time, wall.Seconds(), s.Time/wall.Seconds())},
		{"vehicle updates", fmt.Sprintf("%.0f (%.2f M/s)", c.VehicleSteps, c.VehicleSteps/wall.Seconds()/1e6)},
		{"trips", fmt.Sprintf("%d (%d unroutable)", c.Trips, c.Unroutable)},
		{"inserted", fmt.Sprint(c.Inserted)},
		{"arrived", fmt.Sprintf("%d (%.1f%% of inserted)", c.Arrived, 100*s.ArrivedShare)},
		{"still running", fmt.Sprint(c.Running)},
		{"waiting to enter", fmt.Sprint(c.Waiting)},
		{"teleports", fmt.Sprintf("%d (%d removed)", c.Teleports, c.Removed)},
		{"mean travel time", fmt.Sprintf("%.1f s (95th percentile %.1f s) over %d finished trips%s", s.MeanTravelTime, s.P95TravelTime, s.Trips, afterWarmup(s.Warmup))},
		{"mean delay", fmt.Sprintf("%.1f s", s.MeanDelay)},
		{"mean stops", fmt.Sprintf("%.2f per trip", s.MeanStops)},
		{"mean speed", fmt.Sprintf("%.1f km/h", s.MeanSpeed*3.6)},
		{"CityFlow ATT", fmt.Sprintf("%.1f s", s.CityFlowATT)},
		{"lane changes", fmt.Sprintf("%d (%d reroutes)", c.LaneChanges, c.Reroutes)},
		{"missed turns", fmt.Sprintf("%d (%d by vehicles that had missed one before)", c.MissedTurns, c.RepeatedMisses)},
	}
	if j := s.Jams; j != nil {
		rows = append(rows, [2]string{"stuck at the end", fmt.Sprintf("%d gridlocks, %d stuck queues, %d lanes left red over %.0f s", j.Gridlocks, j.Stuck, j.Starved, engine.DefaultJamTime)})
		for _, d := range j.Where {
			rows = append(rows, [2]string{"", d})
		}
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "  %-18s %s\n", r[0], r[1])
	}
	fmt.Fprintln(w)
}
