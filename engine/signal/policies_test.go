package signal

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// cfProgram is a CityFlow-style program over four movements: 0 and 1 the
// two through directions, 2 a right turn green in every phase, 3 a left
// turn. Phase 0 is the clearance phase (the right turn only).
func cfProgram() *maps.Program {
	return &maps.Program{Yellow: 3, AllRed: 2, Phases: []maps.Phase{
		{Duration: 5, State: "rrGr"},
		{Duration: 30, State: "GrGr"},
		{Duration: 30, State: "rGGr"},
		{Duration: 20, State: "rrGG"},
	}}
}

// twoPhase is a netconvert-style program: movement 0 in phase 0,
// movement 1 in phase 1.
func twoPhase() *maps.Program {
	return &maps.Program{Yellow: 4, AllRed: 2, Phases: []maps.Phase{{Duration: 30, State: "Gr"}, {Duration: 20, State: "rG"}}}
}

// sensors returns sensors with one incoming and one outgoing lane per
// movement.
func sensors(n int) *NodeSensors {
	s := &NodeSensors{In: make([]LaneSensors, n), Out: make([]LaneSensors, n), MovIn: make([][]int, n), MovOut: make([][]int, n)}
	for m := 0; m < n; m++ {
		s.In[m].Lane, s.Out[m].Lane = int32(m), int32(n+m)
		s.MovIn[m], s.MovOut[m] = []int{m}, []int{m}
	}
	return s
}

// drive steps a plant with controller c from time 0 for steps of 1 s,
// calling feed before every update to set the sensors, and returns the
// plant and the phase shown while green at every step (−1 during
// changes).
func drive(p *maps.Program, c Controller, g Guard, s *NodeSensors, steps int, feed func(t float64, s *NodeSensors)) (*Plant, []int) {
	pl := NewPlant(p, c)
	pl.Guard = g
	lights := make([]Light, len(p.Phases[0].State))
	var shown []int
	for k := 0; k < steps; k++ {
		t := float64(k)
		if feed != nil {
			feed(t, s)
		}
		pl.UpdateSensed(t, 1, lights, s, 0)
		ph, st := pl.Phase()
		if st != StageGreen {
			ph = -1
		}
		shown = append(shown, ph)
	}
	return pl, shown
}

// runs compresses a phase sequence into "phase×steps" runs.
func runs(seq []int) string {
	var b strings.Builder
	for i := 0; i < len(seq); {
		j := i
		for j < len(seq) && seq[j] == seq[i] {
			j++
		}
		fmt.Fprintf(&b, "%d×%d ", seq[i], j-i)
		i = j
	}
	return strings.TrimSpace(b.String())
}

func TestDefaultPhases(t *testing.T) {
	one := &maps.Program{Phases: []maps.Phase{{Duration: 10, State: "GG"}}}
	same := &maps.Program{Phases: []maps.Phase{{Duration: 10, State: "Gr"}, {Duration: 10, State: "Gr"}}}
	// Through and permissive left (g) in phase 0, the left protected in
	// phase 1 (green in phase 0 too), the cross street in phase 2.
	nested := &maps.Program{Phases: []maps.Phase{{Duration: 30, State: "Ggr"}, {Duration: 10, State: "rGr"}, {Duration: 30, State: "rrG"}}}
	for _, tc := range []struct {
		name      string
		p         *maps.Program
		want      []int
		dominated []bool
	}{
		{"cityflow", cfProgram(), []int{1, 2, 3}, []bool{true, false, false, false}},
		{"netconvert", twoPhase(), []int{0, 1}, []bool{false, false}},
		{"protected left", nested, []int{0, 2}, []bool{false, true, false}},
		{"single", one, []int{0}, []bool{false}},
		{"identical", same, []int{0, 1}, []bool{false, false}},
	} {
		if got := DefaultPhases(tc.p); !slices.Equal(got, tc.want) {
			t.Errorf("%s: DefaultPhases = %v, want %v", tc.name, got, tc.want)
		}
		for i, want := range tc.dominated {
			if got := Dominated(tc.p, i); got != want {
				t.Errorf("%s: Dominated(%d) = %t, want %t", tc.name, i, got, want)
			}
		}
	}
}

func TestCheckPhases(t *testing.T) {
	p := cfProgram()
	for _, tc := range []struct {
		set  []int
		want string // "" for no error
	}{
		{nil, ""},
		{[]int{1, 2, 3}, ""},
		{[]int{3, 0}, ""},
		{[]int{}, "empty"},
		{[]int{1, 4}, "phase 4 does not exist"},
		{[]int{-1}, "phase -1 does not exist"},
		{[]int{1, 2, 1}, "listed twice"},
	} {
		err := CheckPhases(p, tc.set)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckPhases(%v) = %v, want nil", tc.set, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckPhases(%v) = %v, want an error containing %q", tc.set, err, tc.want)
		}
	}
}

func TestCheckProgram(t *testing.T) {
	// Movements 0 and 1 cross; 2 crosses nothing.
	c := maps.ConflictMatrix{N: 3, Flags: make([]uint8, 9)}
	c.Flags[0*3+1], c.Flags[1*3+0] = maps.Crosses, maps.Crosses
	for _, tc := range []struct {
		name string
		p    *maps.Program
		want string
	}{
		{"ok", &maps.Program{Yellow: 3, Phases: []maps.Phase{{Duration: 10, State: "GrG"}, {Duration: 10, State: "rGG"}}}, ""},
		{"conflict", &maps.Program{Phases: []maps.Phase{{Duration: 10, State: "GGr"}}}, "phase 0: movements 0 and 1 conflict"},
		{"length", &maps.Program{Phases: []maps.Phase{{Duration: 10, State: "Gr"}}}, "has 2 signals, want 3"},
		{"letter", &maps.Program{Phases: []maps.Phase{{Duration: 10, State: "Gyr"}}}, "letter 'y'"},
		{"duration", &maps.Program{Phases: []maps.Phase{{Duration: 0, State: "Grr"}}}, "duration 0"},
		{"yellow", &maps.Program{Yellow: -1, Phases: []maps.Phase{{Duration: 5, State: "Grr"}}}, "yellow -1"},
		{"empty", &maps.Program{}, "no phase"},
	} {
		err := CheckProgram(tc.p, c)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestFixedTimePlan(t *testing.T) {
	p := cfProgram() // change interval 5 s between phases that lose greens
	for _, tc := range []struct {
		name  string
		f     FixedTime
		cycle float64
		at    map[float64]int // time → wanted phase
	}{
		// 5 + 30 + 5 + 30 + 5 + 20 + 5: phase 0 → 1 takes no green away.
		{"program", FixedTime{}, 100, map[float64]int{0: 0, 4.9: 0, 5: 1, 34.9: 1, 35: 2, 39.9: 2, 40: 2, 75: 3, 99.9: 0, 100: 0, 105: 1}},
		{"subset", FixedTime{Phases: []int{1, 2}, Green: []float64{10}}, 30, map[float64]int{0: 1, 9: 1, 10: 2, 15: 2, 24.9: 2, 25: 1, 30: 1}},
		{"greens", FixedTime{Phases: []int{2, 1}, Green: []float64{20, 10}}, 40, map[float64]int{0: 2, 19: 2, 20: 1, 34: 1, 35: 2}},
		{"offset", FixedTime{Phases: []int{1, 2}, Green: []float64{10}, Offset: 5}, 30, map[float64]int{0: 1, 4: 1, 5: 1, 14: 1, 15: 2, 29.9: 2, 30: 1, 35: 1}},
	} {
		if got := tc.f.Cycle(p); math.Abs(got-tc.cycle) > 1e-9 {
			t.Errorf("%s: cycle %g s, want %g s", tc.name, got, tc.cycle)
		}
		for at, want := range tc.at {
			if got := tc.f.plan(View{Now: at, Program: p}); got != want {
				t.Errorf("%s: at t=%g s wants phase %d, want %d", tc.name, at, got, want)
			}
		}
	}
}

func TestFixedTimeRuns(t *testing.T) {
	// Through the plant: greens, yellow and all-red as planned.
	_, shown := drive(cfProgram(), FixedTime{Phases: []int{1, 2}, Green: []float64{10}}, Guard{MinGreen: 5}, nil, 60, nil)
	if got, want := runs(shown), "1×10 -1×5 2×10 -1×5 1×10 -1×5 2×10 -1×5"; got != want {
		t.Errorf("phases %s, want %s", got, want)
	}
}

func TestFixedTimeLongestRed(t *testing.T) {
	p := cfProgram()
	for _, tc := range []struct {
		f    FixedTime
		m    int
		red  float64
		name string
	}{
		// Movement 3 (left) is green in phase 3 only: red for the all-red
		// after its yellow and the 5 + 30 + 5 + 30 + 5 s until phase 3.
		{FixedTime{}, 3, 2 + 5 + 30 + 5 + 30 + 5, "program"},
		{FixedTime{Phases: []int{1, 2}}, 3, math.Inf(1), "never green"},
	} {
		m, red := tc.f.LongestRed(p)
		if m != tc.m || red != tc.red && !(math.IsInf(red, 1) && math.IsInf(tc.red, 1)) {
			t.Errorf("%s: longest red: movement %d for %g s, want %d for %g s", tc.name, m, red, tc.m, tc.red)
		}
	}
}

func TestGreenWave(t *testing.T) {
	net, err := maps.Grid(maps.GridOptions{Rows: 1, Cols: 4, Block: 300})
	if err != nil {
		t.Fatal(err)
	}
	var nodes []maps.NodeID
	var plans []FixedTime
	var progs []*maps.Program
	for x := 1; x <= 4; x++ {
		v, ok := net.NodeByID(fmt.Sprintf("intersection_%d_1", x))
		if !ok {
			t.Fatal("no junction")
		}
		nodes = append(nodes, v)
		progs = append(progs, net.Nodes[v].Program)
		plans = append(plans, FixedTime{})
	}
	const speed = 12.0
	offs, err := GreenWave(net, nodes, speed, plans, progs)
	if err != nil {
		t.Fatal(err)
	}
	// The eastbound through movement must turn green d/speed after it
	// turns green at the first junction, modulo the cycle.
	cycle := plans[0].Cycle(progs[0])
	east := func(i int) int {
		for _, m := range net.Nodes[nodes[i]].Movements {
			if mv := net.Movements[m]; mv.Turn == maps.Straight && net.Roads[mv.To].ID == fmt.Sprintf("road_%d_1_0", i+1) {
				return mv.Local
			}
		}
		t.Fatalf("no eastbound movement at junction %d", i)
		return -1
	}
	onset := func(i int) float64 {
		f := FixedTime{Offset: offs[i]}
		m := east(i)
		prev := true
		for k := 0; k < 10*int(cycle); k++ {
			now := float64(k) * 0.5
			g := progs[i].Phases[f.plan(View{Now: now, Program: progs[i]})].Green(m)
			if g && !prev && now > 0 {
				return math.Mod(now, cycle)
			}
			prev = g
		}
		t.Fatalf("junction %d: the arterial never turns green", i)
		return 0
	}
	t0 := onset(0)
	for i := 1; i < len(nodes); i++ {
		want := math.Mod(t0+float64(i)*300/speed, cycle)
		if got := onset(i); math.Abs(got-want) > 0.5+1e-9 && math.Abs(math.Abs(got-want)-cycle) > 0.5+1e-9 {
			t.Errorf("junction %d: arterial green at %g s in the cycle, want %g s (offset %g s)", i, got, want, offs[i])
		}
	}
	// Errors.
	if _, err := GreenWave(net, []maps.NodeID{nodes[0], nodes[2]}, speed, plans[:2], progs[:2]); err == nil || !strings.Contains(err.Error(), "no road") {
		t.Errorf("junctions not joined by a road: got %v", err)
	}
	bad := append([]FixedTime(nil), plans...)
	bad[1] = FixedTime{Green: []float64{5}}
	if _, err := GreenWave(net, nodes, speed, bad, progs); err == nil || !strings.Contains(err.Error(), "common cycle") {
		t.Errorf("different cycles: got %v", err)
	}
	if _, err := GreenWave(net, nodes, 0, plans, progs); err == nil {
		t.Errorf("zero speed: no error")
	}
}

func TestPlantGuard(t *testing.T) {
	p := twoPhase()
	t.Run("first decision sets the phase", func(t *testing.T) {
		_, shown := drive(p, ControllerFunc(func(v View) int { return 1 }), Guard{MinGreen: 5}, nil, 3, nil)
		if got, want := runs(shown), "1×3"; got != want {
			t.Errorf("phases %s, want %s", got, want)
		}
	})
	t.Run("min green refuses", func(t *testing.T) {
		// Asks for the other phase every step.
		pl, shown := drive(p, ControllerFunc(func(v View) int { return 1 - v.Phase }), Guard{MinGreen: 8}, nil, 40, nil)
		if got, want := runs(shown), "1×8 -1×6 0×8 -1×6 1×8 -1×4"; got != want {
			t.Errorf("phases %s, want %s", got, want)
		}
		// 7 early requests in each of 3 greens (a green's first step is
		// not a decision: it ends the all-red).
		if pl.Refused != 3*7 {
			t.Errorf("refused %d, want %d", pl.Refused, 3*7)
		}
	})
	t.Run("invalid phases are refused", func(t *testing.T) {
		pl, shown := drive(p, ControllerFunc(func(v View) int { return 7 }), Guard{}, nil, 5, nil)
		if got, want := runs(shown), "0×5"; got != want || pl.Refused != 4 {
			t.Errorf("phases %s refused %d, want %s and 4", got, pl.Refused, want)
		}
	})
	t.Run("yellow and all-red", func(t *testing.T) {
		pl := NewPlant(p, ControllerFunc(func(v View) int {
			if v.Now >= 10 {
				return 1
			}
			return 0
		}))
		lights := make([]Light, 2)
		var seq []string
		for k := 0; k < 20; k++ {
			pl.Update(float64(k), 1, lights)
			seq = append(seq, lights[0].String()+lights[1].String())
		}
		want := strings.Repeat("Gr ", 10) + strings.Repeat("yr ", 4) + strings.Repeat("rr ", 2) + strings.Repeat("rG ", 4)
		if got := strings.Join(seq, " ") + " "; got != want {
			t.Errorf("lights\n%s\nwant\n%s", got, want)
		}
	})
}

func TestPlantMaxRed(t *testing.T) {
	p := twoPhase() // change interval 6 s
	s := sensors(2)
	stubborn := ControllerFunc(func(v View) int { return v.Phase })
	// A vehicle halts on movement 1's lane from t = 3 on.
	feed := func(t float64, s *NodeSensors) {
		if t >= 3 {
			s.In[1].Halting = 1
		}
	}
	pl, shown := drive(p, stubborn, Guard{MinGreen: 5, MaxRed: 30}, s, 40, feed)
	// The change must start so that green comes within 30 s of t = 3.
	first := slices.Index(shown, 1)
	if first < 0 || float64(first)-3 > 30 {
		t.Fatalf("movement 1 got green at step %d (%s), want by %d", first, runs(shown), 33)
	}
	if float64(first)-3 < 30-1 {
		t.Errorf("movement 1 got green at step %d, earlier than needed (%s)", first, runs(shown))
	}
	if pl.Forced != 1 {
		t.Errorf("forced %d, want 1", pl.Forced)
	}
	// No halting vehicle: no forced change.
	pl, _ = drive(p, stubborn, Guard{MinGreen: 5, MaxRed: 30}, sensors(2), 200, nil)
	if pl.Forced != 0 {
		t.Errorf("forced %d changes with no waiting vehicle", pl.Forced)
	}
}

func TestMaxPressure(t *testing.T) {
	p := cfProgram()
	s := sensors(4)
	// Through 0: 10 up, 2 down; through 1: 4 up; left 3: 9 up, 0 down.
	s.In[0].Vehicles, s.Out[0].Vehicles = 10, 2
	s.In[1].Vehicles = 4
	s.In[3].Vehicles = 9
	// Pressures (the right turn adds the same to all): 1 → 8, 2 → 4, 3 → 9.
	mp := &MaxPressure{}
	if got := mp.Decide(View{Now: 0, Phase: 0, Program: p, Sensors: s, First: true}); got != 3 {
		t.Errorf("first decision: phase %d, want 3", got)
	}
	// A green of phase 1 from t = 0: no decision before the minimum green
	// (10 s), then every Δ = 10 s.
	mp = &MaxPressure{}
	s1 := sensors(4)
	s1.In[0].Vehicles = 10 // phase 1 has the most pressure at first
	for _, tc := range []struct {
		now  float64
		left int // vehicles waiting on the left turn (phase 3)
		want int
	}{
		{0, 0, 1}, {5, 20, 1}, {10, 0, 1}, {15, 20, 1}, {19, 20, 1}, {20, 20, 3},
	} {
		s1.In[3].Vehicles = tc.left
		if got := mp.Decide(View{Now: tc.now, GreenFor: tc.now, Phase: 1, Program: p, Sensors: s1}); got != tc.want {
			t.Errorf("t=%g s: phase %d, want %d", tc.now, got, tc.want)
		}
	}
	// Ties keep the current phase.
	s2 := sensors(4)
	mp = &MaxPressure{MinGreen: new(1.0), Delta: 1}
	if got := mp.Decide(View{Now: 5, GreenFor: 5, Phase: 2, Program: p, Sensors: s2}); got != 2 {
		t.Errorf("tie: phase %d, want 2 (kept)", got)
	}
	// Halting counts only standing vehicles.
	s3 := sensors(4)
	s3.In[1].Vehicles, s3.In[1].Halting = 10, 0
	s3.In[3].Vehicles, s3.In[3].Halting = 2, 2
	mp = &MaxPressure{Halting: true, MinGreen: new(1.0), Delta: 1}
	if got := mp.Decide(View{Now: 5, GreenFor: 5, Phase: 1, Program: p, Sensors: s3}); got != 3 {
		t.Errorf("halting: phase %d, want 3", got)
	}
	// A restricted phase set.
	mp = &MaxPressure{Phases: []int{1, 2}, MinGreen: new(1.0), Delta: 1}
	if got := mp.Decide(View{Now: 5, GreenFor: 5, Phase: 2, Program: p, Sensors: s}); got != 1 {
		t.Errorf("phase set [1 2]: phase %d, want 1", got)
	}
}

func TestActuated(t *testing.T) {
	p := twoPhase()
	for _, tc := range []struct {
		name string
		feed func(t float64, s *NodeSensors)
		want string
	}{
		{"rest in green without demand", func(t float64, s *NodeSensors) { s.In[0].Gap, s.In[1].Gap = 100, 100 }, "0×60"},
		{"skip to demand after min green", func(t float64, s *NodeSensors) {
			s.In[0].Gap, s.In[1].Vehicles = 100, 1
		}, "0×10 -1×6 1×44"},
		{"extend while vehicles pass, then max-out", func(t float64, s *NodeSensors) {
			s.In[0].Gap, s.In[1].Vehicles = math.Mod(t, 2), 1 // a vehicle every 2 s
		}, "0×50 -1×6 1×4"},
		{"gap-out", func(t float64, s *NodeSensors) {
			s.In[1].Vehicles = 1
			s.In[0].Gap = math.Mod(t, 2)
			if t >= 20 {
				s.In[0].Gap = t - 20
			}
		}, "0×23 -1×6 1×31"},
		{"occupied loop holds", func(t float64, s *NodeSensors) {
			s.In[1].Vehicles = 1
			s.In[0].Gap, s.In[0].Occupied = 100, t < 30
		}, "0×30 -1×6 1×24"},
	} {
		_, shown := drive(p, &Actuated{}, Guard{MinGreen: 5}, sensors(2), 60, tc.feed)
		if got := runs(shown); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestSOTL(t *testing.T) {
	p := twoPhase()
	// Two vehicles wait on the red approach from the start; κ grows by 2
	// per second and reaches θ = 20 at t = 10 s.
	for _, tc := range []struct {
		name string
		c    *SOTL
		feed func(t float64, s *NodeSensors)
		want string
	}{
		{"request", &SOTL{Variant: SOTLRequest, Theta: 20}, func(t float64, s *NodeSensors) { s.In[1].Vehicles = 2 }, "0×10 -1×6 1×14"},
		{"phase waits phi_min", &SOTL{Variant: SOTLPhase, Theta: 4, PhiMin: new(15.0)}, func(t float64, s *NodeSensors) { s.In[1].Vehicles = 2 }, "0×15 -1×6 1×9"},
		{"platoon holds for a short platoon", &SOTL{Variant: SOTLPlatoon, Theta: 20, Mu: 3}, func(t float64, s *NodeSensors) {
			s.In[1].Vehicles = 2
			s.In[0].Near = 0
			if t < 25 {
				s.In[0].Near = 2 // a platoon of 2 crossing on green
			}
		}, "0×25 -1×5"},
		{"platoon cut when longer than mu", &SOTL{Variant: SOTLPlatoon, Theta: 20, Mu: 3}, func(t float64, s *NodeSensors) {
			s.In[1].Vehicles, s.In[0].Near = 2, 5
		}, "0×10 -1×6 1×14"},
		{"no demand keeps green", &SOTL{Variant: SOTLPlatoon}, func(t float64, s *NodeSensors) {}, "0×30"},
		// The threshold rule: halting vehicles, red over MaxRedVehicles and
		// green at most MinGreenVehicles, after PhiMin.
		{"threshold: no demand keeps green", &SOTL{}, func(t float64, s *NodeSensors) {}, "0×30"},
		{"threshold: red not above max_red", &SOTL{}, func(t float64, s *NodeSensors) { s.In[1].Halting, s.In[0].Vehicles = 5, 3 }, "0×30"},
		{"threshold: an empty green yields to one waiting vehicle (rule 4)", &SOTL{}, func(t float64, s *NodeSensors) {
			if t > 0 {
				s.In[1].Halting = 1
			}
		}, "0×5 -1×6 1×19"},
		{"threshold: red above max_red", &SOTL{}, func(t float64, s *NodeSensors) {
			if t > 0 {
				s.In[1].Halting = 6
			}
		}, "0×5 -1×6 1×19"},
		{"threshold: first decision", &SOTL{}, func(t float64, s *NodeSensors) { s.In[1].Halting = 6 }, "1×30"},
		{"threshold: waits phi_min", &SOTL{PhiMin: new(12.0)}, func(t float64, s *NodeSensors) {
			if t > 0 {
				s.In[1].Halting = 6
			}
		}, "0×12 -1×6 1×12"},
		{"threshold: green queue holds", &SOTL{MinGreenVehicles: new(3)}, func(t float64, s *NodeSensors) {
			s.In[1].Halting = 9
			s.In[0].Halting, s.In[0].Vehicles = 0, 0
			if t < 20 {
				s.In[0].Halting, s.In[0].Vehicles = 4, 4 // more than min_green_vehicles still waiting on green
			}
		}, "0×20 -1×6 1×4"},
	} {
		_, shown := drive(p, tc.c, Guard{MinGreen: 5}, sensors(2), 30, tc.feed)
		if got := runs(shown); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestWebsterPlan(t *testing.T) {
	p := twoPhase() // yellow 4 + all-red 2: lost 6 s per phase
	// y₁ = 540/1800 = 0.3, y₂ = 360/1800 = 0.2: Y = 0.5, L = 12,
	// C₀ = (1.5·12 + 5)/(1 − 0.5) = 46, greens (46 − 12)·y/Y = 20.4, 13.6.
	w := &Webster{Flows: []float64{540, 360}, NoObserve: true}
	w.Decide(View{Now: 0, Phase: 0, Program: p, Sensors: sensors(2), First: true})
	phases, green := w.Greens()
	if !slices.Equal(phases, []int{0, 1}) || math.Abs(green[0]-20.4) > 1e-9 || math.Abs(green[1]-13.6) > 1e-9 {
		t.Errorf("plan %v %v, want [0 1] [20.4 13.6]", phases, green)
	}
	// Saturated: the maximum cycle, split by flow ratio.
	w = &Webster{Flows: []float64{1620, 180}, NoObserve: true, MaxCycle: 100}
	w.Decide(View{Now: 0, Phase: 0, Program: p, Sensors: sensors(2), First: true})
	if _, green := w.Greens(); math.Abs(green[0]-79.2) > 1e-9 || math.Abs(green[1]-8.8) > 1e-9 {
		t.Errorf("saturated plan %v, want [79.2 8.8]", green)
	}
}

func TestWebsterObserves(t *testing.T) {
	p := twoPhase()
	// Loops count 0.3 veh/s on movement 0 and 0.1 veh/s on movement 1:
	// 1080 and 360 veh/h, y = 0.6 and 0.2, C₀ = 23/0.2 = 115 s.
	feed := func(t float64, s *NodeSensors) {
		s.In[0].Count = int64(0.3 * t)
		s.In[1].Count = int64(0.1 * t)
	}
	w := &Webster{K: 1}
	drive(p, w, Guard{MinGreen: 5}, sensors(2), 400, feed)
	_, green := w.Greens()
	// (115 − 12)·0.6/0.8 = 77.25 and 25.75, up to the counting grain.
	if math.Abs(green[0]-77.25) > 3 || math.Abs(green[1]-25.75) > 3 {
		t.Errorf("observed plan %v, want about [77.25 25.75]", green)
	}
}

func TestExternal(t *testing.T) {
	e := &External{}
	if got := e.Requested(); got != -1 {
		t.Errorf("zero value requests %d, want -1", got)
	}
	p := twoPhase()
	pl := NewPlant(p, e)
	pl.Guard = Guard{MinGreen: 5}
	lights := make([]Light, 2)
	var shown []int
	for k := 0; k < 30; k++ {
		switch k {
		case 2:
			e.Request(1) // refused until t = 5
		case 20:
			e.Request(-1)
		}
		pl.Update(float64(k), 1, lights)
		ph, st := pl.Phase()
		if st != StageGreen {
			ph = -1
		}
		shown = append(shown, ph)
	}
	if got, want := runs(shown), "0×5 -1×6 1×19"; got != want {
		t.Errorf("phases %s, want %s", got, want)
	}
	if pl.Refused != 3 {
		t.Errorf("refused %d, want 3 (t = 2, 3, 4)", pl.Refused)
	}
	c := e.Clone().(*External)
	e.Request(0)
	if c.Requested() != -1 {
		t.Errorf("the clone follows the original")
	}
}

func TestClones(t *testing.T) {
	// A clone decides like the original from the same state, and
	// independently afterwards.
	p := cfProgram()
	s := sensors(4)
	s.In[0].Vehicles, s.In[3].Vehicles = 3, 5
	for _, c := range []interface {
		Controller
		Clone() Controller
	}{&MaxPressure{}, &SOTL{}, &Actuated{}, &Webster{}} {
		v := View{Now: 0, Phase: 0, Program: p, Sensors: s, First: true}
		c.Decide(v)
		cl := c.Clone()
		for k := 1; k < 40; k++ {
			v = View{Now: float64(k), GreenFor: float64(k), Phase: 1, Program: p, Sensors: s}
			if a, b := c.Decide(v), cl.Decide(v); a != b {
				t.Errorf("%T: at t=%d the clone decides %d, the original %d", c, k, b, a)
				break
			}
		}
	}
}

// TestMaxPressureWeights checks the published pressure against the old
// variant where they disagree: a movement whose one incoming lane feeds
// three exit lanes.
func TestMaxPressureWeights(t *testing.T) {
	p := twoPhase()
	// Movement 0: lane 0 → exit lanes 0, 1, 2 (4 vehicles each), 10 up.
	// Movement 1: lane 1 → exit lane 3 (0 vehicles), 7 up.
	s := &NodeSensors{In: make([]LaneSensors, 2), Out: make([]LaneSensors, 4),
		MovIn: [][]int{{0}, {1}}, MovOut: [][]int{{0, 1, 2}, {3}},
		MovLinks: [][]LanePair{{{0, 0}, {0, 1}, {0, 2}}, {{1, 3}}}}
	s.In[0].Vehicles, s.In[1].Vehicles = 10, 7
	for i := 0; i < 3; i++ {
		s.Out[i].Vehicles = 4
	}
	for _, tc := range []struct {
		v    MaxPressureVariant
		want int // average: 10 − 4 = 6 < 7; all downstream: 10 − 12 = −2 < 7
	}{{MaxPressureAverage, 1}, {MaxPressureAllDownstream, 1}} {
		mp := &MaxPressure{Variant: tc.v}
		if got := mp.Decide(View{Phase: 0, Program: p, Sensors: s, First: true}); got != tc.want {
			t.Errorf("%v: phase %d, want %d", tc.v, got, tc.want)
		}
	}
	s.In[1].Vehicles = 5 // average: 6 > 5 keeps phase 0; all downstream: −2 < 5
	for _, tc := range []struct {
		v    MaxPressureVariant
		want int
	}{{MaxPressureAverage, 0}, {MaxPressureAllDownstream, 1}} {
		mp := &MaxPressure{Variant: tc.v}
		if got := mp.Decide(View{Phase: 0, Program: p, Sensors: s, First: true}); got != tc.want {
			t.Errorf("%v, 5 up on movement 1: phase %d, want %d", tc.v, got, tc.want)
		}
	}
}

// TestFixedTimeYellowInside checks that the change interval counts inside
// the phase times.
func TestFixedTimeYellowInside(t *testing.T) {
	p := twoPhase() // 30 s and 20 s, yellow 4 s, all-red 2 s
	f := FixedTime{YellowInside: true}
	if err := f.Check(p); err != nil {
		t.Fatal(err)
	}
	if c := f.Cycle(p); c != 50 {
		t.Errorf("cycle %g s, want 50", c)
	}
	_, shown := drive(p, f, Guard{MinGreen: 5}, sensors(2), 100, nil)
	if got, want := runs(shown), "0×24 -1×6 1×14 -1×6 0×24 -1×6 1×14 -1×6"; got != want {
		t.Errorf("shown %s, want %s", got, want)
	}
	short := &maps.Program{Yellow: 4, AllRed: 2, Phases: []maps.Phase{{Duration: 6, State: "Gr"}, {Duration: 20, State: "rG"}}}
	if err := f.Check(short); err == nil {
		t.Errorf("a 6 s phase with a 6 s change interval inside: no error")
	}
}

// TestSOTLThresholdTarget checks where the threshold rule goes: to the
// phase whose queue has waited longest (largest κ of halting
// vehicle-seconds), not the one with the most vehicles now.
func TestSOTLThresholdTarget(t *testing.T) {
	p := cfProgram() // set: phases 1 (movement 0), 2 (movement 1), 3 (movement 3)
	so := &SOTL{}
	s := sensors(4)
	got := -1
	for now := 0.0; now <= 30; now++ {
		s.In[0].Vehicles = 5 // moving on green
		s.In[1].Halting = 3  // phase 2's queue, waiting from the start
		s.In[3].Halting = 0
		if now >= 25 {
			s.In[3].Halting = 40 // a bigger queue, but a new one
		}
		got = so.Decide(View{Now: now, GreenFor: now, Phase: 1, Program: p, Sensors: s, Guard: Guard{MinGreen: 5}})
		if now < 25 && got != 1 {
			t.Fatalf("t=%g: phase %d before the red queue exceeds max_red, want 1", now, got)
		}
		if now >= 25 {
			break
		}
	}
	if got != 2 {
		t.Errorf("changed to phase %d, want 2 (waited 25 s × 3 vehicles against 1 s × 40)", got)
	}
}

// TestFixedTimeHold checks the plant's shortcut for the plain fixed-time
// plan (Plant.decide: not asked again while it keeps its phase) against
// asking it at every step, and the lazily kept redSince against its
// meaning, over programs with offsets before and after the start,
// fractional durations and several step lengths, with a maximum red
// acting on halting vehicles.
func TestFixedTimeHold(t *testing.T) {
	offset := func(p *maps.Program, off float64) *maps.Program { p.Offset = off; return p }
	programs := map[string]*maps.Program{
		"cityflow":       cfProgram(),
		"two phases":     twoPhase(),
		"offset":         offset(cfProgram(), 17.3),
		"negative":       offset(twoPhase(), -41.7),
		"fractional":     {Yellow: 2.5, AllRed: 0.7, Offset: 3.1, Phases: []maps.Phase{{Duration: 7.3, State: "Gr"}, {Duration: 0.9, State: "GG"}, {Duration: 11.1, State: "rG"}}},
		"no yellow":      {Phases: []maps.Phase{{Duration: 10, State: "Gr"}, {Duration: 10, State: "rG"}}},
		"all-red only":   {AllRed: 1.5, Phases: []maps.Phase{{Duration: 4.2, State: "Gr"}, {Duration: 6, State: "rG"}}},
		"long cycle off": offset(cfProgram(), 1e5+0.25),
	}
	asked := 0
	every := ControllerFunc(func(v View) int { asked++; return FixedTime{}.Decide(v) })
	for name, p := range programs {
		for _, dt := range []float64{1, 0.5, 0.1, 0.3} {
			n := len(p.Phases[0].State)
			s := sensors(n)
			a, b := NewPlant(p, FixedTime{}), NewPlant(p, every)
			a.Guard, b.Guard = Guard{MinGreen: 5, MaxRed: 25}, Guard{MinGreen: 5, MaxRed: 25}
			la, lb := make([]Light, n), make([]Light, n)
			lastLit := make([]float64, n) // end of the last step each movement was not red
			asked = 0
			steps := int(400 / dt)
			for k := 0; k < steps; k++ {
				now := float64(float64(k) * dt)       // rounded here: not fused into now + dt below (arm64 FMA)
				s.In[n-1].Halting = int((k / 37) % 2) // a queue now and then on the last movement
				a.UpdateSensed(now, dt, la, s, 0)
				b.UpdateSensed(now, dt, lb, s, 0)
				if a.State() != b.State() || !slices.Equal(la, lb) || a.Refused != b.Refused || a.Forced != b.Forced || !slices.Equal(a.waitFrom, b.waitFrom) {
					t.Fatalf("%s, step %g s, t = %g s: held plan %+v %v refused %d forced %d waits %v, asked every step %+v %v refused %d forced %d waits %v",
						name, dt, now, a.State(), la, a.Refused, a.Forced, a.waitFrom, b.State(), lb, b.Refused, b.Forced, b.waitFrom)
				}
				for m, l := range la {
					if l != Red {
						lastLit[m] = now + dt
					} else if a.redSince[m] != lastLit[m] {
						t.Fatalf("%s, step %g s, t = %g s: movement %d red since %g s, want %g", name, dt, now, m, a.redSince[m], lastLit[m])
					}
				}
			}
			if asked < steps/2 {
				t.Fatalf("%s, step %g s: the plan was asked %d times in %d steps", name, dt, asked, steps)
			}
		}
	}
}
