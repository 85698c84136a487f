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
