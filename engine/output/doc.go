// Package output summarises a simulation run and writes its files into an
// output folder:
//
//   - trips.csv (WriteTrips): one row per trip;
//   - timeseries.csv (WriteSeries): the network per interval;
//   - roads.geojson (WriteRoads): every road with its statistics;
//   - summary.json (Summarize, WriteSummary): the run in figures, with a
//     signal section from the junction metrics;
//   - junctions.csv and junctions.json (JunctionMetrics): per signalised
//     junction and interval, and over the run; detectors.csv: per lane and
//     interval, on request;
//   - fcd.csv.gz or fcd.xml (FCD, CreateFCD): trajectories, on request;
//   - rsu.csv (WriteRSUs): the roadside units' counters of a V2X run;
//   - run.json (Manifest): what was run, when, and the hash of every file.
//
// A Set holds the outputs of one run: the collectors that need every step
// (junction metrics, FCD) and the files written at the end, so that every
// command writes them the same way (scenarios.Run.Outputs gives a
// scenario's selection). Digest is the run digest over the engine's state
// and records and everything the outputs hold. docs/outputs.md describes
// every column.
//
// Files contain no wall-clock data, so the same scenario and seed give
// byte-identical outputs — except run.json, which records when the run
// started and ended. Every file is written under a temporary name and
// renamed when complete (WriteFile), and run.json is written first with
// complete = false (BeginRun) and last with the list of files and their
// hashes (FinishRun), so that a crash or a kill never leaves a set of
// files that claims to be a finished run when it is not.
package output
