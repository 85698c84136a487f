package experiments

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runExp loads text (next to testdata/grid.toml) and runs it into dir.
func runExp(t *testing.T, text, dir string, opt Options) (*Experiment, *Report) {
	t.Helper()
	e, err := Load(writeExp(t, text))
	if err != nil {
		t.Fatal(err)
	}
	opt.Dir = dir
	r, err := Run(t.Context(), e, opt)
	if err != nil {
		t.Fatal(err)
	}
	return e, r
}

func TestAAExperimentShowsZeroDifference(t *testing.T) {
	_, r := runExp(t, `scenario = "grid.toml"
replications = 4
metrics = ["mean_travel_time", "mean_delay", "p95_travel_time", "mean_stops", "throughput", "mean_queue", "max_queue", "teleports"]
[arms.a]
[arms.a_again]
`, t.TempDir(), Options{})
	for _, res := range r.Results {
		for _, d := range res.Diffs {
			if d.Mean != 0 || d.Low != 0 || d.High != 0 || d.SD != 0 || d.P != 1 || d.Significant || d.Verdict != "identical" {
				t.Errorf("%s: A/A difference: got mean %g CI [%g, %g] sd %g p %g %q; want exactly 0, p 1, identical",
					res.Metric.Name, d.Mean, d.Low, d.High, d.SD, d.P, d.Verdict)
			}
		}
		if res.Estimates[0].Mean != res.Estimates[1].Mean {
			t.Errorf("%s: A/A means differ: %g vs %g", res.Metric.Name, res.Estimates[0].Mean, res.Estimates[1].Mean)
		}
	}
	if r.Warnings[0] == "" || !strings.Contains(r.Warnings[0], "Only 4 replications") {
		t.Errorf("want a warning about too few replications, got %q", r.Warnings)
	}
}

func TestBetterVariantIsDetected(t *testing.T) {
	_, r := runExp(t, `scenario = "grid.toml"
replications = 6
baseline = "busy"
metrics = ["mean_travel_time", "mean_delay", "mean_queue"]
[arms.busy]
[arms.half_demand]
demand.scale = 0.5
`, t.TempDir(), Options{})
	for _, name := range []string{"mean_travel_time", "mean_delay", "mean_queue"} {
		res, ok := r.Result(name)
		if !ok {
			t.Fatalf("no result for %s", name)
		}
		d := res.Diffs[0]
		if !d.Significant || d.Verdict != "better" || d.High >= 0 || d.P >= 0.05 {
			t.Errorf("%s: half the demand: got Δ %g CI [%g, %g] p %g %q; want significantly better", name, d.Mean, d.Low, d.High, d.P, d.Verdict)
		}
	}
}

func TestHolmWithThreeArms(t *testing.T) {
	dir := t.TempDir()
	_, r := runExp(t, `scenario = "grid.toml"
replications = 3
metrics = ["mean_travel_time"]
[arms.base]
[arms.half]
demand.scale = 0.5
[arms.same]
`, dir, Options{})
	res := r.Results[0]
	half, same := res.Diffs[0], res.Diffs[1]
	if half.PHolm < half.P || same.PHolm != 1 || same.Verdict != "identical" {
		t.Errorf("Holm: got half p %g → %g, same p %g → %g (%s)", half.P, half.PHolm, same.P, same.PHolm, same.Verdict)
	}
	md, err := os.ReadFile(filepath.Join(dir, ReportMarkdown))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(md, []byte("p (Holm)")) {
		t.Error("the report of three arms has no Holm column")
	}
}

const shardExp = `name = "sharded"
scenario = "grid.toml"
replications = 5
seed = 11
[arms.fixed]
[arms.no_lc]
driving.no_lane_change = true
[arms.slow]
"vtypes[0]".accel = 1.5
`

// treeFiles returns every file under dir by relative path.
func treeFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestShardedMergeEqualsSingleRun(t *testing.T) {
	path := writeExp(t, shardExp)
	e, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	single := t.TempDir()
	if _, err := Run(t.Context(), e, Options{Dir: single, Parallel: 1}); err != nil {
		t.Fatal(err)
	}
	var shards []string
	for i := range 3 {
		d := t.TempDir()
		r, err := Run(t.Context(), e, Options{Dir: d, Parallel: 2, Shard: Shard{i, 3}})
		if err != nil {
			t.Fatal(err)
		}
		if r != nil {
			t.Error("a shard returned a report")
		}
		if _, err := os.Stat(filepath.Join(d, ReportMarkdown)); err == nil {
			t.Error("a shard wrote a report")
		}
		shards = append(shards, d)
	}
	merged := t.TempDir()
	if _, err := Merge(merged, shards...); err != nil {
		t.Fatal(err)
	}
	want, got := treeFiles(t, single), treeFiles(t, merged)
	if len(got) != len(want) {
		t.Errorf("merged output has %d files, single run %d", len(got), len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: missing from the merged output", name)
		} else if !bytes.Equal(g, w) {
			t.Errorf("%s: merged output differs from the single run", name)
		}
	}
	for _, name := range []string{ReportMarkdown, ReportHTML, RunsCSV, RunsJSON, "plots/effects.svg", "plots/map-no_lc.svg"} {
		if _, ok := want[filepath.FromSlash(name)]; !ok {
			t.Errorf("the single run wrote no %s", name)
		}
	}

	// Merging into one of the shard directories works too.
	if _, err := Merge(shards[0], shards...); err != nil {
		t.Fatal(err)
	}
	if g := treeFiles(t, shards[0]); !bytes.Equal(g[ReportHTML], want[ReportHTML]) {
		t.Error("merging into a shard directory gave another report")
	}

	// A missing shard is named.
	if _, err := Merge(t.TempDir(), shards[1], shards[2]); err == nil || !strings.Contains(err.Error(), "did every shard finish") {
		t.Errorf("merge without shard 0: got %v", err)
	}
}

func TestMergeRefusesDifferentExperiments(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	runExp(t, shardExp, a, Options{Shard: Shard{0, 2}})
	runExp(t, strings.Replace(shardExp, "seed = 11", "seed = 12", 1), b, Options{Shard: Shard{1, 2}})
	_, err := Merge(t.TempDir(), a, b)
	if err == nil || !strings.Contains(err.Error(), "hold different experiments") {
		t.Errorf("got %v, want an error about different experiments", err)
	}
	if _, err := Merge(t.TempDir(), t.TempDir()); err == nil || !strings.Contains(err.Error(), "not an experiment output directory") {
		t.Errorf("merging an empty directory: got %v", err)
	}
}

func TestShardOutOfRange(t *testing.T) {
	e, err := Load(writeExp(t, shardExp))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		s    Shard
		want string
	}{
		{Shard{5, 5}, "out of range"},
		{Shard{0, 6}, "only 5 replications"},
	} {
		if _, err := Run(t.Context(), e, Options{Dir: t.TempDir(), Shard: tc.s}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("shard %v: got %v, want %q", tc.s, err, tc.want)
		}
	}
}

func TestResume(t *testing.T) {
	path := writeExp(t, shardExp)
	e, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	// An interrupted run keeps what finished.
	ctx, cancel := context.WithCancel(t.Context())
	_, err = Run(ctx, e, Options{Dir: dir, Parallel: 1, Progress: func(p Progress) {
		if p.Done == 4 {
			cancel()
		}
	}})
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "run again to resume") {
		t.Fatalf("cancelled run: got %v", err)
	}

	var last Progress
	first, err := Run(t.Context(), e, Options{Dir: dir, Parallel: 2, Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	if last.Done != 15 || last.Total != 15 || last.Skipped != 4 {
		t.Errorf("resumed run: got %+v, want 15 of 15 done, 4 skipped", last)
	}
	before := treeFiles(t, dir)

	// A rerun skips everything and writes the same report.
	if _, err := Run(t.Context(), e, Options{Dir: dir, Progress: func(p Progress) { last = p }}); err != nil {
		t.Fatal(err)
	}
	if last.Skipped != 15 {
		t.Errorf("second run: skipped %d of 15", last.Skipped)
	}
	// A damaged record is run again.
	rec := recordPath(dir, "slow", 2)
	if err := os.WriteFile(rec, []byte("{garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), e, Options{Dir: dir, Progress: func(p Progress) { last = p }}); err != nil {
		t.Fatal(err)
	}
	if last.Skipped != 14 {
		t.Errorf("after damaging one record: skipped %d, want 14", last.Skipped)
	}
	after := treeFiles(t, dir)
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s changed on rerun", name)
		}
	}
	if first.Files[0] == "" {
		t.Error("no files listed")
	}
}

func TestRecordsAreComplete(t *testing.T) {
	e, err := Load(writeExp(t, shardExp))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := e.RunOne(t.Context(), "no_lc", 3)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Seed != e.ReplicationSeed(3) || !strings.Contains(rec.Scenario, "no_lane_change = true") {
		t.Errorf("record: seed %d, scenario\n%s", rec.Seed, rec.Scenario)
	}
	for _, m := range metricList {
		if _, ok := rec.Metrics[m.Name]; !ok {
			t.Errorf("record has no %s", m.Name)
		}
	}
	if len(rec.TravelTimes) == 0 || len(rec.Series) == 0 || len(rec.Roads.Delay) == 0 || len(rec.Roads.Queue) != len(rec.Roads.Delay) {
		t.Errorf("record: %d travel times, %d series rows, %d roads", len(rec.TravelTimes), len(rec.Series), len(rec.Roads.Delay))
	}
	// The exact scenario text reproduces the run.
	sc, err := e.parseScenario([]byte(rec.Scenario))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != rec.Seed {
		t.Errorf("scenario text seed %d, record %d", sc.Seed, rec.Seed)
	}
}

// TestMergeConfinesNames: a shard manifest whose arm names or network
// hashes climb out of the folder ("../") is refused, and nothing is
// written outside the merge's output folder.
func TestMergeConfinesNames(t *testing.T) {
	shard := t.TempDir()
	runExp(t, shardExp, shard, Options{})
	data, err := os.ReadFile(filepath.Join(shard, manifestFile))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	out := filepath.Join(root, "a", "b", "out")
	for _, tc := range []struct{ from, to, want string }{
		{`"name": "slow"`, `"name": "../../../evil"`, "is not an arm name"},
		{`"network": "`, `"network": "../../../evil`, "is not a network hash"},
	} {
		bad := t.TempDir()
		copyTree(t, shard, bad)
		os.WriteFile(filepath.Join(bad, manifestFile), bytes.Replace(data, []byte(tc.from), []byte(tc.to), 1), 0o644)
		if _, err := Merge(out, bad); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.to, err, tc.want)
		}
		if _, err := WriteReport(bad); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("report of %s: got %v, want %q", tc.to, err, tc.want)
		}
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("merge wrote %s", p)
		}
		return nil
	})
}

// TestStrayTempFilesCleaned: the temporary files a killed run leaves
// (".NAME.tmp-*") are removed when the experiment runs again, and records
// are still skipped.
func TestStrayTempFilesCleaned(t *testing.T) {
	dir := t.TempDir()
	runExp(t, shardExp, dir, Options{})
	strays := []string{filepath.Join(dir, ".manifest.json.tmp-123"), filepath.Join(dir, runsDir, "slow", ".rep-0001.json.tmp-9"),
		filepath.Join(dir, plotsDir, ".effects.svg.tmp-77")}
	for _, p := range strays {
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var last Progress
	runExp(t, shardExp, dir, Options{Progress: func(p Progress) { last = p }})
	if last.Skipped != last.Total {
		t.Errorf("skipped %d of %d", last.Skipped, last.Total)
	}
	for _, p := range strays {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
