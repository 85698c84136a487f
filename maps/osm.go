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

// ParseMaxSpeed reads an OSM maxspeed value ("50", "30 mph", "50 km/h",
// "10 knots", "walk", "DE:urban") and returns m/s.
func ParseMaxSpeed(s string) (float64, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	switch {
	case s == "":
		return 0, fmt.Errorf("empty maxspeed")
	case s == "walk":
		return kmh(7), nil
	case s == "none":
		return kmh(130), nil
	case strings.HasSuffix(s, ":urban"):
		return kmh(50), nil
	case strings.HasSuffix(s, ":rural"):
		return kmh(90), nil
	case strings.HasSuffix(s, ":living_street"):
		return kmh(20), nil
	case strings.HasSuffix(s, ":motorway"):
		return kmh(120), nil
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
