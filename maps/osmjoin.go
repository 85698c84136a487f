package maps

import (
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
)

// JoinDistance is how close (m, along the road) OSM junctions are joined
// into one (see joinJunctions); netconvert's --junctions.join-dist default.
const JoinDistance = 10.0

// joinJunctions joins junctions linked by a road shorter than d into one
// junction at their centroid, as netconvert's --junctions.join does (and
// recommends for OSM): the nodes of a dual carriageway crossing, a slip
// road's ends, a stub a few metres long. Roads inside a cluster are
// dropped; the others end at its centroid. Roads are taken shortest first;
// a join that would make a cluster wider than 2d is skipped, and
// roundabouts are not joined (they keep their give-way rule). A joined
// junction is signalised if one of its nodes was, and keeps the strongest
// sign. Its id lists the ids of its nodes: "cluster_12_34".
func joinJunctions(raw *rawNet, d float64) {
	type edge struct {
		l    float64
		u, v int
	}
	var edges []edge
	for _, r := range raw.roads {
		if r.from == r.to {
			continue
		}
		if l := lineLength(r.geom); l < d {
			edges = append(edges, edge{l, min(r.from, r.to), max(r.from, r.to)})
		}
	}
	sort.SliceStable(edges, func(i, j int) bool {
		a, b := edges[i], edges[j]
		if a.l != b.l {
			return a.l < b.l
		}
		if a.u != b.u {
			return a.u < b.u
		}
		return a.v < b.v
	})
	parent := make([]int, len(raw.nodes))
	members := make([][]int, len(raw.nodes))
	for i := range parent {
		parent[i] = i
		members[i] = []int{i}
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, e := range edges {
		a, b := find(e.u), find(e.v)
		if a == b {
			continue
		}
		wide := false
		for _, x := range members[a] {
			for _, y := range members[b] {
				wide = wide || dist(raw.nodes[x].pos, raw.nodes[y].pos) > 2*d
			}
		}
		if wide {
			continue
		}
		a, b = min(a, b), max(a, b)
		parent[b] = a
		members[a] = append(members[a], members[b]...)
		members[b] = nil
	}
	clusters, joined := 0, 0
	for v := range raw.nodes {
		m := members[v]
		if parent[v] != v || len(m) < 2 {
			continue
		}
		slices.Sort(m)
		clusters++
		joined += len(m)
		var c orb.Point
		id := "cluster"
		nd := &raw.nodes[v]
		for _, x := range m {
			c[0] += raw.nodes[x].pos[0] / float64(len(m))
			c[1] += raw.nodes[x].pos[1] / float64(len(m))
			id += "_" + raw.nodes[x].id
			nd.tagged = nd.tagged || raw.nodes[x].tagged
			nd.sign = max(nd.sign, raw.nodes[x].sign)
		}
		nd.pos, nd.id = c, id
	}
	if clusters == 0 {
		return
	}
	kept := raw.roads[:0]
	for _, r := range raw.roads {
		r.from, r.to = find(r.from), find(r.to)
		if r.from == r.to {
			continue // inside a cluster
		}
		g := append(orb.LineString(nil), r.geom...)
		g[0], g[len(g)-1] = raw.nodes[r.from].pos, raw.nodes[r.to].pos
		if g = dedupe(g); len(g) < 2 {
			continue
		}
		r.geom = g
		kept = append(kept, r)
	}
	raw.roads = kept
	raw.warn(-1, "", "joined %d junctions closer than %g m into %d (netconvert's --junctions.join)", joined, d, clusters)
}

// joinControls applies signal and sign nodes to their junctions.
func (rd *osmReader) joinControls(pieces []osmPiece, nodeOf []int32) {
	raw := rd.raw
	if len(rd.ctrl) == 0 {
		return
	}
	// Where each control node lies inside a piece.
	type at struct{ piece, k int }
	inside := map[int][]at{}
	isCtrl := map[int]bool{}
	for _, c := range rd.ctrl {
		isCtrl[c.node] = true
	}
	atNode := make([][]int, len(raw.nodes)) // pieces touching each raw node
	for p, pc := range pieces {
		atNode[pc.from] = append(atNode[pc.from], p)
		if pc.to != pc.from {
			atNode[pc.to] = append(atNode[pc.to], p)
		}
		for k, i := range pc.pts[1 : len(pc.pts)-1] {
			if isCtrl[i] {
				inside[i] = append(inside[i], at{p, k + 1})
			}
		}
	}
	neighbours := func(v int) int {
		var ns []int
		for _, p := range atNode[v] {
			for _, w := range []int{pieces[p].from, pieces[p].to} {
				if w != v && !slices.Contains(ns, w) {
					ns = append(ns, w)
				}
			}
		}
		return len(ns)
	}
	length := func(pts []int) float64 {
		s := 0.0
		for q := 1; q < len(pts); q++ {
			s += dist(rd.xy(pts[q-1]), rd.xy(pts[q]))
		}
		return s
	}
	// walk follows piece p from position k towards its end (dir +1) or
	// start (−1), through nodes that only continue the street, and returns
	// the junction reached within SignalJoinDistance and the road entering
	// it along the walk (−1 if traffic cannot go that way), or −1.
	walk := func(p, k, dir int) (node, road int) {
		d := 0.0
		for steps := 0; steps < 100; steps++ {
			pc := &pieces[p]
			var v, r int
			if dir > 0 {
				d += length(pc.pts[k:])
				v, r = pc.to, pc.fwd
			} else {
				d += length(pc.pts[:k+1])
				v, r = pc.from, pc.bwd
			}
			if d > SignalJoinDistance {
				return -1, -1
			}
			switch neighbours(v) {
			case 0, 1:
				return -1, -1
			case 2:
				next := -1
				for _, q := range atNode[v] {
					if q != p {
						next = q
					}
				}
				if next < 0 || len(atNode[v]) != 2 {
					return -1, -1
				}
				p = next
				if pieces[p].from == v {
					k, dir = 0, 1
				} else {
					k, dir = len(pieces[p].pts)-1, -1
				}
				continue
			}
			return v, r
		}
		return -1, -1
	}
	lost := map[uint8]int{}
	for _, c := range rd.ctrl {
		if v := nodeOf[c.node]; v >= 0 {
			if c.kind == signNone {
				raw.nodes[v].tagged = true
			} else {
				raw.nodes[v].sign = max(raw.nodes[v].sign, c.kind)
			}
			continue
		}
		best, bestRoad, bestD := -1, -1, math.Inf(1)
		for _, a := range inside[c.node] {
			for _, dir := range []int{1, -1} {
				if c.dir != 0 && dir != c.dir {
					continue
				}
				v, r := walk(a.piece, a.k, dir)
				if v < 0 {
					continue
				}
				d := dist(rd.xy(c.node), raw.nodes[v].pos)
				if d < bestD {
					best, bestRoad, bestD = v, r, d
				}
			}
		}
		switch {
		case best < 0:
			lost[c.kind]++
		case c.kind == signNone:
			raw.nodes[best].tagged = true
		case bestRoad >= 0:
			raw.roads[bestRoad].sign = max(raw.roads[bestRoad].sign, c.kind)
		}
	}
	for _, k := range []uint8{signNone, signGiveWay, signStop} {
		if lost[k] == 0 {
			continue
		}
		what := map[uint8]string{signNone: "traffic_signals", signGiveWay: "give_way", signStop: "stop"}[k]
		raw.warn(-1, "", "%d highway=%s nodes are more than %.0f m from any junction along their road (pedestrian crossings?); ignored", lost[k], what, SignalJoinDistance)
	}
}
