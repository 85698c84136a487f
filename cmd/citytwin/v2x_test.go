package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A scenario with a [v2x] table also writes rsu.csv; one without does not.
func TestRunWritesRSUs(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "v2x.toml")
	text := tinyScenario + "[[vtypes]]\nid = \"car\"\nconnected = 0.5\n[v2x]\n[v2x.spat]\nloss = 0.1\n"
	if err := os.WriteFile(scenario, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := cli(t, "run", "--quiet", "--out", out, scenario)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p := filepath.Join(out, "rsu.csv")
	if !strings.Contains(stdout, "wrote "+p) {
		t.Errorf("stdout does not list %s:\n%s", p, stdout)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// The header and one row per signalised junction (four in the grid).
	if lines := strings.Split(strings.TrimSpace(string(data)), "\n"); len(lines) != 5 || !strings.HasPrefix(lines[1], "intersection_1_1,720,") {
		t.Errorf("rsu.csv:\n%s\nwant a header and four rows, intersection_1_1 first with 720 broadcasts (one per step)", data)
	}

	out2 := filepath.Join(dir, "out2")
	if code, _, stderr := cli(t, "run", "--quiet", "--out", out2, writeTiny(t)); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out2, "rsu.csv")); !os.IsNotExist(err) {
		t.Errorf("without [v2x]: rsu.csv exists (%v)", err)
	}
}
