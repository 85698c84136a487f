package twin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/citytwin/citytwin/scenarios"
)

// Options configure a Twin. The zero value runs paced at real time.
type Options struct {
	// Pace is simulated seconds per wall second in paced mode (1: real
	// time); 0 means 1, a negative value as fast as possible.
	Pace float64
	// Stepped starts the twin client-stepped: it steps only when a client
	// asks (POST /v1/step), as a learning agent does.
	Stepped bool
	// Paused starts a paced twin paused.
	Paused bool
	// Until is the time at which a paced twin pauses (s); 0 means the
	// scenario's end (duration + cooldown), a negative value never.
	Until float64
	// CheckpointEvery is the simulated time between the checkpoints
	// retrospective shadow runs start from (s); 0 means 300, a negative
	// value none. Checkpoints is how many are kept (0: 4).
	CheckpointEvery float64
	Checkpoints     int
	// CheckpointBudget bounds the share of wall time spent forking
	// checkpoints (0: 2%; negative: no bound): after a fork that took d,
	// the next waits at least d/CheckpointBudget, so a twin running flat
	// out takes them less often than CheckpointEvery asks.
	CheckpointBudget float64
	// MaxPending bounds the commands waiting for the next step, and
	// scheduled ones (0: 10000).
	MaxPending int
	// MaxShadows bounds the shadow runs at once (0: 2); MaxHorizon their
	// horizon (s, 0: 6 h).
	MaxShadows int
	MaxHorizon float64
	// MaxShadowsPerClient bounds the shadow runs of one client at once
	// (0: 1, so that one client cannot hold every slot).
	MaxShadowsPerClient int
	// ShadowShare is the share of a processor each side of a shadow run
	// may take (0: 0.25, so half a processor per run; 1 or more: all it
	// can): a side sleeps after its steps so that shadow runs, which any
	// client may start, never take the processors from the live twin and
	// its clients.
	ShadowShare float64
	// MaxLog bounds the command log kept in memory (0: 1,000,000
	// entries) and MaxLogBytes its size (0: 64 MiB, as JSON); older
	// entries are dropped (Log still has them).
	MaxLog      int
	MaxLogBytes int
	// MaxTrips bounds the trips still to depart, whatever adds them
	// (add_demand, scale_demand, field_counts): a command that would go
	// beyond is refused when it arrives and, should the state have
	// changed, fails when it comes to apply (0: twice the scenario's
	// trips, at least 100,000, and at most its limits.trips).
	MaxTrips int
	// MaxTripsPerRequest bounds the trips the commands of one request
	// may add (0: 100,000); MaxTripsPerClient those one client may add
	// per hour (0: a tenth of MaxTrips, at least 10,000), so that a few
	// clients cannot take the whole budget.
	MaxTripsPerRequest int
	MaxTripsPerClient  int
	// MaxQueuedPerClient bounds the commands of one client waiting for
	// their step (0: 1,000).
	MaxQueuedPerClient int
	// MaxStepWaitsPerClient bounds the step requests (Step) one client
	// may wait for at once (0: 4).
	MaxStepWaitsPerClient int
	// Log, when set, receives every applied command as a line of JSON
	// (a LogEntry): the file Replay and `citytwin serve -replay` read.
	Log io.Writer
}

func (o *Options) defaults() {
	if o.Pace == 0 {
		o.Pace = 1
	}
	if o.CheckpointEvery == 0 {
		o.CheckpointEvery = 300
	}
	if o.CheckpointBudget == 0 {
		o.CheckpointBudget = 0.02
	}
	if o.Checkpoints <= 0 {
		o.Checkpoints = 4
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 10000
	}
	if o.MaxShadows <= 0 {
		o.MaxShadows = 2
	}
	if o.MaxHorizon <= 0 {
		o.MaxHorizon = 6 * 3600
	}
	if o.MaxLog <= 0 {
		o.MaxLog = 1_000_000
	}
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&o.MaxLogBytes, DefaultMaxLogBytes)
	def(&o.MaxTripsPerRequest, DefaultMaxTripsPerRequest)
	def(&o.MaxQueuedPerClient, DefaultMaxQueuedPerClient)
	def(&o.MaxStepWaitsPerClient, DefaultMaxStepWaitsPerClient)
	def(&o.MaxShadowsPerClient, 1)
	if o.ShadowShare <= 0 {
		o.ShadowShare = 0.25
	}
}

// A Twin runs a scenario live: one goroutine (Run) owns the simulation
// and steps it, paced or at clients' request; every other method may be
// called from any goroutine and talks to it through a channel. Commands
// are checked when they arrive and applied between steps in arrival order,
// and every applied command is logged with its step, so Replay of the log
// gives the same state hash.
type Twin struct {
	run *scenarios.Run
	opt Options

	reqs    chan func()
	stopped chan struct{}
	started sync.Once

	// Owned by the Run goroutine.
	w        *world
	pending  []*Command
	sched    []*Command // by (At, arrival)
	paused   bool
	stepped  bool
	pace     float64 // < 0: as fast as possible
	until    float64 // < 0: never
	note     string
	target   int64 // client steps run until this step
	waiters  []waiter
	log      []LogEntry
	logBytes int   // JSON size of log
	seq      int64 // entries logged so far
	// Budgets (budget.go).
	owners      map[*Command]queued // of the pending and scheduled commands
	perClient   map[string]int      // commands waiting, by client
	queuedTrips float64             // trips the waiting commands may add
	clientTrips map[string]*tripBucket
	stepWaits   map[string]int // step requests waiting, by client
	failed      int64
	frame       *frame
	anchorWall  time.Time
	anchorStep  int64
	lag         float64
	rateStart   time.Time
	rateSteps   int64
	rate        float64
	lastStep    time.Time
	checks      []checkpoint
	nextCheck   float64
	checkAfter  time.Time
	breathed    time.Time

	exits   *exitCache
	layouts []*nodeLayout
	shadows *shadows
	netJSON netCache

	// The dashboard's views (scene.go, hub.go, detail.go).
	sceneJSON sceneCache
	hub       *hub
	hubOnce   sync.Once
	decisions decisionLog
}

// waiter is a client waiting for its steps.
type waiter struct {
	step   int64
	parts  []string
	reply  chan *Observation
	client string
}

// checkpoint is a fork of the twin kept for retrospective shadow runs.
type checkpoint struct {
	w   *world
	seq int64 // log entries before it
}

// New prepares a twin of run; Run starts it.
func New(run *scenarios.Run, opt Options) (*Twin, error) {
	opt.defaults()
	exits := newExitCache(run.Network)
	w, err := newWorld(run, exits)
	if err != nil {
		return nil, err
	}
	if opt.MaxTrips <= 0 {
		opt.MaxTrips = max(2*len(run.Trips), 100_000)
		if l := run.Scenario.Limits.Trips; l > 0 {
			opt.MaxTrips = min(opt.MaxTrips, l)
		}
	}
	w.maxTrips = opt.MaxTrips
	if opt.MaxTripsPerClient <= 0 {
		opt.MaxTripsPerClient = max(opt.MaxTrips/10, 10_000)
	}
	t := &Twin{run: run, opt: opt, reqs: make(chan func(), 1024), stopped: make(chan struct{}), w: w, exits: exits,
		paused: opt.Paused, stepped: opt.Stepped, pace: opt.Pace, until: opt.Until,
		owners: map[*Command]queued{}, perClient: map[string]int{}, stepWaits: map[string]int{}}
	if t.until == 0 {
		t.until = run.End()
	}
	t.shadows = newShadows(opt.MaxShadows)
	t.checkpoint()
	return t, nil
}

// Run owns and steps the simulation until ctx is done; then it stops the
// shadow runs and releases the simulations. Call it once. It returns an
// error only if the simulation itself failed (a panic while stepping,
// which no command should be able to cause); the twin has stopped then.
func (t *Twin) Run(ctx context.Context) (err error) {
	ran := false
	t.started.Do(func() { ran = true })
	if !ran {
		return errors.New("twin: Run called twice")
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("twin: the simulation failed at step %d: %v\n%s", t.w.sim.Steps(), p, debug.Stack())
		}
	}()
	defer func() {
		t.shadows.stop()
		for _, c := range t.checks {
			c.w.close()
		}
		t.w.close()
		close(t.stopped)
		for _, wt := range t.waiters {
			close(wt.reply)
		}
	}()
	t.anchor()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		t.drain()
		if ctx.Err() != nil {
			return nil
		}
		if !t.wantStep() {
			select {
			case f := <-t.reqs:
				f()
			case <-ctx.Done():
				return nil
			}
			continue
		}
		wait := t.untilDue()
		if wait <= 0 {
			t.stepOnce()
			// Stepping flat out never blocks: let the goroutines the
			// step's requests woke run now rather than at the next
			// preemption, and every few milliseconds leave the processor
			// idle for a moment, so that the runtime polls the network
			// (it does when a processor has nothing to run; otherwise
			// only every 10 ms).
			runtime.Gosched()
			if time.Since(t.breathed) > breathEvery {
				timer.Reset(breath)
				select {
				case f := <-t.reqs:
					f()
				case <-timer.C:
				case <-ctx.Done():
					return nil
				}
				timer.Stop()
				t.breathed = time.Now()
			}
			continue
		}
		timer.Reset(wait)
		select {
		case f := <-t.reqs:
			f()
		case <-timer.C:
			t.stepOnce()
		case <-ctx.Done():
			return nil
		}
	}
}

// A twin stepping flat out pauses for breath every breathEvery.
const (
	breathEvery = 2 * time.Millisecond
	breath      = 50 * time.Microsecond
)

// drain runs the requests already queued, a bounded number so that a
// flood of requests cannot stop the stepping.
func (t *Twin) drain() {
	for range 512 {
		select {
		case f := <-t.reqs:
			f()
		default:
			return
		}
	}
}

// wantStep reports whether the twin should step: clients asked for steps,
// or it runs paced.
func (t *Twin) wantStep() bool {
	if t.w.sim.Steps() < t.target {
		return true
	}
	return !t.stepped && !t.paused
}

// untilDue returns the wall time until the next paced step is due.
func (t *Twin) untilDue() time.Duration {
	if t.w.sim.Steps() < t.target || t.pace < 0 {
		return 0
	}
	interval := t.w.sim.StepLength() / t.pace
	due := t.anchorWall.Add(time.Duration(float64(t.w.sim.Steps()-t.anchorStep) * interval * float64(time.Second)))
	d := time.Until(due)
	if d < -time.Second {
		// More than a second behind: run on from now instead of racing to
		// catch up, and say so.
		t.lag = -d.Seconds()
		t.anchor()
		return 0
	}
	if d <= 0 {
		return 0
	}
	t.lag = 0
	return d
}

// anchor restarts the pacing from now.
func (t *Twin) anchor() {
	t.anchorWall = time.Now()
	t.anchorStep = t.w.sim.Steps()
}

// stepOnce applies due commands and steps once.
func (t *Twin) stepOnce() {
	now := t.w.sim.Time()
	var cmds []*Command
	k := 0
	for k < len(t.sched) && t.sched[k].At <= now+1e-9 {
		k++
	}
	cmds = append(cmds, t.sched[:k]...)
	t.sched = slices.Delete(t.sched, 0, k)
	cmds = append(cmds, t.pending...)
	t.pending = nil
	for _, c := range cmds {
		t.release(c)
	}
	for _, e := range t.w.step(cmds) {
		t.record(e)
	}
	t.decisions.observe(t.run.Network, t.w.sim)
	t.frame = nil
	t.measure()
	steps := t.w.sim.Steps()
	if !t.stepped && !t.paused && t.until >= 0 && t.w.sim.Time() >= t.until-1e-9 && steps >= t.target {
		t.paused = true
		t.note = fmt.Sprintf("paused at the end of the scenario (%g s); resume to run on", t.until)
		t.until = -1
	}
	if t.opt.CheckpointEvery > 0 && t.w.sim.Time() >= t.nextCheck-1e-9 {
		t.checkpoint()
	}
	if len(t.waiters) > 0 {
		rest := t.waiters[:0]
		for _, wt := range t.waiters {
			if wt.step <= steps {
				wt.reply <- t.currentFrame(wt.parts...).observation(wt.parts)
				t.doneWaiting(wt.client)
				continue
			}
			rest = append(rest, wt)
		}
		t.waiters = rest
	}
}

// release forgets the bookkeeping of a waiting command that applies now.
func (t *Twin) release(c *Command) {
	q, ok := t.owners[c]
	if !ok {
		return
	}
	delete(t.owners, c)
	t.queuedTrips = math.Max(t.queuedTrips-q.trips, 0)
	if t.perClient[q.client]--; t.perClient[q.client] <= 0 {
		delete(t.perClient, q.client)
	}
}

// record appends a log entry. The log in memory keeps at most MaxLog
// entries and MaxLogBytes bytes (as JSON): beyond either, the oldest half
// goes.
func (t *Twin) record(e LogEntry) {
	e.Seq = t.seq
	t.seq++
	if e.Error != "" {
		t.failed++
	}
	b, err := json.Marshal(e)
	if err != nil {
		b = nil
	}
	e.size, e.raw = len(b)+1, b
	t.log = append(t.log, e)
	t.logBytes += e.size
	if len(t.log) > t.opt.MaxLog || t.logBytes > t.opt.MaxLogBytes {
		k, drop := 0, 0
		for k < len(t.log) && (len(t.log)-k > t.opt.MaxLog/2 || t.logBytes-drop > t.opt.MaxLogBytes/2) {
			drop += t.log[k].size
			k++
		}
		t.log = slices.Delete(t.log, 0, k)
		t.logBytes -= drop
	}
	if t.opt.Log != nil && b != nil {
		t.opt.Log.Write(append(b[:len(b):len(b)], '\n'))
	}
}

// measure updates the step rate.
func (t *Twin) measure() {
	now := time.Now()
	t.lastStep = now
	if t.rateStart.IsZero() {
		t.rateStart = now
	}
	t.rateSteps++
	if d := now.Sub(t.rateStart); d >= time.Second {
		t.rate = float64(t.rateSteps) / d.Seconds()
		t.rateStart, t.rateSteps = now, 0
	}
}

// checkpoint keeps a fork of the current state.
func (t *Twin) checkpoint() {
	if t.opt.CheckpointEvery < 0 {
		return
	}
	start := time.Now()
	if start.Before(t.checkAfter) {
		return // over budget: try again at the next step
	}
	t.checks = append(t.checks, checkpoint{w: t.w.fork(), seq: t.seq})
	if len(t.checks) > t.opt.Checkpoints {
		t.checks[0].w.close()
		t.checks = slices.Delete(t.checks, 0, 1)
	}
	t.nextCheck = t.w.sim.Time() + t.opt.CheckpointEvery
	if b := t.opt.CheckpointBudget; b > 0 {
		t.checkAfter = time.Now().Add(time.Duration(float64(time.Since(start)) / b))
	}
}
