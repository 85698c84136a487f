// Package follow holds the car-following models: given what a driver
// perceives (its speed, the gap to its leader and the leader's speed, its
// desired speed) a Model returns an acceleration.
//
// Models see plain values, never the vehicle or the engine, so they are easy
// to test and to swap: IDM (Treiber, Hennecke & Helbing 2000) is the default,
// Krauss (Krauß 1998, SUMO's default) and CityFlow's rule (Zhang et al. 2019)
// the alternatives, and CACC comes with connected vehicles. Units are SI
// throughout: m, s, m/s, m/s².
//
// An engine vehicle type holds a Model value. Adding a model takes a type
// implementing Model (and Random if it draws on Situation.Rand; Holding,
// optionally, to let the engine leave standing vehicles of a queue
// standing without asking it) and a Register call, which makes its name a
// value of the scenario files' model key (see ExampleRegister); the engine needs no change, as it calls any
// model through the interface. It calls IDM and CityFlow's rule directly
// on its hot path, which computes the same (IDM.Accel is IDMStep: IDMAccel
// with the step limit IDMStepLimit).
//
// The engine takes the minimum acceleration over every constraint a vehicle
// faces (its leader, a stop line, a slower road ahead), then clamps speeds so
// that no vehicle overlaps another; models need not guarantee safety alone.
package follow
