package traci

import (
	"math"
	"slices"

	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/twin/traci/wire"
)

// Variable ids (tools/traci/constants.py).
const (
	varIDList       = 0x00
	varIDCount      = 0x01
	varVehNumber    = 0x10
	varMeanSpeed    = 0x11
	varVehIDs       = 0x12
	varHalting      = 0x14
	varMeanLength   = 0x15
	varSpeed        = 0x40
	varMaxSpeed     = 0x41
	varPosition     = 0x42
	varAngle        = 0x43
	varLength       = 0x44
	varShape        = 0x4e
	varType         = 0x4f
	varRoadID       = 0x50
	varLaneID       = 0x51
	varLaneIndex    = 0x52
	varEdges        = 0x54
	varLanePosition = 0x56
	varLaneEdgeID   = 0x31
	varEdgeLanes    = 0x52 // edge.getLaneNumber (VAR_LANE_INDEX on edges)
	varNextTLS      = 0x70
	varAcceleration = 0x72
	varWaiting      = 0x7a
	varAccWaiting   = 0x87
	varAllowedSpeed = 0xb7

	tlState        = 0x20
	tlPhaseIndex   = 0x22
	tlProgram      = 0x23
	tlPhaseDur     = 0x24
	tlCtrlLanes    = 0x26
	tlCtrlLinks    = 0x27
	tlCurPhase     = 0x28
	tlCurProgram   = 0x29
	tlLogics       = 0x2b
	tlProgramLogic = 0x2c
	tlNextSwitch   = 0x2d

	simTime           = 0x66
	simDepartedNumber = 0x73
	simDepartedIDs    = 0x74
	simTeleStartN     = 0x75
	simTeleEndN       = 0x77
	simArrivedNumber  = 0x79
	simArrivedIDs     = 0x7a
	simDeltaT         = 0x7b
	simMinExpected    = 0x7d
	simPending        = 0x94
)

func init() {
	getters[wire.DomTrafficLight] = getterFunc((*session).getTL)
	getters[wire.DomLane] = getterFunc((*session).getLane)
	getters[wire.DomVehicle] = getterFunc((*session).getVehicle)
	getters[wire.DomEdge] = getterFunc((*session).getEdge)
	getters[wire.DomSimulation] = getterFunc((*session).getSim)
	setters[wire.DomTrafficLight] = (*session).setTL
	setters[wire.DomVehicle] = func(s *session, v uint8, obj string, r *wire.Reader) error {
		skip(r)
		return errf("Change Vehicle State: unsupported variable 0x%02x specified (CityTwin's TraCI server does not change vehicles)", v)
	}
}

func unsupported(domain string, v uint8) error {
	return errf("Get %s Variable: unsupported variable 0x%02x specified", domain, v)
}

// --- traffic lights -------------------------------------------------

func (s *session) tl(id string) (*tlsState, error) {
	if i, ok := s.w.view.tlsIdx[id]; ok {
		return s.w.tls[i], nil
	}
	return nil, errf("Traffic light '%s' is not known", id)
}

func (s *session) getTL(v uint8, obj string, r *wire.Reader, w *wire.Writer) error {
	switch v {
	case varIDList:
		ids := make([]string, len(s.w.view.tls))
		for i, t := range s.w.view.tls {
			ids[i] = t.id
		}
		w.TypedStringList(ids)
		return nil
	case varIDCount:
		w.TypedInt(int32(len(s.w.view.tls)))
		return nil
	}
	t, err := s.tl(obj)
	if err != nil {
		return err
	}
	switch v {
	case tlState:
		w.TypedString(t.state())
	case tlCurPhase:
		w.TypedInt(int32(t.active.phase))
	case tlCurProgram:
		w.TypedString(t.active.id)
	case tlPhaseDur:
		w.TypedDouble(msToS(t.active.phases[t.active.phase].dur))
	case tlNextSwitch:
		w.TypedDouble(msToS(t.active.nextSwitch))
	case tlCtrlLanes:
		var lanes []string
		for _, links := range t.view.links {
			for _, l := range links {
				lanes = append(lanes, l.from)
			}
		}
		w.TypedStringList(lanes)
	case tlCtrlLinks:
		// SUMO's layout: a compound of 1 + signals + links items: the
		// signal count, then per signal its link count and one string
		// list (incoming, outgoing, via) per link.
		items := 1 + len(t.view.links)
		for _, links := range t.view.links {
			items += len(links)
		}
		w.Compound(items)
		w.TypedInt(int32(len(t.view.links)))
		for _, links := range t.view.links {
			w.TypedInt(int32(len(links)))
			for _, l := range links {
				w.TypedStringList([]string{l.from, l.to, l.via})
			}
		}
	case tlLogics:
		w.Compound(len(t.programs))
		for _, p := range t.programs {
			writeLogic(w, p)
		}
	default:
		return errf("Get TLS Variable: unsupported variable 0x%02x specified", v)
	}
	return nil
}

// writeLogic writes a program in getAllProgramLogics' layout.
func writeLogic(w *wire.Writer, p *program) {
	w.Compound(5)
	w.TypedString(p.id)
	w.TypedInt(p.typ)
	w.TypedInt(int32(p.phase))
	w.Compound(len(p.phases))
	for _, ph := range p.phases {
		w.Compound(6)
		w.TypedDouble(msToS(ph.dur))
		w.TypedString(ph.state)
		w.TypedDouble(msToS(ph.minDur))
		w.TypedDouble(msToS(ph.maxDur))
		w.Compound(len(ph.next))
		for _, n := range ph.next {
			w.TypedInt(n)
		}
		w.TypedString(ph.name)
	}
	w.Compound(len(p.params))
	for _, kv := range p.params {
		w.TypedStringList([]string{kv[0], kv[1]})
	}
}

// readLogic reads a program in setProgramLogic's layout (the same as
// getAllProgramLogics' per logic). Phases built by the Python client
// without minDur/maxDur send −1: those take the duration.
func readLogic(r *wire.Reader) (programDef, int, error) {
	var d programDef
	if n := r.Compound(); r.Err() == nil && n != 5 {
		return d, 0, errf("A compound object of 5 items is needed for setting a new program, not %d.", n)
	}
	d.id = r.TypedString()
	d.typ = r.TypedInt()
	cur := int(r.TypedInt())
	np := r.Compound()
	for i := 0; i < np && r.Err() == nil; i++ {
		if n := r.Compound(); r.Err() == nil && n != 6 && n != 5 {
			return d, 0, errf("A compound object of 6 items is needed for a phase, not %d.", n)
		}
		dur, state, minD, maxD := r.TypedDouble(), r.TypedString(), r.TypedDouble(), r.TypedDouble()
		ph := phaseDef{state: state}
		nn := r.Compound()
		for k := 0; k < nn && r.Err() == nil; k++ {
			ph.next = append(ph.next, r.TypedInt())
		}
		ph.name = r.TypedString()
		if r.Err() != nil {
			break
		}
		for _, x := range []float64{dur, minD, maxD} {
			if math.IsNaN(x) || math.Abs(x) > 1e9 {
				return d, 0, errf("phase %d: %g is not a duration", i, x)
			}
		}
		// minDur and maxDur are kept as given (−1 when the client's
		// Phase has none), as SUMO keeps them.
		ph.dur, ph.minDur, ph.maxDur = secondsToMs(dur), secondsToMs(minD), secondsToMs(maxD)
		d.phases = append(d.phases, ph)
	}
	npar := r.Compound()
	for i := 0; i < npar && r.Err() == nil; i++ {
		kv := r.TypedStringList()
		if r.Err() == nil && len(kv) != 2 {
			return d, 0, errf("A parameter of a program needs a key and a value, not %d strings.", len(kv))
		}
		if r.Err() == nil {
			d.params = append(d.params, [2]string{kv[0], kv[1]})
		}
	}
	if r.Err() != nil {
		return d, 0, errf("set program: %v", r.Err())
	}
	if len(d.phases) == 0 {
		return d, 0, errf("set program: the program %q has no phase", d.id)
	}
	return d, cur, nil
}

func (s *session) setTL(v uint8, obj string, r *wire.Reader) error {
	t, err := s.tl(obj)
	if err != nil {
		skip(r)
		return err
	}
	now := s.w.nowMs
	switch v {
	case tlPhaseIndex:
		if tag := r.U8(); r.Err() == nil && tag != wire.TypeInteger {
			skip(r)
			return errf("The phase index must be given as an integer.")
		}
		return t.setPhase(int(r.I32()), now)
	case tlProgram:
		if tag := r.U8(); r.Err() == nil && tag != wire.TypeString {
			skip(r)
			return errf("The program must be given as a string.")
		}
		return t.setProgram(r.Str(), now)
	case tlState:
		if tag := r.U8(); r.Err() == nil && tag != wire.TypeString {
			skip(r)
			return errf("The phase must be given as a string.")
		}
		return t.setState(r.Str(), now, s.w.dtMs)
	case tlPhaseDur:
		if tag := r.U8(); r.Err() == nil && tag != wire.TypeDouble {
			skip(r)
			return errf("The phase duration must be given as a double.")
		}
		d := r.F64()
		if math.IsNaN(d) || d < 0 || d > 1e9 {
			return errf("The phase duration %g s is not a duration.", d)
		}
		t.setPhaseDuration(secondsToMs(d), now)
		return nil
	case tlProgramLogic:
		d, cur, err := readLogic(r)
		if err != nil {
			skip(r)
			return err
		}
		return t.setProgramLogic(d, cur, now)
	}
	skip(r)
	return errf("Change TLS State: unsupported variable 0x%02x specified", v)
}

// --- lanes and edges ------------------------------------------------

func (s *session) getLane(v uint8, obj string, r *wire.Reader, w *wire.Writer) error {
	view := s.w.view
	switch v {
	case varIDList:
		ids := make([]string, len(view.lanes))
		for i := range view.lanes {
			ids[i] = view.lanes[i].id
		}
		w.TypedStringList(ids)
		return nil
	case varIDCount:
		w.TypedInt(int32(len(view.lanes)))
		return nil
	}
	li, ok := view.laneIdx[obj]
	if !ok {
		return errf("Lane '%s' is not known", obj)
	}
	lv := &view.lanes[li]
	switch v {
	case varLength:
		w.TypedDouble(lv.length)
	case varMaxSpeed:
		w.TypedDouble(lv.speed)
	case varShape:
		w.Polygon(lv.shape)
	case varLaneEdgeID:
		w.TypedString(view.edges[lv.edge].id)
	case varVehNumber, varVehIDs, varHalting, varMeanLength, varMeanSpeed, varWaiting:
		s.laneStats(v, s.w.lanes()[li], lv.speed, w)
	default:
		return unsupported("Lane", v)
	}
	return nil
}

// laneStats answers the last-step variables of the vehicles on a lane or
// an edge (ids from rear to front).
func (s *session) laneStats(v uint8, ids []int32, maxSpeed float64, w *wire.Writer) {
	ws := s.w
	switch v {
	case varVehNumber:
		w.TypedInt(int32(len(ids)))
	case varVehIDs:
		w.TypedStringList(ws.names(ids))
	case varHalting:
		n := 0
		for _, id := range ids {
			if ws.veh[id].speed < haltingSpeed {
				n++
			}
		}
		w.TypedInt(int32(n))
	case varMeanLength:
		sum := 0.0
		for _, id := range ids {
			sum += ws.veh[id].length
		}
		if len(ids) > 0 {
			sum /= float64(len(ids))
		}
		w.TypedDouble(sum)
	case varMeanSpeed:
		if len(ids) == 0 {
			w.TypedDouble(maxSpeed) // SUMO's answer for an empty lane
			return
		}
		sum := 0.0
		for _, id := range ids {
			sum += ws.veh[id].speed
		}
		w.TypedDouble(sum / float64(len(ids)))
	case varWaiting:
		sum := int64(0)
		for _, id := range ids {
			sum += ws.veh[id].waitMs
		}
		w.TypedDouble(msToS(sum))
	}
}

func (s *session) getEdge(v uint8, obj string, r *wire.Reader, w *wire.Writer) error {
	view := s.w.view
	switch v {
	case varIDList:
		ids := make([]string, len(view.edges))
		for i := range view.edges {
			ids[i] = view.edges[i].id
		}
		w.TypedStringList(ids)
		return nil
	case varIDCount:
		w.TypedInt(int32(len(view.edges)))
		return nil
	}
	ei, ok := view.edgeIdx[obj]
	if !ok {
		return errf("Edge '%s' is not known", obj)
	}
	e := &view.edges[ei]
	switch v {
	case varEdgeLanes:
		w.TypedInt(int32(len(e.lanes)))
	case varVehNumber, varVehIDs, varHalting, varMeanLength, varMeanSpeed, varWaiting:
		var ids []int32
		lanes := s.w.lanes()
		maxSpeed := 0.0
		for _, li := range e.lanes {
			ids = append(ids, lanes[li]...)
			maxSpeed = max(maxSpeed, view.lanes[li].speed)
		}
		s.laneStats(v, ids, maxSpeed, w)
	default:
		return unsupported("Edge", v)
	}
	return nil
}

// --- vehicles -------------------------------------------------------

func (s *session) getVehicle(v uint8, obj string, r *wire.Reader, w *wire.Writer) error {
	ws := s.w
	switch v {
	case varIDList:
		w.TypedStringList(ws.names(ws.running))
		return nil
	case varIDCount:
		w.TypedInt(int32(len(ws.running)))
		return nil
	}
	id, err := ws.vehicle(obj)
	if err != nil {
		return err
	}
	st := &ws.veh[id]
	switch v {
	case varSpeed:
		w.TypedDouble(st.speed)
	case varAcceleration:
		w.TypedDouble(st.accel)
	case varLanePosition:
		w.TypedDouble(st.laneRef.pos)
	case varLaneID:
		w.TypedString(ws.laneName(st.laneRef.lane))
	case varLaneIndex:
		idx := int32(-1)
		if st.laneRef.lane >= 0 {
			idx = int32(ws.view.lanes[st.laneRef.lane].index)
		}
		w.TypedInt(idx)
	case varRoadID:
		road := ""
		if st.laneRef.lane >= 0 {
			road = ws.view.edges[ws.view.lanes[st.laneRef.lane].edge].id
		}
		w.TypedString(road)
	case varType:
		w.TypedString(ws.vtypes[st.vt])
	case varLength:
		w.TypedDouble(st.length)
	case varMaxSpeed:
		w.TypedDouble(ws.sim.VehicleTypes()[st.vt].MaxSpeed)
	case varWaiting:
		w.TypedDouble(msToS(st.waitMs))
	case varAccWaiting:
		w.TypedDouble(msToS(ws.accumulatedWaiting(id)))
	case varAllowedSpeed:
		w.TypedDouble(ws.allowedSpeed(id))
	case varPosition:
		w.Position2D(st.x, st.y)
	case varAngle:
		// SUMO's angle: degrees clockwise from north.
		a := 90 - float64(st.heading*(180/math.Pi))
		a = math.Mod(a, 360)
		if a < 0 {
			a += 360
		}
		w.TypedDouble(a)
	case varEdges:
		route, _ := ws.sim.VehicleRoute(id)
		ids := make([]string, len(route))
		for i, rd := range route {
			ids[i] = ws.net.Roads[rd].ID
		}
		w.TypedStringList(ids)
	case varNextTLS:
		ws.writeNextTLS(id, w)
	default:
		return unsupported("Vehicle", v)
	}
	return nil
}

func (w *world) laneName(li int32) string {
	if li < 0 {
		return ""
	}
	return w.view.lanes[li].id
}

// allowedSpeed is SUMO's getAllowedSpeed: the speed limit of the
// vehicle's lane times its speed factor, capped by its type's maximum.
func (w *world) allowedSpeed(id int32) float64 {
	st := &w.veh[id]
	lim := 0.0
	if li := st.laneRef.lane; li >= 0 {
		lim = w.view.lanes[li].speed
	}
	return min(lim*w.sim.VehicleSpeedFactor(id), w.sim.VehicleTypes()[st.vt].MaxSpeed)
}

// writeNextTLS answers getNextTLS: the signals ahead on the vehicle's
// route with their signal index, distance from its front to the stop
// line (m) and state. The connection at each junction is the one from
// the vehicle's lane (later: the first lane reaching the next road) to
// the next road of its route.
func (w *world) writeNextTLS(id int32, out *wire.Writer) {
	type next struct {
		tls   string
		index int32
		dist  float64
		state byte
	}
	var found []next
	net := w.net
	st := &w.veh[id]
	route, ri := w.sim.VehicleRoute(id)
	nl := int32(len(net.Lanes))
	lane := st.seg
	dist := 0.0
	if st.seg >= nl {
		// Inside a junction: the signal being crossed is behind.
		lk := &net.Links[st.seg-nl]
		dist = lk.Length - st.pos
		lane = int32(lk.To)
		dist += net.Lanes[lane].Length
	} else {
		dist = net.Lanes[lane].Length - st.pos
	}
	k := slices.Index(route[ri:], net.Lanes[lane].Road)
	if k < 0 {
		out.Compound(1)
		out.TypedInt(0)
		return
	}
	k += ri
	for ; k+1 < len(route); k++ {
		lk := w.linkTo(maps.LaneID(lane), route[k+1])
		if lk < 0 {
			break
		}
		for _, sr := range w.linkSigs(lk) {
			t := w.tls[sr.tls]
			found = append(found, next{t.view.id, int32(sr.index), dist, t.state()[sr.index]})
		}
		L := &net.Links[lk]
		lane = int32(L.To)
		dist += L.Length + net.Lanes[lane].Length
	}
	out.Compound(1 + 4*len(found))
	out.TypedInt(int32(len(found)))
	for _, f := range found {
		out.TypedString(f.tls)
		out.TypedInt(f.index)
		out.TypedDouble(f.dist)
		out.TypedByte(int8(f.state))
	}
}

// linkTo returns a link from lane l to road to: one leaving l itself when
// there is one, else the first of the movement's links, or −1.
func (w *world) linkTo(l maps.LaneID, to maps.RoadID) maps.LinkID {
	net := w.net
	for _, k := range net.Lanes[l].Links {
		if net.Lanes[net.Links[k].To].Road == to {
			return k
		}
	}
	m := net.MovementBetween(net.Lanes[l].Road, to)
	if m == maps.None || len(net.Movements[m].Links) == 0 {
		return -1
	}
	return net.Movements[m].Links[0]
}

// linkSigs returns the SUMO signals that control engine link k.
func (w *world) linkSigs(k maps.LinkID) []sigRef { return w.linkSig[k] }

// --- simulation -----------------------------------------------------

func (s *session) getSim(v uint8, obj string, r *wire.Reader, w *wire.Writer) error {
	ws := s.w
	switch v {
	case simTime:
		w.TypedDouble(msToS(ws.nowMs))
	case simDeltaT:
		w.TypedDouble(msToS(ws.dtMs))
	case simDepartedNumber:
		w.TypedInt(int32(len(ws.departed)))
	case simDepartedIDs:
		w.TypedStringList(ws.names(ws.departed))
	case simArrivedNumber:
		w.TypedInt(int32(len(ws.arrived)))
	case simArrivedIDs:
		w.TypedStringList(ws.names(ws.arrived))
	case simTeleStartN, simTeleEndN:
		// A CityTwin teleport starts and ends within one step.
		w.TypedInt(int32(ws.teleStart))
	case simMinExpected:
		w.TypedInt(int32(ws.expected()))
	case simPending:
		w.TypedStringList(ws.pending())
	default:
		return unsupported("Simulation", v)
	}
	return nil
}

// msToS converts milliseconds to seconds, exactly as SUMO's STEPS2TIME.
func msToS(ms int64) float64 { return float64(ms) / 1000 }
