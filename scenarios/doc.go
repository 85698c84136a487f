// Package scenarios reads, completes and checks CityTwin scenario files,
// the TOML documents that describe one simulation run.
//
// A scenario names a road network (a GeoJSON file, a CityFlow roadnet or a
// generated grid), the vehicle types, the demand (flows, random trips, OD
// matrices, trip files), the signal policy, engine switches and outputs.
// README.md in this folder is the full reference of the format, and
// examples/ holds commented files.
//
// [Load] and [Parse] decode strictly: a key the format does not know is an
// error, not a silent no-op, because a misspelt key (lenght = 7) would
// otherwise run the default without a word. Every problem is reported at
// once, each as an [*Error] naming the file, the line where known, and the
// key path in the form vtypes[1].length. After decoding, [Scenario.ApplyDefaults]
// fills unset keys (the values are the Default… constants and
// [PassengerCar]) and [Scenario.Validate] checks ranges and references.
//
// Units are SI throughout: seconds, metres, m/s, m/s²; rates are vehicles
// per hour.
//
// Checks that need the network, such as whether a road id exists, are not
// made here; building the simulation makes them.
//
// [Build] turns a scenario into a [Run]: its network, engine settings and
// trips, immutable and shared. [Run.NewSimulation] makes one
// [Simulation] of it, which owns everything that changes as it runs (the
// engine simulation, its controllers, its place in the scenario's
// [[signals.switch]] and [[events]] schedule, its per-step collectors);
// [Simulation.Step] applies what is due, steps and collects:
//
//	run, err := scenarios.Build(sc)
//	...
//	sim, err := run.NewSimulation()
//	...
//	defer sim.Close()
//	for !sim.Over() {
//		if err := sim.Step(); err != nil { ... }
//	}
//
// Signal policies are a registry ([Policy], [RegisterPolicy]): each is one
// file with its parameter table, its controller and one registration.
package scenarios
