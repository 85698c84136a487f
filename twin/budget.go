package twin

import (
	"context"
	"math"
	"time"

	"github.com/citytwin/citytwin/scenarios"
)

// Budgets. A twin runs for weeks beside clients it does not control, so
// every resource a request can make it hold is bounded, and checked
// before the work is queued: the trips still to depart (all clients
// together, per request and per client over time), the commands waiting
// (all together and per client), how far ahead a command may be
// scheduled, the command log's bytes in memory, the steps a client may
// wait for at once, and (in the HTTP server) the streams and shadow runs
// of each client. Clients are told apart by the address they connect
// from (WithClient).

// Defaults of the budgets (see Options).
const (
	DefaultMaxQueuedPerClient    = 1000
	DefaultMaxTripsPerRequest    = 100_000
	DefaultMaxTripsPerClient     = 1_000_000 // per hour
	DefaultMaxLogBytes           = 64 << 20
	DefaultMaxStepWaitsPerClient = 4
	// MaxAhead is how far beyond the scenario's end a command may be
	// scheduled, when the twin runs on past it: at most this far ahead
	// of now (s).
	MaxAhead = 3600.0
)

// clientKey is the context key of the client a call comes from.
type clientCtxKey struct{}

// WithClient returns ctx saying that the calls made with it come from
// client (for the HTTP API, the client's address): the per-client
// budgets apply to it. Calls without one share the client "".
func WithClient(ctx context.Context, client string) context.Context {
	return context.WithValue(ctx, clientCtxKey{}, client)
}

func clientOf(ctx context.Context) string {
	c, _ := ctx.Value(clientCtxKey{}).(string)
	return c
}

// queued is the bookkeeping of a command waiting to apply.
type queued struct {
	client string
	trips  float64 // estimated trips it adds
}

// tripEstimate bounds from above the trips command c adds if applied now
// to w, with extra trips already added (or queued) before it:
// add_demand's expected count with a margin for the Poisson draws;
// scale_demand's copies of the trips to depart in its window (extra
// counted as if in the window); field_counts' targets (at most 1.5 × the
// counts on each road, see followCounts).
func (w *world) tripEstimate(c *Command, extra float64) float64 {
	now := w.sim.Time()
	switch c.Kind {
	case scenarios.EventAddDemand:
		n := c.Rate * math.Max(c.End-max(c.Begin, c.At, now), 0) / 3600
		if n <= 0 {
			return 0
		}
		return float64(1.1*n) + 10
	case scenarios.EventScaleDemand:
		if c.Factor <= 1 {
			return 0
		}
		from := max(c.Begin, c.At, now)
		return math.Ceil(c.Factor-1) * (float64(w.sim.PendingIn(from, c.End)) + extra)
	case KindFieldCounts:
		n := 0.0
		for _, fc := range c.Counts {
			n += float64(1.5*fc.Count) + 1
		}
		return n
	}
	return 0
}

// pendingTrips returns the trips still to depart (cancelled ones too).
func (w *world) pendingTrips() float64 { return float64(w.sim.PendingIn(0, 0)) }

// overBudget reports whether applying c now (after this step's earlier
// commands, which added w.added) would take the trips still to depart
// beyond w.maxTrips, and records c's trips if not.
func (w *world) overBudget(c *Command) *Error {
	if w.maxTrips <= 0 {
		return nil
	}
	est := w.tripEstimate(c, w.added)
	if est > 0 && w.pendingTrips()+w.added+est > float64(w.maxTrips) {
		return errorf(statusUnprocess, "trip_budget", "%s: would add up to %.0f trips to the %.0f still to depart; the twin holds at most %d (Options.MaxTrips)",
			c.Kind, est, w.pendingTrips()+w.added, w.maxTrips)
	}
	w.added += est
	return nil
}

// tripBucket refills a client's trip budget: cap trips per hour.
type tripBucket struct {
	tokens float64
	last   time.Time
}

// takeTrips takes n trips from client's hourly budget, or says no.
func (t *Twin) takeTrips(client string, n float64) bool {
	if n <= 0 {
		return true
	}
	capacity := float64(t.opt.MaxTripsPerClient)
	now := time.Now()
	if t.clientTrips == nil {
		t.clientTrips = map[string]*tripBucket{}
	}
	b := t.clientTrips[client]
	if b == nil {
		if len(t.clientTrips) > 10000 { // forget clients that have refilled
			for k, o := range t.clientTrips {
				if now.Sub(o.last) > time.Hour {
					delete(t.clientTrips, k)
				}
			}
		}
		b = &tripBucket{tokens: capacity, last: now}
		t.clientTrips[client] = b
	}
	b.tokens = math.Min(capacity, b.tokens+float64(now.Sub(b.last).Hours()*capacity))
	b.last = now
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}
