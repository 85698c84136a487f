package maps

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// roadAttrs are the parsed OSM attributes of one road feature.
type roadAttrs struct {
	class string
	def   ClassDefaults
	name  string
	// speedFwd and speedBwd are the tagged speed limits (m/s) of each
	// direction; 0 means untagged (build fills in the class and country
	// default).
	speedFwd, speedBwd float64
	width              float64 // lane width
	layer              int
	lanesFwd           int
	lanesBwd           int
	oneway             int // 1 forward only, -1 backward only, 0 both
	turnsFwd           []TurnSet
	turnsBwd           []TurnSet
	roundabout         bool
}

// drivable classifies a feature: ok, or the reason it is skipped.
func drivable(f *feature) (string, bool) {
	if len(f.lines) == 0 {
		if f.geomType == "" {
			return "no geometry", false
		}
		return "geometry " + f.geomType, false
	}
	hw, ok := f.props["highway"]
	if !ok {
		_, lanes := f.props["lanes"]
		_, ms := f.props["max_speed"]
		if lanes || ms {
			return "", true
		}
		return "no highway tag", false
	}
	return drivableTags(anyString(hw), func(k string) string { return anyString(f.props[k]) })
}

// skippedServices are the highway=service kinds left out: parking aisles,
// drive-throughs and emergency accesses carry no through traffic.
var skippedServices = map[string]bool{"parking_aisle": true, "drive-through": true, "emergency_access": true}

// drivableTags decides whether a way with highway class hw and tags tag is a
// road for cars: a class of Classes, not an area, not a skipped service
// kind, and open to cars. Access follows the most specific of motorcar,
// motor_vehicle, vehicle and access that is set: the values of closedAccess
// ("no", "private", "psv"...) close the road; others ("yes", "designated",
// "permissive", "destination", "delivery", "customers") leave it open, as
// destination traffic is traffic too.
func drivableTags(hw string, tag func(string) string) (string, bool) {
	if _, ok := Classes[hw]; !ok {
		return "highway=" + hw, false
	}
	if tag("area") == "yes" {
		return "area=yes", false
	}
	if hw == "service" && skippedServices[tag("service")] {
		return "service=" + tag("service"), false
	}
	for _, k := range []string{"motorcar", "motor_vehicle", "vehicle", "access"} {
		if v := tag(k); v != "" {
			if closedAccess[v] {
				return k + "=" + v, false
			}
			break
		}
	}
	return "", true
}

// closedAccess are the access values that keep private cars out.
var closedAccess = map[string]bool{"no": true, "private": true, "agricultural": true, "forestry": true,
	"emergency": true, "bus": true, "psv": true, "permit": true}

// countryKeys are the tags whose implicit values ("DE:urban") name the
// country of the data.
var countryKeys = []string{"maxspeed", "maxspeed:type", "source:maxspeed", "zone:maxspeed", "zone:traffic",
	"maxspeed:forward", "maxspeed:backward"}

func (r *rawNet) parseAttrs(f *feature, directed bool) (roadAttrs, error) {
	a := roadAttrs{class: anyString(f.props["highway"])}
	if a.class == "" {
		a.class = "road"
	}
	a.def = Classes[a.class]
	a.name = anyString(f.props["name"])
	// Speed: maxspeed (or mosstool's max_speed in m/s), then per direction.
	for _, k := range countryKeys {
		r.noteCountry(anyString(f.props[k]))
	}
	speed := 0.0
	if v, ok := f.props["max_speed"]; ok {
		s, isNum := v.(float64)
		if !isNum || !(s > 0 && s <= 80) {
			r.warn(f.index, f.id, "max_speed %v is not a speed in (0, 80] m/s; using the %s default", v, a.class)
		} else {
			speed = s
		}
	} else if v, ok := f.props["maxspeed"]; ok {
		s, err := ParseMaxSpeed(anyString(v))
		if err != nil {
			r.warn(f.index, f.id, "%v; using the %s default", err, a.class)
		} else {
			speed = s
		}
	}
	a.speedFwd, a.speedBwd = speed, speed
	for _, d := range []struct {
		key string
		dst *float64
	}{{"maxspeed:forward", &a.speedFwd}, {"maxspeed:backward", &a.speedBwd}} {
		v, ok := f.props[d.key]
		if !ok {
			continue
		}
		if s, err := ParseMaxSpeed(anyString(v)); err != nil {
			r.warn(f.index, f.id, "%s: %v; ignored", d.key, err)
		} else {
			*d.dst = s
		}
	}
	switch anyString(f.props["junction"]) {
	case "roundabout", "circular":
		a.roundabout = true
	}
	// Layer.
	if v, ok := f.props["layer"]; ok {
		l, err := strconv.Atoi(anyString(v))
		if err != nil || l < -5 || l > 5 {
			r.warn(f.index, f.id, "layer %v is not an integer in [-5, 5]; using 0", v)
		} else {
			a.layer = l
		}
	} else if yes(f.props["bridge"]) {
		a.layer = 1
	} else if yes(f.props["tunnel"]) {
		a.layer = -1
	}
	// Oneway.
	if directed {
		a.oneway = 1
	} else {
		switch anyString(f.props["oneway"]) {
		case "yes", "true", "1":
			a.oneway = 1
		case "-1", "reverse":
			a.oneway = -1
		case "", "no", "false", "0":
			if a.def.OneWay || a.roundabout {
				a.oneway = 1
			}
		default:
			r.warn(f.index, f.id, "oneway=%v not understood; treated as two-way", f.props["oneway"])
		}
	}
	// Lanes.
	lanesOf := func(key string) (int, bool, error) {
		v, ok := f.props[key]
		if !ok {
			return 0, false, nil
		}
		s := anyString(v)
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x != math.Trunc(x) {
			r.warn(f.index, f.id, "%s=%q is not a whole number; using the default", key, s)
			return 0, false, nil
		}
		if x <= 0 {
			r.warn(f.index, f.id, "%s=%s is not positive; using the default", key, s)
			return 0, false, nil
		}
		if x > MaxLanes*2 {
			return 0, false, fmt.Errorf("%s: %s=%s is absurd (at most %d per direction)", f.name(), key, s, MaxLanes)
		}
		return int(x), true, nil
	}
	total, hasTotal, err := lanesOf("lanes")
	if err != nil {
		return a, err
	}
	fwd, hasFwd, err := lanesOf("lanes:forward")
	if err != nil {
		return a, err
	}
	bwd, hasBwd, err := lanesOf("lanes:backward")
	if err != nil {
		return a, err
	}
	switch {
	case a.oneway != 0:
		l := a.def.Lanes
		if hasTotal {
			l = total
		}
		if a.oneway == 1 {
			a.lanesFwd = l
		} else {
			a.lanesBwd = l
		}
	default:
		a.lanesFwd, a.lanesBwd = a.def.Lanes, a.def.Lanes
		if hasTotal {
			a.lanesFwd, a.lanesBwd = max(1, (total+1)/2), max(1, total/2)
		}
		if hasFwd {
			a.lanesFwd = fwd
		}
		if hasBwd {
			a.lanesBwd = bwd
		}
		if hasTotal && hasFwd && !hasBwd && total > fwd {
			a.lanesBwd = total - fwd
		}
		if hasTotal && hasBwd && !hasFwd && total > bwd {
			a.lanesFwd = total - bwd
		}
	}
	if a.lanesFwd > MaxLanes || a.lanesBwd > MaxLanes {
		return a, fmt.Errorf("%s: %d lanes in one direction is absurd (at most %d)", f.name(), max(a.lanesFwd, a.lanesBwd), MaxLanes)
	}
	// Width.
	a.width = DefaultLaneWidth
	if v, ok := f.props["lanewidth"]; ok {
		w, err := strconv.ParseFloat(anyString(v), 64)
		if err != nil || w < 1.5 || w > 8 {
			r.warn(f.index, f.id, "lanewidth %v is not a width in [1.5, 8] m; using %.1f m", v, DefaultLaneWidth)
		} else {
			a.width = w
		}
	} else if v, ok := f.props["width"]; ok {
		w, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(anyString(v)), " m"), 64)
		lanes := a.lanesFwd + a.lanesBwd
		if err != nil || lanes == 0 || w/float64(lanes) < 1.5 || w/float64(lanes) > 8 {
			r.warn(f.index, f.id, "width %v does not give lanes of 1.5–8 m; using %.1f m lanes", v, DefaultLaneWidth)
		} else {
			a.width = w / float64(lanes)
		}
	}
	// Turns.
	if v, ok := f.props["turn"]; ok {
		list, isList := v.([]any)
		var ts []TurnSet
		for _, e := range list {
			t, err := ParseTurnLetters(anyString(e))
			if err != nil {
				isList = false
				break
			}
			ts = append(ts, t)
		}
		switch {
		case !isList:
			r.warn(f.index, f.id, "turn %v is not a list of turn letters (A, L, S, R); ignored", v)
		case a.oneway == 1 && len(ts) != a.lanesFwd:
			r.warn(f.index, f.id, "turn lists %d lanes but the road has %d; ignored", len(ts), a.lanesFwd)
		default:
			a.turnsFwd = ts
		}
	}
	for _, k := range []struct {
		key   string
		dst   *[]TurnSet
		lanes int
	}{{"turn:lanes", &a.turnsFwd, a.lanesFwd}, {"turn:lanes:forward", &a.turnsFwd, a.lanesFwd}, {"turn:lanes:backward", &a.turnsBwd, a.lanesBwd}} {
		v, ok := f.props[k.key]
		if !ok {
			continue
		}
		if k.key == "turn:lanes" && a.oneway != 1 {
			continue
		}
		ts := ParseTurnLanes(anyString(v))
		if len(ts) != k.lanes {
			r.warn(f.index, f.id, "%s lists %d lanes but the direction has %d; ignored", k.key, len(ts), k.lanes)
			continue
		}
		*k.dst = ts
	}
	return a, nil
}

func yes(v any) bool {
	s := anyString(v)
	return s != "" && s != "no" && s != "false" && s != "0"
}
