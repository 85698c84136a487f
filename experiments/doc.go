// Package experiments runs policy A/B experiments on CityTwin scenarios
// and reports them with honest statistics.
//
// An experiment file (TOML) names a base scenario and two or more arms;
// each arm is a table of scenario keys merged over the base, so an arm can
// change any key the scenario format knows (signal policy and its
// parameters, demand scale, vehicle types, the network). Every arm runs
// the same replications, and replication i uses the same seed in every arm
// (common random numbers): the engine draws demand and every per-vehicle
// random number from the seed and the trip or vehicle id, so replication i
// of each arm sees the same trips and the same drivers, and the paired
// difference arm − baseline isolates the arm's effect.
//
// [Run] executes the runs in parallel (each simulation on one goroutine,
// so results do not depend on the parallelism), keeps each finished run's
// record in the output directory (written atomically; an interrupted Run
// resumes), and writes a report: Markdown and a self-contained HTML page
// with tables and plots (gonum/plot), and CSV and JSON of every run's
// metrics with its exact scenario and seed. With [Options.Shard] a machine
// runs a deterministic subset of the replications; [Merge] combines the
// shards' directories into a report byte-identical to a single run's.
//
// Statistics: per arm, the mean of each metric over the replications with
// a Student-t confidence interval; per arm and metric, the mean paired
// difference to the baseline with its t interval, the two-sided paired
// t-test p-value and the relative change; with more than one comparison,
// p-values adjusted by Holm's step-down method. Warnings flag fewer than
// five replications, intervals wider than 5 % of the mean, and differences
// the replications cannot resolve, with the replications that would.
//
// The format is documented in scenarios/experiments/README.md.
package experiments
