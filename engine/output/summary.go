package output

import (
	"math"
	"sort"

	"github.com/citytwin/citytwin/engine"
)

// Summary is the outcome of a run. Trip statistics cover trips that
// finished (arrived) and were scheduled to depart at or after the
// warm-up. Times are in seconds, speeds in m/s, lengths in metres.
// docs/outputs.md describes every field of summary.json.
type Summary struct {
	// About says, in the file, what each part counts (SummaryAbout).
	About  string        `json:"about"`
	Time   float64       `json:"time"`   // s, simulated time at the end
	Warmup float64       `json:"warmup"` // s, trips scheduled before it are left out of the trip statistics
	Counts engine.Counts `json:"counts"`
	// Trips is the number of finished trips the statistics cover: those
	// that arrived and were scheduled at or after Warmup (Counts.Trips
	// counts every trip given to the run).
	Trips           int     `json:"finished_trips"`
	MeanTravelTime  float64 `json:"mean_travel_time"`
	P95TravelTime   float64 `json:"p95_travel_time"`
	MeanDelay       float64 `json:"mean_delay"`
	MeanStops       float64 `json:"mean_stops"`
	MeanWaiting     float64 `json:"mean_waiting"`
	MeanSpeed       float64 `json:"mean_speed"` // route length over travel time, averaged
	MeanDepartDelay float64 `json:"mean_depart_delay"`
	// Throughput is the number of vehicles that arrived after the warm-up.
	Throughput int `json:"throughput"`
	// CityFlowATT is the average travel time as CityFlow computes it
	// (Engine::getAverageTravelTime): over every trip whose departure time
	// has come before Time (waiting ones included), the mean of (arrival
	// time, or Time if not arrived) minus the scheduled departure time,
	// where CityFlow dates an arrival by the start of the step in which
	// the vehicle leaves (one step before CityTwin's arrival time).
	CityFlowATT float64 `json:"cityflow_att"`
	// ArrivedShare is arrived / inserted.
	ArrivedShare float64 `json:"arrived_share"`
	// MeanFuel is the fuel per finished trip (mL); FuelPer100km the fuel
	// over their distance (L/100 km); CO2 the total of every trip that
	// finished or is running (kg). See engine.FuelModel.
	MeanFuel     float64 `json:"mean_fuel"`
	FuelPer100km float64 `json:"fuel_per_100km"`
	CO2          float64 `json:"co2_kg"`
	// ConnectedShare is the share of finished trips made by equipped
	// vehicles.
	ConnectedShare float64 `json:"connected_share"`
	// Signals summarises the signalised junctions and the guard's counts;
	// set by runners that collect JunctionMetrics (see Files.Junctions).
	Signals *SignalSummary `json:"signals,omitempty"`
	// Jams says where traffic is stuck at the end of the run
	// (engine.Sim.Jams); nil when nothing is.
	Jams *JamSummary `json:"jams,omitempty"`
}

// SummaryAbout is Summary.About: what summary.json's parts count.
const SummaryAbout = "counts: every trip of the run (trips: all given; unroutable: never departed; inserted, arrived, running, removed, waiting: vehicles). " +
	"finished_trips and the mean_*, p95_*, fuel and connected_share statistics: the trips that arrived and were scheduled to depart at or after warmup. " +
	"throughput: arrivals after warmup. cityflow_att: every trip whose departure time has come, as CityFlow counts it. co2_kg: every trip that ran. " +
	"Units: s, m, m/s, mL, L/100 km, kg. See docs/outputs.md."

// JamSummary counts the jams engine.Sim.Jams finds at the end of a run.
type JamSummary struct {
	Gridlocks int `json:"gridlocks"` // cycles of lanes each waiting on the next
	Stuck     int `json:"stuck"`     // other queues stuck for room or crossing gaps
	Starved   int `json:"starved"`   // lanes a controller has left red for the jam time
	// Where describes the first ones (at most MaxJamsListed), in the
	// engine's order: gridlocks first.
	Where []string `json:"where,omitempty"`
}

// MaxJamsListed is how many jams a JamSummary describes.
const MaxJamsListed = 10

// summarizeJams returns the JamSummary of sim now, or nil.
func summarizeJams(sim *engine.Sim) *JamSummary {
	jams := sim.Jams(0)
	if len(jams) == 0 {
		return nil
	}
	js := &JamSummary{}
	for _, j := range jams {
		switch {
		case j.Cycle:
			js.Gridlocks++
		case j.Starved:
			js.Starved++
		default:
			js.Stuck++
		}
		if len(js.Where) < MaxJamsListed {
			js.Where = append(js.Where, sim.Describe(j))
		}
	}
	return js
}

// Summarize computes the summary of sim now, ignoring trips scheduled
// before warmup (s) in the trip statistics.
func Summarize(sim *engine.Sim, warmup float64) Summary {
	now, dt := sim.Time(), sim.StepLength()
	s := Summary{About: SummaryAbout, Time: now, Warmup: warmup, Counts: sim.Counts()}
	var tts []float64
	var att, dist float64
	natt, conn := 0, 0
	for id := 0; id < sim.NumTrips(); id++ {
		r := sim.Trip(id)
		if r.Status == engine.TripUnroutable {
			continue
		}
		s.CO2 += r.CO2 / 1000
		if r.Scheduled < now-1e-9 {
			end := now
			if r.Arrival >= 0 {
				end = r.Arrival
				if r.Status == engine.TripArrived {
					end -= dt
				}
			}
			att += end - r.Scheduled
			natt++
		}
		if r.Status != engine.TripArrived {
			continue
		}
		if r.Arrival >= warmup {
			s.Throughput++
		}
		if r.Scheduled < warmup {
			continue
		}
		s.Trips++
		tts = append(tts, r.TravelTime)
		s.MeanTravelTime += r.TravelTime
		s.MeanDelay += r.Delay
		s.MeanStops += float64(r.Stops)
		s.MeanWaiting += r.Waiting
		s.MeanDepartDelay += r.Depart - r.Scheduled
		s.MeanFuel += r.Fuel
		dist += r.RouteLength
		if r.Connected {
			conn++
		}
		if r.TravelTime > 0 {
			s.MeanSpeed += r.RouteLength / r.TravelTime
		}
	}
	if natt > 0 {
		s.CityFlowATT = att / float64(natt)
	}
	if n := float64(s.Trips); n > 0 {
		s.MeanTravelTime /= n
		s.MeanDelay /= n
		s.MeanStops /= n
		s.MeanWaiting /= n
		s.MeanDepartDelay /= n
		s.MeanSpeed /= n
		s.P95TravelTime = Percentile(tts, 0.95)
		if dist > 0 {
			s.FuelPer100km = s.MeanFuel / 1000 / (dist / 100000)
		}
		s.MeanFuel /= n
		s.ConnectedShare = float64(conn) / n
	}
	if s.Counts.Inserted > 0 {
		s.ArrivedShare = float64(s.Counts.Arrived) / float64(s.Counts.Inserted)
	}
	s.Jams = summarizeJams(sim)
	return s
}

// Percentile returns the p-quantile (0..1) of xs by linear interpolation
// between order statistics; xs is sorted in place.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sort.Float64s(xs)
	r := float64(p * float64(len(xs)-1))
	lo := int(math.Floor(r))
	hi := int(math.Ceil(r))
	return xs[lo] + float64((r-float64(lo))*(xs[hi]-xs[lo]))
}
