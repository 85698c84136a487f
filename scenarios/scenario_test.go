package scenarios

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// minimal is the smallest valid scenario.
const minimal = `
duration = 600
[network.grid]
rows = 2
cols = 3
`

func TestLoadExamples(t *testing.T) {
	files, err := filepath.Glob("examples/*.toml")
	if err != nil || len(files) < 3 {
		t.Fatalf("got examples %v (%v), want at least 3", files, err)
	}
	for _, f := range files {
		s, err := Load(f)
		if err != nil {
			t.Errorf("Load(%s): %v", f, err)
			continue
		}
		if s.Path() != f {
			t.Errorf("%s: got Path %q, want %q", f, s.Path(), f)
		}
	}

	s, err := Load("examples/grid.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"name", s.Name, "grid-4x4"},
		{"step", s.Step, 0.5},
		{"grid", *s.Network.Grid, Grid{Rows: 4, Cols: 4, Block: 250, Lanes: 2, Speed: 13.89}},
		{"vtypes", len(s.VTypes), 2},
		{"bus length", s.VTypes[1].Length, 12.0},
		{"bus emergency_decel (default)", s.VTypes[1].EmergencyDecel, 9.0},
		{"car speed factor", *s.VTypes[0].SpeedFactor, SpeedFactor{Mean: 1, Dev: 0.1, Min: 0.2, Max: 2}},
		{"flow end", s.Demand.Flows[0].End, 1800.0},
		{"flow end (default)", s.Demand.Flows[1].End, 3600.0},
		{"flow distribution", s.Demand.Flows[1].Distribution, "uniform"},
		{"random distribution (default)", s.Demand.Random[0].Distribution, "poisson"},
		{"output.roads", *s.Output.Roads, false},
		{"output.trips (default)", *s.Output.Trips, true},
		{"output.dir (default)", s.Output.Dir, filepath.Join("out", "grid-4x4")},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("grid.toml %s: got %v, want %v", c.name, c.got, c.want)
		}
	}

	j, err := Load("examples/cityflow-jinan.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := j.Resolve(j.Network.CityFlow), filepath.Join("..", "datasets", "jinan_3x4", "roadnet_3_4.json"); got != want {
		t.Errorf("jinan roadnet: got %q, want %q", got, want)
	}
}

func TestApplyDefaults(t *testing.T) {
	s, err := Parse([]byte(minimal), "dir/my-run.toml")
	if err != nil {
		t.Fatal(err)
	}
	car := PassengerCar()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"name", s.Name, "my-run"},
		{"step", s.Step, DefaultStep},
		{"grid", *s.Network.Grid, Grid{Rows: 2, Cols: 3, Block: 200, Lanes: 2, Speed: 13.89}},
		{"guess_signals", s.Network.GuessSignals, false},
		{"driving_side", s.Network.DrivingSide, "auto"},
		{"allow_empty", s.AllowEmpty, false},
		{"vtypes", s.VTypes, []VehicleType{car}},
		{"car", car, VehicleType{ID: "car", Share: 1, Model: "idm", Length: 5, Accel: 2.6, Decel: 4.5,
			EmergencyDecel: 9, MinGap: new(2.5), Headway: 1, MaxSpeed: 50, Sigma: new(0.0)}},
		{"scale", *s.Demand.Scale, 1.0},
		{"policy", s.Signals.Policy, "fixed_time"},
		{"teleport", *s.Driving.Teleport, 300.0},
		{"politeness", *s.Driving.Politeness, 0.2},
		{"lane_change_threshold", *s.Driving.LaneChangeThreshold, 0.2},
		{"output.dir", s.Output.Dir, filepath.Join("out", "my-run")},
		{"output.interval", s.Output.Interval, 60.0},
		{"output.summary", *s.Output.Summary, true},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}

	// Per-type defaults.
	s, err = Parse([]byte(minimal+`
[[vtypes]]
id = "k"
model = "krauss"
accel = 1.5
speed_factor = { dev = 0.1 }
[[vtypes]]
id = "i"
sigma = 0.3
`), "x.toml")
	if err != nil {
		t.Fatal(err)
	}
	k, i := s.VTypes[0], s.VTypes[1]
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"krauss sigma", *k.Sigma, DefaultKraussSigma},
		{"krauss accel", k.Accel, 1.5},
		{"krauss length", k.Length, 5.0},
		{"speed factor", *k.SpeedFactor, SpeedFactor{Mean: 1, Dev: 0.1, Min: 0.2, Max: 2}},
		{"idm sigma", *i.Sigma, 0.3},
		{"idm speed factor", i.SpeedFactor, (*SpeedFactor)(nil)},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}

	// Idempotent.
	before := *s
	s.ApplyDefaults()
	if !reflect.DeepEqual(before, *s) {
		t.Errorf("ApplyDefaults twice: got %+v, want %+v", *s, before)
	}
}

// problems returns the messages of every problem in err.
func problems(err error) []string {
	var out []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
	} else if err != nil {
		out = append(out, err.Error())
	}
	return out
}

// TestDecodeErrors checks unknown keys, wrong types and syntax errors:
// each problem names the file, the line and the key path.
func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		want []string // one substring per problem, in order
	}{
		{"top-level typo", "duraton = 60\n" + minimal,
			[]string{"f.toml:1: duraton: unknown key"}},
		{"typo in second array table", minimal + `
[[vtypes]]
id = "a"
lenght = 7

[[vtypes]]
id = "b"
lenght = 8
`, []string{"f.toml:9: vtypes[0].lenght: unknown key", "f.toml:13: vtypes[1].lenght: unknown key"}},
		{"inline array of tables", `vtypes = [{id = "a"},
  {id = "b", accell = 2}]
` + minimal, []string{"f.toml:2: vtypes[1].accell: unknown key"}},
		{"unknown table", minimal + "[network.grd]\nrows = 1\n",
			[]string{"f.toml:6: network.grd: unknown key"}},
		{"nested table", minimal + "[[vtypes]]\nid = \"a\"\n[vtypes.speed_factor]\nmean = 1\nsd = 0.1\n",
			[]string{"f.toml:10: vtypes[0].speed_factor.sd: unknown key"}},
		{"dotted key", minimal + "[[demand.flows]]\nfrom = \"a\"\nto = \"b\"\nrate = 1\nwindow.begin = 3\n",
			[]string{"f.toml:10: demand.flows[0].window: unknown key"}},
		{"case matters", "Duration = 60\n" + minimal,
			[]string{"f.toml:1: Duration: unknown key"}},
		{"all unknown keys at once", "a = 1\n" + minimal + "b = 2\n[output]\nc = 3\n",
			[]string{"f.toml:1: a: unknown key", "f.toml:7: network.grid.b: unknown key", "f.toml:9: output.c: unknown key"}},

		{"string for number", minimal + "[output]\ninterval = \"60\"\n",
			[]string{`f.toml:7: output.interval: want a number, got string "60"`}},
		{"float for integer", "duration = 60\n[network.grid]\nrows = 2.5\ncols = 1\n",
			[]string{"f.toml:3: network.grid.rows: want an integer, got float 2.5"}},
		{"negative seed", "seed = -1\n" + minimal,
			[]string{"f.toml:1: seed: want a non-negative integer, got integer -1"}},
		{"table for array", minimal + "[vtypes]\nid = \"a\"\n",
			[]string{"f.toml:6: vtypes: want an array, got table"}},
		{"number for table", "network = 3\nduration = 1\n",
			[]string{"f.toml:1: network: want a table, got integer 3"}},
		{"array element", minimal + "[demand.zones]\nz = [\"a\",\n  2]\n",
			[]string{"f.toml:8: demand.zones.z[1]: want a string, got integer 2"}},
		{"quoted zone name", minimal + "[demand.zones]\n\"my zone\" = \"a\"\n",
			[]string{`f.toml:7: demand.zones."my zone": want an array, got string "a"`}},
		{"huge integer for number", "duration = 9007199254740993\n[network.grid]\nrows = 1\ncols = 1\n",
			[]string{"f.toml:1: duration: integer 9007199254740993 is too large"}},
		{"boolean", minimal + "[output]\ntrips = \"no\"\n",
			[]string{`f.toml:7: output.trips: want a boolean, got string "no"`}},

		{"missing value", "duration =\n", []string{"f.toml:1: invalid TOML:"}},
		{"unclosed header", "duration = 1\n[network\n", []string{"f.toml:2: invalid TOML:"}},
		{"duplicate key", "duration = 1\nduration = 2\n", []string{"f.toml:2: invalid TOML:"}},
		{"unterminated string", "name = \"abc\nduration = 1\n", []string{"f.toml:1: invalid TOML:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse([]byte(c.src), "f.toml")
			if s != nil {
				t.Errorf("got scenario %+v, want nil", s)
			}
			got := problems(err)
			if len(got) != len(c.want) {
				t.Fatalf("got %d problems %q, want %d like %q", len(got), got, len(c.want), c.want)
			}
			for i := range got {
				if !strings.Contains(got[i], c.want[i]) {
					t.Errorf("problem %d: got %q, want it to contain %q", i, got[i], c.want[i])
				}
				if !strings.HasPrefix(got[i], "scenarios: ") {
					t.Errorf("problem %d: got %q, want prefix %q", i, got[i], "scenarios: ")
				}
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "f.toml" || e.Line == 0 {
				t.Errorf("errors.As: got %+v, want an *Error with file and line", e)
			}
		})
	}
}

// valid is a scenario that uses every table, to be broken by one change.
const valid = `
duration = 600
[network.grid]
rows = 2
cols = 2
[[vtypes]]
id = "car"
speed_factor = { dev = 0.1 }
[[vtypes]]
id = "truck"
model = "krauss"
[demand.zones]
w = ["a", "b"]
e = ["c"]
[[demand.flows]]
from = "zone:w"
to = "zone:e"
rate = 100
[[demand.random]]
rate = 10
[[demand.od]]
zones = ["w", "e"]
trips = [[0, 10], [5, 0]]
`

func TestValidate(t *testing.T) {
	base, err := Parse([]byte(valid), "v.toml")
	if err != nil {
		t.Fatalf("valid scenario: %v", err)
	}
	for _, c := range []struct {
		name   string
		change func(s *Scenario)
		want   string // key path, then part of the message
	}{
		{"step small", func(s *Scenario) { s.Step = 0.05 }, "step: must be in [0.1, 1]"},
		{"step large", func(s *Scenario) { s.Step = 2 }, "step: must be in"},
		{"step NaN", func(s *Scenario) { s.Step = math.NaN() }, "step: must be in"},
		{"zero duration", func(s *Scenario) { s.Duration = 0 }, "duration: must be positive"},
		{"negative duration", func(s *Scenario) { s.Duration = -5 }, "duration: must be positive"},
		{"infinite duration", func(s *Scenario) { s.Duration = math.Inf(1) }, "duration: must be positive and finite"},
		{"negative warmup", func(s *Scenario) { s.Warmup = -1 }, "warmup: must be at least 0"},
		{"negative cooldown", func(s *Scenario) { s.Cooldown = -1 }, "cooldown: must be at least 0"},
		{"warmup too long", func(s *Scenario) { s.Warmup = 600; s.Cooldown = 0 }, "warmup: must be less than duration + cooldown"},
		{"negative workers", func(s *Scenario) { s.Workers = -2 }, "workers: must not be negative"},

		{"no network", func(s *Scenario) { s.Network.Grid = nil }, "network: must set exactly one of osm, geojson, cityflow, sumo and grid, got 0"},
		{"two networks", func(s *Scenario) { s.Network.GeoJSON = "a.geojson" }, "network: must set exactly one"},
		{"grid rows 0", func(s *Scenario) { s.Network.Grid.Rows = 0 }, "network.grid.rows: must be in [1, 1000]"},
		{"grid cols 1001", func(s *Scenario) { s.Network.Grid.Cols = 1001 }, "network.grid.cols: must be in [1, 1000]"},
		{"grid block 10", func(s *Scenario) { s.Network.Grid.Block = 10 }, "network.grid.block: must be more than 10 m"},
		{"grid lanes 9", func(s *Scenario) { s.Network.Grid.Lanes = 9 }, "network.grid.lanes: must be in [1, 8]"},
		{"grid speed 71", func(s *Scenario) { s.Network.Grid.Speed = 71 }, "network.grid.speed: must be in (0, 70]"},
		{"grid speed negative", func(s *Scenario) { s.Network.Grid.Speed = -1 }, "network.grid.speed: must be in (0, 70]"},

		{"empty id", func(s *Scenario) { s.VTypes[1].ID = "" }, "vtypes[1].id: must not be empty"},
		{"duplicate id", func(s *Scenario) { s.VTypes[1].ID = "car" }, `vtypes[1].id: duplicate id "car"`},
		{"model", func(s *Scenario) { s.VTypes[0].Model = "gipps" }, `vtypes[0].model: must be one of idm, krauss, cityflow, got "gipps"`},
		{"share", func(s *Scenario) { s.VTypes[0].Share = -1 }, "vtypes[0].share: must be positive"},
		{"length", func(s *Scenario) { s.VTypes[0].Length = 31 }, "vtypes[0].length: must be in (0, 30] m"},
		{"accel", func(s *Scenario) { s.VTypes[0].Accel = 0 }, "vtypes[0].accel: must be in (0, 10]"},
		{"decel above emergency", func(s *Scenario) { s.VTypes[0].Decel = 9.5 }, "vtypes[0].decel: must be in (0, emergency_decel = 9]"},
		{"emergency_decel", func(s *Scenario) { s.VTypes[0].EmergencyDecel = 16; s.VTypes[0].Decel = 3 }, "vtypes[0].emergency_decel: must be in (0, 15]"},
		{"min_gap", func(s *Scenario) { s.VTypes[0].MinGap = new(-0.5) }, "vtypes[0].min_gap: must be at least 0"},
		{"headway", func(s *Scenario) { s.VTypes[0].Headway = 0.05 }, "vtypes[0].headway: must be in [0.1, 5]"},
		{"max_speed", func(s *Scenario) { s.VTypes[0].MaxSpeed = 81 }, "vtypes[0].max_speed: must be in (0, 80]"},
		{"sigma", func(s *Scenario) { s.VTypes[1].Sigma = new(1.5) }, "vtypes[1].sigma: must be in [0, 1]"},
		{"speed factor min", func(s *Scenario) { s.VTypes[0].SpeedFactor.Min = 0 }, "vtypes[0].speed_factor.min: must be positive"},
		{"speed factor dev", func(s *Scenario) { s.VTypes[0].SpeedFactor.Dev = -1 }, "vtypes[0].speed_factor.dev: must be at least 0"},
		{"speed factor mean", func(s *Scenario) { s.VTypes[0].SpeedFactor.Mean = 3 }, "vtypes[0].speed_factor.mean: must be in [0.2, 2]"},
		{"speed factor max", func(s *Scenario) { s.VTypes[0].SpeedFactor.Max = 0.1 }, "vtypes[0].speed_factor.max: must be at least 0.2"},

		{"scale", func(s *Scenario) { s.Demand.Scale = new(-1.0) }, "demand.scale: must be at least 0"},
		{"flow from", func(s *Scenario) { s.Demand.Flows[0].From = "" }, "demand.flows[0].from: must name a road or zone:NAME"},
		{"flow to", func(s *Scenario) { s.Demand.Flows[0].To = "" }, "demand.flows[0].to: must name a road"},
		{"flow rate 0", func(s *Scenario) { s.Demand.Flows[0].Rate = 0 }, "demand.flows[0].rate: must be in (0, 20000]"},
		{"flow rate high", func(s *Scenario) { s.Demand.Flows[0].Rate = 20001 }, "demand.flows[0].rate: must be in (0, 20000]"},
		{"flow begin", func(s *Scenario) { s.Demand.Flows[0].Begin = -1 }, "demand.flows[0].begin: must be at least 0"},
		{"flow end", func(s *Scenario) { s.Demand.Flows[0].Begin = 700 }, "demand.flows[0].end: must be finite and after begin (700 s), got 600"},
		{"flow distribution", func(s *Scenario) { s.Demand.Flows[0].Distribution = "normal" }, `demand.flows[0].distribution: must be one of poisson, uniform, got "normal"`},
		{"flow vtype", func(s *Scenario) { s.Demand.Flows[0].VType = "bus" }, `demand.flows[0].vtype: no vehicle type "bus" in vtypes`},
		{"flow unknown zone", func(s *Scenario) { s.Demand.Flows[0].From = "zone:n" }, `demand.flows[0].from: no zone "n" in demand.zones`},
		{"flow empty zone", func(s *Scenario) { s.Demand.Zones["e"] = nil }, `demand.zones.e: zone "e" lists no road`},
		{"empty zone", func(s *Scenario) { s.Demand.Zones["x"] = []string{} }, `demand.zones.x: zone "x" lists no road`},
		{"empty road in zone", func(s *Scenario) { s.Demand.Zones["w"][1] = "" }, "demand.zones.w[1]: road id must not be empty"},
		{"random rate", func(s *Scenario) { s.Demand.Random[0].Rate = 0 }, "demand.random[0].rate: must be positive"},
		{"random end", func(s *Scenario) { s.Demand.Random[0].End = math.Inf(1) }, "demand.random[0].end: must be finite"},
		{"random vtype", func(s *Scenario) { s.Demand.Random[0].VType = "x" }, `demand.random[0].vtype: no vehicle type "x"`},
		{"od zone", func(s *Scenario) { s.Demand.OD[0].Zones[1] = "n" }, `demand.od[0].zones[1]: no zone "n" in demand.zones`},
		{"od no zones", func(s *Scenario) { s.Demand.OD[0].Zones = nil; s.Demand.OD[0].Trips = nil }, "demand.od[0].zones: must list at least one zone"},
		{"od rows", func(s *Scenario) { s.Demand.OD[0].Trips = s.Demand.OD[0].Trips[:1] }, "demand.od[0].trips: must have one row per zone (2), got 1"},
		{"od ragged", func(s *Scenario) { s.Demand.OD[0].Trips[1] = []float64{1} }, "demand.od[0].trips[1]: must have one entry per zone (2), got 1"},
		{"od negative", func(s *Scenario) { s.Demand.OD[0].Trips[0][1] = -1 }, "demand.od[0].trips[0][1]: must be at least 0"},
		{"od NaN", func(s *Scenario) { s.Demand.OD[0].Trips[1][0] = math.NaN() }, "demand.od[0].trips[1][0]: must be at least 0 and finite, got NaN"},
		{"od infinite", func(s *Scenario) { s.Demand.OD[0].Trips[1][0] = math.Inf(1) }, "demand.od[0].trips[1][0]: must be at least 0 and finite"},

		{"policy", func(s *Scenario) { s.Signals.Policy = "green_always" }, `signals.policy: must be one of fixed_time, webster, actuated, max_pressure, sotl, external`},
		{"interval", func(s *Scenario) { s.Output.Interval = -60 }, "output.interval: must be positive"},
		{"teleport 0.5", func(s *Scenario) { s.Driving.Teleport = new(0.5) }, "driving.teleport: must be 0 or negative (disabled) or at least 1 s"},
		{"politeness", func(s *Scenario) { p := 1.5; s.Driving.Politeness = &p }, "driving.politeness: must be in [0, 1]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse([]byte(valid), "v.toml") // a fresh copy
			if err != nil {
				t.Fatal(err)
			}
			c.change(s)
			got := problems(s.Validate())
			if len(got) != 1 || !strings.Contains(got[0], c.want) {
				t.Errorf("got %q, want one problem containing %q", got, c.want)
			}
		})
	}

	// Values that are allowed.
	for _, c := range []struct {
		name   string
		change func(s *Scenario)
	}{
		{"teleport disabled", func(s *Scenario) { s.Driving.Teleport = new(-1.0) }},
		{"teleport 1", func(s *Scenario) { s.Driving.Teleport = new(1.0) }},
		{"empty policy", func(s *Scenario) { s.Signals.Policy = "" }},
		{"scale 0", func(s *Scenario) { s.Demand.Scale = new(0.0) }},
		{"politeness 0", func(s *Scenario) { p := 0.0; s.Driving.Politeness = &p }},
		{"road endpoints", func(s *Scenario) { s.Demand.Flows[0].From, s.Demand.Flows[0].To = "r1", "r2" }},
		{"geojson", func(s *Scenario) { s.Network.Grid, s.Network.GeoJSON = nil, "x.geojson" }},
		{"cityflow", func(s *Scenario) { s.Network.Grid, s.Network.CityFlow = nil, "x.json" }},
		{"step 0.1", func(s *Scenario) { s.Step = 0.1 }},
	} {
		s, _ := Parse([]byte(valid), "v.toml")
		c.change(s)
		if err := s.Validate(); err != nil {
			t.Errorf("%s: got %v, want no error", c.name, err)
		}
	}
	if base.Validate() != nil {
		t.Errorf("base: got %v, want nil", base.Validate())
	}
}

// TestValidateAll checks that every problem is reported at once, with the
// file and, for keys set in the file, their line.
func TestValidateAll(t *testing.T) {
	src := `duration = -1
step = 5
[network]
geojson = "a.geojson"
cityflow = "b.json"
[[vtypes]]
id = "car"
accel = 50
[[vtypes]]
id = "car"
model = "gipps"
[[demand.flows]]
from = "zone:nowhere"
to = "b"
rate = 0
`
	_, err := Parse([]byte(src), "bad.toml")
	want := []string{
		"bad.toml:2: step:",
		"bad.toml:1: duration:",
		"bad.toml:3: network:",
		"bad.toml:8: vtypes[0].accel:",
		"bad.toml:10: vtypes[1].id: duplicate",
		"bad.toml:11: vtypes[1].model:",
		"bad.toml:13: demand.flows[0].from:",
		"bad.toml:15: demand.flows[0].rate:",
		"bad.toml: demand.flows[0].end:", // duration -1 makes the default end -1
	}
	got := problems(err)
	if len(got) != len(want) {
		t.Fatalf("got %d problems:\n%s\nwant %d", len(got), strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("problem %d: got %q, want it to contain %q", i, got[i], want[i])
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("Error(): got %d lines, want one per problem (%d)", n, len(want))
	}
}

func TestResolve(t *testing.T) {
	abs, _ := filepath.Abs("/data/net.json")
	for _, c := range []struct {
		path, rel, want string
	}{
		{"examples/grid.toml", "net.geojson", filepath.Join("examples", "net.geojson")},
		{"examples/grid.toml", "../data/x.json", filepath.Join("data", "x.json")},
		{"grid.toml", "net.geojson", "net.geojson"},
		{"", "net.geojson", "net.geojson"},
		{"examples/grid.toml", abs, abs},
		{"examples/grid.toml", "", ""},
	} {
		s := &Scenario{path: c.path}
		if got := s.Resolve(c.rel); got != c.want {
			t.Errorf("Resolve(%q) from %q: got %q, want %q", c.rel, c.path, got, c.want)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load("examples/no-such-file.toml")
	if err == nil || !strings.HasPrefix(err.Error(), "scenarios: ") || !strings.Contains(err.Error(), "no-such-file.toml") {
		t.Errorf("got %v, want a scenarios: error naming the file", err)
	}
}

// TestReadme checks that README.md documents every key and that its full
// example loads.
func TestReadme(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	var keys func(t reflect.Type)
	seen := map[reflect.Type]bool{}
	keys = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			if tag := f.Tag.Get("toml"); tag != "" && tag != "-" {
				if !strings.Contains(readme, "`"+tag+"`") && !strings.Contains(readme, "["+tag+"]") {
					t.Errorf("README.md: got no `%s`, want key %s.%s documented", tag, typ.Name(), f.Name)
				}
				keys(f.Type)
			}
		}
	}
	keys(reflect.TypeFor[Scenario]())
	// The built-in policies: those whose parameters this package declares
	// (not the example policy of policy_example_test.go).
	builtin := 0
	for _, name := range PolicyNames() {
		d, _ := policyByName(name)
		if d.typ.PkgPath() != reflect.TypeFor[Scenario]().PkgPath() {
			continue
		}
		builtin++
		if !strings.Contains(readme, "[signals."+name+"]") && name != "external" {
			t.Errorf("README.md: got no [signals.%s], want the policy's table documented", name)
		}
		keys(d.typ)
	}
	if builtin < 6 {
		t.Errorf("%d built-in policies, want at least fixed_time, webster, actuated, max_pressure, sotl and external", builtin)
	}

	_, example, ok := strings.Cut(readme, "## A full example")
	_, example, _ = strings.Cut(example, "```toml\n")
	example, _, ok2 := strings.Cut(example, "```")
	if !ok || !ok2 {
		t.Fatal("README.md: got no full example")
	}
	if _, err := Parse([]byte(example), "README.md"); err != nil {
		t.Errorf("README.md full example: got %v, want no error", err)
	}
}
