package maps

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ClassDefaults are the values used for a highway class when the input has
// no tag (lanes per direction, speed limit and priority), modelled on
// netconvert's typemap osmNetconvert.typ.xml.
type ClassDefaults struct {
	Lanes    int     // lanes per direction
	Speed    float64 // m/s
	Priority int     // higher is major at unsignalised junctions
	OneWay   bool    // implied oneway (motorways)
}

// Classes is the documented table of drivable OSM highway classes. Features
// with any other highway value are skipped and counted in Network.Skipped.
//
//	class           lanes  km/h  priority
//	motorway          2    120     13  (oneway)
//	trunk             2     90     12
//	primary           2     65     11
//	secondary         1     60     10
//	tertiary          1     50      9
//	unclassified      1     40      5
//	residential       1     30      4
//	living_street     1     10      3
//	service           1     20      2
//	road              1     30      4
//	*_link            1     as the class, priority one less
var Classes = map[string]ClassDefaults{
	"motorway":       {2, kmh(120), 13, true},
	"motorway_link":  {1, kmh(80), 12, true},
	"trunk":          {2, kmh(90), 12, false},
	"trunk_link":     {1, kmh(60), 11, false},
	"primary":        {2, kmh(65), 11, false},
	"primary_link":   {1, kmh(50), 10, false},
	"secondary":      {1, kmh(60), 10, false},
	"secondary_link": {1, kmh(50), 9, false},
	"tertiary":       {1, kmh(50), 9, false},
	"tertiary_link":  {1, kmh(40), 8, false},
	"unclassified":   {1, kmh(40), 5, false},
	"residential":    {1, kmh(30), 4, false},
	"living_street":  {1, kmh(10), 3, false},
	"service":        {1, kmh(20), 2, false},
	"road":           {1, kmh(30), 4, false},
}

// DefaultLaneWidth is the lane width (m) when no width tag is given
// (netconvert's default).
const DefaultLaneWidth = 3.2

// MaxLanes is the largest lane count per direction accepted from a tag.
const MaxLanes = 16

func kmh(v float64) float64 { return v / 3.6 }

// CountryLimits are a country's general speed limits (km/h), used where
// a road has no maxspeed tag and for implicit values such as "FR:rural".
type CountryLimits struct {
	Urban, Rural, Motorway float64 // km/h
}

// Countries lists the general speed limits of some countries, by ISO
// 3166-1 alpha-2 code (from their traffic codes, as the OSM wiki's "Default
// speed limits" page gathers them). When the country of the data is known
// (see DetectCountry), untagged roads take the class speed of Classes
// capped by the country's limits: motorways the motorway limit, trunk
// roads the rural limit and every other class the urban limit.
//
//	GB 48/97/113 (30, 60, 70 mph)   US 40/89/105 (25, 55, 65 mph)
//	DE 50/100/130  FR 50/80/130  MC 50/50/50  JP 60/60/100  HK 50/50/110 ...
var Countries = map[string]CountryLimits{
	"AT": {50, 100, 130}, "AU": {50, 100, 110}, "BE": {50, 70, 120}, "CA": {50, 80, 100},
	"CH": {50, 80, 120}, "CN": {50, 70, 120}, "CZ": {50, 90, 130}, "DE": {50, 100, 130},
	"DK": {50, 80, 130}, "ES": {50, 90, 120}, "FI": {50, 80, 120}, "FR": {50, 80, 130},
	"GB": {mph(30), mph(60), mph(70)}, "HK": {50, 50, 110}, "IE": {50, 80, 120}, "IN": {50, 70, 120},
	"IT": {50, 90, 130}, "JP": {60, 60, 100}, "MC": {50, 50, 50}, "MY": {50, 90, 110},
	"NL": {50, 80, 100}, "NO": {50, 80, 110}, "NZ": {50, 100, 100}, "PL": {50, 90, 140},
	"PT": {50, 90, 120}, "RU": {60, 90, 110}, "SE": {50, 70, 110}, "SG": {50, 50, 90},
	"TH": {50, 80, 120}, "US": {mph(25), mph(55), mph(65)}, "ZA": {60, 100, 120},
}

func mph(v float64) float64 { return v * 1.609344 }

// classSpeed is the speed (m/s) of an untagged road of class c in country cc
// ("" when unknown): the class default capped as Countries says.
func classSpeed(c string, cc string) float64 {
	v := Classes[c].Speed
	lim, ok := Countries[cc]
	if !ok {
		return v
	}
	switch c {
	case "motorway":
		return kmh(lim.Motorway)
	case "trunk":
		return math.Min(v, kmh(lim.Rural))
	case "motorway_link", "trunk_link":
		return v
	}
	return math.Min(v, kmh(lim.Urban))
}

// ParseMaxSpeed reads an OSM maxspeed value and returns m/s: a number in
// km/h, with "mph", "knots" or "km/h" units, "walk", "none", or an implicit
// limit such as "DE:urban", "FR:rural", "GB:nsl_single", "GB:nsl_dual",
// "DE:motorway", "DE:living_street", "DE:zone30" or "DE:bicycle_road"
// (the country's limit from Countries where listed, else 50, 90 and 120
// km/h for urban, rural and motorway). Of a list "40;50" the first counts.
func ParseMaxSpeed(s string) (float64, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	lim := CountryLimits{50, 90, 120}
	if cc := countryPrefix(s); cc != "" {
		if l, ok := Countries[cc]; ok {
			lim = l
		}
		kind := s[3:]
		switch {
		case kind == "urban", kind == "nsl_restricted":
			return kmh(lim.Urban), nil
		case kind == "rural", kind == "trunk", kind == "nsl_single":
			return kmh(lim.Rural), nil
		case kind == "nsl_dual" && cc == "GB":
			return kmh(mph(70)), nil
		case kind == "nsl_dual":
			return kmh(lim.Rural), nil
		case kind == "motorway":
			return kmh(lim.Motorway), nil
		case kind == "living_street":
			return kmh(20), nil
		case kind == "bicycle_road", kind == "cyclestreet":
			return kmh(30), nil
		case strings.HasPrefix(kind, "zone"):
			v, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(kind, "zone"), ":"))
			if err == nil && v > 0 && v <= 130 {
				return kmh(float64(v)), nil
			}
		}
		return 0, fmt.Errorf("unknown implicit maxspeed %q", s)
	}
	switch s {
	case "":
		return 0, fmt.Errorf("empty maxspeed")
	case "walk":
		return kmh(7), nil
	case "none":
		return kmh(130), nil
	}
	unit := 1 / 3.6
	for _, u := range []struct {
		suffix string
		k      float64
	}{{"mph", 0.44704}, {"knots", 0.514444}, {"km/h", 1 / 3.6}, {"kmh", 1 / 3.6}, {"kph", 1 / 3.6}} {
		if strings.HasSuffix(s, u.suffix) {
			s = strings.TrimSpace(strings.TrimSuffix(s, u.suffix))
			unit = u.k
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("unparseable maxspeed %q", s)
	}
	v *= unit
	if v <= 0 || v > 80 {
		return 0, fmt.Errorf("maxspeed %q out of range", s)
	}
	return v, nil
}

// ParseTurnLanes reads an OSM turn:lanes value ("left|through;right|right")
// into one TurnSet per lane, left to right. Unknown values, "none" and
// empty lanes allow straight on.
func ParseTurnLanes(s string) []TurnSet {
	parts := strings.Split(s, "|")
	out := make([]TurnSet, len(parts))
	for i, p := range parts {
		var ts TurnSet
		for _, v := range strings.Split(p, ";") {
			switch strings.TrimSpace(v) {
			case "left", "slight_left", "sharp_left":
				ts = ts.With(Left)
			case "right", "slight_right", "sharp_right":
				ts = ts.With(Right)
			case "reverse":
				ts = ts.With(UTurn)
			case "through":
				ts = ts.With(Straight)
			}
		}
		if ts == 0 {
			ts = ts.With(Straight)
		}
		out[i] = ts
	}
	return out
}

// ParseTurnLetters reads a mosstool-style turn string such as "SL" or "ALS"
// (A around/U-turn, L left, S straight, R right).
func ParseTurnLetters(s string) (TurnSet, error) {
	var ts TurnSet
	for _, c := range strings.ToUpper(s) {
		switch c {
		case 'A', 'U':
			ts = ts.With(UTurn)
		case 'L':
			ts = ts.With(Left)
		case 'S':
			ts = ts.With(Straight)
		case 'R':
			ts = ts.With(Right)
		default:
			return 0, fmt.Errorf("turn %q: unknown letter %q", s, c)
		}
	}
	if ts == 0 {
		return 0, fmt.Errorf("empty turn")
	}
	return ts, nil
}
