package signal

import "sync/atomic"

// External holds a phase requested from outside the simulation — a
// learning agent stepping the simulation, or the live API — and asks for
// it at every decision until another is requested. Before any request it
// keeps the current phase. The guard applies as to any controller: a
// request before the minimum green is refused (and counted) until the
// minimum green has run, then granted.
//
// Request may be called from any goroutine. A run stays deterministic when
// requests are made between steps (sim.Step calls), as an agent loop
// does; requests racing with a step take effect at that step or the next.
//
// An External serves one junction. The zero value is ready to use.
type External struct {
	req atomic.Int64 // requested phase + 1; 0: none
}

// Name implements Controller.
func (e *External) Name() string { return "external" }

// Request asks for phase i from the next step on; a negative i withdraws
// the request (the current phase is kept).
func (e *External) Request(i int) {
	if i < 0 {
		e.req.Store(0)
		return
	}
	e.req.Store(int64(i) + 1)
}

// Requested returns the requested phase, or −1 if none.
func (e *External) Requested() int { return int(e.req.Load()) - 1 }

// Decide implements Controller.
func (e *External) Decide(v View) int {
	if r := e.Requested(); r >= 0 {
		return r
	}
	return v.Phase
}
