package maps

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// Options tune how a Network is built from an input file.
// The zero value gives the documented defaults.
type Options struct {
	// Planar says the coordinates are planar metres, not WGS84 lon/lat.
	// A GeoJSON "crs" naming a projected system (EPSG:3857, a UTM zone, or
	// the CityTwin local metres name) sets it too.
	Planar bool
	// KeepLargestComponent drops the roads outside the largest strongly
	// connected component and lists them in Network.RemovedRoads.
	KeepLargestComponent bool
	// NoMerge keeps chains of degree-2 nodes instead of merging the roads
	// through them (merging keeps the geometry and the source ids).
	NoMerge bool
	// MaxInputBytes bounds what a compressed input (gzip or bzip2 SUMO
	// or OpenStreetMap files) may decompress to, in bytes; beyond it the
	// reader fails with an error naming the file instead of filling
	// memory. 0 means xmlfile.MaxBytes (4 GiB); scenarios derive it from
	// limits.memory.
	MaxInputBytes int64
	// GuessSignals also signalises junctions where major roads (tertiary
	// or above) cross, as netconvert's --tls.guess does. By default only
	// junctions that the data marks with highway=traffic_signals (at the
	// junction or on its approaches, see LoadOSM) get signals.
	GuessSignals bool
	// DrivingSide is the side vehicles drive on; SideAuto (the zero value)
	// takes it from the country of the data (see DetectCountry): left in
	// the LeftHandCountries, right elsewhere and for planar data.
	DrivingSide DrivingSide
	// Country is the ISO 3166-1 alpha-2 code whose default speeds (and,
	// with SideAuto, driving side) apply; "" detects it from the data.
	Country string
	// BBox, when set, keeps only the parts of roads inside this lon/lat
	// box (OpenStreetMap input): roads leaving it end there.
	BBox *orb.Bound
	// NoJoin keeps OpenStreetMap junctions closer than JoinDistance
	// separate instead of joining them (see LoadOSM).
	NoJoin bool
	// Turnarounds says where vehicles may turn back onto the opposite
	// carriageway (OSM and GeoJSON input; SUMO and CityFlow networks list
	// their own): TurnaroundsDeadEnds (the zero value), or TurnaroundsAll.
	Turnarounds Turnarounds
}

// Turnarounds is where U-turns are allowed at junctions built from OSM or
// GeoJSON data.
type Turnarounds uint8

// Turnaround policies.
const (
	// TurnaroundsDeadEnds: at dead ends, where a lane is tagged for them
	// (turn:lanes "reverse", "A"), and where nothing else leads on.
	TurnaroundsDeadEnds Turnarounds = iota
	// TurnaroundsAll: also at every other junction where the opposite
	// carriageway starts, as netconvert builds them by default, except
	// from roads whose lanes are tagged with turns and none for a U-turn.
	TurnaroundsAll
)

// ParseTurnarounds reads "dead_ends" or "all".
func ParseTurnarounds(s string) (Turnarounds, bool) {
	switch s {
	case "", "dead_ends":
		return TurnaroundsDeadEnds, true
	case "all":
		return TurnaroundsAll, true
	}
	return 0, false
}

// Signal timing defaults for generated programs (s).
const (
	DefaultGreen     = 30.0 // through phase green
	DefaultLeftGreen = 12.0 // protected left phase green
)

type rawNode struct {
	id       string
	feature  int
	pos      orb.Point
	tagged   bool  // highway=traffic_signals
	boundary bool  // vehicles enter and leave here; no movements
	sign     uint8 // a stop or give-way sign at the node itself (signNone...)
}

// Priority signs (highway=stop, highway=give_way).
const (
	signNone uint8 = iota
	signGiveWay
	signStop
)

// Priorities of approaches with a priority sign: below every road class.
const (
	PriorityGiveWay = 1 // an approach with a give-way sign
	PriorityStop    = 0 // an approach with a stop sign
)

type rawRoad struct {
	id       string
	feature  int
	sources  []string
	name     string
	class    string
	priority int
	from, to int
	geom     orb.LineString
	lanes    int
	speed    float64 // m/s
	width    float64 // lane width, m
	// turns lists the turns of each lane from left to right, as OSM
	// turn:lanes (nil: untagged).
	turns      []TurnSet
	layer      int
	roundabout bool  // part of a roundabout (junction=roundabout)
	sign       uint8 // a stop or give-way sign where the road ends
}

type rawNet struct {
	nodes    []rawNode
	roads    []rawRoad
	warnings []Warning
	skipped  map[string]int
	source   string
	origin   *orb.Point
	// countryTags counts the country codes of implicit speed tags.
	countryTags map[string]int
	// mirrored: the coordinates are flipped east-west for a left-hand
	// build, and turns are stored as their mirror images (see build).
	mirrored bool
}

func (r *rawNet) warn(feature int, id, format string, args ...any) {
	r.warnings = append(r.warnings, Warning{Feature: feature, ID: id, Msg: fmt.Sprintf(format, args...)})
}

// noteCountry counts the country of an implicit tag value such as "DE:urban".
func (r *rawNet) noteCountry(v string) {
	if cc := countryPrefix(v); cc != "" {
		if r.countryTags == nil {
			r.countryTags = map[string]int{}
		}
		r.countryTags[cc]++
	}
}

// realTurns returns the turns of a set as they are on the ground: mirrored
// back during a left-hand build, unchanged otherwise.
func (r *rawNet) realTurns(t TurnSet) TurnSet {
	if r.mirrored {
		return t.Mirrored()
	}
	return t
}

// build turns the raw roads and nodes into a Network. It settles the
// country (for default speeds) and the driving side, applies priority
// signs, and builds the network with buildNet.
//
// A left-hand network is built as the mirror image of a right-hand one:
// the input is flipped east-west (x → −x, turn tags mirrored), built by
// the right-hand rules, and the result flipped back, with every Left turn
// renamed Right and vice versa. Lanes on the right of a two-way road's
// centre line come out on its left, right-before-left becomes
// left-before-right, right turns wait for oncoming traffic and get the
// protected phases, and lane 0 is still the lane next to the centre line
// (the rightmost lane). The result is exactly the mirror image of the
// right-hand network of the mirrored input, which TestMirroredLeftHand
// checks down to travel times.
func build(raw *rawNet, opt Options) (*Network, error) {
	if len(raw.roads) == 0 {
		return nil, fmt.Errorf("no drivable roads")
	}
	cc := strings.ToUpper(opt.Country)
	if cc == "" {
		cc = detectCountry(raw.countryTags, raw.origin)
	}
	left := opt.DrivingSide == LeftHand || opt.DrivingSide == SideAuto && LeftHandCountry(cc)
	for i := range raw.roads {
		if r := &raw.roads[i]; r.speed == 0 {
			r.speed = classSpeed(r.class, cc)
		}
	}
	applySigns(raw)
	if left {
		mirrorRaw(raw)
	}
	n, err := buildNet(raw, opt)
	if err != nil {
		return nil, err
	}
	n.LeftHand, n.Country = left, cc
	if left {
		mirrorNet(n)
		n.finish()
	}
	return n, nil
}

// applySigns gives approaches with a stop or give-way sign the priority
// PriorityStop or PriorityGiveWay. A sign on a road's end applies to that
// road; a sign on a junction node to its lowest-priority incoming roads
// (all of them when they are equal: an all-way stop).
func applySigns(raw *rawNet) {
	prio := func(sign uint8) int {
		if sign == signStop {
			return PriorityStop
		}
		return PriorityGiveWay
	}
	minIn := make([]int, len(raw.nodes))
	for i := range minIn {
		minIn[i] = math.MaxInt
	}
	for _, r := range raw.roads {
		minIn[r.to] = min(minIn[r.to], r.priority)
	}
	for i := range raw.roads {
		r := &raw.roads[i]
		if s := raw.nodes[r.to].sign; s != signNone && r.sign == signNone && r.priority == minIn[r.to] {
			r.sign = s
		}
		if r.sign != signNone {
			r.priority = min(r.priority, prio(r.sign))
		}
	}
}

// mirrorRaw flips the input east-west for a left-hand build: coordinates
// x → −x, and each road's turn tags reversed (left to right in the mirror
// is right to left on the ground) with left and right turns swapped.
func mirrorRaw(raw *rawNet) {
	raw.mirrored = true
	for i := range raw.nodes {
		raw.nodes[i].pos = flipX(raw.nodes[i].pos)
	}
	for i := range raw.roads {
		r := &raw.roads[i]
		g := make(orb.LineString, len(r.geom))
		for k, p := range r.geom {
			g[k] = flipX(p)
		}
		r.geom = g
		if r.turns != nil {
			t := make([]TurnSet, len(r.turns))
			for k, ts := range r.turns {
				t[len(t)-1-k] = ts.Mirrored()
			}
			r.turns = t
		}
	}
}

// mirrorNet flips a network built from mirrored input back onto the
// ground: every coordinate x → −x, and Left and Right swapped in turns.
func mirrorNet(n *Network) {
	for i := range n.Nodes {
		n.Nodes[i].Pos = flipX(n.Nodes[i].Pos)
	}
	flip := func(ls orb.LineString) {
		for k := range ls {
			ls[k] = flipX(ls[k])
		}
	}
	for i := range n.Roads {
		flip(n.Roads[i].Geometry)
	}
	for i := range n.Lanes {
		flip(n.Lanes[i].Geometry)
		n.Lanes[i].Turns = n.Lanes[i].Turns.Mirrored()
	}
	for i := range n.Links {
		flip(n.Links[i].Path)
	}
	for i := range n.Movements {
		n.Movements[i].Turn = n.Movements[i].Turn.Mirrored()
	}
}

func flipX(p orb.Point) orb.Point { return orb.Point{-p[0], p[1]} }

// buildNet builds a right-hand network from the raw roads and nodes:
// merge degree-2 chains, lanes, movements and lane assignment, links and
// their paths, conflicts, signal programs and components.
func buildNet(raw *rawNet, opt Options) (*Network, error) {
	if len(raw.roads) == 0 {
		return nil, fmt.Errorf("no drivable roads")
	}
	if !opt.NoMerge {
		mergeChains(raw)
	}
	joinCutEnds(raw)
	// Warnings from here on are raised again when keepLargest rebuilds.
	base := len(raw.warnings)
	compactNodes(raw)
	n := &Network{Source: raw.source, Origin: raw.origin, Skipped: raw.skipped}
	n.Nodes = make([]Node, len(raw.nodes))
	for i, rn := range raw.nodes {
		n.Nodes[i] = Node{ID: rn.id, Pos: rn.pos, Tagged: rn.tagged}
	}
	n.Roads = make([]Road, len(raw.roads))
	for i, rr := range raw.roads {
		n.Roads[i] = Road{
			ID: rr.id, SourceIDs: rr.sources, Name: rr.name, Class: rr.class, Priority: rr.priority,
			From: NodeID(rr.from), To: NodeID(rr.to), Geometry: rr.geom, Length: lineLength(rr.geom),
			Speed: rr.speed, Layer: rr.layer, Roundabout: rr.roundabout,
		}
		n.Nodes[rr.from].Out = append(n.Nodes[rr.from].Out, RoadID(i))
		n.Nodes[rr.to].In = append(n.Nodes[rr.to].In, RoadID(i))
	}
	markTwins(n)
	for i := range n.Nodes {
		n.Nodes[i].Radius = nodeRadius(n, raw, NodeID(i))
	}
	buildLanes(n, raw)
	for i := range n.Nodes {
		buildMovements(n, raw, NodeID(i), opt.Turnarounds)
	}
	for i := range n.Nodes {
		buildConflicts(n, NodeID(i))
	}
	for i := range n.Nodes {
		assignControl(n, NodeID(i), opt)
	}
	n.Warnings = raw.warnings
	n.Components = components(n)
	if opt.KeepLargestComponent && len(n.Components) > 1 {
		raw.warnings = raw.warnings[:base]
		return keepLargest(n, raw, opt)
	}
	n.finish()
	if err := n.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", errBuiltCheck, err)
	}
	return n, nil
}

// errBuiltCheck prefixes the error when a built network fails Check: a bug
// in the builder, not in the input.
const errBuiltCheck = "internal error: the built network fails its check"

// mergeChains joins roads through nodes that only continue a street: a node
// whose roads link exactly two neighbours p and q as p→n→q (and optionally
// q→n→p), with the same class, lanes, speed, layer and name in each
// direction, and no signal tag. The merged road keeps all geometry and the
// source ids of its parts.
func mergeChains(raw *rawNet) {
	for {
		in := make([][]int, len(raw.nodes))
		out := make([][]int, len(raw.nodes))
		for i, r := range raw.roads {
			if r.from == r.to {
				continue
			}
			out[r.from] = append(out[r.from], i)
			in[r.to] = append(in[r.to], i)
		}
		same := func(a, b *rawRoad) bool {
			return a.class == b.class && a.lanes == b.lanes && a.speed == b.speed && a.layer == b.layer &&
				a.name == b.name && a.width == b.width && turnsEqual(a.turns, b.turns) && a.roundabout == b.roundabout
		}
		dead := make([]bool, len(raw.roads))
		merged := false
		for v := range raw.nodes {
			if raw.nodes[v].tagged || len(in[v]) == 0 || len(in[v]) > 2 || len(in[v]) != len(out[v]) {
				continue
			}
			// Pair each incoming road with the outgoing road that leads on.
			pairs := [][2]int{}
			ok := true
			for _, a := range in[v] {
				b := -1
				for _, c := range out[v] {
					if raw.roads[c].to != raw.roads[a].from || len(in[v]) == 1 {
						if b != -1 {
							ok = false
						}
						b = c
					}
				}
				if b == -1 || dead[a] || dead[b] || a == b || !same(&raw.roads[a], &raw.roads[b]) ||
					raw.roads[a].from == raw.roads[b].to && len(in[v]) == 1 {
					ok = false
					break
				}
				pairs = append(pairs, [2]int{a, b})
			}
			if !ok || len(pairs) != len(in[v]) {
				continue
			}
			if len(pairs) == 2 && pairs[0][1] == pairs[1][1] {
				continue
			}
			for _, p := range pairs {
				a, b := &raw.roads[p[0]], &raw.roads[p[1]]
				if math.Abs(angleDiff(endHeading(a.geom), startHeading(b.geom))) > math.Pi/4 {
					ok = false
				}
			}
			if !ok {
				continue
			}
			for _, p := range pairs {
				a, b := &raw.roads[p[0]], &raw.roads[p[1]]
				a.geom = append(append(orb.LineString(nil), a.geom...), b.geom[1:]...)
				a.sources = append(a.sources, b.sources...)
				a.to = b.to
				// What matters of a priority and a sign is where the road ends.
				a.priority, a.sign = b.priority, b.sign
				dead[p[1]] = true
			}
			merged = true
		}
		if !merged {
			return
		}
		kept := raw.roads[:0]
		for i, r := range raw.roads {
			if !dead[i] {
				kept = append(kept, r)
			}
		}
		raw.roads = kept
		// Merging may leave nodes without roads; keep them (they are harmless
		// and keep node ids stable) but they get no movements.
	}
}

// cutEndRadius is how far apart (m) the end of a road leaving the network
// and the start of its opposite carriageway may be for joinCutEnds.
const cutEndRadius = 150.0

// joinCutEnds closes the cut ends of an extract: where a road ends at a node
// with no way on and a road in the opposite direction starts within 150 m at
// a node nothing enters, the two nodes become one dead end with a U-turn, as
// traffic could turn back beyond the cut. Pairs are matched nearest first.
func joinCutEnds(raw *rawNet) {
	nin := make([]int, len(raw.nodes))
	nout := make([]int, len(raw.nodes))
	for _, r := range raw.roads {
		nout[r.from]++
		nin[r.to]++
	}
	type pair struct {
		d         float64
		sink, src int
		sinkRoad  int
	}
	var pairs []pair
	for i, a := range raw.roads {
		if nout[a.to] != 0 || raw.nodes[a.to].boundary {
			continue
		}
		for _, b := range raw.roads {
			if nin[b.from] != 0 || raw.nodes[b.from].boundary {
				continue
			}
			d := dist(raw.nodes[a.to].pos, raw.nodes[b.from].pos)
			if d > cutEndRadius || math.Abs(angleDiff(endHeading(a.geom), startHeading(b.geom))) < 5*math.Pi/6 {
				continue
			}
			pairs = append(pairs, pair{d, a.to, b.from, i})
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].d < pairs[j].d })
	used := map[int]bool{}
	joined := 0
	for _, p := range pairs {
		if used[p.sink] || used[p.src] {
			continue
		}
		loop := false // a road from src into sink would become a self-loop
		for _, r := range raw.roads {
			loop = loop || r.from == p.src && r.to == p.sink
		}
		if loop {
			continue
		}
		used[p.sink], used[p.src] = true, true
		for i := range raw.roads {
			if raw.roads[i].from == p.src {
				raw.roads[i].from = p.sink
			}
		}
		s, t := raw.nodes[p.sink].pos, raw.nodes[p.src].pos
		raw.nodes[p.sink].pos = orb.Point{(s[0] + t[0]) / 2, (s[1] + t[1]) / 2}
		joined++
	}
	if joined > 0 {
		raw.warn(-1, "", "joined %d cut road ends to the start of their opposite carriageway (U-turn dead ends)", joined)
	}
}

// compactNodes drops nodes no road touches (after merging or dropping
// roads) and renumbers the rest in order.
func compactNodes(raw *rawNet) {
	used := make([]bool, len(raw.nodes))
	for _, r := range raw.roads {
		used[r.from], used[r.to] = true, true
	}
	newID := make([]int, len(raw.nodes))
	kept := raw.nodes[:0]
	for i, nd := range raw.nodes {
		newID[i] = len(kept)
		if used[i] {
			kept = append(kept, nd)
		}
	}
	raw.nodes = kept
	for i := range raw.roads {
		raw.roads[i].from = newID[raw.roads[i].from]
		raw.roads[i].to = newID[raw.roads[i].to]
	}
}

func turnsEqual(a, b []TurnSet) bool { return slices.Equal(a, b) }

// headingSpan is how far from a road end its direction is measured (m).
const headingSpan = 20.0

func endHeading(ls orb.LineString) float64 {
	l := lineLength(ls)
	p, _ := pointAt(ls, math.Max(0, l-headingSpan))
	return heading(p, ls[len(ls)-1])
}

func startHeading(ls orb.LineString) float64 {
	p, _ := pointAt(ls, math.Min(headingSpan, lineLength(ls)))
	return heading(ls[0], p)
}

// markTwins sets TwoWay on pairs of roads that run between the same nodes
// in opposite directions along the same line (a two-way street).
func markTwins(n *Network) {
	type key struct{ a, b NodeID }
	byEnds := map[key][]RoadID{}
	for i := range n.Roads {
		r := &n.Roads[i]
		byEnds[key{r.From, r.To}] = append(byEnds[key{r.From, r.To}], RoadID(i))
	}
	for i := range n.Roads {
		r := &n.Roads[i]
		for _, j := range byEnds[key{r.To, r.From}] {
			if sameLine(r.Geometry, reversed(n.Roads[j].Geometry)) {
				r.TwoWay = true
			}
		}
	}
}

// sameLine reports whether two polylines follow each other within 1 m.
func sameLine(a, b orb.LineString) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if dist(a[i], b[i]) > 1 {
			return false
		}
	}
	return true
}

// halfWidth is the distance from a road's reference line to its outer edge (m).
func halfWidth(n *Network, raw *rawNet, r RoadID) float64 {
	rr := &raw.roads[r]
	if n.Roads[r].TwoWay {
		return float64(rr.lanes) * rr.width
	}
	return float64(rr.lanes) * rr.width / 2
}

// nodeRadius is how far lanes stop short of the node: the largest half
// width of the roads meeting there plus 1.5 m, so that crossing lanes do not
// overlap. Nodes that only continue a street get 1 m; boundary nodes 0.
func nodeRadius(n *Network, raw *rawNet, v NodeID) float64 {
	nd := &n.Nodes[v]
	if len(nd.In) == 0 || len(nd.Out) == 0 || raw.nodes[v].boundary {
		return 0
	}
	if len(neighbours(n, v)) <= 2 && len(nd.In) <= 2 {
		return 1
	}
	r := 0.0
	for _, id := range nd.In {
		r = math.Max(r, halfWidth(n, raw, id))
	}
	for _, id := range nd.Out {
		r = math.Max(r, halfWidth(n, raw, id))
	}
	return r + 1.5
}

func neighbours(n *Network, v NodeID) []NodeID {
	var out []NodeID
	add := func(w NodeID) {
		if w != v && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	for _, r := range n.Nodes[v].In {
		add(n.Roads[r].From)
	}
	for _, r := range n.Nodes[v].Out {
		add(n.Roads[r].To)
	}
	return out
}
