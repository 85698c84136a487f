package scenarios

import (
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine/signal"
)

// zeroBase is a small grid scenario with demand, for the explicit-zero
// tests.
const zeroBase = `
duration = 300
seed = 3
[network.grid]
rows = 2
cols = 2
[[demand.flows]]
from = "road_0_1_0"
to = "road_2_1_0"
rate = 900
[[demand.flows]]
from = "road_1_0_1"
to = "road_1_2_1"
rate = 900
`

// TestExplicitZeroKept checks that a 0 written for a key whose allowed
// values include 0 is kept, not replaced by the default (issue 18, defect
// 3): the run differs from the one with the key left out, and the engine
// gets the 0.
func TestExplicitZeroKept(t *testing.T) {
	build := func(t *testing.T, text string) *Run {
		t.Helper()
		sc, err := Parse([]byte(text), "zero.toml")
		if err != nil {
			t.Fatal(err)
		}
		run, err := Build(sc)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	hash := func(t *testing.T, run *Run) uint64 {
		t.Helper()
		sim := newSim(t, run)
		if err := sim.RunToEnd(); err != nil {
			t.Fatal(err)
		}
		return sim.Hash()
	}
	unset := build(t, zeroBase)
	unsetHash := hash(t, unset)
	for _, c := range []struct {
		name, text string
		check      func(r *Run) (got, want float64)
	}{
		{"min_gap", "[[vtypes]]\nid = \"car\"\nmin_gap = 0\n",
			func(r *Run) (float64, float64) { return r.Config.VTypes[0].Follow.MinGap, 0 }},
		{"sigma", "[[vtypes]]\nid = \"car\"\nmodel = \"krauss\"\nsigma = 0\n",
			func(r *Run) (float64, float64) { return r.Config.VTypes[0].Follow.Sigma, 0 }},
		{"lane_change_threshold", "[driving]\nlane_change_threshold = 0\n",
			func(r *Run) (float64, float64) { return r.Config.LaneChangeThreshold, 0 }},
		{"teleport", "[driving]\nteleport = 0\n",
			func(r *Run) (float64, float64) { return r.Config.Teleport, 0 }},
		{"v2x.reroute.gain", "[v2x.reroute]\nenabled = true\ngain = 0\n",
			func(r *Run) (float64, float64) { return r.Config.V2X.RerouteGain, 0 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := build(t, zeroBase+c.text)
			if got, want := c.check(run); got != want {
				t.Errorf("engine setting: got %g, want %g", got, want)
			}
			if c.name == "min_gap" || c.name == "lane_change_threshold" {
				if h := hash(t, run); h == unsetHash {
					t.Errorf("%s = 0: state hash %016x, the same as with the key left out", c.name, h)
				}
			}
		})
	}

	// Signal policies: the controllers get the 0.
	for _, c := range []struct {
		name, text string
		ok         func(ctl signal.Controller) bool
	}{
		{"webster.min_green", "[signals]\npolicy = \"webster\"\n[signals.webster]\nmin_green = 0\n",
			func(c signal.Controller) bool { return *c.(*signal.Webster).MinGreen == 0 }},
		{"webster.lost", "[signals]\npolicy = \"webster\"\n[signals.webster]\nlost = 0\n",
			func(c signal.Controller) bool { return *c.(*signal.Webster).Lost == 0 }},
		{"max_pressure.min_green", "[signals]\npolicy = \"max_pressure\"\n[signals.max_pressure]\nmin_green = 0\n",
			func(c signal.Controller) bool { return *c.(*signal.MaxPressure).MinGreen == 0 }},
		{"sotl.phi_min", "[signals]\npolicy = \"sotl\"\n[signals.sotl]\nphi_min = 0\nmin_green_vehicles = 0\nmax_red_vehicles = 0\n",
			func(c signal.Controller) bool {
				so := c.(*signal.SOTL)
				return *so.PhiMin == 0 && *so.MinGreenVehicles == 0 && *so.MaxRedVehicles == 0
			}},
	} {
		run := build(t, zeroBase+c.text)
		sim, err := run.NewSimulation()
		if err != nil {
			t.Fatal(err)
		}
		v, _ := run.Network.NodeByID("intersection_1_1")
		if ctl := sim.Plant(v).Ctrl; !c.ok(ctl) {
			t.Errorf("%s = 0: controller %+v does not have it", c.name, ctl)
		}
		sim.Close()
	}

	// [demand] scale = 0 makes no demand at all.
	sc, err := Parse([]byte(zeroBase+"[demand]\nscale = 0\n"), "zero.toml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(sc); err == nil || !strings.Contains(err.Error(), "the demand gives no trip") {
		t.Errorf("scale = 0: got %v, want the error of a scenario without trips", err)
	}
	sc.AllowEmpty = true
	if run, err := Build(sc); err != nil || len(run.Trips) != 0 {
		t.Errorf("scale = 0 with allow_empty: got %d trips (%v), want none", len(run.Trips), err)
	}
}

// TestExplicitZeroRefused checks that a 0 written for a key for which 0
// is not allowed (so that its zero value means unset) is an error naming
// the key and the default, not a silent default.
func TestExplicitZeroRefused(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"[[vtypes]]\nid = \"a\"\nlength = 0\n", "zero.toml:17: vtypes[0].length: must not be 0 (leave the key out for the default 5)"},
		{"[[vtypes]]\nid = \"a\"\n[[vtypes]]\nid = \"b\"\nheadway = 0\n", "vtypes[1].headway: must not be 0 (leave the key out for the default 1)"},
		{"[network.grid]\nblock = 0.0\n", "network.grid.block: must not be 0"},
		{"[[demand.random]]\nrate = 10\nend = 0\n", "demand.random[0].end: must not be 0 (leave the key out for the default 300)"},
		{"[limits]\ntrips = 0\n", "limits.trips: must not be 0"},
		{"[v2x]\nrange = 0\n", "v2x.range: must not be 0 (leave the key out for the default 300)"},
		{"step = 0\n", "step: must be in [0.1, 1] s, got 0"},
	} {
		text := zeroBase
		if strings.HasPrefix(c.text, "[network.grid]") {
			text = strings.Replace(zeroBase, "cols = 2\n", "cols = 2\n"+strings.TrimPrefix(c.text, "[network.grid]\n"), 1)
		} else if !strings.HasPrefix(c.text, "[") {
			text = c.text + zeroBase
		} else {
			text += c.text
		}
		_, err := Parse([]byte(text), "zero.toml")
		if got := problems(err); len(got) != 1 || !strings.Contains(got[0], c.want) {
			t.Errorf("%q: got %q, want one problem containing %q", c.text, got, c.want)
		}
	}
}
