package maps

import (
	"math"
	"slices"
	"sort"

	"github.com/citytwin/citytwin/internal/detmath"
	"github.com/paulmach/orb"
)

// buildLanes cuts each road back by the radius of its end nodes (keeping at
// least 40% of its length) and offsets one polyline per lane.
func buildLanes(n *Network, raw *rawNet) {
	for ri := range n.Roads {
		r := &n.Roads[ri]
		rr := &raw.roads[ri]
		a := n.Nodes[r.From].Radius
		b := n.Nodes[r.To].Radius
		if max := 0.3 * r.Length; a > max || b > max {
			a, b = math.Min(a, max), math.Min(b, max)
		}
		center := cut(r.Geometry, a, r.Length-b)
		for i := 0; i < rr.lanes; i++ {
			off := float64((float64(i) + 0.5 - float64(float64(rr.lanes)/2)) * rr.width)
			if r.TwoWay {
				off = (float64(i) + 0.5) * rr.width
			}
			g := offsetLine(center, off)
			l := Lane{Road: RoadID(ri), Index: i, Geometry: g, Length: lineLength(g), Width: rr.width, Speed: r.Speed}
			if l.Length < 0.1 {
				l.Length = 0.1
			}
			r.Lanes = append(r.Lanes, LaneID(len(n.Lanes)))
			n.Lanes = append(n.Lanes, l)
		}
	}
}

// classifyTurn gives the turn from heading h1 into heading h2 (radians).
func classifyTurn(h1, h2 float64) Turn {
	d := angleDiff(h1, h2) * 180 / math.Pi
	switch {
	case math.Abs(d) >= 155:
		return UTurn
	case d > 35:
		return Left
	case d < -35:
		return Right
	}
	return Straight
}

// buildMovements creates the movements of node v, assigns lanes to them and
// creates their links.
func buildMovements(n *Network, raw *rawNet, v NodeID, turnarounds Turnarounds) {
	nd := &n.Nodes[v]
	if raw.nodes[v].boundary {
		return
	}
	dead := len(neighbours(n, v)) == 1
	for _, a := range nd.In {
		type cand struct {
			to    RoadID
			turn  Turn
			angle float64
		}
		var cands []cand
		ha := endHeading(n.Roads[a].Geometry)
		tagsU := false
		for _, t := range raw.roads[a].turns {
			tagsU = tagsU || t.Has(UTurn)
		}
		// With TurnaroundsAll, a U-turn is allowed unless the lanes are
		// tagged with their turns and none is for a U-turn.
		allU := turnarounds == TurnaroundsAll && len(raw.roads[a].turns) == 0
		for _, b := range nd.Out {
			hb := startHeading(n.Roads[b].Geometry)
			t := classifyTurn(ha, hb)
			reverse := n.Roads[b].To == n.Roads[a].From
			if reverse && t != UTurn && math.Abs(angleDiff(ha, hb)) > math.Pi/2 {
				t = UTurn
			}
			d := angleDiff(ha, hb)
			if t == UTurn {
				d = math.Pi // leftmost
			}
			cands = append(cands, cand{b, t, d})
		}
		// U-turns only at dead ends, where tagged, where nothing else leads
		// on, or everywhere with TurnaroundsAll.
		others := 0
		for _, c := range cands {
			if c.turn != UTurn {
				others++
			}
		}
		kept := cands[:0]
		for _, c := range cands {
			if c.turn != UTurn || dead || tagsU || allU || others == 0 {
				kept = append(kept, c)
			}
		}
		cands = kept
		// Left to right.
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].angle > cands[j].angle })
		first := len(n.Movements)
		for _, c := range cands {
			n.Movements = append(n.Movements, Movement{Node: v, From: a, To: c.to, Turn: c.turn, Local: len(nd.Movements)})
			nd.Movements = append(nd.Movements, MovementID(len(n.Movements)-1))
		}
		assignLanes(n, raw, a, n.Movements[first:])
	}
}

// turnWeight is the share of lanes a movement of each turn kind claims when
// lanes are not tagged: through movements twice as many as turns.
var turnWeight = [...]float64{UTurn: 0, Left: 1, Right: 1, Straight: 2}

// ShortLane is the lane length (m) below which every lane of a road serves
// every movement leaving it: a vehicle cannot change lanes on a lane
// shorter than itself, so on such a road (common between the closely
// spaced junctions of OSM data) a lane that leads only one way would trap
// vehicles heading the other. A passenger car and its minimum gap.
const ShortLane = 7.5

// assignLanes decides which lanes of road a serve which of its movements
// (ordered left to right) and creates the links. Turn tags are honoured
// where present; untagged lanes get left turns on the left, right turns on
// the right and through movements spread over the rest; on roads whose
// lanes are shorter than ShortLane every lane serves every movement.
func assignLanes(n *Network, raw *rawNet, a RoadID, movs []Movement) {
	lanes := n.Roads[a].Lanes
	nl := len(lanes)
	if len(movs) == 0 {
		return
	}
	serve := make([][]int, nl) // lane index -> movement indices in movs
	tags := raw.roads[a].turns
	short := nl > 1 && n.Lanes[lanes[0]].Length < ShortLane
	if short {
		for li := range serve {
			for mi, m := range movs {
				if m.Turn != UTurn || li == 0 {
					serve[li] = append(serve[li], mi)
				}
			}
		}
	} else if len(tags) == nl {
		served := make([]bool, len(movs))
		for li, ts := range tags {
			for mi, m := range movs {
				if ts.Has(m.Turn) {
					serve[li] = append(serve[li], mi)
					served[mi] = true
				}
			}
		}
		for mi, m := range movs {
			if served[mi] {
				continue
			}
			li := nl / 2
			switch m.Turn {
			case Left, UTurn:
				li = 0
			case Right:
				li = nl - 1
			}
			serve[li] = append(serve[li], mi)
			raw.warn(raw.roads[a].feature, n.Roads[a].ID, "no lane is tagged for the %s turn to road %s; lane %d serves it", raw.realTurns(TurnSet(0).With(m.Turn)), n.Roads[m.To].ID, li)
		}
		for li := range serve {
			if len(serve[li]) > 0 {
				continue
			}
			// A lane tagged for a turn that does not exist here: let it do
			// what its nearest served neighbour does.
			for d := 1; d < nl; d++ {
				if j := li - d; j >= 0 && len(tags) > 0 && len(serve[j]) > 0 && !containsAll(serve[li], serve[j]) {
					serve[li] = append(serve[li], serve[j]...)
					break
				}
				if j := li + d; j < nl && len(serve[j]) > 0 {
					serve[li] = append(serve[li], serve[j]...)
					break
				}
			}
			raw.warn(raw.roads[a].feature, n.Roads[a].ID, "lane %d is tagged %q but no such turn leaves the junction; it follows its neighbour", li, raw.realTurns(tags[li]))
		}
		for li := range serve {
			sort.Ints(serve[li])
			serve[li] = slices.Compact(serve[li])
		}
	} else {
		// Weighted ranges: movement j covers [c_j, c_j+w_j) of [0, 1); lane i
		// covers [i/nl, (i+1)/nl); a lane serves the movements it overlaps.
		total := 0.0
		for _, m := range movs {
			total += turnWeight[m.Turn]
		}
		c := 0.0
		for mi, m := range movs {
			if m.Turn == UTurn || total == 0 {
				serve[0] = append(serve[0], mi)
				if total == 0 {
					for li := 1; li < nl; li++ {
						serve[li] = append(serve[li], mi)
					}
				}
				continue
			}
			w := turnWeight[m.Turn] / total
			lo, hi := c, c+w
			c = hi
			for li := 0; li < nl; li++ {
				a0, a1 := float64(li)/float64(nl), float64(li+1)/float64(nl)
				if math.Min(hi, a1)-math.Max(lo, a0) > 1e-9 {
					serve[li] = append(serve[li], mi)
				}
			}
		}
		for li := range serve {
			sort.Ints(serve[li])
		}
	}
	for li := range serve {
		n.Lanes[lanes[li]].Turns = 0
		for _, mi := range serve[li] {
			n.Lanes[lanes[li]].Turns = n.Lanes[lanes[li]].Turns.With(movs[mi].Turn)
		}
	}
	// Links: the lanes serving a movement map monotonically onto the lanes
	// of the exit road, every source lane and every target lane used.
	for mi := range movs {
		var src []int
		for li := range serve {
			if slices.Contains(serve[li], mi) {
				src = append(src, li)
			}
		}
		mid := movs[mi].Local
		mv := MovementID(int(n.Nodes[movs[mi].Node].Movements[mid]))
		dst := n.Roads[movs[mi].To].Lanes
		pairs := lanePairs(len(src), len(dst))
		for _, p := range pairs {
			from := lanes[src[p[0]]]
			to := dst[p[1]]
			addLink(n, mv, from, to)
		}
	}
}

func containsAll(a, b []int) bool {
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

// lanePairs maps s source lanes onto t target lanes monotonically so that
// every source and every target lane appears, in order.
func lanePairs(s, t int) [][2]int {
	var out [][2]int
	seen := map[[2]int]bool{}
	addp := func(i, j int) {
		p := [2]int{i, j}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for i := 0; i < s; i++ {
		j := 0
		if s > 1 {
			j = int(math.Round(float64(i) * float64(t-1) / float64(s-1)))
		} else if t > 1 {
			j = 0
		}
		addp(i, j)
	}
	for j := 0; j < t; j++ {
		i := 0
		if t > 1 {
			i = int(math.Round(float64(j) * float64(s-1) / float64(t-1)))
		}
		addp(i, j)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a][0] != out[b][0] {
			return out[a][0] < out[b][0]
		}
		return out[a][1] < out[b][1]
	})
	return out
}

// lateralAccel is the lateral acceleration (m/s²) that limits turn speeds,
// SUMO netconvert's default for --junctions.limit-turn-speed.
const lateralAccel = 5.5

func addLink(n *Network, mv MovementID, from, to LaneID) {
	fl, tl := &n.Lanes[from], &n.Lanes[to]
	a := fl.Geometry[len(fl.Geometry)-1]
	b := tl.Geometry[0]
	_, da := pointAt(fl.Geometry, fl.Length)
	_, db := pointAt(tl.Geometry, 0)
	path := connector(a, da, b, db)
	addLinkPath(n, mv, from, to, path)
}

func addLinkPath(n *Network, mv MovementID, from, to LaneID, path orb.LineString) {
	fl, tl := &n.Lanes[from], &n.Lanes[to]
	l := lineLength(path)
	speed := math.Min(fl.Speed, tl.Speed)
	if n.Movements[mv].Turn != Straight {
		// Radius of the arc through the end points with the turn angle.
		_, da := pointAt(fl.Geometry, fl.Length)
		_, db := pointAt(tl.Geometry, 0)
		ang := math.Abs(angleDiff(detmath.Atan2(da[1], da[0]), detmath.Atan2(db[1], db[0])))
		if ang > 1e-3 {
			r := l / ang
			speed = math.Min(speed, math.Max(math.Sqrt(lateralAccel*r), 3))
		}
	}
	if l < 0.1 {
		l = 0.1
	}
	id := LinkID(len(n.Links))
	n.Links = append(n.Links, Link{Movement: mv, From: from, To: to, Path: path, Length: l, Speed: speed})
	n.Movements[mv].Links = append(n.Movements[mv].Links, id)
	fl.Links = append(fl.Links, id)
}

// approachHeading is the travel direction of road r as it reaches its end node.
func approachHeading(n *Network, r RoadID) float64 { return endHeading(n.Roads[r].Geometry) }
