package maps

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// RoadGraph is the network seen as a directed graph whose nodes are roads
// and whose edges are movements (a road leads to another through a
// junction). It implements gonum's graph.Directed and graph.Weighted over
// the Network's slices, so every iteration follows road ids and results do
// not depend on map order. Edge weights are free-flow travel times (s) of
// the link and the road it leads to.
type RoadGraph struct {
	net   *Network
	nodes []graph.Node
	succ  [][]graph.Node
	pred  [][]graph.Node
	// weight[u] holds the weights of the edges to succ[u], in the same order.
	weight [][]float64
	vmax   float64
}

var (
	_ graph.Directed = (*RoadGraph)(nil)
	_ graph.Weighted = (*RoadGraph)(nil)
)

// NewRoadGraph builds the road graph of n. It is immutable and safe for
// concurrent use.
func NewRoadGraph(n *Network) *RoadGraph { return newRoadGraph(n, nil) }

// newRoadGraph builds the road graph, leaving out movements into roads for
// which closed returns true.
func newRoadGraph(n *Network, closed func(RoadID) bool) *RoadGraph {
	g := &RoadGraph{net: n, vmax: 1}
	nr := len(n.Roads)
	g.nodes = make([]graph.Node, nr)
	g.succ = make([][]graph.Node, nr)
	g.pred = make([][]graph.Node, nr)
	g.weight = make([][]float64, nr)
	for i := range n.Roads {
		g.nodes[i] = simple.Node(i)
		g.vmax = math.Max(g.vmax, n.Roads[i].Speed)
	}
	for i := range n.Movements {
		m := &n.Movements[i]
		if slices.Contains(g.succ[m.From], g.nodes[m.To]) || closed != nil && closed(m.To) {
			continue
		}
		// Shortest link of the movement plus the road it enters.
		link := math.Inf(1)
		for _, l := range m.Links {
			link = math.Min(link, n.Links[l].Length/n.Links[l].Speed)
		}
		w := link + n.Roads[m.To].Length/n.Roads[m.To].Speed
		g.succ[m.From] = append(g.succ[m.From], g.nodes[m.To])
		g.weight[m.From] = append(g.weight[m.From], w)
		g.pred[m.To] = append(g.pred[m.To], g.nodes[m.From])
	}
	return g
}

// Node returns the road with id as a graph node, or nil.
func (g *RoadGraph) Node(id int64) graph.Node {
	if id < 0 || id >= int64(len(g.nodes)) {
		return nil
	}
	return g.nodes[id]
}

// Nodes returns all roads in id order.
func (g *RoadGraph) Nodes() graph.Nodes { return iterator.NewOrderedNodes(g.nodes) }

// From returns the roads reachable from road id through one movement.
func (g *RoadGraph) From(id int64) graph.Nodes {
	if g.Node(id) == nil || len(g.succ[id]) == 0 {
		return graph.Empty
	}
	return iterator.NewOrderedNodes(g.succ[id])
}

// To returns the roads that lead into road id.
func (g *RoadGraph) To(id int64) graph.Nodes {
	if g.Node(id) == nil || len(g.pred[id]) == 0 {
		return graph.Empty
	}
	return iterator.NewOrderedNodes(g.pred[id])
}

// HasEdgeBetween reports whether a movement joins x and y in either direction.
func (g *RoadGraph) HasEdgeBetween(xid, yid int64) bool {
	return g.HasEdgeFromTo(xid, yid) || g.HasEdgeFromTo(yid, xid)
}

// HasEdgeFromTo reports whether a movement leads from road u to road v.
func (g *RoadGraph) HasEdgeFromTo(uid, vid int64) bool {
	_, ok := g.edgeIndex(uid, vid)
	return ok
}

func (g *RoadGraph) edgeIndex(uid, vid int64) (int, bool) {
	if g.Node(uid) == nil || g.Node(vid) == nil {
		return 0, false
	}
	for i, s := range g.succ[uid] {
		if s.ID() == vid {
			return i, true
		}
	}
	return 0, false
}

// Edge returns the weighted edge from u to v, or nil.
func (g *RoadGraph) Edge(uid, vid int64) graph.Edge { return g.WeightedEdge(uid, vid) }

// WeightedEdge returns the weighted edge from u to v, or nil.
func (g *RoadGraph) WeightedEdge(uid, vid int64) graph.WeightedEdge {
	i, ok := g.edgeIndex(uid, vid)
	if !ok {
		return nil
	}
	return simple.WeightedEdge{F: g.nodes[uid], T: g.nodes[vid], W: g.weight[uid][i]}
}

// Weight returns the free-flow travel time (s) from the end of road x to
// the end of road y, 0 for x == y.
func (g *RoadGraph) Weight(xid, yid int64) (float64, bool) {
	if xid == yid {
		return 0, true
	}
	i, ok := g.edgeIndex(xid, yid)
	if !ok {
		return math.Inf(1), false
	}
	return g.weight[xid][i], true
}

// heuristic is the straight-line distance from the end of road x to the end
// of road y at the network's highest speed limit: admissible for A*.
func (g *RoadGraph) heuristic(x, y graph.Node) float64 {
	a := g.net.Roads[x.ID()].Geometry
	b := g.net.Roads[y.ID()].Geometry
	return dist(a[len(a)-1], b[len(b)-1]) / g.vmax
}

// A Route is a sequence of roads from an origin road to a destination road,
// each leading into the next through a movement.
type Route []RoadID

// Router finds fastest routes by free-flow travel time. Point queries
// (Route) use gonum's A* with a straight-line heuristic; RouteTree and
// Routes search shortest-path trees from the origin (see tree.go and
// buckets.go) for bulk demand, and Reachable answers whether any route exists. All are
// deterministic: successors are expanded in road-id order and ties resolve
// the same way every run. A Router is safe for concurrent use.
type Router struct {
	g   *RoadGraph
	csr *csr
	mu  sync.Mutex
	// trees caches, per origin, the predecessor of every road on its
	// shortest-path tree (−1: the origin or unreachable).
	trees map[RoadID][]int32
	sc    *treeSearch         // RouteTree's scratch (under mu)
	comp  []int32             // strongly connected component of each road (Reachable)
	reach map[RoadID][]uint64 // roads reachable from an origin, one bit each
}

// NewRouter returns a router over n.
func NewRouter(n *Network) *Router { return newRouter(NewRoadGraph(n)) }

// NewRouterExcluding returns a router over n that never enters a road for
// which closed returns true (a road closure); routes may still start on one.
func NewRouterExcluding(n *Network, closed func(RoadID) bool) *Router {
	return newRouter(newRoadGraph(n, closed))
}

func newRouter(g *RoadGraph) *Router {
	return &Router{g: g, csr: newCSR(g), trees: map[RoadID][]int32{}, reach: map[RoadID][]uint64{}}
}

// Graph returns the road graph the router searches.
func (r *Router) Graph() *RoadGraph { return r.g }

// ErrNoRoute is returned when the destination cannot be reached.
var ErrNoRoute = fmt.Errorf("maps: no route")

// Route returns the fastest route from road from to road to (both
// included) and its free-flow travel time (s, excluding the origin road).
func (r *Router) Route(from, to RoadID) (Route, float64, error) {
	if err := r.check(from, to); err != nil {
		return nil, 0, err
	}
	if from == to {
		return Route{from}, 0, nil
	}
	sp, _ := path.AStar(r.g.nodes[from], r.g.nodes[to], r.g, r.g.heuristic)
	return toRoute(sp.To(int64(to)))
}

// RouteTree returns the fastest route from road from to road to and its
// free-flow travel time (s), from the shortest-path tree of the origin,
// which is kept (4 bytes per road) for the next query from there: faster
// than Route when many trips share origins. Its time is the same as
// Route's; when several routes are equally fast it may take another one.
// For many pairs at once, Routes is faster still and keeps no tree.
func (r *Router) RouteTree(from, to RoadID) (Route, float64, error) {
	if err := r.check(from, to); err != nil {
		return nil, 0, err
	}
	if from == to {
		return Route{from}, 0, nil
	}
	r.mu.Lock()
	prev, ok := r.trees[from]
	if !ok {
		if r.sc == nil {
			r.sc = newTreeSearch(len(r.g.nodes))
		}
		r.sc.run(r.csr, int32(from), nil)
		prev = slices.Clone(r.sc.prev)
		r.trees[from] = prev
	}
	r.mu.Unlock()
	if prev[to] < 0 {
		return nil, 0, ErrNoRoute
	}
	n := 1
	for x := int32(to); x != int32(from); x = prev[x] {
		n++
	}
	out := make(Route, n)
	for x, i := int32(to), n-1; i >= 0; i-- {
		out[i] = RoadID(x)
		x = prev[x]
	}
	// The time, added up edge by edge from the origin as the search did:
	// the same bits as its distance.
	w := 0.0
	for i := 1; i < n; i++ {
		w += r.csr.weight(int32(out[i-1]), int32(out[i]))
	}
	return out, w, nil
}

func (r *Router) check(from, to RoadID) error {
	n := RoadID(len(r.g.nodes))
	if from < 0 || from >= n || to < 0 || to >= n {
		return fmt.Errorf("maps: route from road %d to road %d: no such road", from, to)
	}
	return nil
}

func toRoute(nodes []graph.Node, w float64) (Route, float64, error) {
	if len(nodes) == 0 || math.IsInf(w, 1) {
		return nil, 0, ErrNoRoute
	}
	out := make(Route, len(nodes))
	for i, nd := range nodes {
		out[i] = RoadID(nd.ID())
	}
	return out, w, nil
}

// components returns the strongly connected components of the road graph,
// largest first (ties: smallest first road id), each sorted by road id.
func components(n *Network) [][]RoadID {
	g := NewRoadGraph(n)
	var out [][]RoadID
	for _, c := range topo.TarjanSCC(g) {
		ids := make([]RoadID, len(c))
		for i, nd := range c {
			ids[i] = RoadID(nd.ID())
		}
		slices.Sort(ids)
		out = append(out, ids)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i][0] < out[j][0]
	})
	return out
}

// keepLargest rebuilds the network from the roads of the largest component.
func keepLargest(n *Network, raw *rawNet, opt Options) (*Network, error) {
	keep := make([]bool, len(raw.roads))
	for _, r := range n.Components[0] {
		keep[r] = true
	}
	var removed []string
	kept := raw.roads[:0:0]
	for i, r := range raw.roads {
		if keep[i] {
			kept = append(kept, r)
		} else {
			removed = append(removed, r.id)
		}
	}
	sub := *raw
	sub.roads = kept
	opt.KeepLargestComponent = false
	opt.NoMerge = true // already merged
	out, err := buildNet(&sub, opt)
	if err != nil {
		return nil, err
	}
	out.RemovedRoads = removed
	return out, nil
}
