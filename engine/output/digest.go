package output

import (
	"fmt"
	"hash/fnv"

	"github.com/citytwin/citytwin/engine"
)

// Digest returns the run digest of a finished run: the engine's
// [engine.Sim.Digest] (final state, every trip record, the time series,
// road, lane and detector statistics, counters) combined with what jm (nil
// for none) measured at the junctions and detectors, its rows and
// summaries. Numbers enter at full precision (Go's shortest exact
// formatting), so two runs with equal digests wrote the same outputs,
// whatever their rounding in the files. Call it after the last Observe,
// before or after WriteAll.
func Digest(sim *engine.Sim, jm *JunctionMetrics) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%016x\n", sim.Digest())
	if jm != nil {
		jm.Finish(sim) // idempotent: closes the last interval if WriteAll has not
		for _, r := range jm.Rows() {
			fmt.Fprintf(h, "%v\n", r)
		}
		for _, r := range jm.DetectorRows() {
			fmt.Fprintf(h, "%v\n", r)
		}
		for _, j := range jm.Junctions(sim) {
			fmt.Fprintf(h, "%v\n", j)
		}
		fmt.Fprintf(h, "%v\n", jm.Summary(sim))
	}
	return h.Sum64()
}
