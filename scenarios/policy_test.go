package scenarios_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/scenarios"
)

// TestExamplePolicy checks that the policy of policy_example_test.go, one
// file and one RegisterPolicy call, is a policy like the built-in ones:
// scenarios name it, its table is decoded strictly with defaults and
// checks, an explicit 0 of a key that allows 0 reaches the controller,
// switches and events give it to junctions, and controllers carry its
// name.
func TestExamplePolicy(t *testing.T) {
	if !slices.Contains(scenarios.PolicyNames(), "longest_queue") {
		t.Fatalf("PolicyNames() = %v, want longest_queue registered", scenarios.PolicyNames())
	}
	text := signalHead + `
[signals]
policy = "longest_queue"
[signals.longest_queue]
interval = 10
keep = 0
[[signals.switch]]
at = 400
policy = "sotl"
junctions = ["intersection_1_1"]
[[events]]
at = 500
kind = "switch_policy"
policy = "longest_queue"
junctions = ["intersection_1_1"]
phases = [1, 0]
`
	sc := testrun.Parse(t, text, "lq.toml")
	run, sim := testrun.Start(t, sc)
	v, _ := run.Network.NodeByID("intersection_1_1")
	ctl, ok := sim.Plant(v).Ctrl.(*longestQueue)
	if !ok || ctl.Name() != "longest_queue" || ctl.interval != 10 || ctl.keep != 0 || ctl.phases != nil {
		t.Fatalf("controller of intersection_1_1 = %#v, want a longestQueue with interval 10, keep 0 (explicit) and the default phases", sim.Plant(v).Ctrl)
	}
	changes, last := 0, -1
	names := map[float64]string{}
	for sim.Time() < run.End()-1e-9 {
		if err := sim.Step(); err != nil {
			t.Fatal(err)
		}
		if ph, _ := sim.Plant(v).Phase(); ph != last {
			changes, last = changes+1, ph
		}
		if tm := sim.Time(); tm == 399 || tm == 401 || tm == 501 {
			names[tm] = sim.Plant(v).Ctrl.Name()
		}
	}
	if changes < 3 {
		t.Errorf("intersection_1_1 changed phase %d times in %g s, want a working controller", changes, sim.Time())
	}
	if want := map[float64]string{399: "longest_queue", 401: "sotl", 501: "longest_queue"}; !maps.Equal(names, want) {
		t.Errorf("policies over time = %v, want %v", names, want)
	}
	if c, ok := sim.Plant(v).Ctrl.(*longestQueue); !ok || !slices.Equal(c.phases, []int{1, 0}) {
		t.Errorf("after the event the controller is %#v, want the event's phases [1 0]", sim.Plant(v).Ctrl)
	}
	if sim.Counts().Arrived == 0 {
		t.Error("no vehicle arrived")
	}

	// Its table is checked like a built-in one's.
	for _, tc := range []struct{ text, want string }{
		{"intervall = 3", "signals.longest_queue.intervall: unknown key"},
		{"interval = -1", "signals.longest_queue.interval: must be in (0, 600], got -1"},
		{"interval = 0", "signals.longest_queue.interval: must not be 0 (leave the key out for the default 5)"},
		{"keep = -1", "signals.longest_queue.keep: must be at least 0 vehicles, got -1"},
		{"phases = [1, 1]", "signals.longest_queue.phases[1]: phase 1 is listed twice"},
		{"keep = \"two\"", "signals.longest_queue.keep: want an integer"},
	} {
		_, err := scenarios.Parse([]byte(signalHead+"[signals.longest_queue]\n"+tc.text+"\n"), "lq.toml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.text, err, tc.want)
		}
	}
}
