package maps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/internal/detmath"
	"github.com/paulmach/orb"
)

// LoadGeoJSON reads a GeoJSON FeatureCollection of roads and builds a
// Network. Errors name the file, the feature (index and id) and the problem.
func LoadGeoJSON(path string, opt Options) (*Network, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("maps: %w", err)
	}
	n, err := ReadGeoJSON(data, filepath.Base(path), opt)
	if err != nil {
		return nil, fmt.Errorf("maps: %s: %w", path, err)
	}
	return n, nil
}

// ReadGeoJSON builds a Network from GeoJSON bytes; name is used in
// messages and as Network.Source.
//
// Road features are LineString or MultiLineString features with OSM-style
// properties (highway, lanes, lanes:forward, lanes:backward, oneway,
// maxspeed or max_speed, name, turn:lanes or turn, width or lanewidth,
// layer, bridge, tunnel). Junctions come from Point/MultiPoint features
// with in_ways/out_ways (mosstool's format, whose roads are directed), else
// from shared end points and interior vertices of the lines. Points tagged
// highway=traffic_signals mark signalised junctions. A file written by
// WriteGeoJSON is read back exactly.
func ReadGeoJSON(data []byte, name string, opt Options) (*Network, error) {
	var top struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
		CRS      *struct {
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"crs"`
		CityTwin json.RawMessage `json:"citytwin"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("not a GeoJSON document: %w", err)
	}
	if top.Type != "FeatureCollection" {
		return nil, fmt.Errorf("top-level type is %q, want \"FeatureCollection\"", top.Type)
	}
	if len(top.CityTwin) > 0 {
		return readExport(top.CityTwin, top.Features, name)
	}
	if len(top.Features) == 0 {
		return nil, fmt.Errorf("the feature collection is empty")
	}
	if top.CRS != nil {
		crs := strings.ToUpper(top.CRS.Properties.Name)
		switch {
		case strings.Contains(crs, "CRS84"), strings.HasSuffix(crs, ":4326"):
		case strings.HasSuffix(crs, ":3857"), strings.Contains(crs, "EPSG::326"), strings.Contains(crs, "EPSG::327"),
			strings.Contains(crs, "EPSG:326"), strings.Contains(crs, "EPSG:327"), crs == strings.ToUpper(LocalCRS):
			opt.Planar = true
		default:
			return nil, fmt.Errorf("unsupported crs %q: use CRS84/EPSG:4326 lon/lat, or a projected crs in metres (EPSG:3857, UTM, %s)", top.CRS.Properties.Name, LocalCRS)
		}
	}
	feats := make([]feature, len(top.Features))
	for i, raw := range top.Features {
		f, err := decodeFeature(raw)
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", i, err)
		}
		f.index = i
		feats[i] = f
	}
	if err := checkCoords(feats, opt.Planar); err != nil {
		return nil, err
	}
	raw := &rawNet{source: name, skipped: map[string]int{}}
	if !opt.Planar {
		raw.origin = project2local(feats)
	}
	junctions := false
	for i := range feats {
		if _, ok := feats[i].props["in_ways"]; ok {
			junctions = true
		}
		if _, ok := feats[i].props["out_ways"]; ok {
			junctions = true
		}
	}
	var err error
	if junctions {
		err = directedRoads(raw, feats)
	} else {
		err = osmRoads(raw, feats)
	}
	if err != nil {
		return nil, err
	}
	return build(raw, opt)
}

// LocalCRS is the crs name written by WriteGeoJSON for planar metres.
const LocalCRS = "urn:citytwin:crs:local-metres"

type feature struct {
	index    int
	id       string
	props    map[string]any
	geomType string
	lines    []orb.LineString // LineString, MultiLineString
	points   []orb.Point      // Point, MultiPoint
}

func (f *feature) name() string {
	if f.index < 0 {
		return f.id // an OSM element: "way 123"
	}
	if f.id != "" {
		return fmt.Sprintf("feature %d (id %s)", f.index, f.id)
	}
	return fmt.Sprintf("feature %d", f.index)
}

func decodeFeature(raw json.RawMessage) (feature, error) {
	var fj struct {
		Type       string          `json:"type"`
		ID         json.RawMessage `json:"id"`
		Properties map[string]any  `json:"properties"`
		Geometry   *struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &fj); err != nil {
		return feature{}, fmt.Errorf("not a GeoJSON feature: %w", err)
	}
	f := feature{props: fj.Properties}
	if f.props == nil {
		f.props = map[string]any{}
	}
	f.id = idString(fj.ID)
	if f.id == "" {
		for _, k := range []string{"id", "@id", "osm_id"} {
			if v, ok := f.props[k]; ok {
				f.id = anyString(v)
				break
			}
		}
	}
	if fj.Type != "Feature" {
		if f.id != "" {
			return f, fmt.Errorf("(id %s) type is %q, want \"Feature\"", f.id, fj.Type)
		}
		return f, fmt.Errorf("type is %q, want \"Feature\"", fj.Type)
	}
	if fj.Geometry == nil {
		return f, nil
	}
	f.geomType = fj.Geometry.Type
	bad := func(err error) (feature, error) {
		what := f.geomType + " coordinates: "
		if !knownGeometry[f.geomType] {
			what = ""
		}
		if f.id != "" {
			return f, fmt.Errorf("(id %s) %s%w", f.id, what, err)
		}
		return f, fmt.Errorf("%s%w", what, err)
	}
	switch f.geomType {
	case "LineString":
		var c [][]float64
		if err := json.Unmarshal(fj.Geometry.Coordinates, &c); err != nil {
			return bad(err)
		}
		ls, err := toLine(c)
		if err != nil {
			return bad(err)
		}
		f.lines = []orb.LineString{ls}
	case "MultiLineString":
		var c [][][]float64
		if err := json.Unmarshal(fj.Geometry.Coordinates, &c); err != nil {
			return bad(err)
		}
		for i, part := range c {
			ls, err := toLine(part)
			if err != nil {
				return bad(fmt.Errorf("part %d: %w", i, err))
			}
			f.lines = append(f.lines, ls)
		}
	case "Point":
		var c []float64
		if err := json.Unmarshal(fj.Geometry.Coordinates, &c); err != nil {
			return bad(err)
		}
		p, err := toPoint(c)
		if err != nil {
			return bad(err)
		}
		f.points = []orb.Point{p}
	case "MultiPoint":
		var c [][]float64
		if err := json.Unmarshal(fj.Geometry.Coordinates, &c); err != nil {
			return bad(err)
		}
		for _, pc := range c {
			p, err := toPoint(pc)
			if err != nil {
				return bad(err)
			}
			f.points = append(f.points, p)
		}
		if len(f.points) == 0 {
			return bad(fmt.Errorf("no points"))
		}
	case "Polygon", "MultiPolygon", "GeometryCollection":
		// Not roads; counted as skipped.
	default:
		return bad(fmt.Errorf("unknown geometry type %q", f.geomType))
	}
	return f, nil
}

var knownGeometry = map[string]bool{"LineString": true, "MultiLineString": true, "Point": true, "MultiPoint": true,
	"Polygon": true, "MultiPolygon": true, "GeometryCollection": true}

func toPoint(c []float64) (orb.Point, error) {
	if len(c) < 2 || len(c) > 3 {
		return orb.Point{}, fmt.Errorf("a position has %d numbers, want 2 or 3", len(c))
	}
	return orb.Point{c[0], c[1]}, nil
}

func toLine(c [][]float64) (orb.LineString, error) {
	ls := make(orb.LineString, 0, len(c))
	for _, pc := range c {
		p, err := toPoint(pc)
		if err != nil {
			return nil, err
		}
		ls = append(ls, p)
	}
	if len(dedupeExact(ls)) < 2 {
		return nil, fmt.Errorf("a line needs at least 2 distinct positions, has %d", len(dedupeExact(ls)))
	}
	return ls, nil
}

func dedupeExact(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, 0, len(ls))
	for _, p := range ls {
		if len(out) > 0 && out[len(out)-1] == p {
			continue
		}
		out = append(out, p)
	}
	return out
}

func idString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return anyString(v)
}

func anyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// checkCoords rejects non-finite and out-of-range coordinates.
func checkCoords(feats []feature, planar bool) error {
	check := func(f *feature, p orb.Point) error {
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: coordinate %v is not finite", f.name(), p)
			}
		}
		if planar {
			if math.Abs(p[0]) > 1e8 || math.Abs(p[1]) > 1e8 {
				return fmt.Errorf("%s: planar coordinate %v is beyond 100,000 km", f.name(), p)
			}
			return nil
		}
		if p[0] < -180 || p[0] > 180 || p[1] < -85 || p[1] > 85 {
			return fmt.Errorf("%s: coordinate %v is not a lon/lat in [-180,180]×[-85,85] (set the planar option or a projected crs for metres)", f.name(), p)
		}
		return nil
	}
	for i := range feats {
		f := &feats[i]
		for _, ls := range f.lines {
			for _, p := range ls {
				if err := check(f, p); err != nil {
					return err
				}
			}
		}
		for _, p := range f.points {
			if err := check(f, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// project2local projects every lon/lat once to local metres around the
// centre of the data (spherical Mercator scaled by the cosine of the
// origin's latitude) and returns the origin.
func project2local(feats []feature) *orb.Point {
	var b orb.Bound
	first := true
	for i := range feats {
		for _, ls := range feats[i].lines {
			for _, p := range ls {
				if first {
					b = orb.Bound{Min: p, Max: p}
					first = false
				}
				b = b.Extend(p)
			}
		}
		for _, p := range feats[i].points {
			if first {
				b = orb.Bound{Min: p, Max: p}
				first = false
			}
			b = b.Extend(p)
		}
	}
	o := b.Center()
	tr := LocalProjection(o)
	for i := range feats {
		for _, ls := range feats[i].lines {
			for j := range ls {
				ls[j] = tr(ls[j])
			}
		}
		for j := range feats[i].points {
			feats[i].points[j] = tr(feats[i].points[j])
		}
	}
	return &o
}

// earthRadiusPi is orb.EarthRadius·π (m), as in orb's project package.
const earthRadiusPi = orb.EarthRadius * math.Pi

// toMercator is orb's WGS84-to-spherical-Mercator projection (project.WGS84
// .ToMercator), written with detmath so that it gives the same bits on
// every architecture: x = R·λ, y = R·ln tan(π/4 + φ/2), y clamped to ±R·π.
func toMercator(g orb.Point) orb.Point {
	y := detmath.Log(detmath.Tan((90.0+g[1])*math.Pi/360.0)) * orb.EarthRadius
	return orb.Point{earthRadiusPi / 180.0 * g[0], max(-earthRadiusPi, min(y, earthRadiusPi))}
}

// fromMercator is the inverse of toMercator (orb's project.Mercator.ToWGS84):
// φ = 2·atan(e^(y/R)) − π/2.
func fromMercator(p orb.Point) orb.Point {
	return orb.Point{180.0 * p[0] / earthRadiusPi,
		180.0 / math.Pi * (float64(2*detmath.Atan(detmath.Exp(p[1]/orb.EarthRadius))) - math.Pi/2.0)}
}

// LocalProjection returns a projection from WGS84 lon/lat to metres east
// and north of origin: spherical Mercator scaled by cos(latitude of
// origin). For points within 10 km of the origin, distances are within
// 0.1% of great-circle distances at latitude 30°, 0.16% at 45° and 0.28% at
// 60° (the error grows with tan(latitude) and the distance from the origin).
func LocalProjection(origin orb.Point) func(orb.Point) orb.Point {
	o := toMercator(origin)
	k := detmath.Cos(origin[1] * math.Pi / 180)
	return func(p orb.Point) orb.Point {
		m := toMercator(p)
		return orb.Point{(m[0] - o[0]) * k, (m[1] - o[1]) * k}
	}
}

// LocalUnprojection is the inverse of LocalProjection.
func LocalUnprojection(origin orb.Point) func(orb.Point) orb.Point {
	o := toMercator(origin)
	k := detmath.Cos(origin[1] * math.Pi / 180)
	return func(p orb.Point) orb.Point {
		return fromMercator(orb.Point{p[0]/k + o[0], p[1]/k + o[1]})
	}
}

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

// directedRoads reads mosstool's format: every line is a directed road and
// junction features list the roads ending (in_ways) and starting (out_ways)
// there.
func directedRoads(raw *rawNet, feats []feature) error {
	byID := map[string]int{} // road feature id -> index in raw.roads
	type jn struct {
		f       *feature
		in, out []string
	}
	var juncs []jn
	for i := range feats {
		f := &feats[i]
		_, hasIn := f.props["in_ways"]
		_, hasOut := f.props["out_ways"]
		if hasIn || hasOut {
			if len(f.points) == 0 {
				return fmt.Errorf("%s: a junction (in_ways/out_ways) needs a Point or MultiPoint geometry, has %q", f.name(), f.geomType)
			}
			in, err := idList(f, "in_ways")
			if err != nil {
				return err
			}
			out, err := idList(f, "out_ways")
			if err != nil {
				return err
			}
			juncs = append(juncs, jn{f, in, out})
			continue
		}
		if why, ok := drivable(f); !ok {
			if len(f.points) > 0 && controlSign(anyString(f.props["highway"])) {
				continue // handled by markSignals
			}
			raw.skipped[why]++
			continue
		}
		if f.id == "" {
			return fmt.Errorf("%s: a road in a file with junctions needs an id", f.name())
		}
		if j, dup := byID[f.id]; dup {
			return fmt.Errorf("%s: duplicate road id %s (also feature %d)", f.name(), f.id, raw.roads[j].feature)
		}
		if len(f.lines) != 1 {
			return fmt.Errorf("%s: a directed road must be one LineString, has %d parts", f.name(), len(f.lines))
		}
		if len(dedupe(f.lines[0])) < 2 {
			return fmt.Errorf("%s: a road needs 2 positions at least 1 mm apart", f.name())
		}
		a, err := raw.parseAttrs(f, true)
		if err != nil {
			return err
		}
		byID[f.id] = len(raw.roads)
		raw.roads = append(raw.roads, rawRoad{
			id: f.id, feature: f.index, sources: []string{f.id}, name: a.name, class: a.class, priority: a.def.Priority,
			from: -1, to: -1, geom: dedupe(f.lines[0]), lanes: a.lanesFwd, speed: a.speedFwd, width: a.width, turns: a.turnsFwd, layer: a.layer,
			roundabout: a.roundabout,
		})
	}
	seenJ := map[string]int{}
	for _, j := range juncs {
		if j.f.id != "" {
			if k, dup := seenJ[j.f.id]; dup {
				return fmt.Errorf("%s: duplicate junction id %s (also feature %d)", j.f.name(), j.f.id, k)
			}
			seenJ[j.f.id] = j.f.index
		}
		id := j.f.id
		if id == "" {
			id = "j" + strconv.Itoa(j.f.index)
		}
		v := len(raw.nodes)
		raw.nodes = append(raw.nodes, rawNode{id: id, feature: j.f.index, pos: centroid(j.f.points),
			tagged: anyString(j.f.props["highway"]) == "traffic_signals"})
		for _, w := range j.in {
			r, ok := byID[w]
			if !ok {
				return fmt.Errorf("%s: in_ways names road %s, which does not exist", j.f.name(), w)
			}
			if raw.roads[r].to >= 0 {
				return fmt.Errorf("%s: road %s ends at two junctions (%s and %s)", j.f.name(), w, raw.nodes[raw.roads[r].to].id, id)
			}
			raw.roads[r].to = v
		}
		for _, w := range j.out {
			r, ok := byID[w]
			if !ok {
				return fmt.Errorf("%s: out_ways names road %s, which does not exist", j.f.name(), w)
			}
			if raw.roads[r].from >= 0 {
				return fmt.Errorf("%s: road %s starts at two junctions (%s and %s)", j.f.name(), w, raw.nodes[raw.roads[r].from].id, id)
			}
			raw.roads[r].from = v
		}
	}
	// Road ends not listed by any junction join the junction of a listed
	// road end within 1 m, else get a node of their own, shared by ends at
	// the same position.
	ends := map[orb.Point]int{}
	endNode := func(p orb.Point, road string, other int) int {
		if v, ok := ends[p]; ok && v != other {
			return v
		}
		for _, q := range raw.roads {
			if q.from >= 0 && q.from != other && dist(q.geom[0], p) <= 1 {
				return q.from
			}
			if q.to >= 0 && q.to != other && dist(q.geom[len(q.geom)-1], p) <= 1 {
				return q.to
			}
		}
		v := len(raw.nodes)
		raw.nodes = append(raw.nodes, rawNode{id: "end:" + road, feature: -1, pos: p})
		ends[p] = v
		return v
	}
	for i := range raw.roads {
		r := &raw.roads[i]
		if r.from < 0 {
			r.from = endNode(r.geom[0], r.id, r.to)
		}
		if r.to < 0 {
			r.to = endNode(r.geom[len(r.geom)-1], r.id, r.from)
		}
	}
	markSignals(raw, feats)
	return dropSelfLoops(raw)
}

func idList(f *feature, key string) ([]string, error) {
	v, ok := f.props[key]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: %s must be a list of road ids, is %v", f.name(), key, v)
	}
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = anyString(e)
	}
	return out, nil
}

func centroid(ps []orb.Point) orb.Point {
	var c orb.Point
	for _, p := range ps {
		c[0] += p[0]
		c[1] += p[1]
	}
	return orb.Point{c[0] / float64(len(ps)), c[1] / float64(len(ps))}
}

// controlSign reports whether a highway value marks junction control:
// traffic_signals, stop or give_way.
func controlSign(hw string) bool {
	return hw == "traffic_signals" || hw == "stop" || hw == "give_way"
}

// markSignals applies highway=traffic_signals, stop and give_way points to
// the junctions within 1 m of them: signals make the junction signalised,
// signs lower the priority of its minor approaches (see applySigns).
func markSignals(raw *rawNet, feats []feature) {
	for i := range feats {
		f := &feats[i]
		hw := anyString(f.props["highway"])
		if len(f.points) == 0 || !controlSign(hw) {
			continue
		}
		hit := false
		for _, p := range f.points {
			for v := range raw.nodes {
				if dist(raw.nodes[v].pos, p) > 1 {
					continue
				}
				hit = true
				switch hw {
				case "traffic_signals":
					raw.nodes[v].tagged = true
				case "stop":
					raw.nodes[v].sign = signStop
				default:
					raw.nodes[v].sign = max(raw.nodes[v].sign, signGiveWay)
				}
			}
		}
		if !hit {
			raw.warn(f.index, f.id, "%s point is not at a junction; ignored", hw)
		}
	}
}

// dropSelfLoops removes roads that start and end at the same node (an
// unsplit closed way), with a warning each.
func dropSelfLoops(raw *rawNet) error {
	kept := raw.roads[:0]
	for _, r := range raw.roads {
		if r.from == r.to {
			raw.warn(r.feature, r.id, "road starts and ends at the same junction (a self-loop); skipped")
			raw.skipped["self-loop"]++
			continue
		}
		kept = append(kept, r)
	}
	raw.roads = kept
	if len(raw.roads) == 0 {
		return fmt.Errorf("no drivable roads")
	}
	return nil
}

// osmRoads reads OSM-style ways: nodes are where lines share a position
// (ends, or interior vertices on the same layer; ways on different layers
// only join at an end of one of them), lines are split there and two-way
// ways give a road in each direction.
func osmRoads(raw *rawNet, feats []feature) error {
	type occ struct {
		feat, part, idx int
		layer           int
		end             bool
	}
	type wayInfo struct {
		f     *feature
		attrs roadAttrs
	}
	var ways []wayInfo
	occs := map[orb.Point][]occ{}
	var keys []orb.Point
	seenID := map[string]int{}
	for i := range feats {
		f := &feats[i]
		why, ok := drivable(f)
		if !ok {
			if len(f.points) > 0 && controlSign(anyString(f.props["highway"])) {
				continue // handled by markSignals
			}
			raw.skipped[why]++
			continue
		}
		if f.id != "" {
			if j, dup := seenID[f.id]; dup {
				return fmt.Errorf("%s: duplicate road id %s (also feature %d)", f.name(), f.id, j)
			}
			seenID[f.id] = f.index
		}
		a, err := raw.parseAttrs(f, false)
		if err != nil {
			return err
		}
		w := len(ways)
		ways = append(ways, wayInfo{f, a})
		for pi, ls := range f.lines {
			for k, p := range ls {
				if _, ok := occs[p]; !ok {
					keys = append(keys, p)
				}
				occs[p] = append(occs[p], occ{w, pi, k, a.layer, k == 0 || k == len(ls)-1})
			}
		}
	}
	if len(ways) == 0 {
		return fmt.Errorf("no drivable roads (skipped: %s)", skippedSummary(raw.skipped))
	}
	// Union occurrences at each position into junction classes.
	nodeOf := map[[3]int]int{} // (way, part, idx) -> node
	for _, p := range keys {
		os := occs[p]
		parent := make([]int, len(os))
		for i := range parent {
			parent[i] = i
		}
		find := func(i int) int {
			for parent[i] != i {
				parent[i] = parent[parent[i]]
				i = parent[i]
			}
			return i
		}
		for i := range os {
			for j := i + 1; j < len(os); j++ {
				if os[i].layer == os[j].layer || os[i].end || os[j].end {
					parent[find(j)] = find(i)
				}
			}
		}
		classes := map[int][]int{}
		var roots []int
		for i := range os {
			r := find(i)
			if _, ok := classes[r]; !ok {
				roots = append(roots, r)
			}
			classes[r] = append(classes[r], i)
		}
		for _, r := range roots {
			members := classes[r]
			isNode := len(members) >= 2
			for _, m := range members {
				isNode = isNode || os[m].end
			}
			if !isNode {
				continue
			}
			v := len(raw.nodes)
			first := os[members[0]]
			raw.nodes = append(raw.nodes, rawNode{id: nodeName(p, first.layer), feature: -1, pos: p})
			for _, m := range members {
				nodeOf[[3]int{os[m].feat, os[m].part, os[m].idx}] = v
			}
		}
	}
	// Split ways at nodes and emit directed roads.
	for w, wi := range ways {
		f, a := wi.f, wi.attrs
		piece := 0
		npieces := 0
		for pi, ls := range f.lines {
			for k := 1; k < len(ls); k++ {
				if _, ok := nodeOf[[3]int{w, pi, k}]; ok {
					npieces++
				}
			}
		}
		for pi, ls := range f.lines {
			start := 0
			for k := 1; k < len(ls); k++ {
				v, ok := nodeOf[[3]int{w, pi, k}]
				if !ok {
					continue
				}
				u := nodeOf[[3]int{w, pi, start}]
				geom := dedupe(append(orb.LineString(nil), ls[start:k+1]...))
				base := f.id
				if base == "" {
					base = "f" + strconv.Itoa(f.index)
				}
				if npieces > 1 || len(f.lines) > 1 {
					base += "#" + strconv.Itoa(piece)
				}
				piece++
				start = k
				if len(geom) < 2 {
					raw.warn(f.index, f.id, "a piece of zero length was dropped")
					continue
				}
				mk := func(id string, from, to int, g orb.LineString, lanes int, speed float64, turns []TurnSet) {
					raw.roads = append(raw.roads, rawRoad{
						id: id, feature: f.index, sources: []string{f.id}, name: a.name, class: a.class, priority: a.def.Priority,
						from: from, to: to, geom: g, lanes: lanes, speed: speed, width: a.width, turns: turns, layer: a.layer,
						roundabout: a.roundabout,
					})
				}
				if a.lanesFwd > 0 {
					mk(base, u, v, geom, a.lanesFwd, a.speedFwd, a.turnsFwd)
				}
				if a.lanesBwd > 0 {
					mk("-"+base, v, u, reversed(geom), a.lanesBwd, a.speedBwd, a.turnsBwd)
				}
			}
		}
	}
	// Generated ids ("-12", "12#0", "f3") may clash with the id of another feature.
	roadFeature := map[string]int{}
	for _, r := range raw.roads {
		if j, dup := roadFeature[r.id]; dup && j != r.feature {
			return fmt.Errorf("%s: road id %s clashes with a road of feature %d", feats[r.feature].name(), r.id, j)
		}
		roadFeature[r.id] = r.feature
	}
	markSignals(raw, feats)
	return dropSelfLoops(raw)
}

// nodeName names a node found at a shared position by its coordinates
// (and its layer when not on the ground).
func nodeName(p orb.Point, layer int) string {
	if layer != 0 {
		return fmt.Sprintf("n%.7g_%.7g@%d", p[0], p[1], layer)
	}
	return fmt.Sprintf("n%.7g_%.7g", p[0], p[1])
}

func skippedSummary(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
