package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tinyScenario is a small grid scenario: a few hundred vehicles for ten
// simulated minutes.
const tinyScenario = `
name = "tiny"
seed = 9
duration = 600
cooldown = 120
warmup = 60
[network.grid]
rows = 2
cols = 2
block = 200
lanes = 2
[[demand.flows]]
from = "road_0_1_0"
to = "road_2_1_0"
rate = 600
[[demand.random]]
rate = 900
min_length = 200
[output]
interval = 120
`

// cli runs the command line and returns its exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// writeTiny writes tinyScenario into a new folder and returns its path.
func writeTiny(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tiny.toml")
	if err := os.WriteFile(p, []byte(tinyScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunWritesOutputs runs a scenario file: it exits 0, prints the summary
// table and the files it wrote, and writes the four output files.
func TestRunWritesOutputs(t *testing.T) {
	scenario := writeTiny(t)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", "--quiet", "--out", out, scenario)
	if code != 0 {
		t.Fatalf("exit code: got %d, want 0\nstderr:\n%s", code, stderr)
	}
	for _, want := range []string{"simulated", "inserted", "arrived", "teleports", "mean travel time", "CityFlow ATT"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary: want a %q row, got:\n%s", want, stdout)
		}
	}
	for _, name := range []string{"trips.csv", "timeseries.csv", "roads.geojson", "summary.json"} {
		p := filepath.Join(out, name)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(data) == 0 {
			t.Errorf("%s is empty", name)
		}
		if !strings.Contains(stdout, "wrote "+p) {
			t.Errorf("stdout: want \"wrote %s\", got:\n%s", p, stdout)
		}
	}
	var sum struct {
		Time   float64 `json:"time"`
		Counts struct {
			Trips    int   `json:"trips"`
			Inserted int64 `json:"inserted"`
			Arrived  int64 `json:"arrived"`
		} `json:"counts"`
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	if sum.Time != 720 || sum.Counts.Trips == 0 || sum.Counts.Arrived == 0 {
		t.Errorf("summary.json: got time %g s and counts %+v, want 720 s with trips that arrived", sum.Time, sum.Counts)
	}
	// One time-series row per 120 s interval, after the header.
	data, err = os.ReadFile(filepath.Join(out, "timeseries.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(data), "\n"); got != 1+720/120 {
		t.Errorf("timeseries.csv: got %d lines, want %d", got, 1+720/120)
	}
}

var (
	hashLine   = regexp.MustCompile(`(?m)^state hash ([0-9a-f]{16})$`)
	digestLine = regexp.MustCompile(`(?m)^run digest ([0-9a-f]{16})$`)
)

// TestRunHashWorkers checks that --hash prints the same state hash and run
// digest for one and two workers.
func TestRunHashWorkers(t *testing.T) {
	scenario := writeTiny(t)
	hashes, digests := map[string]string{}, map[string]string{}
	for _, w := range []string{"1", "2"} {
		code, stdout, stderr := cli(t, "run", "--quiet", "--hash", "--workers", w, "--out", t.TempDir(), scenario)
		if code != 0 {
			t.Fatalf("--workers %s: exit code %d\nstderr:\n%s", w, code, stderr)
		}
		m := hashLine.FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("--workers %s: no \"state hash\" line in:\n%s", w, stdout)
		}
		hashes[w] = m[1]
		d := digestLine.FindStringSubmatch(stdout)
		if d == nil {
			t.Fatalf("--workers %s: no \"run digest\" line in:\n%s", w, stdout)
		}
		digests[w] = d[1]
	}
	if hashes["1"] != hashes["2"] {
		t.Errorf("state hash: got %s with 1 worker and %s with 2, want equal", hashes["1"], hashes["2"])
	}
	if digests["1"] != digests["2"] {
		t.Errorf("run digest: got %s with 1 worker and %s with 2, want equal", digests["1"], digests["2"])
	}
}

// TestExitCodes checks the exit codes and messages of failing command lines.
func TestExitCodes(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-scenario.toml")
	bad := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(bad, []byte("duration = 600\nspeed_of_light = 3e8\n[network.grid]\nrows = 1\ncols = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // in stderr
	}{
		{"missing scenario", []string{"run", "--quiet", missing}, 1, []string{"citytwin:", missing}},
		{"bad scenario", []string{"run", "--quiet", bad}, 1, []string{bad + ":2", "speed_of_light", "unknown key"}},
		{"unknown command", []string{"fly"}, 2, []string{`unknown command "fly"`, "Usage:"}},
		{"no command", nil, 2, []string{"Usage:"}},
		{"unknown flag", []string{"run", "--warp"}, 2, []string{"warp"}},
		{"two scenarios", []string{"run", missing, bad}, 2, []string{"usage: citytwin run"}},
		{"traci without a network", []string{"traci", "--remote-port", "1"}, 1, []string{"Error: no network", "Quitting (on error)"}},
		{"traci with a missing network", []string{"traci", "-n", missing, "--remote-port", "0"}, 1, []string{"Error: no TraCI port"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := cli(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit code: got %d, want %d\nstderr:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr: want %q in:\n%s", w, stderr)
				}
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		code, stdout, _ := cli(t, "help")
		if code != 0 || !strings.Contains(stdout, "citytwin run") {
			t.Errorf("help: got exit code %d and\n%s\nwant 0 and the usage", code, stdout)
		}
	})
}

// TestPrintDefaultRunsAnywhere checks that the copy --print-default prints
// runs as it is, from its own folder and from another one, to the same
// results as the embedded default (issue 18: it named a network file that
// exists only inside the binary).
func TestPrintDefaultRunsAnywhere(t *testing.T) {
	code, text, stderr := cli(t, "run", "--print-default")
	if code != 0 {
		t.Fatalf("--print-default: exit code %d\n%s", code, stderr)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "my.toml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	digest := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := cli(t, append([]string{"run", "--quiet", "--hash", "--out", t.TempDir()}, args...)...)
		if code != 0 {
			t.Fatalf("run %v: exit code %d\n%s", args, code, stderr)
		}
		m := digestLine.FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("run %v: no run digest in:\n%s", args, stdout)
		}
		return m[1]
	}
	want := digest()
	t.Chdir(dir)
	if got := digest("my.toml"); got != want {
		t.Errorf("my.toml run from its folder: digest %s, want the embedded default's %s", got, want)
	}
	t.Chdir(t.TempDir())
	if got := digest(filepath.Join(dir, "my.toml")); got != want {
		t.Errorf("my.toml run from another folder: digest %s, want the embedded default's %s", got, want)
	}
}

// TestOutputPathsCheckedFirst checks that wrong output paths fail before
// the run, with the path and what is wrong, and write nothing (issue 18:
// --snapshot into a missing folder ran the whole simulation first).
func TestOutputPathsCheckedFirst(t *testing.T) {
	scenario := writeTiny(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing folder", []string{"--snapshot", filepath.Join(missing, "x.png")}, "no folder " + missing},
		{"not png", []string{"--snapshot", filepath.Join(t.TempDir(), "x.jpg")}, "want a .png file"},
		{"out is a file", []string{"--out", file}, file + " is not a directory"},
		{"out under a file", []string{"--out", filepath.Join(file, "sub")}, file + " is not a directory"},
		{"after the end", []string{"--snapshot-at", "100000"}, "-snapshot-at 100000: after the end of the run (720 s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"run", "--quiet", "--out", out, scenario}, tc.args...)
			code, stdout, stderr := cli(t, args...)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit code %d, stderr:\n%s\nwant 1 and %q", code, stderr, tc.want)
			}
			if strings.Contains(stdout, "simulated") {
				t.Errorf("the run happened:\n%s", stdout)
			}
			if _, err := os.Stat(filepath.Join(out, "run.json")); err == nil {
				t.Errorf("%s written", filepath.Join(out, "run.json"))
			}
		})
	}
}

// TestSnapshotAt checks --snapshot-at: a picture at each time asked for,
// beside --snapshot's or in the output directory (then listed in
// run.json), each of the state at its time.
func TestSnapshotAt(t *testing.T) {
	scenario := writeTiny(t)
	out := filepath.Join(t.TempDir(), "out")
	pics := t.TempDir()
	code, _, stderr := cli(t, "run", "--quiet", "--out", out, scenario, "--snapshot", filepath.Join(pics, "p.png"), "--snapshot-at", "300,0", "--snapshot-at", "120")
	if code != 0 {
		t.Fatalf("exit code %d\n%s", code, stderr)
	}
	var sums []string
	for _, name := range []string{"p-0s.png", "p-120s.png", "p-300s.png", "p.png"} {
		data, err := os.ReadFile(filepath.Join(pics, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("\x89PNG")) {
			t.Fatalf("%s is not a PNG", name)
		}
		sums = append(sums, string(data))
	}
	for i := range sums {
		for j := range i {
			if sums[i] == sums[j] {
				t.Errorf("pictures %d and %d are the same: not drawn at their own times", j, i)
			}
		}
	}
	// Without --snapshot: into the output directory, listed in run.json.
	code, _, stderr = cli(t, "run", "--quiet", "--out", out, scenario, "--snapshot-at", "60")
	if code != 0 {
		t.Fatalf("exit code %d\n%s", code, stderr)
	}
	man, err := os.ReadFile(filepath.Join(out, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "snapshot-60s.png")); err != nil || !strings.Contains(string(man), "snapshot-60s.png") {
		t.Errorf("snapshot-60s.png: %v; run.json:\n%s", err, man)
	}
}
