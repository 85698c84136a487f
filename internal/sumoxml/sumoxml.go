// Package sumoxml reads the elements of a SUMO network file (.net.xml)
// that CityTwin uses, for the network reader (maps.ReadSUMO) and the TraCI
// server's view of the file (twin/traci).
package sumoxml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/internal/xmlfile"
	"github.com/paulmach/orb"
)

// The elements of a SUMO .net.xml file this reader uses, as described in
// SUMO's net_file.xsd and its documentation ("SUMO Road Networks"). Every
// attribute is kept as text and parsed later, so that an error can name the
// element, its id and its line (Line).

// Location is <location>: the offset and projection of the network's coordinates.
type Location struct {
	NetOffset     string `xml:"netOffset,attr"`
	ProjParameter string `xml:"projParameter,attr"`
	Line          int    `xml:"-"` // the element's line in the file
}

// Edge is <edge>: a road (function "" or "normal"), or an internal edge through a junction.
type Edge struct {
	ID       string `xml:"id,attr"`
	From     string `xml:"from,attr"`
	To       string `xml:"to,attr"`
	Function string `xml:"function,attr"`
	Type     string `xml:"type,attr"`
	Name     string `xml:"name,attr"`
	Priority string `xml:"priority,attr"`
	Shape    string `xml:"shape,attr"`
	Lanes    []Lane `xml:"lane"`
	Line     int    `xml:"-"`
}

// Lane is <lane> of an edge.
type Lane struct {
	ID       string `xml:"id,attr"`
	Index    string `xml:"index,attr"`
	Speed    string `xml:"speed,attr"`
	Length   string `xml:"length,attr"`
	Width    string `xml:"width,attr"`
	Allow    string `xml:"allow,attr"`
	Disallow string `xml:"disallow,attr"`
	Shape    string `xml:"shape,attr"`
}

// Junction is <junction>, with its right-of-way table (<request>s).
type Junction struct {
	ID       string    `xml:"id,attr"`
	Type     string    `xml:"type,attr"`
	X        string    `xml:"x,attr"`
	Y        string    `xml:"y,attr"`
	IncLanes string    `xml:"incLanes,attr"`
	IntLanes string    `xml:"intLanes,attr"`
	Shape    string    `xml:"shape,attr"`
	Requests []Request `xml:"request"`
	Line     int       `xml:"-"`
}

// Request is <request>: the foes of link Index and those it yields to (bit strings, link 0 last).
type Request struct {
	Index    string `xml:"index,attr"`
	Response string `xml:"response,attr"`
	Foes     string `xml:"foes,attr"`
}

// Connection is <connection>: a lane-to-lane link, signalled by TL at LinkIndex.
type Connection struct {
	From      string `xml:"from,attr"`
	To        string `xml:"to,attr"`
	FromLane  string `xml:"fromLane,attr"`
	ToLane    string `xml:"toLane,attr"`
	Via       string `xml:"via,attr"`
	TL        string `xml:"tl,attr"`
	LinkIndex string `xml:"linkIndex,attr"`
	Dir       string `xml:"dir,attr"`
	State     string `xml:"state,attr"`
	Line      int    `xml:"-"`
}

// TLLogic is <tlLogic>: a traffic-light program.
type TLLogic struct {
	ID        string  `xml:"id,attr"`
	Type      string  `xml:"type,attr"`
	ProgramID string  `xml:"programID,attr"`
	Offset    string  `xml:"offset,attr"`
	Phases    []Phase `xml:"phase"`
	Params    []Param `xml:"param"`
	Line      int     `xml:"-"`
}

// Phase is <phase> of a program; durations in seconds.
type Phase struct {
	Duration string `xml:"duration,attr"`
	State    string `xml:"state,attr"`
	MinDur   string `xml:"minDur,attr"`
	MaxDur   string `xml:"maxDur,attr"`
	Next     string `xml:"next,attr"`
	Name     string `xml:"name,attr"`
}

// Param is <param> of a program (e.g. the actuation's max-gap).
type Param struct {
	Key   string `xml:"key,attr"`
	Value string `xml:"value,attr"`
}

// Net is a parsed .net.xml file.
type Net struct {
	LeftHand  bool // <net lefthand="true">
	Location  *Location
	Edges     []Edge
	Junctions []Junction
	Conns     []Connection
	TLs       []TLLogic
	// Ignored counts the top-level elements this reader does not keep,
	// by name ("<name>"), but for those of Ignorable.
	Ignored map[string]int
}

// Ignorable are the top-level elements of a network file that describe
// nothing CityTwin simulates (edge types, roundabout markers, stop
// offsets, parameters); Parse skips them without counting them in Net.Ignored.
var Ignorable = map[string]bool{"type": true, "roundabout": true, "param": true, "neigh": true}

// Parse reads a SUMO network file (plain or gzip-compressed XML; the
// decompressed size bounded by max, 0: xmlfile.MaxBytes). Errors name the
// line and the element.
func Parse(r io.Reader, name string, max int64) (*Net, error) {
	r, err := xmlfile.Reader(r, name, max)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(r)
	out := &Net{Ignored: map[string]int{}}
	depth := 0
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlfile.Error(d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := d.InputPos()
			if depth == 0 {
				if t.Name.Local != "net" {
					return nil, fmt.Errorf("line %d: root element <%s>, want <net>: not a SUMO network file", line, t.Name.Local)
				}
				root = true
				for _, a := range t.Attr {
					if a.Name.Local == "lefthand" && (a.Value == "true" || a.Value == "1") {
						out.LeftHand = true
					}
				}
				depth++
				continue
			}
			var target any
			switch t.Name.Local {
			case "location":
				if out.Location != nil {
					return nil, fmt.Errorf("line %d: a second <location>", line)
				}
				out.Location = &Location{Line: line}
				target = out.Location
			case "edge":
				out.Edges = append(out.Edges, Edge{Line: line})
				target = &out.Edges[len(out.Edges)-1]
			case "junction":
				out.Junctions = append(out.Junctions, Junction{Line: line})
				target = &out.Junctions[len(out.Junctions)-1]
			case "connection":
				out.Conns = append(out.Conns, Connection{Line: line})
				target = &out.Conns[len(out.Conns)-1]
			case "tlLogic":
				out.TLs = append(out.TLs, TLLogic{Line: line})
				target = &out.TLs[len(out.TLs)-1]
			default:
				if !Ignorable[t.Name.Local] {
					out.Ignored["<"+t.Name.Local+">"]++
				}
				if err := d.Skip(); err != nil {
					return nil, xmlfile.Error(d, err)
				}
				continue
			}
			if err := d.DecodeElement(target, &t); err != nil {
				return nil, fmt.Errorf("line %d: <%s>: %w", line, t.Name.Local, unwrapXML(err))
			}
		case xml.EndElement:
			depth--
		}
	}
	if !root {
		return nil, fmt.Errorf("no <net> element: not a SUMO network file")
	}
	return out, nil
}

func unwrapXML(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed XML at line %d: %s", se.Line, se.Msg)
	}
	return err
}

// CoordLimit bounds every coordinate (m).
const CoordLimit = 1e8

// ParsePoint reads "x,y" or "x,y,z" (z is dropped).
func ParsePoint(s string) (orb.Point, error) {
	parts := strings.Split(s, ",")
	if len(parts) < 2 || len(parts) > 3 {
		return orb.Point{}, fmt.Errorf("position %q is not x,y", s)
	}
	x, err1 := strconv.ParseFloat(parts[0], 64)
	y, err2 := strconv.ParseFloat(parts[1], 64)
	if err1 != nil || err2 != nil || !(math.Abs(x) < CoordLimit) || !(math.Abs(y) < CoordLimit) {
		return orb.Point{}, fmt.Errorf("position %q is not x,y in metres", s)
	}
	return orb.Point{x, y}, nil
}

// ParseShape reads a shape: positions separated by spaces.
func ParseShape(s, what string) (orb.LineString, error) {
	f := strings.Fields(s)
	ls := make(orb.LineString, 0, len(f))
	for _, p := range f {
		pt, err := ParsePoint(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		ls = append(ls, pt)
	}
	return ls, nil
}
