package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// Connected vehicles (V2X). A share of vehicles, drawn per vehicle from the
// seed, is equipped. Roadside units (RSUs) at signalised junctions
// broadcast SPaT (each movement's light, the time to its next change and to
// its next green, marked as a prediction unless the controller is fixed-
// time) and collect the status messages (position, speed, lane) equipped
// vehicles send. Every message passes a channel with a range, a latency and
// a loss probability; losses are drawn from (seed, message kind, sender,
// receiver, step), so runs stay deterministic for any worker count, and a
// loss of 1 is exactly no connectivity.
//
// Equipped vehicles in range of an RSU use GLOSA (a green-light optimal
// speed advisory, after SUMO's GLOSA device: they slow down, or speed up by
// at most a maximum speed factor, to reach the stop line on green, never
// below a minimum speed); follow an equipped leader with CACC; and, with
// rerouting on, take the fastest route by the travel times RSUs broadcast
// each time they reach a road. Controllers may be fed queue estimates from
// status messages instead of detectors.

// V2X configures connected vehicles and roadside units.
type V2X struct {
	// RSUs lists the junctions with a roadside unit; nil means every
	// signalised junction.
	RSUs []maps.NodeID
	// Range is the radio range of a roadside unit (m).
	Range float64
	// SPaT and Status are the channels of the two message kinds.
	SPaT, Status Channel
	// StatusRate is how often an equipped vehicle sends its status (Hz).
	StatusRate float64
	// GLOSA enables the speed advisory within GLOSARange metres of the
	// stop line, between GLOSAMinSpeed (m/s) and GLOSAMaxSpeedFactor
	// times the speed limit.
	GLOSA               bool
	GLOSARange          float64
	GLOSAMinSpeed       float64
	GLOSAMaxSpeedFactor float64
	// CACC enables cooperative adaptive cruise control with time gap
	// CACCTimeGap (s) behind an equipped leader.
	CACC        bool
	CACCTimeGap float64
	// Reroute lets equipped vehicles reroute at each road they reach by
	// the travel times RSUs broadcast (every 60 s), when the new route is
	// faster by RerouteGain (a share of the remaining time).
	Reroute     bool
	RerouteGain float64
	// Sensors feeds controllers queue estimates from status messages
	// (vehicle counts on each lane scaled by 1/KnownShare) instead of
	// detectors.
	Sensors    bool
	KnownShare float64
}

// Channel is a message channel: messages arrive Latency seconds after they
// are sent, and each is lost with probability Loss.
type Channel struct {
	Latency float64 // s
	Loss    float64 // 0..1
}

// DefaultV2X returns SUMO-like defaults: 300 m range, no latency or loss,
// 1 Hz status, GLOSA within 100 m between 5 m/s and 1.1 × the limit, CACC
// with a 0.6 s gap, rerouting off, detectors for control.
func DefaultV2X() V2X {
	return V2X{Range: 300, StatusRate: 1, GLOSA: true, GLOSARange: 100, GLOSAMinSpeed: 5, GLOSAMaxSpeedFactor: 1.1,
		CACC: true, CACCTimeGap: 0.6, RerouteGain: 0.1}
}

func (x *V2X) check(net *maps.Network) error {
	switch {
	case !(x.Range > 0):
		return fmt.Errorf("v2x range %g m must be positive", x.Range)
	case x.SPaT.Latency < 0 || x.Status.Latency < 0 || math.IsNaN(x.SPaT.Latency+x.Status.Latency):
		return fmt.Errorf("v2x latency must not be negative")
	case !(x.SPaT.Loss >= 0 && x.SPaT.Loss <= 1) || !(x.Status.Loss >= 0 && x.Status.Loss <= 1):
		return fmt.Errorf("v2x loss must be in [0, 1]")
	case !(x.StatusRate > 0):
		return fmt.Errorf("v2x status rate %g Hz must be positive", x.StatusRate)
	case x.GLOSA && !(x.GLOSAMinSpeed >= 0 && x.GLOSAMaxSpeedFactor >= 1 && x.GLOSARange > 0):
		return fmt.Errorf("glosa needs range > 0, min speed ≥ 0 and max speed factor ≥ 1")
	case x.CACC && !(x.CACCTimeGap > 0):
		return fmt.Errorf("cacc time gap %g s must be positive", x.CACCTimeGap)
	case x.KnownShare < 0 || x.KnownShare > 1:
		return fmt.Errorf("v2x known share %g not in [0, 1]", x.KnownShare)
	}
	for _, n := range x.RSUs {
		if n < 0 || int(n) >= len(net.Nodes) || net.Nodes[n].Kind != maps.Signalised {
			return fmt.Errorf("v2x roadside unit at node %d: not a signalised junction", n)
		}
	}
	return nil
}

// spatMsg is what an RSU broadcasts about one movement.
type spatMsg struct {
	light     signal.Light
	toChange  float32 // s until the light changes (−1 unknown)
	toGreen   float32 // s until the next green starts (0 when green, −1 unknown)
	greenEnds float32 // s until the current green ends (when green; −1 unknown)
	predicted bool
}

// rsu is a roadside unit's state.
type rsu struct {
	ring    [][]spatMsg // [slot][movement], slot = step % len(ring)
	cache   []spatMsg   // schedule relative to cacheAt
	cacheAt float64
	valid   float64 // cache valid until (s)
	sent    int64
}

// v2xState is the engine's connected-vehicle state.
type v2xState struct {
	cfg      V2X
	rsu      []*rsu   // per node (nil: none)
	acc      []v2xAcc // per lane: messages counted
	latSpaT  int64    // steps
	latStat  int64
	period   int64 // status period (steps)
	roadTT   []float64
	ttCast   []float64 // broadcast copy of roadTT
	nextCast float64
	cv       []cvLane // per lane: status-message estimates, ring by step
	ttObs    [][]ttObs
	rerouteQ [][]int32 // per chunk: equipped vehicles that reached a road
	// enter is, by vehicle id, when it reached its current road (s; for
	// the road travel times).
	enter []float64
	share float64
}

type ttObs struct {
	road int32
	tt   float64
}

// cvLane holds, per step slot, what the RSU knows of a lane from status
// messages.
type cvLane struct {
	vehicles, halting []int32
	queue             []float64
}

// ringLen is the number of SPaT/status slots kept: the latency plus ten
// steps of fallback for lost messages.
func ringLen(lat int64) int { return int(lat) + 11 }

func (s *Sim) initV2X() error {
	if s.cfg.V2X == nil {
		return nil
	}
	x := &v2xState{cfg: *s.cfg.V2X}
	if err := x.cfg.check(s.net); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	x.latSpaT = int64(math.Round(x.cfg.SPaT.Latency / s.dt))
	x.latStat = int64(math.Round(x.cfg.Status.Latency / s.dt))
	x.period = max(1, int64(math.Round(1/(x.cfg.StatusRate*s.dt))))
	x.rsu = make([]*rsu, len(s.net.Nodes))
	x.acc = make([]v2xAcc, s.nLanes)
	add := func(v maps.NodeID) {
		n := int(s.nodes[v].movN)
		r := &rsu{ring: make([][]spatMsg, ringLen(x.latSpaT)), cache: make([]spatMsg, n), valid: -1}
		for i := range r.ring {
			r.ring[i] = make([]spatMsg, n)
		}
		x.rsu[v] = r
	}
	if x.cfg.RSUs == nil {
		for v := range s.net.Nodes {
			if s.nodes[v].plant != nil {
				add(maps.NodeID(v))
			}
		}
	} else {
		for _, v := range x.cfg.RSUs {
			add(v)
		}
	}
	x.roadTT = make([]float64, len(s.net.Roads))
	for r := range s.net.Roads {
		x.roadTT[r] = s.net.Roads[r].Length / s.net.Roads[r].Speed
	}
	x.ttCast = append([]float64(nil), x.roadTT...)
	x.nextCast = 60
	if x.cfg.Sensors {
		n := ringLen(x.latStat)
		x.cv = make([]cvLane, s.nLanes)
		for i := range x.cv {
			x.cv[i] = cvLane{vehicles: make([]int32, n), halting: make([]int32, n), queue: make([]float64, n)}
		}
	}
	// The share the estimates scale by: given, or the demand's expected
	// share (over types weighted by their trips).
	x.share = x.cfg.KnownShare
	if x.share == 0 {
		eq, n := 0.0, 0.0
		for i := range s.veh {
			eq += s.vtypes[s.veh[i].vt].Connected
			n++
		}
		if n > 0 {
			x.share = eq / n
		}
	}
	nc := chunks(len(s.segs))
	x.ttObs = make([][]ttObs, nc)
	x.enter = make([]float64, len(s.veh))
	x.rerouteQ = make([][]int32, nc)
	s.v2x = x
	return nil
}

// Streams of V2X draws.
const (
	streamConnected uint64 = 0xc0ec7
	streamSPaTLoss  uint64 = 0x5ba7
	streamStatLoss  uint64 = 0x57a7
	streamV2VLoss   uint64 = 0x5757
	streamTTLoss    uint64 = 0x77
)

// drawConnected reports whether vehicle id is equipped (drawn once from the
// seed and the vehicle id).
func (s *Sim) drawConnected(id int, vt *VType) bool {
	return vt.Connected > 0 && s.uniform(streamConnected, uint64(id), 0) < vt.Connected
}

// --- SPaT ------------------------------------------------------------------

// spatHorizon is how far ahead (s) an RSU predicts its signal.
const spatHorizon = 180.0

// broadcastSPaT writes every RSU's message for this step (phase 1, after
// the plant updated its lights; parallel by node).
func (s *Sim) broadcastSPaT(v int) {
	x := s.v2x
	r := x.rsu[v]
	if r == nil {
		return
	}
	ns := &s.nodes[v]
	if s.now >= r.valid-1e-9 {
		s.predictSignal(v, r)
	}
	slot := r.ring[s.step%int64(len(r.ring))]
	age := float32(s.now - r.cacheAt)
	for m := range slot {
		c := r.cache[m]
		c.light = s.lights[int(ns.movLo)+m]
		shift := func(t float32) float32 {
			if t < 0 {
				return t
			}
			return float32(max(0, float64(t-age)))
		}
		c.toChange, c.toGreen, c.greenEnds = shift(c.toChange), shift(c.toGreen), shift(c.greenEnds)
		slot[m] = c
	}
	r.sent++
}

// predictSignal runs a copy of node v's plant ahead with its sensors frozen
// and records, per movement, when its light next changes, when its next
// green starts and when its current green ends. A fixed-time controller's
// prediction is exact and is kept until a step's change is due; others
// are recomputed every step and marked as predictions.
func (s *Sim) predictSignal(v int, r *rsu) {
	ns := &s.nodes[v]
	p := ns.plant.Clone()
	exact := false
	switch c := p.Ctrl.(type) {
	case signal.FixedTime, *signal.FixedTime:
		exact = true
	case Cloner:
		p.Ctrl = c.Clone()
	default:
		// Unknown state: no prediction.
		for m := range r.cache {
			r.cache[m] = spatMsg{toChange: -1, toGreen: -1, greenEnds: -1, predicted: true}
		}
		r.cacheAt, r.valid = s.now, s.now+s.dt
		return
	}
	n := int(ns.movN)
	cur := append([]signal.Light(nil), s.lights[ns.movLo:int(ns.movLo)+n]...)
	lights := make([]signal.Light, n)
	var sens *signal.NodeSensors
	if ns := s.nodeSensors(v); ns != nil {
		cp := *ns
		sens = &cp
	}
	for m := range r.cache {
		r.cache[m] = spatMsg{toChange: -1, toGreen: -1, greenEnds: -1, predicted: !exact}
		if cur[m].IsGreen() {
			r.cache[m].toGreen = 0
		}
	}
	firstChange := math.Inf(1)
	steps := int(spatHorizon / s.dt)
	for k := 1; k <= steps; k++ {
		t := s.now + float64(float64(k)*s.dt)
		p.UpdateSensed(t, s.dt, lights, sens, int32(v))
		dt := float32(t - s.now)
		for m := range lights {
			c := &r.cache[m]
			if c.toChange < 0 && lights[m] != cur[m] {
				c.toChange = dt
				firstChange = min(firstChange, t)
			}
			if cur[m].IsGreen() && c.greenEnds < 0 && !lights[m].IsGreen() {
				c.greenEnds = dt
			}
			if c.toGreen < 0 && lights[m].IsGreen() {
				c.toGreen = dt
			}
			// After the green ended, the next green start.
			if cur[m].IsGreen() && c.greenEnds >= 0 && c.toGreen == 0 && lights[m].IsGreen() && dt > c.greenEnds {
				c.toGreen = dt
			}
		}
	}
	r.cacheAt = s.now
	if exact {
		r.valid = min(firstChange, s.now+spatHorizon/2)
	} else {
		r.valid = s.now + s.dt
	}
}

// spatLost reports whether the SPaT message node v broadcast at step k
// was lost on its way to vehicle id.
func (s *Sim) spatLost(id int32, v int, k int64) bool {
	l := s.v2x.cfg.SPaT.Loss
	return l > 0 && s.uniform(streamSPaTLoss, uint64(id)<<20^uint64(v), uint64(k)) < l
}

// countMessages counts, for equipped car c d metres before the stop line of
// an RSU's junction, this step's SPaT message (received or lost; it arrives
// after the latency) and, when one is due, its status message.
func (s *Sim) countMessages(si int32, seg *segment, c *car, d float64) {
	x := s.v2x
	if d > x.cfg.Range {
		return
	}
	v := int(s.laneT[si].node)
	if k := s.step - x.latSpaT; k >= 0 {
		if s.spatLost(c.id, v, k) {
			x.acc[si].spatLost++
		} else {
			x.acc[si].spatRecv++
		}
	}
	if (s.step+int64(c.id))%x.period == 0 {
		x.acc[si].statSent++
		if x.cfg.Status.Loss > 0 && s.uniform(streamStatLoss, uint64(c.id)<<20^uint64(v), uint64(s.step)) < x.cfg.Status.Loss {
			x.acc[si].statLost++
		}
	}
}

// spatFor returns the latest SPaT message about movement m of node v that
// vehicle id has received (latency and losses applied), its age (s) and
// whether there is one.
func (s *Sim) spatFor(v int, m int, id int32) (spatMsg, float64, bool) {
	x := s.v2x
	r := x.rsu[v]
	n := int64(len(r.ring))
	for j := int64(0); j < n-x.latSpaT; j++ {
		k := s.step - x.latSpaT - j
		if k < 0 {
			break
		}
		if s.spatLost(id, v, k) {
			continue
		}
		return r.ring[k%n][m], float64(s.step-k) * s.dt, true
	}
	return spatMsg{}, 0, false
}

// glosa returns the speed (m/s) GLOSA advises an equipped car d metres
// before the stop line of its link, given its desired speed v0 (+Inf: no
// advice), and whether, following it, the car reaches the line once the
// light is green (so it need not brake for the red in the meantime). It
// counts the SPaT message used.
//
// On green, a car that makes it at its own speed gets no advice and one
// that makes it a little faster (up to the maximum speed factor) is told
// so. Otherwise the advice is the average speed that reaches the line as
// the next green starts (SUMO's GLOSA device), unless that is below the
// minimum speed: then the car approaches as usual and stops.
func (s *Sim) glosa(si int32, c *car, d, v0 float64) (float64, bool) {
	none := math.Inf(1)
	x := s.v2x
	if !x.cfg.GLOSA || c.link < 0 || d > x.cfg.GLOSARange || d > x.cfg.Range {
		return none, false
	}
	node := int(s.laneT[si].node)
	msg, age, ok := s.spatFor(node, int(s.linkMov[c.link]-s.nodes[node].movLo), c.id)
	if !ok {
		return none, false
	}
	shift := func(t float32) float64 {
		if t < 0 {
			return -1
		}
		return max(0, float64(t)-age)
	}
	vmaxAdv := min(v0*x.cfg.GLOSAMaxSpeedFactor, s.vtypes[c.vt].MaxSpeed)
	if msg.light.IsGreen() {
		te := shift(msg.greenEnds)
		if te < 0 || d/max(v0, 0.1) <= te {
			return none, false // makes it at its own speed
		}
		if d/vmaxAdv <= te {
			return min(vmaxAdv, d/max(te, 0.1)), false // a little faster
		}
	}
	tg := shift(msg.toGreen)
	if tg <= 0 {
		return none, false
	}
	adv := min(v0, d/tg)
	if adv < x.cfg.GLOSAMinSpeed {
		return none, false // would crawl: stop at the line instead
	}
	return adv, d/max(c.speed, 0.1) >= tg-s.dt
}

// --- Status messages and estimated sensors --------------------------------

// statusReceived reports whether equipped vehicle id's latest status
// message up to step k reached node v's RSU.
func (s *Sim) statusReceived(id int32, v int, k int64) bool {
	x := s.v2x
	if x.rsu[v] == nil {
		return false
	}
	last := k - (k+int64(id))%x.period // its latest sending step
	if last < 0 {
		return false
	}
	return x.cfg.Status.Loss == 0 || s.uniform(streamStatLoss, uint64(id)<<20^uint64(v), uint64(last)) >= x.cfg.Status.Loss
}

// caccBehind reports whether a vehicle with flags follows the vehicle
// leader (with flags lflags) by CACC this step: both are equipped, CACC
// is on and the leader's V2V message arrived. (Small enough to inline
// into the move phase, which asks it for most vehicles it gives
// constraints, nearly always of unequipped ones: the flags first.)
func (s *Sim) caccBehind(flags, lflags uint16, leader int32) bool {
	return flags&lflags&fConnected != 0 && s.v2x != nil && s.v2x.cfg.CACC && s.v2vReceived(leader)
}

// v2vReceived reports whether the follower of equipped vehicle leader got
// its status this step (the status channel's loss; CACC needs it).
//
//go:noinline
func (s *Sim) v2vReceived(leader int32) bool {
	loss := s.v2x.cfg.Status.Loss
	return loss == 0 || loss < 1 && s.uniform(streamV2VLoss, uint64(leader), uint64(s.step)) >= loss
}

// readCV records what lane l's RSU knows from status messages this step
// (refresh phase, parallel by segment).
func (s *Sim) readCV(l int) {
	x := s.v2x
	seg := &s.segs[l]
	cl := &x.cv[l]
	slot := int(s.step % int64(len(cl.vehicles)))
	var n, h int32
	q := 0.0
	queueing := true
	node := int(s.laneT[l].node)
	for j := range seg.cars {
		c := &seg.cars[j]
		if c.flags&fConnected == 0 || seg.length-c.pos > x.cfg.Range || !s.statusReceived(c.id, node, s.step) {
			if c.speed >= haltingSpeed {
				queueing = false
			}
			continue
		}
		x.acc[l].statRecv++
		n++
		if c.speed < haltingSpeed {
			h++
			if queueing {
				q = seg.length - max(c.pos-float64(c.length), 0)
			}
		} else {
			queueing = false
		}
	}
	cl.vehicles[slot], cl.halting[slot], cl.queue[slot] = n, h, q
}

// cvSensors overwrites node v's sensor readings with the estimates from
// status messages (as of the status latency), scaled by the known share.
func (s *Sim) cvSensors(ns *signal.NodeSensors) {
	x := s.v2x
	k := s.step - x.latStat
	scale := 0.0
	if x.share > 0 {
		scale = 1 / x.share
	}
	fill := func(ls *signal.LaneSensors) {
		cl := &x.cv[ls.Lane]
		*ls = signal.LaneSensors{Lane: ls.Lane}
		if k < 0 {
			return
		}
		slot := int(k % int64(len(cl.vehicles)))
		ls.Vehicles = int(math.Round(float64(cl.vehicles[slot]) * scale))
		ls.Halting = int(math.Round(float64(cl.halting[slot]) * scale))
		ls.Queue = cl.queue[slot]
		ls.Occupied = cl.halting[slot] > 0
	}
	for i := range ns.In {
		fill(&ns.In[i])
	}
	for i := range ns.Out {
		fill(&ns.Out[i])
	}
}

// --- Counters and copies -------------------------------------------------

// RSUCounts are the message counters of one roadside unit.
type RSUCounts struct {
	Node         maps.NodeID
	SPaTSent     int64 // broadcasts (one per step)
	SPaTReceived int64 // messages received by equipped vehicles in range (one per vehicle-step)
	SPaTLost     int64 // messages lost on the way to them
	StatusSent   int64 // status messages sent by equipped vehicles in range
	StatusRecv   int64 // of which received
	StatusLost   int64 // of which lost
}

// RSUCounts returns the counters of every roadside unit, in node order.
func (s *Sim) RSUCounts() []RSUCounts {
	if s.v2x == nil {
		return nil
	}
	var out []RSUCounts
	for v, r := range s.v2x.rsu {
		if r == nil {
			continue
		}
		c := RSUCounts{Node: maps.NodeID(v), SPaTSent: r.sent}
		for _, rd := range s.net.Nodes[v].In {
			for _, l := range s.net.Roads[rd].Lanes {
				a := &s.v2x.acc[l]
				c.SPaTReceived += a.spatRecv
				c.SPaTLost += a.spatLost
				c.StatusSent += a.statSent
				c.StatusLost += a.statLost
				c.StatusRecv += a.statSent - a.statLost
			}
		}
		out = append(out, c)
	}
	return out
}

// clone deep-copies the connected-vehicle state.
func (x *v2xState) clone() *v2xState {
	c := *x
	c.rsu = make([]*rsu, len(x.rsu))
	for i, r := range x.rsu {
		if r == nil {
			continue
		}
		cr := *r
		cr.cache = slices.Clone(r.cache)
		cr.ring = make([][]spatMsg, len(r.ring))
		for k := range r.ring {
			cr.ring[k] = slices.Clone(r.ring[k])
		}
		c.rsu[i] = &cr
	}
	c.acc = slices.Clone(x.acc)
	c.roadTT = slices.Clone(x.roadTT)
	c.ttCast = slices.Clone(x.ttCast)
	c.cv = make([]cvLane, len(x.cv))
	for i, l := range x.cv {
		c.cv[i] = cvLane{vehicles: slices.Clone(l.vehicles), halting: slices.Clone(l.halting), queue: slices.Clone(l.queue)}
	}
	c.enter = slices.Clip(slices.Clone(x.enter))
	c.ttObs = make([][]ttObs, len(x.ttObs))
	c.rerouteQ = make([][]int32, len(x.rerouteQ))
	return &c
}

// RSUs returns the junctions with a roadside unit, in node order (nil
// without V2X).
func (s *Sim) RSUs() []maps.NodeID {
	if s.v2x == nil {
		return nil
	}
	var out []maps.NodeID
	for v, r := range s.v2x.rsu {
		if r != nil {
			out = append(out, maps.NodeID(v))
		}
	}
	return out
}
