package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/citytwin/citytwin/internal/atomicfile"
)

// Output directory layout. Everything in it is a pure function of the
// experiment and the engine: no wall-clock times, host names or absolute
// paths, so a sharded run merged is byte-identical to a single run.
const (
	manifestFile   = "manifest.json"   // the experiment as run: fingerprint, arms, seeds
	experimentFile = "experiment.toml" // a copy of the experiment file
	runsDir        = "runs"            // runs/<arm>/rep-NNNN.json, one Record each
	networksDir    = "networks"        // networks/<hash>.json, road geometry for the plots
	plotsDir       = "plots"
	manifestFormat = "citytwin-ab/1"
	recordFormat   = "citytwin-ab-run/2" // bump when what a run measures changes: old records are then run again
)

// Num is a float64 that encodes NaN (a metric with no data, such as the
// mean travel time of a run in which no trip arrived) as JSON null.
type Num float64

// MarshalJSON writes n, or null for NaN and ±Inf.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads a number, or null as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// Record is the outcome of one run: replication Replication of arm Arm.
// It is written to runs/<arm>/rep-NNNN.json when the run finishes.
type Record struct {
	Format      string `json:"format"`
	Arm         string `json:"arm"`
	Replication int    `json:"replication"`
	Seed        uint64 `json:"seed"`
	// Scenario is the exact scenario text the run used.
	Scenario string `json:"scenario"`
	// Metrics holds every metric of [Metrics] by name.
	Metrics map[string]Num `json:"metrics"`
	// Notes are what building the scenario reported (such as unroutable
	// demand).
	Notes []string `json:"notes,omitempty"`
	// TravelTimes are the travel times (s) of the trips the trip metrics
	// cover, in trip order.
	TravelTimes []float64   `json:"travel_times"`
	Series      []SeriesRow `json:"series"`
	// Roads holds per-road statistics after the warm-up, indexed like the
	// roads of the arm's network file.
	Roads RoadData `json:"roads"`
}

// SeriesRow is one interval of a run's time series (output.interval long).
type SeriesRow struct {
	End       float64 `json:"end"`        // s
	Running   int64   `json:"running"`    // vehicles in the network at End
	Arrived   int64   `json:"arrived"`    // vehicles that arrived in the interval
	MeanSpeed float64 `json:"mean_speed"` // m/s over vehicle-steps in the interval
	Delay     float64 `json:"delay"`      // s lost against desired speeds in the interval, all vehicles
	Waiting   int64   `json:"waiting"`    // trips waiting to enter at End
}

// RoadData are per-road statistics since the warm-up.
type RoadData struct {
	Delay  []float64 `json:"delay"`  // s lost on the road and the links leaving it, summed over vehicles
	Volume []int64   `json:"volume"` // vehicles that entered the road
	Queue  []float64 `json:"queue"`  // vehicles standing on the road, time mean
}

func recordPath(dir, arm string, rep int) string {
	return filepath.Join(dir, runsDir, arm, fmt.Sprintf("rep-%04d.json", rep))
}

func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// readRecord reads the record at path; ok is false if it is missing,
// unreadable or not a record.
func readRecord(path string) (*Record, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var r Record
	if json.Unmarshal(data, &r) != nil || r.Format != recordFormat {
		return nil, false
	}
	return &r, true
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, synced before it is renamed over path (and the folder synced
// after), so that a crash leaves either the old file or the new one.
func writeFileAtomic(path string, data []byte) error {
	return atomicfile.WriteFile(path, data)
}

// cleanTemps removes the temporary files that killed runs left in an
// output folder and its runs/<arm>, networks and plots folders (before
// any writer starts).
func cleanTemps(dir string, arms []string) error {
	dirs := []string{dir, filepath.Join(dir, networksDir), filepath.Join(dir, plotsDir)}
	for _, a := range arms {
		dirs = append(dirs, filepath.Join(dir, runsDir, a))
	}
	for _, d := range dirs {
		if _, err := atomicfile.CleanTemps(d); err != nil {
			return fmt.Errorf("experiments: %w", err)
		}
	}
	return nil
}

// fmtNum formats a metric value for CSV: shortest round-trip form, empty
// for NaN.
func fmtNum(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
