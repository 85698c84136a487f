package engine

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/internal/detmath"
	"github.com/citytwin/citytwin/maps"
)

// New prepares a simulation of trips on net. Trips need not be sorted;
// they are ordered by departure time (stable), and a vehicle's id is its
// trip's position in that order. Trips without a route are routed with the
// network's router; trips with no route at all are listed in Unroutable
// and never depart.
func New(net *maps.Network, cfg Config, trips []Trip) (*Sim, error) {
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.NumCPU()
	}
	s := &Sim{net: net, cfg: cfg, dt: cfg.Step, nLanes: len(net.Lanes), vtypes: cfg.VTypes, packEvery: packEvery, packMin: packMin}
	for _, vt := range s.vtypes {
		s.minGap = append(s.minGap, vt.Follow.MinGap)
	}
	s.zoneMin = zoneMinOf(s.vtypes)
	if err := s.buildSegments(); err != nil {
		return nil, err
	}
	if err := s.buildNodes(); err != nil {
		return nil, err
	}
	s.buildJunctionMasks()
	s.comp = make([]int32, len(net.Roads))
	for i := range s.comp {
		s.comp[i] = -1
	}
	for ci, c := range net.Components {
		for _, r := range c {
			s.comp[r] = int32(ci)
		}
	}
	if err := s.addTrips(trips); err != nil {
		return nil, err
	}
	if err := s.initV2X(); err != nil {
		return nil, err
	}
	s.updateSensorsOn()
	s.readAt = -1
	s.closed = make([]bool, s.nLanes)
	s.incoming = make([]uint64, chunks(len(s.segs)))
	s.live = make([]uint64, chunks(len(s.segs)))
	s.lcAttn = make([]uint64, chunks(len(s.segs)))
	s.nodeLive = make([]int32, len(s.nodes))
	s.spare = make([]uint64, chunks(len(s.segs)))
	s.occ = make([]float64, len(s.segs))
	s.shown = make([]uint64, chunks(len(s.segs)))
	s.crossWait = make([]uint64, chunks(len(s.segs)))
	s.headTo = make([]uint16, len(s.segs))
	s.headLink = make([]int32, s.nLanes)
	for i := range s.headLink {
		s.headLink[i] = -1
	}
	s.initDetectors()
	s.par = newPool(cfg.Workers, cfg.MinParallel < 0)
	runtime.SetFinalizer(s, func(s *Sim) { s.par.close() })
	nc := chunks(len(s.segs))
	s.chunkAcc = make([]stepAcc, max(nc, chunks(len(s.nodes)), chunks(len(net.Roads))))
	s.teleCand = make([][]tele, nc)
	s.cur = SeriesRow{Begin: 0}
	s.refresh()
	return s, nil
}

// Close releases the worker goroutines. The Sim must not be used after.
func (s *Sim) Close() { s.par.close() }

// segLists are a segment's topology lists while New builds them, before
// they move to the Sim's pools (see segment).
type segLists struct {
	links, in, inLinks, merging, foes, cross, turns []int32
	crossPts                                        []crossing
}

func (s *Sim) buildSegments() error {
	n := s.net
	s.segs = make([]segment, len(n.Lanes)+len(n.Links))
	s.segRoad = make([]int32, len(s.segs))
	s.linkLane, s.linkMov = make([]int32, len(s.segs)), make([]int32, len(s.segs))
	s.yield = make([]yieldPoint, s.nLanes)
	ls := make([]segLists, len(s.segs))
	for i := range n.Lanes {
		l := &n.Lanes[i]
		s.segs[i] = segment{length: l.Length, speed: l.Speed}
		s.segRoad[i], s.linkLane[i], s.linkMov[i] = int32(l.Road), -1, -1
		s.yield[i] = yieldPoint{at: -1}
		for _, k := range l.Links {
			ls[i].links = append(ls[i].links, int32(s.nLanes)+int32(k))
		}
	}
	for k := range n.Links {
		lk := &n.Links[k]
		si := s.nLanes + k
		sl := &ls[si]
		s.segs[si] = segment{length: lk.Length, speed: lk.Speed}
		s.segRoad[si], s.linkLane[si], s.linkMov[si] = int32(n.Lanes[lk.To].Road), int32(lk.To), int32(lk.Movement)
		sl.in = []int32{int32(lk.From)}
		for _, f := range lk.Foes() {
			sl.foes = append(sl.foes, int32(s.nLanes)+int32(f))
		}
		for _, f := range lk.Crossing() {
			sl.cross = append(sl.cross, int32(s.nLanes)+int32(f))
			self, at, ok := maps.CrossingPoint(lk.Path, n.Links[f].Path)
			if !ok {
				// Touching paths: treat the whole links as conflicting.
				self, at = 0, n.Links[f].Length
			}
			sl.crossPts = append(sl.crossPts, crossing{at: at, self: self})
			nd := &n.Nodes[n.Movements[lk.Movement].Node]
			if nd.Conflicts.At(n.Movements[lk.Movement].Local, n.Movements[n.Links[f].Movement].Local)&maps.TakeTurns != 0 {
				sl.turns = append(sl.turns, int32(s.nLanes)+int32(f))
			}
		}
		if n.StartCrossings {
			// The other links leaving the same lane cross this one where
			// they all start (see maps.Network.StartCrossings).
			for _, f := range n.Lanes[lk.From].Links {
				if f != maps.LinkID(k) {
					sl.cross = append(sl.cross, int32(s.nLanes)+int32(f))
					sl.crossPts = append(sl.crossPts, crossing{})
				}
			}
		}
		// A lane receives vehicles from its links and, when they cross a
		// link within one step, from the links' lanes.
		to := &ls[lk.To]
		to.in = append(to.in, int32(s.nLanes+k), int32(lk.From))
	}
	for i := 0; i < s.nLanes; i++ {
		in := ls[i].in
		slices.Sort(in)
		ls[i].in = slices.Compact(in)
	}
	// Links merge when they end on the same lane, whatever their movement
	// (maps.Link.Merging only pairs links of different movements).
	for i := 0; i < s.nLanes; i++ {
		var into []int32
		for _, k := range ls[i].in {
			if s.isLink(k) {
				into = append(into, k)
			}
		}
		ls[i].inLinks = into
		for _, k := range into {
			for _, m := range into {
				if m != k {
					ls[k].merging = append(ls[k].merging, m)
				}
			}
		}
	}
	// Pool the lists, segment by segment, in pools sized once.
	nt, nc := 0, 0
	for i := range ls {
		l := &ls[i]
		nt += len(l.links) + len(l.inLinks) +
			len(l.merging) + len(l.foes) + len(l.cross) + len(l.turns)
		nc += len(l.crossPts)
	}
	if nt > math.MaxUint32 || nc > math.MaxUint32 {
		return fmt.Errorf("engine: %d topology entries and %d crossing points, at most %d each", nt, nc, uint32(math.MaxUint32))
	}
	s.topo, s.crossPts = make([]int32, 0, nt), make([]crossing, 0, nc)
	put := func(l []int32) topoSpan {
		p := topoSpan{off: uint32(len(s.topo)), n: uint32(len(l))}
		s.topo = append(s.topo, l...)
		return p
	}
	s.laneT = make([]laneTopo, s.nLanes)
	s.linkT, s.linkFrom = make([]linkTopo, len(n.Links)), make([]int32, len(n.Links))
	for i := range s.segs {
		l := &ls[i]
		if i < s.nLanes {
			s.segs[i].inLinks = put(l.inLinks)
			s.laneT[i] = laneTopo{node: int32(n.Roads[n.Lanes[i].Road].To), links: put(l.links)}
			continue
		}
		lk := &n.Links[i-s.nLanes]
		s.linkFrom[i-s.nLanes] = int32(lk.From)
		s.linkT[i-s.nLanes] = linkTopo{merging: put(l.merging),
			foes: put(l.foes), cross: put(l.cross), turns: put(l.turns),
			crossPts: topoSpan{off: uint32(len(s.crossPts)), n: uint32(len(l.crossPts))}}
		s.crossPts = append(s.crossPts, l.crossPts...)
	}
	s.acc = make([]segAcc, len(s.segs))
	return nil
}

func (s *Sim) buildNodes() error {
	n := s.net
	s.nodes = make([]nodeState, len(n.Nodes))
	s.lights = make([]signal.Light, len(n.Movements))
	for v := range n.Nodes {
		nd := &n.Nodes[v]
		ns := &s.nodes[v]
		if len(nd.Movements) > 0 {
			ns.movLo, ns.movN = int32(nd.Movements[0]), int32(len(nd.Movements))
			for k, m := range nd.Movements {
				if int(m) != int(ns.movLo)+k {
					return fmt.Errorf("engine: node %s: movements are not contiguous", nd.ID)
				}
			}
		}
		// Incoming lanes, major roads first (higher priority), then by id:
		// the order in which waiting vehicles are granted entry.
		in := append([]maps.RoadID(nil), nd.In...)
		sort.SliceStable(in, func(a, b int) bool { return n.Roads[in[a]].Priority > n.Roads[in[b]].Priority })
		var lanes []int32
		for _, r := range in {
			for _, l := range n.Roads[r].Lanes {
				lanes = append(lanes, int32(l))
			}
		}
		ns.groups = lanesGroups(lanes)
		lights := s.lights[ns.movLo : ns.movLo+ns.movN]
		if nd.Kind == maps.Signalised && nd.Program != nil {
			var c Controller
			if s.cfg.Controllers != nil {
				c = s.cfg.Controllers(maps.NodeID(v))
			}
			if c == nil {
				c = signal.FixedTime{}
			}
			ns.plant = signal.NewPlant(nd.Program, c)
			if s.cfg.Guard != nil {
				ns.plant.Guard = *s.cfg.Guard
			}
		} else {
			for k := range lights {
				lights[k] = signal.GreenMinor
			}
		}
	}
	return nil
}

// addTrips sorts trips by departure, routes them and creates their vehicles.
func (s *Sim) addTrips(trips []Trip) error {
	order := make([]int, len(trips))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return trips[order[a]].Depart < trips[order[b]].Depart })
	nr := maps.RoadID(len(s.net.Roads))
	// Route every origin–destination pair of the trips without a route at
	// once (maps.Router.Routes: one search per origin, in parallel).
	routeIdx := map[[2]maps.RoadID]int32{}
	var pairs []maps.OD
	pairOf := map[[2]maps.RoadID]int{}
	for _, ti := range order {
		t := &trips[ti]
		if len(t.Route) > 0 || t.From < 0 || t.From >= nr || t.To < 0 || t.To >= nr {
			continue
		}
		key := [2]maps.RoadID{t.From, t.To}
		if _, ok := pairOf[key]; !ok {
			pairOf[key] = len(pairs)
			pairs = append(pairs, maps.OD{From: t.From, To: t.To})
		}
	}
	var routed []maps.Route
	if len(pairs) > 0 {
		routed = s.router().Routes(pairs, s.cfg.Workers)
	}
	shared := map[sharedRoute]int32{}
	var errs []error
	s.trips = make([]tripRec, len(trips))
	s.cold = coldData{}
	s.veh = make([]vehicle, len(trips))
	s.waiting = make([][]int32, len(s.net.Roads))
	s.pending = make([]int32, 0, len(trips))
	for id, ti := range order {
		t := trips[ti]
		s.addTripRec(int32(id), &t)
		s.pending = append(s.pending, int32(id))
		v := &s.veh[id]
		*v = vehicle{route: -1, depart: t.Depart, insert: -1, arrive: -1, vt: uint16(t.VType)}
		if t.VType < 0 || t.VType >= len(s.vtypes) {
			errs = append(errs, fmt.Errorf("trip %s: vehicle type %d does not exist", s.tripName(id), t.VType))
			continue
		}
		if math.IsNaN(t.Depart) || t.Depart < 0 || math.IsInf(t.Depart, 0) {
			errs = append(errs, fmt.Errorf("trip %s: departure %g s is not a time", s.tripName(id), t.Depart))
			continue
		}
		if t.From < 0 || t.From >= nr || t.To < 0 || t.To >= nr {
			errs = append(errs, fmt.Errorf("trip %s: road %d or %d does not exist", s.tripName(id), t.From, t.To))
			continue
		}
		if err := checkDepart(s.net, &t); err != nil {
			errs = append(errs, fmt.Errorf("trip %s: %w", s.tripName(id), err))
			continue
		}
		if len(t.Route) > 0 {
			// Trips given the very same route slice (as generated demand
			// often shares them) share one route of the engine.
			k := sharedRoute{&t.Route[0], len(t.Route)}
			if r, ok := shared[k]; ok && t.Route[0] == t.From && t.Route[len(t.Route)-1] == t.To {
				v.route = r
			} else {
				if err := s.checkRoute(t); err != nil {
					errs = append(errs, fmt.Errorf("trip %s: %w", s.tripName(id), err))
					continue
				}
				v.route = int32(len(s.routes))
				s.addRoute(t.Route)
				shared[k] = v.route
			}
		} else {
			key := [2]maps.RoadID{t.From, t.To}
			r, ok := routeIdx[key]
			if !ok {
				r = -1
				if rt := routed[pairOf[key]]; rt != nil {
					r = int32(len(s.routes))
					s.addRoute(rt)
				}
				routeIdx[key] = r
			}
			v.route = r
		}
		if v.route < 0 {
			v.status = statusUnroutable
			s.Unroutable = append(s.Unroutable, id)
			continue
		}
		vt := &s.vtypes[t.VType]
		v.factor = float32(drawNormal(s.rng(streamFactor, uint64(id)), vt.SpeedFactor))
		v.connected = s.drawConnected(id, vt)
	}
	if len(errs) > 0 {
		return fmt.Errorf("engine: %w", errors.Join(errs...))
	}
	return nil
}

// sharedRoute identifies a route slice given with the trips: its first
// element's address and its length.
type sharedRoute struct {
	first *maps.RoadID
	n     int
}

// TripID returns the external id of vehicle id: its trip's ID, or the
// vehicle number when the trip has none (as in trips.csv).
func (s *Sim) TripID(id int32) string { return s.tripName(int(id)) }

func (s *Sim) tripName(id int) string {
	if t := s.tripID(int32(id)); t != "" {
		return t
	}
	return fmt.Sprint(id)
}

func (s *Sim) checkRoute(t Trip) error {
	r := t.Route
	if r[0] != t.From || r[len(r)-1] != t.To {
		return fmt.Errorf("route does not run from road %d to road %d", t.From, t.To)
	}
	for i := 1; i < len(r); i++ {
		if r[i] < 0 || int(r[i]) >= len(s.net.Roads) || s.net.MovementBetween(r[i-1], r[i]) == maps.None {
			return fmt.Errorf("route: no movement from road %s to road %d", s.net.Roads[r[i-1]].ID, r[i])
		}
	}
	return nil
}

func (s *Sim) addRoute(r maps.Route) {
	s.routes = append(s.routes, r)
	s.plans = append(s.plans, nil)
	l := 0.0
	for _, rd := range r {
		l += s.net.Roads[rd].Length
	}
	s.routeLen = append(s.routeLen, l)
}

// freeFlow is the time the route takes at the desired speed on every road
// (s), counting each road's first lane and the shortest link between roads.
func (s *Sim) freeFlow(r maps.Route, vt *VType, factor float64) float64 {
	t := 0.0
	for i, rd := range r {
		road := &s.net.Roads[rd]
		lane := &s.net.Lanes[road.Lanes[0]]
		t += lane.Length / min(lane.Speed*factor, vt.MaxSpeed)
		if i+1 < len(r) {
			m := s.net.MovementBetween(rd, r[i+1])
			best := math.Inf(1)
			for _, k := range s.net.Movements[m].Links {
				lk := &s.net.Links[k]
				best = min(best, lk.Length/min(lk.Speed*factor, vt.MaxSpeed))
			}
			t += best
		}
	}
	return t
}

// Random streams. Every draw comes from a generator seeded by (seed,
// stream, id), so draws do not depend on the order in which they are made.
const (
	streamFactor uint64 = iota + 1
	streamDawdle
	streamDepartLane
)

func (s *Sim) rng(stream, id uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s.cfg.Seed^stream*0x9e3779b97f4a7c15, id))
}

// uniform returns a deterministic uniform draw in [0, 1) for (stream, a, b)
// without allocating: splitmix64 of the seed and the keys.
func (s *Sim) uniform(stream, a, b uint64) float64 {
	x := s.cfg.Seed ^ stream*0x9e3779b97f4a7c15 ^ a*0xbf58476d1ce4e5b9 ^ b*0x94d049bb133111eb
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// drawNormal draws from a truncated normal by rejection (falls back to the
// clamped mean after 100 tries).
func drawNormal(r *rand.Rand, d Normal) float64 {
	if d.Dev == 0 {
		return min(max(d.Mean, d.Min), d.Max)
	}
	for i := 0; i < 100; i++ {
		x := d.Mean + float64(d.Dev*detmath.NormFloat64(r))
		if x >= d.Min && x <= d.Max {
			return x
		}
	}
	return min(max(d.Mean, d.Min), d.Max)
}

// Network returns the simulated network.
func (s *Sim) Network() *maps.Network { return s.net }

// Time returns the simulation time (s): the end of the last step.
func (s *Sim) Time() float64 { return s.now }

// StepLength returns Δt (s).
func (s *Sim) StepLength() float64 { return s.dt }

// Steps returns the number of steps taken.
func (s *Sim) Steps() int64 { return s.step }

// Workers returns the number of worker goroutines.
func (s *Sim) Workers() int { return s.cfg.Workers }
