package main

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// docSections reads docs/outputs.md: per "## `file`" section (a heading
// may name two files), the names in the first column of its tables, each
// cell split at ", " (so "`begin`, `end`" documents both).
func docSections(t *testing.T) (map[string][]string, string) {
	t.Helper()
	data, err := os.ReadFile("../../docs/outputs.md")
	if err != nil {
		t.Fatal(err)
	}
	quoted := regexp.MustCompile("`([^`]+)`")
	secs := map[string][]string{}
	var cur []string
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "## "); ok {
			cur = nil
			for _, m := range quoted.FindAllStringSubmatch(name, -1) {
				cur = append(cur, m[1])
			}
			continue
		}
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.Split(line, "|")[1]
		for _, m := range quoted.FindAllStringSubmatch(first, -1) {
			for _, f := range cur {
				secs[f] = append(secs[f], m[1])
			}
		}
	}
	return secs, string(data)
}

// jsonKeys returns the keys of a JSON document as paths ("counts.trips",
// "junctions[].phases[].phase").
func jsonKeys(prefix string, v any, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			jsonKeys(p, x, out)
		}
	case []any:
		for _, x := range v {
			jsonKeys(prefix+"[]", x, out)
		}
	}
}

// TestOutputsDocumented runs a scenario that writes every output file and
// checks that docs/outputs.md documents each of them and every column and
// key they hold, that every JSON key is snake_case, and that
// detectors.csv names its lanes by road and index (issue 18: no user
// documentation of the outputs, summary.json mixed CamelCase counts with
// snake_case, detectors.csv glued lane ids as road_1_0_1_0).
func TestOutputsDocumented(t *testing.T) {
	scenario := filepath.Join(t.TempDir(), "all.toml")
	text := tinyScenario + `junctions = true
detectors = true
[output.fcd]
interval = 60
[v2x]
range = 300
`
	if err := os.WriteFile(scenario, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "run", "--quiet", "--out", out, scenario, "--snapshot-at", "300")
	if code != 0 {
		t.Fatalf("exit code %d\n%s", code, stderr)
	}
	docs, docText := docSections(t)
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	for _, want := range []string{"trips.csv", "timeseries.csv", "roads.geojson", "summary.json", "junctions.csv", "junctions.json",
		"detectors.csv", "fcd.csv.gz", "rsu.csv", "run.json", "snapshot-300s.png"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s not written (got %v): the test no longer covers it", want, files)
		}
	}
	snake := regexp.MustCompile(`^[a-z0-9_]+$`)
	for _, name := range files {
		if strings.HasSuffix(name, ".png") {
			if !strings.Contains(docText, "## Pictures") || !strings.Contains(docText, "`snapshot-Ts.png`") {
				t.Errorf("docs/outputs.md does not document the pictures (%s)", name)
			}
			continue
		}
		documented, ok := docs[name]
		if !ok {
			t.Errorf("docs/outputs.md has no section for %s", name)
			continue
		}
		var names []string
		p := filepath.Join(out, name)
		switch {
		case strings.HasSuffix(name, ".csv") || strings.HasSuffix(name, ".csv.gz"):
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var r *csv.Reader
			if strings.HasSuffix(name, ".gz") {
				gz, err := gzip.NewReader(f)
				if err != nil {
					t.Fatal(err)
				}
				r = csv.NewReader(bufio.NewReader(gz))
			} else {
				r = csv.NewReader(f)
			}
			if names, err = r.Read(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if name == "detectors.csv" {
				row, err := r.Read()
				if err != nil {
					t.Fatal(err)
				}
				if names[2] != "road" || names[3] != "lane" || !regexp.MustCompile(`^[0-9]+$`).MatchString(row[3]) || !strings.HasPrefix(row[2], "road_") {
					t.Errorf("detectors.csv: header %v, first row %v: want a road id column and a lane index column", names, row)
				}
			}
		case name == "roads.geojson":
			var fc struct {
				Features []struct {
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &fc); err != nil {
				t.Fatal(err)
			}
			keys := map[string]bool{}
			for _, f := range fc.Features {
				for k, v := range f.Properties {
					keys[k] = true
					if k == "mean_speed" && v == nil && f.Properties["veh_hours"].(float64) > 0 {
						t.Errorf("roads.geojson: mean_speed null on a used road %v", f.Properties)
					}
					if k == "mean_speed" && v != nil && v.(float64) == 0 && f.Properties["veh_hours"].(float64) == 0 {
						t.Errorf("roads.geojson: mean_speed 0 on an unused road %v (want null)", f.Properties)
					}
				}
			}
			for k := range keys {
				names = append(names, k)
			}
		default: // JSON
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			keys := map[string]bool{}
			jsonKeys("", v, keys)
			for k := range keys {
				names = append(names, k)
				for _, part := range strings.Split(strings.ReplaceAll(k, "[]", ""), ".") {
					if !snake.MatchString(part) {
						t.Errorf("%s: key %q is not snake_case", name, k)
					}
				}
			}
		}
		sort.Strings(names)
		for _, n := range names {
			if slices.ContainsFunc(documented, func(d string) bool { return strings.HasPrefix(d, n+".") || strings.HasPrefix(d, n+"[]") }) {
				continue // an object or array whose members are documented
			}
			// summary.json's signals are documented under junctions.json.
			if !slices.Contains(documented, n) && !(name == "summary.json" && strings.HasPrefix(n, "signals.") && slices.Contains(docs["junctions.json"], n)) {
				t.Errorf("docs/outputs.md, section %s: %q is not documented", name, n)
			}
		}
	}
	var sum map[string]any
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	if about, _ := sum["about"].(string); !strings.Contains(about, "finished_trips") || !strings.Contains(about, "warmup") {
		t.Errorf("summary.json does not say what it counted: about = %q", about)
	}
}
