package twin

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// Shadow runs. While the twin runs on, two copies forked from the same
// state — the baseline, which goes on as the twin does, and the candidate,
// which gets the candidate policy and commands — run side by side for a
// horizon on their own goroutines, and the twin reports the difference.
// Looking ahead, they fork from now and the baseline's future includes
// the commands already queued. Looking back ("what would max-pressure
// have done in the last 15 minutes?"), they fork from a checkpoint and
// replay the command log up to now; the candidate skips the logged signal
// commands of the junctions it controls.
//
// Controllers that cannot clone themselves (engine.Cloner) restart with
// their parameters in both forks (see engine.Sim.Fork), so both sides are
// treated alike.

// ShadowRequest asks for a shadow run (POST /v1/shadow).
type ShadowRequest struct {
	// Policy, when set, is the candidate policy (one of
	// scenarios.PolicyNames()) for Junctions (ids and "group:NAME"; empty
	// means every signalised junction), with phase set Phases (empty: the
	// policy's).
	Policy    string   `json:"policy,omitempty"`
	Phases    []int    `json:"phases,omitempty"`
	Junctions []string `json:"junctions,omitempty"`
	// Commands are what-if commands the candidate gets at its start (a
	// closure, a forced phase, ...), after the policy switch.
	Commands []Command `json:"commands,omitempty"`
	// Horizon is how far ahead to look (s, default 900).
	Horizon float64 `json:"horizon,omitempty"`
	// Back, when set, looks back instead: both runs start from the
	// newest checkpoint at least Back seconds old and run until now.
	Back float64 `json:"back,omitempty"`
}

// ShadowMetrics measure one side of a shadow run over its horizon.
type ShadowMetrics struct {
	// TotalDelay is the time vehicles lost against their desired speeds
	// in the network (veh·s; after the warm-up only).
	TotalDelay float64 `json:"total_delay_s"`
	// MeanHalting and MaxHalting are the standing vehicles on all lanes,
	// averaged over steps and at most; MeanQueue the total length of the
	// standing queues (m), averaged over steps.
	MeanHalting float64 `json:"mean_halting"`
	MaxHalting  int     `json:"max_halting"`
	MeanQueue   float64 `json:"mean_queue_m"`
	// JunctionHalting is the mean over steps of the standing vehicles on
	// the incoming lanes of the candidate's junctions.
	JunctionHalting float64 `json:"junction_halting"`
	Inserted        int64   `json:"inserted"`
	Arrived         int64   `json:"arrived"`
	// RunningEnd and WaitingEnd are the vehicles in the network, and
	// waiting to enter it, at the end.
	RunningEnd int64  `json:"running_end"`
	WaitingEnd int64  `json:"waiting_end"`
	Hash       string `json:"hash"` // state hash at the end
}

// ShadowResult is a shadow run and, once done, its outcome.
type ShadowResult struct {
	ID      string        `json:"id"`
	Status  string        `json:"status"` // running, done, failed, canceled
	Error   string        `json:"error,omitempty"`
	Request ShadowRequest `json:"request"`
	// From and To are the simulated times the runs cover (s).
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Steps int64   `json:"steps"`
	// Done counts the steps run so far by both sides together.
	Done      int64          `json:"done"`
	Baseline  *ShadowMetrics `json:"baseline,omitempty"`
	Candidate *ShadowMetrics `json:"candidate,omitempty"`
	// Difference is candidate minus baseline (negative delay and
	// halting: the candidate is better); the Change fields give it
	// relative to the baseline (%).
	Difference    *ShadowMetrics `json:"difference,omitempty"`
	DelayChange   float64        `json:"delay_change_pct"`
	HaltingChange float64        `json:"halting_change_pct"`
	Wall          float64        `json:"wall_s"`
}

// DefaultHorizon is the horizon of a shadow run that gives none (s).
const DefaultHorizon = 900.0

type shadowJob struct {
	client string
	mu     sync.Mutex
	res    ShadowResult
	done   atomic.Int64
	finish chan struct{}
}

func (j *shadowJob) result() ShadowResult {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := j.res
	r.Done = j.done.Load()
	return r
}

// shadows keeps the shadow runs of a twin.
type shadows struct {
	mu      sync.Mutex
	jobs    map[string]*shadowJob
	of      map[string]int // running, by client
	order   []string
	next    int
	slots   chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	maxKept int
}

func newShadows(max int) *shadows {
	ctx, cancel := context.WithCancel(context.Background())
	return &shadows{jobs: map[string]*shadowJob{}, of: map[string]int{}, slots: make(chan struct{}, max), ctx: ctx, cancel: cancel, maxKept: 64}
}

func (s *shadows) running() int { return len(s.slots) }

func (s *shadows) stop() {
	s.cancel()
	s.wg.Wait()
}

func (s *shadows) get(id string) (*shadowJob, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	return j, ok
}

func (s *shadows) list() []ShadowResult {
	s.mu.Lock()
	ids := slices.Clone(s.order)
	s.mu.Unlock()
	out := []ShadowResult{}
	for _, id := range ids {
		if j, ok := s.get(id); ok {
			out = append(out, j.result())
		}
	}
	return out
}

func (s *shadows) add(j *shadowJob) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := "s" + strconv.Itoa(s.next)
	j.res.ID = id
	s.jobs[id] = j
	s.order = append(s.order, id)
	for len(s.order) > s.maxKept {
		old := s.order[0]
		if s.jobs[old].result().Status == "running" {
			break
		}
		delete(s.jobs, old)
		s.order = s.order[1:]
	}
	return id
}

// Shadow starts a shadow run and returns its id; ShadowResult follows it.
func (t *Twin) Shadow(ctx context.Context, req ShadowRequest) (string, error) {
	if err := req.checkForm(t.opt.MaxHorizon); err != nil {
		return "", err
	}
	var id string
	var err error
	client := clientOf(ctx)
	if e := t.do(ctx, func() { id, err = t.startShadow(client, req) }); e != nil {
		return "", e
	}
	return id, err
}

func (r *ShadowRequest) checkForm(maxHorizon float64) *Error {
	bad := func(format string, args ...any) *Error {
		return errorf(statusUnprocess, "invalid_request", "shadow: "+format, args...)
	}
	if r.Policy == "" && len(r.Commands) == 0 {
		return bad("needs a candidate: a policy, commands, or both")
	}
	if r.Policy == "" && (len(r.Junctions) > 0 || len(r.Phases) > 0) {
		return bad("junctions and phases go with a policy")
	}
	if r.Policy != "" && !scenarios.IsPolicy(r.Policy) {
		return bad("policy must be one of %v, got %q", scenarios.PolicyNames(), clip(r.Policy, 40))
	}
	if len(r.Commands) > MaxCommandsPerRequest {
		return bad("at most %d commands", MaxCommandsPerRequest)
	}
	if r.Back != 0 && r.Horizon != 0 {
		return bad("set horizon (look ahead) or back (look back), not both")
	}
	if !(r.Horizon >= 0 && r.Horizon <= maxHorizon) {
		return bad("horizon must be in (0, %g] s, got %g", maxHorizon, r.Horizon)
	}
	if !(r.Back >= 0 && r.Back <= maxHorizon) {
		return bad("back must be in (0, %g] s, got %g", maxHorizon, r.Back)
	}
	for i := range r.Commands {
		if err := r.Commands[i].checkForm(); err != nil {
			err.Msg = fmt.Sprintf("shadow: commands[%d]: %s", i, err.Msg)
			return err
		}
	}
	return nil
}

// candidateCommands returns the commands the candidate starts with.
func (r *ShadowRequest) candidateCommands() []*Command {
	var out []*Command
	if r.Policy != "" {
		out = append(out, &Command{Event: scenarios.Event{Kind: scenarios.EventSwitchPolicy, Policy: r.Policy,
			Phases: r.Phases, Junctions: r.Junctions}})
	}
	for i := range r.Commands {
		c := r.Commands[i]
		c.At = 0
		out = append(out, &c)
	}
	return out
}

// startShadow forks and starts the runs (on the twin's goroutine).
func (t *Twin) startShadow(client string, req ShadowRequest) (string, error) {
	cand := req.candidateCommands()
	for i, c := range cand {
		if err := t.w.check(c); err != nil {
			if e, ok := err.(*Error); ok {
				e.Msg = fmt.Sprintf("shadow: candidate command %d: %s", i, e.Msg)
			}
			return "", err
		}
	}
	// The candidate's commands may not add more trips than a request may.
	extra := 0.0
	for i, c := range cand {
		extra += t.w.tripEstimate(c, extra)
		if extra > float64(t.opt.MaxTripsPerRequest) || extra > 0 && t.w.pendingTrips()+extra > float64(t.opt.MaxTrips) {
			return "", errorf(statusUnprocess, "trip_budget", "shadow: candidate command %d: the candidate would add up to %.0f trips; at most %d per request and %d still to depart",
				i, extra, t.opt.MaxTripsPerRequest, t.opt.MaxTrips)
		}
	}
	var nodes []maps.NodeID
	if req.Policy != "" {
		var err error
		if nodes, err = t.candidateNodes(req.Junctions); err != nil {
			return "", errorf(statusUnprocess, "invalid_request", "shadow: %v", err)
		}
	}
	t.shadows.mu.Lock()
	mine := t.shadows.of[client]
	t.shadows.mu.Unlock()
	if mine >= t.opt.MaxShadowsPerClient {
		return "", errorf(statusTooMany, "shadow_busy", "%d of your shadow runs are running; at most %d per client", mine, t.opt.MaxShadowsPerClient)
	}
	select {
	case t.shadows.slots <- struct{}{}:
	default:
		return "", errorf(statusTooMany, "shadow_busy", "%d shadow runs are running already; wait for one to finish", cap(t.shadows.slots))
	}
	s := t.w.sim
	var base, alt *world
	var log []LogEntry
	var steps int64
	if req.Back > 0 {
		var cp *checkpoint
		for i := len(t.checks) - 1; i >= 0; i-- {
			if t.checks[i].w.sim.Time() <= s.Time()-req.Back+1e-9 {
				cp = &t.checks[i]
				break
			}
		}
		if cp == nil || len(t.log) > 0 && t.log[0].Seq > cp.seq {
			<-t.shadows.slots
			oldest := "none"
			if len(t.checks) > 0 {
				oldest = fmt.Sprintf("%g s", t.checks[0].w.sim.Time())
			}
			return "", errorf(statusUnprocess, "no_checkpoint", "shadow: no checkpoint %g s back (now %g s; oldest checkpoint %s, one every %g s)",
				req.Back, s.Time(), oldest, t.opt.CheckpointEvery)
		}
		base, alt = cp.w.fork(), cp.w.fork()
		i, _ := slices.BinarySearchFunc(t.log, cp.seq, func(e LogEntry, q int64) int { return int(e.Seq - q) })
		log = slices.Clone(t.log[i:])
		steps = s.Steps() - cp.w.sim.Steps()
	} else {
		h := req.Horizon
		if h == 0 {
			h = DefaultHorizon
		}
		base, alt = t.w.fork(), t.w.fork()
		steps = int64(math.Ceil(h/s.StepLength() - 1e-9))
		log = t.queuedLog()
	}
	altLog := t.withoutSignals(log, nodes)
	j := &shadowJob{client: client, res: ShadowResult{Status: "running", Request: req, From: base.sim.Time(),
		To: base.sim.Time() + float64(float64(steps)*s.StepLength()), Steps: 2 * steps}, finish: make(chan struct{})}
	id := t.shadows.add(j)
	t.shadows.mu.Lock()
	t.shadows.of[client]++
	t.shadows.mu.Unlock()
	t.shadows.wg.Add(1)
	// release gives back the client's count and the slot. runShadow calls
	// it before it publishes the outcome, so that a client that sees the
	// outcome (polling, or waiting on finish) may start its next run at
	// once; the deferred call covers a run that ends without one.
	release := sync.OnceFunc(func() {
		t.shadows.mu.Lock()
		if t.shadows.of[client]--; t.shadows.of[client] <= 0 {
			delete(t.shadows.of, client)
		}
		t.shadows.mu.Unlock()
		<-t.shadows.slots
	})
	go func() {
		defer t.shadows.wg.Done()
		defer close(j.finish)
		defer release()
		t.runShadow(j, base, alt, log, altLog, steps, cand, nodes, release)
	}()
	return id, nil
}

// queuedLog returns the pending and scheduled commands as log entries at
// the steps they will apply.
func (t *Twin) queuedLog() []LogEntry {
	s := t.w.sim
	var out []LogEntry
	for _, c := range t.pending {
		out = append(out, LogEntry{Step: s.Steps(), Command: c})
	}
	for _, c := range t.sched {
		k := int64(math.Ceil((c.At-s.Time())/s.StepLength() - 1e-9))
		out = append(out, LogEntry{Step: s.Steps() + max(k, 0), Command: c})
	}
	slices.SortStableFunc(out, func(a, b LogEntry) int { return int(a.Step - b.Step) })
	return out
}

// candidateNodes resolves the junctions of a candidate policy.
func (t *Twin) candidateNodes(ids []string) ([]maps.NodeID, error) {
	// The same resolution as switch_policy: check through a command.
	c := Command{Event: scenarios.Event{Kind: scenarios.EventSwitchPolicy, Policy: scenarios.PolicyFixedTime, Junctions: ids}}
	if err := t.w.check(&c); err != nil {
		return nil, err
	}
	net := t.run.Network
	if len(ids) == 0 {
		var out []maps.NodeID
		for v := range net.Nodes {
			if t.w.sim.Plant(maps.NodeID(v)) != nil {
				out = append(out, maps.NodeID(v))
			}
		}
		return out, nil
	}
	var out []maps.NodeID
	var add func(ids []string, depth int)
	add = func(ids []string, depth int) {
		for _, id := range ids {
			if name, ok := cutGroup(id); ok {
				if depth < 8 {
					add(t.run.Scenario.Signals.Groups[name], depth+1)
				}
				continue
			}
			if v, ok := net.NodeByID(id); ok && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	add(ids, 0)
	return out, nil
}

func cutGroup(id string) (string, bool) {
	if len(id) > len(scenarios.GroupPrefix) && id[:len(scenarios.GroupPrefix)] == scenarios.GroupPrefix {
		return id[len(scenarios.GroupPrefix):], true
	}
	return "", false
}

// withoutSignals returns the log with the signal commands of nodes left
// out (and switch_policy commands narrowed to the other junctions).
func (t *Twin) withoutSignals(log []LogEntry, nodes []maps.NodeID) []LogEntry {
	if len(nodes) == 0 {
		return log
	}
	net := t.run.Network
	ours := func(id string) bool {
		v, ok := net.NodeByID(id)
		return ok && slices.Contains(nodes, v)
	}
	var out []LogEntry
	for _, e := range log {
		c := e.Command
		if c == nil {
			continue
		}
		switch c.Kind {
		case scenarios.EventForcePhase, KindSetPhase, KindFieldSignal, KindReleaseSignal:
			if ours(c.Junction) {
				continue
			}
		case scenarios.EventSwitchPolicy:
			all, err := t.candidateNodes(c.Junctions)
			if err != nil {
				continue
			}
			var keep []string
			for _, v := range all {
				if !slices.Contains(nodes, v) {
					keep = append(keep, net.Nodes[v].ID)
				}
			}
			if len(keep) == 0 {
				continue
			}
			if len(keep) < len(all) {
				cc := *c
				cc.Junctions = keep
				e.Command = &cc
			}
		}
		out = append(out, e)
	}
	return out
}

// runShadow runs both sides and records the outcome (on its own
// goroutine; the worlds are its own), calling release just before.
func (t *Twin) runShadow(j *shadowJob, base, alt *world, log, altLog []LogEntry, steps int64, cand []*Command, nodes []maps.NodeID, release func()) {
	defer base.close()
	defer alt.close()
	start := time.Now()
	first := alt.sim.Steps()
	var wg sync.WaitGroup
	var bm, am ShadowMetrics
	var failed atomic.Value
	runSide := func(w *world, log []LogEntry, extra []*Command, out *ShadowMetrics) {
		defer wg.Done()
		defer func() {
			if p := recover(); p != nil {
				failed.Store(fmt.Sprintf("the shadow simulation failed: %v", p))
			}
		}()
		w.meter = newMeter(w, nodes)
		i := 0
		for ; i < len(log) && log[i].Step < w.sim.Steps(); i++ {
		}
		share := t.opt.ShadowShare
		var owed time.Duration // sleep owed to keep within share
		for n := int64(0); n < steps; n++ {
			if t.shadows.ctx.Err() != nil {
				return
			}
			t0 := time.Now()
			var cmds []*Command
			if w.sim.Steps() == first {
				cmds = append(cmds, extra...)
			}
			for ; i < len(log) && log[i].Step == w.sim.Steps(); i++ {
				if log[i].Command != nil && log[i].Error == "" { // a failed command changed nothing
					cmds = append(cmds, log[i].Command)
				}
			}
			w.step(cmds)
			j.done.Add(1)
			if share < 1 {
				owed += time.Duration(float64(time.Since(t0)) * (1 - share) / share)
				if owed > 2*time.Millisecond {
					time.Sleep(owed)
					owed = 0
				}
			}
		}
		*out = w.meter.result(w.sim)
	}
	wg.Add(2)
	go runSide(base, log, nil, &bm)
	go runSide(alt, altLog, cand, &am)
	wg.Wait()
	release()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.res.Wall = round(time.Since(start).Seconds(), 3)
	if msg, ok := failed.Load().(string); ok {
		j.res.Status, j.res.Error = "failed", msg
		return
	}
	if t.shadows.ctx.Err() != nil {
		j.res.Status = "canceled"
		return
	}
	d := ShadowMetrics{TotalDelay: am.TotalDelay - bm.TotalDelay, MeanHalting: am.MeanHalting - bm.MeanHalting,
		MaxHalting: am.MaxHalting - bm.MaxHalting, MeanQueue: am.MeanQueue - bm.MeanQueue,
		JunctionHalting: am.JunctionHalting - bm.JunctionHalting, Inserted: am.Inserted - bm.Inserted, Arrived: am.Arrived - bm.Arrived,
		RunningEnd: am.RunningEnd - bm.RunningEnd, WaitingEnd: am.WaitingEnd - bm.WaitingEnd}
	d.TotalDelay, d.MeanHalting, d.MeanQueue, d.JunctionHalting = round(d.TotalDelay, 1), round(d.MeanHalting, 3), round(d.MeanQueue, 1), round(d.JunctionHalting, 3)
	j.res.Baseline, j.res.Candidate, j.res.Difference = &bm, &am, &d
	j.res.DelayChange = pct(am.TotalDelay, bm.TotalDelay)
	j.res.HaltingChange = pct(am.MeanHalting, bm.MeanHalting)
	j.res.Status = "done"
}

func pct(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return round(100*(a-b)/b, 2)
}

// ShadowResult returns a shadow run by id.
func (t *Twin) ShadowResult(id string) (ShadowResult, bool) {
	j, ok := t.shadows.get(id)
	if !ok {
		return ShadowResult{}, false
	}
	return j.result(), true
}

// WaitShadow waits until shadow run id has finished (or ctx is done) and
// returns it.
func (t *Twin) WaitShadow(ctx context.Context, id string) (ShadowResult, error) {
	j, ok := t.shadows.get(id)
	if !ok {
		return ShadowResult{}, errorf(statusNotFound, "not_found", "no shadow run %q", clip(id, 20))
	}
	select {
	case <-j.finish:
	case <-ctx.Done():
	}
	return j.result(), nil
}

// Shadows lists the shadow runs kept.
func (t *Twin) Shadows() []ShadowResult { return t.shadows.list() }

// meter measures a world over a shadow run.
type meter struct {
	lanes      []maps.LaneID
	steps      int64
	halt       float64
	maxHalt    int
	queue      float64
	jhalt      float64
	start      engine.Counts
	startDelay float64
}

func newMeter(w *world, nodes []maps.NodeID) *meter {
	net := w.run.Network
	m := &meter{start: w.sim.Counts()}
	for _, v := range nodes {
		for _, r := range net.Nodes[v].In {
			m.lanes = append(m.lanes, net.Roads[r].Lanes...)
		}
	}
	if w.sim.Time() >= w.run.Scenario.Warmup-1e-9 {
		m.startDelay = totalDelay(w.sim)
	}
	return m
}

func totalDelay(s *engine.Sim) float64 {
	d := 0.0
	for _, r := range s.RoadStats() {
		d += r.Delay
	}
	return d
}

func (m *meter) observe(s *engine.Sim) {
	sens := s.LaneSensors()
	h, q := 0, 0.0
	for i := range sens {
		h += sens[i].Halting
		q += sens[i].Queue
	}
	for _, l := range m.lanes {
		m.jhalt += float64(sens[l].Halting)
	}
	m.steps++
	m.halt += float64(h)
	m.queue += q
	m.maxHalt = max(m.maxHalt, h)
}

func (m *meter) result(s *engine.Sim) ShadowMetrics {
	c := s.Counts()
	n := math.Max(float64(m.steps), 1)
	return ShadowMetrics{TotalDelay: round(totalDelay(s)-m.startDelay, 1), MeanHalting: round(m.halt/n, 3), MaxHalting: m.maxHalt,
		MeanQueue: round(m.queue/n, 1), JunctionHalting: round(m.jhalt/n, 3), Inserted: c.Inserted - m.start.Inserted,
		Arrived: c.Arrived - m.start.Arrived, RunningEnd: c.Running, WaitingEnd: c.Waiting, Hash: fmt.Sprintf("%016x", s.Hash())}
}
