package scenarios_test

import (
	"fmt"

	"github.com/citytwin/citytwin/scenarios"
)

func ExampleParse() {
	s, err := scenarios.Parse([]byte(`
duration = 3600     # s
[network.grid]
rows = 2
cols = 2
[[demand.flows]]
from = "road_0_1_0"
to = "road_2_1_0"
rate = 600          # veh/h
`), "runs/demo.toml")
	if err != nil {
		fmt.Println(err)
		return
	}
	car := s.VTypes[0]
	fmt.Println(s.Name, s.Step, s.Output.Dir)
	fmt.Println(car.ID, car.Model, car.Length, car.MaxSpeed)
	fmt.Println(s.Demand.Flows[0].Distribution, s.Demand.Flows[0].End)
	fmt.Println(s.Resolve("net.geojson"))
	// Output:
	// demo 1 out/demo
	// car idm 5 50
	// poisson 3600
	// runs/net.geojson
}

func ExampleParse_errors() {
	_, err := scenarios.Parse([]byte(`
duration = 3600
[network.grid]
rows = 2
cols = 2
[[vtypes]]
id = "car"
lenght = 7
accel = 12
`), "demo.toml")
	fmt.Println(err)
	// Output:
	// scenarios: demo.toml:8: vtypes[0].lenght: unknown key
}

// A scenario can be written in Go instead of TOML: keys left unset take
// their defaults when it is built, as when a file is parsed.
func ExampleBuild() {
	sc := &scenarios.Scenario{
		Seed:     7,
		Duration: 600, // s
		Network:  scenarios.Network{Grid: &scenarios.Grid{Rows: 2, Cols: 2}},
		Demand: scenarios.Demand{Random: []scenarios.RandomTrips{
			{Rate: 1200, MinLength: 150}, // veh/h, m
		}},
		Workers: 1,
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		fmt.Println(err)
		return
	}
	sim, err := run.NewSimulation()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	sim.RunUntil(run.End())
	c := sim.Counts()
	fmt.Println(sc.Step, sc.VTypes[0].ID, len(run.Network.Roads))
	fmt.Println(c.Trips, c.Arrived, c.Teleports)
	// Output:
	// 1 car 24
	// 212 181 0
}
