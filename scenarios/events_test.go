package scenarios

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
)

func TestEventsExample(t *testing.T) {
	s, err := Load("examples/incident.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Events) != 8 || s.Events[1].Speed == nil || *s.Events[1].Speed != 8 || s.Events[7].Speed == nil || *s.Events[7].Speed != 0 {
		t.Fatalf("events %+v", s.Events)
	}
	run, sim := buildSim(t, s)
	if err := sim.RunUntil(900); err != nil {
		t.Fatal(err)
	}
	if sim.Remaining() != 2 {
		t.Errorf("%d events left at 900 s, want 2", sim.Remaining())
	}
	c := sim.Counts()
	if c.Reroutes == 0 {
		t.Errorf("no reroutes after the road closed")
	}
	r, _ := run.Network.RoadByID("road_2_1_0")
	for _, l := range run.Network.Roads[r].Lanes {
		if !sim.LaneClosed(l) {
			t.Errorf("lane %d of the closed road is open", l)
		}
	}
	if err := sim.RunUntil(1300); err != nil {
		t.Fatal(err)
	}
	for _, l := range run.Network.Roads[r].Lanes {
		if sim.LaneClosed(l) {
			t.Errorf("lane %d of the reopened road is closed", l)
		}
	}
	sl, _ := run.Network.RoadByID("road_2_2_0")
	if l := run.Network.Roads[sl].Lanes[0]; sim.LaneSpeedLimit(l) != run.Network.Lanes[l].Speed {
		t.Errorf("speed limit %g after the restore, want %g", sim.LaneSpeedLimit(l), run.Network.Lanes[l].Speed)
	}
}

func TestEventErrors(t *testing.T) {
	for _, tc := range []struct {
		name, events string
		want         []string // substrings of the problems, in order
	}{
		{"unknown kind", `
[[events]]
at = 10
kind = "meteor"`, []string{"test.toml:9: events[0].kind: must be one of close_lane"}},
		{"missing keys", `
[[events]]
kind = "close_lane"
road = "road_1_1_0"
[[events]]
kind = "force_phase"
junction = "intersection_1_1"`, []string{"events[0].lane: must be a lane index", "events[1].phase: must be a phase index", "events[1].duration: must be in (0, 86400] s, got 0"}},
		{"key of another kind", `
[[events]]
at = 5
kind = "close_road"
road = "road_1_1_0"
factor = 0`, []string{"test.toml:11: events[0].factor: does not apply to a close_road event (it takes road)"}},
		{"ranges", `
[[events]]
at = -1
kind = "speed_limit"
road = "r"
speed = 90
[[events]]
kind = "scale_demand"
factor = 200
at = 100
end = 50
[[events]]
kind = "add_demand"
from = "zone:nowhere"
to = "r"
rate = 20000
end = 1e9`, []string{"events[0].at: must be a time", "events[0].speed: must be a speed limit in [0, 80]",
			"events[1].factor: must be in [0, 100]", "events[1].end: must be 0 (no end) or a finite time after begin and at (100 s), got 50",
			"events[2].from: no zone \"nowhere\"", "events[2].end: rate × (end − begin) gives"}},
		{"policy", `
[[events]]
kind = "switch_policy"
policy = "magic"
junctions = ["group:none", ""]
phases = [-1]`, []string{"events[0].policy: must be one of", "events[0].junctions[0]: no group \"none\"", "events[0].junctions[1]: must name a junction", "events[0].phases[0]: must be a phase index"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(minimal+tc.events), "test.toml")
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			at := 0
			for _, w := range tc.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("want %q after offset %d in:\n%s", w, at, msg)
				}
				at += i + len(w)
			}
		})
	}
}

// TestEventNetworkErrors checks the problems Build finds with the network.
func TestEventNetworkErrors(t *testing.T) {
	s, err := Parse([]byte(minimal+`
[[events]]
kind = "close_lane"
road = "road_1_1_0"
lane = 5
[[events]]
kind = "open_road"
road = "nowhere"
[[events]]
kind = "force_phase"
junction = "intersection_0_1"
phase = 0
duration = 10
[[events]]
kind = "force_phase"
junction = "intersection_1_1"
phase = 9
duration = 10
[[events]]
kind = "switch_policy"
policy = "max_pressure"
phases = [0, 7]
[[events]]
kind = "add_demand"
from = "road_0_1_0"
to = "road_x"
rate = 10
end = 100
`), "test.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(s)
	if err == nil {
		t.Fatal("Build accepted events the network cannot have")
	}
	var probs []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var se *Error
		if !errors.As(e, &se) {
			t.Fatalf("%T %v", e, e)
		}
		probs = append(probs, se.Key)
	}
	want := []string{"events[0].lane", "events[1].road", "events[2].junction", "events[3].phase", "events[4].phases", "events[5].to"}
	if !reflect.DeepEqual(probs, want) {
		t.Errorf("problems at %v, want %v:\n%v", probs, want, err)
	}
}

// TestEventCommands checks the engine commands of each kind and the
// order of the timeline.
func TestEventCommands(t *testing.T) {
	s, err := Parse([]byte(minimal), "test.toml")
	if err != nil {
		t.Fatal(err)
	}
	s.AllowEmpty = true // only the events' commands matter
	run, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := run.NewSimulation()
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	zero, one := 0, 1
	speed := 5.0
	for _, tc := range []struct {
		e    Event
		want string
	}{
		{Event{Kind: EventCloseLane, Road: "road_1_1_0", Lane: &zero}, "engine.CloseLane"},
		{Event{Kind: EventOpenLane, Road: "road_1_1_0", Lane: &zero}, "engine.OpenLane"},
		{Event{Kind: EventCloseRoad, Road: "road_1_1_0"}, "engine.CloseRoad"},
		{Event{Kind: EventOpenRoad, Road: "road_1_1_0"}, "engine.OpenRoad"},
		{Event{Kind: EventSpeedLimit, Road: "road_1_1_0", Speed: &speed}, "engine.SetSpeedLimit"},
		{Event{Kind: EventScaleDemand, Factor: 2}, "engine.ScaleDemand"},
		{Event{Kind: EventAddDemand, From: "road_0_1_0", To: "road_3_1_0", Rate: 360, End: 100, Distribution: "uniform"}, "engine.AddTrips"},
		{Event{Kind: EventSwitchPolicy, Policy: "sotl"}, "engine.SetNodeController×6"},
		{Event{Kind: EventForcePhase, Junction: "intersection_1_1", Phase: &one, Duration: 30}, "engine.ForcePhase"},
	} {
		if err := run.CheckEvent(&tc.e); err != nil {
			t.Errorf("%s: %v", tc.e.Kind, err)
			continue
		}
		cmds, err := run.EventCommands(&tc.e, sim.Sim)
		if err != nil {
			t.Errorf("%s: %v", tc.e.Kind, err)
			continue
		}
		got := reflect.TypeOf(cmds[0]).String()
		if len(cmds) > 1 {
			got += "×" + string(rune('0'+len(cmds)))
		}
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.e.Kind, got, tc.want)
		}
		for _, c := range cmds {
			if err := sim.Enqueue(c); err != nil {
				t.Errorf("%s: %v", tc.e.Kind, err)
			}
		}
		if a, ok := cmds[0].(engine.AddTrips); ok && len(a.Trips) != 10 {
			t.Errorf("add_demand of 360 veh/h over 100 s: %d trips", len(a.Trips))
		}
	}
	sim.Sim.Step()

	// Equal times keep file order; events apply when due.
	s.Events = []Event{{At: 20, Kind: EventOpenRoad, Road: "road_1_1_0"}, {At: 10, Kind: EventCloseRoad, Road: "road_1_1_0"},
		{At: 20, Kind: EventCloseLane, Road: "road_1_1_0", Lane: &zero}}
	run, err = Build(s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(run.eventOrder, []int{1, 0, 2}) {
		t.Errorf("order %v", run.eventOrder)
	}
	sim2 := newSim(t, run)
	if err := sim2.RunUntil(15); err != nil {
		t.Fatal(err)
	}
	if sim2.Remaining() != 2 {
		t.Errorf("%d remaining at 15 s", sim2.Remaining())
	}
	c := sim2.Fork(nil)
	defer c.Close()
	if err := sim2.RunUntil(25); err != nil {
		t.Fatal(err)
	}
	if sim2.Remaining() != 0 || c.Remaining() != 2 {
		t.Errorf("remaining %d and, in the fork, %d", sim2.Remaining(), c.Remaining())
	}
}
