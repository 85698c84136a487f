package scenarios

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/follow"
	ctmaps "github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios/sumoroutes"
)

// sumoFiles adds the vehicle types and departures of SUMO route files
// (demand.sumo). Each file's types are added to the engine's types under
// their SUMO ids (they do not mix with [[vtypes]], which the other demand
// sources use); a type id defined by two files is an error, as in SUMO.
// Vehicle ids are SUMO's ("flow.k" for flows).
func (b *demandBuilder) sumoFiles(files Paths) {
	stream := streamSUMO
	reader := sumoroutes.NewReader(b.sc.Seed ^ stream*0x9e3779b97f4a7c15)
	reader.MaxBytes = b.sc.maxDecompressed()
	types := map[string]int{} // SUMO type id -> index into the engine's types
	for fi, rel := range files {
		key := "demand.sumo"
		if len(files) > 1 {
			key = fmt.Sprintf("demand.sumo[%d]", fi)
		}
		data, err := b.sc.ReadFile(rel)
		if err != nil {
			b.fail(key, "cannot read the route file: %v", err)
			return
		}
		file := b.sc.Resolve(rel)
		f, err := reader.Read(bytes.NewReader(data), file)
		if err != nil {
			b.fail(key, "%s: %v", file, err)
			return // later files may use what this one defines
		}
		for _, t := range f.VTypes {
			vt, note, err := engineVType(t)
			if err != nil {
				b.fail(key, "%s:%d: vType %q: %v", file, t.Line, t.ID, err)
				continue
			}
			if note != "" {
				b.notes = append(b.notes, fmt.Sprintf("%s:%d: vType %q: %s", file, t.Line, t.ID, note))
			}
			types[t.ID] = len(b.cfg.VTypes)
			b.cfg.VTypes = append(b.cfg.VTypes, vt)
		}
		s := &sumoDemand{b: b, key: key, file: file, routes: map[string]ctmaps.Route{}, approx: map[string]int{}}
		scale := b.sc.Demand.scale()
		rng := b.rng(streamSUMO, 1000+fi)
		for i := range f.Vehicles {
			v := &f.Vehicles[i]
			copies := 1
			if scale != 1 {
				// SUMO's --scale: every vehicle departs ⌊scale⌋ times, and
				// once more with probability scale − ⌊scale⌋.
				copies = int(math.Floor(scale))
				if rng.Float64() < scale-math.Floor(scale) {
					copies++
				}
			}
			if len(b.trips)+copies > b.sc.Limits.Trips {
				b.fail(key, "%s:%d: more trips than limits.trips (%d) allows", file, v.Line, b.sc.Limits.Trips)
				return
			}
			for c := 0; c < copies; c++ {
				trip, ok := s.trip(v, types[v.Type])
				if !ok {
					break
				}
				if c > 0 {
					trip.ID = fmt.Sprintf("%s.%d", trip.ID, c)
				}
				b.trips = append(b.trips, trip)
			}
		}
		for _, u := range f.Summary() {
			b.notes = append(b.notes, fmt.Sprintf("%s: not supported: %s", file, u))
		}
		for _, k := range slices.Sorted(maps.Keys(s.approx)) {
			b.notes = append(b.notes, fmt.Sprintf("%s: %s (%d vehicles)", file, k, s.approx[k]))
		}
	}
}

// engineVType converts a SUMO vehicle type. Krauss and IDM run as
// themselves; other models were already reported by the reader and run as
// Krauss. A maximum speed above the engine's 80 m/s is lowered to it (no
// road allows it) with a note.
func engineVType(t sumoroutes.VType) (engine.VType, string, error) {
	var model follow.Model = follow.Krauss{}
	if t.Model == "IDM" {
		model = follow.IDM{}
	}
	note := ""
	maxSpeed := t.MaxSpeed
	if maxSpeed > 80 {
		note = fmt.Sprintf("maxSpeed %g m/s lowered to 80 m/s", maxSpeed)
		maxSpeed = 80
	}
	if t.Length > 30 {
		return engine.VType{}, "", fmt.Errorf("length %g m: CityTwin vehicles are at most 30 m long", t.Length)
	}
	return engine.VType{ID: t.ID, Length: t.Length, MaxSpeed: maxSpeed, Model: model,
		SpeedFactor: engine.Normal{Mean: t.SpeedFactor.Mean, Dev: t.SpeedFactor.Dev, Min: t.SpeedFactor.Min, Max: t.SpeedFactor.Max},
		Follow: follow.Params{Accel: t.Accel, Decel: t.Decel, EmergencyDecel: t.EmergencyDecel, MinGap: t.MinGap, Headway: t.Tau,
			Sigma: t.Sigma, Delta: t.Delta}}, note, nil
}

// sumoDemand converts one route file's departures into trips.
type sumoDemand struct {
	b      *demandBuilder
	key    string
	file   string
	routes map[string]ctmaps.Route // joined edge ids -> route
	approx map[string]int          // approximations, counted
}

func (s *sumoDemand) fail(v *sumoroutes.Vehicle, format string, args ...any) {
	s.b.fail(s.key, "%s:%d: vehicle %q: %s", s.file, v.Line, v.ID, fmt.Sprintf(format, args...))
}

func (s *sumoDemand) road(v *sumoroutes.Vehicle, id string) (ctmaps.RoadID, bool) {
	r, ok := s.b.net.RoadByID(id)
	if !ok {
		hint := ""
		if s.b.net.Skipped["sumo: edges closed to passenger cars"] > 0 {
			hint = " (edges closed to passenger cars are not loaded)"
		}
		s.fail(v, "edge %q is not in the network%s", id, hint)
	}
	return r, ok
}

// trip converts one departure; ok is false after an error.
func (s *sumoDemand) trip(v *sumoroutes.Vehicle, vt int) (engine.Trip, bool) {
	net := s.b.net
	t := engine.Trip{ID: v.ID, Depart: v.Depart, VType: vt}
	if v.Edges != nil {
		key := strings.Join(v.Edges, " ")
		route, ok := s.routes[key]
		if !ok {
			for i, id := range v.Edges {
				r, ok := s.road(v, id)
				if !ok {
					return t, false
				}
				if i > 0 && net.MovementBetween(route[i-1], r) == ctmaps.None {
					s.fail(v, "the route goes from edge %q to %q, which no connection of the network joins", v.Edges[i-1], id)
					return t, false
				}
				route = append(route, r)
			}
			s.routes[key] = route
		}
		t.Route, t.From, t.To = route, route[0], route[len(route)-1]
	} else {
		from, ok1 := s.road(v, v.From)
		to, ok2 := s.road(v, v.To)
		if !ok1 || !ok2 {
			return t, false
		}
		t.From, t.To = from, to
		if len(v.Via) > 0 {
			var via []ctmaps.RoadID
			for _, id := range v.Via {
				r, ok := s.road(v, id)
				if !ok {
					return t, false
				}
				via = append(via, r)
			}
			route, err := s.b.viaRoute(from, via, to)
			if err == nil {
				t.Route = route
			}
			// Without a route the trip is kept and counted unroutable by
			// the engine, like any other.
		}
	}
	// departLane: SUMO's default is "first", the rightmost lane.
	lanes := net.Roads[t.From].Lanes
	switch dl := v.DepartLane; dl {
	case "best":
		t.DepartLane = engine.DepartLaneBest
	case "random":
		t.DepartLane = engine.DepartLaneRandom
	case "", "first":
		t.DepartLane, t.LaneIndex = engine.DepartLaneIndex, len(lanes)-1
	case "free", "allowed":
		t.DepartLane = engine.DepartLaneBest
		s.approx[fmt.Sprintf("departLane=%q runs as \"best\"", dl)]++
	default:
		n, _ := strconv.Atoi(dl) // the reader checked it
		idx := -1
		want := net.Roads[t.From].ID + "_" + dl
		for k, l := range lanes {
			if net.Lanes[l].ID == want || net.Lanes[l].ID == "" && k == len(lanes)-1-n {
				idx = k
			}
		}
		if idx < 0 {
			s.fail(v, "departLane %s: edge %q has no such lane open to cars", dl, net.Roads[t.From].ID)
			return t, false
		}
		t.DepartLane, t.LaneIndex = engine.DepartLaneIndex, idx
	}
	// departSpeed: SUMO's default is 0.
	switch ds := v.DepartSpeed; ds {
	case "":
		t.DepartSpeed, t.Speed = engine.DepartSpeedGiven, 0
	case "max":
		t.DepartSpeed = engine.DepartSpeedMax
	case "desired", "speedLimit", "random", "last", "avg":
		t.DepartSpeed = engine.DepartSpeedMax
		s.approx[fmt.Sprintf("departSpeed=%q runs as \"max\"", ds)]++
	default:
		x, _ := strconv.ParseFloat(ds, 64) // the reader checked it
		t.DepartSpeed, t.Speed = engine.DepartSpeedGiven, x
	}
	return t, true
}
