// Package output summarises a simulation run and writes its files: a
// per-trip CSV, a time-series CSV, per-road statistics as GeoJSON and a JSON
// summary. Files contain no wall-clock data, so the same scenario and seed
// give byte-identical outputs — except the manifest run.json, which
// records when the run started and ended.
//
// Every file is written under a temporary name and renamed when complete
// (WriteFile), and run.json is written first with complete = false
// (BeginRun) and last with the list of files and their hashes
// (FinishRun), so that a crash or a kill never leaves a set of files that
// claims to be a finished run when it is not.
package output
