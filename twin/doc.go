// Package twin runs a scenario as a live digital twin: a simulation that
// keeps running beside the street, takes what-if commands and field data,
// answers state queries, streams snapshots, and forks shadow runs that
// predict what a candidate policy would do.
//
// # Ownership and determinism
//
// One goroutine, Twin.Run, owns the engine.Sim (which is not safe for
// concurrent use). It steps the simulation paced to real time (or k times
// real time, or as fast as possible), or only when a client asks
// (client-stepped mode, for learning agents). Every other call — the HTTP
// handlers, the WebSocket streams, the field-data tail — sends a function
// to that goroutine and waits for it; between two steps it runs them in
// arrival order. Queries read caches built once per step (a frame).
//
// Commands (Command: every scenario event kind plus set_phase,
// field_counts, field_signal and release_signal) are checked against the
// twin when they arrive, so a bad one is refused at once with a 4xx, and
// queued. Before each step the twin applies, in this order, the scenario's
// own [[events]] that are due, the commands scheduled for that time, and
// the queued commands in arrival order; then it steps. Each applied
// command is logged with the step it preceded (LogEntry), so Replay of the
// log on the same scenario reaches the same engine state hash, and a
// command sent at time t through the API gives the same run as the same
// event at = t in the scenario file.
//
// # Live data
//
// field_counts gives the street's detector counts per road (or lane) over
// an interval. For each road the twin sets the demand of the next interval
// to the field's rate, corrected by half the gap between the field's count
// and its own loop count over the same period: trips still to depart that
// use the road are scaled (engine.ScaleRoadDemand); on roads where vehicles
// enter the network, trips are added when there are too few to scale.
// field_signal makes a junction show the street's phase (through an
// external controller; yellow, all-red and the guard's minimum green
// still apply) until release_signal gives it back its controller.
//
// # Shadow runs
//
// Twin.Shadow forks two copies of the twin (engine.Sim.Fork), a baseline
// and a candidate with another policy or what-if commands, runs them on
// their own goroutines for a horizon — ahead from now, or back from a
// checkpoint replaying the command log to now — and reports their delay
// and queues and the difference (ShadowResult).
//
// # Safety
//
// The HTTP API (Twin.Handler, described by OpenAPI) bounds request bodies
// and the request rate of each client, requires a bearer token of at
// least MinTokenLength characters when one is set (CheckListen insists on
// one beyond loopback) and limits failed logins; without a token it
// serves only loopback Host names. It refuses POSTs that are not
// application/json and requests from web pages of other origins, so that
// no web page can drive it. Every resource a request can make the twin
// hold is budgeted before anything is queued (budget.go): trips still to
// depart, per request and per client; waiting commands, per client; how
// far ahead a command may be scheduled; the command log's bytes; step
// requests, streams and shadow runs per client. Malformed JSON, unknown
// keys and ids, out-of-range values and commands in the wrong mode get a
// JSON error; handlers recover from panics; the twin runs on whatever it
// is sent.
package twin
