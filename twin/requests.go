package twin

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/citytwin/citytwin/scenarios"
)

// The Twin's methods for its clients (the HTTP handlers, the TraCI server,
// Go code): each runs on the twin's goroutine through do.

// ErrStopped is returned by calls made after the twin has stopped.
var ErrStopped = &Error{Status: statusUnavailable, Code: "stopped", Msg: "the twin has stopped"}

// do runs f on the twin's goroutine and waits for it. A panic in f is
// caught there and returned as an internal error.
func (t *Twin) do(ctx context.Context, f func()) error {
	done := make(chan struct{})
	var perr error
	g := func() {
		defer func() {
			if p := recover(); p != nil {
				perr = &Error{Status: 500, Code: "internal", Msg: fmt.Sprintf("internal error: %v (the twin runs on)", p)}
			}
			close(done)
		}()
		f()
	}
	select {
	case t.reqs <- g:
	case <-t.stopped:
		return ErrStopped
	case <-ctx.Done():
		return timeoutError(ctx)
	}
	select {
	case <-done:
		return perr
	case <-t.stopped:
		return ErrStopped
	case <-ctx.Done():
		return timeoutError(ctx)
	}
}

func timeoutError(ctx context.Context) error {
	return &Error{Status: statusUnavailable, Code: "busy", Msg: "the twin did not answer in time: " + ctx.Err().Error()}
}

// Status returns the twin's status; withHash adds the state hash.
func (t *Twin) Status(ctx context.Context, withHash bool) (Status, error) {
	var st Status
	err := t.do(ctx, func() { st = t.status(withHash) })
	return st, err
}

func (t *Twin) status(withHash bool) Status {
	s := t.w.sim
	st := Status{Scenario: t.run.Scenario.Name, Time: s.Time(), Step: s.Steps(), StepLength: s.StepLength(),
		Mode: "paced", Paused: t.paused, Pace: math.Max(t.pace, 0), Lag: round(t.lag, 3), Pending: len(t.pending),
		Scheduled: len(t.sched), Logged: t.seq, Failed: t.failed, Shadows: t.shadows.running(), Note: t.note}
	if t.stepped {
		st.Mode = "stepped"
	}
	if t.until > 0 {
		st.End = t.until
	}
	if time.Since(t.lastStep) < 2*time.Second {
		st.StepsPerSecond = round(t.rate, 1)
	}
	f := t.currentFrame()
	st.Counts = f.counts
	if withHash {
		st.Hash = fmt.Sprintf("%016x", s.Hash())
	}
	return st
}

// Observe returns the observation parts asked for, at the current step.
func (t *Twin) Observe(ctx context.Context, parts []string) (*Observation, error) {
	f, err := t.observeFrame(ctx, parts)
	if err != nil {
		return nil, err
	}
	return f.observation(parts), nil
}

// observeFrame returns the current frame with parts built.
func (t *Twin) observeFrame(ctx context.Context, parts []string) (*frame, error) {
	var f *frame
	err := t.do(ctx, func() { f = t.currentFrame(parts...) })
	return f, err
}

// Submit checks commands against the twin and queues them, all or none:
// those with a later At for their time, the others for the next step.
// It returns the step before which the immediate ones apply.
func (t *Twin) Submit(ctx context.Context, cmds []Command) (int64, error) {
	var step int64
	var err error
	client := clientOf(ctx)
	if e := t.do(ctx, func() { step, err = t.submit(client, cmds) }); e != nil {
		return 0, e
	}
	return step, err
}

func (t *Twin) submit(client string, cmds []Command) (int64, error) {
	if len(t.pending)+len(t.sched)+len(cmds) > t.opt.MaxPending {
		return 0, errorf(statusTooMany, "queue_full", "%d commands are waiting already; at most %d (step the twin or retry later)",
			len(t.pending)+len(t.sched), t.opt.MaxPending)
	}
	if n := t.perClient[client]; n+len(cmds) > t.opt.MaxQueuedPerClient {
		return 0, errorf(statusTooMany, "client_queue_full", "%d of your commands are waiting already; at most %d per client (step the twin or retry later)",
			n, t.opt.MaxQueuedPerClient)
	}
	now := t.w.sim.Time()
	horizon := math.Max(t.run.End(), now+MaxAhead)
	trips := make([]float64, len(cmds))
	total := 0.0
	for i := range cmds {
		err := t.w.check(&cmds[i])
		if err == nil && cmds[i].At > horizon+1e-9 {
			err = errorf(statusUnprocess, "invalid_command", "%s: at %g s is beyond the scenario's end (%g s); commands may be scheduled up to the end, or %g s ahead once past it",
				cmds[i].Kind, cmds[i].At, t.run.End(), MaxAhead)
		}
		if err == nil {
			trips[i] = t.w.tripEstimate(&cmds[i], t.queuedTrips+total)
			total += trips[i]
		}
		if err != nil {
			var e *Error
			if errors.As(err, &e) && len(cmds) > 1 {
				e.Msg = fmt.Sprintf("command %d: %s", i, e.Msg)
			}
			return 0, err
		}
	}
	if total > float64(t.opt.MaxTripsPerRequest) {
		return 0, errorf(statusTooLarge, "too_many_trips", "the commands would add up to %.0f trips; at most %d per request", total, t.opt.MaxTripsPerRequest)
	}
	if have := t.w.pendingTrips() + t.queuedTrips; total > 0 && have+total > float64(t.opt.MaxTrips) {
		return 0, errorf(statusUnprocess, "trip_budget", "the commands would add up to %.0f trips to the %.0f still to depart or queued; the twin holds at most %d",
			total, have, t.opt.MaxTrips)
	}
	if !t.takeTrips(client, total) {
		return 0, errorf(statusTooMany, "client_trip_budget", "the commands would add up to %.0f trips: more than is left of your %d trips per hour", total, t.opt.MaxTripsPerClient)
	}
	for i := range cmds {
		c := cmds[i]
		if c.At > now+1e-9 {
			k, _ := slices.BinarySearchFunc(t.sched, c.At, func(a *Command, at float64) int {
				if a.At <= at {
					return -1
				}
				return 1
			})
			t.sched = slices.Insert(t.sched, k, &c)
			t.hold(&c, client, trips[i])
			continue
		}
		c.At = 0
		t.pending = append(t.pending, &c)
		t.hold(&c, client, trips[i])
	}
	return t.w.sim.Steps(), nil
}

// hold records a command that waits.
func (t *Twin) hold(c *Command, client string, trips float64) {
	t.owners[c] = queued{client: client, trips: trips}
	t.perClient[client]++
	t.queuedTrips += trips
}

// Step queues cmds like Submit, then steps the twin n times and returns
// the observation parts asked for after the last step. It needs the twin
// client-stepped or paused.
func (t *Twin) Step(ctx context.Context, n int64, cmds []Command, parts []string) (*Observation, error) {
	if n < 1 || n > MaxStepsPerRequest {
		return nil, errorf(statusUnprocess, "invalid_request", "n must be in [1, %d], got %d", MaxStepsPerRequest, n)
	}
	reply := make(chan *Observation, 1)
	var err error
	client := clientOf(ctx)
	if e := t.do(ctx, func() {
		if !t.stepped && !t.paused {
			err = errorf(statusConflict, "wrong_mode", "the twin runs paced: pause it or switch to stepped mode before stepping it")
			return
		}
		if t.stepWaits[client] >= t.opt.MaxStepWaitsPerClient {
			err = errorf(statusTooMany, "too_many_steps", "%d of your step requests are running; at most %d per client", t.stepWaits[client], t.opt.MaxStepWaitsPerClient)
			return
		}
		if len(cmds) > 0 {
			if _, err = t.submit(client, cmds); err != nil {
				return
			}
		}
		t.target = max(t.target, t.w.sim.Steps()) + n
		t.waiters = append(t.waiters, waiter{step: t.target, parts: parts, reply: reply, client: client})
		t.stepWaits[client]++
	}); e != nil {
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	select {
	case o, ok := <-reply:
		if !ok {
			return nil, ErrStopped
		}
		return o, nil
	case <-t.stopped:
		return nil, ErrStopped
	case <-ctx.Done():
		// The client has gone (or given up): its steps are not run.
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		t.do(cctx, func() { t.dropWaiter(reply) })
		return nil, timeoutError(ctx)
	}
}

// dropWaiter forgets the waiter with reply and lowers the step target to
// what the other waiters still wait for (on the twin's goroutine).
func (t *Twin) dropWaiter(reply chan *Observation) {
	target := t.w.sim.Steps()
	rest := t.waiters[:0]
	for _, wt := range t.waiters {
		if wt.reply == reply {
			t.doneWaiting(wt.client)
			continue
		}
		rest = append(rest, wt)
		target = max(target, wt.step)
	}
	t.waiters = rest
	t.target = min(t.target, target)
}

func (t *Twin) doneWaiting(client string) {
	if t.stepWaits[client]--; t.stepWaits[client] <= 0 {
		delete(t.stepWaits, client)
	}
}

// MaxStepsPerRequest bounds n of Step.
const MaxStepsPerRequest = 100000

// Pause stops a paced twin.
func (t *Twin) Pause(ctx context.Context) error {
	return t.control(ctx, func() error {
		if t.stepped {
			return errorf(statusConflict, "wrong_mode", "the twin is client-stepped: there is nothing to pause")
		}
		t.paused = true
		t.note = ""
		return nil
	})
}

// Resume restarts a paused paced twin.
func (t *Twin) Resume(ctx context.Context) error {
	return t.control(ctx, func() error {
		if t.stepped {
			return errorf(statusConflict, "wrong_mode", "the twin is client-stepped: switch to paced mode (POST /v1/mode) to run it on its own")
		}
		if t.paused && t.until >= 0 && t.w.sim.Time() >= t.until-1e-9 {
			t.until = -1
		}
		t.paused = false
		t.note = ""
		t.anchor()
		return nil
	})
}

// SetPace sets the pace of paced mode: simulated seconds per wall second,
// 0 for as fast as possible.
func (t *Twin) SetPace(ctx context.Context, pace float64) error {
	if !(pace >= 0 && pace <= MaxPace) {
		return errorf(statusUnprocess, "invalid_request", "pace must be in [0, %g] (0: as fast as possible), got %g", float64(MaxPace), pace)
	}
	return t.control(ctx, func() error {
		t.pace = pace
		if pace == 0 {
			t.pace = -1
		}
		t.anchor()
		return nil
	})
}

// MaxPace bounds SetPace.
const MaxPace = 1e6

// SetMode switches between "paced" (running) and "stepped".
func (t *Twin) SetMode(ctx context.Context, mode string) error {
	if mode != "paced" && mode != "stepped" {
		return errorf(statusUnprocess, "invalid_request", "mode must be \"paced\" or \"stepped\", got %q", clip(mode, 20))
	}
	return t.control(ctx, func() error {
		t.stepped = mode == "stepped"
		if !t.stepped {
			t.paused = false
			t.anchor()
		}
		t.note = ""
		return nil
	})
}

func (t *Twin) control(ctx context.Context, f func() error) error {
	var err error
	if e := t.do(ctx, func() { err = f() }); e != nil {
		return e
	}
	return err
}

// Log returns the logged commands with Seq ≥ since (at most limit).
func (t *Twin) Log(ctx context.Context, since int64, limit int) ([]LogEntry, error) {
	var out []LogEntry
	err := t.do(ctx, func() {
		i, _ := slices.BinarySearchFunc(t.log, since, func(e LogEntry, s int64) int {
			switch {
			case e.Seq < s:
				return -1
			case e.Seq > s:
				return 1
			}
			return 0
		})
		end := min(len(t.log), i+limit)
		out = slices.Clone(t.log[i:end])
	})
	return out, err
}

// Run returns the run the twin simulates.
func (t *Twin) Scenario() *scenarios.Run { return t.run }
