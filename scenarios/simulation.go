package scenarios

import (
	"errors"
	"fmt"
	"slices"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// A Simulation is one simulation of a Run: an engine simulation with the
// run's signal programs and controllers, and its own place in the run's
// schedule — the [[signals.switch]] policy changes and the [[events]] —
// which Step applies at their times. Everything that changes as it runs
// is its own, so simulations of one Run are independent and may run on
// different goroutines; a Simulation itself is not safe for concurrent
// use.
//
// It embeds the engine simulation, whose methods it has (Time, Counts,
// Snapshot, Close ...) but for Step and RunUntil, which it replaces by
// ones that apply the schedule first. Close it when done.
type Simulation struct {
	*engine.Sim
	run        *Run
	sw         int // next [[signals.switch]] to apply
	next       int // next event (an index into run.eventOrder)
	collectors []Collector
}

// A Collector looks at a simulation after every step: an output that
// accumulates as the run goes (output.JunctionMetrics, output.FCDFile ...).
type Collector interface {
	Observe(sim *engine.Sim)
}

// CollectorFunc adapts a function to the Collector interface.
type CollectorFunc func(sim *engine.Sim)

// Observe implements Collector.
func (f CollectorFunc) Observe(sim *engine.Sim) { f(sim) }

// NewSimulation creates a simulation of the run at time 0, with the run's
// signal programs (the yellow and all-red overrides and
// [[signals.programs]]) and controllers, nothing of its schedule applied
// yet.
func (r *Run) NewSimulation() (*Simulation, error) {
	sim, err := engine.New(r.Network, r.Config, r.Trips)
	if err != nil {
		return nil, err
	}
	if st := r.signals; st != nil {
		for v, p := range st.programs {
			if p == nil {
				continue
			}
			if err := sim.SetProgram(maps.NodeID(v), p); err != nil {
				sim.Close()
				return nil, err
			}
		}
	}
	return &Simulation{Sim: sim, run: r}, nil
}

// Run returns the run the simulation belongs to.
func (s *Simulation) Run() *Run { return s.run }

// Collect adds collectors, called in the order added after every Step.
func (s *Simulation) Collect(c ...Collector) { s.collectors = append(s.collectors, c...) }

// Apply carries out every switch and event not yet applied that is due at
// the start of the next step (at or before Time()): it sets the switches'
// controllers, then enqueues the events' engine commands in file order
// for equal times. A
// switch or event at time T takes effect from the step that starts at T
// (or the first step starting after it); new controllers start afresh and
// the signal state carries on. Problems (which Build rules out) are
// returned joined; the rest still applies. Step calls it; call it
// yourself only to act between the schedule and the step.
func (s *Simulation) Apply() error {
	var errs []error
	now := s.Time() + 1e-9
	if st := s.run.signals; st != nil {
		for ; s.sw < len(st.switches) && st.switches[s.sw].at <= now; s.sw++ {
			sw := st.switches[s.sw]
			for _, v := range sw.nodes {
				// Set at once rather than enqueued: the same for the
				// signals, but a non-empty command queue makes the engine
				// refresh its detectors once more in that step.
				c, err := s.run.SignalController(v, sw.c.policy, sw.c.phases)
				if err == nil {
					err = s.SetController(v, c)
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("signals.switch[%d]: %w", s.sw, err))
				}
			}
		}
	}
	for ; s.next < len(s.run.eventOrder); s.next++ {
		i := s.run.eventOrder[s.next]
		e := &s.run.Scenario.Events[i]
		if e.At > now {
			break
		}
		cmds, err := s.run.EventCommands(e, s.Sim)
		if err != nil {
			errs = append(errs, fmt.Errorf("events[%d]: %w", i, err))
			continue
		}
		for _, c := range cmds {
			if err := s.Enqueue(c); err != nil {
				errs = append(errs, fmt.Errorf("events[%d]: %w", i, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Step applies what is due (Apply), advances the engine simulation one
// step and hands it to the collectors. The step is taken even when Apply
// fails; its error is returned.
func (s *Simulation) Step() error {
	err := s.Apply()
	s.Sim.Step()
	for _, c := range s.collectors {
		c.Observe(s.Sim)
	}
	return err
}

// RunUntil steps until the simulation time reaches t (s), returning the
// problems of Apply joined.
func (s *Simulation) RunUntil(t float64) error {
	var errs []error
	for s.Time() < t-1e-9 {
		if err := s.Step(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Over reports whether the run is over: its time has reached the run's
// End, or stop_when_empty is set, every trip's departure time has passed,
// no [[events]] entry is left to apply and no vehicle is running or
// waiting to enter.
func (s *Simulation) Over() bool {
	if s.Time() >= s.run.End()-1e-9 {
		return true
	}
	return s.run.Scenario.StopWhenEmpty && s.Done() && s.Remaining() == 0
}

// RunToEnd steps until Over, returning the problems of Apply joined.
func (s *Simulation) RunToEnd() error {
	var errs []error
	for !s.Over() {
		if err := s.Step(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Remaining returns the number of [[events]] not yet applied.
func (s *Simulation) Remaining() int { return len(s.run.eventOrder) - s.next }

// External returns the controller through which Go code sets the phases
// of junction id (see signal.External), or nil when the junction does not
// run the "external" policy now (a switch_policy event applied by Apply
// takes effect at the start of the next step).
func (s *Simulation) External(id string) *signal.External {
	v, ok := s.run.Network.NodeByID(id)
	if !ok {
		return nil
	}
	nc, ok := s.NodeControl(v)
	if !ok {
		return nil
	}
	e, _ := nc.Controller.(*signal.External)
	return e
}

// Fork returns an independent copy of the simulation at the same point of
// its run and schedule (see engine.Sim.Fork for fresh). The copy has no
// collectors.
func (s *Simulation) Fork(fresh func(engine.Controller) engine.Controller) *Simulation {
	return &Simulation{Sim: s.Sim.Fork(fresh), run: s.run, sw: s.sw, next: s.next}
}

// eventOrder returns the indices of evs ordered by time, file order for
// equal times.
func eventOrder(evs []Event) []int {
	order := make([]int, len(evs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case evs[a].At < evs[b].At:
			return -1
		case evs[a].At > evs[b].At:
			return 1
		}
		return 0
	})
	return order
}
