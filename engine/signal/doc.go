// Package signal runs traffic signals: a Controller decides which phase of
// a junction's program should be green, and a Plant turns those decisions
// into the light of every movement, inserting yellow and all-red itself so
// that no controller can skip them, within a Guard (minimum green, maximum
// red) that counts what it refuses and forces.
//
// Controllers see a View: the clock, the program, the signal's state and
// the junction's detector readings (NodeSensors: induction loops and
// lane-area detectors on every approach and exit lane). The policies, each
// citing its source:
//
//   - FixedTime: pre-timed cycles with offsets; GreenWave computes one-way
//     progression offsets along an arterial;
//   - Webster: cycle and splits from Webster's 1958 formulas, from loop
//     counts recomputed every K cycles or from given flows;
//   - Actuated: FHWA actuated control with gap-out, max-out and phase
//     skipping;
//   - MaxPressure: Varaiya's 2013 max-pressure control;
//   - SOTL: Gershenson's 2005 self-organising lights (request, phase and
//     platoon variants);
//   - External: phases requested from Go code, for learning agents and the
//     live API; ControllerFunc adapts any function.
//
// The adaptive policies choose among a phase set, by default
// DefaultPhases: all but dominated phases, such as CityFlow's right-turn
// clearance phase 0, so they work on CityFlow programs and on the
// netconvert-style programs the maps package guesses alike.
//
// Times are in seconds. A Plant is updated once per simulation step, before
// vehicles move, and its lights hold for that step. Plants of different
// junctions are updated concurrently; a controller serves one junction.
package signal
