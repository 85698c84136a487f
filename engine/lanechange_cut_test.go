package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/scenarios"
)

// TestLaneChangeCuts checks the lane-change phase's short ways against the
// full paths they stand for (Sim.CheckLaneChangeCuts) at every step of
// runs: a grid with heavy turning demand with MOBIL and without (with
// CityFlow's settings: strategic changes only), a busy grid with MOBIL,
// the busy grid with three lanes each way (a lane either side), and New
// York 16×3 from the CityFlow datasets with CityFlow's settings, where
// rerouted vehicles drive with lane plans, off their planned lane too.
func TestLaneChangeCuts(t *testing.T) {
	strategic := func(n engine.LaneChangeCutCounts) bool { return n.Passed > 0 && n.Found > 0 }
	mobil := func(n engine.LaneChangeCutCounts) bool {
		return n.Changes > 0 && n.NoFit > 0 && n.NoGainSafe > 0 && n.NoGainQ > 0 && n.NoGainOwn > 0 && n.NoGainO > 0 && n.Found > 0 && n.BoundedOut > 0 && n.BoundedQ > 0 && n.OwnImpeded > 0
	}
	t.Run("turning", func(t *testing.T) {
		_, s := mustSim(t, turning+"[driving]\nno_lane_change = true\n", nil)
		laneChangeCuts(t, s, 0, 1500, strategic)
	})
	t.Run("turning-mobil", func(t *testing.T) {
		_, s := mustSim(t, turning, nil)
		laneChangeCuts(t, s, 0, 1500, mobil)
	})
	t.Run("busy-mobil", func(t *testing.T) {
		_, s := mustSim(t, busyGridTOML(1, "idm", 3000), nil)
		laneChangeCuts(t, s, 0, 1200, mobil)
	})
	t.Run("three-lanes", func(t *testing.T) {
		// Vehicles on a middle lane, with a lane either side that both
		// pass mobilLane's tests (mobilFrom tests the second).
		_, s := mustSim(t, strings.Replace(busyGridTOML(1, "idm", 3000), "lanes = 2", "lanes = 3", 1), nil)
		laneChangeCuts(t, s, 0, 1200, func(n engine.LaneChangeCutCounts) bool { return n.Both > 0 && n.Changes > 0 })
	})
	t.Run("newyork", func(t *testing.T) {
		root := os.Getenv("CITYTWIN_DATASETS")
		if root == "" {
			t.Skip("CITYTWIN_DATASETS is not set: no New York dataset to run")
		}
		dir := filepath.Join(root, "newyork_16x3")
		net, flow := filepath.Join(dir, "roadnet_16_3.json"), filepath.Join(dir, "anon_16_3_newyork_real.json")
		for _, f := range []string{net, flow} {
			if _, err := os.Stat(f); err != nil {
				t.Skipf("dataset file missing: %v", err)
			}
		}
		_, s := mustSim(t, fmt.Sprintf("name = \"ny\"\nseed = 1\nduration = 3600\nstep = 1.0\n[network]\ncityflow = %q\n[demand]\ncityflow = %q\n[driving]\nno_lane_change = true\nteleport = -1\n", net, flow), nil)
		laneChangeCuts(t, s, 600, 1200, func(n engine.LaneChangeCutCounts) bool {
			return strategic(n) && n.Planned > 0 && n.Stopped > 0
		})
	})
}

// laneChangeCuts steps s to step `to`, checking the short ways at every
// step from `from` on, and every 20 steps on a clone whose vehicles with
// lane plans are given planned exits off their lanes (Sim.ReplanExits);
// the cases met must satisfy met (each short way exercised).
func laneChangeCuts(t *testing.T, s *engine.Sim, from, to int, met func(engine.LaneChangeCutCounts) bool) {
	var n engine.LaneChangeCutCounts
	for k := range to {
		s.Step()
		if k < from {
			continue
		}
		if err := s.CheckLaneChangeCuts(&n); err != nil {
			t.Fatalf("step %d: %v", k, err)
		}
		if k%20 == 0 {
			c := s.CloneWorkers(1)
			c.ReplanExits()
			err := c.CheckLaneChangeCuts(&n)
			c.Close()
			if err != nil {
				t.Fatalf("step %d, replanned: %v", k, err)
			}
		}
	}
	t.Logf("%+v", n)
	if !met(n) {
		t.Errorf("%+v: the run does not exercise every short way", n)
	}
}

// TestLaneChangeVisitsAhead checks, on the default scenario (Wuhan, whose
// short roads give vehicles lanes to keep to after the next junction:
// fAhead), that the lane-change phase's live walk gives the results of
// visiting every road (Sim.VisitEveryRoad), lane changes and all: the
// grid of TestLaneChangeVisits has no short roads, so there the walk could
// pass a lone vehicle with lanes to keep to unnoticed. It fails when
// toDecideFirst ignores fAhead (tried). Without MOBIL, it checks the walk
// by the lcAttn bits (CheckInvariants); it fails when markDecide ignores
// fAhead (tried).
func TestLaneChangeVisitsAhead(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mobil bool
	}{
		{"mobil", true},
		{"strategic", false}, // strategic changes alone: the walk by lcAttn
	} {
		t.Run(tc.name, func(t *testing.T) { laneChangeVisitsAhead(t, tc.mobil) })
	}
}

// laneChangeVisitsAhead is TestLaneChangeVisitsAhead with MOBIL on or off.
func laneChangeVisitsAhead(t *testing.T, mobil bool) {
	edit := func(sc *scenarios.Scenario) { sc.Driving.NoLaneChange = !mobil }
	_, live := mustBuild(t, defaultScenario(t), edit)
	_, every := mustBuild(t, defaultScenario(t), edit)
	live.Step()
	every.Step()
	if !every.VisitEveryRoad() {
		t.Fatal("Wuhan's lanes are not laid out by road: no live walk to compare")
	}
	alone := 0
	for k := 1; k < 900; k++ {
		alone += live.AloneAhead()
		live.Step()
		every.Step()
		if live.Hash() != every.Hash() {
			t.Fatalf("step %d: state hash %016x walking the live bitmap, %016x visiting every road", k, live.Hash(), every.Hash())
		}
		if err := live.CheckInvariants(); err != nil {
			t.Fatalf("step %d: %v", k, err)
		}
	}
	t.Logf("%d lane-steps with a lone vehicle keeping to lanes ahead, %d lane changes", alone, int(live.Counts().LaneChanges))
	if alone == 0 {
		t.Error("no lane held a lone vehicle with lanes to keep to ahead: the run does not test the walk's pass")
	}
}
