package signal_test

import (
	"fmt"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// An External controller holds the phase Go code asks for; the plant
// inserts yellow and all-red and refuses changes before the minimum green.
func ExampleExternal() {
	prog := &maps.Program{Yellow: 2, AllRed: 1, Phases: []maps.Phase{
		{Duration: 30, State: "Gr"}, // movement 0 green
		{Duration: 30, State: "rG"}, // movement 1 green
	}}
	ext := &signal.External{}
	plant := signal.NewPlant(prog, ext)
	plant.Guard = signal.Guard{MinGreen: 4}
	lights := make([]signal.Light, 2)
	for t := 0.0; t < 10; t++ {
		if t == 1 {
			ext.Request(1) // an agent's decision, between steps
		}
		plant.Update(t, 1, lights)
		fmt.Printf("t=%g %v%v\n", t, lights[0], lights[1])
	}
	fmt.Println("refused:", plant.Refused)
	// Output:
	// t=0 Gr
	// t=1 Gr
	// t=2 Gr
	// t=3 Gr
	// t=4 yr
	// t=5 yr
	// t=6 rr
	// t=7 rG
	// t=8 rG
	// t=9 rG
	// refused: 3
}
