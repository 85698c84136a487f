package maps

import (
	"bytes"
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
// element, its id and its line.

type sxLocation struct {
	NetOffset     string `xml:"netOffset,attr"`
	ProjParameter string `xml:"projParameter,attr"`
	line          int
}

type sxEdge struct {
	ID       string   `xml:"id,attr"`
	From     string   `xml:"from,attr"`
	To       string   `xml:"to,attr"`
	Function string   `xml:"function,attr"`
	Type     string   `xml:"type,attr"`
	Name     string   `xml:"name,attr"`
	Priority string   `xml:"priority,attr"`
	Shape    string   `xml:"shape,attr"`
	Lanes    []sxLane `xml:"lane"`
	line     int
}

type sxLane struct {
	ID       string `xml:"id,attr"`
	Index    string `xml:"index,attr"`
	Speed    string `xml:"speed,attr"`
	Length   string `xml:"length,attr"`
	Width    string `xml:"width,attr"`
	Allow    string `xml:"allow,attr"`
	Disallow string `xml:"disallow,attr"`
	Shape    string `xml:"shape,attr"`
}

type sxJunction struct {
	ID       string      `xml:"id,attr"`
	Type     string      `xml:"type,attr"`
	X        string      `xml:"x,attr"`
	Y        string      `xml:"y,attr"`
	IncLanes string      `xml:"incLanes,attr"`
	IntLanes string      `xml:"intLanes,attr"`
	Shape    string      `xml:"shape,attr"`
	Requests []sxRequest `xml:"request"`
	line     int
}

type sxRequest struct {
	Index    string `xml:"index,attr"`
	Response string `xml:"response,attr"`
	Foes     string `xml:"foes,attr"`
}

type sxConnection struct {
	From      string `xml:"from,attr"`
	To        string `xml:"to,attr"`
	FromLane  string `xml:"fromLane,attr"`
	ToLane    string `xml:"toLane,attr"`
	Via       string `xml:"via,attr"`
	TL        string `xml:"tl,attr"`
	LinkIndex string `xml:"linkIndex,attr"`
	Dir       string `xml:"dir,attr"`
	State     string `xml:"state,attr"`
	line      int
}

type sxTLLogic struct {
	ID        string    `xml:"id,attr"`
	Type      string    `xml:"type,attr"`
	ProgramID string    `xml:"programID,attr"`
	Offset    string    `xml:"offset,attr"`
	Phases    []sxPhase `xml:"phase"`
	Params    []sxParam `xml:"param"`
	line      int
}

type sxPhase struct {
	Duration string `xml:"duration,attr"`
	State    string `xml:"state,attr"`
	MinDur   string `xml:"minDur,attr"`
	MaxDur   string `xml:"maxDur,attr"`
	Next     string `xml:"next,attr"`
}

type sxParam struct {
	Key   string `xml:"key,attr"`
	Value string `xml:"value,attr"`
}

// sxNet is a parsed .net.xml file.
type sxNet struct {
	lefthand  bool
	location  *sxLocation
	edges     []sxEdge
	junctions []sxJunction
	conns     []sxConnection
	tls       []sxTLLogic
	// ignored counts the top-level elements this reader does not use, by name.
	ignored map[string]int
}

// sumoIgnored are top-level elements of a network file that describe
// nothing CityTwin simulates (edge types, roundabout markers, stop
// offsets, parameters); they are skipped without a note.
var sumoIgnored = map[string]bool{"type": true, "roundabout": true, "param": true, "neigh": true}

// parseSUMONet reads a SUMO network file (plain or gzip-compressed XML).
// Errors name the line and the element.
func parseSUMONet(r io.Reader, name string, max int64) (*sxNet, error) {
	r, err := xmlfile.Reader(r, name, max)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(r)
	out := &sxNet{ignored: map[string]int{}}
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
						out.lefthand = true
					}
				}
				depth++
				continue
			}
			var target any
			switch t.Name.Local {
			case "location":
				if out.location != nil {
					return nil, fmt.Errorf("line %d: a second <location>", line)
				}
				out.location = &sxLocation{line: line}
				target = out.location
			case "edge":
				out.edges = append(out.edges, sxEdge{line: line})
				target = &out.edges[len(out.edges)-1]
			case "junction":
				out.junctions = append(out.junctions, sxJunction{line: line})
				target = &out.junctions[len(out.junctions)-1]
			case "connection":
				out.conns = append(out.conns, sxConnection{line: line})
				target = &out.conns[len(out.conns)-1]
			case "tlLogic":
				out.tls = append(out.tls, sxTLLogic{line: line})
				target = &out.tls[len(out.tls)-1]
			default:
				if !sumoIgnored[t.Name.Local] {
					out.ignored["<"+t.Name.Local+">"]++
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

// sumoCoordLimit bounds every coordinate (m).
const sumoCoordLimit = 1e8

// parseSUMOFloat reads a number; what names the attribute in the error.
func parseSUMOFloat(s, what string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a number", what, s)
	}
	return v, nil
}

// parseSUMOInt reads a non-negative integer below limit.
func parseSUMOInt(s, what string, limit int) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 || v >= limit {
		return 0, fmt.Errorf("%s %q is not an integer in [0, %d)", what, s, limit)
	}
	return v, nil
}

// parseSUMOPoint reads "x,y" or "x,y,z" (z is dropped).
func parseSUMOPoint(s string) (orb.Point, error) {
	parts := strings.Split(s, ",")
	if len(parts) < 2 || len(parts) > 3 {
		return orb.Point{}, fmt.Errorf("position %q is not x,y", s)
	}
	x, err1 := strconv.ParseFloat(parts[0], 64)
	y, err2 := strconv.ParseFloat(parts[1], 64)
	if err1 != nil || err2 != nil || !(math.Abs(x) < sumoCoordLimit) || !(math.Abs(y) < sumoCoordLimit) {
		return orb.Point{}, fmt.Errorf("position %q is not x,y in metres", s)
	}
	return orb.Point{x, y}, nil
}

// parseSUMOShape reads a shape: positions separated by spaces.
func parseSUMOShape(s, what string) (orb.LineString, error) {
	f := strings.Fields(s)
	ls := make(orb.LineString, 0, len(f))
	for _, p := range f {
		pt, err := parseSUMOPoint(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		ls = append(ls, pt)
	}
	return ls, nil
}

// bitString reads one of SUMO's request bit strings: its last character
// is link 0. It returns the set indices.
func bitString(s string) ([]int, bool) {
	var out []int
	n := len(s)
	for i := 0; i < n; i++ {
		switch s[n-1-i] {
		case '1':
			out = append(out, i)
		case '0':
		default:
			return nil, false
		}
	}
	return out, true
}

// IsSUMONet reports whether data looks like a SUMO network: gzip-compressed
// data, or XML whose first element is <net>.
func IsSUMONet(data []byte) bool {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		return true
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	for i := 0; i < 64; i++ {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "net"
		}
	}
	return false
}
