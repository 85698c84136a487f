package scenarios_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// signalHead is a 2×2 grid with a little traffic, for the [signals] tests.
const signalHead = gridHead + `
[[demand.flows]]
from = "road_0_1_0"
to = "road_2_1_0"
rate = 600
[[demand.flows]]
from = "road_1_0_1"
to = "road_1_2_1"
rate = 300
`

// TestSignalsValidate checks that bad [signals] input fails Parse with
// the key and what is wrong.
func TestSignalsValidate(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown policy", "[signals]\npolicy = \"magic\"", `signals.policy: must be one of fixed_time, webster, actuated, max_pressure, sotl, external`},
		{"unknown key", "[signals.max_pressure]\ndeltaa = 10", "signals.max_pressure.deltaa: unknown key"},
		{"negative green", "[signals.fixed_time]\ngreen = -5", "signals.fixed_time.green: must be in (0, 3600], got -5"},
		{"min over max green", "[signals.actuated]\nmin_green = 30\nmax_green = 20", "signals.actuated.max_green: must be in [min_green = 30, 3600] s, got 20"},
		{"min over max cycle", "[signals.webster]\nmin_cycle = 90\nmax_cycle = 60", "signals.webster.max_cycle: must be in [min_cycle = 90"},
		{"webster k", "[signals.webster]\nk = -1", "signals.webster.k: must be in [1, 1000]"},
		{"webster flows", "[signals.webster]\nflows = \"guessed\"", `signals.webster.flows: must be one of observed, scenario`},
		{"negative delta", "[signals.max_pressure]\ndelta = -10", "signals.max_pressure.delta: must be in (0, 3600], got -10"},
		{"passage", "[signals.actuated]\npassage = 100", "signals.actuated.passage: must be in (0, 60]"},
		{"sotl variant", "[signals.sotl]\nvariant = \"swarm\"", `signals.sotl.variant: must be one of threshold, request, phase, platoon, got "swarm"`},
		{"sotl mu", "[signals.sotl]\nmu = -3", "signals.sotl.mu: must be in [1, 1000] vehicles, got -3"},
		{"sotl theta", "[signals.sotl]\ntheta = -1", "signals.sotl.theta: must be positive"},
		{"omega vs loop", "[signals.sotl]\nomega = 30\n[signals.detectors]\nloop_offset = 20", "signals.sotl.omega: sets detectors.loop_offset, which is 20 m"},
		{"yellow", "[signals]\nyellow = 25", "signals.yellow: must be in [0, 20], got 25"},
		{"all-red", "[signals]\nall_red = -1", "signals.all_red: must be in [0, 20], got -1"},
		{"negative phase", "[signals]\nphases = [1, -2]", "signals.phases[1]: phase index must not be negative, got -2"},
		{"phase twice", "[signals.max_pressure]\nphases = [1, 2, 1]", "signals.max_pressure.phases[2]: phase 1 is listed twice"},
		{"empty phase set", "[signals]\nphases = []", "signals.phases: must list at least one phase"},
		{"unknown group", "[[signals.overrides]]\njunctions = [\"group:nope\"]\npolicy = \"sotl\"", `signals.overrides[0].junctions[0]: no group "nope" in signals.groups`},
		{"override without effect", "[[signals.overrides]]\njunctions = [\"intersection_1_1\"]", "signals.overrides[0].policy: an override must set policy or phases"},
		{"override policy", "[[signals.overrides]]\njunctions = [\"intersection_1_1\"]\npolicy = \"magic\"", `signals.overrides[0].policy: must be one of`},
		{"override no junction", "[[signals.overrides]]\njunctions = []\npolicy = \"sotl\"", "signals.overrides[0].junctions: must list at least one junction"},
		{"empty group", "[signals.groups]\nnone = []", `signals.groups.none: group "none" lists no junction`},
		{"switch time", "[[signals.switch]]\nat = 700\npolicy = \"sotl\"", "signals.switch[0].at: must be in (0, 600) s (the run's end), got 700"},
		{"switch order", "[[signals.switch]]\nat = 300\npolicy = \"sotl\"\n[[signals.switch]]\nat = 200\npolicy = \"actuated\"", "signals.switch[1].at: switches must be in time order"},
		{"switch policy", "[[signals.switch]]\nat = 300\npolicy = \"\"", `signals.switch[0].policy: must be one of`},
		{"wave speed", "[[signals.green_wave]]\njunctions = [\"a\", \"b\"]\nspeed = 0", "signals.green_wave[0].speed: must be in (0, 70] m/s, got 0"},
		{"wave junctions", "[[signals.green_wave]]\njunctions = [\"a\"]\nspeed = 10", "signals.green_wave[0].junctions: must list at least two junctions"},
		{"program state", "[[signals.programs]]\njunction = \"intersection_1_1\"\nphases = [{ duration = 30, state = \"GxR\" }]", `signals.programs[0].phases[0].state: must be a non-empty string of G, g and r, got "GxR"`},
		{"program duration", "[[signals.programs]]\njunction = \"intersection_1_1\"\nphases = [{ duration = -30, state = \"Gr\" }]", "signals.programs[0].phases[0].duration: must be in (0, 3600] s, got -30"},
		{"program twice", "[[signals.programs]]\njunction = \"j\"\nphases = [{ duration = 3, state = \"G\" }]\n[[signals.programs]]\njunction = \"j\"\nphases = [{ duration = 3, state = \"G\" }]", `signals.programs[1].junction: junction "j" already has a program (signals.programs[0])`},
		{"program no phase", "[[signals.programs]]\njunction = \"j\"\nphases = []", "signals.programs[0].phases: must list at least one phase"},
		{"max red too short", "[signals]\nyellow = 4\n[signals.guard]\nmin_green = 10\nmax_red = 12", "signals.guard.max_red: must be at least min_green + yellow + all_red (14 s), got 12"},
		{"negative min green", "[signals.guard]\nmin_green = -1", "signals.guard.min_green: must be in [0, 3600], got -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scenarios.Parse([]byte(signalHead+tc.text+"\n"), "s.toml")
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got\n%v\nwant a problem containing\n%s", err, tc.want)
			}
		})
	}
}

// TestSignalsBuildErrors checks the problems only the network reveals:
// each names the key and the junction.
func TestSignalsBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"no such junction", "[[signals.overrides]]\njunctions = [\"intersection_9_9\"]\npolicy = \"sotl\"",
			`signals.overrides[0].junctions[0]: junction "intersection_9_9" does not exist in the network`},
		{"not signalised", "[[signals.overrides]]\njunctions = [\"intersection_0_1\"]\npolicy = \"sotl\"",
			`signals.overrides[0].junctions[0]: junction "intersection_0_1" is not signalised`},
		{"group member", "[signals.groups]\ng = [\"intersection_1_1\", \"nowhere\"]\n[[signals.switch]]\nat = 100\npolicy = \"sotl\"\njunctions = [\"group:g\"]",
			`signals.switch[0].junctions[0] (group g[1]): junction "nowhere" does not exist`},
		{"phase out of range", "[signals]\npolicy = \"max_pressure\"\nphases = [0, 7]",
			"signals.phases: junction intersection_1_1: phase 7 does not exist"},
		{"override phases", "[[signals.overrides]]\njunctions = [\"intersection_2_2\"]\npolicy = \"actuated\"\nphases = [9]",
			"signals.overrides[0].phases: junction intersection_2_2: phase 9 does not exist"},
		{"fixed-time phases", "[signals.fixed_time]\nphases = [0, 5]",
			"signals.fixed_time.phases: junction intersection_1_1: phase 5 does not exist"},
		{"conflicting program", "[[signals.programs]]\njunction = \"intersection_1_1\"\nphases = [{ duration = 30, state = \"GGGGGGGGGGGG\" }]",
			"signals.programs[0]: junction intersection_1_1: phase 0: movements"},
		{"program length", "[[signals.programs]]\njunction = \"intersection_1_1\"\nphases = [{ duration = 30, state = \"GGrr\" }]",
			`signals.programs[0].phases[0].state: junction intersection_1_1 has 12 movements, the state "GGrr" has 4 letters`},
		{"wave not joined", "[[signals.green_wave]]\njunctions = [\"intersection_1_1\", \"intersection_2_2\"]\nspeed = 10",
			"signals.green_wave[0].junctions: no road from intersection_1_1 to intersection_2_2"},
		{"wave cycles", "[[signals.overrides]]\njunctions = [\"intersection_2_1\"]\nphases = [0]\n[[signals.green_wave]]\njunctions = [\"intersection_1_1\", \"intersection_2_1\"]\nspeed = 10",
			"a wave needs a common cycle"},
		{"max red vs fixed cycle", "[signals.guard]\nmax_red = 30",
			"signals.guard.max_red: junction intersection_1_1: its fixed-time cycle keeps movement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := scenarios.Parse([]byte(signalHead+tc.text+"\n"), "s.toml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			_, err = scenarios.Build(sc)
			if err == nil {
				t.Fatalf("Build: no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got\n%v\nwant a problem containing\n%s", err, tc.want)
			}
			for _, e := range buildErrors(t, err) {
				if e.Key == "" {
					t.Errorf("problem %q names no key", e)
				}
			}
		})
	}
}

// TestSignalsBuild checks that the [signals] tables reach the engine: the
// guard, the detectors, the programs, each junction's controller, the
// timed switch, the green wave and the external controllers.
func TestSignalsBuild(t *testing.T) {
	sc, err := scenarios.Parse([]byte(signalHead+`
[signals]
policy = "actuated"
yellow = 5
all_red = 1
[signals.groups]
south = ["intersection_1_1", "intersection_2_1"]
[[signals.overrides]]
junctions = ["group:south"]
policy = "fixed_time"
[[signals.overrides]]
junctions = ["intersection_1_2"]
policy = "external"
[[signals.green_wave]]
junctions = ["group:south"]
speed = 10
[[signals.switch]]
at = 300
policy = "max_pressure"
junctions = ["intersection_2_2"]
[signals.guard]
min_green = 4
max_red = 150
strict = true
[signals.detectors]
loop_offset = 30
area_length = 80
`), "s.toml")
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := run.Config
	if cfg.Guard == nil || *cfg.Guard != (signal.Guard{MinGreen: 4, MaxRed: 150}) || !cfg.StrictGuard {
		t.Errorf("guard %+v strict %t, want {4 150} and strict", cfg.Guard, cfg.StrictGuard)
	}
	if cfg.LoopOffset != 30 || cfg.AreaLength != 80 {
		t.Errorf("detectors: loop offset %g, area %g, want 30 and 80", cfg.LoopOffset, cfg.AreaLength)
	}
	sim := testrun.New(t, run)
	node := func(id string) maps.NodeID {
		v, ok := run.Network.NodeByID(id)
		if !ok {
			t.Fatalf("no junction %s", id)
		}
		return v
	}
	for _, id := range []string{"intersection_1_1", "intersection_2_2"} {
		p := sim.Plant(node(id))
		if p.Program.Yellow != 5 || p.Program.AllRed != 1 {
			t.Errorf("%s: yellow %g all-red %g, want 5 and 1", id, p.Program.Yellow, p.Program.AllRed)
		}
		if net := run.Network.Nodes[node(id)].Program; net.Yellow == 5 || net == p.Program {
			t.Errorf("%s: the network's program was changed or shared", id)
		}
	}
	kind := func(id string) string {
		switch c := sim.Plant(node(id)).Ctrl.(type) {
		case signal.FixedTime:
			return "fixed_time"
		case *signal.Actuated:
			return "actuated"
		case *signal.MaxPressure:
			return "max_pressure"
		case *signal.External:
			return "external"
		default:
			return fmt.Sprintf("%T", c)
		}
	}
	want := map[string]string{"intersection_1_1": "fixed_time", "intersection_2_1": "fixed_time", "intersection_1_2": "external", "intersection_2_2": "actuated"}
	for id, w := range want {
		if got := kind(id); got != w {
			t.Errorf("%s runs %s, want %s", id, got, w)
		}
	}
	// The green wave gave the second junction of the wave an offset.
	f1, f2 := sim.Plant(node("intersection_1_1")).Ctrl.(signal.FixedTime), sim.Plant(node("intersection_2_1")).Ctrl.(signal.FixedTime)
	if f1.Offset != 0 || f2.Offset == 0 {
		t.Errorf("green wave offsets %g and %g, want 0 and not 0", f1.Offset, f2.Offset)
	}
	// The external junction follows its requests.
	ext := sim.External("intersection_1_2")
	if ext == nil || sim.External("intersection_1_1") != nil {
		t.Fatalf("External: got %v for the external junction and %v for a fixed-time one", ext, sim.External("intersection_1_1"))
	}
	for sim.Time() < 600-1e-9 {
		if sim.Time() == 100 {
			ext.Request(1)
		}
		if err := sim.Step(); err != nil {
			t.Fatal(err)
		}
		switch sim.Time() {
		case 120: // the request at 100 s, after 5 s yellow and 1 s all-red
			if ph, _ := sim.Plant(node("intersection_1_2")).Phase(); ph != 1 {
				t.Errorf("the external junction shows phase %d, want 1 as requested", ph)
			}
		case 299:
			if got := kind("intersection_2_2"); got != "actuated" {
				t.Errorf("before the switch intersection_2_2 runs %s", got)
			}
		case 301:
			if got := kind("intersection_2_2"); got != "max_pressure" {
				t.Errorf("after the switch intersection_2_2 runs %s, want max_pressure", got)
			}
		}
	}
	if sim.Counts().Arrived == 0 {
		t.Errorf("no vehicle arrived")
	}
}

// TestSignalsStrict checks that a strict guard turns a refused request
// into an error at the end of the run, and that a lax one only counts it.
func TestSignalsStrict(t *testing.T) {
	for _, strict := range []bool{false, true} {
		text := signalHead + "[signals]\npolicy = \"external\"\n[signals.guard]\nmin_green = 20\n"
		if strict {
			text += "strict = true\n"
		}
		sc := testrun.Parse(t, text, "s.toml")
		_, sim := testrun.Start(t, sc)
		sim.RunUntil(2)
		ext := sim.External("intersection_1_1")
		ext.Request(1) // before the 20 s minimum green: refused until then
		sim.RunUntil(60)
		refused, _ := sim.GuardCounts()
		if refused == 0 {
			t.Errorf("strict %t: the guard refused nothing", strict)
		}
		if err := sim.Err(); (err != nil) != strict || strict && !strings.Contains(err.Error(), "intersection_1_1") {
			t.Errorf("strict %t: Err() = %v", strict, err)
		}
		sim.Close()
	}
}

// TestSignalsWebsterScenarioFlows checks that webster with flows =
// "scenario" starts from the demand routed through each junction.
func TestSignalsWebsterScenarioFlows(t *testing.T) {
	sc := testrun.Parse(t, signalHead+"[signals]\npolicy = \"webster\"\n[signals.webster]\nflows = \"scenario\"\n", "s.toml")
	run, sim := testrun.Start(t, sc)
	v, _ := run.Network.NodeByID("intersection_1_1")
	w := sim.Plant(v).Ctrl.(*signal.Webster)
	total := 0.0
	for _, q := range w.Flows {
		total += q
	}
	// 600 veh/h eastbound and 300 veh/h northbound both cross (1, 1).
	if total < 700 || total > 1100 || !w.NoObserve {
		t.Errorf("scenario flows at intersection_1_1 sum to %g veh/h (no observe %t), want about 900", total, w.NoObserve)
	}
	sim.RunUntil(300)
	phases, green := w.Greens()
	if len(phases) == 0 || len(green) != len(phases) {
		t.Errorf("no plan: %v %v", phases, green)
	}
}

// TestSignalsNotes checks that a phase set serving no green to some
// movement is reported.
func TestSignalsNotes(t *testing.T) {
	sc := testrun.Parse(t, signalHead+"[signals]\npolicy = \"max_pressure\"\nphases = [0]\n", "s.toml")
	run := mustBuild(t, sc)
	if !strings.Contains(strings.Join(run.Notes, "\n"), "no phase of the set [0] gives movement") {
		t.Errorf("notes %q, want one about unserved movements", run.Notes)
	}
}

var _ engine.Controller = signal.FixedTime{}

// TestSignalController checks the controllers made on demand (for timed
// events and the live API).
func TestSignalController(t *testing.T) {
	sc := testrun.Parse(t, signalHead+"[signals]\nyellow = 5\n[signals.max_pressure]\ndelta = 7\n", "s.toml")
	run := mustBuild(t, sc)
	v, _ := run.Network.NodeByID("intersection_1_1")
	c, err := run.SignalController(v, "max_pressure", []int{1, 0})
	if mp, ok := c.(*signal.MaxPressure); err != nil || !ok || mp.Delta != 7 || fmt.Sprint(mp.Phases) != "[1 0]" {
		t.Errorf("max pressure: %#v, %v", c, err)
	}
	c2, _ := run.SignalController(v, "max_pressure", nil)
	if c2 == c {
		t.Errorf("two calls returned the same controller")
	}
	for _, tc := range []struct {
		v      string
		policy string
		phases []int
		want   string
	}{
		{"intersection_1_1", "magic", nil, `unknown signal policy "magic"`},
		{"intersection_1_1", "sotl", []int{0, 9}, "junction intersection_1_1: signal: phase 9 does not exist"},
		{"intersection_1_1", scenarios.PolicyFixedTime, []int{4}, "phase 4 does not exist"},
		{"intersection_0_1", "sotl", nil, "junction intersection_0_1 is not signalised"},
	} {
		v, _ := run.Network.NodeByID(tc.v)
		if _, err := run.SignalController(v, tc.policy, tc.phases); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s %v: got %v, want %q", tc.v, tc.policy, tc.phases, err, tc.want)
		}
	}
	sim := testrun.New(t, run)
	ext, err := run.SignalController(v, "external", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sim.External("intersection_1_1") != nil {
		t.Errorf("a controller made by SignalController is the simulation's before it is given to it")
	}
	if err := sim.SetController(v, ext); err != nil || sim.External("intersection_1_1") != ext {
		t.Errorf("external: %v; Simulation.External does not return the one given", err)
	}
}
