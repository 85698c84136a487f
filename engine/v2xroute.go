package engine

import "github.com/citytwin/citytwin/maps"

// Travel times and rerouting of connected vehicles (V2X, v2x.go): the
// RSUs' road travel-time estimates and the reroutes they lead to.

// observeTT folds the road travel times observed this step (in chunk
// order) into the RSUs' estimates and broadcasts them every 60 s.
func (s *Sim) observeTT() {
	x := s.v2x
	for c := range x.ttObs {
		for _, o := range x.ttObs[c] {
			x.roadTT[o.road] += float64(0.2 * (o.tt - x.roadTT[o.road]))
		}
		x.ttObs[c] = x.ttObs[c][:0]
	}
	if s.now >= x.nextCast-1e-9 {
		copy(x.ttCast, x.roadTT)
		x.nextCast += 60
	}
}

// rerouteCVs lets the equipped vehicles that reached a road this step take
// a faster route by the broadcast travel times (serial, in chunk order).
func (s *Sim) rerouteCVs() {
	x := s.v2x
	for c := range x.rerouteQ {
		for _, id := range x.rerouteQ[c] {
			s.rerouteByTT(id)
		}
		x.rerouteQ[c] = x.rerouteQ[c][:0]
	}
}

func (s *Sim) rerouteByTT(id int32) {
	x := s.v2x
	v := &s.veh[id]
	if v.status != statusRunning {
		return
	}
	if l := x.cfg.SPaT.Loss; l > 0 && s.uniform(streamTTLoss, uint64(id), uint64(s.step)) < l {
		return // the travel-time broadcast was lost
	}
	route := s.routes[v.route]
	ri := int(v.ri)
	if ri+2 >= len(route) {
		return // the next road is the last: nothing to choose
	}
	old := 0.0
	for _, r := range route[ri+1:] {
		old += x.ttCast[r]
	}
	best, cost := s.fastest(route[ri], route[len(route)-1], x.ttCast)
	if best == nil || cost >= old*(1-x.cfg.RerouteGain) {
		return
	}
	s.setRoute(id, append(append(maps.Route(nil), route[:ri]...), best...))
}

// fastest returns the route from road a to road b minimising the sum of
// the given road times (after a), by Dijkstra with ties broken by road id.
func (s *Sim) fastest(a, b maps.RoadID, tt []float64) (maps.Route, float64) {
	return s.search([]maps.RoadID{a}, []float64{0}, b, tt)
}

// fastestFrom returns the fastest route to road b that starts on one of
// the given roads (each costing its own time), and its time.
func (s *Sim) fastestFrom(starts []maps.RoadID, b maps.RoadID, tt []float64) (maps.Route, float64) {
	cost := make([]float64, len(starts))
	for i, r := range starts {
		cost[i] = tt[r]
	}
	return s.search(starts, cost, b, tt)
}

// search is the multi-source Dijkstra of maps.Search over the network's
// roads (edges are movements into open roads, weights the times of the
// roads entered), ties broken by road id so that results depend on
// nothing but the inputs. Searches run in serial phases and share one
// scratch.
func (s *Sim) search(starts []maps.RoadID, cost []float64, b maps.RoadID, tt []float64) (maps.Route, float64) {
	if s.srch == nil {
		s.srch = s.router().NewSearch()
	}
	return s.srch.Fastest(starts, cost, b, tt, s.roadClosed)
}

// freeFlowTimes returns each road's free-flow time (s), computed once.
func (s *Sim) freeFlowTimes() []float64 {
	if s.ffTT == nil {
		s.ffTT = make([]float64, len(s.net.Roads))
		for r := range s.net.Roads {
			s.ffTT[r] = s.net.Roads[r].Length / s.net.Roads[r].Speed
		}
	}
	return s.ffTT
}
