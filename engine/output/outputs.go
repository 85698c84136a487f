package output

import (
	"github.com/citytwin/citytwin/engine"
)

// Options select the outputs of a run: the scenario's [output] table
// (scenarios.Run.Outputs).
type Options struct {
	// Trips, TimeSeries, Roads and Summary write trips.csv,
	// timeseries.csv, roads.geojson and summary.json.
	Trips, TimeSeries, Roads, Summary bool
	// Junctions writes junctions.csv and junctions.json, Detectors
	// detectors.csv (see JunctionOptions).
	Junctions, Detectors bool
	// Interval is the length of the per-junction and per-lane intervals
	// (s); Warmup the time before which nothing is counted (s).
	Interval, Warmup float64
	// FCD, when set, writes the trajectories (fcd.csv.gz or fcd.xml).
	FCD *FCDOptions
	// RSUs writes rsu.csv, the roadside units' counters (runs with V2X).
	RSUs bool
}

// A Set is the outputs of one run as it is written into a folder: the
// collectors that need every step (per-junction metrics, trajectories)
// and the files written at the end. Open it before the first step, give
// it every step (Observe; scenarios.Simulation.Collect does), then Close
// it — or Abort it to drop what was not written. A new output is added
// here once, for every command that runs scenarios.
type Set struct {
	dir string
	opt Options
	jm  *JunctionMetrics
	fcd *FCDFile // nil without FCD
}

// Open starts the outputs of sim in dir (created if needed). Files that
// are written as the run goes (the FCD) start at once, under temporary
// names.
func Open(dir string, sim *engine.Sim, opt Options) (*Set, error) {
	s := &Set{dir: dir, opt: opt, jm: NewJunctionMetrics(sim, JunctionOptions{Interval: opt.Interval, Warmup: opt.Warmup,
		Junctions: opt.Junctions, Detectors: opt.Detectors})}
	if opt.FCD != nil {
		f, err := CreateFCD(dir, sim, *opt.FCD)
		if err != nil {
			return nil, err
		}
		s.fcd = f
	}
	return s, nil
}

// Observe records the step that just ended. Call it after every step.
func (s *Set) Observe(sim *engine.Sim) {
	s.jm.Observe(sim)
	if s.fcd != nil {
		s.fcd.Observe()
	}
}

// Junctions returns the per-junction metrics (for Digest).
func (s *Set) Junctions() *JunctionMetrics { return s.jm }

// Close writes every selected file of sim's run and returns the paths
// written, in a fixed order. Each file is written under a temporary name
// and renamed when complete.
func (s *Set) Close(sim *engine.Sim) ([]string, error) {
	written, err := WriteAll(s.dir, sim, s.opt.Warmup, Files{Trips: s.opt.Trips, TimeSeries: s.opt.TimeSeries, Roads: s.opt.Roads,
		Summary: s.opt.Summary, Junctions: s.jm})
	if err != nil {
		return written, err
	}
	if s.fcd != nil {
		p, err := s.fcd.Commit()
		if err != nil {
			return written, err
		}
		written = append(written, p)
	}
	if s.opt.RSUs {
		p, err := WriteRSUFile(s.dir, sim)
		if err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

// Abort drops the files not yet written in full (a no-op after Close).
func (s *Set) Abort() {
	if s.fcd != nil {
		s.fcd.Abort()
	}
}
