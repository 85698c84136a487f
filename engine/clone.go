package engine

import (
	"runtime"
	"slices"

	"github.com/citytwin/citytwin/engine/signal"
)

// Cloner is implemented by controllers with state, so that a cloned
// simulation gets its own copy. Controllers without it are shared, which
// is right for stateless ones (FixedTime).
type Cloner interface {
	Clone() Controller
}

// Clone returns an independent copy of the simulation: stepping either
// does not affect the other, and both give the same future as long as they
// receive the same commands. It is the basis of shadow runs ("what would
// another policy have done from here?"). The clone has its own workers;
// Close it when done.
func (s *Sim) Clone() *Sim { return s.CloneWorkers(s.cfg.Workers) }

// CloneWorkers is Clone with another number of worker goroutines (0: all
// cores); results do not depend on it.
func (s *Sim) CloneWorkers(workers int) *Sim {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	c := *s
	c.cfg.Workers = workers
	c.segs = make([]segment, len(s.segs))
	for i := range s.segs {
		seg := s.segs[i]
		seg.cars = slices.Clone(s.segs[i].cars)
		c.segs[i] = seg
	}
	c.nodes = make([]nodeState, len(s.nodes))
	for i, ns := range s.nodes {
		c.nodes[i] = ns
		c.nodes[i].held = slices.Clone(ns.held)
		if ns.plant != nil {
			c.nodes[i].plant = ns.plant.Clone()
			if cl, ok := ns.plant.Ctrl.(Cloner); ok {
				c.nodes[i].plant.Ctrl = cl.Clone()
			}
		}
	}
	c.wakeSignals() // its plants are its own (Fork changes them)
	c.acc = slices.Clone(s.acc)
	c.yield = slices.Clone(s.yield)
	c.lights = slices.Clone(s.lights)
	c.veh = slices.Clone(s.veh)
	c.trips = slices.Clip(slices.Clone(s.trips))
	c.cold = s.cold.clone()
	c.routes = slices.Clip(slices.Clone(s.routes))
	c.routeLen = slices.Clip(slices.Clone(s.routeLen))
	c.plans = slices.Clip(slices.Clone(s.plans)) // plans are never changed once made
	c.pending = slices.Clone(s.pending)
	c.waiting = make([][]int32, len(s.waiting))
	for i, q := range s.waiting {
		c.waiting[i] = slices.Clone(q)
	}
	c.waitRoads = slices.Clone(s.waitRoads)
	c.chunkAcc = make([]stepAcc, len(s.chunkAcc))
	c.teleCand = make([][]tele, len(s.teleCand))
	c.jscratch, c.lcs = nil, nil
	c.insHeld, c.insLanes = nil, nil
	c.series = slices.Clone(s.series)
	c.finished = slices.Clone(s.finished)
	c.Unroutable = slices.Clone(s.Unroutable)
	c.geoms = nil
	c.loops = slices.Clone(s.loops)
	c.lsens = slices.Clone(s.lsens)
	c.nsens = make([]*signal.NodeSensors, len(s.nsens))
	for i, ns := range s.nsens {
		if ns != nil {
			cp := *ns
			cp.In, cp.Out = slices.Clone(ns.In), slices.Clone(ns.Out)
			c.nsens[i] = &cp
		}
	}
	c.closed = slices.Clone(s.closed)
	c.queue = slices.Clone(s.queue)
	c.srch, c.lsrch = nil, searchScratch{}
	c.incoming = make([]uint64, len(s.incoming))
	c.live = slices.Clone(s.live)
	c.lcAttn = slices.Clone(s.lcAttn)
	c.nodeLive = slices.Clone(s.nodeLive)
	c.occ = slices.Clone(s.occ)
	c.headTo = slices.Clone(s.headTo)
	c.headLink = slices.Clone(s.headLink)
	c.crossWait = slices.Clone(s.crossWait)
	c.shown = slices.Clone(s.shown)
	c.spare = make([]uint64, len(s.spare)) // the clone's empty lists have no capacity
	if s.v2x != nil {
		c.v2x = s.v2x.clone()
	}
	c.par = newPool(workers, s.cfg.MinParallel < 0)
	return &c
}
