package twin

import (
	"context"
	"fmt"
	"github.com/citytwin/citytwin/internal/testrun"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFieldCountsFollow posts detector counts every minute that say twice
// the scenario's flow enters on road_0_1_0 and 600 veh/h on road_0_2_0
// (where the scenario has almost none): the twin's own counts must follow.
func TestFieldCountsFollow(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	const interval = 60
	field := map[string]float64{"road_0_1_0": 1400, "road_0_2_0": 600} // veh/h
	o := c.step(120, nil, PartLanes)
	var start map[string]int64
	for k := 0; k < 12; k++ {
		if k == 6 {
			start = map[string]int64{}
			for r := range field {
				start[r], _ = laneCount(o, r)
			}
		}
		var counts []any
		for r, rate := range field {
			counts = append(counts, map[string]any{"road": r, "count": math.Round(rate * interval / 3600)})
		}
		o = c.step(interval, []any{map[string]any{"kind": "field_counts", "interval": interval, "counts": counts}}, PartLanes)
	}
	plain := testrun.New(t, run)
	plain.RunUntil(120 + 6*interval)
	before := map[string]int64{}
	for r := range field {
		for _, l := range run.Network.Roads[roadID(t, run, r)].Lanes {
			before[r] += plain.LaneSensors()[l].Count
		}
	}
	plain.RunUntil(o.Time)
	for r, rate := range field {
		got, _ := laneCount(o, r)
		got -= start[r]
		want := rate * 6 * interval / 3600
		var without int64
		for _, l := range run.Network.Roads[roadID(t, run, r)].Lanes {
			without += plain.LaneSensors()[l].Count
		}
		without -= before[r]
		t.Logf("%s: the twin counted %d in the last 6 minutes, the field %.0f, the scenario alone %d", r, got, want, without)
		if math.Abs(float64(got)-want) > 0.2*want {
			t.Errorf("%s: the twin counted %d, the field %.0f (±20%%)", r, got, want)
		}
	}
	var lg struct{ Entries []LogEntry }
	c.must("GET", "/v1/log", nil, &lg)
	if n := len(lg.Entries); n != 12 || lg.Entries[n-1].Note == "" {
		t.Errorf("log: %d entries, the last %+v", n, lg.Entries[n-1])
	}
}

// TestFieldSignalMirrors imposes the street's phase on a junction, then
// releases it.
func TestFieldSignalMirrors(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	c.step(100, nil)
	junction := func(o Observation, id string) JunctionObs {
		for _, j := range o.Junctions {
			if j.ID == id {
				return j
			}
		}
		t.Fatalf("no junction %s", id)
		return JunctionObs{}
	}
	var acc Accepted
	c.must("POST", "/v1/field/signals", `{"signals": [{"junction": "intersection_2_2", "phase": 1}, {"junction": "intersection_1_1", "state": "gGGrrrrrrgGG"}]}`, &acc)
	if acc.Accepted != 2 {
		t.Fatalf("accepted %d", acc.Accepted)
	}
	for _, want := range []int{1, 0} {
		o := c.step(60, nil, PartJunctions)
		j := junction(o, "intersection_2_2")
		if !j.MirrorsField || j.Policy != "external" || j.Phase != want || j.Stage != "green" {
			t.Errorf("mirroring phase %d: %+v", want, j)
		}
		if j1 := junction(o, "intersection_1_1"); j1.Phase != 0 || !j1.MirrorsField {
			t.Errorf("mirroring by state: %+v", j1)
		}
		c.must("POST", "/v1/field/signals", `{"junction": "intersection_2_2", "phase": 0}`, nil)
	}
	// set_phase is refused while the junction mirrors the street.
	if code, _ := c.do("POST", "/v1/commands", `{"kind": "set_phase", "junction": "intersection_2_2", "phase": 1}`, nil); code != 409 {
		t.Errorf("set_phase on a mirroring junction: status %d, want 409", code)
	}
	o := c.step(1, []any{map[string]any{"kind": "release_signal", "junction": "intersection_2_2"}}, PartJunctions)
	if j := junction(o, "intersection_2_2"); j.MirrorsField || j.Policy != "fixed_time" {
		t.Errorf("after release: %+v", j)
	}
	// A policy switch ends mirroring too.
	o = c.step(1, []any{map[string]any{"kind": "switch_policy", "policy": "external", "junctions": []string{"intersection_1_1"}}}, PartJunctions)
	if j := junction(o, "intersection_1_1"); j.MirrorsField || j.Policy != "external" {
		t.Errorf("after switch_policy: %+v", j)
	}
	if code, _ := c.do("POST", "/v1/commands", `{"kind": "set_phase", "junction": "intersection_1_1", "phase": 1}`, nil); code != 202 {
		t.Errorf("set_phase after the switch: status %d, want 202", code)
	}
}

// TestTailField follows a JSON-lines file being written.
func TestTailField(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	tw, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	path := filepath.Join(t.TempDir(), "field.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintln(f, `{"kind": "field_counts", "interval": 60, "counts": [{"road": "road_0_1_0", "count": 20}]}`)
	fmt.Fprintln(f, `# a comment`)
	fmt.Fprintln(f, `{"kind": "close_road", "road": "road_2_1_0"}`)
	fmt.Fprint(f, `{"kind": "field_signal", "junction": "intersection_2_2",`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type bad struct {
		line int
		err  error
	}
	bads := make(chan bad, 10)
	go tw.TailField(ctx, path, 10*time.Millisecond, func(line int, err error) { bads <- bad{line, err} })
	waitPending := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for c.status(false).Pending < n {
			if time.Now().After(deadline) {
				t.Fatalf("the tail did not queue %d commands", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitPending(1)
	select {
	case b := <-bads:
		if b.line != 3 {
			t.Errorf("refused line %d (%v), want 3", b.line, b.err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("the close_road line was not refused")
	}
	fmt.Fprintln(f, ` "phase": 1}`)
	waitPending(2)
	c.step(1, nil)
	if st := c.status(false); st.Logged != 2 || st.Failed != 0 {
		t.Errorf("logged %d (%d failed), want 2", st.Logged, st.Failed)
	}
}
