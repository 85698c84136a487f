package sumoroutes

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/internal/xmlfile"
)

// VType is a vehicle type (SUMO's vType) with SUMO's passenger-car
// defaults for what the file leaves unset. Units are SI: m, s, m/s, m/s².
type VType struct {
	ID   string
	Line int // where it is defined; 0 for SUMO's built-in default type
	// Model is SUMO's carFollowModel ("Krauss" when unset).
	Model          string
	Accel          float64 // 2.6
	Decel          float64 // 4.5
	EmergencyDecel float64 // 9, or decel when that is larger
	Sigma          float64 // 0.5, Krauss's driver imperfection
	Tau            float64 // 1 s, the driver's desired time headway
	Delta          float64 // 4, IDM's acceleration exponent
	Length         float64 // 5
	MinGap         float64 // 2.5
	MaxSpeed       float64 // 55.55 (200 km/h)
	// SpeedFactor is the distribution of the factor on the speed limit
	// drawn per vehicle: normc(1, 0.1, 0.2, 2) unless set.
	SpeedFactor Dist
	VClass      string // "passenger" unless set
}

// Dist is a normal distribution truncated to [Min, Max] (SUMO's normc).
type Dist struct{ Mean, Dev, Min, Max float64 }

// DefaultVTypeID is the id of SUMO's default vehicle type, used by
// vehicles that name none.
const DefaultVTypeID = "DEFAULT_VEHTYPE"

// DefaultVType returns SUMO's default vehicle type: a passenger car driven
// by the Krauss model.
func DefaultVType() VType {
	return VType{ID: DefaultVTypeID, Model: "Krauss", Accel: 2.6, Decel: 4.5, EmergencyDecel: 9, Sigma: 0.5, Tau: 1, Delta: 4,
		Length: 5, MinGap: 2.5, MaxSpeed: 55.55, SpeedFactor: Dist{Mean: 1, Dev: 0.1, Min: 0.2, Max: 2}, VClass: "passenger"}
}

// Vehicle is one departure: a vehicle, a trip, or one vehicle of a flow.
type Vehicle struct {
	ID     string
	Line   int     // line of the element it comes from
	Depart float64 // s
	Type   string  // a VType id (distributions are drawn)
	// Edges is the route, as SUMO edge ids; nil for a trip, which names
	// only From, To and the Via edges it must pass.
	Edges    []string
	From, To string
	Via      []string
	// DepartLane and DepartSpeed are the attributes as written ("" when
	// unset: SUMO's defaults are "first" and 0).
	DepartLane, DepartSpeed string
}

// Unsupported is one kind of content that CityTwin does not model.
type Unsupported struct {
	What  string // e.g. `<person> elements: skipped`
	Count int
	Line  int // first occurrence
}

// File is a parsed demand file.
type File struct {
	// VTypes lists the vehicle types the vehicles use, in file order,
	// SUMO's default type last when some vehicle uses it.
	VTypes   []VType
	Vehicles []Vehicle
	// Unsupported lists what was skipped or approximated, in order of
	// first occurrence.
	Unsupported []Unsupported
}

// MaxVehicles bounds the departures one file may create (flows included).
const MaxVehicles = 2_000_000

// MaxTime bounds every time in a file (s): one year.
const MaxTime = 366 * 86400.0

// Read parses a demand file (plain or gzip-compressed XML whose root is
// <routes> or <additional>); name labels errors. The seed drives the draws
// of probability flows, exponential periods and distributions. Errors
// name the line and the element.
func Read(r io.Reader, name string, seed uint64) (*File, error) {
	return NewReader(seed).Read(r, name)
}

// A Reader reads several files into one namespace, as SUMO loads its
// route files: the types and routes of a file are known in the files read
// after it, and vehicle ids are unique across all of them.
type Reader struct {
	// MaxBytes bounds what a gzip-compressed file may decompress to
	// (0: xmlfile.MaxBytes); beyond it Read fails naming the file.
	MaxBytes int64
	rd       *reader
}

// NewReader returns a Reader whose draws come from seed.
func NewReader(seed uint64) *Reader {
	return &Reader{rd: &reader{types: map[string]string{}, typeDists: map[string]*choice{}, routes: map[string][]string{},
		routeDists: map[string]*choice{}, ids: map[string]string{}, rng: rand.New(rand.NewPCG(seed, 0x5e0de5))}}
}

// Read parses the next file (see the package Read). The File holds the
// vehicle types this file defines (and SUMO's default type, the first
// time a vehicle needs it) and this file's departures.
func (rr *Reader) Read(r io.Reader, name string) (*File, error) {
	rd := rr.rd
	rd.f, rd.unsup, rd.name, rd.usesDefault = &File{}, map[string]int{}, name, false
	in, err := xmlfile.Reader(r, name, rr.MaxBytes)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(in)
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlfile.Error(d, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		line, _ := d.InputPos()
		if !root {
			if se.Name.Local != "routes" && se.Name.Local != "additional" {
				return nil, fmt.Errorf("line %d: root element <%s>, want <routes> or <additional>: not a SUMO route file", line, se.Name.Local)
			}
			root = true
			continue
		}
		e, err := readElem(d, se, line, 0)
		if err != nil {
			return nil, err
		}
		if err := rd.top(e); err != nil {
			return nil, err
		}
	}
	if !root {
		return nil, fmt.Errorf("no <routes> element: not a SUMO route file")
	}
	if rd.usesDefault {
		rd.types[DefaultVTypeID] = "SUMO"
		rd.f.VTypes = append(rd.f.VTypes, DefaultVType())
	}
	return rd.f, nil
}

// elem is an XML element with its attributes and children.
type elem struct {
	name  string
	attrs []xml.Attr
	line  int
	kids  []*elem
}

func (e *elem) attr(k string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Local == k {
			return a.Value, true
		}
	}
	return "", false
}

func (e *elem) get(k string) string { v, _ := e.attr(k); return v }

// maxDepth bounds element nesting.
const maxDepth = 8

func readElem(d *xml.Decoder, se xml.StartElement, line, depth int) (*elem, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("line %d: <%s> nested more than %d deep", line, se.Name.Local, maxDepth)
	}
	e := &elem{name: se.Name.Local, attrs: se.Attr, line: line}
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return nil, fmt.Errorf("line %d: <%s> is not closed", line, e.name)
			}
			return nil, xmlfile.Error(d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			l, _ := d.InputPos()
			k, err := readElem(d, t, l, depth+1)
			if err != nil {
				return nil, err
			}
			e.kids = append(e.kids, k)
		case xml.EndElement:
			return e, nil
		}
	}
}

// choice is a vehicle-type or route distribution.
type choice struct {
	ids     []string // type ids, or route keys into reader.routes
	weights []float64
}

func (c *choice) draw(rng *rand.Rand) string {
	total := 0.0
	for _, w := range c.weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range c.weights {
		if x < w {
			return c.ids[i]
		}
		x -= w
	}
	return c.ids[len(c.ids)-1]
}

type reader struct {
	f           *File
	name        string            // the file being read
	types       map[string]string // id -> where it is defined
	typeDists   map[string]*choice
	routes      map[string][]string
	routeDists  map[string]*choice
	unsup       map[string]int    // what -> index into f.Unsupported
	ids         map[string]string // vehicle id -> where it is defined
	rng         *rand.Rand
	usesDefault bool
	anon        int // inline routes of distributions
}

// note records one occurrence of something not modelled.
func (rd *reader) note(line int, what string) {
	if i, ok := rd.unsup[what]; ok {
		rd.f.Unsupported[i].Count++
		return
	}
	rd.unsup[what] = len(rd.f.Unsupported)
	rd.f.Unsupported = append(rd.f.Unsupported, Unsupported{What: what, Count: 1, Line: line})
}

func errf(e *elem, id string, format string, args ...any) error {
	where := fmt.Sprintf("line %d: <%s>", e.line, e.name)
	if id != "" {
		where += fmt.Sprintf(" %q", id)
	}
	return fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...))
}

func (rd *reader) top(e *elem) error {
	switch e.name {
	case "vType":
		_, err := rd.vType(e)
		return err
	case "vTypeDistribution":
		return rd.vTypeDist(e)
	case "route":
		id := e.get("id")
		if id == "" {
			return errf(e, "", "a route outside a vehicle needs an id")
		}
		edges, err := rd.route(e)
		if err != nil {
			return err
		}
		return rd.addRoute(e, id, edges)
	case "routeDistribution":
		_, err := rd.routeDist(e)
		return err
	case "vehicle", "trip", "flow":
		return rd.departures(e)
	case "interval":
		for _, k := range e.kids {
			if err := rd.top(k); err != nil {
				return err
			}
		}
		return nil
	case "param":
		return nil
	case "person", "personFlow", "container", "containerFlow":
		rd.note(e.line, fmt.Sprintf("<%s> elements: skipped (CityTwin simulates vehicles only)", e.name))
		return nil
	}
	rd.note(e.line, fmt.Sprintf("<%s> elements: skipped", e.name))
	return nil
}

// Attributes that change only how SUMO shows, names or bills vehicles.
var cosmetic = map[string]bool{"color": true, "guiShape": true, "imgFile": true, "osgFile": true, "width": true, "height": true,
	"emissionClass": true, "personCapacity": true, "containerCapacity": true, "boardingDuration": true, "loadingDuration": true,
	"mass": true, "manoeuverAngleTimes": true, "maneuverAngleTimes": true, "xmlns:xsi": true, "noNamespaceSchemaLocation": true,
	"line": true, "insertionChecks": true, "reroute": true}

func number(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// timeValue reads a SUMO time: seconds, or h:m:s, or d:h:m:s.
func timeValue(s string) (float64, bool) {
	if v, ok := number(s); ok {
		return v, v >= 0 && v <= MaxTime
	}
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 3 || len(parts) > 4 {
		return 0, false
	}
	mult := []float64{86400, 3600, 60, 1}[4-len(parts):]
	t := 0.0
	for i, p := range parts {
		v, ok := number(p)
		if !ok || v < 0 {
			return 0, false
		}
		t += float64(v * mult[i])
	}
	return t, t <= MaxTime
}

// route reads a route's edges.
func (rd *reader) route(e *elem) ([]string, error) {
	edges := strings.Fields(e.get("edges"))
	if len(edges) == 0 {
		return nil, errf(e, e.get("id"), "no edges")
	}
	for _, a := range e.attrs {
		switch k := a.Name.Local; {
		case k == "id" || k == "edges" || k == "probability" || cosmetic[k]:
		case k == "repeat" || k == "cycleTime" || k == "period":
			rd.note(e.line, fmt.Sprintf("route attribute %s: not modelled (the route is driven once)", k))
		default:
			rd.note(e.line, fmt.Sprintf("route attribute %s: not modelled", k))
		}
	}
	for _, k := range e.kids {
		switch k.name {
		case "param":
		case "stop":
			rd.note(k.line, "<stop> elements: skipped (vehicles drive through)")
		default:
			rd.note(k.line, fmt.Sprintf("<%s> inside <route>: skipped", k.name))
		}
	}
	return edges, nil
}

func (rd *reader) addRoute(e *elem, id string, edges []string) error {
	if _, dup := rd.routes[id]; dup {
		return errf(e, id, "route defined twice")
	}
	if _, dup := rd.routeDists[id]; dup {
		return errf(e, id, "a route distribution has this id")
	}
	rd.routes[id] = edges
	return nil
}

// routeDist reads a routeDistribution (top-level or inside a vehicle) and
// returns its key in routeDists.
func (rd *reader) routeDist(e *elem) (string, error) {
	id := e.get("id")
	inline := id == ""
	if inline {
		rd.anon++
		id = fmt.Sprintf("\x00dist%d", rd.anon)
	} else if _, dup := rd.routeDists[id]; dup {
		return "", errf(e, id, "defined twice")
	}
	c := &choice{}
	add := func(k *elem, rid string) error {
		w := 1.0
		if p, ok := k.attr("probability"); ok {
			if w, ok = number(p); !ok || w < 0 {
				return errf(k, rid, "probability %q is not a non-negative number", p)
			}
		}
		c.ids, c.weights = append(c.ids, rid), append(c.weights, w)
		return nil
	}
	for _, k := range e.kids {
		if k.name != "route" {
			if k.name != "param" {
				rd.note(k.line, fmt.Sprintf("<%s> inside <routeDistribution>: skipped", k.name))
			}
			continue
		}
		rid := k.get("id")
		if _, ok := k.attr("edges"); !ok && rid != "" {
			// A reference to a route defined before.
			if _, ok := rd.routes[rid]; !ok {
				return "", errf(k, rid, "route is not defined")
			}
		} else {
			edges, err := rd.route(k)
			if err != nil {
				return "", err
			}
			if rid == "" {
				rd.anon++
				rid = fmt.Sprintf("\x00route%d", rd.anon)
			}
			if err := rd.addRoute(k, rid, edges); err != nil {
				return "", err
			}
		}
		if err := add(k, rid); err != nil {
			return "", err
		}
	}
	if list := strings.Fields(e.get("routes")); len(list) > 0 {
		probs := strings.Fields(e.get("probabilities"))
		if len(probs) > 0 && len(probs) != len(list) {
			return "", errf(e, id, "%d routes but %d probabilities", len(list), len(probs))
		}
		for i, rid := range list {
			if _, ok := rd.routes[rid]; !ok {
				return "", errf(e, id, "route %q is not defined", rid)
			}
			w := 1.0
			if len(probs) > 0 {
				var ok bool
				if w, ok = number(probs[i]); !ok || w < 0 {
					return "", errf(e, id, "probability %q is not a non-negative number", probs[i])
				}
			}
			c.ids, c.weights = append(c.ids, rid), append(c.weights, w)
		}
	}
	total := 0.0
	for _, w := range c.weights {
		total += w
	}
	if len(c.ids) == 0 || !(total > 0) {
		return "", errf(e, e.get("id"), "no route with a positive probability")
	}
	rd.routeDists[id] = c
	return id, nil
}

// Summary lists the unsupported kinds as "what (N, first at line L)".
func (f *File) Summary() []string {
	var out []string
	for _, u := range f.Unsupported {
		out = append(out, fmt.Sprintf("%s (%d, first at line %d)", u.What, u.Count, u.Line))
	}
	return out
}
