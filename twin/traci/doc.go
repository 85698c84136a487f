// Package traci makes CityTwin answer SUMO's TraCI protocol the way the
// sumo executable (version 1.15) does, for the commands that sumo-rl,
// LibSignal's SUMO world and RESCO use, so that their code — and any
// script that does `import traci` — runs on CityTwin unchanged.
//
// [Main] takes sumo's own command line (-n, -r, -c, --step-length,
// --begin, --seed, --remote-port, --tripinfo-output...; see [ParseArgs]),
// listens on 127.0.0.1 at --remote-port, loads the SUMO network and
// routes with SUMO's ids (maps.LoadSUMO and scenarios' [demand] sumo),
// serves one client and exits after its close. cmd/citytwin-sumo and
// `citytwin traci` call it; point SUMO_BINARY (or $SUMO_HOME/bin/sumo)
// at the former and traci.start launches CityTwin.
//
// # What it answers
//
// Control: getVersion, simulationStep (one step, or up to a time),
// setOrder, close. Traffic lights: getIDList, getIDCount,
// getRedYellowGreenState, getPhase, getProgram, getPhaseDuration,
// getNextSwitch, getControlledLanes, getControlledLinks,
// getAllProgramLogics; setRedYellowGreenState, setPhase, setProgram,
// setPhaseDuration, setProgramLogic. Lanes: getIDList, getIDCount,
// getLength, getMaxSpeed, getShape, getEdgeID, getLastStepVehicleNumber,
// getLastStepVehicleIDs, getLastStepHaltingNumber, getLastStepLength,
// getLastStepMeanSpeed, getWaitingTime. Edges: getIDList, getIDCount,
// getLaneNumber and the same last-step values. Vehicles: getIDList,
// getIDCount, getSpeed, getAcceleration, getLanePosition, getLaneID,
// getLaneIndex, getRoadID, getTypeID, getLength, getMaxSpeed,
// getWaitingTime, getAccumulatedWaitingTime, getAllowedSpeed,
// getPosition, getAngle, getRoute, getNextTLS. Simulation: getTime,
// getDeltaT, getDepartedNumber/IDList, getArrivedNumber/IDList,
// getStarting/EndingTeleportNumber, getMinExpectedNumber,
// getPendingVehicles. Every other command gets SUMO's
// RTYPE_NOTIMPLEMENTED status (GUI commands SUMO's own wording); unknown
// objects and variables get its RTYPE_ERR status with its messages.
// docs/traci.md lists the differences.
//
// # Traffic lights
//
// The server runs every traffic light of the network file as SUMO runs
// it (tls.go): all programs of a light keep switching in the background,
// one is active; setPhase restarts a phase for its full duration,
// setProgramLogic adds a program (made active) or replaces one's phases,
// setRedYellowGreenState switches to a held one-phase program named
// "online". The active program's state string is turned, connection by
// connection, into the lights of the engine's movements
// (engine.Sim.HoldLights); a movement bundling connections with
// different signals shows the most restrictive. Times are integer
// milliseconds, as in SUMO, so a client comparing times for equality
// (sumo-rl does) sees SUMO's values.
//
// # Determinism and replay
//
// A session is deterministic: the same command line and the same
// messages give the same run. --citytwin.record FILE (or the
// CITYTWIN_TRACI_RECORD folder) writes the messages, and
// --citytwin.replay FILE --citytwin.digest answers them again without a
// client and prints the run digest, which equals the recorded session's
// (FILE.digest).
//
// Package wire holds the byte-level protocol: framing, typed values and
// statuses.
package traci
