package engine_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// A watcher checks a simulation after every step, through the exported API
// and the engine's own invariants (CheckInvariants, see export_test.go):
//
//   - no two vehicles on a segment overlap, no speed is negative or NaN and
//     every position lies on its segment (CheckInvariants);
//   - every running vehicle appears in the snapshot exactly once, with
//     finite coordinates, and the snapshot holds Counts.Running vehicles;
//   - vehicles are conserved: inserted = running + arrived + removed, and
//     inserted + waiting + unroutable never exceeds the trips;
//   - counters never go backwards.
//
// It also records every stop-line crossing (a vehicle leaving a road lane
// for a link, or for a lane of the next road when it crosses the whole link
// in one step) with the light its movement showed during that step, and
// every lane change made before the vehicle was wholly on its lane.
type watcher struct {
	net  *maps.Network
	snap engine.Snapshot
	// seen[id] is the step at which vehicle id was last seen running and
	// seg[id] the segment it was on then.
	seen []int64
	seg  []int32
	last engine.Counts
	// onCross, when set, is called for every stop-line crossing.
	onCross func(c crossing)
	// crossings counts crossings by light; red lists those made on red.
	crossings map[signal.Light]int
	red       []crossing
	// changes counts lane changes; early lists those made before the
	// vehicle's rear was on its lane (position < length on the new lane).
	changes int
	early   []laneChange
	// redSince[m] is when movement m's light last turned red (the start of
	// the step it first showed red), or -1 while it is not red; before[m]
	// is the light it showed before that red.
	redSince []float64
	before   []signal.Light
}

// laneChange is a vehicle that ended a step at Pos on lane To, having
// changed lane during it; From is the lane it was on at the step's start
// (of the same road, or of the road before when it also crossed a link).
type laneChange struct {
	ID       int32
	Time     float64
	From, To maps.LaneID
	Pos      float64
	Length   float64
}

func (c laneChange) String() string {
	return fmt.Sprintf("vehicle %d (%g m) moved from lane %d to lane %d at %.2f m at t=%g s", c.ID, c.Length, c.From, c.To, c.Pos, c.Time)
}

// crossing is a vehicle passing the stop line at the end of lane Lane.
type crossing struct {
	ID       int32
	Time     float64 // s, end of the step in which it crossed
	Lane     maps.LaneID
	Movement maps.MovementID
	Light    signal.Light // the movement's light during that step
	// On red: how long the light had been red at the end of the step (s)
	// and the light it showed before.
	RedFor float64
	Before signal.Light
}

func (c crossing) String() string {
	s := fmt.Sprintf("vehicle %d crossed the stop line of lane %d (movement %d) on %v at t=%g s", c.ID, c.Lane, c.Movement, c.Light, c.Time)
	if c.Light == signal.Red {
		s += fmt.Sprintf(", %g s after the light turned red from %v", c.RedFor, c.Before)
	}
	return s
}

func newWatcher(sim *engine.Sim) *watcher {
	n := sim.NumTrips()
	w := &watcher{net: sim.Network(), seen: make([]int64, n), seg: make([]int32, n), crossings: map[signal.Light]int{}}
	for i := range w.seen {
		w.seen[i] = -1
	}
	sim.Snapshot(&w.snap)
	w.last = w.snap.Counts
	w.redSince = make([]float64, len(w.snap.Lights))
	w.before = make([]signal.Light, len(w.snap.Lights))
	for m := range w.redSince {
		w.redSince[m] = -1
	}
	for _, v := range w.snap.Vehicles {
		w.seen[v.ID], w.seg[v.ID] = w.snap.Step, v.Segment
	}
	return w
}

// step advances sim by one step and checks it.
func (w *watcher) step(sim *engine.Sim) error {
	sim.Step()
	return w.check(sim)
}

// check checks the state left by the last step. It must be called after
// every step for the crossing records to be complete.
func (w *watcher) check(sim *engine.Sim) error {
	// The engine's invariants first; the checks below run even when they
	// fail, so that the crossing records stay complete.
	inv := sim.CheckInvariants()
	if inv != nil {
		inv = fmt.Errorf("t=%g s: %w", sim.Time(), inv)
	}
	sim.Snapshot(&w.snap)
	s := &w.snap
	c := s.Counts
	switch {
	case int64(len(s.Vehicles)) != c.Running:
		return fmt.Errorf("t=%g s: snapshot holds %d vehicles, Counts.Running is %d", s.Time, len(s.Vehicles), c.Running)
	case c.Inserted != c.Running+c.Arrived+c.Removed:
		return fmt.Errorf("t=%g s: inserted %d != running %d + arrived %d + removed %d", s.Time, c.Inserted, c.Running, c.Arrived, c.Removed)
	case c.Inserted+c.Waiting+int64(c.Unroutable) > int64(c.Trips):
		return fmt.Errorf("t=%g s: inserted %d + waiting %d + unroutable %d exceed the %d trips", s.Time, c.Inserted, c.Waiting, c.Unroutable, c.Trips)
	case c.Inserted < w.last.Inserted || c.Arrived < w.last.Arrived || c.Removed < w.last.Removed || c.Teleports < w.last.Teleports:
		return fmt.Errorf("t=%g s: counters went backwards: %+v after %+v", s.Time, c, w.last)
	}
	teleported := c.Teleports > w.last.Teleports
	w.last = c
	dt := sim.StepLength()
	for m, l := range s.Lights {
		switch {
		case l != signal.Red:
			w.redSince[m], w.before[m] = -1, l
		case w.redSince[m] < 0:
			w.redSince[m] = s.Time - dt
		}
	}
	nLanes := int32(len(w.net.Lanes))
	for _, v := range s.Vehicles {
		if v.ID < 0 || int(v.ID) >= len(w.seen) {
			return fmt.Errorf("t=%g s: vehicle id %d out of range", s.Time, v.ID)
		}
		if w.seen[v.ID] == s.Step {
			return fmt.Errorf("t=%g s: vehicle %d appears twice (segments %d and %d)", s.Time, v.ID, w.seg[v.ID], v.Segment)
		}
		if bad(v.X) || bad(v.Y) || bad(v.Heading) || bad(v.Pos) || bad(v.Speed) || v.Speed < 0 {
			return fmt.Errorf("t=%g s: vehicle %d on segment %d: position (%g, %g), heading %g, pos %g, speed %g", s.Time, v.ID, v.Segment, v.X, v.Y, v.Heading, v.Pos, v.Speed)
		}
		prev := w.seg[v.ID]
		// A vehicle teleported to a road further on its route neither
		// changed lane nor crossed a stop line.
		moved := w.seen[v.ID] == s.Step-1 && prev < nLanes && v.Segment != prev
		if moved && teleported && sim.Trip(int(v.ID)).Teleports > 0 {
			moved = false
		}
		if moved {
			from := w.net.Lanes[prev].Road
			var mov maps.MovementID = maps.None
			if v.Segment < nLanes {
				// A lane change: to another lane of the same road, or, in
				// the step that took it across a link, to a lane of the
				// next road that no link of its old lane leads to.
				to := w.net.Lanes[v.Segment].Road
				changed := to == from
				if !changed {
					changed = true
					for _, k := range w.net.Lanes[prev].Links {
						if w.net.Links[k].To == maps.LaneID(v.Segment) {
							changed = false
						}
					}
				}
				if changed {
					w.changes++
					if v.Pos < v.Length {
						w.early = append(w.early, laneChange{ID: v.ID, Time: s.Time, From: maps.LaneID(prev), To: maps.LaneID(v.Segment), Pos: v.Pos, Length: v.Length})
					}
				}
			}
			if v.Segment >= nLanes {
				mov = w.net.Links[v.Segment-nLanes].Movement
			} else if to := w.net.Lanes[v.Segment].Road; to != from {
				mov = w.net.MovementBetween(from, to)
			}
			if mov != maps.None {
				x := crossing{ID: v.ID, Time: s.Time, Lane: maps.LaneID(prev), Movement: mov, Light: s.Lights[mov]}
				if x.Light == signal.Red {
					x.RedFor, x.Before = s.Time-w.redSince[mov], w.before[mov]
				}
				w.crossings[x.Light]++
				if x.Light == signal.Red {
					w.red = append(w.red, x)
				}
				if w.onCross != nil {
					w.onCross(x)
				}
			}
		}
		w.seen[v.ID], w.seg[v.ID] = s.Step, v.Segment
	}
	return inv
}

func bad(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }

// checkFinalCounts compares the counters with the status of every trip
// record: the engine must account for every trip it was given.
func checkFinalCounts(t *testing.T, sim *engine.Sim) {
	t.Helper()
	c := sim.Counts()
	status := map[engine.TripStatus]int64{}
	for id := 0; id < sim.NumTrips(); id++ {
		r := sim.Trip(id)
		status[r.Status]++
		if r.Status == engine.TripPending && r.Scheduled <= sim.Time()+1e-9 {
			t.Errorf("trip %s: status pending at t=%g s, but scheduled at %g s", r.ID, sim.Time(), r.Scheduled)
		}
	}
	for _, x := range []struct {
		status engine.TripStatus
		want   int64
	}{
		{engine.TripArrived, c.Arrived},
		{engine.TripRemoved, c.Removed},
		{engine.TripRunning, c.Running},
		{engine.TripWaiting, c.Waiting},
		{engine.TripUnroutable, int64(c.Unroutable)},
	} {
		if got := status[x.status]; got != x.want {
			t.Errorf("trips with status %q: got %d, want %d (Counts %+v)", x.status, got, x.want, c)
		}
	}
	if got := status[engine.TripArrived] + status[engine.TripRemoved] + status[engine.TripRunning] + status[engine.TripWaiting] + status[engine.TripUnroutable] + status[engine.TripPending]; got != int64(c.Trips) {
		t.Errorf("trip statuses add up to %d, want %d trips (%v)", got, c.Trips, status)
	}
	if got := int64(len(sim.Finished())); got != c.Arrived+c.Removed {
		t.Errorf("Finished() lists %d vehicles, want arrived %d + removed %d", got, c.Arrived, c.Removed)
	}
}

// mustSim parses a TOML scenario, builds it and creates its simulation.
func mustSim(t testing.TB, toml string, edit func(*scenarios.Scenario)) (*scenarios.Run, *engine.Sim) {
	t.Helper()
	sc, err := scenarios.Parse([]byte(toml), "test.toml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return mustBuild(t, sc, edit)
}

// mustBuild applies edit to sc, builds it and creates its simulation,
// closed when the test ends. It returns the engine simulation: the
// scenarios of these tests schedule no switch or event.
func mustBuild(t testing.TB, sc *scenarios.Scenario, edit func(*scenarios.Scenario)) (*scenarios.Run, *engine.Sim) {
	t.Helper()
	if edit != nil {
		edit(sc)
	}
	r, err := scenarios.Build(sc)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	sim, err := r.NewSimulation()
	if err != nil {
		t.Fatalf("NewSimulation: %v", err)
	}
	t.Cleanup(sim.Close)
	if len(sc.Events)+len(sc.Signals.Switch) > 0 {
		t.Fatalf("mustBuild: the scenario schedules switches or events; step a scenarios.Simulation instead")
	}
	return r, sim.Sim
}

// defaultScenario returns the embedded default (Wuhan) scenario.
func defaultScenario(t testing.TB) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return sc
}

// busyGrid is a 4×4 grid with two lanes each way, kept busy (about 390
// vehicles at once at its peak) but not gridlocked by 6,000 veh/h of
// random trips, half of them through traffic.
const busyGrid = `
name = "busy-grid"
seed = 11
duration = 3600
step = %g
[network.grid]
rows = 4
cols = 4
block = 250
lanes = 2
[[vtypes]]
id = "car"
model = %q
[[demand.random]]
rate = %g
min_length = 400
[[demand.random]]
rate = %g
fringe = true
`

func busyGridTOML(step float64, model string, rate float64) string {
	return fmt.Sprintf(busyGrid, step, model, rate, rate)
}

// turning is a 3×3 grid with two lanes each way and heavy turning demand:
// every entry sends left and right turners across the grid, so vehicles
// change lanes to reach their turning lanes and left turns run permissively
// against oncoming traffic.
const turning = `
name = "turning"
seed = 5
duration = 1800
cooldown = 300
warmup = 120
[network.grid]
rows = 3
cols = 3
block = 200
lanes = 2
[[vtypes]]
id = "car"
share = 0.9
speed_factor = { mean = 1.0, dev = 0.1 }
[[vtypes]]
id = "bus"
share = 0.1
length = 12.0
accel = 1.2
decel = 4.0
max_speed = 16.7
headway = 1.5
[demand.zones]
west = ["road_0_1_0", "road_0_2_0", "road_0_3_0"]
east = ["road_4_1_2", "road_4_2_2", "road_4_3_2"]
south = ["road_1_0_1", "road_2_0_1", "road_3_0_1"]
north = ["road_1_4_3", "road_2_4_3", "road_3_4_3"]
north_out = ["road_1_3_1", "road_2_3_1", "road_3_3_1"]
south_out = ["road_1_1_3", "road_2_1_3", "road_3_1_3"]
east_out = ["road_3_1_0", "road_3_2_0", "road_3_3_0"]
west_out = ["road_1_1_2", "road_1_2_2", "road_1_3_2"]
[[demand.flows]]
from = "zone:west"
to = "zone:north_out"
rate = 300
[[demand.flows]]
from = "zone:west"
to = "zone:south_out"
rate = 200
[[demand.flows]]
from = "zone:east"
to = "zone:south_out"
rate = 300
[[demand.flows]]
from = "zone:east"
to = "zone:north_out"
rate = 200
[[demand.flows]]
from = "zone:south"
to = "zone:west_out"
rate = 300
[[demand.flows]]
from = "zone:south"
to = "zone:east_out"
rate = 200
[[demand.flows]]
from = "zone:north"
to = "zone:east_out"
rate = 300
[[demand.flows]]
from = "zone:north"
to = "zone:west_out"
rate = 200
[[demand.random]]
rate = 600
min_length = 300
`
