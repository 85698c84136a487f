package scenarios

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// base is a valid scenario the limit tests extend.
const base = `duration = 3600
[network.grid]
rows = 2
cols = 2
`

// TestLimits: each input that ran out of memory (or did something
// silently wrong) is refused with an error naming the key, before any
// work starts.
func TestLimits(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "trips.csv")
	os.WriteFile(csv, []byte("id,depart,from,to\n"+strings.Repeat("a,1,road_0_1_0,road_3_1_2\n", 20)), 0o644)
	flow := filepath.Join(dir, "flow.json")
	os.WriteFile(flow, []byte(`[{"vehicle":{"length":5,"maxPosAcc":2,"maxNegAcc":4.5,"usualNegAcc":4.5,"minGap":2.5,"maxSpeed":11,"headwayTime":2},
		"route":["road_0_1_0","road_1_1_0"],"interval":1e-9,"startTime":0,"endTime":1e9}]`), 0o644)
	var addEvents strings.Builder
	for i := range 200 {
		fmt.Fprintf(&addEvents, "[[events]]\nat = %d\nkind = \"add_demand\"\nfrom = \"road_0_1_0\"\nto = \"road_3_1_2\"\nrate = 20000\nend = 18000\n", i)
	}
	scale6 := strings.Repeat("[[events]]\nkind = \"scale_demand\"\nfactor = 100\n", 6)
	deep := "x = " + strings.Repeat("[", 40000) + strings.Repeat("]", 40000) + "\n"
	tests := []struct {
		name, text string
		build      bool   // the problem shows when building
		want       string // in the error
	}{
		{"duration 1e12 with a flow", "duration = 1e12\n[network.grid]\nrows = 2\ncols = 2\n[[demand.flows]]\nfrom = \"road_0_1_0\"\nto = \"road_3_1_2\"\nrate = 600\n",
			false, "duration: duration + cooldown must be at most 2.592e+06 s"},
		{"random rate 1e9", base + "[[demand.random]]\nrate = 1e9\n", false, "demand.random[0].rate: must be at most 200000"},
		{"random rate that fits alone", base + "[[demand.random]]\nrate = 200000\n[[demand.random]]\nrate = 200000\n[[demand.random]]\nrate = 200000\n[[demand.random]]\nrate = 200000\n",
			false, "demand: would create about 8e+05"}, // below 2M: fine
		{"demand.scale 1e9", base + "[demand]\nscale = 1e9\n", false, "demand.scale: must be at most 100"},
		{"OD cell 1e12", base + "[demand.zones]\na = [\"road_0_1_0\"]\n[[demand.od]]\nzones = [\"a\"]\ntrips = [[1e12]]\n", false, "demand.od[0].trips[0][0]: must be at most 1e+06"},
		{"six scale_demand ×100", base + "[[demand.random]]\nrate = 1000\n" + scale6, false, "× 1e+12 from scale_demand events"},
		{"200 add_demand events", base + addEvents.String(), false, "add_demand events 1.99e+07"},
		{"a 1000×1000 grid of 8 lanes", "duration = 60\n[network.grid]\nrows = 1000\ncols = 1000\nlanes = 8\n", false, "limits.memory: the run would need about 772.5 GiB"},
		{"a 300×300 grid of 2 lanes on 4 GiB", "duration = 60\n[network.grid]\nrows = 300\ncols = 300\n[limits]\nmemory = 4294967296\n", false, "about 7.7 GiB"},
		{"workers 1e8", "workers = 100000000\n" + base, false, fmt.Sprintf("workers: must be at most %d", MaxWorkers())},
		{"TOML nested 40,000 deep", deep, false, "test.toml:1: arrays and inline tables nest deeper than 32 levels"},
		{"geojson /dev/zero", "duration = 60\n[network]\ngeojson = \"/dev/zero\"\n", true, "network.geojson: cannot read the network: /dev/zero is not a regular file"},
		{"a network too big for limits.memory", "duration = 60\n[network]\ngeojson = \"" + csv + "\"\n[limits]\nmemory = 10000\n", true, "network.geojson: a 1 KiB network file needs about 26 KiB to build"},
		{"an OSM file that is a device", "duration = 60\n[network]\nosm = \"/dev/zero\"\n", true, "network.osm: cannot read the network: /dev/zero is not a regular file"},
		{"a network over file_bytes", "duration = 60\n[network]\ngeojson = \"" + csv + "\"\n[limits]\nfile_bytes = 100\n", true, "more than the limit of 100"},
		{"step = 0", "step = 0\n" + base, false, "step: must be in [0.1, 1] s, got 0 (leave it out"},
		{"output.interval = 0", base + "[output]\ninterval = 0\n", false, "output.interval: must be a positive whole number of steps, got 0"},
		{"output.interval below the step", "step = 1\n" + base + "[output]\ninterval = 0.5\n", false, "output.interval: must be a whole number of steps (step = 1 s), got 0.5"},
		{"output.interval not a multiple", "step = 0.5\n" + base + "[output]\ninterval = 1.25\n", false, "must be a whole number of steps"},
		{"too many intervals", "duration = 2000000\n[network.grid]\nrows = 2\ncols = 2\n[output]\ninterval = 1\n", false, "output.interval: gives 2000000 intervals"},
		{"trip file over limits.trips", base + "[demand]\ntrips_csv = \"" + csv + "\"\n[limits]\ntrips = 10\n", true, "more trips than limits.trips (10)"},
		{"CityFlow flow every nanosecond", base + "[demand]\ncityflow = \"" + flow + "\"\n", true, "flow 0: would create 1000000000000000000 trips"},
		{"switch_policy with a duplicate", base + "[[events]]\nkind = \"switch_policy\"\npolicy = \"actuated\"\njunctions = [\"intersection_1_1\", \"intersection_1_1\"]\n",
			false, "events[0].junctions[1]: \"intersection_1_1\" is listed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse([]byte(tc.text), "test.toml")
			if tc.name == "random rate that fits alone" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if tc.build {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				_, err = Build(sc)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("got %T, want *Error", err)
			}
		})
	}
}

// TestDeepTOMLMemory: the deeply nested file is refused without the
// parser's memory (3.9 GB before the depth check).
func TestDeepTOMLMemory(t *testing.T) {
	deep := []byte("x = " + strings.Repeat("[", 40000) + strings.Repeat("]", 40000) + "\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := Parse(deep, "deep.toml"); err == nil {
		t.Fatal("accepted")
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 10<<20 {
		t.Errorf("Parse allocated %d bytes for an 80 kB file", got)
	}
}

func TestCheckDepth(t *testing.T) {
	for _, tc := range []struct {
		src  string
		line int
		ok   bool
	}{
		{"a = [[1], [2]]\n[[t]]\nb = {c = [1]}\n", 0, true},
		{"s = \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\n", 0, true},
		{"s = '''\n" + strings.Repeat("{", 50) + "\n'''\n", 0, true},
		{"# " + strings.Repeat("[", 50) + "\n", 0, true},
		{"\n\nx = " + strings.Repeat("[", 33) + strings.Repeat("]", 33), 3, false},
		{"s = \"\\\"\" \nx = " + strings.Repeat("{a=", 33), 2, false},
	} {
		line, ok := checkDepth([]byte(tc.src))
		if line != tc.line || ok != tc.ok {
			t.Errorf("%.30q: got line %d, %v; want %d, %v", tc.src, line, ok, tc.line, tc.ok)
		}
	}
}

// FuzzScenarioLimits composes scenarios from fuzzed numbers: a scenario
// Parse accepts stays within its budgets, and building it (when small
// enough to build in a test) creates at most limits.trips trips.
func FuzzScenarioLimits(f *testing.F) {
	f.Add(3600.0, 600.0, 1.0, 10.0, 2.0, 0, 2, 2, 2, uint8(1), int64(0))
	f.Add(1e12, 1e9, 1e9, 1e12, 100.0, 100000000, 1000, 1000, 8, uint8(6), int64(0))
	f.Add(60.0, 20000.0, 100.0, 1e6, 100.0, 64, 300, 300, 2, uint8(3), int64(4<<30))
	f.Add(0.0, -1.0, math.NaN(), math.Inf(1), -5.0, -1, 0, 0, 0, uint8(0), int64(-1))
	f.Fuzz(func(t *testing.T, duration, rate, scale, od, factor float64, workers, rows, cols, lanes int, events uint8, memory int64) {
		num := func(x float64) string {
			switch {
			case math.IsNaN(x):
				return "nan"
			case math.IsInf(x, 1):
				return "inf"
			case math.IsInf(x, -1):
				return "-inf"
			}
			return fmt.Sprintf("%g", x)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "duration = %s\nworkers = %d\n[network.grid]\nrows = %d\ncols = %d\nlanes = %d\n", num(duration), workers, rows, cols, lanes)
		fmt.Fprintf(&b, "[demand]\nscale = %s\n[demand.zones]\na = [\"road_0_1_0\"]\nb = [\"road_1_0_1\"]\n", num(scale))
		fmt.Fprintf(&b, "[[demand.random]]\nrate = %s\n[[demand.od]]\nzones = [\"a\", \"b\"]\ntrips = [[0, %s], [1, 0]]\n", num(rate), num(od))
		for i := range int(events % 16) {
			if i%2 == 0 {
				fmt.Fprintf(&b, "[[events]]\nkind = \"scale_demand\"\nfactor = %s\n", num(factor))
			} else {
				fmt.Fprintf(&b, "[[events]]\nkind = \"add_demand\"\nfrom = \"zone:a\"\nto = \"zone:b\"\nrate = %s\nend = %s\n", num(rate), num(duration))
			}
		}
		if memory != 0 {
			fmt.Fprintf(&b, "[limits]\nmemory = %d\n", memory)
		}
		sc, err := Parse([]byte(b.String()), "fuzz.toml")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T %v, want *Error problems", err, err)
			}
			return
		}
		est := sc.EstimateTrips().Total()
		if !(est <= float64(sc.Limits.Trips)) {
			t.Fatalf("accepted an estimate of %g trips, limit %d", est, sc.Limits.Trips)
		}
		if need := GridBytes(rows, cols, lanes) + est*TripBytes; need > float64(sc.Limits.Memory) {
			t.Fatalf("accepted %g bytes, limit %d", need, sc.Limits.Memory)
		}
		if sc.Workers > MaxWorkers() || sc.Duration+sc.Cooldown > MaxDuration {
			t.Fatalf("accepted workers %d, duration %g", sc.Workers, sc.Duration)
		}
		if est > 20000 || rows*cols > 100 || sc.Duration > 7200 {
			return // too big to build in a fuzz iteration
		}
		run, err := Build(sc)
		if err != nil {
			return // roads of the zones may not exist on a 1-row grid, ...
		}
		if len(run.Trips) > sc.Limits.Trips {
			t.Fatalf("built %d trips, limit %d", len(run.Trips), sc.Limits.Trips)
		}
	})
}

// TestCompressedInputBomb: gzip network and route files that decompress to
// more than limits.memory allows are refused while they are read, naming
// the key and the file (a few kB that expand without end used to be read
// up to 4 GiB).
func TestCompressedInputBomb(t *testing.T) {
	dir := t.TempDir()
	bomb := func(name, head string) {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write([]byte(head))
		pad := []byte(strings.Repeat(" ", 1<<16))
		for range 64 { // 4 MiB of blanks
			w.Write(pad)
		}
		w.Close()
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bomb("net.net.xml.gz", `<?xml version="1.0"?><net version="1.9">`)
	bomb("r.rou.xml.gz", `<?xml version="1.0"?><routes>`)
	bomb("city.osm.gz", `<?xml version="1.0"?><osm version="0.6">`)
	const limits = "\n[limits]\nmemory = 100_000_000\n" // 2 MB decompressed at 50 B per byte
	for _, tc := range []struct{ name, toml, key, file string }{
		{"SUMO network", "duration = 60\n[network]\nsumo = \"net.net.xml.gz\"\n", "network.sumo", "net.net.xml.gz"},
		{"OSM extract", "duration = 60\n[network]\nosm = \"city.osm.gz\"\n", "network.osm", "city.osm.gz"},
		{"SUMO routes", base + "[demand]\nsumo = \"r.rou.xml.gz\"\n", "demand.sumo", "r.rou.xml.gz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "s.toml")
			if err := os.WriteFile(path, []byte(tc.toml+limits), 0o644); err != nil {
				t.Fatal(err)
			}
			sc, err := Load(path)
			if err == nil {
				_, err = Build(sc)
			}
			if err == nil || !strings.Contains(err.Error(), "decompresses to more than 2000000 bytes") ||
				!strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), tc.file) {
				t.Errorf("got %v, want a refusal naming %s, %s and the decompressed size", err, tc.key, tc.file)
			}
		})
	}
}
