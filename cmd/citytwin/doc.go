// Citytwin runs CityTwin traffic simulation scenarios, inspects road
// networks, benchmarks the engine, runs policy A/B experiments and serves
// a scenario as a live digital twin.
//
// Usage:
//
//	citytwin run [flags] [SCENARIO.toml]
//	citytwin net inspect [flags] FILE
//	citytwin net export [flags] FILE -o OUT
//	citytwin bench [flags]
//	citytwin ab [flags] EXPERIMENT.toml
//	citytwin ab merge -o OUT SHARD_DIR...
//	citytwin ab report DIR
//	citytwin serve [flags] [SCENARIO.toml]
//	citytwin traci SUMO-OPTIONS
//	citytwin help
//
// Run simulates a scenario (default: the embedded Wuhan scenario), prints
// a summary and writes the scenario's output files; -workers, -out, -hash
// (print the final state hash and the run digest, which also covers every
// trip record and output), -snapshot (a PNG of the final state),
// -quiet and -print-default adjust it. Net inspect summarises a network
// file of any format (OpenStreetMap, GeoJSON, SUMO, CityFlow) and net export
// writes the built network as GeoJSON; both take -planar, -largest,
// -no-merge, -guess-signals, -side (driving side), -country, -bbox and -no-join (OSM
// files only). Bench times
// the standard benchmark cases headless (-case, -workers, -steps, -warmup,
// -json, -markdown, -cpuprofile, -memprofile, -from). Ab runs an A/B
// experiment (-o, -parallel, -shard, -rerun, -check); ab merge combines
// shards and ab report rewrites a report. Serve runs a scenario as a live
// twin with an HTTP JSON API and a WebSocket stream (see docs/live.md);
// its -replay flag replays a command log headless instead. Traci answers
// SUMO's TraCI protocol with sumo's own command line (-n, -r, -c,
// --remote-port...), as cmd/citytwin-sumo does (see docs/traci.md).
//
// Flags may come before or after the arguments. Run "citytwin COMMAND -h"
// for the flags of a command. The exit status is 0 on success, 1 on
// failure and 2 on bad usage.
package main
