// Package engine runs the microscopic traffic simulation: vehicles follow
// their routes lane by lane over a maps.Network, change lanes, cross
// junctions under signals or priority rules, and are counted on the way.
//
// A [Sim] is one running simulation. Make it with [New] from a network, a
// [Config] and the trips of the demand, or from a scenario file with
// scenarios.Build and Run.NewSim. Advance it with [Sim.Step] (one step of
// Config.Step seconds) or [Sim.RunUntil], and Close it when done:
//
//	sim, err := engine.New(net, engine.DefaultConfig(), trips)
//	if err != nil {
//		return err
//	}
//	defer sim.Close()
//	sim.RunUntil(3600)
//	fmt.Println(sim.Counts().Arrived, sim.Hash())
//
// Between steps, [Sim.Enqueue] queues a [Command] (closing a lane or road,
// a speed limit, added or scaled demand, a controller change, a forced
// phase); queued commands apply in order at the start of the next step.
// [Sim.Snapshot] copies what a viewer needs to draw the state, [Sim.Counts]
// returns the vehicle counters, [Sim.Trip] a trip's record and [Sim.Hash]
// a hash of the full state. [Sim.Clone] and [Sim.Fork] copy a simulation
// for shadow runs. A Sim is not safe for concurrent use.
//
// Units are SI throughout: positions and lengths in metres, times in
// seconds, speeds in m/s, accelerations in m/s²; fuel in mL and CO2 in g.
//
// # Determinism
//
// The same scenario and seed give bit-identical results, and the same
// Hash, for any number of workers. Every random draw comes from a
// generator keyed by the seed and the identity of what is drawn (a vehicle
// id, a message's sender, receiver and step), never from a shared stream.
// Parallel work is split into chunks of fixed size, whatever the worker
// count; each chunk writes only its own slots, and per-chunk results are
// merged in chunk order. Insertion and teleports run serially in trip and
// vehicle id order. [Sim.Step] documents the phases of a step in their
// fixed order.
//
// # Related packages and files
//
// The car-following models (IDM, Krauss, CACC) live in engine/follow and
// signal control (controllers, plants, the safety guard) in engine/signal;
// a signalised node runs a [Controller], set by Config.Controllers or
// [Sim.SetController]. Package engine/output summarises a run and writes
// its files. Connected vehicles and roadside units (SPaT, GLOSA, CACC,
// rerouting) are in v2x.go, configured by [V2X]; the Akçelik fuel and CO2
// model is in fuel.go ([FuelModel]).
package engine
