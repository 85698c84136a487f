package experiments

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeExp writes an experiment file next to a copy of testdata/grid.toml
// and returns its path.
func writeExp(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	grid, err := os.ReadFile("testdata/grid.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "grid.toml"), grid, 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "exp.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseBadInput(t *testing.T) {
	const head = "scenario = \"grid.toml\"\nreplications = 3\n"
	for _, tc := range []struct {
		name, text string
		want       []string // substrings of the error
	}{
		{"unknown scenario key in an arm", head + "[arms.a]\n[arms.b]\nsignals.polcy = \"x\"\n",
			[]string{`exp.toml:5: arm "b": signals.polcy: unknown key`}},
		{"unknown nested key in an arm", head + "[arms.a]\n[arms.b.network.grid]\nrowz = 3\n",
			[]string{`exp.toml:5: arm "b": network.grid.rowz: unknown key`}},
		{"unknown key in common", head + "[common]\ndurration = 60\n[arms.a]\n[arms.b]\n",
			[]string{`exp.toml:4: arm "a": durration: unknown key`}},
		{"value out of range", head + "[arms.a]\n[arms.b]\ndemand.scale = -1\n",
			[]string{`exp.toml:5: arm "b": demand.scale: must be at least 0`}},
		{"wrong type", head + "[arms.a]\n[arms.b]\ndriving.no_lane_change = 1\n",
			[]string{`exp.toml:5: arm "b": driving.no_lane_change: want a boolean`}},
		{"unknown signal policy", head + "[arms.a]\n[arms.b]\nsignals.policy = \"no_such_policy\"\n",
			[]string{`arm "b": signals.policy: must be one of`}},
		{"one arm", head + "[arms.a]\n", []string{"arms: an experiment needs at least two arms, got 1"}},
		{"no arms", head, []string{"arms: required"}},
		{"zero replications", "scenario = \"grid.toml\"\nreplications = 0\n[arms.a]\n[arms.b]\n",
			[]string{"exp.toml:2: replications: must be in [1, 100000], got 0"}},
		{"no replications", "scenario = \"grid.toml\"\n[arms.a]\n[arms.b]\n", []string{"replications: required"}},
		{"baseline not an arm", head + "baseline = \"c\"\n[arms.a]\n[arms.b]\n",
			[]string{`exp.toml:3: baseline: no arm is named "c" (arms: a, b)`}},
		{"unknown top-level key", head + "replicas = 4\n[arms.a]\n[arms.b]\n", []string{"exp.toml:3: replicas: unknown key"}},
		{"unknown metric", head + "metrics = [\"mean_delay\", \"happiness\"]\n[arms.a]\n[arms.b]\n",
			[]string{`metrics[1]: unknown metric "happiness"`}},
		{"seed in an arm", head + "[arms.a]\n[arms.b]\nseed = 3\n", []string{"exp.toml:5: arms.b.seed: seed is set for each replication"}},
		{"warmup in common", head + "[common]\nwarmup = 3\n[arms.a]\n[arms.b]\n", []string{"common.warmup: warmup is the same in every arm"}},
		{"index out of range", head + "[arms.a]\n[arms.b]\n\"vtypes[3]\".length = 4\n",
			[]string{`the base scenario has no vtypes[3] (its vtypes has 1 elements`}},
		{"bad arm name", head + "[arms.a]\n[arms.\"b c\"]\n", []string{"arm names may use only letters"}},
		{"missing base", "scenario = \"nope.toml\"\nreplications = 2\n[arms.a]\n[arms.b]\n", []string{"exp.toml:1: scenario: cannot read the base scenario"}},
		{"invalid TOML", head + "[arms.a\n", []string{"exp.toml:3: invalid TOML"}},
		// Read as scenarios.Load reads: regular files only (a device used to
		// be read without end), at most scenarios.MaxScenarioBytes.
		{"base not a regular file", "scenario = \"/dev/zero\"\nreplications = 2\n[arms.a]\n[arms.b]\n", []string{"exp.toml:1: scenario: cannot read the base scenario", "/dev/zero"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeExp(t, tc.text))
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestParseErrorsAreTyped(t *testing.T) {
	_, err := Load(writeExp(t, "scenario = \"grid.toml\"\nreplications = 3\n[arms.a]\n[arms.b]\nsignals.polcy = 1\ndemand.scalle = -2\n"))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T, want an *Error", err)
	}
	if got := len(flatten(err)); got != 2 {
		t.Errorf("got %d problems, want 2 (every problem at once):\n%v", got, err)
	}
	if e.Arm != "b" || e.Line != 5 {
		t.Errorf("first problem: got arm %q line %d, want arm b line 5", e.Arm, e.Line)
	}
}

func TestOverrides(t *testing.T) {
	e, err := Load(writeExp(t, `scenario = "grid.toml"
replications = 2
warmup = 60
[common]
duration = 300
[arms.a]
[arms.b]
"vtypes[0]".headway = 2.0
network.grid.rows = 3
driving.no_lane_change = true
`))
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Scenario("a", 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Scenario("b", 1)
	if err != nil {
		t.Fatal(err)
	}
	if a.Duration != 300 || b.Duration != 300 || a.Warmup != 60 || b.Warmup != 60 {
		t.Errorf("common overrides: got durations %g, %g and warm-ups %g, %g, want 300 and 60", a.Duration, b.Duration, a.Warmup, b.Warmup)
	}
	if a.VTypes[0].Headway != 1.0 || b.VTypes[0].Headway != 2.0 {
		t.Errorf("vtypes[0].headway: got %g (a) and %g (b), want 1 and 2", a.VTypes[0].Headway, b.VTypes[0].Headway)
	}
	if b.VTypes[0].SpeedFactor == nil || b.VTypes[0].SpeedFactor.Dev != 0.1 {
		t.Errorf("merging into vtypes[0] lost its other keys: %+v", b.VTypes[0])
	}
	if a.Network.Grid.Rows != 2 || b.Network.Grid.Rows != 3 || b.Network.Grid.Cols != 2 || b.Network.Grid.Block != 150 {
		t.Errorf("network.grid: got a %+v, b %+v", *a.Network.Grid, *b.Network.Grid)
	}
	if a.Driving.NoLaneChange || !b.Driving.NoLaneChange {
		t.Errorf("driving.no_lane_change: got %t (a) and %t (b)", a.Driving.NoLaneChange, b.Driving.NoLaneChange)
	}
	// Common random numbers: the same seed in every arm, another one per
	// replication.
	if a.Seed != b.Seed || a.Seed != e.ReplicationSeed(1) {
		t.Errorf("seeds: got a %d, b %d, want both %d", a.Seed, b.Seed, e.ReplicationSeed(1))
	}
	if e.ReplicationSeed(0) == e.ReplicationSeed(1) {
		t.Error("replications 0 and 1 have the same seed")
	}
	if a.Workers != 1 {
		t.Errorf("workers: got %d, want 1", a.Workers)
	}
	if got := FlatOverrides(e.Arms[1].Overrides); strings.Join(got, "; ") != `driving.no_lane_change = true; network.grid.rows = 3; "vtypes[0]".headway = 2.0` {
		t.Errorf("FlatOverrides: got %q", got)
	}
}

func TestArmOrderAndDefaults(t *testing.T) {
	e, err := Load(writeExp(t, "scenario = \"grid.toml\"\nreplications = 1\n[arms.zulu]\n[arms.alpha]\ndemand.scale = 2.0\n[arms.mike]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.ArmNames(), ","); got != "zulu,alpha,mike" {
		t.Errorf("arms: got %s, want file order zulu,alpha,mike", got)
	}
	if e.Baseline != "zulu" || e.Name != "exp" || e.Confidence != 0.95 || e.Warmup != 120 || e.Duration != 900 {
		t.Errorf("defaults: got baseline %q name %q confidence %g warmup %g duration %g", e.Baseline, e.Name, e.Confidence, e.Warmup, e.Duration)
	}
	if strings.Join(e.Metrics, ",") != strings.Join(DefaultMetrics, ",") {
		t.Errorf("metrics: got %v, want the defaults", e.Metrics)
	}
	if e.Output != filepath.Join("out", "ab", "exp") {
		t.Errorf("output: got %q", e.Output)
	}
}

func TestFingerprint(t *testing.T) {
	const text = "scenario = \"grid.toml\"\nreplications = 3\nseed = 5\n[arms.a]\n[arms.b]\ndemand.scale = 0.5\n"
	e1, err := Load(writeExp(t, text))
	if err != nil {
		t.Fatal(err)
	}
	e2, err := Load(writeExp(t, "# the same experiment, commented\n"+text))
	if err != nil {
		t.Fatal(err)
	}
	e3, err := Load(writeExp(t, strings.Replace(text, "seed = 5", "seed = 6", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if e1.Fingerprint() != e2.Fingerprint() {
		t.Error("a comment changed the fingerprint")
	}
	if e1.Fingerprint() == e3.Fingerprint() {
		t.Error("another seed kept the fingerprint")
	}
}

func TestDefaultBase(t *testing.T) {
	// The embedded Wuhan scenario, cut to one simulated minute.
	e, err := Parse([]byte("replications = 2\nwarmup = 0\n[common]\nduration = 30\ncooldown = 0\n[arms.a]\n[arms.b]\ndriving.no_lane_change = true\n"), "wuhan-exp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if e.Base != DefaultBase {
		t.Errorf("base: got %q", e.Base)
	}
	rec, err := e.RunOne(t.Context(), "b", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Roads.Delay) < 100 {
		t.Errorf("the Wuhan network has %d roads, want hundreds", len(rec.Roads.Delay))
	}
	if !strings.Contains(rec.Scenario, "no_lane_change = true") || !strings.Contains(rec.Scenario, `geojson = "builtin:wuhan.geojson"`) {
		t.Errorf("scenario text:\n%s", rec.Scenario)
	}
}

func TestShardParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/4", Shard{0, 4}, ""},
		{"3/4", Shard{3, 4}, ""},
		{"4/4", Shard{}, "shard 4/4 is out of range"},
		{"-1/4", Shard{}, "out of range"},
		{"0/0", Shard{}, "out of range"},
		{"1", Shard{}, "want i/n"},
		{"a/b", Shard{}, "want i/n"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q): got error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	s := Shard{1, 3}
	var reps []int
	for i := range 10 {
		if s.Has(i) {
			reps = append(reps, i)
		}
	}
	if len(reps) != 3 || reps[0] != 1 || reps[1] != 4 || reps[2] != 7 {
		t.Errorf("shard 1/3 of 10 has replications %v, want [1 4 7]", reps)
	}
}

func TestStatistics(t *testing.T) {
	// Differences 1..5: mean 3, sd √2.5, t = 3/(√2.5/√5) = 4.2426 with 4
	// degrees of freedom, p = 0.01324, half-width t₀.₉₇₅,₄·sd/√n = 2.7764·0.7071.
	c := compare("x", []float64{11, 12, 13, 14, 15}, []float64{10, 10, 10, 10, 10}, 0.95)
	near := func(got, want, tol float64) bool { return math.Abs(got-want) <= tol }
	if !near(c.Mean, 3, 1e-12) || !near(c.SD, math.Sqrt(2.5), 1e-12) || !near(c.T, 4.242641, 1e-6) || !near(c.P, 0.013236, 1e-6) {
		t.Errorf("paired t: got mean %g sd %g t %g p %g", c.Mean, c.SD, c.T, c.P)
	}
	if hw := (c.High - c.Low) / 2; !near(hw, 2.776445*math.Sqrt(2.5)/math.Sqrt(5), 1e-5) {
		t.Errorf("half-width: got %g", hw)
	}
	if !near(c.Relative, 0.3, 1e-12) {
		t.Errorf("relative: got %g, want 0.3", c.Relative)
	}

	// Identical arms: exactly zero, p = 1.
	z := compare("x", []float64{1, 2, 3}, []float64{1, 2, 3}, 0.95)
	z.verdict(0.05, false)
	if z.Mean != 0 || z.Low != 0 || z.High != 0 || z.P != 1 || z.Verdict != "identical" {
		t.Errorf("identical arms: got %+v", z)
	}

	// Holm: p = 0.01, 0.04, 0.03 → 0.03, 0.06, 0.06.
	cs := []Comparison{{P: 0.01}, {P: 0.04}, {P: 0.03}}
	holm(cs)
	for i, want := range []float64{0.03, 0.06, 0.06} {
		if !near(cs[i].PHolm, want, 1e-12) {
			t.Errorf("Holm: comparison %d: got %g, want %g", i, cs[i].PHolm, want)
		}
	}

	// NaN values are left out, pairwise.
	n := compare("x", []float64{1, math.NaN(), 3}, []float64{0, 0, math.NaN()}, 0.95)
	if n.N != 1 || n.Mean != 1 {
		t.Errorf("NaN pairs: got n %d mean %g, want 1 and 1", n.N, n.Mean)
	}
}

// The example experiments must stay valid as the scenario format grows.
func TestExampleExperimentsLoad(t *testing.T) {
	files, err := filepath.Glob("../scenarios/experiments/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example experiments: %v", err)
	}
	for _, f := range files {
		e, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(e.Arms) < 2 || e.Replications != 10 {
			t.Errorf("%s: %d arms, %d replications; the examples compare at least two arms over 10 replications", f, len(e.Arms), e.Replications)
		}
	}
}
