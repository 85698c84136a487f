package maps

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Dense integer identifiers. Every slice of the Network is indexed by them,
// so a RoadID r names Network.Roads[r]. External identifiers (from the input
// file) live in the ID fields as strings.
type (
	NodeID     int32
	RoadID     int32
	LaneID     int32
	MovementID int32
	LinkID     int32
)

// None marks an absent dense identifier.
const None = -1

// Turn classifies a movement by the angle between its incoming and outgoing
// road. Left and Right are turns on the ground, whatever the driving side.
type Turn uint8

// Turn kinds. On right-hand networks their order is the yielding rank used
// by the builder: a through movement outranks a right turn, a right turn a
// left turn, and everything outranks a U-turn. Left-hand networks are
// built as mirror images (see Options.DrivingSide), where a left turn
// outranks a right turn.
const (
	UTurn Turn = iota
	Left
	Right
	Straight
)

// Mirrored returns the turn seen in a mirror: Left and Right swap.
func (t Turn) Mirrored() Turn {
	switch t {
	case Left:
		return Right
	case Right:
		return Left
	}
	return t
}

var turnNames = [...]string{"U", "L", "R", "S"}

// String returns the one-letter OSM-style name: "S", "L", "R" or "U".
func (t Turn) String() string {
	if int(t) < len(turnNames) {
		return turnNames[t]
	}
	return fmt.Sprintf("Turn(%d)", t)
}

// TurnSet is a bit set of Turn values allowed from a lane.
type TurnSet uint8

// Has reports whether t is in the set.
func (s TurnSet) Has(t Turn) bool { return s&(1<<t) != 0 }

// With returns the set with t added.
func (s TurnSet) With(t Turn) TurnSet { return s | 1<<t }

// Mirrored returns the set with Left and Right swapped.
func (s TurnSet) Mirrored() TurnSet {
	out := s &^ (1<<Left | 1<<Right)
	if s.Has(Left) {
		out = out.With(Right)
	}
	if s.Has(Right) {
		out = out.With(Left)
	}
	return out
}

// String lists the turns in left-to-right order, e.g. "LS" or "SR".
func (s TurnSet) String() string {
	out := ""
	for _, t := range []Turn{UTurn, Left, Straight, Right} {
		if s.Has(t) {
			out += t.String()
		}
	}
	return out
}

// NodeKind says how a junction controls its movements.
type NodeKind uint8

// Node kinds.
const (
	// Priority: unsignalised; minor movements yield to major ones (by road
	// class), equal roads use right-before-left.
	Priority NodeKind = iota
	// Signalised: a signal program controls every movement.
	Signalised
	// DeadEnd: a node with only one neighbour; a U-turn is allowed.
	DeadEnd
	// Boundary: a node where vehicles enter or leave the network and that
	// has no movements (CityFlow's virtual intersections, grid edges).
	Boundary
)

var nodeKindNames = [...]string{"priority", "signalised", "dead_end", "boundary"}

func (k NodeKind) String() string {
	if int(k) < len(nodeKindNames) {
		return nodeKindNames[k]
	}
	return fmt.Sprintf("NodeKind(%d)", k)
}

// ParseNodeKind is the inverse of NodeKind.String.
func ParseNodeKind(s string) (NodeKind, bool) {
	for i, n := range nodeKindNames {
		if n == s {
			return NodeKind(i), true
		}
	}
	return 0, false
}

// Network is an immutable lane-level road network in local planar metres
// (X east, Y north). Build one with LoadOSM, LoadGeoJSON, LoadCityFlow or
// Grid.
//
// Vehicles drive on the right unless LeftHand is set. Lanes of a road are
// numbered from the centre line outwards: index 0 is the lane next to it,
// the leftmost lane on right-hand networks (as in CityFlow, and OSM
// turn:lanes, which lists lanes from left to right) and the rightmost on
// left-hand ones.
//
// A Network is safe for concurrent use by any number of readers.
type Network struct {
	Nodes     []Node
	Roads     []Road
	Lanes     []Lane
	Movements []Movement
	Links     []Link

	// Origin is the WGS84 lon/lat of the local origin when the input was
	// projected, or nil for planar inputs.
	Origin *orb.Point
	// Proj, when set, geo-references planar coordinates that are not local
	// to an Origin: a SUMO network's <location> (see LonLat).
	Proj *Projection
	// Source names the input (file name or generator).
	Source string
	// LeftHand is true when vehicles drive on the left: lanes lie left of
	// a two-way road's centre line, lane 0 is the rightmost lane, and the
	// network is the mirror image of the right-hand one (see build).
	LeftHand bool
	// Country is the ISO 3166-1 alpha-2 code whose default speeds and
	// driving side applied, or "" when it could not be told.
	Country string
	// Credit is the attribution the data's licence asks of anything made
	// from it (pictures, exports): OSMCredit for OpenStreetMap input, ""
	// when unknown.
	Credit string
	// StartCrossings is true when links leaving one lane cross at the
	// first point their paths share, as CityFlow takes its roadnets' lane
	// links to (it finds a crossing wherever two lane links' polylines
	// meet): the engine then holds a vehicle at its stop line until the
	// vehicles on the other links from its lane have cleared that point,
	// as for any crossing. Otherwise such links diverge without a
	// conflict (SUMO's reading) and only car following keeps their
	// vehicles apart.
	StartCrossings bool
	// Warnings lists what the builder had to guess or fix.
	Warnings []Warning
	// Skipped counts input features that were not drivable roads, by reason.
	Skipped map[string]int
	// Components lists the strongly connected components over roads,
	// largest first; Components[0] is the main component.
	Components [][]RoadID
	// RemovedRoads lists external ids of roads dropped by KeepLargestComponent.
	RemovedRoads []string

	roadByID idIndex // roads by external id
	nodeByID idIndex // nodes by external id
	bounds   orb.Bound
}

// Warning is a problem the builder fixed with a documented default.
type Warning struct {
	// Feature is the input feature index, or -1 when the warning is not
	// tied to one feature.
	Feature int
	// ID is the external id of the feature, road or node, if any.
	ID string
	// Msg says what was wrong and what was done.
	Msg string
}

func (w Warning) String() string {
	switch {
	case w.Feature >= 0 && w.ID != "":
		return fmt.Sprintf("feature %d (id %s): %s", w.Feature, w.ID, w.Msg)
	case w.Feature >= 0:
		return fmt.Sprintf("feature %d: %s", w.Feature, w.Msg)
	case w.ID != "":
		return fmt.Sprintf("%s: %s", w.ID, w.Msg)
	}
	return w.Msg
}

// Node is a junction (or a dead end or boundary point).
type Node struct {
	ID   string
	Pos  orb.Point // m
	Kind NodeKind
	// Tagged is true when the input marked the node as traffic signals.
	Tagged bool
	// Virtual marks a CityFlow virtual intersection.
	Virtual bool
	In      []RoadID // roads ending here, in input order
	Out     []RoadID // roads starting here, in input order
	// Movements at this node, contiguous: Network.Movements[MovFirst : MovFirst+len].
	Movements []MovementID
	// Conflicts between this node's movements, indexed by their Local index.
	Conflicts ConflictMatrix
	// Program is the default signal program (nil unless Kind == Signalised).
	Program *Program
	// Radius is the junction area radius (m) used to cut lanes back.
	Radius float64
}

// Road is a directed road (an OSM way in one direction).
type Road struct {
	ID string
	// SourceIDs lists the ids of the input features merged into this road
	// (one for most roads, several where chains of degree-2 nodes were merged).
	SourceIDs []string
	Name      string
	// Class is the OSM highway class, e.g. "primary".
	Class string
	// Priority orders roads at unsignalised junctions; higher is major.
	Priority int
	From, To NodeID
	// Geometry is the reference line from From to To (m). For two-way
	// streets it is the street centre line and lanes lie to its right (to
	// its left on left-hand networks).
	Geometry orb.LineString
	Length   float64 // m, along Geometry
	// Speed is the speed limit (m/s).
	Speed float64
	Lanes []LaneID // index 0 = the lane next to the centre line
	Layer int
	// TwoWay is true when a road with the same geometry runs the other way
	// (lanes are then offset to the driving side of Geometry).
	TwoWay bool
	// Roundabout marks a road going round a roundabout: traffic entering
	// it gives way.
	Roundabout bool
}

// Lane is one lane of a road, cut back at both ends by the junction radius.
type Lane struct {
	// ID is the external id of the lane (SUMO's lane id), or empty.
	ID   string
	Road RoadID
	// Turns are the turns this lane may take (from turn tags or the builder's assignment).
	Turns TurnSet
	Index int // 0 = next to the centre line
	// Geometry runs from the end of the upstream junction area to the stop line (m).
	Geometry orb.LineString
	Length   float64  // m
	Width    float64  // m
	Speed    float64  // speed limit (m/s)
	Links    []LinkID // links leaving this lane, in movement order
}

// Movement is a road-level turn through a node: CityFlow's roadLink,
// a SUMO connection bundle. Signals and conflicts are stated per movement.
type Movement struct {
	Node     NodeID
	From, To RoadID
	Turn     Turn
	// Local is the index of the movement within its node (0..len(Node.Movements)-1).
	Local int
	Links []LinkID
}

// Link is a lane-to-lane connection through a node along a path; vehicles
// drive along it like a short lane.
type Link struct {
	// ID is the external id of the link (the first internal lane of a SUMO
	// connection), or empty.
	ID       string
	Movement MovementID
	From, To LaneID
	nc       uint32         // the length of Crossing at the front of conf
	Path     orb.LineString // m, from the stop line of From to the start of To
	Length   float64        // m
	// Speed is the speed limit on the link (m/s), lowered for turns.
	Speed float64
	// conf holds the lists Crossing, Merging and Foes one after the
	// other, the first two nc and nm long: one slice header instead of
	// three (setConflicts fills it): a Link takes 104 bytes, not 144.
	conf []LinkID
	nm   uint32
}

// Crossing lists the links of the same node whose paths cross this one,
// sorted; nil when there are none. The slice is capped at its length and
// shared with the Network: copy it before changing it.
func (l *Link) Crossing() []LinkID { return sublist(l.conf, 0, int(l.nc)) }

// Merging lists the other links that end on the same lane, sorted; nil
// when there are none. As Crossing, it is the Network's.
func (l *Link) Merging() []LinkID { return sublist(l.conf, int(l.nc), int(l.nc+l.nm)) }

// Foes lists the crossing or merging links this link gives way to when
// both may go (from the node's Yields relation), sorted; nil when there
// are none. As Crossing, it is the Network's.
func (l *Link) Foes() []LinkID { return sublist(l.conf, int(l.nc+l.nm), len(l.conf)) }

// sublist returns s[a:b:b], or nil when it is empty.
func sublist(s []LinkID, a, b int) []LinkID {
	if a == b {
		return nil
	}
	return s[a:b:b]
}

// setConflicts stores the link's Crossing, Merging and Foes lists (in one
// new slice; the arguments are not kept).
func (l *Link) setConflicts(crossing, merging, foes []LinkID) {
	l.conf = nil
	if k := len(crossing) + len(merging) + len(foes); k > 0 {
		l.conf = make([]LinkID, 0, k)
		l.conf = append(append(append(l.conf, crossing...), merging...), foes...)
	}
	l.nc, l.nm = uint32(len(crossing)), uint32(len(merging))
}

// Bounds returns the bounding box of all lanes and nodes (m).
func (n *Network) Bounds() orb.Bound { return n.bounds }

// RoadByID returns the dense id of the road with external id id.
func (n *Network) RoadByID(id string) (RoadID, bool) {
	r, ok := n.roadByID.find(id, func(i int32) string { return n.Roads[i].ID })
	return RoadID(r), ok
}

// NodeByID returns the dense id of the node with external id id.
func (n *Network) NodeByID(id string) (NodeID, bool) {
	r, ok := n.nodeByID.find(id, func(i int32) string { return n.Nodes[i].ID })
	return NodeID(r), ok
}

// MovementBetween returns the movement from road a to road b, or None.
func (n *Network) MovementBetween(a, b RoadID) MovementID {
	to := n.Roads[a].To
	for _, m := range n.Nodes[to].Movements {
		if n.Movements[m].From == a && n.Movements[m].To == b {
			return m
		}
	}
	return None
}

// LaneKM returns the total lane length in kilometres.
func (n *Network) LaneKM() float64 {
	s := 0.0
	for i := range n.Lanes {
		s += n.Lanes[i].Length
	}
	return s / 1000
}

// finish packs the network (see pack) and fills the lookup tables and
// bounds. Builders call it last.
func (n *Network) finish() {
	n.pack()
	n.roadByID = newIDIndex(len(n.Roads), func(i int32) string { return n.Roads[i].ID })
	n.nodeByID = newIDIndex(len(n.Nodes), func(i int32) string { return n.Nodes[i].ID })
	var b orb.Bound
	first := true
	extend := func(p orb.Point) {
		if first {
			b = orb.Bound{Min: p, Max: p}
			first = false
			return
		}
		b = b.Extend(p)
	}
	for i := range n.Nodes {
		extend(n.Nodes[i].Pos)
	}
	for i := range n.Lanes {
		for _, p := range n.Lanes[i].Geometry {
			extend(p)
		}
	}
	n.bounds = b
}
