package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The README's section "From a SUMO scenario" works as written: its shell
// commands run in a new folder (the citytwin ones in-process), its scenario
// is written under the name the text gives, and the outcome is what the
// text says: every vehicle arrives in both engines, none teleports, the mean
// travel times agree within 10 %, the trajectories are written.
func TestReadmeSUMOSection(t *testing.T) {
	for _, tool := range []string{"netgenerate", "duarouter", "sumo", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SUMO's %s is not installed (apt-get install sumo sumo-tools): skipping", tool)
		}
	}
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "\n## From a SUMO scenario\n")
	if i < 0 {
		t.Fatal("README.md has no section \"From a SUMO scenario\"")
	}
	section := text[i+1:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	blocks := regexp.MustCompile("(?s)```(\\w+)\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) != 3 || blocks[0][1] != "sh" || blocks[1][1] != "toml" || blocks[2][1] != "sh" {
		t.Fatalf("want a sh, a toml and a sh block, got %d blocks", len(blocks))
	}
	name := regexp.MustCompile("`([\\w-]+\\.toml)`:").FindStringSubmatch(section)
	if name == nil {
		t.Fatal("the section names no scenario file")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	env := append(os.Environ(), "SUMO_HOME=/usr/share/sumo")
	var citytwinOut, sumoOut string
	exec1 := func(line string) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "export "):
			env = append(env, strings.TrimPrefix(line, "export "))
		case strings.HasPrefix(line, "go run ./cmd/citytwin "):
			code, stdout, stderr := cli(t, strings.Fields(strings.TrimPrefix(line, "go run ./cmd/citytwin "))...)
			if code != 0 {
				t.Fatalf("%s: exit %d\n%s", line, code, stderr)
			}
			citytwinOut = stdout
		default:
			cmd := exec.Command("bash", "-c", line)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", line, err, out)
			}
			if strings.HasPrefix(line, "sumo ") {
				sumoOut = string(out)
			}
		}
	}
	for _, l := range strings.Split(blocks[0][2], "\n") {
		exec1(l)
	}
	if err := os.WriteFile(name[1], []byte(blocks[1][2]), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(blocks[2][2], "\n") {
		exec1(l)
	}
	field := func(out, re string) float64 {
		m := regexp.MustCompile(re).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %q in:\n%s", re, out)
		}
		x, _ := strconv.ParseFloat(m[1], 64)
		return x
	}
	inserted := field(citytwinOut, `inserted\s+(\d+)`)
	arrived := field(citytwinOut, `arrived\s+(\d+)`)
	teleports := field(citytwinOut, `teleports\s+(\d+)`)
	mean := field(citytwinOut, `mean travel time\s+([0-9.]+) s`)
	sumoInserted := field(sumoOut, `Inserted: (\d+)`)
	sumoMean := field(sumoOut, `Duration: ([0-9.]+)\n`)
	if arrived != inserted || teleports != 0 || inserted != sumoInserted || inserted < 1000 {
		t.Errorf("CityTwin: %g inserted, %g arrived, %g teleports; SUMO %g inserted", inserted, arrived, teleports, sumoInserted)
	}
	if d := mean/sumoMean - 1; math.Abs(d) > 0.10 {
		t.Errorf("mean travel time %.1f s, SUMO %.1f s (%+.1f %%)", mean, sumoMean, 100*d)
	}
	t.Logf("CityTwin %g vehicles, mean %.1f s; SUMO %g, %.1f s", inserted, mean, sumoInserted, sumoMean)
	if fi, err := os.Stat(filepath.Join(dir, "out", "grid", "fcd.csv.gz")); err != nil || fi.Size() < 10000 {
		t.Errorf("fcd.csv.gz: %v", err)
	}
}
