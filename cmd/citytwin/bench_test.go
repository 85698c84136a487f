package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// quickBench is a bench command line that runs in a fraction of a second.
var quickBench = []string{"bench", "--case", "grid10", "--warmup", "30", "--steps", "5", "--workers", "1,2", "--quiet"}

func TestBenchJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(append(quickBench, "--json"), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep benchReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if len(rep.Results) != 2 || rep.KernelNs <= 0 || rep.Machine.NumCPU < 1 {
		t.Fatalf("report %+v: want two results, a kernel time and the machine", rep)
	}
	for i, r := range rep.Results {
		if r.Case != "grid10" || r.Workers != i+1 || r.Steps != 5 || r.UpdatesPerSec <= 0 || r.Running <= 0 || r.HeapPerVehicle <= 0 || r.Speedup <= 0 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	if rep.Results[0].Speedup != 1 {
		t.Errorf("one worker's speed-up is %g, want 1", rep.Results[0].Speedup)
	}
	// -from prints a saved report without measuring.
	saved := filepath.Join(t.TempDir(), "bench.json")
	if err := os.WriteFile(saved, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if code := run([]string{"bench", "--from", saved, "--markdown"}, &md, &errb); code != 0 {
		t.Fatalf("-from: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(md.String(), "| grid10 | 2 |") {
		t.Errorf("-from -markdown:\n%s", md.String())
	}
}

func TestBenchTableMarkdownProfiles(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	args := append(quickBench, "--cpuprofile", filepath.Join(dir, "cpu.prof"), "--memprofile", filepath.Join(dir, "mem.prof"))
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "veh-updates/s") || !strings.Contains(out.String(), "grid10") {
		t.Errorf("table output:\n%s", out.String())
	}
	// Two timed runs: one profile of each kind per run.
	for _, f := range []string{"cpu-grid10-w1.prof", "cpu-grid10-w2.prof", "mem-grid10-w1.prof", "mem-grid10-w2.prof"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("profile %s: %v", f, err)
		}
	}
	out.Reset()
	if code := run(append(quickBench, "--markdown"), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "| case | workers |") || !strings.Contains(out.String(), "| grid10 | 1 |") {
		t.Errorf("markdown output:\n%s", out.String())
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--case", "nope"},
		{"bench", "--workers", "0"},
		{"bench", "--json", "--markdown"},
		{"bench", "--runs", "0"},
		{"bench", "extra"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

func TestBenchSkipsDatasetsWithoutEnv(t *testing.T) {
	t.Setenv("CITYTWIN_DATASETS", "")
	var out, errb bytes.Buffer
	if code := run([]string{"bench", "--case", "jinan_3x4", "--quiet"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "skipped jinan_3x4: CITYTWIN_DATASETS is not set") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestBenchRuns(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	args := []string{"bench", "--case", "grid10", "--warmup", "30", "--steps", "5", "--workers", "1", "--quiet",
		"--runs", "3", "--hash", "--json", "--cpuprofile", filepath.Join(dir, "cpu.prof")}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep benchReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if len(rep.Results) != 1 {
		t.Fatalf("%d results, want one (the median of three runs)", len(rep.Results))
	}
	r := rep.Results[0]
	if r.Runs != 3 || !(r.UpdatesMin <= r.UpdatesPerSec && r.UpdatesPerSec <= r.UpdatesMax) || r.UpdatesMin <= 0 || r.StateHash == "" {
		t.Errorf("result %+v: want 3 runs, min ≤ median ≤ max and a state hash", r)
	}
	for k := 1; k <= 3; k++ { // one profile per run
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("cpu-run%d.prof", k))); err != nil {
			t.Error(err)
		}
	}
	var tab bytes.Buffer
	saved := filepath.Join(dir, "bench.json")
	if err := os.WriteFile(saved, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"bench", "--from", saved}, &tab, &errb); code != 0 || !strings.Contains(tab.String(), "3 runs)") {
		t.Errorf("-from table (exit %d):\n%s", code, tab.String())
	}
}
