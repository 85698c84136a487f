package engine_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/scenarios"
)

// allFiles selects every output file.
var allFiles = output.Files{Trips: true, TimeSeries: true, Roads: true, Summary: true}

// fingerprint is what a run must reproduce exactly: the state hash and
// the run digest at regular checkpoints and the bytes of every output file.
type fingerprint struct {
	hashes  []uint64
	digests []uint64
	files   map[string][]byte
	counts  engine.Counts
	w       *watcher
}

// runFingerprint builds the scenario with the given worker count, runs it
// for steps steps (checking every step) and writes its outputs.
func runFingerprint(t *testing.T, toml string, edit func(*scenarios.Scenario), workers, steps int) fingerprint {
	t.Helper()
	var sc *scenarios.Scenario
	if toml == "" {
		sc = defaultScenario(t)
	} else {
		var err error
		if sc, err = scenarios.Parse([]byte(toml), "test.toml"); err != nil {
			t.Fatal(err)
		}
	}
	run, sim := mustBuild(t, sc, func(sc *scenarios.Scenario) {
		if edit != nil {
			edit(sc)
		}
		sc.Workers = workers
		sc.MinParallel = -1 // parallel phases even on small networks
	})
	if got := sim.Workers(); got != workers {
		t.Fatalf("Workers: got %d, want %d", got, workers)
	}
	fp := fingerprint{w: newWatcher(sim), files: map[string][]byte{}}
	every := max(steps/8, 1)
	for i := 1; i <= steps; i++ {
		if err := fp.w.step(sim); err != nil {
			t.Logf("workers %d: %v", workers, err) // reported by the long runs; here only sameness matters
		}
		if i%every == 0 || i == steps {
			fp.hashes = append(fp.hashes, sim.Hash())
			fp.digests = append(fp.digests, sim.Digest())
		}
	}
	fp.counts = sim.Counts()
	dir := t.TempDir()
	paths, err := output.WriteAll(dir, sim, run.Scenario.Warmup, allFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Fatalf("WriteAll wrote %v, want 4 files", paths)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fp.files[filepath.Base(p)] = data
	}
	return fp
}

// compare reports every difference between fingerprints a (the reference)
// and b.
func (a fingerprint) compare(t *testing.T, what string, b fingerprint) {
	t.Helper()
	if len(a.hashes) != len(b.hashes) {
		t.Fatalf("%s: %d checkpoints, reference has %d", what, len(b.hashes), len(a.hashes))
	}
	for i := range a.hashes {
		if a.hashes[i] != b.hashes[i] {
			t.Errorf("%s: state hash at checkpoint %d: got %016x, want %016x", what, i, b.hashes[i], a.hashes[i])
			break
		}
	}
	for i := range a.digests {
		if a.digests[i] != b.digests[i] {
			t.Errorf("%s: run digest at checkpoint %d: got %016x, want %016x", what, i, b.digests[i], a.digests[i])
			break
		}
	}
	for name, want := range a.files {
		got, ok := b.files[name]
		if !ok {
			t.Errorf("%s: %s missing", what, name)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %s differs from the reference run (%d bytes, want %d); first difference at byte %d",
				what, name, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestDeterminismAcrossWorkers runs four scenarios with 1, 2, 3 and 8
// workers, and again with 1 and 8: the state hash at every checkpoint and
// every output file must be identical. The turning scenario and the
// default one without MOBIL must exercise lane changes and permissive
// left turns.
func TestDeterminismAcrossWorkers(t *testing.T) {
	cases := []struct {
		name        string
		toml        string // empty: the default scenario
		edit        func(*scenarios.Scenario)
		steps       int
		short       int // steps in -short mode
		needChanges bool
	}{
		{name: "grid", toml: busyGridTOML(0.5, "idm", 3000), steps: 3600, short: 240},
		{name: "default", steps: 1800, short: 240},
		// Strategic lane changes alone (no MOBIL), as on the CityFlow
		// cases: the lane-change walk by Sim.lcAttn, whose bits the
		// junction, transfer and lane-change phases set in parallel.
		{name: "strategic", edit: func(sc *scenarios.Scenario) { sc.Driving.NoLaneChange = true }, steps: 400, short: 240, needChanges: true},
		// Lane changes (strategic, MOBIL and swaps) and permissive lefts.
		{name: "turning", toml: turning, steps: 2100, short: 400, needChanges: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// In -short mode (CI runs it under the race detector) fewer
			// steps and no repeated runs: the race detector needs only a
			// few parallel steps to see unsynchronised accesses.
			steps, others, repeats := tc.steps, []int{2, 3, 8}, []int{1, 8}
			if testing.Short() {
				steps, others, repeats = tc.short, []int{2, 8}, nil
			}
			ref := runFingerprint(t, tc.toml, tc.edit, 1, steps)
			c := ref.counts
			t.Logf("%s: %d steps, final hash %016x; inserted %d, arrived %d, running %d, lane changes %d, crossings on minor green %d",
				tc.name, steps, ref.hashes[len(ref.hashes)-1], c.Inserted, c.Arrived, c.Running, c.LaneChanges, ref.w.crossings[signal.GreenMinor])
			if c.Inserted == 0 || c.Arrived == 0 {
				t.Fatalf("the run did nothing: %+v", c)
			}
			if tc.needChanges {
				if c.LaneChanges == 0 {
					t.Errorf("lane changes: got 0, want some")
				}
				if ref.w.crossings[signal.GreenMinor] == 0 {
					t.Errorf("crossings on a permissive (minor) green: got 0, want some")
				}
			}
			for _, w := range others {
				ref.compare(t, fmt.Sprintf("%d workers", w), runFingerprint(t, tc.toml, tc.edit, w, steps))
			}
			for _, w := range repeats {
				ref.compare(t, fmt.Sprintf("repeated run, %d workers", w), runFingerprint(t, tc.toml, tc.edit, w, steps))
			}
		})
	}
}

// TestHashSensitive checks that the state hash tells runs apart: another
// seed, or one more step, changes it.
func TestHashSensitive(t *testing.T) {
	hash := func(seed uint64, steps int) uint64 {
		_, sim := mustSim(t, busyGridTOML(1, "idm", 3000), func(sc *scenarios.Scenario) {
			sc.Seed = seed
			sc.Workers = 1
		})
		for range steps {
			sim.Step()
		}
		return sim.Hash()
	}
	a := hash(11, 150)
	if b := hash(11, 150); a != b {
		t.Errorf("same seed: got %016x and %016x, want equal", a, b)
	}
	if b := hash(12, 150); a == b {
		t.Errorf("seeds 11 and 12: both hash to %016x, want different", a)
	}
	if b := hash(11, 151); a == b {
		t.Errorf("150 and 151 steps: both hash to %016x, want different", a)
	}
}

// TestDigestCoversHistory runs the same demand twice to an empty network,
// the second time with a road slowed to 3 m/s for the first ten minutes:
// both end in the same state (no vehicle left, the same counters, the
// fixed-time signals where the clock puts them), so their state hashes
// are equal, but their trips took different times, so their run digests
// must differ.
func TestDigestCoversHistory(t *testing.T) {
	const toml = `
name = "digest"
seed = 5
duration = 300
step = 1
[network.grid]
rows = 2
cols = 2
block = 200
lanes = 1
[[demand.flows]]
id = "east"
from = "road_0_1_0"
to = "road_2_1_0"
rate = 360
`
	run := func(slow bool) (*engine.Sim, []engine.TripRecord) {
		r, sim := mustSim(t, toml, func(sc *scenarios.Scenario) { sc.Workers = 1 })
		if slow {
			road, ok := r.Network.RoadByID("road_1_1_0")
			if !ok {
				t.Fatal("no road road_1_1_0")
			}
			if err := sim.Enqueue(engine.SetSpeedLimit{Road: road, Speed: 3}); err != nil {
				t.Fatal(err)
			}
		}
		for sim.Time() < 1800-1e-9 {
			if slow && sim.Time() == 600 {
				road, _ := r.Network.RoadByID("road_1_1_0")
				if err := sim.Enqueue(engine.SetSpeedLimit{Road: road}); err != nil {
					t.Fatal(err)
				}
			}
			sim.Step()
		}
		var trips []engine.TripRecord
		for i := range sim.NumTrips() {
			trips = append(trips, sim.Trip(i))
		}
		return sim, trips
	}
	a, ta := run(false)
	b, tb := run(true)
	ca, cb := a.Counts(), b.Counts()
	if ca.Running != 0 || cb.Running != 0 || ca.Waiting != 0 || cb.Waiting != 0 || ca.Arrived == 0 ||
		ca.Inserted != cb.Inserted || ca.Arrived != cb.Arrived || ca.Removed != cb.Removed || ca.Teleports != cb.Teleports {
		t.Fatalf("the runs must both end empty with the same vehicle counts: %+v and %+v", ca, cb)
	}
	differ := 0
	for i := range ta {
		if ta[i] != tb[i] {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("the slowed road changed no trip record: the test does not test")
	}
	if a.Hash() != b.Hash() {
		t.Fatalf("state hashes %016x and %016x differ: the final states must be equal for this test", a.Hash(), b.Hash())
	}
	if a.Digest() == b.Digest() {
		t.Errorf("%d of %d trip records differ but both runs digest to %016x", differ, len(ta), a.Digest())
	}
	t.Logf("equal state hash %016x; %d of %d trips differ; digests %016x and %016x", a.Hash(), differ, len(ta), a.Digest(), b.Digest())
}

// TestClonesRunApart runs two clones of a simulation at once, each with
// its own workers, and a third alone: all three must end in the same
// state. A clone that shares mutable state with another (an array that
// Clone copied by reference) makes them differ, and CI's race detector
// reports the shared writes; the turning scenario changes lanes, so the
// lane-change phase's state is exercised too, with MOBIL and without it
// (strategic changes alone: the walk by Sim.lcAttn, whose bits only that
// walk clears).
func TestClonesRunApart(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mobil bool
	}{
		{"mobil", true},
		{"strategic", false},
	} {
		t.Run(tc.name, func(t *testing.T) { clonesRunApart(t, tc.mobil) })
	}
}

// clonesRunApart is TestClonesRunApart with MOBIL on or off.
func clonesRunApart(t *testing.T, mobil bool) {
	sc, err := scenarios.Parse([]byte(turning), "test.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, sim := mustBuild(t, sc, func(sc *scenarios.Scenario) {
		sc.MinParallel = -1
		sc.Driving.NoLaneChange = !mobil
	})
	warm, steps := 600, 300
	if testing.Short() {
		warm, steps = 300, 100
	}
	for range warm {
		sim.Step()
	}
	changes := sim.Counts().LaneChanges
	a, b, c := sim.CloneWorkers(2), sim.CloneWorkers(2), sim.CloneWorkers(1)
	for _, x := range []*engine.Sim{a, b, c} {
		t.Cleanup(x.Close)
	}
	run := func(x *engine.Sim) {
		for range steps {
			x.Step()
		}
	}
	done := make(chan struct{}, 2)
	go func() { run(a); done <- struct{}{} }()
	go func() { run(b); done <- struct{}{} }()
	<-done
	<-done
	run(c)
	if a.Hash() != c.Hash() || b.Hash() != c.Hash() {
		t.Errorf("state hashes after %d steps: %016x and %016x run at once, %016x alone; want one", steps, a.Hash(), b.Hash(), c.Hash())
	}
	if c.Counts().LaneChanges == changes {
		t.Errorf("no lane change in the %d steps run apart: the test does not exercise the lane-change phase", steps)
	}
}

// TestShortcutsExact runs scenarios with the move phase's short ways
// (moveChunk: car following alone without constraints, standing vehicles
// left standing by heldStill) and without them: the fingerprints (state
// hashes, run digests, counts and output files) must be the same, with
// both IDM and CityFlow's model (the two that hold still), CityFlow's at
// two steps (its hold band, VType.holdGap, depends on the step), and the
// shortcuts must have been taken.
func TestShortcutsExact(t *testing.T) {
	cases := []struct {
		name, toml   string
		steps, short int
	}{
		{"grid-idm", busyGridTOML(0.5, "idm", 3000), 1200, 300},
		{"grid-cityflow", busyGridTOML(1, "cityflow", 3000), 900, 300},
		{"grid-cityflow-halfstep", busyGridTOML(0.5, "cityflow", 3000), 1200, 300},
		{"default", "", 900, 300},
		{"turning", turning, 900, 300},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			steps := tc.steps
			if testing.Short() {
				steps = tc.short
			}
			var held atomic.Int64
			engine.SetHeldHook(func() { held.Add(1) })
			fast := runFingerprint(t, tc.toml, nil, 2, steps)
			engine.SetHeldHook(nil)
			restore := engine.SetExactOnly(true)
			exact := runFingerprint(t, tc.toml, nil, 2, steps)
			restore()
			exact.compare(t, "with the short ways", fast)
			if held.Load() == 0 {
				t.Errorf("no vehicle was left standing by the short way in %d steps: the comparison proves nothing about it", steps)
			}
			t.Logf("%s: %d steps, %d vehicle-steps held without their constraints", tc.name, steps, held.Load())
		})
	}
}
