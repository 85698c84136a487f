package twin

import (
	"fmt"
	"testing"

	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/scenarios"
)

// whatIf are events of every kind, at whole seconds of the test grid.
func whatIf() []scenarios.Event {
	return []scenarios.Event{
		{At: 60, Kind: "switch_policy", Policy: "external", Junctions: []string{"intersection_3_2"}},
		{At: 100, Kind: "close_lane", Road: "road_1_1_0", Lane: ptr(0)},
		{At: 200, Kind: "close_road", Road: "road_2_1_0"},
		{At: 250, Kind: "speed_limit", Road: "road_1_2_2", Speed: ptr(6.0)},
		{At: 300, Kind: "scale_demand", Factor: 1.5, Begin: 300, End: 900},
		{At: 350, Kind: "add_demand", From: "road_0_2_0", To: "road_3_1_0", Rate: 400, End: 900},
		{At: 400, Kind: "switch_policy", Policy: "max_pressure", Junctions: []string{"intersection_1_1"}},
		{At: 450, Kind: "force_phase", Junction: "intersection_2_2", Phase: ptr(1), Duration: 60},
		{At: 450, Kind: "speed_limit", Road: "road_1_2_2", Speed: ptr(0.0)},
		{At: 500, Kind: "open_road", Road: "road_2_1_0"},
		{At: 520, Kind: "open_lane", Road: "road_1_1_0", Lane: ptr(0)},
		{At: 550, Kind: "switch_policy", Policy: "actuated"},
		{At: 600, Kind: "scale_demand", Factor: 0.5},
		{At: 650, Kind: "switch_policy", Policy: "sotl", Junctions: []string{"intersection_2_1", "intersection_3_1"}},
		{At: 700, Kind: "switch_policy", Policy: "webster", Junctions: []string{"intersection_2_2"}},
	}
}

const whatIfEnd = 900

// TestSteppedMatchesScenarioFile drives a client-stepped twin over
// loopback with the what-if events as API commands at their times, and
// checks that it reaches the state hash of the same events in a scenario
// file, and that the twin's command log replays to it too.
func TestSteppedMatchesScenarioFile(t *testing.T) {
	evs := whatIf()
	// A scheduled policy switch of the scenario's own, which the twin
	// applies too.
	base := gridScenario(t) + `
[[signals.switch]]
at = 150
policy = "max_pressure"
junctions = ["intersection_3_1"]
`

	// The scenario file.
	fileRun := buildRun(t, base+eventTOML(t, evs))
	sim := testrun.New(t, fileRun)
	if err := sim.RunUntil(whatIfEnd); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%016x", sim.Hash())

	// The twin, stepped by a client that sends the events as commands.
	run := buildRun(t, base)
	tw, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	now := 0.0
	i := 0
	for now < whatIfEnd {
		var cmds []any
		for ; i < len(evs) && evs[i].At == now; i++ {
			e := evs[i]
			e.At = 0
			cmds = append(cmds, e)
		}
		next := float64(whatIfEnd)
		if i < len(evs) {
			next = evs[i].At
		}
		o := c.step(int(next-now), cmds)
		if o.Time != next {
			t.Fatalf("after stepping to %g: time %g", next, o.Time)
		}
		now = next
	}
	st := c.status(true)
	if st.Hash != want {
		t.Errorf("twin hash %s after %d steps, scenario file %s", st.Hash, st.Step, want)
	}
	if st.Logged != int64(len(evs)) || st.Failed != 0 {
		t.Errorf("logged %d commands (%d failed), want %d", st.Logged, st.Failed, len(evs))
	}
	if st.Counts.Reroutes == 0 {
		t.Errorf("no reroutes despite a road closure")
	}

	// The log replays to the same state.
	var lg struct{ Entries []LogEntry }
	c.must("GET", "/v1/log", nil, &lg)
	rs, err := Replay(tw.Scenario(), lg.Entries, st.Step)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if got := fmt.Sprintf("%016x", rs.Hash()); got != want {
		t.Errorf("replayed hash %s, want %s", got, want)
	}
}

// TestLiveCommandsReplay checks that the kinds only the live twin has
// (set_phase, field data) and scheduled commands replay from the log.
func TestLiveCommandsReplay(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	tw, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	c.step(50, []any{
		map[string]any{"kind": "switch_policy", "policy": "external", "junctions": []string{"intersection_1_1"}},
		map[string]any{"kind": "close_road", "road": "road_2_1_0", "at": 120},
		map[string]any{"kind": "open_road", "road": "road_2_1_0", "at": 240},
	})
	for k := 0; k < 6; k++ {
		c.step(20, []any{
			map[string]any{"kind": "set_phase", "junction": "intersection_1_1", "phase": k % 2},
			map[string]any{"kind": "field_counts", "interval": 20, "counts": []any{
				map[string]any{"road": "road_0_1_0", "count": 8 + k}, map[string]any{"road": "road_0_2_0", "count": 3}}},
		})
	}
	c.step(10, []any{map[string]any{"kind": "field_signal", "junction": "intersection_2_2", "state": "rrrgGGgGGrrr"}})
	c.step(40, []any{map[string]any{"kind": "release_signal", "junction": "intersection_2_2"}})
	c.step(100, nil)
	st := c.status(true)
	if st.Failed != 0 {
		var lg struct{ Entries []LogEntry }
		c.must("GET", "/v1/log", nil, &lg)
		t.Fatalf("%d commands failed: %+v", st.Failed, lg.Entries)
	}
	var lg struct{ Entries []LogEntry }
	c.must("GET", "/v1/log", nil, &lg)
	if len(lg.Entries) != 17 {
		t.Errorf("%d log entries, want 17", len(lg.Entries))
	}
	rs, err := Replay(tw.Scenario(), lg.Entries, st.Step)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if got := fmt.Sprintf("%016x", rs.Hash()); got != st.Hash {
		t.Errorf("replayed hash %s, twin %s", got, st.Hash)
	}
}

// TestIncidentReroutes closes a road through the API: vehicles reroute,
// and no vehicle enters the closed road any more.
func TestIncidentReroutes(t *testing.T) {
	const closed = "road_2_1_0"
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	before := c.step(300, nil, PartLanes)
	if before.Counts.Reroutes != 0 {
		t.Fatalf("%d reroutes before the incident", before.Counts.Reroutes)
	}
	n0, _ := laneCount(before, closed)
	if n0 == 0 {
		t.Fatalf("no traffic on %s before the incident", closed)
	}
	at := c.step(1, []any{map[string]any{"kind": "close_road", "road": closed}}, PartLanes)
	if at.Counts.Reroutes == 0 {
		t.Errorf("no reroutes at the closure")
	}
	// Vehicles on the road, or committed to enter it (granted entry at
	// the junction before), leave it within two minutes; then its loops
	// count nobody.
	drained := c.step(120, nil, PartLanes)
	n1, _ := laneCount(drained, closed)
	after := c.step(480, nil, PartLanes)
	n2, onRoad := laneCount(after, closed)
	if after.Counts.Reroutes < at.Counts.Reroutes {
		t.Errorf("reroutes went down: %d at the closure, %d at the end", at.Counts.Reroutes, after.Counts.Reroutes)
	}
	if n2 != n1 || onRoad != 0 {
		t.Errorf("closed road: loop count %d two minutes after the closure, %d ten minutes after with %d vehicles on it: want no new traffic",
			n1, n2, onRoad)
	}
	for _, l := range after.Lanes {
		if l.Road == closed && !l.Closed {
			t.Errorf("lane %d of %s is not reported closed", l.Index, closed)
		}
	}
	// The detour north of the closure carries more than without it.
	sim := testrun.New(t, run)
	sim.RunUntil(after.Time)
	plain := int64(0)
	detour := run.Network.Roads[roadID(t, run, "road_2_1_1")].Lanes
	for _, l := range detour {
		plain += sim.LaneSensors()[l].Count
	}
	got, _ := laneCount(after, "road_2_1_1")
	t.Logf("detour road_2_1_1: %d vehicles with the closure, %d without; reroutes %d", got, plain, after.Counts.Reroutes)
	if got <= plain {
		t.Errorf("detour road_2_1_1 carried %d vehicles with the closure, %d without", got, plain)
	}
}

func roadID(t testing.TB, run *scenarios.Run, id string) int {
	r, ok := run.Network.RoadByID(id)
	if !ok {
		t.Fatalf("no road %s", id)
	}
	return int(r)
}
