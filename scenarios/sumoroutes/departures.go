package sumoroutes

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/internal/detmath"
)

// departures reads a vehicle, trip or flow.
func (rd *reader) departures(e *elem) error {
	id := e.get("id")
	if id == "" {
		return errf(e, "", "no id")
	}
	if where, dup := rd.ids[id]; dup {
		return errf(e, id, "id already used at %s", where)
	}
	rd.ids[id] = fmt.Sprintf("%s line %d", rd.name, e.line)
	v := Vehicle{ID: id, Line: e.line, DepartLane: e.get("departLane"), DepartSpeed: e.get("departSpeed")}
	if s := v.DepartLane; s != "" {
		switch s {
		case "random", "free", "allowed", "first", "best":
		default:
			if n, err := strconv.Atoi(s); err != nil || n < 0 {
				return errf(e, id, "departLane %q: want a lane index or random, free, allowed, first or best", s)
			}
		}
	}
	if s := v.DepartSpeed; s != "" {
		switch s {
		case "random", "max", "desired", "speedLimit", "last", "avg":
		default:
			if x, ok := number(s); !ok || x < 0 || x > 1000 {
				return errf(e, id, "departSpeed %q: want a speed in m/s or random, max, desired, speedLimit, last or avg", s)
			}
		}
	}
	// Route: a reference, an inline route or distribution, or trip ends.
	var routeKey string
	var edges []string
	for _, k := range e.kids {
		switch k.name {
		case "route":
			r, err := rd.route(k)
			if err != nil {
				return err
			}
			edges = r
		case "routeDistribution":
			key, err := rd.routeDist(k)
			if err != nil {
				return err
			}
			routeKey = key
		case "param":
		case "stop":
			rd.note(k.line, "<stop> elements: skipped (vehicles drive through)")
		default:
			rd.note(k.line, fmt.Sprintf("<%s> inside <%s>: skipped", k.name, e.name))
		}
	}
	if r := e.get("route"); r != "" {
		if edges != nil || routeKey != "" {
			return errf(e, id, "has both a route attribute and an inline route")
		}
		if _, ok := rd.routes[r]; ok {
			routeKey = r
		} else if _, ok := rd.routeDists[r]; ok {
			routeKey = r
		} else {
			return errf(e, id, "route %q is not defined (routes must come before the vehicles that use them)", r)
		}
	}
	from, to := e.get("from"), e.get("to")
	trip := edges == nil && routeKey == ""
	if trip {
		if from == "" || to == "" {
			for _, k := range []string{"fromTaz", "toTaz", "fromJunction", "toJunction", "fromXY", "toXY", "fromLonLat", "toLonLat"} {
				if _, ok := e.attr(k); ok {
					rd.note(e.line, fmt.Sprintf("<%s> with %s: skipped (CityTwin routes between edges only)", e.name, k))
					return nil
				}
			}
			return errf(e, id, "needs a route, or from and to edges")
		}
		v.From, v.To, v.Via = from, to, strings.Fields(e.get("via"))
	}
	// The rest of the attributes.
	for _, a := range e.attrs {
		k, val := a.Name.Local, a.Value
		switch k {
		case "id", "depart", "type", "route", "from", "to", "via", "departLane", "departSpeed",
			"begin", "end", "period", "vehsPerHour", "perHour", "probability", "number":
		case "departPos":
			if x, ok := number(val); !(val == "base" || ok && x == 0) {
				rd.note(e.line, fmt.Sprintf("departPos=%q: vehicles enter at the start of their first edge", val))
			}
		case "arrivalPos":
			if val != "max" {
				rd.note(e.line, fmt.Sprintf("arrivalPos=%q: vehicles leave at the end of their last edge", val))
			}
		case "arrivalLane", "arrivalSpeed", "departPosLat", "arrivalPosLat", "departEdge", "arrivalEdge", "speedFactor":
			if val != "current" {
				rd.note(e.line, fmt.Sprintf("%s: not modelled", k))
			}
		default:
			if !cosmetic[k] {
				rd.note(e.line, fmt.Sprintf("<%s> attribute %s: not modelled", e.name, k))
			}
		}
	}
	typ := e.get("type")
	if typ == "" {
		typ = DefaultVTypeID
	}
	if _, ok := rd.types[typ]; !ok && rd.typeDists[typ] == nil && typ != DefaultVTypeID {
		return errf(e, id, "vehicle type %q is not defined (types must come before the vehicles that use them)", typ)
	}
	one := func(vid string, depart float64) error {
		if len(rd.f.Vehicles) >= MaxVehicles {
			return errf(e, id, "more than %d departures in one file", MaxVehicles)
		}
		w := v
		w.ID, w.Depart = vid, depart
		w.Type = typ
		if c := rd.typeDists[typ]; c != nil {
			w.Type = c.draw(rd.rng)
		} else if typ == DefaultVTypeID {
			if _, ok := rd.types[typ]; !ok {
				rd.usesDefault = true
			}
		}
		switch {
		case edges != nil:
			w.Edges = edges
		case routeKey != "":
			key := routeKey
			if c := rd.routeDists[key]; c != nil {
				key = c.draw(rd.rng)
			}
			w.Edges = rd.routes[key]
		}
		rd.f.Vehicles = append(rd.f.Vehicles, w)
		return nil
	}
	if e.name != "flow" {
		dep := e.get("depart")
		t, ok := timeValue(dep)
		if !ok {
			switch dep {
			case "triggered", "containerTriggered", "now", "split", "begin":
				rd.note(e.line, fmt.Sprintf("depart=%q: skipped", dep))
				return nil
			}
			return errf(e, id, "depart %q is not a time in seconds", dep)
		}
		return one(id, t)
	}
	times, err := rd.flowTimes(e, id)
	if err != nil {
		return err
	}
	for k, t := range times {
		if err := one(fmt.Sprintf("%s.%d", id, k), t); err != nil {
			return err
		}
	}
	return nil
}

// flowTimes returns the departure times of a flow, as SUMO spaces them:
// every period (or 3600/vehsPerHour) s from begin while before end, or
// number of them equally spaced over [begin, end), or one per second with
// the given probability, or exponential gaps for period="exp(rate)"; at
// most number in any case. end defaults to 24 h.
func (rd *reader) flowTimes(e *elem, id string) ([]float64, error) {
	begin, end := 0.0, 86400.0
	if s, ok := e.attr("begin"); ok {
		if begin, ok = timeValue(s); !ok {
			return nil, errf(e, id, "begin %q is not a time in seconds", s)
		}
	}
	_, hasEnd := e.attr("end")
	if s, ok := e.attr("end"); ok {
		if end, ok = timeValue(s); !ok {
			return nil, errf(e, id, "end %q is not a time in seconds", s)
		}
	}
	number := -1
	if s, ok := e.attr("number"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > MaxVehicles {
			return nil, errf(e, id, "number %q is not a count in [0, %d]", s, MaxVehicles)
		}
		number = n
	}
	var kinds []string
	for _, k := range []string{"period", "vehsPerHour", "perHour", "probability"} {
		if _, ok := e.attr(k); ok {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) > 1 {
		return nil, errf(e, id, "sets %s; give only one", strings.Join(kinds, " and "))
	}
	if len(kinds) == 0 && number < 0 {
		return nil, errf(e, id, "needs period, vehsPerHour, probability or number")
	}
	if !hasEnd && number >= 0 && len(kinds) > 0 {
		end = MaxTime // the number ends the flow
	}
	if end < begin {
		return nil, errf(e, id, "end %g s is before begin %g s", end, begin)
	}
	var out []float64
	limit := MaxVehicles
	if number >= 0 {
		limit = number
	}
	add := func(t float64) bool {
		if len(out) >= limit {
			return false
		}
		out = append(out, t)
		return true
	}
	if len(kinds) == 0 {
		if !hasEnd {
			return nil, errf(e, id, "number without period, vehsPerHour or probability needs an end")
		}
		for k := 0; k < number; k++ {
			add(begin + float64(k)*(end-begin)/float64(number))
		}
		return out, nil
	}
	s := e.get(kinds[0])
	if kinds[0] == "probability" {
		p, ok := numberIn(s, 0, 1)
		if !ok {
			return nil, errf(e, id, "probability %q is not in [0, 1]", s)
		}
		for t := begin; t < end && len(out) < limit; t++ {
			if rd.rng.Float64() < p {
				add(t)
			}
		}
		return out, nil
	}
	if kinds[0] == "period" && strings.HasPrefix(strings.TrimSpace(s), "exp(") {
		rate, ok := numberIn(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "exp("), ")"), 0, 1e4)
		if !ok || rate == 0 {
			return nil, errf(e, id, "period %q: want exp(rate) with a rate in (0, 10⁴] per second", s)
		}
		for t := begin + detmath.ExpFloat64(rd.rng)/rate; t < end && add(t); t += detmath.ExpFloat64(rd.rng) / rate {
		}
		return out, nil
	}
	var period float64
	switch kinds[0] {
	case "period":
		p, ok := numberIn(s, 0, MaxTime)
		if !ok || p == 0 {
			return nil, errf(e, id, "period %q is not a positive time in seconds", s)
		}
		period = p
	default:
		v, ok := numberIn(s, 0, 1e6)
		if !ok {
			return nil, errf(e, id, "%s %q is not a rate in [0, 10⁶] per hour", kinds[0], s)
		}
		if v == 0 {
			return nil, nil
		}
		period = 3600 / v
	}
	if float64(limit) > (end-begin)/period+1 {
		limit = int((end-begin)/period) + 1
	}
	if (end-begin)/period > MaxVehicles && number < 0 {
		return nil, errf(e, id, "would depart more than %d vehicles", MaxVehicles)
	}
	for k := 0; ; k++ {
		t := begin + float64(float64(k)*period)
		if t >= end || !add(t) {
			break
		}
	}
	return out, nil
}

func numberIn(s string, lo, hi float64) (float64, bool) {
	v, ok := number(s)
	return v, ok && v >= lo && v <= hi
}
