package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// abScenario is a tiny grid for the ab command's tests.
const abScenario = `
name = "ab-tiny"
duration = 300
cooldown = 120
warmup = 60
[network.grid]
rows = 2
cols = 2
lanes = 1
[[demand.random]]
rate = 900
min_length = 200
[output]
interval = 120
`

// abFiles writes abScenario and an experiment over it into a new folder
// and returns the experiment's path.
func abFiles(t *testing.T, exp string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"base.toml": abScenario, "exp.toml": exp} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "exp.toml")
}

func abRun(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

const abExp = `scenario = "base.toml"
replications = 2
[arms.on]
[arms.off]
driving.no_lane_change = true
`

// TestABShardsAndMerge runs an experiment whole and in two shards, merges
// the shards and compares the reports.
func TestABShardsAndMerge(t *testing.T) {
	exp := abFiles(t, abExp)
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	code, stdout, stderr := abRun("ab", "--quiet", "-o", whole, exp)
	if code != 0 || !strings.Contains(stdout, "wrote "+filepath.Join(whole, "report.html")) || !strings.Contains(stdout, "mean_travel_time") {
		t.Fatalf("ab: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var shards []string
	for _, s := range []string{"0/2", "1/2"} {
		d := filepath.Join(tmp, "shard"+s[:1])
		if code, stdout, stderr := abRun("ab", exp, "--quiet", "--shard", s, "-o", d); code != 0 || !strings.Contains(stdout, "citytwin ab merge") {
			t.Fatalf("ab --shard %s: exit %d\n%s\n%s", s, code, stdout, stderr)
		}
		shards = append(shards, d)
	}
	merged := filepath.Join(tmp, "merged")
	if code, _, stderr := abRun(append([]string{"ab", "merge", "-o", merged}, shards...)...); code != 0 {
		t.Fatalf("ab merge: exit %d\n%s", code, stderr)
	}
	for _, f := range []string{"report.md", "report.html", "runs.csv", "runs.json"} {
		a, errA := os.ReadFile(filepath.Join(whole, f))
		b, errB := os.ReadFile(filepath.Join(merged, f))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: merged differs from the whole run (%v, %v)", f, errA, errB)
		}
	}
	if code, _, stderr := abRun("ab", "report", merged); code != 0 {
		t.Errorf("ab report: exit %d\n%s", code, stderr)
	}
}

func TestABBadInput(t *testing.T) {
	good := abFiles(t, abExp)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"ab"}, 2, "usage:"},
		{[]string{"ab", "merge", "x"}, 2, "usage: citytwin ab merge"},
		{[]string{"ab", "--shard", "2/2", good}, 1, "shard 2/2 is out of range"},
		{[]string{"ab", "--shard", "0/3", "-o", t.TempDir(), good}, 1, "only 2 replications"},
		{[]string{"ab", abFiles(t, "scenario = \"base.toml\"\nreplications = 0\n[arms.a]\n")}, 1, "replications: must be in [1, 100000], got 0"},
		{[]string{"ab", abFiles(t, "scenario = \"base.toml\"\nreplications = 2\n[arms.a]\n[arms.b]\ndriving.no_lane_chnge = true\n")}, 1, `arm "b": driving.no_lane_chnge: unknown key`},
		{[]string{"ab", "merge", "-o", t.TempDir(), t.TempDir()}, 1, "not an experiment output directory"},
	} {
		code, _, stderr := abRun(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	code, _, stderr := abRun("ab", "--check", good)
	if code != 0 || !strings.Contains(stderr, "arm off") || !strings.Contains(stderr, "driving.no_lane_change = true") {
		t.Errorf("ab --check: exit %d\n%s", code, stderr)
	}
}
