package experiments

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	stdmaps "maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// Options control how Run executes an experiment.
type Options struct {
	// Dir is the output directory; empty means the experiment's Output.
	Dir string
	// Parallel is the number of runs at once; 0 means runtime.GOMAXPROCS.
	// Each run steps its simulation on one goroutine, so results do not
	// depend on it.
	Parallel int
	// Shard, when Count > 1, runs only the replications i with
	// i mod Count == Index, and writes no report: combine the shards'
	// directories with Merge.
	Shard Shard
	// Rerun runs every run again, ignoring finished ones in Dir.
	Rerun bool
	// Progress, if set, is called after each run finishes or is found
	// already finished, from one goroutine at a time.
	Progress func(Progress)
}

// Progress reports how far Run has got.
type Progress struct {
	Done, Total int // runs finished (or skipped) and runs to do in this call
	Skipped     int // runs found finished in the output directory
	Arm         string
	Replication int
	Elapsed     time.Duration // since Run started
}

// Shard selects a deterministic subset of the replications: those i with
// i mod Count == Index. The zero value selects all of them.
type Shard struct{ Index, Count int }

// ParseShard reads a shard written "i/n" (0 ≤ i < n), as Slurm's
// SLURM_ARRAY_TASK_ID or Kubernetes' JOB_COMPLETION_INDEX give i.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("experiments: shard %q: want i/n, such as 0/4", s)
	}
	if n < 1 || i < 0 || i >= n {
		return Shard{}, shardRangeError(i, n)
	}
	return Shard{i, n}, nil
}

func shardRangeError(i, n int) error {
	return fmt.Errorf("experiments: shard %d/%d is out of range: want i/n with n ≥ 1 and 0 ≤ i < n", i, n)
}

func (s Shard) valid() error {
	if s != (Shard{}) && (s.Count < 1 || s.Index < 0 || s.Index >= s.Count) {
		return shardRangeError(s.Index, s.Count)
	}
	return nil
}

// String writes the shard as i/n.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Has reports whether replication rep belongs to the shard.
func (s Shard) Has(rep int) bool { return s.Count <= 1 || rep%s.Count == s.Index }

// Run runs the experiment's missing runs into the output directory and,
// unless it runs a shard, writes the report there and returns it. Runs
// already finished in the directory (same arm, replication and exact
// scenario text) are kept and skipped, so an interrupted Run resumes
// where it stopped. Each finished run is written at once, atomically.
// Cancelling ctx stops the runs in progress; finished ones stay.
func Run(ctx context.Context, e *Experiment, opt Options) (*Report, error) {
	if err := opt.Shard.valid(); err != nil {
		return nil, err
	}
	if opt.Shard.Count > e.Replications {
		return nil, fmt.Errorf("experiments: shard %s: the experiment has only %d replications, so some shards would be empty; use at most %d shards",
			opt.Shard, e.Replications, e.Replications)
	}
	dir := cmp.Or(opt.Dir, e.Output)
	man, nets, err := e.plan()
	if err != nil {
		return nil, err
	}
	var arms []string
	for _, a := range e.Arms {
		arms = append(arms, a.Name)
	}
	if err := cleanTemps(dir, arms); err != nil {
		return nil, err
	}
	if err := writeSetup(dir, e.Source, man, nets); err != nil {
		return nil, err
	}

	type job struct {
		arm string
		rep int
	}
	var jobs []job
	for rep := range e.Replications {
		if !opt.Shard.Has(rep) {
			continue
		}
		for _, a := range e.Arms {
			jobs = append(jobs, job{a.Name, rep})
		}
	}
	start := time.Now()
	var mu sync.Mutex
	prog := Progress{Total: len(jobs)}
	report := func(j job, skipped bool) {
		mu.Lock()
		defer mu.Unlock()
		prog.Done++
		if skipped {
			prog.Skipped++
		}
		prog.Arm, prog.Replication, prog.Elapsed = j.arm, j.rep, time.Since(start)
		if opt.Progress != nil {
			opt.Progress(prog)
		}
	}
	var todo []job
	for _, j := range jobs {
		text, err := e.ScenarioText(j.arm, j.rep)
		if err != nil {
			return nil, err
		}
		if r, ok := readRecord(recordPath(dir, j.arm, j.rep)); ok && !opt.Rerun && r.Scenario == string(text) && r.Arm == j.arm && r.Replication == j.rep {
			report(j, true)
			continue
		}
		todo = append(todo, j)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	par := opt.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	ch := make(chan job)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for range min(par, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if ctx.Err() != nil {
					continue
				}
				err := e.runAndWrite(ctx, dir, j.arm, j.rep)
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					continue
				}
				report(j, false)
			}
		}()
	}
	for _, j := range todo {
		ch <- j
	}
	close(ch)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if errors.Is(firstErr, context.Canceled) || errors.Is(firstErr, context.DeadlineExceeded) {
		return nil, fmt.Errorf("experiments: interrupted; the %d finished runs are kept in %s, run again to resume: %w", prog.Done, dir, firstErr)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if opt.Shard.Count > 1 {
		return nil, nil
	}
	return WriteReport(dir)
}

// runAndWrite runs one replication of one arm and writes its record.
func (e *Experiment) runAndWrite(ctx context.Context, dir, arm string, rep int) error {
	rec, err := e.RunOne(ctx, arm, rep)
	if err != nil {
		return err
	}
	data, err := encodeJSON(rec)
	if err != nil {
		return fmt.Errorf("experiments: %w", err)
	}
	if err := writeFileAtomic(recordPath(dir, arm, rep), data); err != nil {
		return fmt.Errorf("experiments: %w", err)
	}
	return nil
}

// RunOne runs replication rep of arm on the calling goroutine and returns
// its record. It does not touch the output directory.
func (e *Experiment) RunOne(ctx context.Context, arm string, rep int) (*Record, error) {
	text, err := e.ScenarioText(arm, rep)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Record, error) {
		return nil, fmt.Errorf("experiments: arm %q, replication %d: %w", arm, rep, err)
	}
	sc, err := e.parseScenario(text)
	if err != nil {
		return fail(err)
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		return fail(err)
	}
	sim, err := run.NewSimulation()
	if err != nil {
		return fail(err)
	}
	defer sim.Close()

	// Queues after the warm-up, every step: in total and per road.
	net := run.Network
	roadQ := make([]float64, len(net.Roads))
	var qSum, qMax float64
	samples := 0
	sim.Collect(scenarios.CollectorFunc(func(sim *engine.Sim) {
		if sim.Time() <= sc.Warmup+1e-9 {
			return
		}
		total := 0
		for _, ls := range sim.LaneSensors() {
			if ls.Halting > 0 {
				total += ls.Halting
				roadQ[net.Lanes[ls.Lane].Road] += float64(ls.Halting)
			}
		}
		qSum += float64(total)
		qMax = max(qMax, float64(total))
		samples++
	}))
	end := run.End()
	for step := 0; sim.Time() < end-1e-9; step++ {
		if step%256 == 0 && ctx.Err() != nil {
			return fail(ctx.Err())
		}
		if err := sim.Step(); err != nil { // [[signals.switch]], [[events]] first
			return fail(err)
		}
	}
	if err := sim.Err(); err != nil {
		return fail(err)
	}

	sum := output.Summarize(sim.Sim, sc.Warmup)
	nan := math.NaN()
	tripMetric := func(x float64) Num {
		if sum.Trips == 0 {
			return Num(nan)
		}
		return Num(x)
	}
	c := sum.Counts
	rec := &Record{Format: recordFormat, Arm: arm, Replication: rep, Seed: sc.Seed, Scenario: string(text), Notes: run.Notes,
		Metrics: map[string]Num{
			"mean_travel_time": tripMetric(sum.MeanTravelTime),
			"mean_delay":       tripMetric(sum.MeanDelay),
			"p95_travel_time":  tripMetric(sum.P95TravelTime),
			"mean_stops":       tripMetric(sum.MeanStops),
			"mean_waiting":     tripMetric(sum.MeanWaiting),
			"mean_speed":       tripMetric(sum.MeanSpeed),
			"mean_queue":       Num(nan),
			"max_queue":        Num(qMax),
			"cityflow_att":     Num(sum.CityFlowATT),
			"unfinished":       Num(c.Running + c.Waiting),
			"mean_fuel":        tripMetric(sum.MeanFuel),
			"fuel_per_100km":   tripMetric(sum.FuelPer100km),
			"co2":              Num(sum.CO2),
			"arrived_share":    Num(sum.ArrivedShare),
			"teleports":        Num(c.Teleports),
		},
		TravelTimes: []float64{},
	}
	if samples > 0 {
		rec.Metrics["mean_queue"] = Num(qSum / float64(samples))
		for r := range roadQ {
			roadQ[r] /= float64(samples)
		}
	}
	throughput := 0
	for id := range sim.NumTrips() {
		t := sim.Trip(id)
		if t.Status != engine.TripArrived {
			continue
		}
		if t.Scheduled >= sc.Warmup {
			rec.TravelTimes = append(rec.TravelTimes, t.TravelTime)
		}
		if t.Arrival >= sc.Warmup && t.Arrival < sc.Duration {
			throughput++
		}
	}
	rec.Metrics["throughput"] = Num(throughput)
	for _, s := range sim.Series() {
		rec.Series = append(rec.Series, SeriesRow{End: s.End, Running: s.Running, Arrived: s.Arrived, MeanSpeed: s.MeanSpeed,
			Delay: s.TotalDelay, Waiting: s.Waiting})
	}
	rs := sim.RoadStats()
	rec.Roads = RoadData{Delay: make([]float64, len(rs)), Volume: make([]int64, len(rs)), Queue: roadQ}
	for i, r := range rs {
		rec.Roads.Delay[i], rec.Roads.Volume[i] = r.Delay, r.Volume
	}
	return rec, nil
}

// manifest is the experiment as run, written to manifest.json: everything
// the report needs besides the run records and networks.
type manifest struct {
	Format       string        `json:"format"`
	Fingerprint  string        `json:"fingerprint"`
	Name         string        `json:"name"`
	Base         string        `json:"base"`
	Seed         uint64        `json:"seed"`
	Replications int           `json:"replications"`
	Warmup       float64       `json:"warmup"`
	Duration     float64       `json:"duration"`
	Confidence   float64       `json:"confidence"`
	Metrics      []string      `json:"metrics"`
	Baseline     string        `json:"baseline"`
	Common       []string      `json:"common,omitempty"`
	Arms         []manifestArm `json:"arms"`
	Seeds        []uint64      `json:"seeds"`
}

type manifestArm struct {
	Name      string   `json:"name"`
	Overrides []string `json:"overrides"`
	Network   string   `json:"network"` // hash naming networks/<hash>.json
	// Runs holds, per replication, a hash of the run's exact scenario
	// text: records that do not match are not this experiment's.
	Runs []string `json:"runs"`
}

// textHash is the hash of a run's scenario text kept in the manifest.
func textHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// netFile is the road geometry of an arm's network, for the report's
// per-junction table and delay map. Coordinates are planar metres.
type netFile struct {
	Roads []netRoad `json:"roads"`
	Nodes []netNode `json:"nodes"`
}

type netRoad struct {
	ID       string       `json:"id"`
	From     int          `json:"from"`
	To       int          `json:"to"`
	Geometry [][2]float64 `json:"geometry"`
}

type netNode struct {
	ID         string  `json:"id"`
	X          float64 `json:"x"`
	Y          float64 `json:"y"`
	Signalised bool    `json:"signalised,omitempty"`
}

// plan builds every arm's network (which also checks what only the network
// can tell, such as whether the roads an arm names exist) and returns the
// manifest and the network files by hash.
func (e *Experiment) plan() (*manifest, map[string][]byte, error) {
	m := &manifest{Format: manifestFormat, Fingerprint: e.fingerprint, Name: e.Name, Base: e.Base, Seed: e.Seed,
		Replications: e.Replications, Warmup: e.Warmup, Duration: e.Duration, Confidence: e.Confidence,
		Metrics: e.Metrics, Baseline: e.Baseline, Common: FlatOverrides(e.Common)}
	for i := range e.Replications {
		m.Seeds = append(m.Seeds, e.ReplicationSeed(i))
	}
	nets := map[string][]byte{}
	for _, a := range e.Arms {
		sc, err := e.Scenario(a.Name, 0)
		if err != nil {
			return nil, nil, err
		}
		run, err := scenarios.Build(sc)
		if err != nil {
			return nil, nil, fmt.Errorf("experiments: %s: arm %q: %w", e.File, a.Name, err)
		}
		data, err := encodeJSON(networkFile(run.Network))
		if err != nil {
			return nil, nil, fmt.Errorf("experiments: %w", err)
		}
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:8])
		nets[h] = data
		ma := manifestArm{Name: a.Name, Overrides: FlatOverrides(a.Overrides), Network: h}
		for rep := range e.Replications {
			text, err := e.ScenarioText(a.Name, rep)
			if err != nil {
				return nil, nil, err
			}
			ma.Runs = append(ma.Runs, textHash(string(text)))
		}
		m.Arms = append(m.Arms, ma)
	}
	return m, nets, nil
}

func networkFile(net *maps.Network) *netFile {
	r1 := func(x float64) float64 { return math.Round(x*10) / 10 }
	f := &netFile{}
	for _, n := range net.Nodes {
		f.Nodes = append(f.Nodes, netNode{ID: n.ID, X: r1(n.Pos[0]), Y: r1(n.Pos[1]), Signalised: n.Program != nil})
	}
	for _, r := range net.Roads {
		nr := netRoad{ID: r.ID, From: int(r.From), To: int(r.To)}
		for _, p := range r.Geometry {
			nr.Geometry = append(nr.Geometry, [2]float64{r1(p[0]), r1(p[1])})
		}
		f.Roads = append(f.Roads, nr)
	}
	return f
}

// writeSetup writes the manifest, the experiment file's copy and the
// networks into dir.
func writeSetup(dir string, source []byte, m *manifest, nets map[string][]byte) error {
	data, err := encodeJSON(m)
	if err != nil {
		return fmt.Errorf("experiments: %w", err)
	}
	files := map[string][]byte{manifestFile: data, experimentFile: source}
	for h, d := range nets {
		files[filepath.Join(networksDir, h+".json")] = d
	}
	for _, name := range slices.Sorted(stdmaps.Keys(files)) {
		p := filepath.Join(dir, name)
		if old, err := os.ReadFile(p); err == nil && string(old) == string(files[name]) {
			continue
		}
		if err := writeFileAtomic(p, files[name]); err != nil {
			return fmt.Errorf("experiments: %w", err)
		}
	}
	return nil
}

func readManifest(dir string) (*manifest, []byte, error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, nil, fmt.Errorf("experiments: %s is not an experiment output directory: %w", dir, err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil || m.Format != manifestFormat {
		return nil, nil, fmt.Errorf("experiments: %s: not a %s manifest", filepath.Join(dir, manifestFile), manifestFormat)
	}
	if err := m.checkNames(); err != nil {
		return nil, nil, fmt.Errorf("experiments: %s: %w", filepath.Join(dir, manifestFile), err)
	}
	return &m, data, nil
}

// checkNames refuses a manifest whose arm names or network hashes could
// name files outside the output folder (such as "../x"): the names of the
// files Merge and WriteReport write come from them.
func (m *manifest) checkNames() error {
	for i, a := range m.Arms {
		if !validArmName(a.Name) {
			return fmt.Errorf("arms[%d]: name %q is not an arm name (letters, digits, '_' and '-')", i, a.Name)
		}
		if !isHex(a.Network) {
			return fmt.Errorf("arms[%d] (%s): network %q is not a network hash", i, a.Name, a.Network)
		}
	}
	return nil
}

func isHex(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// matches reports whether rec is replication rep of the arm.
func (a *manifestArm) matches(rec *Record, rep int) bool {
	return rec.Arm == a.Name && rec.Replication == rep && rep < len(a.Runs) && textHash(rec.Scenario) == a.Runs[rep]
}
