package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A SUMO network and route file run as they are; --stop-when-empty ends
// the run once every vehicle has arrived and the summary says when.
func TestRunSUMOStopWhenEmpty(t *testing.T) {
	dir := t.TempDir()
	net, err := os.ReadFile("../../maps/testdata/sumo/grid3x2.net.xml")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"grid.net.xml": string(net),
		"grid.rou.xml": `<routes><flow id="f" begin="0" end="60" period="6" from="A0A1" to="B1C1"/></routes>`,
		"s.toml":       "duration = 60\ncooldown = 3600\n[network]\nsumo = \"grid.net.xml\"\n[demand]\nsumo = \"grid.rou.xml\"\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := cli(t, "run", "--quiet", "--stop-when-empty", "--out", out, filepath.Join(dir, "s.toml"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "ended at t = ") || !strings.Contains(stdout, "of 3660 s: demand over and no vehicle running or waiting") {
		t.Errorf("no end line in:\n%s", stdout)
	}
	var sum struct {
		Time   float64                 `json:"time"`
		Counts struct{ Arrived int64 } `json:"counts"`
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Counts.Arrived != 10 || !(sum.Time > 60 && sum.Time < 400) {
		t.Errorf("summary.json: time %g s, %d arrived", sum.Time, sum.Counts.Arrived)
	}
}

// net inspect and net export read SUMO networks.
func TestNetSUMO(t *testing.T) {
	code, stdout, stderr := cli(t, "net", "inspect", "../../maps/testdata/sumo/grid3x2.net.xml")
	if code != 0 || !strings.Contains(stdout, "junctions   6 (2 signalised)") || !strings.Contains(stdout, "roads       14") {
		t.Fatalf("inspect: exit %d\n%s%s", code, stdout, stderr)
	}
	out := filepath.Join(t.TempDir(), "grid.geojson")
	code, stdout, stderr = cli(t, "net", "export", "../../maps/testdata/sumo/cross.net.xml", "-o", out)
	if code != 0 || !strings.Contains(stdout, "wrote "+out) {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = cli(t, "net", "inspect", out)
	if code != 0 || !strings.Contains(stdout, "junctions ") {
		t.Fatalf("inspect of the export: exit %d\n%s%s", code, stdout, stderr)
	}
}
