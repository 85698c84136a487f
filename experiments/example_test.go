package experiments_test

import (
	"context"
	"fmt"
	"log"

	"github.com/citytwin/citytwin/experiments"
)

// An experiment file names a base scenario and arms that override its
// keys; replication i runs with the same seed in every arm.
func ExampleParse() {
	e, err := experiments.Parse([]byte(`
scenario = "grid.toml"
replications = 10
seed = 1
[arms.fixed]
[arms.slow_start]
"vtypes[0]".accel = 1.5
driving.no_lane_change = true
`), "testdata/example.toml")
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range e.Arms {
		fmt.Println(a.Name, experiments.FlatOverrides(a.Overrides))
	}
	fmt.Println("baseline:", e.Baseline, "metrics:", len(e.Metrics))
	fmt.Println("replication 3 seed:", e.ReplicationSeed(3))
	// Output:
	// fixed []
	// slow_start [driving.no_lane_change = true "vtypes[0]".accel = 1.5]
	// baseline: fixed metrics: 9
	// replication 3 seed: 4098490376910890117
}

// Run runs the missing runs in parallel and writes the report; Merge
// combines the directories of shards run with Options.Shard.
func ExampleRun() {
	e, err := experiments.Load("scenarios/experiments/grid-policies.toml")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := experiments.Run(context.Background(), e, experiments.Options{Dir: "out/ab/grid-policies"})
	if err != nil {
		log.Fatal(err)
	}
	for _, res := range rep.Results {
		for _, d := range res.Diffs {
			fmt.Printf("%s %s: %+.1f%% (p = %.3f) %s\n", res.Metric.Name, d.Arm, 100*d.Relative, d.PHolm, d.Verdict)
		}
	}
}
