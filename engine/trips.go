package engine

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
	Fuel        float64 // mL burnt (Akçelik power-based model, see FuelModel)
	CO2         float64 // g
	Connected   bool    // equipped for V2X
	// Status is "arrived", "removed" (teleported out), "running",
	// "waiting" (not yet entered), "pending" (departure time not reached),
	// "canceled" (taken out of the demand) or "unroutable".
	Status string
}

var statusNames = [...]string{statusPending: "pending", statusRunning: "running", statusArrived: "arrived",
	statusRemoved: "removed", statusUnroutable: "unroutable", statusWaiting: "waiting", statusCanceled: "canceled"}

// recordTrip notes a finished trip in completion order.
func (s *Sim) recordTrip(id int32) { s.finished = append(s.finished, id) }

// Trip returns the record of vehicle id as it stands now.
func (s *Sim) Trip(id int) TripRecord {
	v := &s.veh[id]
	t := &s.trips[id]
	r := TripRecord{ID: s.tripName(id), VType: s.vtypes[v.vt].ID, Origin: s.net.Roads[t.From].ID, Destination: s.net.Roads[t.To].ID,
		Scheduled: v.depart, Depart: v.insert, Arrival: v.arrive, Stops: int(v.stops), Waiting: v.waitTotal,
		RouteLength: v.length, Teleports: int(v.teleports), Status: statusNames[v.status], Fuel: v.fuel,
		CO2: v.fuel * CO2PerML, Connected: v.connected}
	if v.status == statusRunning {
		// Include the current standstill and the fuel not yet credited.
		for i := range s.segs {
			for _, c := range s.segs[i].cars {
				if c.id == int32(id) {
					r.Waiting += float64(c.wait)
					r.Fuel += float64(c.fuel)
					r.CO2 = r.Fuel * CO2PerML
				}
			}
		}
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
