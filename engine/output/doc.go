// Package output summarises a simulation run and writes its files: a
// per-trip CSV, a time-series CSV, per-road statistics as GeoJSON and a JSON
// summary. Files contain no wall-clock data, so the same scenario and seed
// give byte-identical outputs.
package output
