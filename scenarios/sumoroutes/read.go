package sumoroutes

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/internal/detmath"
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

// speedFactor reads a number, norm(mean,dev) or normc(mean,dev,min,max).
func speedFactor(s string, d *Dist) bool {
	s = strings.TrimSpace(s)
	if v, ok := number(s); ok {
		d.Mean = v
		return v > 0
	}
	var args []float64
	for _, pre := range []string{"normc(", "norm("} {
		if rest, ok := strings.CutPrefix(s, pre); ok && strings.HasSuffix(rest, ")") {
			for _, a := range strings.Split(strings.TrimSuffix(rest, ")"), ",") {
				v, ok := number(a)
				if !ok {
					return false
				}
				args = append(args, v)
			}
			switch {
			case pre == "norm(" && len(args) == 2:
				d.Mean, d.Dev = args[0], args[1]
			case pre == "normc(" && len(args) == 4:
				d.Mean, d.Dev, d.Min, d.Max = args[0], args[1], args[2], args[3]
			case pre == "normc(" && len(args) == 3:
				d.Mean, d.Dev, d.Min = args[0], args[1], args[2]
			default:
				return false
			}
			return d.Mean > 0 && d.Dev >= 0
		}
	}
	return false
}

// Car-following models CityTwin runs as SUMO names them.
var models = map[string]string{"": "Krauss", "Krauss": "Krauss", "IDM": "IDM"}

// vType reads a vType (also inside a distribution); it returns its id.
func (rd *reader) vType(e *elem) (string, error) {
	id := e.get("id")
	if id == "" {
		return "", errf(e, "", "no id")
	}
	if where, dup := rd.types[id]; dup {
		return "", errf(e, id, "vehicle type defined twice (first at %s)", where)
	}
	if _, dup := rd.typeDists[id]; dup {
		return "", errf(e, id, "a vehicle type distribution has this id")
	}
	t := DefaultVType()
	t.ID, t.Line = id, e.line
	emergencySet := false
	apply := func(el *elem) error {
		for _, a := range el.attrs {
			k, v := a.Name.Local, a.Value
			pos := func(dst *float64, nonneg bool) error {
				x, ok := number(v)
				if !ok || x < 0 || !nonneg && x == 0 || x > 1e4 {
					return errf(e, id, "%s %q is not a %s number", k, v, map[bool]string{true: "non-negative", false: "positive"}[nonneg])
				}
				*dst = x
				return nil
			}
			var err error
			switch k {
			case "id", "probability":
			case "accel":
				err = pos(&t.Accel, false)
			case "decel":
				err = pos(&t.Decel, false)
			case "emergencyDecel":
				err = pos(&t.EmergencyDecel, false)
				emergencySet = true
			case "apparentDecel":
			case "sigma":
				err = pos(&t.Sigma, true)
				if err == nil && t.Sigma > 1 {
					err = errf(e, id, "sigma %q is not in [0, 1]", v)
				}
			case "tau":
				err = pos(&t.Tau, false)
			case "delta":
				err = pos(&t.Delta, false)
			case "length":
				err = pos(&t.Length, false)
			case "minGap":
				err = pos(&t.MinGap, true)
			case "maxSpeed":
				err = pos(&t.MaxSpeed, false)
			case "speedDev":
				err = pos(&t.SpeedFactor.Dev, true)
			case "speedFactor":
				sf := Dist{Dev: t.SpeedFactor.Dev, Min: 0.2, Max: 2}
				if !speedFactor(v, &sf) {
					return errf(e, id, "speedFactor %q: want a number, norm(mean,dev) or normc(mean,dev,min,max)", v)
				}
				t.SpeedFactor = sf
			case "vClass":
				t.VClass = v
				if v != "passenger" && v != "private" && v != "taxi" && v != "evehicle" {
					rd.note(e.line, fmt.Sprintf("vClass=%q: passenger-car defaults and lanes", v))
				}
			case "carFollowModel":
				if _, ok := models[v]; !ok {
					rd.note(e.line, fmt.Sprintf("carFollowModel=%q: run as Krauss", v))
					v = "Krauss"
				}
				t.Model = models[v]
			default:
				switch {
				case cosmetic[k]:
				case strings.HasPrefix(k, "lc"):
					rd.note(e.line, "lane-change model parameters (lc...): CityTwin's MOBIL settings apply")
				case strings.HasPrefix(k, "jm"):
					rd.note(e.line, "junction model parameters (jm...): not modelled")
				default:
					rd.note(e.line, fmt.Sprintf("vType attribute %s: not modelled", k))
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := apply(e); err != nil {
		return "", err
	}
	for _, k := range e.kids {
		switch {
		case strings.HasPrefix(k.name, "carFollowing-"):
			m := strings.TrimPrefix(k.name, "carFollowing-")
			if _, ok := models[m]; !ok {
				rd.note(k.line, fmt.Sprintf("carFollowModel=%q: run as Krauss", m))
				m = "Krauss"
			}
			t.Model = models[m]
			if err := apply(k); err != nil {
				return "", err
			}
		case k.name == "param":
		default:
			rd.note(k.line, fmt.Sprintf("<%s> inside <vType>: skipped", k.name))
		}
	}
	if !emergencySet {
		t.EmergencyDecel = math.Max(t.EmergencyDecel, t.Decel)
	}
	if t.EmergencyDecel < t.Decel {
		return "", errf(e, id, "emergencyDecel %g is below decel %g", t.EmergencyDecel, t.Decel)
	}
	sf := &t.SpeedFactor
	if !(sf.Min > 0 && sf.Min <= sf.Mean && sf.Mean <= sf.Max) {
		return "", errf(e, id, "speedFactor mean %g must lie in its bounds [%g, %g], with a positive lower bound", sf.Mean, sf.Min, sf.Max)
	}
	rd.types[id] = fmt.Sprintf("%s line %d", rd.name, e.line)
	rd.f.VTypes = append(rd.f.VTypes, t)
	return id, nil
}

func (rd *reader) vTypeDist(e *elem) error {
	id := e.get("id")
	if id == "" {
		return errf(e, "", "no id")
	}
	if _, dup := rd.typeDists[id]; dup {
		return errf(e, id, "defined twice")
	}
	if _, dup := rd.types[id]; dup && id != DefaultVTypeID {
		return errf(e, id, "a vehicle type has this id")
	}
	c := &choice{}
	for _, k := range e.kids {
		if k.name != "vType" {
			if k.name != "param" {
				rd.note(k.line, fmt.Sprintf("<%s> inside <vTypeDistribution>: skipped", k.name))
			}
			continue
		}
		tid, err := rd.vType(k)
		if err != nil {
			return err
		}
		w := 1.0
		if p, ok := k.attr("probability"); ok {
			if w, ok = number(p); !ok || w < 0 {
				return errf(k, tid, "probability %q is not a non-negative number", p)
			}
		}
		c.ids, c.weights = append(c.ids, tid), append(c.weights, w)
	}
	if list := strings.Fields(e.get("vTypes")); len(list) > 0 {
		probs := strings.Fields(e.get("probabilities"))
		if len(probs) > 0 && len(probs) != len(list) {
			return errf(e, id, "%d vTypes but %d probabilities", len(list), len(probs))
		}
		for i, tid := range list {
			if _, ok := rd.types[tid]; !ok {
				return errf(e, id, "vehicle type %q is not defined", tid)
			}
			w := 1.0
			if len(probs) > 0 {
				var ok bool
				if w, ok = number(probs[i]); !ok || w < 0 {
					return errf(e, id, "probability %q is not a non-negative number", probs[i])
				}
			}
			c.ids, c.weights = append(c.ids, tid), append(c.weights, w)
		}
	}
	total := 0.0
	for _, w := range c.weights {
		total += w
	}
	if len(c.ids) == 0 || !(total > 0) {
		return errf(e, id, "no vehicle type with a positive probability")
	}
	rd.typeDists[id] = c
	return nil
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

// Summary lists the unsupported kinds as "what (N, first at line L)".
func (f *File) Summary() []string {
	var out []string
	for _, u := range f.Unsupported {
		out = append(out, fmt.Sprintf("%s (%d, first at line %d)", u.What, u.Count, u.Line))
	}
	return out
}
