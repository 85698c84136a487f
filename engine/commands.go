package engine

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// A Command changes the simulation from outside: a what-if event, an
// operator action or a client request. Commands are queued with Enqueue and
// applied in order at the start of the next step, so the same commands at
// the same steps always give the same run. Validate reports whether a
// command can apply to a simulation; Enqueue refuses invalid commands.
type Command interface {
	Validate(s *Sim) error
	apply(s *Sim)
}

// Enqueue queues c for the start of the next step, after checking it.
func (s *Sim) Enqueue(c Command) error {
	if err := c.Validate(s); err != nil {
		return err
	}
	s.queue = append(s.queue, c)
	return nil
}

// Pending returns the number of queued commands.
func (s *Sim) Pending() int { return len(s.queue) }

func (s *Sim) applyCommands() {
	if len(s.queue) == 0 {
		return
	}
	q := s.queue
	s.queue = nil
	for _, c := range q {
		c.apply(s)
	}
	s.refresh() // commands may have moved vehicles or closed lanes
}

func (s *Sim) checkLane(l maps.LaneID) error {
	if l < 0 || int(l) >= s.nLanes {
		return fmt.Errorf("engine: lane %d does not exist", l)
	}
	return nil
}

func (s *Sim) checkRoad(r maps.RoadID) error {
	if r < 0 || int(r) >= len(s.net.Roads) {
		return fmt.Errorf("engine: road %d does not exist", r)
	}
	return nil
}

// CloseLane closes a lane (an incident): no vehicle enters it any more,
// vehicles on it move to a neighbouring lane where they can, and vehicles
// whose routes need a road with every lane closed are rerouted.
type CloseLane struct{ Lane maps.LaneID }

// OpenLane reopens a closed lane.
type OpenLane struct{ Lane maps.LaneID }

// CloseRoad closes every lane of a road.
type CloseRoad struct{ Road maps.RoadID }

// OpenRoad reopens every lane of a road.
type OpenRoad struct{ Road maps.RoadID }

func (c CloseLane) Validate(s *Sim) error { return s.checkLane(c.Lane) }
func (c OpenLane) Validate(s *Sim) error  { return s.checkLane(c.Lane) }
func (c CloseRoad) Validate(s *Sim) error { return s.checkRoad(c.Road) }
func (c OpenRoad) Validate(s *Sim) error  { return s.checkRoad(c.Road) }

func (c CloseLane) apply(s *Sim) { s.setClosed([]maps.LaneID{c.Lane}, true) }
func (c OpenLane) apply(s *Sim)  { s.setClosed([]maps.LaneID{c.Lane}, false) }
func (c CloseRoad) apply(s *Sim) { s.setClosed(s.net.Roads[c.Road].Lanes, true) }
func (c OpenRoad) apply(s *Sim)  { s.setClosed(s.net.Roads[c.Road].Lanes, false) }

// roadClosed reports whether every lane of road r is closed.
func (s *Sim) roadClosed(r maps.RoadID) bool {
	for _, l := range s.net.Roads[r].Lanes {
		if !s.closed[l] {
			return false
		}
	}
	return true
}

func (s *Sim) setClosed(lanes []maps.LaneID, closed bool) {
	for _, l := range lanes {
		s.closed[l] = closed
		if closed {
			setBit(s.lcAttn, int32(l)) // its vehicles leave it (leaveClosed)
		}
	}
	s.anyClosed = slices.Contains(s.closed, true)
	s.lsrch = searchScratch{} // the kept lane searches knew other closed lanes
	any := false
	for r := range s.net.Roads {
		if s.roadClosed(maps.RoadID(r)) {
			any = true
			break
		}
	}
	s.rtClosed = nil
	if any {
		s.rtClosed = maps.NewRouterExcluding(s.net, s.roadClosed)
		s.rerouteAroundClosures()
	}
	// Cars whose chosen link now leads into a closed lane choose again.
	for i := 0; i < s.nLanes; i++ {
		seg := &s.segs[i]
		for j := range seg.cars {
			c := &seg.cars[j]
			if c.link >= 0 && s.closed[s.linkLane[c.link]] && c.flags&fPermit == 0 {
				c.link = s.chooseLink(int32(i), c)
			}
		}
	}
}

// rerouteAroundClosures gives every vehicle whose remaining route enters a
// closed road the fastest route around it, from its current road (running)
// or its origin (not yet departed). Vehicles with no way around keep their
// route (they will queue, and the teleport valve applies).
func (s *Sim) rerouteAroundClosures() {
	for id := range s.veh {
		v := &s.veh[id]
		if v.route < 0 || v.status != statusRunning && v.status != statusPending && v.status != statusWaiting {
			continue
		}
		route := s.routes[v.route]
		from := int(v.ri)
		if v.status != statusRunning {
			from = 0
		} else if c, si := s.locateSeg(int32(id)); c != nil && (int(si) >= s.nLanes || c.flags&fPermit != 0) && from+1 < len(route) {
			from++ // already committed to the next road
		}
		blocked := false
		for _, r := range route[from+1:] {
			if s.roadClosed(r) {
				blocked = true
				break
			}
		}
		if !blocked {
			continue
		}
		rest, _, err := s.rtClosed.Route(route[from], route[len(route)-1])
		if err != nil {
			s.stats.stranded++
			continue
		}
		nr := append(append(maps.Route(nil), route[:from]...), rest...)
		s.setRoute(int32(id), nr)
	}
}

// setRoute gives vehicle id a new route that keeps its current road, and
// updates its car's next roads and link.
func (s *Sim) setRoute(id int32, r maps.Route) {
	s.leaveRoute(id)
	v := &s.veh[id]
	v.route = int32(len(s.routes))
	s.addRoute(r)
	s.stats.reroutes++
	if c, si := s.locateSeg(id); c != nil {
		c.flags &^= fPlanned // a road-level route
		c.next, c.next2 = s.roadAfter(id, 1), s.roadAfter(id, 2)
		if int(si) < s.nLanes {
			setBit(s.lcAttn, si) // its route changed (mayDecide)
			if c.flags&fPermit == 0 {
				c.link = s.chooseLink(si, c)
			}
		}
	}
}

// SetSpeedLimit changes the speed limit of a road's lanes (m/s); 0
// restores the network's limit.
type SetSpeedLimit struct {
	Road  maps.RoadID
	Speed float64
}

func (c SetSpeedLimit) Validate(s *Sim) error {
	if err := s.checkRoad(c.Road); err != nil {
		return err
	}
	if !(c.Speed >= 0 && c.Speed <= 80) {
		return fmt.Errorf("engine: speed limit %g m/s not in [0, 80] (0 restores the network's)", c.Speed)
	}
	return nil
}

func (c SetSpeedLimit) apply(s *Sim) {
	for _, l := range s.net.Roads[c.Road].Lanes {
		v := s.net.Lanes[l].Speed
		if c.Speed > 0 {
			v = c.Speed
		}
		s.segs[l].speed = v
	}
}

// AddTrips adds demand: trips are routed and depart at their times (trips
// whose time has passed depart at once).
type AddTrips struct{ Trips []Trip }

func (c AddTrips) Validate(s *Sim) error {
	for i, t := range c.Trips {
		if t.VType < 0 || t.VType >= len(s.vtypes) {
			return fmt.Errorf("engine: trip %d: vehicle type %d does not exist", i, t.VType)
		}
		if err := s.checkRoad(t.From); err != nil {
			return fmt.Errorf("trip %d: %w", i, err)
		}
		if err := s.checkRoad(t.To); err != nil {
			return fmt.Errorf("trip %d: %w", i, err)
		}
		if math.IsNaN(t.Depart) || math.IsInf(t.Depart, 0) || t.Depart < 0 {
			return fmt.Errorf("engine: trip %d: departure %g s is not a time", i, t.Depart)
		}
		if err := checkDepart(s.net, &t); err != nil {
			return fmt.Errorf("engine: trip %d: %w", i, err)
		}
		if len(t.Route) > 0 {
			if err := s.checkRoute(t); err != nil {
				return fmt.Errorf("engine: trip %d: %w", i, err)
			}
		}
	}
	return nil
}

func (c AddTrips) apply(s *Sim) {
	for _, t := range c.Trips {
		s.addTrip(t)
	}
	s.sortPending()
}

// addTrip appends one trip and its vehicle; the caller sorts pending.
func (s *Sim) addTrip(t Trip) int32 {
	id := int32(len(s.trips))
	s.addTripRec(id, &t)
	if s.v2x != nil {
		s.v2x.enter = append(s.v2x.enter, 0)
	}
	v := vehicle{route: -1, depart: t.Depart, insert: -1, arrive: -1, vt: uint16(t.VType)}
	route := t.Route
	if len(route) == 0 {
		rt := s.router()
		if s.rtClosed != nil {
			rt = s.rtClosed
		}
		if r, _, err := rt.RouteTree(t.From, t.To); err == nil {
			route = r
		}
	}
	if route == nil {
		v.status = statusUnroutable
		s.veh = append(s.veh, v)
		s.Unroutable = append(s.Unroutable, int(id))
		return id
	}
	v.route = int32(len(s.routes))
	s.addRoute(route)
	vt := &s.vtypes[t.VType]
	v.factor = float32(drawNormal(s.rng(streamFactor, uint64(id)), vt.SpeedFactor))
	v.connected = s.drawConnected(int(id), vt)
	s.veh = append(s.veh, v)
	s.pending = append(s.pending, id)
	return id
}

// sortPending orders the trips not yet released by (departure, id).
func (s *Sim) sortPending() {
	rest := s.pending[s.pendIdx:]
	sort.SliceStable(rest, func(a, b int) bool {
		va, vb := &s.veh[rest[a]], &s.veh[rest[b]]
		if va.depart != vb.depart {
			return va.depart < vb.depart
		}
		return rest[a] < rest[b]
	})
}

// ScaleDemand multiplies the demand still to depart with scheduled times
// in [From, To) (s; To 0 means no end) by Factor: below 1 each trip is
// cancelled with probability 1−Factor, above 1 each trip gets copies
// (the integer part, plus one more with the fractional part as
// probability). Draws come from the seed and the trip ids.
type ScaleDemand struct {
	Factor   float64
	From, To float64
}

func (c ScaleDemand) Validate(s *Sim) error {
	if !(c.Factor >= 0 && c.Factor <= 100) {
		return fmt.Errorf("engine: demand factor %g not in [0, 100]", c.Factor)
	}
	if c.From < 0 || c.To < 0 || c.To > 0 && c.To < c.From {
		return fmt.Errorf("engine: demand window [%g, %g) is not a time window", c.From, c.To)
	}
	return nil
}

func (c ScaleDemand) apply(s *Sim) { s.scaleDemand(c.Factor, c.From, c.To, streamScale, nil) }

// scaleDemand scales the trips still to depart with scheduled times in
// [from, to) (to 0: no end) for which match (nil: all) holds, by factor:
// below 1 each is cancelled with probability 1−factor, above 1 each gets
// copies with its route (the integer part, plus one with the fractional
// part as probability). The draws come from stream, the trip ids and the
// count of scaling commands applied.
func (s *Sim) scaleDemand(factor, from, to float64, stream uint64, match func(v *vehicle) bool) {
	s.scaled++
	var add []Trip
	for _, id := range slices.Clone(s.pending[s.pendIdx:]) {
		v := &s.veh[id]
		if v.status != statusPending || v.depart < from || to > 0 && v.depart >= to || match != nil && !match(v) {
			continue
		}
		u := s.uniform(stream, uint64(id), uint64(s.scaled))
		if factor < 1 {
			if u >= factor {
				v.status = statusCanceled
			}
			continue
		}
		extra := factor - 1
		n := int(extra)
		if u < extra-float64(n) {
			n++
		}
		for k := 0; k < n; k++ {
			t := s.tripOf(id)
			t.ID = fmt.Sprintf("%s+%d.%d", s.tripName(int(id)), s.scaled, k)
			t.Route = s.routes[v.route]
			add = append(add, t)
		}
	}
	for _, t := range add {
		s.addTrip(t)
	}
	s.sortPending()
}

// SetNodeController gives a signalised node a new controller (see
// Sim.SetController).
type SetNodeController struct {
	Node       maps.NodeID
	Controller Controller
}

func (c SetNodeController) Validate(s *Sim) error {
	if s.plantOf(c.Node) == nil {
		return fmt.Errorf("engine: node %d is not signalised", c.Node)
	}
	return nil
}

func (c SetNodeController) apply(s *Sim) { s.SetController(c.Node, c.Controller) }

// ForcePhase holds a signalised node in one phase of its program for a
// while (s), then hands control back to its controller. Yellow, all-red
// and the guard's minimum green still apply.
type ForcePhase struct {
	Node     maps.NodeID
	Phase    int
	Duration float64
}

func (c ForcePhase) Validate(s *Sim) error {
	p := s.plantOf(c.Node)
	if p == nil {
		return fmt.Errorf("engine: node %d is not signalised", c.Node)
	}
	if c.Phase < 0 || c.Phase >= len(p.Program.Phases) {
		return fmt.Errorf("engine: node %d has phases 0..%d, not %d", c.Node, len(p.Program.Phases)-1, c.Phase)
	}
	if !(c.Duration > 0 && c.Duration <= 24*3600) {
		return fmt.Errorf("engine: force duration %g s not in (0, 86400]", c.Duration)
	}
	return nil
}

func (c ForcePhase) apply(s *Sim) {
	p := s.plantOf(c.Node)
	prev := p.Ctrl
	if f, ok := prev.(*forced); ok {
		prev = f.next
	}
	p.SetController(&forced{phase: c.Phase, until: s.now + c.Duration, next: prev})
	s.updateSensorsOn()
}

// forced holds a phase until a time, then defers to the next controller.
type forced struct {
	phase int
	until float64
	next  Controller
}

// Name implements Controller: the policy the junction returns to.
func (f *forced) Name() string {
	if f.next == nil {
		return "none"
	}
	return f.next.Name()
}

func (f *forced) Decide(v signal.View) int {
	if v.Now < f.until-1e-9 {
		return f.phase
	}
	return f.next.Decide(v)
}

// Streams of Command draws.
const streamScale uint64 = 0x5ca1e
