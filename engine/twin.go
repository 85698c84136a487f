package engine

import (
	"slices"
	"sort"

	"github.com/citytwin/citytwin/maps"
)

// What a live digital twin needs beyond Clone and the commands: forks
// whose controllers share no state with the original, a view of a node's
// control (through a ForcePhase hold), the closure and speed limit of a
// lane, and demand scaling restricted to the trips that use a road (for
// following field detector counts).

// Fork returns a Clone that shares no mutable state with s, so that it may
// be stepped on another goroutine while s steps on. Controllers that
// implement Cloner are cloned; every other controller c is replaced by
// fresh(c) (nil fresh keeps c, which is right only for stateless
// controllers). A ForcePhase hold carries over with its controller
// replaced the same way, and so do controllers in queued SetNodeController
// commands. A controller replaced by fresh(c) may decide differently from
// c from then on (it has lost c's history), so the fork's future can
// differ from s's; with Cloner controllers throughout it is the same.
func (s *Sim) Fork(fresh func(Controller) Controller) *Sim {
	c := s.Clone()
	dup := func(x Controller) Controller { return forkController(x, fresh) }
	for i := range c.nodes {
		if p := c.nodes[i].plant; p != nil {
			p.Ctrl = dup(s.nodes[i].plant.Ctrl)
		}
	}
	for i, q := range c.queue {
		if sc, ok := q.(SetNodeController); ok {
			sc.Controller = dup(sc.Controller)
			c.queue[i] = sc
		}
	}
	return c
}

func forkController(x Controller, fresh func(Controller) Controller) Controller {
	switch v := x.(type) {
	case nil:
		return nil
	case *forced:
		return &forced{phase: v.phase, until: v.until, next: forkController(v.next, fresh)}
	case Cloner:
		return v.Clone()
	}
	if fresh != nil {
		return fresh(x)
	}
	return x
}

// Clone implements Cloner: a ForcePhase hold clones the controller it
// hands back to when that is a Cloner.
func (f *forced) Clone() Controller {
	c := *f
	if cl, ok := f.next.(Cloner); ok {
		c.next = cl.Clone()
	}
	return &c
}

// NodeControl is how a signalised node is controlled right now.
type NodeControl struct {
	// Controller is the node's controller, the one a ForcePhase hold
	// hands back to when the hold is on.
	Controller Controller
	// Held reports a ForcePhase hold of Phase until Until (s).
	Held  bool
	Phase int
	Until float64
}

// NodeControl returns how node v is controlled, and false when v is not
// signalised. Read it between steps only.
func (s *Sim) NodeControl(v maps.NodeID) (NodeControl, bool) {
	p := s.plantOf(v)
	if p == nil {
		return NodeControl{}, false
	}
	if f, ok := p.Ctrl.(*forced); ok {
		if s.now < f.until-1e-9 {
			return NodeControl{Controller: f.next, Held: true, Phase: f.phase, Until: f.until}, true
		}
		return NodeControl{Controller: f.next}, true
	}
	return NodeControl{Controller: p.Ctrl}, true
}

// LaneClosed reports whether lane l is closed (CloseLane, CloseRoad).
func (s *Sim) LaneClosed(l maps.LaneID) bool { return l >= 0 && int(l) < s.nLanes && s.closed[l] }

// LaneSpeedLimit returns the speed limit in force on lane l (m/s): the
// network's, or the one a SetSpeedLimit gave it.
func (s *Sim) LaneSpeedLimit(l maps.LaneID) float64 {
	if l < 0 || int(l) >= s.nLanes {
		return 0
	}
	return s.segs[l].speed
}

// PendingByRoad returns, per road (indexed by maps.RoadID), the number of
// trips still to depart with scheduled times in [from, to) (s; to 0
// means no end) whose route uses the road.
func (s *Sim) PendingByRoad(from, to float64) []int {
	out := make([]int, len(s.net.Roads))
	for _, id := range s.pending[s.pendIdx:] {
		v := &s.veh[id]
		if v.status != statusPending || v.route < 0 || v.depart < from || to > 0 && v.depart >= to {
			continue
		}
		route := s.routes[v.route]
		for k, r := range route {
			if !slices.Contains(route[:k], r) {
				out[r]++
			}
		}
	}
	return out
}

// ScaleRoadDemand is ScaleDemand restricted to the trips whose route uses
// Road: it multiplies by Factor the trips still to depart with scheduled
// times in [From, To) (s; To 0 means no end) that will drive on Road.
// Below 1 each is cancelled with probability 1−Factor; above 1 each gets
// copies (the integer part, plus one with the fractional part as
// probability), with the same route. Draws come from the seed, the trip
// ids and the count of scaling commands applied.
type ScaleRoadDemand struct {
	Road     maps.RoadID
	Factor   float64
	From, To float64
}

func (c ScaleRoadDemand) Validate(s *Sim) error {
	if err := s.checkRoad(c.Road); err != nil {
		return err
	}
	return ScaleDemand{Factor: c.Factor, From: c.From, To: c.To}.Validate(s)
}

func (c ScaleRoadDemand) apply(s *Sim) {
	s.scaleDemand(c.Factor, c.From, c.To, streamScaleRoad, func(v *vehicle) bool {
		return v.route >= 0 && slices.Contains(s.routes[v.route], c.Road)
	})
}

// streamScaleRoad keys the draws of ScaleRoadDemand.
const streamScaleRoad uint64 = 0x5ca1e7

var _ Cloner = (*forced)(nil)

// PendingIn returns the number of trips not yet released with scheduled
// departures in [from, to) (s; to 0 means no end), cancelled ones
// included: an upper bound of what a ScaleDemand over that window
// multiplies, found in O(log n) (the trips still to depart are kept
// sorted by departure). The live twin bounds its demand with it.
func (s *Sim) PendingIn(from, to float64) int {
	rest := s.pending[s.pendIdx:]
	first := func(t float64) int {
		return sort.Search(len(rest), func(i int) bool { return s.veh[rest[i]].depart >= t })
	}
	lo, hi := first(from), len(rest)
	if to > 0 {
		hi = first(to)
	}
	return max(hi-lo, 0)
}
