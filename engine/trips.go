package engine

import (
	"fmt"
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
// and route live in the vehicle), in 40 bytes rather than a Trip's 96 —
// a million of them are kept at scale.
type tripRec struct {
	id          string
	speed       float64 // m/s, with DepartSpeedGiven
	from, to    maps.RoadID
	laneIndex   int32 // with DepartLaneIndex (checked against the road's lanes)
	departLane  DepartLane
	departSpeed DepartSpeed
}

func newTripRec(t *Trip) tripRec {
	return tripRec{id: t.ID, speed: t.Speed, from: t.From, to: t.To, laneIndex: int32(t.LaneIndex),
		departLane: t.DepartLane, departSpeed: t.DepartSpeed}
}

// tripOf returns vehicle id's trip as it was given (its current route
// aside: Route is nil).
func (s *Sim) tripOf(id int32) Trip {
	t, v := &s.trips[id], &s.veh[id]
	return Trip{ID: t.id, Depart: v.depart, From: t.from, To: t.to, VType: int(v.vt), DepartLane: t.departLane,
		LaneIndex: int(t.laneIndex), DepartSpeed: t.departSpeed, Speed: t.speed}
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
	r := TripRecord{ID: s.tripName(id), VType: s.vtypes[v.vt].ID, Origin: s.net.Roads[t.from].ID, Destination: s.net.Roads[t.to].ID,
		Scheduled: v.depart, Depart: v.insert, Arrival: v.arrive, Stops: int(v.stops), Waiting: v.waitTotal,
		RouteLength: s.routeLength(v), Teleports: int(v.teleports), MissedTurns: int(v.misses), Status: TripStatus(v.status), Fuel: v.fuel,
		CO2: v.fuel * CO2PerML, Connected: v.connected}
	if c := s.locate(int32(id)); c != nil {
		// Include the current standstill and the fuel not yet credited.
		r.Waiting += float64(c.wait)
		r.Fuel += float64(c.fuel)
		r.CO2 = r.Fuel * CO2PerML
	}
	if v.arrive >= 0 && v.insert >= 0 {
		r.TravelTime = v.arrive - v.insert
		r.Delay = r.TravelTime - v.freeFlow
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

func (s *Sim) locateSeg(id int32) (*car, *segment) {
	v := &s.veh[id]
	if v.status != statusRunning || v.route < 0 {
		return nil, nil
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
			return c, &s.segs[l]
		}
		for _, k := range s.ids(s.segs[l].links) {
			if c := find(&s.segs[k]); c != nil {
				return c, &s.segs[k]
			}
		}
	}
	return nil, nil
}
