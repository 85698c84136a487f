package twin

import (
	"testing"
)

// TestShadowBetterPolicy: on the test grid, max-pressure at every
// junction beats the default fixed-time programs; a shadow run must say
// so, and a candidate that changes nothing must predict no difference at
// all (the two forks are the same run).
func TestShadowBetterPolicy(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	c.step(300, nil)
	var res ShadowResult
	c.must("POST", "/v1/shadow?wait=1", map[string]any{"policy": "max_pressure", "horizon": 900}, &res)
	if res.Status != "done" {
		t.Fatalf("shadow run %s: %s", res.Status, res.Error)
	}
	t.Logf("max-pressure against fixed time over %g–%g s: delay %.0f → %.0f veh·s (%+.1f%%), mean halting %.1f → %.1f (%+.1f%%)",
		res.From, res.To, res.Baseline.TotalDelay, res.Candidate.TotalDelay, res.DelayChange,
		res.Baseline.MeanHalting, res.Candidate.MeanHalting, res.HaltingChange)
	if !(res.Difference.TotalDelay < 0 && res.Difference.MeanHalting < 0) {
		t.Errorf("max-pressure: delay %+.0f veh·s, halting %+.2f: want both lower than fixed time", res.Difference.TotalDelay, res.Difference.MeanHalting)
	}
	if res.From != 300 || res.To != 1200 || res.Done != 2*900 {
		t.Errorf("shadow covered %g–%g s in %d steps, want 300–1200 s in 1800", res.From, res.To, res.Done)
	}

	var same ShadowResult
	c.must("POST", "/v1/shadow?wait=1", map[string]any{"policy": "fixed_time", "horizon": 300}, &same)
	if d := same.Difference; d.TotalDelay != 0 || d.MeanHalting != 0 || same.Baseline.Hash != same.Candidate.Hash {
		t.Errorf("fixed time against itself: difference %+v, hashes %s and %s", *d, same.Baseline.Hash, same.Candidate.Hash)
	}
	if st := c.status(false); st.Time != 300 {
		t.Errorf("the shadow runs moved the twin to %g s", st.Time)
	}
}

// TestShadowHold: the twin holds one junction in its north–south phase
// (a clearly bad program for the east–west flows); a shadow run with
// max-pressure at that junction predicts less delay and shorter queues.
func TestShadowHold(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	c.step(300, []any{map[string]any{"kind": "force_phase", "junction": "intersection_2_1", "phase": 1, "duration": 3600}})
	var res ShadowResult
	c.must("POST", "/v1/shadow?wait=1", map[string]any{"policy": "max_pressure", "junctions": []string{"intersection_2_1"}, "horizon": 600}, &res)
	if res.Status != "done" {
		t.Fatalf("shadow run %s: %s", res.Status, res.Error)
	}
	t.Logf("held phase against max-pressure at one junction: delay %+.1f%%, junction halting %.1f → %.1f",
		res.DelayChange, res.Baseline.JunctionHalting, res.Candidate.JunctionHalting)
	if !(res.Difference.TotalDelay < 0 && res.Difference.JunctionHalting < 0) {
		t.Errorf("delay %+.0f veh·s, junction halting %+.2f: want both lower", res.Difference.TotalDelay, res.Difference.JunctionHalting)
	}
}

// TestShadowLookBack asks what max-pressure would have done over the last
// ten minutes: the baseline replays the twin's log from a checkpoint and
// reaches the twin's own state; the candidate ignores the logged signal
// commands of its junctions.
func TestShadowLookBack(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true, CheckpointEvery: 300, Checkpoints: 3, CheckpointBudget: -1}, ServerOptions{Rate: -1})
	c.step(400, nil)
	c.step(100, []any{
		map[string]any{"kind": "close_lane", "road": "road_1_1_0", "lane": 1},
		map[string]any{"kind": "force_phase", "junction": "intersection_2_1", "phase": 1, "duration": 500},
		map[string]any{"kind": "field_counts", "interval": 60, "counts": []any{map[string]any{"road": "road_0_1_0", "count": 20}}},
	})
	c.step(400, []any{map[string]any{"kind": "switch_policy", "policy": "actuated", "junctions": []string{"intersection_1_2"}}})
	st := c.status(true)

	var res ShadowResult
	code, body := c.do("POST", "/v1/shadow?wait=1", map[string]any{"policy": "max_pressure", "junctions": []string{"intersection_2_1"}, "back": 700}, &res)
	if code != 422 {
		t.Errorf("700 s back with checkpoints at 300, 600 and 900 s: status %d %s, want 422 (none that old is kept)", code, body)
	}
	c.must("POST", "/v1/shadow?wait=1", map[string]any{"policy": "max_pressure", "junctions": []string{"intersection_2_1"}, "back": 600}, &res)
	if res.Status != "done" {
		t.Fatalf("shadow run %s: %s", res.Status, res.Error)
	}
	if res.From != 300 || res.To != st.Time {
		t.Errorf("looked back over %g–%g s, want 300–%g", res.From, res.To, st.Time)
	}
	if res.Baseline.Hash != st.Hash {
		t.Errorf("the baseline replayed from the checkpoint reached hash %s, the twin %s", res.Baseline.Hash, st.Hash)
	}
	t.Logf("looking back from %g s: max-pressure at intersection_2_1 instead of a held phase: delay %+.1f%%, junction halting %.1f → %.1f",
		st.Time, res.DelayChange, res.Baseline.JunctionHalting, res.Candidate.JunctionHalting)
	if res.Difference.JunctionHalting >= 0 {
		t.Errorf("junction halting %+.2f: want lower than with the held phase", res.Difference.JunctionHalting)
	}
}

// TestShadowBackToBack: a client that has its result (wait=1) may start
// its next run at once: the run gives back its place among the client's
// runs before it publishes its outcome (once, the second run was refused
// as still running now and then).
func TestShadowBackToBack(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	c.step(60, nil)
	for i := range 40 {
		var res ShadowResult
		if code, body := c.do("POST", "/v1/shadow?wait=1", map[string]any{"policy": "fixed_time", "horizon": 5}, &res); code != 200 || res.Status != "done" {
			t.Fatalf("run %d straight after the last: status %d %s", i, code, body)
		}
	}
}
