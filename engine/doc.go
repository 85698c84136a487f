// Package engine runs the microscopic traffic simulation: vehicles follow
// their routes lane by lane over a maps.Network, change lanes, cross
// junctions under signals or priority rules, and are counted on the way.
//
// A [Sim] is one running simulation. Make it with [New] from a network, a
// [Config] and the trips of the demand, or from a scenario file with
// scenarios.Build and Run.NewSimulation (a scenarios.Simulation embeds a
// Sim and applies the scenario's switches and events as it steps).
// Advance it with [Sim.Step] (one step of Config.Step seconds) or
// [Sim.RunUntil], and Close it when done:
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
// # Floating point: the same bits on every machine
//
// Results are also bit-identical across CPU architectures (amd64, arm64,
// ppc64le, s390x, riscv64, loong64; amd64 with GOAMD64=v3), so that runs
// sharded over mixed clusters pair up. Two things break that, and every
// line of code on a path that affects results — this package, maps,
// scenarios, bench, twin, the outputs — must avoid both:
//
//  1. Fused multiply-add. The Go specification lets the compiler compute
//     x*y + z with one rounding instead of two, and it does on arm64,
//     ppc64le, s390x, riscv64, loong64 and amd64.v3 but not on plain amd64.
//     An explicit conversion rounds and so prevents it: write every
//     product (or quotient by a constant, x/2 being compiled as x*0.5) that
//     is added to or subtracted from something as float64(x*y) + z —
//     float32(…) for float32 — including a product computed in an earlier
//     statement (p := float64(a*b) or z - float64(p)) and a product that
//     is doubled (2*p is compiled as p+p). Sums, products alone,
//     comparisons, Sqrt, min and max are exact or correctly rounded and
//     need nothing.
//  2. Math functions whose last bits differ between architectures: math
//     Sin, Cos, Tan, Atan, Atan2, Exp, Log, Pow, Hypot (assembly on some
//     architectures, fused on others) and (*rand.Rand).NormFloat64 and
//     ExpFloat64 (which call them). Use internal/detmath instead; its doc
//     gives the algorithms and their accuracy. Third-party float code (orb's
//     planar and project, gonum's stat) is compiled with fusion too:
//     write such code here, under this rule. Also avoid converting a
//     negative, NaN or out-of-range float to an integer type (the result
//     depends on the architecture); convert to int64 first, not uint64.
//
// Go never reorders floating-point operations, so nothing else is needed.
// The tests of internal/fpcheck enforce both rules in every CI run: one
// compiles the module for arm64 (and, in test.sh, every other fusing
// architecture) and fails on any fused instruction in a results package,
// naming the file, the line and the rewrite; the other fails on any call
// of the functions above. test.sh also runs the determinism scenarios
// under qemu-aarch64-static and compares their run digests with amd64's.
//
// # Data layout
//
// The step's cost is mostly memory, not arithmetic: on a city-sized
// network the segments (lanes and links) and their vehicles do not fit in
// the caches, so where a field lives decides how fast a phase runs
// (bench/README.md, "Cache lines, not instructions"). The rules:
//
//   - A segment's vehicles are a slice in driving order (front first); the
//     leader of a vehicle is the element before it. From packMin running
//     vehicles on, the lanes' slices are packed every packEvery steps into
//     one array in lane order, so that the phases' walks over the lanes
//     read them as one stream (pack.go); a slice's capacity never reaches
//     into the next lane's.
//   - The segment struct is two cache lines (TestSegmentLayout): line 0 is
//     what a vehicle about to enter a lane reads, line 1 what a foe or a
//     merging vehicle reads of a link and of the lane feeding it, and the
//     segment's vehicles. Everything else lives apart, in dense arrays
//     (most segments are links, so a segment's size is the network's
//     memory): the road (segRoad), a link's exit lane and movement
//     (linkLane, linkMov), statistics (acc), a lane's yield point
//     (yield), node and topology lists (laneT, linkT); lanes come first
//     in segs, links after (isLink).
//   - What a phase asks of many other segments lives in dense per-segment
//     arrays of the Sim, not in the segment: occupancy (occ), the link the
//     first vehicle of each lane has chosen (headTo, headLink), and the
//     bitmaps of the segments holding vehicles (live) and of those whose
//     first/last records describe one (shown), one 64-bit word per chunk
//     (live.go).
//     A phase tests these before touching a segment; every change of a
//     segment's vehicle list between empty and not empty goes through
//     setLive (checkInvariants holds the arrays to the segments).
//   - Per-vehicle data the step does not touch every time stays out of the
//     vehicle's hot record (car): trips, routes, counters (vehicle, tripRec).
//     At a million vehicles every byte of these is a megabyte: what most
//     vehicles leave at zero (trip IDs, given lane index and speed,
//     teleports, missed turns, the free-flow time of a route left) sits in
//     Sim.cold, and what one is computed from (the free-flow time of the
//     route kept) is computed when asked for, not stored.
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
