package maps

import (
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/citytwin/citytwin/internal/sumoxml"
	"github.com/paulmach/orb"
)

// LoadSUMO reads a SUMO network file (.net.xml, plain or gzip-compressed).
// See ReadSUMO.
func LoadSUMO(path string, opt Options) (*Network, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("maps: %w", err)
	}
	defer f.Close()
	n, err := ReadSUMO(f, filepath.Base(path), opt)
	if err != nil {
		return nil, fmt.Errorf("maps: %s: %w", path, err)
	}
	return n, nil
}

// ReadSUMO builds a Network from a SUMO network (the .net.xml that
// netconvert and netgenerate write; gzip-compressed or not), keeping the
// file's own geometry, connections, right of way and signal programs;
// name labels messages and is the Network.Source. Errors name the line and
// the element id. Only Options.KeepLargestComponent applies.
//
// What is read, and how it maps (see also doc.go):
//
//   - Normal edges become roads with SUMO's edge ids (negative ones too:
//     the SUMO reader never makes "-id" reverse roads). Lanes closed to
//     passenger cars (allow/disallow: sidewalks, bike, bus and rail lanes)
//     are dropped, and so are edges left without a lane; the rest keep
//     their speed, length, width, shape and SUMO lane id. SUMO numbers
//     lanes from the right, CityTwin from the left: CityTwin lane i of an
//     edge with k lanes is SUMO lane k−1−i.
//   - Junctions (not internal ones) become nodes at their position.
//   - Each connection between kept lanes becomes a link whose path is the
//     chain of its internal lanes (via), with their summed length and
//     lowest speed; without internal lanes, a curve from lane end to lane
//     start. Turns come from dir (t is a U-turn: turnarounds exist exactly
//     where the file has them).
//   - Connections from one road to another form a movement; where they
//     carry different signals in some phase of the program (SUMO signals
//     connections, CityTwin movements), they form one movement per
//     distinct signal sequence, all between the same two roads. Movements
//     of a junction are ordered by SUMO's link index.
//   - Right of way is the junction's own <request> table: foes give the
//     crossing and merging links, response who gives way. A junction
//     without one (a hand-written network) gets its conflicts from the
//     link paths and its right of way as OSM input does (edge priority,
//     right before left, turn rank), with a warning.
//   - tlLogic programs (the last one loaded per id, as in SUMO) are mapped
//     onto the movements they control, junction by junction for programs
//     that control several: phases with a green and no yellow become
//     CityTwin phases ('G', 'g'; 's', 'o' and 'O' as 'g'), the yellow
//     ('y') and red-only phases after a green become the program's yellow
//     and all-red (the longest yellow, the shortest all-red, longer reds as
//     extra all-red phases), the offset moves the cycle start as in SUMO.
//     Actuated programs keep minDur/maxDur and max-gap/detector-gap
//     (Program.Actuated). A program that gives two conflicting movements
//     green with neither yielding is refused with a warning and the
//     junction gets CityTwin's default program.
//   - <location> gives Network.Proj (UTM and transverse Mercator on
//     WGS84), so outputs can carry lon/lat.
func ReadSUMO(r io.Reader, name string, opt Options) (*Network, error) {
	sx, err := sumoxml.Parse(r, name, opt.MaxInputBytes)
	if err != nil {
		return nil, err
	}
	if sx.LeftHand {
		return nil, fmt.Errorf("the network drives on the left (lefthand=\"true\"): left-hand SUMO networks are not read yet (OpenStreetMap input is: driving_side = \"left\")")
	}
	n, err := buildSUMO(sx, name, nil)
	if err != nil {
		return nil, err
	}
	if opt.KeepLargestComponent && len(n.Components) > 1 {
		keep := map[RoadID]bool{}
		for _, r := range n.Components[0] {
			keep[r] = true
		}
		drop := map[string]bool{}
		var removed []string
		for i := range n.Roads {
			if !keep[RoadID(i)] {
				drop[n.Roads[i].ID] = true
				removed = append(removed, n.Roads[i].ID)
			}
		}
		if n, err = buildSUMO(sx, name, drop); err != nil {
			return nil, err
		}
		n.RemovedRoads = removed
	}
	return n, nil
}

// sxInternal is an internal lane (the path of a connection through a junction).
type sxInternal struct {
	shape  orb.LineString
	length float64
	speed  float64
}

// sxConn is a parsed connection between normal lanes.
type sxConn struct {
	c         *sumoxml.Connection
	fromEdge  int // index into sumoBuilder.edges
	toEdge    int
	fromIdx   int // SUMO lane index
	toIdx     int
	from, to  LaneID // None when the lane was dropped
	node      NodeID
	junction  int // index into sx.Junctions
	req       int // index into the junction's request table, or -1
	tl        *sumoxml.TLLogic
	linkIndex int // -1 when not signalised
	sig       string
	order     int    // position in the file
	link      LinkID // the link made of it, or None
}

type sumoEdge struct {
	e     *sumoxml.Edge
	road  RoadID   // None when dropped
	lanes []LaneID // by SUMO lane index; None for dropped lanes
	ids   []string // SUMO lane ids by index
}

type sumoBuilder struct {
	sx       *sumoxml.Net
	n        *Network
	edges    []sumoEdge
	edgeIdx  map[string]int
	junction map[string]int
	internal map[string]*sxInternal
	intConn  map[string][]*sumoxml.Connection // internal lane id -> connections leaving it
	tls      map[string]*sumoxml.TLLogic
	conns    []sxConn
	counts   map[string]int // warnings to report once, with a count
	nodeJ    []int          // per node, its junction's index in sx.Junctions
	byNode   [][]int        // per node, the indices into conns of its connections between kept lanes
	linkConn []int          // per link, the index into conns it was made from
}

func (b *sumoBuilder) skip(reason string) { b.n.Skipped[reason]++ }

func (b *sumoBuilder) warn(id, format string, args ...any) {
	b.n.Warnings = append(b.n.Warnings, Warning{Feature: -1, ID: id, Msg: fmt.Sprintf(format, args...)})
}

// buildSUMO assembles the network, leaving out the normal edges in drop.
func buildSUMO(sx *sumoxml.Net, name string, drop map[string]bool) (*Network, error) {
	b := &sumoBuilder{sx: sx, n: &Network{Source: name, Skipped: map[string]int{}}, edgeIdx: map[string]int{},
		junction: map[string]int{}, internal: map[string]*sxInternal{}, intConn: map[string][]*sumoxml.Connection{},
		tls: map[string]*sumoxml.TLLogic{}, counts: map[string]int{}}
	for _, k := range slices.Sorted(maps.Keys(sx.Ignored)) {
		b.n.Skipped["sumo: "+k+" elements"] += sx.Ignored[k]
	}
	if err := b.location(); err != nil {
		return nil, err
	}
	for i := range sx.Junctions {
		j := &sx.Junctions[i]
		if j.ID == "" {
			return nil, fmt.Errorf("line %d: <junction> without an id", j.Line)
		}
		if _, dup := b.junction[j.ID]; dup {
			return nil, fmt.Errorf("line %d: junction %q: duplicate id", j.Line, j.ID)
		}
		b.junction[j.ID] = i
	}
	if err := b.roads(drop); err != nil {
		return nil, err
	}
	if len(b.n.Roads) == 0 {
		return nil, fmt.Errorf("no edge has a lane open to passenger cars")
	}
	if err := b.programsIndex(); err != nil {
		return nil, err
	}
	if err := b.connections(); err != nil {
		return nil, err
	}
	if err := b.movements(); err != nil {
		return nil, err
	}
	for v := range b.n.Nodes {
		if err := b.conflicts(NodeID(v)); err != nil {
			return nil, err
		}
	}
	if err := b.control(); err != nil {
		return nil, err
	}
	for _, k := range slices.Sorted(maps.Keys(b.counts)) {
		b.warn("", "%s (%d)", k, b.counts[k])
	}
	n := b.n
	n.Components = components(n)
	n.finish()
	if err := n.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", errBuiltCheck, err)
	}
	return n, nil
}

func (b *sumoBuilder) location() error {
	loc := b.sx.Location
	if loc == nil {
		return nil
	}
	var off [2]float64
	if s := strings.TrimSpace(loc.NetOffset); s != "" {
		p, err := sumoxml.ParsePoint(s)
		if err != nil {
			return fmt.Errorf("line %d: <location> netOffset: %w", loc.Line, err)
		}
		off = [2]float64{p[0], p[1]}
	}
	proj, err := NewProjection(off, loc.ProjParameter)
	if err != nil {
		b.warn("location", "%v; outputs carry no lon/lat", err)
		return nil
	}
	b.n.Proj = proj
	return nil
}

// passengerClasses are the vehicle classes of SUMO that a lane must admit
// for CityTwin to keep it: its vehicles are passenger cars.
func allowsPassenger(allow, disallow string) bool {
	if a := strings.Fields(allow); len(a) > 0 {
		return slices.Contains(a, "passenger") || slices.Contains(a, "all")
	}
	d := strings.Fields(disallow)
	return !slices.Contains(d, "passenger") && !slices.Contains(d, "all")
}

// roads reads the edges: internal lanes into b.internal, normal edges
// into roads, lanes and the nodes they touch.
func (b *sumoBuilder) roads(drop map[string]bool) error {
	n := b.n
	usedJ := map[int]bool{}
	b.edges = make([]sumoEdge, len(b.sx.Edges))
	for i := range b.sx.Edges {
		e := &b.sx.Edges[i]
		se := &b.edges[i]
		se.e, se.road = e, None
		where := func() string { return fmt.Sprintf("line %d: edge %q", e.Line, e.ID) }
		if e.ID == "" {
			return fmt.Errorf("line %d: <edge> without an id", e.Line)
		}
		if _, dup := b.edgeIdx[e.ID]; dup {
			return fmt.Errorf("%s: duplicate id", where())
		}
		b.edgeIdx[e.ID] = i
		if len(e.Lanes) == 0 {
			return fmt.Errorf("%s: no <lane>", where())
		}
		if len(e.Lanes) > 64 {
			return fmt.Errorf("%s: %d lanes, at most 64", where(), len(e.Lanes))
		}
		se.lanes = make([]LaneID, len(e.Lanes))
		se.ids = make([]string, len(e.Lanes))
		type lane struct {
			l      *sumoxml.Lane
			shape  orb.LineString
			speed  float64
			length float64
			width  float64
		}
		parsed := make([]lane, len(e.Lanes))
		for k := range e.Lanes {
			l := &e.Lanes[k]
			lw := fmt.Sprintf("%s: lane %q", where(), l.ID)
			idx, err := parseSUMOInt(l.Index, "index", len(e.Lanes))
			if err != nil {
				return fmt.Errorf("%s: %w (an edge's lanes are numbered 0..%d)", lw, err, len(e.Lanes)-1)
			}
			if parsed[idx].l != nil {
				return fmt.Errorf("%s: index %d used twice", lw, idx)
			}
			if l.ID == "" {
				return fmt.Errorf("%s: lane %d has no id", where(), idx)
			}
			p := lane{l: l, width: DefaultLaneWidth}
			if p.speed, err = parseSUMOFloat(l.Speed, "speed"); err != nil || !(p.speed > 0 && p.speed <= 150) {
				return fmt.Errorf("%s: speed %q must be in (0, 150] m/s", lw, l.Speed)
			}
			if p.length, err = parseSUMOFloat(l.Length, "length"); err != nil || !(p.length > 0 && p.length < 1e6) {
				return fmt.Errorf("%s: length %q must be in (0, 10⁶) m", lw, l.Length)
			}
			if l.Width != "" {
				if p.width, err = parseSUMOFloat(l.Width, "width"); err != nil || !(p.width > 0 && p.width <= 50) {
					return fmt.Errorf("%s: width %q must be in (0, 50] m", lw, l.Width)
				}
			}
			if p.shape, err = sumoxml.ParseShape(l.Shape, "shape"); err != nil {
				return fmt.Errorf("%s: %w", lw, err)
			}
			if len(p.shape) < 2 {
				return fmt.Errorf("%s: shape %q needs at least 2 positions", lw, l.Shape)
			}
			parsed[idx] = p
			se.ids[idx] = l.ID
			se.lanes[idx] = None
		}
		switch e.Function {
		case "internal":
			for _, p := range parsed {
				if _, dup := b.internal[p.l.ID]; dup {
					return fmt.Errorf("%s: lane %q: duplicate lane id", where(), p.l.ID)
				}
				b.internal[p.l.ID] = &sxInternal{shape: p.shape, length: p.length, speed: p.speed}
			}
			continue
		case "crossing", "walkingarea":
			b.skip("sumo: pedestrian crossings and walking areas")
			continue
		case "", "normal", "connector":
		default:
			return fmt.Errorf("%s: unknown function %q", where(), e.Function)
		}
		from, ok1 := b.junction[e.From]
		to, ok2 := b.junction[e.To]
		if !ok1 || !ok2 {
			return fmt.Errorf("%s: junction %q or %q does not exist", where(), e.From, e.To)
		}
		if b.sx.Junctions[from].Type == "internal" || b.sx.Junctions[to].Type == "internal" {
			return fmt.Errorf("%s: starts or ends at an internal junction", where())
		}
		if drop[e.ID] {
			continue
		}
		var kept []int // SUMO indices, leftmost first
		for k := len(parsed) - 1; k >= 0; k-- {
			if allowsPassenger(parsed[k].l.Allow, parsed[k].l.Disallow) {
				kept = append(kept, k)
			} else {
				b.skip("sumo: lanes closed to passenger cars")
			}
		}
		if len(kept) == 0 {
			b.skip("sumo: edges closed to passenger cars")
			continue
		}
		rid := RoadID(len(n.Roads))
		se.road = rid
		road := Road{ID: e.ID, SourceIDs: []string{e.ID}, Name: e.Name, Class: strings.TrimPrefix(e.Type, "highway."),
			From: NodeID(from), To: NodeID(to)} // node ids are junction indices until renumbered below
		if e.Priority != "" {
			p, err := parseSUMOFloat(e.Priority, "priority")
			if err != nil || p != math.Trunc(p) || math.Abs(p) > 1e6 {
				return fmt.Errorf("%s: priority %q is not an integer", where(), e.Priority)
			}
			road.Priority = int(p)
		}
		for ci, k := range kept {
			p := parsed[k]
			lid := LaneID(len(n.Lanes))
			se.lanes[k] = lid
			n.Lanes = append(n.Lanes, Lane{ID: p.l.ID, Road: rid, Index: ci, Geometry: p.shape, Length: p.length, Width: p.width, Speed: p.speed})
			road.Lanes = append(road.Lanes, lid)
			road.Speed = math.Max(road.Speed, p.speed)
			road.Length = math.Max(road.Length, p.length)
		}
		if s := strings.TrimSpace(e.Shape); s != "" {
			g, err := sumoxml.ParseShape(s, "shape")
			if err != nil {
				return fmt.Errorf("%s: %w", where(), err)
			}
			if len(g) >= 2 {
				road.Geometry = g
			}
		}
		if road.Geometry == nil {
			road.Geometry = middleLine(n.Lanes[road.Lanes[0]].Geometry, n.Lanes[road.Lanes[len(road.Lanes)-1]].Geometry)
		}
		usedJ[from], usedJ[to] = true, true
		n.Roads = append(n.Roads, road)
	}
	// Nodes: the junctions the kept roads touch, in file order.
	nodeOf := make([]NodeID, len(b.sx.Junctions))
	for i := range b.sx.Junctions {
		nodeOf[i] = None
		if !usedJ[i] {
			continue
		}
		j := &b.sx.Junctions[i]
		x, err1 := parseSUMOFloat(j.X, "x")
		y, err2 := parseSUMOFloat(j.Y, "y")
		if err1 != nil || err2 != nil || !(math.Abs(x) < sumoxml.CoordLimit && math.Abs(y) < sumoxml.CoordLimit) {
			return fmt.Errorf("line %d: junction %q: position (%q, %q) is not x, y in metres", j.Line, j.ID, j.X, j.Y)
		}
		pos := orb.Point{x, y}
		nd := Node{ID: j.ID, Pos: pos, Tagged: strings.HasPrefix(j.Type, "traffic_light")}
		if shape, err := sumoxml.ParseShape(j.Shape, "shape"); err == nil {
			for _, p := range shape {
				nd.Radius = math.Max(nd.Radius, dist(p, pos))
			}
		} else {
			return fmt.Errorf("line %d: junction %q: %w", j.Line, j.ID, err)
		}
		nodeOf[i] = NodeID(len(n.Nodes))
		n.Nodes = append(n.Nodes, nd)
		b.nodeJ = append(b.nodeJ, i)
	}
	for i := range n.Roads {
		r := &n.Roads[i]
		r.From, r.To = nodeOf[r.From], nodeOf[r.To]
		n.Nodes[r.From].Out = append(n.Nodes[r.From].Out, RoadID(i))
		n.Nodes[r.To].In = append(n.Nodes[r.To].In, RoadID(i))
	}
	// Two roads between the same nodes in opposite directions make a
	// two-way street.
	type key struct{ a, c NodeID }
	ends := map[key]bool{}
	for i := range n.Roads {
		ends[key{n.Roads[i].From, n.Roads[i].To}] = true
	}
	for i := range n.Roads {
		r := &n.Roads[i]
		r.TwoWay = r.From != r.To && ends[key{r.To, r.From}]
	}
	return nil
}

// middleLine returns the line half-way between two lane shapes with the
// same number of points, or the first one.
func middleLine(a, b orb.LineString) orb.LineString {
	if len(a) != len(b) {
		return append(orb.LineString(nil), a...)
	}
	out := make(orb.LineString, len(a))
	for i := range a {
		out[i] = orb.Point{(a[i][0] + b[i][0]) / 2, (a[i][1] + b[i][1]) / 2}
	}
	return out
}

// programsIndex indexes the tlLogic programs by id; the last one of an id
// is the one SUMO runs.
func (b *sumoBuilder) programsIndex() error {
	for i := range b.sx.TLs {
		t := &b.sx.TLs[i]
		if t.ID == "" {
			return fmt.Errorf("line %d: <tlLogic> without an id", t.Line)
		}
		if old, dup := b.tls[t.ID]; dup {
			b.warn(t.ID, "tlLogic %q has several programs (%q, %q); the last one loaded runs, as in SUMO", t.ID, old.ProgramID, t.ProgramID)
		}
		b.tls[t.ID] = t
	}
	return nil
}

// connections reads the connections: those leaving internal lanes index
// the paths, those between normal lanes become links.
func (b *sumoBuilder) connections() error {
	for i := range b.sx.Conns {
		c := &b.sx.Conns[i]
		where := func() string { return fmt.Sprintf("line %d: connection from %q to %q", c.Line, c.From, c.To) }
		fi, ok1 := b.edgeIdx[c.From]
		ti, ok2 := b.edgeIdx[c.To]
		if !ok1 || !ok2 {
			return fmt.Errorf("%s: edge %q does not exist", where(), map[bool]string{true: c.To, false: c.From}[ok1])
		}
		fe, te := &b.edges[fi], &b.edges[ti]
		fl, err := parseSUMOInt(c.FromLane, "fromLane", len(fe.lanes))
		if err != nil {
			return fmt.Errorf("%s: %w", where(), err)
		}
		tlane, err := parseSUMOInt(c.ToLane, "toLane", len(te.lanes))
		if err != nil {
			return fmt.Errorf("%s: %w", where(), err)
		}
		if fe.e.Function == "internal" {
			id := fe.ids[fl]
			b.intConn[id] = append(b.intConn[id], c)
			continue
		}
		if fe.e.Function == "crossing" || fe.e.Function == "walkingarea" || te.e.Function == "crossing" || te.e.Function == "walkingarea" {
			continue
		}
		if te.e.Function == "internal" {
			return fmt.Errorf("%s: a connection from a normal edge must lead to a normal edge (use via for internal lanes)", where())
		}
		sc := sxConn{c: c, fromEdge: fi, toEdge: ti, fromIdx: fl, toIdx: tlane, from: None, to: None, node: None, req: -1, linkIndex: -1, order: i, link: None}
		sc.junction = b.junction[fe.e.To]
		if fe.e.To != te.e.From {
			return fmt.Errorf("%s: edge %q ends at junction %q but %q starts at %q", where(), c.From, fe.e.To, c.To, te.e.From)
		}
		if fe.road != None && te.road != None {
			sc.from, sc.to = fe.lanes[fl], te.lanes[tlane]
			sc.node = b.n.Roads[fe.road].To
		}
		if c.TL != "" && c.LinkIndex != "" {
			tl, ok := b.tls[c.TL]
			if !ok {
				if jt := b.sx.Junctions[sc.junction].Type; jt == "rail_crossing" || jt == "rail_signal" {
					// SUMO builds the signals of rail crossings when it loads
					// the network; CityTwin runs them as priority junctions.
					b.conns = append(b.conns, sc)
					continue
				}
				return fmt.Errorf("%s: traffic light %q has no <tlLogic>", where(), c.TL)
			}
			width := 0
			if len(tl.Phases) > 0 {
				width = len(tl.Phases[0].State)
			}
			li, err := parseSUMOInt(c.LinkIndex, "linkIndex", max(width, 1))
			if err != nil {
				return fmt.Errorf("%s: %w (tlLogic %q has %d signals)", where(), err, c.TL, width)
			}
			sc.tl, sc.linkIndex = tl, li
			var sig strings.Builder
			for k, ph := range tl.Phases {
				if li >= len(ph.State) {
					return fmt.Errorf("line %d: tlLogic %q: phase %d: state %q has %d signals, connection at line %d uses linkIndex %d",
						tl.Line, tl.ID, k, ph.State, len(ph.State), c.Line, li)
				}
				sig.WriteByte(ph.State[li])
			}
			sc.sig = sig.String()
		}
		b.conns = append(b.conns, sc)
	}
	// Request indices: a connection's position in its junction's intLanes
	// (the internal lane it starts on), or, in networks without internal
	// lanes, its position among the junction's connections by incoming
	// lane (incLanes order) and then file order.
	type jinfo struct {
		intPos map[string]int
		incPos map[string]int
		conns  []int
	}
	info := map[int]*jinfo{}
	for k := range b.conns {
		sc := &b.conns[k]
		ji, ok := info[sc.junction]
		if !ok {
			j := &b.sx.Junctions[sc.junction]
			ji = &jinfo{intPos: map[string]int{}, incPos: map[string]int{}}
			for p, id := range strings.Fields(j.IntLanes) {
				ji.intPos[id] = p
			}
			for p, id := range strings.Fields(j.IncLanes) {
				ji.incPos[id] = p
			}
			info[sc.junction] = ji
		}
		ji.conns = append(ji.conns, k)
	}
	for _, ji := range info {
		if len(ji.intPos) > 0 {
			// intLanes names one lane of each connection's chain: the
			// first, or the one after an internal junction.
			for _, k := range ji.conns {
				sc := &b.conns[k]
				for _, id := range b.chain(sc) {
					if p, ok := ji.intPos[id]; ok {
						sc.req = p
						break
					}
				}
			}
			continue
		}
		order := append([]int(nil), ji.conns...)
		pos := func(k int) int {
			sc := &b.conns[k]
			if p, ok := ji.incPos[b.edges[sc.fromEdge].ids[sc.fromIdx]]; ok {
				return p
			}
			return math.MaxInt
		}
		sort.SliceStable(order, func(x, y int) bool { return pos(order[x]) < pos(order[y]) })
		for p, k := range order {
			b.conns[k].req = p
		}
	}
	return nil
}

// chain returns the internal lanes a connection drives through, in order
// (those that exist; path reports a missing one).
func (b *sumoBuilder) chain(sc *sxConn) []string {
	var out []string
	target := b.edges[sc.toEdge].e.ID
	for cur := sc.c.Via; cur != "" && len(out) < 16; {
		if _, ok := b.internal[cur]; !ok {
			break
		}
		out = append(out, cur)
		next := ""
		for _, c := range b.intConn[cur] {
			if c.To == target && c.Via != "" {
				next = c.Via
				break
			}
		}
		cur = next
	}
	return out
}

// path returns the path, length and speed limit of a connection.
func (b *sumoBuilder) path(sc *sxConn) (orb.LineString, float64, float64, error) {
	n := b.n
	fl, tl := &n.Lanes[sc.from], &n.Lanes[sc.to]
	if sc.c.Via == "" {
		a, b2 := fl.Geometry[len(fl.Geometry)-1], tl.Geometry[0]
		_, da := pointAt(fl.Geometry, lineLength(fl.Geometry))
		_, db := pointAt(tl.Geometry, 0)
		p := connector(a, da, b2, db)
		if len(p) < 2 {
			p = orb.LineString{a, b2}
		}
		return p, math.Max(lineLength(p), 0.1), math.Min(fl.Speed, tl.Speed), nil
	}
	if _, ok := b.internal[sc.c.Via]; !ok {
		return nil, 0, 0, fmt.Errorf("line %d: connection from %q to %q: internal lane %q does not exist", sc.c.Line, sc.c.From, sc.c.To, sc.c.Via)
	}
	var path orb.LineString
	length, speed := 0.0, math.Inf(1)
	for _, id := range b.chain(sc) {
		il := b.internal[id]
		for k, p := range il.shape {
			if k == 0 && len(path) > 0 && dist(path[len(path)-1], p) < 1e-6 {
				continue
			}
			path = append(path, p)
		}
		length += il.length
		speed = math.Min(speed, il.speed)
	}
	if len(path) < 2 {
		path = orb.LineString{fl.Geometry[len(fl.Geometry)-1], tl.Geometry[0]}
	}
	return path, math.Max(length, 0.1), speed, nil
}

// sumoTurn maps a connection's dir attribute to a turn; ok is false for
// "invalid" and unknown values.
func sumoTurn(dir string) (Turn, bool) {
	switch dir {
	case "s":
		return Straight, true
	case "t", "T":
		return UTurn, true
	case "l", "L":
		return Left, true
	case "r", "R":
		return Right, true
	}
	return 0, false
}

// movements groups each node's links into movements and creates them.
func (b *sumoBuilder) movements() error {
	n := b.n
	byNode := make([][]int, len(n.Nodes))
	b.byNode = byNode
	for k := range b.conns {
		sc := &b.conns[k]
		if sc.from == None || sc.to == None {
			b.skip("sumo: connections from or to lanes closed to passenger cars")
			continue
		}
		byNode[sc.node] = append(byNode[sc.node], k)
	}
	for v := range n.Nodes {
		type group struct {
			from, to RoadID
			sig      string
			conns    []int
		}
		var groups []*group
		index := map[[2]RoadID][]*group{}
		for _, k := range byNode[v] {
			sc := &b.conns[k]
			fr, tr := n.Lanes[sc.from].Road, n.Lanes[sc.to].Road
			key := [2]RoadID{fr, tr}
			var g *group
			for _, cand := range index[key] {
				if cand.sig == sc.sig {
					g = cand
				}
			}
			if g == nil {
				g = &group{from: fr, to: tr, sig: sc.sig}
				index[key] = append(index[key], g)
				groups = append(groups, g)
			}
			g.conns = append(g.conns, k)
		}
		rank := func(k int) (int, int) {
			sc := &b.conns[k]
			r := sc.req
			if r < 0 {
				r = math.MaxInt32
			}
			return r, sc.order
		}
		less := func(x, y int) bool {
			rx, ox := rank(x)
			ry, oy := rank(y)
			if rx != ry {
				return rx < ry
			}
			return ox < oy
		}
		for _, g := range groups {
			sort.SliceStable(g.conns, func(i, j int) bool { return less(g.conns[i], g.conns[j]) })
		}
		sort.SliceStable(groups, func(i, j int) bool { return less(groups[i].conns[0], groups[j].conns[0]) })
		nd := &n.Nodes[v]
		for _, g := range groups {
			first := &b.conns[g.conns[0]]
			turn, ok := sumoTurn(first.c.Dir)
			if !ok {
				turn = classifyTurn(endHeading(n.Lanes[first.from].Geometry), startHeading(n.Lanes[first.to].Geometry))
			}
			mv := MovementID(len(n.Movements))
			n.Movements = append(n.Movements, Movement{Node: NodeID(v), From: g.from, To: g.to, Turn: turn, Local: len(nd.Movements)})
			nd.Movements = append(nd.Movements, mv)
			for _, k := range g.conns {
				sc := &b.conns[k]
				path, length, speed, err := b.path(sc)
				if err != nil {
					return err
				}
				id := LinkID(len(n.Links))
				n.Links = append(n.Links, Link{ID: sc.c.Via, Movement: mv, From: sc.from, To: sc.to, Path: path, Length: length, Speed: speed})
				n.Movements[mv].Links = append(n.Movements[mv].Links, id)
				n.Lanes[sc.from].Links = append(n.Lanes[sc.from].Links, id)
				n.Lanes[sc.from].Turns = n.Lanes[sc.from].Turns.With(turn)
				sc.link = id
				b.linkConn = append(b.linkConn, k)
			}
		}
	}
	return nil
}
