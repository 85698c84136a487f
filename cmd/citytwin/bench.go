package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/citytwin/citytwin/bench"
	"github.com/citytwin/citytwin/internal/cliflag"
)

// benchOpts are the flags of `citytwin bench`.
type benchOpts struct {
	cases      string
	steps      int
	warmup     float64
	workers    []int
	seed       uint64
	json       bool
	markdown   bool
	cpuprofile string
	memprofile string
	quiet      bool
	from       string
	hash       bool
	minPar     int
	runs       int
}

func benchCmd(args []string, stdout, stderr io.Writer) error {
	var about strings.Builder
	about.WriteString(`Times the standard cases headless and reports, per case and worker count:
steps/s, vehicle-updates/s (vehicle-steps per wall second), ns per update
and its multiple of the bare IDM kernel's, real-time factor, vehicles,
heap bytes per vehicle and the speed-up over one worker. Each run builds
the case, steps it through a warm-up to a steady state, then times it.

Cases:
`)
	for _, c := range bench.Cases() {
		heavy := ""
		if c.Heavy {
			heavy = " (heavy: not in the default set)"
		}
		fmt.Fprintf(&about, "  %-13s %s; warm-up %.0f s, %d steps%s\n", c.Name, c.Desc, c.Warmup, c.Steps, heavy)
	}
	fmt.Fprintf(&about, "\nThe CityFlow cases read $%s and are skipped when it is unset.", bench.DatasetsEnv)
	fs := cliflag.New("citytwin bench", "citytwin bench [flags]", about.String(), stdout, stderr)
	var o benchOpts
	workers := ""
	fs.StringVar(&o.cases, "case", "default", `cases to run, comma-separated: names, "default" (all but the heavy ones) or "all"`)
	fs.IntVar(&o.steps, "steps", 0, "timed steps per run (default: each case's own)")
	fs.Float64Var(&o.warmup, "warmup", -1, "simulated warm-up before timing, s (default: each case's own)")
	fs.StringVar(&workers, "workers", "", "worker counts to time, comma-separated; speed-up is relative to 1 (default: 1 and all cores)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the generated cases' demand and of the engine")
	fs.BoolVar(&o.json, "json", false, "print the results as JSON")
	fs.BoolVar(&o.markdown, "markdown", false, "print the results as a Markdown table with the machine (for bench/README.md)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the timed steps to `file` (one per run when several: file-CASE-wN[-runK].ext)")
	fs.StringVar(&o.memprofile, "memprofile", "", "write a heap profile at the end of the timed steps to `file` (named like -cpuprofile)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress on stderr")
	fs.BoolVar(&o.hash, "hash", false, "also print each run's state hash and run digest at the end of its timed steps")
	fs.IntVar(&o.minPar, "min-parallel", 0, "run steps on several workers from this many running vehicles (0: each case's own; -1: always, to test that results do not depend on the worker count)")
	fs.IntVar(&o.runs, "runs", 1, "time each case and worker count this many times (each from a fresh set-up and warm-up) and report the run with the median vehicle-updates/s, with the range of all runs")
	fs.StringVar(&o.from, "from", "", "measure nothing: print the report saved with -json in `file` (as a table or with -markdown)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fs.Usagef("takes no arguments, got %s", strings.Join(fs.Args(), " "))
	}
	if o.json && o.markdown {
		return fs.Usagef("-json and -markdown exclude each other")
	}
	if o.runs < 1 {
		return fs.Usagef("-runs %d: want at least 1", o.runs)
	}
	if workers == "" {
		workers = fmt.Sprintf("1,%d", runtime.NumCPU())
		if runtime.NumCPU() == 1 {
			workers = "1"
		}
	}
	var err error
	if o.workers, err = bench.ParseWorkers(workers); err != nil {
		return fs.Usagef("%v", err)
	}
	var rep *benchReport
	if o.from != "" {
		data, err := os.ReadFile(o.from)
		if err != nil {
			return err
		}
		rep = &benchReport{}
		if err := json.Unmarshal(data, rep); err != nil {
			return fmt.Errorf("%s: not a report of citytwin bench -json: %w", o.from, err)
		}
	} else {
		cases, err := selectCases(o.cases)
		if err != nil {
			return fs.Usagef("%v", err)
		}
		if rep, err = runBench(cases, o, stderr); err != nil {
			return err
		}
	}
	switch {
	case o.json:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case o.markdown:
		return rep.writeMarkdown(stdout)
	}
	if err := rep.writeTable(stdout); err != nil {
		return err
	}
	if o.hash {
		for _, r := range rep.Results {
			fmt.Fprintf(stdout, "%s workers=%d: state hash %s run digest %s\n", r.Case, r.Workers, r.StateHash, r.RunDigest)
		}
	}
	return nil
}

// selectCases resolves the --case list.
func selectCases(list string) ([]*bench.Case, error) {
	var out []*bench.Case
	seen := map[string]bool{}
	add := func(c *bench.Case) {
		if !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c)
		}
	}
	for _, name := range strings.Split(list, ",") {
		switch name = strings.TrimSpace(name); name {
		case "all", "default":
			for _, c := range bench.Cases() {
				if name == "all" || !c.Heavy {
					add(c)
				}
			}
		default:
			c, err := bench.Lookup(name)
			if err != nil {
				return nil, err
			}
			add(c)
		}
	}
	return out, nil
}

// benchReport is everything `citytwin bench` measured.
type benchReport struct {
	Machine machine `json:"machine"`
	// KernelNs is the bare IDM kernel's wall ns per vehicle-update.
	KernelNs float64        `json:"kernel_ns_per_update"`
	Results  []bench.Result `json:"results"`
	Skipped  []skipped      `json:"skipped,omitempty"`
}

type skipped struct {
	Case   string `json:"case"`
	Reason string `json:"reason"`
}

// machine describes where the figures were measured.
type machine struct {
	Date   string `json:"date"`
	CPU    string `json:"cpu"`
	NumCPU int    `json:"nproc"`
	Go     string `json:"go"`
	OS     string `json:"os"`
}

func thisMachine() machine {
	return machine{Date: time.Now().Format("2006-01-02"), CPU: cpuModel(), NumCPU: runtime.NumCPU(),
		Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
}

// cpuModel returns the CPU model from /proc/cpuinfo, or "unknown".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func runBench(cases []*bench.Case, o benchOpts, stderr io.Writer) (*benchReport, error) {
	logf := func(format string, a ...any) {
		if !o.quiet {
			fmt.Fprintf(stderr, format, a...)
		}
	}
	rep := &benchReport{Machine: thisMachine()}
	logf("kernel: ")
	rep.KernelNs = bench.KernelNs(300 * time.Millisecond)
	logf("%.2f ns per vehicle-update\n", rep.KernelNs)
	windows := len(cases) * len(o.workers)
	for _, c := range cases {
		cc := *c
		if o.warmup >= 0 {
			cc.Warmup = o.warmup
		}
		steps := cc.Steps
		if o.steps > 0 {
			steps = o.steps
		}
		logf("%s: building… ", cc.Name)
		t0 := time.Now()
		// Demand must last through the warm-up and the timed steps (Δt ≤ 1 s).
		setup, err := cc.Load(o.seed, cc.Warmup+float64(steps)+60)
		if errors.Is(err, bench.ErrSkipped) {
			reason := strings.TrimPrefix(err.Error(), bench.ErrSkipped.Error()+": ")
			logf("skipped: %s\n", reason)
			rep.Skipped = append(rep.Skipped, skipped{Case: cc.Name, Reason: reason})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bench %s: %w", cc.Name, err)
		}
		load := time.Since(t0).Seconds()
		logf("%.1f s\n", load)
		if o.minPar != 0 {
			setup.Config.MinParallel = o.minPar
		}
		var base float64
		for _, w := range o.workers {
			suffix := ""
			if windows > 1 {
				suffix = fmt.Sprintf("-%s-w%d", cc.Name, w)
			}
			var runs []bench.Result
			for k := range o.runs {
				sfx := suffix
				if o.runs > 1 {
					logf("  run %d of %d:", k+1, o.runs)
					sfx += fmt.Sprintf("-run%d", k+1)
				}
				r, err := timeOnce(setup, &cc, w, steps, sfx, o, logf)
				if err != nil {
					return nil, err
				}
				if len(runs) > 0 && o.hash && (r.StateHash != runs[0].StateHash || r.RunDigest != runs[0].RunDigest) {
					return nil, fmt.Errorf("bench %s workers=%d: run %d ended with state hash %s, run 1 with %s: the engine is not deterministic", cc.Name, w, k+1, r.StateHash, runs[0].StateHash)
				}
				r.Setup = load
				runs = append(runs, r)
			}
			r := runs[0]
			if len(runs) > 1 {
				r = bench.Median(runs)
			}
			if rep.KernelNs > 0 && r.NsPerUpdate > 0 {
				r.KernelMultiple = r.NsPerUpdate / rep.KernelNs
			}
			if w == 1 {
				base = r.UpdatesPerSec
			}
			if base > 0 {
				r.Speedup = r.UpdatesPerSec / base
			}
			rep.Results = append(rep.Results, r)
		}
	}
	return rep, nil
}

// timeOnce builds a simulation of setup on w workers, steps it through the
// case's warm-up and times steps steps (profiles named with suffix).
func timeOnce(setup *bench.Setup, cc *bench.Case, w, steps int, suffix string, o benchOpts, logf func(string, ...any)) (bench.Result, error) {
	logf("  workers=%d: set-up and warm-up (%.0f s simulated)… ", w, cc.Warmup)
	t1 := time.Now()
	sim, err := setup.NewSim(w)
	if err != nil {
		return bench.Result{}, err
	}
	defer sim.Close()
	warm := time.Since(t1).Seconds()
	logf("%.1f s; timing %d steps… ", warm, steps)
	stop, err := startCPUProfile(o.cpuprofile, suffix)
	if err != nil {
		return bench.Result{}, err
	}
	r := bench.Time(cc.Name, sim, steps)
	if err := stop(); err != nil {
		return bench.Result{}, err
	}
	if o.hash {
		r.StateHash, r.RunDigest = fmt.Sprintf("%016x", sim.Hash()), fmt.Sprintf("%016x", sim.Digest())
	}
	if err := writeHeapProfile(o.memprofile, suffix); err != nil {
		return bench.Result{}, err
	}
	r.Warmup = warm
	logf("%.1f s, %.2f M vehicle-updates/s\n", r.Wall, r.UpdatesPerSec/1e6)
	return r, nil
}

// profileName inserts suffix before the extension of file.
func profileName(file, suffix string) string {
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + suffix + ext
}

// startCPUProfile starts a CPU profile into file+suffix (nothing when file
// is empty) and returns the function that stops it.
func startCPUProfile(file, suffix string) (func() error, error) {
	if file == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(profileName(file, suffix))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// writeHeapProfile writes the live heap to file+suffix (nothing when file
// is empty).
func writeHeapProfile(file, suffix string) error {
	if file == "" {
		return nil
	}
	f, err := os.Create(profileName(file, suffix))
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// benchColumns are the columns of the table and Markdown outputs.
var benchColumns = []string{"case", "workers", "vehicles", "steps", "steps/s", "veh-updates/s", "ns/update", "× kernel",
	"real time", "peak", "heap B/veh", "speed-up", "CPU/wall", "teleports"}

func (r *benchReport) rows() [][]string {
	var rows [][]string
	for _, x := range r.Results {
		speedup, mult, cpu := "", "", ""
		if x.Speedup > 0 {
			speedup = fmt.Sprintf("%.2f×", x.Speedup)
		}
		if x.KernelMultiple > 0 {
			mult = fmt.Sprintf("%.1f", x.KernelMultiple)
		}
		if x.CPU > 0 && x.Wall > 0 {
			cpu = fmt.Sprintf("%.2f", x.CPU/x.Wall)
		}
		updates := fmt.Sprintf("%.2f M", x.UpdatesPerSec/1e6)
		if x.Runs > 1 {
			updates = fmt.Sprintf("%.2f M (%.2f–%.2f, %d runs)", x.UpdatesPerSec/1e6, x.UpdatesMin/1e6, x.UpdatesMax/1e6, x.Runs)
		}
		rows = append(rows, []string{x.Case, fmt.Sprint(x.Workers), fmt.Sprintf("%.0f", x.MeanRunning), fmt.Sprint(x.Steps),
			fmt.Sprintf("%.1f", x.StepsPerSec), updates, fmt.Sprintf("%.0f", x.NsPerUpdate), mult,
			fmt.Sprintf("%.0f×", x.RealTime), fmt.Sprint(x.Peak), fmt.Sprintf("%.0f", x.HeapPerVehicle), speedup, cpu, fmt.Sprint(x.Teleports)})
	}
	return rows
}

func (r *benchReport) writeTable(w io.Writer) error {
	if len(r.Results) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(benchColumns, "\t")+"\t")
		for _, row := range r.rows() {
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", s.Case, s.Reason)
	}
	m := r.Machine
	_, err := fmt.Fprintf(w, "vehicles: mean in the network over the timed steps; CPU/wall: process CPU time over wall time (below the workers: the machine was busy or workers waited)\nkernel %.2f ns per update; %s, nproc %d, %s, %s\n",
		r.KernelNs, m.CPU, m.NumCPU, m.Go, m.Date)
	return err
}

func (r *benchReport) writeMarkdown(w io.Writer) error {
	m := r.Machine
	fmt.Fprintf(w, "Measured %s on %s (nproc %d), %s %s. Bare IDM kernel: %.2f ns per vehicle-update.\n\n",
		m.Date, m.CPU, m.NumCPU, m.Go, m.OS, r.KernelNs)
	fmt.Fprintf(w, "| %s |\n", strings.Join(benchColumns, " | "))
	seps := make([]string, len(benchColumns))
	for i := range seps {
		seps[i] = "---:"
	}
	seps[0] = "---"
	fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
	for _, row := range r.rows() {
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "\nSkipped %s: %s\n", s.Case, s.Reason)
	}
	return nil
}
