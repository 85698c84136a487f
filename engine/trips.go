package engine

import (
	"fmt"
	stdmaps "maps"
	"slices"
	"strconv"

	"github.com/citytwin/citytwin/maps"
)

// TripRecord is the outcome of one trip (times in s, lengths in m).
type TripRecord struct {
	ID          string
	VType       string
	Origin      string  // road id
	Destination string  // road id
	Scheduled   float64 // departure time asked for
	Depart      float64 // time the vehicle entered (−1: never)
	Arrival     float64 // time it left (−1: not yet)
	// TravelTime is Arrival − Depart; Delay is TravelTime minus the
	// free-flow time of the route at the vehicle's desired speed.
	TravelTime  float64
	Delay       float64
	Stops       int
	Waiting     float64 // time standing (speed < 0.1 m/s)
	RouteLength float64
	Teleports   int
	// MissedTurns counts the turns the vehicle missed (it stood at the
	// front of a lane that does not lead to its next road and rerouted or,
	// after three, waited; see Counts.MissedTurns).
	MissedTurns int
	Fuel        float64 // mL burnt (Akçelik power-based model, see FuelModel)
	CO2         float64 // g
	Connected   bool    // equipped for V2X
	Status      TripStatus
}

// TripStatus is where a trip stands. Its text (String, and JSON through
// MarshalText) is the name outputs write: "pending", "running" ...
type TripStatus uint8

// Trip statuses.
const (
	TripPending    = TripStatus(statusPending)    // departure time not reached
	TripRunning    = TripStatus(statusRunning)    // in the network
	TripArrived    = TripStatus(statusArrived)    // reached its destination
	TripRemoved    = TripStatus(statusRemoved)    // teleported out: no room anywhere ahead
	TripUnroutable = TripStatus(statusUnroutable) // no route from origin to destination
	TripWaiting    = TripStatus(statusWaiting)    // departure time has come; waiting to enter
	TripCanceled   = TripStatus(statusCanceled)   // taken out of the demand (ScaleDemand)
)

var statusNames = [...]string{statusPending: "pending", statusRunning: "running", statusArrived: "arrived",
	statusRemoved: "removed", statusUnroutable: "unroutable", statusWaiting: "waiting", statusCanceled: "canceled"}

func (s TripStatus) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "TripStatus(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText implements encoding.TextMarshaler: the status's name.
func (s TripStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *TripStatus) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = TripStatus(i)
			return nil
		}
	}
	return fmt.Errorf("engine: unknown trip status %q", b)
}

// tripRec is what the engine keeps of a Trip after New: the fields that
// insertion and the trip records read (the departure time, vehicle type
// and route live in the vehicle), in 12 bytes rather than a Trip's 96 —
// a million of them are kept at scale. The fields most trips leave at
// zero (ID, LaneIndex, Speed) are kept in Sim.cold.
type tripRec struct {
	from, to    maps.RoadID
	departLane  DepartLane
	departSpeed DepartSpeed
}

// addTripRec stores trip t as trip id (the next one, or one of the
// trips New allocated).
func (s *Sim) addTripRec(id int32, t *Trip) {
	r := tripRec{from: t.From, to: t.To, departLane: t.DepartLane, departSpeed: t.DepartSpeed}
	if int(id) == len(s.trips) {
		s.trips = append(s.trips, r)
	} else {
		s.trips[id] = r
	}
	c := &s.cold
	c.ids = setSparse(c.ids, id, t.ID)
	c.speed = setSparse(c.speed, id, t.Speed)
	c.laneIndex = setSparse(c.laneIndex, id, int32(t.LaneIndex))
}

// tripOf returns vehicle id's trip as it was given (its current route
// aside: Route is nil).
func (s *Sim) tripOf(id int32) Trip {
	t, v := &s.trips[id], &s.veh[id]
	return Trip{ID: s.tripID(id), Depart: v.depart, From: t.from, To: t.to, VType: int(v.vt), DepartLane: t.departLane,
		LaneIndex: s.laneIndex(id), DepartSpeed: t.departSpeed, Speed: s.departSpeed(id)}
}

// tripID returns trip id's Trip.ID ("" when none was given).
func (s *Sim) tripID(id int32) string { return sparseAt(s.cold.ids, id) }

// laneIndex returns trip id's Trip.LaneIndex.
func (s *Sim) laneIndex(id int32) int { return int(sparseAt(s.cold.laneIndex, id)) }

// departSpeed returns trip id's Trip.Speed (m/s).
func (s *Sim) departSpeed(id int32) float64 { return sparseAt(s.cold.speed, id) }

// coldData holds what most trips and vehicles leave at zero, kept apart
// from the dense per-vehicle records (a million of them at scale): the
// trips' given ID, LaneIndex and Speed, in slices that end after the
// last trip that set one (nil when none did), and the few vehicles that
// teleported, missed a turn or changed route.
type coldData struct {
	ids       []string
	speed     []float64
	laneIndex []int32
	// rare holds, by vehicle id, the vehicles with a coldVeh field set.
	// Read by lookup only (never iterated), written between the parallel
	// phases.
	rare map[int32]coldVeh
}

// coldVeh is what a vehicle rarely has.
type coldVeh struct {
	teleports int32
	misses    int32 // missed turns (see "Missed turns" in reroute.go)
	// rerouted: the vehicle left the route it departed with; departed is
	// that route (an index into Sim.routes, which only grow), whose
	// free-flow travel time trip delays measure against (freeFlowOf).
	rerouted bool
	departed int32
}

func (c *coldData) clone() coldData {
	return coldData{ids: slices.Clip(slices.Clone(c.ids)), speed: slices.Clip(slices.Clone(c.speed)),
		laneIndex: slices.Clip(slices.Clone(c.laneIndex)), rare: stdmaps.Clone(c.rare)}
}

// rareOf returns vehicle id's rare fields (zero when none is set).
func (s *Sim) rareOf(id int32) coldVeh { return s.cold.rare[id] }

// setRare stores vehicle id's rare fields.
func (s *Sim) setRare(id int32, r coldVeh) {
	if s.cold.rare == nil {
		s.cold.rare = map[int32]coldVeh{}
	}
	s.cold.rare[id] = r
}

// leaveRoute notes, before vehicle id's route changes, the route it
// departed with (its trip delay's reference, see freeFlowOf).
func (s *Sim) leaveRoute(id int32) {
	r := s.rareOf(id)
	if r.rerouted {
		return
	}
	r.rerouted, r.departed = true, s.veh[id].route
	s.setRare(id, r)
}

// freeFlowOf returns the free-flow travel time (s) of the route vehicle id
// departed with, at its desired speed, computed when asked (trip records)
// rather than when the vehicle leaves that route: it is a function of the
// route, the vehicle type and the speed factor, none of which changes
// after departure (a route in Sim.routes is never changed in place, and
// freeFlow reads the network's speed limits, not SetSpeedLimit's), so the
// time is the same number whenever it is computed.
func (s *Sim) freeFlowOf(id int32) float64 {
	v := &s.veh[id]
	route := v.route
	if r := s.rareOf(id); r.rerouted {
		route = r.departed
	}
	if route < 0 {
		return 0
	}
	return s.freeFlow(s.routes[route], &s.vtypes[v.vt], float64(v.factor))
}

// setSparse sets xs[id] = x in a slice that ends after its last non-zero
// element (nil when none), and returns the slice.
func setSparse[T comparable](xs []T, id int32, x T) []T {
	var zero T
	if int(id) >= len(xs) {
		if x == zero {
			return xs
		}
		xs = append(xs, make([]T, int(id)+1-len(xs))...)
	}
	xs[id] = x
	return xs
}

// sparseAt returns xs[id], or zero past the end of xs.
func sparseAt[T any](xs []T, id int32) T {
	if int(id) < len(xs) {
		return xs[id]
	}
	var zero T
	return zero
}

// routeLength returns the length (m) of vehicle v's route, 0 without one.
func (s *Sim) routeLength(v *vehicle) float64 {
	if v.route < 0 {
		return 0
	}
	return s.routeLen[v.route]
}

// recordTrip notes a finished trip in completion order.
func (s *Sim) recordTrip(id int32) { s.finished = append(s.finished, id) }

// Trip returns the record of vehicle id as it stands now.
func (s *Sim) Trip(id int) TripRecord {
	v := &s.veh[id]
	t := &s.trips[id]
	rare := s.rareOf(int32(id))
	r := TripRecord{ID: s.tripName(id), VType: s.vtypes[v.vt].ID, Origin: s.net.Roads[t.from].ID, Destination: s.net.Roads[t.to].ID,
		Scheduled: v.depart, Depart: v.insert, Arrival: v.arrive, Stops: int(v.stops), Waiting: v.waitTotal,
		RouteLength: s.routeLength(v), Teleports: int(rare.teleports), MissedTurns: int(rare.misses), Status: TripStatus(v.status), Fuel: v.fuel,
		CO2: v.fuel * CO2PerML, Connected: v.connected}
	if c := s.locate(int32(id)); c != nil {
		// Include the current standstill and the fuel not yet credited.
		r.Waiting += float64(c.wait)
		r.Fuel += float64(c.fuel)
		r.CO2 = r.Fuel * CO2PerML
	}
	if v.arrive >= 0 && v.insert >= 0 {
		r.TravelTime = v.arrive - v.insert
		r.Delay = r.TravelTime - s.freeFlowOf(int32(id))
	}
	return r
}

// Finished returns the ids of the vehicles that have left the network
// (arrived or removed), in the order they left.
func (s *Sim) Finished() []int32 { return s.finished }

// NumTrips returns the number of trips (vehicle ids run from 0 to NumTrips−1).
func (s *Sim) NumTrips() int { return len(s.trips) }

// locate returns the car of running vehicle id and its segment, or nil: it
// is on a lane of its current road or on a link leaving one.
func (s *Sim) locate(id int32) *car {
	c, _ := s.locateSeg(id)
	return c
}

// locateSeg is locate that also returns the car's segment (−1 when the
// vehicle is not found).
func (s *Sim) locateSeg(id int32) (*car, int32) {
	v := &s.veh[id]
	if v.status != statusRunning || v.route < 0 {
		return nil, -1
	}
	find := func(seg *segment) *car {
		for j := range seg.cars {
			if seg.cars[j].id == id {
				return &seg.cars[j]
			}
		}
		return nil
	}
	for _, l := range s.net.Roads[s.routes[v.route][v.ri]].Lanes {
		if c := find(&s.segs[l]); c != nil {
			return c, int32(l)
		}
		for _, k := range s.ids(s.laneT[l].links) {
			if c := find(&s.segs[k]); c != nil {
				return c, k
			}
		}
	}
	return nil, -1
}
