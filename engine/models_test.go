package engine_test

import (
	"fmt"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/scenarios"
)

// viaInterface hides a model's concrete type from the engine's direct
// calls (IDM, CityFlow): it has the model's Accel, embedded, but is
// another type, so the engine calls it through the follow.Model
// interface, as it calls any model it does not know.
type viaInterface struct{ follow.Model }

// UsesRand forwards the wrapped model's follow.Random answer.
func (w viaInterface) UsesRand() bool { return follow.UsesRand(w.Model) }

// TestModelSeam runs a busy grid with each built-in car-following model
// twice, once as it is and once wrapped in a type the engine does not
// know, so that every acceleration goes through follow.Model.Accel: the
// direct paths of IDM and CityFlow (IDM's step limit inlined) and the
// interface path must give the same state hash after every step and the
// same run digest (over 900 s, 300 s with -short).
func TestModelSeam(t *testing.T) {
	for _, tc := range []struct {
		model string
		step  float64
		name  string
		edit  func(*engine.Config)
	}{
		{model: "idm", step: 1},
		{model: "idm", step: 0.5},
		{model: "idm", step: 1, name: "delta=3", edit: func(c *engine.Config) { c.VTypes[0].Follow.Delta = 3 }},
		{model: "krauss", step: 1},
		{model: "cityflow", step: 1, name: "ballistic", edit: func(c *engine.Config) { c.Ballistic = true }},
	} {
		name := fmt.Sprintf("%s/step=%g", tc.model, tc.step)
		if tc.name != "" {
			name += "/" + tc.name
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc, err := scenarios.Parse([]byte(busyGridTOML(tc.step, tc.model, 3000)), "test.toml")
			if err != nil {
				t.Fatal(err)
			}
			r, err := scenarios.Build(sc)
			if err != nil {
				t.Fatal(err)
			}
			r.Config.Workers = 1
			if tc.edit != nil {
				tc.edit(&r.Config)
			}
			direct, err := r.NewSimulation()
			if err != nil {
				t.Fatal(err)
			}
			defer direct.Close()
			vts := append([]engine.VType(nil), r.Config.VTypes...)
			for i := range vts {
				vts[i].Model = viaInterface{vts[i].Model}
			}
			r.Config.VTypes = vts
			wrapped, err := r.NewSimulation()
			if err != nil {
				t.Fatal(err)
			}
			defer wrapped.Close()
			until := 900.0
			if testing.Short() {
				until = 300
			}
			for direct.Time() < until {
				if err := direct.Step(); err != nil {
					t.Fatal(err)
				}
				if err := wrapped.Step(); err != nil {
					t.Fatal(err)
				}
				if a, b := direct.Hash(), wrapped.Hash(); a != b {
					t.Fatalf("t=%g s: state hash %016x directly, %016x through follow.Model", direct.Time(), a, b)
				}
			}
			if direct.Counts().Running == 0 {
				t.Fatalf("no vehicle running at %g s: the comparison is empty", until)
			}
			if a, b := direct.Digest(), wrapped.Digest(); a != b {
				t.Errorf("run digest %016x directly, %016x through follow.Model", a, b)
			}
		})
	}
}

// cruise is a car-following model the engine does not know: it asks for
// the desired speed capped at speed (m/s), reached within one step, and
// records the largest Rand it was given.
type cruise struct {
	speed   float64
	maxRand *float64
}

func (m cruise) Accel(p *follow.Params, s follow.Situation) float64 {
	*m.maxRand = max(*m.maxRand, s.Rand)
	return (min(s.DesiredSpeed, m.speed) - s.Speed) / s.Step
}

// dawdler is cruise asking for a random draw.
type dawdler struct{ cruise }

func (dawdler) UsesRand() bool { return true }

// TestNewModel drives vehicles with models defined here, as a new model
// would be: the engine calls them (no vehicle exceeds the model's speed,
// and vehicles reach it), passes a uniform draw in [0, 1) to a model that
// implements follow.Random and 0 to one that does not.
func TestNewModel(t *testing.T) {
	for _, random := range []bool{false, true} {
		t.Run(fmt.Sprintf("random=%v", random), func(t *testing.T) {
			j := newJunction(t, 1, 13.89)
			j.program(withDuration(j.green, 10000))
			var trips []engine.Trip
			for i := range 10 {
				trips = append(trips, engine.Trip{Depart: float64(3 * i), From: j.W, To: j.E, DepartSpeed: engine.DepartSpeedGiven})
			}
			var maxRand float64
			var m follow.Model = cruise{speed: 7, maxRand: &maxRand}
			if random {
				m = dawdler{cruise{speed: 7, maxRand: &maxRand}}
			}
			sim, w := j.start(t, 1, trips, func(cfg *engine.Config) { cfg.VTypes[0].Model = m })
			fastest := 0.0
			for sim.Time() < 200 {
				if err := w.step(sim); err != nil {
					t.Fatal(err)
				}
				for _, v := range w.snap.Vehicles {
					fastest = max(fastest, v.Speed)
				}
			}
			if fastest > 7+1e-9 || fastest < 7-1e-9 {
				t.Errorf("fastest vehicle %g m/s, want the model's 7 m/s", fastest)
			}
			if c := sim.Counts(); c.Arrived != 10 {
				t.Errorf("%d of 10 arrived", c.Arrived)
			}
			switch {
			case random && !(maxRand > 0 && maxRand < 1):
				t.Errorf("largest draw %g given to a follow.Random model, want one in (0, 1)", maxRand)
			case !random && maxRand != 0:
				t.Errorf("draw %g given to a model that is not follow.Random, want 0", maxRand)
			}
		})
	}
}

// cruiseAt asks for the desired speed capped at its value (m/s), reached
// within one step: cruise without the recorder, so that parallel workers
// may call it.
type cruiseAt float64

func (m cruiseAt) Accel(p *follow.Params, s follow.Situation) float64 {
	return (min(s.DesiredSpeed, float64(m)) - s.Speed) / s.Step
}

// A model registered by name, as a program adding one would: scenario
// files name it like the built-ins.
func init() { follow.Register("test-cruise", cruiseAt(7)) }

// TestRegisteredModel runs a busy grid whose vehicle type names the
// registered model: the scenario validates and builds, and every vehicle
// drives at most the model's 7 m/s after its first step (it may enter at
// the departure speed).
func TestRegisteredModel(t *testing.T) {
	_, sim := mustSim(t, busyGridTOML(1, "test-cruise", 3000), nil)
	var snap engine.Snapshot
	seen := map[int32]bool{}
	fastest := 0.0
	for sim.Time() < 600 {
		sim.Step()
		sim.Snapshot(&snap)
		now := map[int32]bool{}
		for _, v := range snap.Vehicles {
			now[v.ID] = true
			if seen[v.ID] {
				fastest = max(fastest, v.Speed)
			}
		}
		seen = now
	}
	if c := sim.Counts(); c.Arrived == 0 || fastest < 7-1e-9 || fastest > 7+1e-9 {
		t.Errorf("%d arrived, fastest %g m/s after a first step; want arrivals and the model's 7 m/s", c.Arrived, fastest)
	}
}
