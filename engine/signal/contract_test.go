package signal_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/internal/testnet"
	"github.com/citytwin/citytwin/maps"
)

// contractPolicies are the controllers every contract test runs: each
// built-in policy in its variants, and two that misbehave on purpose so
// that the guard has something to refuse and force.
func contractPolicies() []struct {
	name     string
	make     func(v maps.NodeID) signal.Controller
	wellBred bool // asks for nothing the guard must refuse
} {
	return []struct {
		name     string
		make     func(v maps.NodeID) signal.Controller
		wellBred bool
	}{
		{"fixed_time", func(maps.NodeID) signal.Controller { return signal.FixedTime{} }, true},
		{"fixed_time/short", func(maps.NodeID) signal.Controller { return signal.FixedTime{Green: []float64{8}, Offset: 7} }, true},
		{"webster", func(maps.NodeID) signal.Controller { return &signal.Webster{K: 1, MinCycle: 30} }, true},
		{"actuated", func(maps.NodeID) signal.Controller { return &signal.Actuated{} }, true},
		{"max_pressure", func(maps.NodeID) signal.Controller { return &signal.MaxPressure{} }, true},
		{"max_pressure/fast", func(maps.NodeID) signal.Controller { return &signal.MaxPressure{Delta: 1, MinGreen: new(1.0)} }, true},
		{"max_pressure/all_downstream", func(maps.NodeID) signal.Controller {
			return &signal.MaxPressure{Variant: signal.MaxPressureAllDownstream}
		}, true},
		{"fixed_time/yellow_inside", func(maps.NodeID) signal.Controller { return signal.FixedTime{YellowInside: true} }, true},
		{"sotl/threshold", func(maps.NodeID) signal.Controller { return &signal.SOTL{} }, true},
		{"sotl/request", func(maps.NodeID) signal.Controller { return &signal.SOTL{Variant: signal.SOTLRequest, Theta: 5} }, true},
		{"sotl/phase", func(maps.NodeID) signal.Controller { return &signal.SOTL{Variant: signal.SOTLPhase} }, true},
		{"sotl/platoon", func(maps.NodeID) signal.Controller { return &signal.SOTL{Variant: signal.SOTLPlatoon} }, true},
		// Holds its request even before the minimum green: refused after
		// every change the guard forces.
		{"external/held", func(maps.NodeID) signal.Controller { e := &signal.External{}; e.Request(1); return e }, false},
		{"random", func(v maps.NodeID) signal.Controller {
			// Asks for a random phase, valid or not, every step.
			rng := rand.New(rand.NewPCG(uint64(v), 7))
			return signal.ControllerFunc(func(view signal.View) int { return rng.IntN(len(view.Program.Phases)+2) - 1 })
		}, false},
		{"stubborn", func(maps.NodeID) signal.Controller {
			// Never leaves its phase: only the guard's maximum red serves
			// the others.
			return signal.ControllerFunc(func(view signal.View) int { return view.Phase })
		}, true},
	}
}

// contractNet is a network with demand between its boundary roads.
type contractNet struct {
	name  string
	net   *maps.Network
	trips []engine.Trip
	// program replaces every signal program when set (to give CityFlow
	// programs a yellow and an all-red).
	program func(p *maps.Program) *maps.Program
}

func contractNets(t *testing.T) []contractNet {
	grid, err := maps.Grid(maps.GridOptions{Rows: 2, Cols: 2, Block: 200, Lanes: 2})
	if err != nil {
		t.Fatal(err)
	}
	cf, err := maps.ReadCityFlow(testnet.CityFlowGrid(2, 2, 250), "cityflow-2x2")
	if err != nil {
		t.Fatal(err)
	}
	withChange := func(p *maps.Program) *maps.Program {
		c := *p
		c.Yellow, c.AllRed = 3, 2
		return &c
	}
	return []contractNet{
		{name: "grid-2x2", net: grid, trips: boundaryTrips(grid, 1500, 900)},
		{name: "cityflow-2x2", net: cf, trips: boundaryTrips(cf, 1500, 900), program: withChange},
	}
}

// boundaryTrips draws rate veh/h of trips over [0, end) s between roads
// entering and leaving the network at its boundary.
func boundaryTrips(n *maps.Network, rate, end float64) []engine.Trip {
	var in, out []maps.RoadID
	for r := range n.Roads {
		road := &n.Roads[r]
		if n.Nodes[road.From].Kind == maps.Boundary {
			in = append(in, maps.RoadID(r))
		}
		if n.Nodes[road.To].Kind == maps.Boundary {
			out = append(out, maps.RoadID(r))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var trips []engine.Trip
	for t := rng.ExpFloat64() * 3600 / rate; t < end; t += rng.ExpFloat64() * 3600 / rate {
		o, d := in[rng.IntN(len(in))], out[rng.IntN(len(out))]
		if n.Roads[o].From == n.Roads[d].To {
			continue
		}
		trips = append(trips, engine.Trip{Depart: t, From: o, To: d})
	}
	return trips
}

// TestControllerContract runs every policy under the guard on a grid and
// on a CityFlow-style network and checks, step by step, the lights the
// engine applied:
//
//   - no two exclusive movements (ConflictMatrix.Exclusive) ever have a
//     protected green together (one may give way: 'g');
//   - a movement losing its green shows yellow for exactly the program's
//     yellow time first, and a movement gaining green does so only after
//     every exclusive movement has been red for the all-red time;
//   - every green lasts at least the guard's minimum green;
//   - a movement with halting vehicles waits at most the guard's maximum
//     red (plus the change interval and minimum green of one other
//     overdue movement, the documented exception), and none is left
//     waiting longer at the end;
//   - well-behaved policies are never refused by the guard.
func TestControllerContract(t *testing.T) {
	const duration = 1200.0
	guard := signal.Guard{MinGreen: 5, MaxRed: 90}
	for _, nc := range contractNets(t) {
		for _, pc := range contractPolicies() {
			// Whole-second steps, and half-second ones on the CityFlow-style
			// network.
			dt := 1.0
			if nc.name == "cityflow-2x2" && len(pc.name)%2 == 0 {
				dt = 0.5
			}
			t.Run(fmt.Sprintf("%s/%s/dt=%g", nc.name, pc.name, dt), func(t *testing.T) {
				t.Parallel()
				cfg := engine.DefaultConfig()
				cfg.Step, cfg.Seed, cfg.Workers, cfg.Teleport = dt, 1, 2, -1
				cfg.Guard = &guard
				cfg.Controllers = func(v maps.NodeID) engine.Controller { return pc.make(v) }
				sim, err := engine.New(nc.net, cfg, nc.trips)
				if err != nil {
					t.Fatal(err)
				}
				defer sim.Close()
				var nodes []maps.NodeID
				for v := range nc.net.Nodes {
					if p := sim.Plant(maps.NodeID(v)); p != nil {
						nodes = append(nodes, maps.NodeID(v))
						if nc.program != nil {
							if err := sim.SetProgram(maps.NodeID(v), nc.program(p.Program)); err != nil {
								t.Fatal(err)
							}
						}
					}
				}
				c := newLightChecker(sim, nodes, guard, dt)
				c.starving = !pc.wellBred || pc.name == "stubborn"
				for sim.Time() < duration-1e-9 {
					sim.Step()
					c.check(t, sim)
					if t.Failed() {
						return
					}
				}
				c.finish(t, sim)
				refused, forced := sim.GuardCounts()
				if pc.wellBred && refused > 0 {
					t.Errorf("the guard refused %d decisions of a well-behaved policy (and forced %d changes)", refused, forced)
				}
				if pc.name == "random" && refused == 0 {
					t.Errorf("the guard refused nothing of a random controller")
				}
				if pc.name == "stubborn" && forced == 0 {
					t.Errorf("the guard forced no change on a controller that never changes")
				}
				if cnt := sim.Counts(); cnt.Arrived == 0 {
					t.Errorf("no vehicle arrived: %+v", cnt)
				}
			})
		}
	}
}

// lightChecker follows the lights of every signalised node step by step.
type lightChecker struct {
	net   *maps.Network
	nodes []maps.NodeID
	guard signal.Guard
	dt    float64
	snap  engine.Snapshot
	prev  []signal.Light // per movement, the previous step's light
	// greenFrom[m]: start of the current green run (−1 when not green);
	// yellowFrom[m]: start of the current yellow (−1); lastLit[m]: end of
	// the last step m was green or yellow; waitFrom[m]: since when m has
	// been red with halting vehicles (−1).
	greenFrom, yellowFrom, lastLit, waitFrom []float64
	maxWait                                  float64
	// starving marks a controller that serves nobody by itself, so that
	// only the guard's forced changes do.
	starving bool
}

func newLightChecker(sim *engine.Sim, nodes []maps.NodeID, g signal.Guard, dt float64) *lightChecker {
	n := len(sim.Network().Movements)
	c := &lightChecker{net: sim.Network(), nodes: nodes, guard: g, dt: dt, prev: make([]signal.Light, n)}
	for _, p := range []*[]float64{&c.greenFrom, &c.yellowFrom, &c.lastLit, &c.waitFrom} {
		*p = make([]float64, n)
		for i := range *p {
			(*p)[i] = -1
		}
	}
	for i := range c.lastLit {
		c.lastLit[i] = math.Inf(-1)
	}
	for i := range c.prev {
		c.prev[i] = signal.Red
	}
	return c
}

// allowance is the longest a waiting movement may stay red: MaxRed, plus
// the minimum green and change interval of one other overdue movement
// served first — of every other phase when the controller starves
// everybody (then several movements fall overdue together) — plus a
// step of decision and a step of measurement lag.
func (c *lightChecker) allowance(p *maps.Program) float64 {
	others := 1.0
	if c.starving {
		others = float64(len(p.Phases) - 1)
	}
	return c.guard.MaxRed + (p.Yellow + p.AllRed) + others*(c.guard.MinGreen+p.Yellow+p.AllRed) + 2*c.dt
}

func (c *lightChecker) check(t *testing.T, sim *engine.Sim) {
	t.Helper()
	sim.Snapshot(&c.snap)
	end := sim.Time()
	start := end - c.dt
	const eps = 1e-6
	for _, v := range c.nodes {
		nd := &c.net.Nodes[v]
		prog := sim.Plant(v).Program
		mov := func(k int) maps.MovementID { return nd.Movements[k] }
		sens := sim.NodeSensors(int(v))
		for a := range nd.Movements {
			la := c.snap.Lights[mov(a)]
			// Conflicting greens.
			for b := a + 1; b < len(nd.Movements); b++ {
				if la == signal.Green && c.snap.Lights[mov(b)] == signal.Green && nd.Conflicts.Exclusive(a, b) {
					t.Fatalf("t=%g: node %s: exclusive movements %d and %d both with a protected green", start, nd.ID, a, b)
				}
			}
			m := mov(a)
			was := c.prev[m]
			switch {
			case la.IsGreen() && !was.IsGreen():
				// All-red: every exclusive movement dark long enough.
				for b := range nd.Movements {
					if b != a && nd.Conflicts.Exclusive(a, b) && c.lastLit[mov(b)] > start-prog.AllRed+eps {
						t.Fatalf("t=%g: node %s: movement %d turned green %g s after exclusive movement %d was lit; all-red is %g s",
							start, nd.ID, a, start-c.lastLit[mov(b)], b, prog.AllRed)
					}
				}
				if w := c.waitFrom[m]; w >= 0 {
					c.maxWait = math.Max(c.maxWait, start-w)
					if c.guard.MaxRed > 0 && start-w > c.allowance(prog)+eps {
						t.Fatalf("t=%g: node %s: movement %d waited %g s with halting vehicles; max red %g s",
							start, nd.ID, a, start-w, c.guard.MaxRed)
					}
				}
				c.greenFrom[m], c.waitFrom[m] = start, -1
			case !la.IsGreen() && was.IsGreen():
				if g := start - c.greenFrom[m]; g < c.guard.MinGreen-eps {
					t.Fatalf("t=%g: node %s: movement %d was green only %g s; min green %g s", start, nd.ID, a, g, c.guard.MinGreen)
				}
				if prog.Yellow > 0 && la != signal.Yellow {
					t.Fatalf("t=%g: node %s: movement %d went from green to %v without yellow", start, nd.ID, a, la)
				}
				c.greenFrom[m] = -1
			}
			switch {
			case la == signal.Yellow && was != signal.Yellow:
				c.yellowFrom[m] = start
			case la != signal.Yellow && was == signal.Yellow:
				if y := start - c.yellowFrom[m]; math.Abs(y-prog.Yellow) > eps {
					t.Fatalf("t=%g: node %s: movement %d showed yellow %g s, the program's yellow is %g s", start, nd.ID, a, y, prog.Yellow)
				}
				if la.IsGreen() {
					t.Fatalf("t=%g: node %s: movement %d went from yellow back to green", start, nd.ID, a)
				}
			}
			if la != signal.Red {
				c.lastLit[m] = end
				c.waitFrom[m] = -1
			} else if halting(sens, a) {
				if c.waitFrom[m] < 0 {
					c.waitFrom[m] = end
				}
			} else {
				c.waitFrom[m] = -1
			}
			c.prev[m] = la
		}
	}
}

// finish checks that no movement is left waiting longer than allowed.
func (c *lightChecker) finish(t *testing.T, sim *engine.Sim) {
	t.Helper()
	for _, v := range c.nodes {
		nd := &c.net.Nodes[v]
		for a, m := range nd.Movements {
			if w := c.waitFrom[m]; w >= 0 && c.guard.MaxRed > 0 && sim.Time()-w > c.allowance(sim.Plant(v).Program)+1e-6 {
				t.Errorf("node %s: movement %d has waited %g s at the end; max red %g s", nd.ID, a, sim.Time()-w, c.guard.MaxRed)
			}
		}
	}
	t.Logf("longest wait with halting vehicles on red: %g s (max red %g s)", c.maxWait, c.guard.MaxRed)
}

func halting(s *signal.NodeSensors, m int) bool {
	if s == nil {
		return false
	}
	for _, i := range s.MovIn[m] {
		if s.In[i].Halting > 0 {
			return true
		}
	}
	return false
}

// TestContractNetworks checks the test networks themselves: the
// CityFlow-style one has the benchmark's 9 phases with a clearance phase
// 0, the grid its two main phases (permissive lefts, no dominated phase).
func TestContractNetworks(t *testing.T) {
	for _, nc := range contractNets(t) {
		for v := range nc.net.Nodes {
			nd := &nc.net.Nodes[v]
			if nd.Program == nil {
				continue
			}
			got := fmt.Sprint(signal.DefaultPhases(nd.Program))
			want := "[0 1]" // both main phases
			if nc.name == "cityflow-2x2" {
				want = "[1 2 3 4 5 6 7 8]" // phase 0 (right turns) is dominated
			}
			if got != want {
				t.Errorf("%s: node %s: default phases %s, want %s", nc.name, nd.ID, got, want)
			}
		}
		if len(nc.trips) < 100 {
			t.Errorf("%s: only %d trips", nc.name, len(nc.trips))
		}
	}
}
