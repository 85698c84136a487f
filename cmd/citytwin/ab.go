package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/citytwin/citytwin/experiments"
	"github.com/citytwin/citytwin/internal/cliflag"
	"golang.org/x/term"
)

const abAbout = `Runs an A/B experiment and writes its report. Also:
  citytwin ab merge -o OUT SHARD_DIR...       merge the outputs of shards into one report
  citytwin ab report DIR                      rewrite the report of a complete output directory

An experiment file names a base scenario, two or more arms that override
scenario keys, the replications and the metrics; see
scenarios/experiments/README.md. Finished runs are kept in the output
directory and skipped when the command runs again.`

func abCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "merge":
			return abMerge(args[1:], stdout, stderr)
		case "report":
			return abReport(args[1:], stdout, stderr)
		}
	}
	fs := cliflag.New("citytwin ab", "citytwin ab [flags] EXPERIMENT.toml", abAbout, stdout, stderr)
	out := fs.String("o", "", "output `directory` (default: the experiment's output key, or out/ab/<name>)")
	parallel := fs.Int("parallel", 0, "runs at once (default: all cores); results do not depend on it")
	shard := fs.String("shard", "", "run only shard i/n of the replications (0 ≤ i < n), for a batch scheduler; merge the shards with citytwin ab merge")
	rerun := fs.Bool("rerun", false, "run every run again, ignoring finished ones in the output directory")
	check := fs.Bool("check", false, "check the experiment and print its plan without running")
	quiet := fs.Bool("quiet", false, "no progress output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fs.Usagef("want one experiment file, got %d", fs.NArg())
	}
	e, err := experiments.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	opt := experiments.Options{Dir: *out, Parallel: *parallel, Rerun: *rerun}
	if *shard != "" {
		if opt.Shard, err = experiments.ParseShard(*shard); err != nil {
			return err
		}
	}
	if opt.Dir == "" {
		opt.Dir = e.Output
	}
	printPlan(stderr, e, opt)
	if *check {
		return nil
	}
	if !*quiet {
		opt.Progress = newABProgress(stderr).update
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := experiments.Run(ctx, e, opt)
	if err != nil {
		return err
	}
	if rep == nil {
		fmt.Fprintf(stdout, "shard %s of %s done in %s; combine the shards with: citytwin ab merge -o OUT DIR...\n", opt.Shard, e.Name, opt.Dir)
		return nil
	}
	printABSummary(stdout, rep, opt.Dir)
	return nil
}

func abMerge(args []string, stdout, stderr io.Writer) error {
	fs := cliflag.New("citytwin ab merge", "citytwin ab merge -o OUT SHARD_DIR...", "Merges the output directories of the shards of an experiment (ab -shard i/n)\ninto one and writes its report.", stdout, stderr)
	out := fs.String("o", "", "output `directory` of the merged experiment (required; may be one of the shard directories)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return fs.Usagef("want -o OUT and one or more shard directories")
	}
	rep, err := experiments.Merge(*out, fs.Args()...)
	if err != nil {
		return err
	}
	printABSummary(stdout, rep, *out)
	return nil
}

func abReport(args []string, stdout, stderr io.Writer) error {
	fs := cliflag.New("citytwin ab report", "citytwin ab report DIR", "Rewrites the report (report.md, report.html, runs.csv, plots) of the\ncomplete experiment output directory DIR from its runs.", stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fs.Usagef("want one output directory, got %d", fs.NArg())
	}
	rep, err := experiments.WriteReport(fs.Arg(0))
	if err != nil {
		return err
	}
	printABSummary(stdout, rep, fs.Arg(0))
	return nil
}

func printPlan(w io.Writer, e *experiments.Experiment, opt experiments.Options) {
	runs := e.Replications
	if opt.Shard.Count > 1 {
		runs = 0
		for i := range e.Replications {
			if opt.Shard.Has(i) {
				runs++
			}
		}
	}
	fmt.Fprintf(w, "experiment %s: %d arms × %d replications (baseline %s), %g s per run, warm-up %g s; fingerprint %.12s\n",
		e.Name, len(e.Arms), e.Replications, e.Baseline, e.Duration, e.Warmup, e.Fingerprint())
	for _, a := range e.Arms {
		ov := strings.Join(experiments.FlatOverrides(a.Overrides), ", ")
		if ov == "" {
			ov = "(base scenario)"
		}
		fmt.Fprintf(w, "  arm %-16s %s\n", a.Name, ov)
	}
	if opt.Shard.Count > 1 {
		fmt.Fprintf(w, "shard %s: %d of %d replications, %d runs, into %s\n", opt.Shard, runs, e.Replications, runs*len(e.Arms), opt.Dir)
	} else {
		fmt.Fprintf(w, "%d runs into %s\n", runs*len(e.Arms), opt.Dir)
	}
}

// abProgress draws a progress bar: redrawn in place on a terminal, a line
// every 10% otherwise.
type abProgress struct {
	w    io.Writer
	tty  bool
	next int
}

func newABProgress(w io.Writer) *abProgress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &abProgress{w: w, tty: tty}
}

func (p *abProgress) update(pr experiments.Progress) {
	const width = 30
	fill := width * pr.Done / max(pr.Total, 1)
	bar := strings.Repeat("#", fill) + strings.Repeat(".", width-fill)
	eta := ""
	if ran := pr.Done - pr.Skipped; ran > 0 && pr.Done < pr.Total {
		left := time.Duration(float64(pr.Elapsed) / float64(ran) * float64(pr.Total-pr.Done))
		eta = fmt.Sprintf("  ETA %s", left.Round(time.Second))
	}
	skipped := ""
	if pr.Skipped > 0 {
		skipped = fmt.Sprintf(" (%d already done)", pr.Skipped)
	}
	line := fmt.Sprintf("[%s] %d/%d runs%s  %s%s  last: %s #%d", bar, pr.Done, pr.Total, skipped,
		pr.Elapsed.Round(100*time.Millisecond), eta, pr.Arm, pr.Replication)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\033[K", line)
		if pr.Done == pr.Total {
			fmt.Fprintln(p.w)
		}
		return
	}
	if pct := 100 * pr.Done / max(pr.Total, 1); pct >= p.next || pr.Done == pr.Total {
		fmt.Fprintln(p.w, line)
		p.next = pct/10*10 + 10
	}
}

func printABSummary(w io.Writer, r *experiments.Report, dir string) {
	fmt.Fprintf(w, "\n%s: %d replications per arm, baseline %s\n", r.Name, r.Replications, r.Baseline)
	tw := make([][]string, 0, len(r.Results)+1)
	head := []string{"metric", r.Baseline}
	for _, a := range r.Arms {
		if a != r.Baseline {
			head = append(head, a)
		}
	}
	tw = append(tw, head)
	for _, res := range r.Results {
		var base experiments.Estimate
		for i, a := range r.Arms {
			if a == r.Baseline {
				base = res.Estimates[i]
			}
		}
		row := []string{res.Metric.Name, fmt.Sprintf("%.4g %s", base.Mean, res.Metric.Unit)}
		for _, d := range res.Diffs {
			cell := "–"
			if !math.IsNaN(d.Relative) {
				cell = fmt.Sprintf("%+.1f%%", 100*d.Relative)
			}
			p := d.PHolm
			if math.IsNaN(p) {
				cell += " " + d.Verdict
			} else {
				cell += fmt.Sprintf(" (p=%.3g) %s", p, d.Verdict)
			}
			row = append(row, cell)
		}
		tw = append(tw, row)
	}
	widths := make([]int, len(head))
	for _, row := range tw {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, row := range tw {
		fmt.Fprint(w, " ")
		for i, c := range row {
			fmt.Fprintf(w, " %-*s", widths[i], c)
		}
		fmt.Fprintln(w)
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "\n%d warnings (see the report)\n", len(r.Warnings))
	}
	fmt.Fprintln(w)
	for _, f := range []string{experiments.ReportMarkdown, experiments.ReportHTML, experiments.RunsCSV, experiments.RunsJSON} {
		fmt.Fprintln(w, "wrote", filepath.Join(dir, f))
	}
}
