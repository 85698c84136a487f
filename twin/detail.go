package twin

import (
	"net/http"
	"strconv"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
)

// JunctionDetail is everything about one junction (GET
// /v1/junctions/{id}): what the dashboard shows of a selected junction.
type JunctionDetail struct {
	ID   string  `json:"id"`
	Node int     `json:"node"`
	Kind string  `json:"kind"` // priority, signalised, dead_end, boundary
	Time float64 `json:"time"`
	// Signal is its signal state (as in /v1/junctions), for junctions
	// with a signal plant; Program its signal program.
	Signal  *JunctionObs `json:"signal,omitempty"`
	Program *ProgramInfo `json:"program,omitempty"`
	// Movements are its turns in its order, with their light, the
	// halting vehicles on their incoming lanes and the longest queue
	// there (m).
	Movements []MovementDetail `json:"movements"`
	// Lanes are the states of its incoming lanes.
	Lanes []LaneObs `json:"lanes"`
	// Decisions are its controller's last changes of phase (at most
	// MaxDecisions), oldest first.
	Decisions []Decision `json:"decisions"`
}

// MovementDetail is one turn of a junction.
type MovementDetail struct {
	MovementInfo
	Movement int     `json:"movement"` // index in the network (stream lights)
	Light    string  `json:"light"`    // G, g, y, r
	Halting  int     `json:"halting"`
	Queue    float64 `json:"queue_m"`
}

// VehicleDetail is everything about one vehicle (GET /v1/vehicles/{index}):
// its trip, its route and, while it runs, where it is.
type VehicleDetail struct {
	// N is the vehicle number (the engine's index, as in binary stream
	// frames and /v1/vehicles); ID its trip id (as in trips.csv).
	N           int32   `json:"n"`
	ID          string  `json:"id"`
	VType       string  `json:"vtype"`
	Status      string  `json:"status"` // pending, waiting, running, arrived, removed, canceled, unroutable
	Origin      string  `json:"origin"`
	Destination string  `json:"destination"`
	Scheduled   float64 `json:"scheduled"` // s, departure asked for
	Depart      float64 `json:"depart"`    // s, entered the network (−1: not yet)
	Arrival     float64 `json:"arrival"`   // s (−1: not yet)
	// Route lists its road ids; RouteIndex is the road it is on (or will
	// start on).
	Route       []string `json:"route"`
	RouteIndex  int      `json:"route_index"`
	RouteLength float64  `json:"route_length"` // m
	Stops       int      `json:"stops"`
	Waiting     float64  `json:"waiting"` // s standing so far
	Connected   bool     `json:"connected"`
	// Now is where it is, while it runs.
	Now *VehicleObs `json:"now,omitempty"`
}

func (s *server) junction(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx, cancel := s.ctx(r)
	defer cancel()
	d, err := onTwin(ctx, s.t, func() (*JunctionDetail, error) { return s.t.junctionDetail(id) })
	reply(w, d, err)
}

// junctionDetail builds the detail of junction id (on the twin's
// goroutine, from the frame of the current step).
func (t *Twin) junctionDetail(id string) (*JunctionDetail, error) {
	net := t.run.Network
	v, ok := net.NodeByID(id)
	if !ok {
		return nil, errorf(statusNotFound, "not_found", "no junction %q", clip(id, 40))
	}
	nd := &net.Nodes[v]
	f := t.currentFrame(PartLanes, PartJunctions)
	d := &JunctionDetail{ID: nd.ID, Node: int(v), Kind: nd.Kind.String(), Time: f.time, Movements: []MovementDetail{},
		Lanes: []LaneObs{}, Decisions: t.decisions.of(v)}
	for i := range f.junctions {
		if f.junctions[i].Node == int(v) {
			j := f.junctions[i]
			d.Signal = &j
		}
	}
	if nd.Program != nil {
		p := nd.Program
		pi := &ProgramInfo{Yellow: p.Yellow, AllRed: p.AllRed, Offset: p.Offset}
		for _, ph := range p.Phases {
			pi.Phases = append(pi.Phases, PhaseInfo{State: ph.State, Duration: ph.Duration})
		}
		d.Program = pi
	}
	lay := t.layout(v)
	for k, m := range nd.Movements {
		mv := &net.Movements[m]
		md := MovementDetail{MovementInfo: MovementInfo{From: net.Roads[mv.From].ID, To: net.Roads[mv.To].ID, Turn: mv.Turn.String()},
			Movement: int(m), Light: "G"}
		if int(m) < len(f.snap.Lights) && nd.Kind == maps.Signalised {
			md.Light = lightLetter(f.snap.Lights[m])
		}
		for _, l := range lay.movIn[k] {
			md.Halting += f.lanes[l].Halting
			md.Queue = max(md.Queue, f.lanes[l].Queue)
		}
		d.Movements = append(d.Movements, md)
	}
	for _, r := range nd.In {
		for _, l := range net.Roads[r].Lanes {
			d.Lanes = append(d.Lanes, f.lanes[l])
		}
	}
	return d, nil
}

func (s *server) vehicle(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("index")
	n, err := strconv.ParseInt(raw, 10, 32)
	if err != nil || n < 0 {
		writeError(w, errorf(statusBadRequest, "bad_query", "a vehicle number is an integer ≥ 0 (the n of stream frames), got %q", clip(raw, 20)))
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	d, err := onTwin(ctx, s.t, func() (*VehicleDetail, error) { return s.t.vehicleDetail(int32(n)) })
	reply(w, d, err)
}

// vehicleDetail builds the detail of vehicle n (on the twin's goroutine).
func (t *Twin) vehicleDetail(n int32) (*VehicleDetail, error) {
	s := t.w.sim
	if int(n) >= s.NumTrips() {
		return nil, errorf(statusNotFound, "not_found", "no vehicle %d (there are %d)", n, s.NumTrips())
	}
	net := t.run.Network
	tr := s.Trip(int(n))
	d := &VehicleDetail{N: n, ID: tr.ID, VType: tr.VType, Status: tr.Status.String(), Origin: tr.Origin, Destination: tr.Destination,
		Scheduled: tr.Scheduled, Depart: tr.Depart, Arrival: tr.Arrival, RouteLength: round(tr.RouteLength, 2), Stops: tr.Stops,
		Waiting: round(tr.Waiting, 3), Connected: tr.Connected, Route: []string{}}
	route, ri := s.VehicleRoute(n)
	for _, r := range route {
		d.Route = append(d.Route, net.Roads[r].ID)
	}
	d.RouteIndex = ri
	if tr.Status == engine.TripRunning {
		f := t.currentFrame(PartVehicles)
		for i := range f.vehicles {
			if f.vehicles[i].Index == n {
				v := f.vehicles[i]
				d.Now = &v
				break
			}
		}
	}
	return d, nil
}
