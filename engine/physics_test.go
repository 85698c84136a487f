package engine_test

import (
	"fmt"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// junction is a single signalised junction (a 1×1 grid) seen from its
// western approach: road W enters it heading east and road E leaves it
// eastwards; WE is the through movement between them.
type junction struct {
	net  *maps.Network
	node *maps.Node
	W, E maps.RoadID
	WE   maps.MovementID
	// red and green are phases of the node's default program in which WE
	// is red and green.
	red, green maps.Phase
}

func newJunction(t *testing.T, lanes int, speed float64) *junction {
	t.Helper()
	net, err := maps.Grid(maps.GridOptions{Rows: 1, Cols: 1, Lanes: lanes, Block: 400, Speed: speed})
	if err != nil {
		t.Fatal(err)
	}
	j := &junction{net: net}
	var ok1, ok2 bool
	j.W, ok1 = net.RoadByID("road_0_1_0")
	j.E, ok2 = net.RoadByID("road_1_1_0")
	if !ok1 || !ok2 {
		t.Fatal("grid 1×1 has no road_0_1_0 or road_1_1_0")
	}
	j.WE = net.MovementBetween(j.W, j.E)
	if j.WE == maps.None {
		t.Fatal("no movement from road_0_1_0 to road_1_1_0")
	}
	j.node = &net.Nodes[net.Movements[j.WE].Node]
	if j.node.Program == nil {
		t.Fatal("the junction has no signal program")
	}
	local := net.Movements[j.WE].Local
	var haveRed, haveGreen bool
	for _, ph := range j.node.Program.Phases {
		if ph.Green(local) {
			j.green, haveGreen = ph, true
		} else {
			j.red, haveRed = ph, true
		}
	}
	if !haveRed || !haveGreen {
		t.Fatalf("program %+v has no phase with the W→E movement red and one with it green", *j.node.Program)
	}
	return j
}

// program replaces the node's program by the given phases (yellow and
// all-red kept), each phase paired with its duration (s).
func (j *junction) program(phases ...maps.Phase) {
	p := *j.node.Program
	p.Phases = phases
	p.Offset = 0
	j.node.Program = &p
}

// start returns a one-worker simulation of the junction with steps of dt
// seconds and the trips, closed when the test ends, and a watcher of it;
// edit (if not nil) changes the configuration first.
func (j *junction) start(t *testing.T, dt float64, trips []engine.Trip, edit func(*engine.Config)) (*engine.Sim, *watcher) {
	t.Helper()
	cfg := engine.DefaultConfig()
	cfg.Step = dt
	cfg.Workers = 1
	if edit != nil {
		edit(&cfg)
	}
	sim, err := engine.New(j.net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim, newWatcher(sim)
}

func withDuration(p maps.Phase, d float64) maps.Phase { p.Duration = d; return p }

// approach returns the lane of road W that the W→E movement leaves from
// (its first link's lane).
func (j *junction) approach() maps.LaneID {
	mv := j.net.Movements[j.WE]
	return j.net.Links[mv.Links[0]].From
}

// TestSaturationFlow measures the discharge of a standing queue through a
// long green on one lane: the stop line must pass between 1,600 and 2,100
// veh/h (the HCM base saturation flow is 1,900 veh/h per lane), whatever
// the step length.
func TestSaturationFlow(t *testing.T) {
	const (
		red    = 60.0 // s of red for W→E while the queue builds
		skip   = 10.0 // s of discharge left out (start-up lost time)
		window = 60.0 // s counted
	)
	for _, dt := range []float64{1.0, 0.5, 0.2} {
		t.Run(fmt.Sprintf("step=%g", dt), func(t *testing.T) {
			j := newJunction(t, 1, 0)
			j.program(withDuration(j.red, red), withDuration(j.green, 10000))
			// Far more demand than the lane can carry: a vehicle every
			// second, so the queue reaches back to the lane's start and
			// never runs dry during the window.
			var trips []engine.Trip
			for i := 0; i < 300; i++ {
				trips = append(trips, engine.Trip{Depart: float64(i), From: j.W, To: j.E})
			}
			sim, w := j.start(t, dt, trips, nil)
			lane := j.approach()
			var times []float64
			w.onCross = func(c crossing) {
				if c.Lane == lane {
					times = append(times, c.Time)
				}
			}
			queueAtEnd := -1
			for sim.Time() < 400 {
				if err := w.step(sim); err != nil {
					t.Fatal(err)
				}
				if len(times) > 0 && queueAtEnd < 0 && sim.Time() >= times[0]+skip+window {
					queueAtEnd = 0
					for _, v := range w.snap.Vehicles {
						if v.Segment == int32(lane) {
							queueAtEnd++
						}
					}
				}
			}
			if len(w.red) > 0 {
				t.Fatalf("%d crossings on red, first: %v", len(w.red), w.red[0])
			}
			if len(times) == 0 {
				t.Fatal("no vehicle crossed the stop line")
			}
			g := times[0] // the queue starts discharging
			greenStart := red + j.node.Program.Yellow + j.node.Program.AllRed
			if g < greenStart-1e-9 {
				t.Fatalf("first crossing at t=%g s, before the green at %g s", g, greenStart)
			}
			var in []float64
			for _, x := range times {
				if x >= g+skip-1e-9 && x < g+skip+window-1e-9 {
					in = append(in, x)
				}
			}
			n := len(in)
			flow := float64(n) * 3600 / window
			headway := 0.0 // mean headway between crossings in the window
			if n > 1 {
				headway = (in[n-1] - in[0]) / float64(n-1)
			}
			t.Logf("step %g s: queue discharging from t=%.1f s; %d vehicles in [%.1f, %.1f) s: %.0f veh/h (mean headway %.3f s, %.0f veh/h); %d still on the approach at the window's end",
				dt, g, n, g+skip, g+skip+window, flow, headway, 3600/headway, queueAtEnd)
			if queueAtEnd < 10 {
				t.Errorf("only %d vehicles left on the approach at the end of the window: the lane was not saturated", queueAtEnd)
			}
			if flow < 1600 || flow > 2100 {
				t.Errorf("saturation flow: got %.0f veh/h, want 1,600 to 2,100", flow)
			}
		})
	}
}

// TestStopAtRed sends vehicles at a junction whose light stays red for
// them: none may pass the stop line, and all end up standing in front of
// it, the first within a few metres of it.
func TestStopAtRed(t *testing.T) {
	cases := []struct {
		dt      float64
		speed   float64 // speed limit, m/s
		lanes   int
		model   string  // follow.ByName
		n       int     // vehicles
		headway float64 // s between departures
	}{
		{1.0, 13.89, 1, "idm", 1, 0},
		{0.5, 13.89, 1, "idm", 1, 0},
		{0.2, 13.89, 1, "idm", 1, 0},
		{0.1, 13.89, 1, "idm", 1, 0},
		{1.0, 22.22, 1, "idm", 1, 0},
		{0.5, 22.22, 1, "idm", 1, 0},
		{1.0, 13.89, 1, "krauss", 1, 0},
		{0.5, 22.22, 1, "krauss", 1, 0},
		{1.0, 13.89, 1, "idm", 12, 2},
		{0.5, 22.22, 1, "idm", 12, 2},
		{1.0, 13.89, 3, "idm", 20, 1},
		{0.5, 16.67, 3, "krauss", 20, 1},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("step=%g/speed=%g/lanes=%d/%s/n=%d", tc.dt, tc.speed, tc.lanes, tc.model, tc.n)
		t.Run(name, func(t *testing.T) {
			j := newJunction(t, tc.lanes, tc.speed)
			j.program(withDuration(j.red, 10000))
			var trips []engine.Trip
			for i := 0; i < tc.n; i++ {
				trips = append(trips, engine.Trip{Depart: float64(i) * tc.headway, From: j.W, To: j.E})
			}
			sim, w := j.start(t, tc.dt, trips, func(cfg *engine.Config) {
				cfg.VTypes[0].Model = map[string]follow.Model{"idm": follow.IDM{}, "krauss": follow.Krauss{}}[tc.model]
				if tc.model == "krauss" {
					cfg.VTypes[0].Follow.Sigma = 0.5
				}
			})
			maxSpeed := 0.0
			for sim.Time() < 180 {
				if err := w.step(sim); err != nil {
					t.Fatal(err)
				}
				for _, v := range w.snap.Vehicles {
					if int(v.Segment) >= len(j.net.Lanes) || j.net.Lanes[v.Segment].Road != j.W {
						t.Fatalf("t=%g s: vehicle %d passed the red light: it is on segment %d", sim.Time(), v.ID, v.Segment)
					}
					if l := j.net.Lanes[v.Segment].Length; v.Pos > l {
						t.Fatalf("t=%g s: vehicle %d at %.2f m, beyond the stop line at %.2f m", sim.Time(), v.ID, v.Pos, l)
					}
					maxSpeed = max(maxSpeed, v.Speed)
				}
			}
			if got := sim.Counts(); got.Inserted != int64(tc.n) || got.Running != int64(tc.n) {
				t.Fatalf("counts: got %+v, want %d inserted and running", got, tc.n)
			}
			if maxSpeed < 0.8*tc.speed {
				t.Errorf("fastest speed %.2f m/s: the vehicles never approached at speed (limit %g m/s)", maxSpeed, tc.speed)
			}
			// Every vehicle stands; on each lane the first is close to the line.
			first := map[int32]float64{}
			for _, v := range w.snap.Vehicles {
				if v.Speed >= 0.1 { // the engine counts < 0.1 m/s as standing
					t.Errorf("vehicle %d still moves at %.3f m/s", v.ID, v.Speed)
				}
				l := j.net.Lanes[v.Segment].Length
				if d, ok := first[v.Segment]; !ok || l-v.Pos < d {
					first[v.Segment] = l - v.Pos
				}
			}
			// Krauss keeps its minimum gap to the stop point, IDM stops
			// about 0.5 m short of it.
			limit := engine.DefaultConfig().VTypes[0].Follow.MinGap + 1
			for lane, d := range first {
				if d < 0 || d > limit {
					t.Errorf("lane %d: first vehicle stopped %.2f m before the stop line, want 0 to %g m", lane, d, limit)
				}
			}
		})
	}
}

// TestNoEntryOnRed runs a junction through green, yellow and a long red
// while vehicles keep arriving from the west: some cross on green or on
// yellow (those that cannot stop comfortably), the rest stop, and no
// vehicle ever crosses while its light is red.
func TestNoEntryOnRed(t *testing.T) {
	for _, dt := range []float64{1.0, 0.5, 0.2} {
		t.Run(fmt.Sprintf("step=%g", dt), func(t *testing.T) {
			j := newJunction(t, 2, 16.67)
			j.program(withDuration(j.green, 40), withDuration(j.red, 10000))
			var trips []engine.Trip
			for i := 0; i < 40; i++ {
				trips = append(trips, engine.Trip{Depart: 1.5 * float64(i), From: j.W, To: j.E})
			}
			sim, w := j.start(t, dt, trips, nil)
			for sim.Time() < 240 {
				if err := w.step(sim); err != nil {
					t.Fatal(err)
				}
			}
			for _, x := range w.red {
				t.Errorf("%v", x)
			}
			g, y := w.crossings[signal.Green]+w.crossings[signal.GreenMinor], w.crossings[signal.Yellow]
			stopped := sim.Counts().Running
			t.Logf("step %g s: %d crossed on green, %d on yellow, %d on red; %d stopped", dt, g, y, len(w.red), stopped)
			if g == 0 || stopped == 0 {
				t.Errorf("want some vehicles to cross on green and some to stop, got %d crossed and %d stopped", g, stopped)
			}
			for _, v := range w.snap.Vehicles {
				if int(v.Segment) >= len(j.net.Lanes) {
					continue // still clearing the junction
				}
				if r := j.net.Lanes[v.Segment].Road; r == j.W && v.Speed >= 0.1 {
					t.Errorf("vehicle %d still moves at %.3f m/s on the approach", v.ID, v.Speed)
				}
			}
		})
	}
}

// TestCityFlowDischarge checks CityFlow's car-following rule inside the
// engine on a standing queue released by a green (the flow files'
// vehicles: maxPosAcc 2 m/s², usualNegAcc = maxNegAcc 4.5 m/s², minGap
// 2.5 m, headwayTime 2 s, maxSpeed 11.111 m/s; 1 s steps, ballistic
// update): CityFlow's rule, stepped by hand from the same standing queue,
// passes the line with its 1st vehicle at once and then every 2.5 s on
// average, 12 vehicles in the first 30 s of green and 24 in 60 s.
func TestCityFlowDischarge(t *testing.T) {
	j := newJunction(t, 1, 11.111)
	j.program(withDuration(j.red, 120), withDuration(j.green, 10000))
	var trips []engine.Trip
	for i := range 60 {
		trips = append(trips, engine.Trip{Depart: float64(i), From: j.W, To: j.E, DepartSpeed: engine.DepartSpeedGiven})
	}
	cfg := engine.DefaultConfig()
	cfg.Workers = 1
	cfg.Ballistic = true
	cfg.VTypes = []engine.VType{{ID: "cityflow", Length: 5, MaxSpeed: 11.111, Model: follow.CityFlow{},
		SpeedFactor: engine.Normal{Mean: 1, Min: 0.2, Max: 2},
		Follow:      follow.Params{Accel: 2, Decel: 4.5, EmergencyDecel: 4.5, MinGap: 2.5, Headway: 2}}}
	sim, err := engine.New(j.net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	times := lineCrossings(t, sim, j.approach(), 250)
	g := times[0] // the queue starts discharging
	n30, n60 := 0, 0
	for _, x := range times {
		if x < g+30-1e-9 {
			n30++
		}
		if x < g+60-1e-9 {
			n60++
		}
	}
	t.Logf("first crossing at %g s; %d vehicles in 30 s, %d in 60 s", g, n30, n60)
	if n30 != 12 || n60 != 24 {
		t.Errorf("discharge: %d vehicles in 30 s and %d in 60 s of green, want CityFlow's 12 and 24", n30, n60)
	}
}

// lineCrossings steps sim until time end and returns when vehicles crossed
// the stop line of lane (s, in order); it fails the test on a crossing on
// red or when none crossed.
func lineCrossings(t *testing.T, sim *engine.Sim, lane maps.LaneID, end float64) []float64 {
	t.Helper()
	w := newWatcher(sim)
	var times []float64
	w.onCross = func(c crossing) {
		if c.Lane == lane {
			times = append(times, c.Time)
		}
	}
	for sim.Time() < end {
		if err := w.step(sim); err != nil {
			t.Fatal(err)
		}
	}
	if len(w.red) > 0 {
		t.Fatalf("%d crossings on red, first: %v", len(w.red), w.red[0])
	}
	if len(times) == 0 {
		t.Fatal("no vehicle crossed the stop line")
	}
	return times
}
