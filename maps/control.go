package maps

import (
	"math"
	"slices"
	"sort"
)

// majorPriority is the lowest road priority that counts as a major road
// when guessing signals (tertiary and above, see the class table).
const majorPriority = 9

// assignControl decides the node kind, who yields to whom, and for
// signalised nodes the default program.
func assignControl(n *Network, v NodeID, opt Options) {
	nd := &n.Nodes[v]
	switch {
	case len(nd.Movements) == 0:
		nd.Kind = Boundary
	case len(neighbours(n, v)) == 1:
		nd.Kind = DeadEnd
	case nd.Tagged:
		nd.Kind = Signalised
	case opt.GuessSignals && majorCrossing(n, v):
		nd.Kind = Signalised
	default:
		nd.Kind = Priority
	}
	setYields(n, v, nd.Kind == Signalised)
	if nd.Kind == Signalised {
		nd.Program = defaultProgram(n, v)
	}
}

// majorCrossing reports whether v, not on a roundabout, joins at least three neighbours and
// major roads (tertiary or above, ramps excluded) arrive there from two
// different axes, or from one axis crossed by another road with at least
// three roads arriving in all.
func majorCrossing(n *Network, v NodeID) bool {
	if len(neighbours(n, v)) < 3 {
		return false
	}
	for _, r := range n.Nodes[v].In {
		if n.Roads[r].Roundabout {
			return false // roundabouts keep their priority rule
		}
	}
	groups := approachGroups(n, v)
	major := 0
	for _, g := range groups {
		for _, r := range g {
			if n.Roads[r].Priority >= majorPriority && !isLink(n.Roads[r].Class) {
				major++
				break
			}
		}
	}
	return major >= 2 || major >= 1 && len(groups) >= 2 && len(n.Nodes[v].In) >= 3
}

func isLink(class string) bool {
	return len(class) > 5 && class[len(class)-5:] == "_link"
}

// approachGroups clusters the node's incoming roads by axis (direction
// modulo 180°, within 30°): each group is a pair of opposing approaches or
// a single one. Groups are ordered by their highest road priority, then by
// their first road.
func approachGroups(n *Network, v NodeID) [][]RoadID {
	var groups [][]RoadID
	var axes []float64
	for _, r := range n.Nodes[v].In {
		if len(n.Nodes[v].Movements) > 0 && !hasMovement(n, r) {
			continue
		}
		ax := math.Mod(approachHeading(n, r)+2*math.Pi, math.Pi)
		found := -1
		for gi, a := range axes {
			d := math.Abs(ax - a)
			if math.Min(d, math.Pi-d) < math.Pi/6 {
				found = gi
				break
			}
		}
		if found < 0 {
			groups = append(groups, nil)
			axes = append(axes, ax)
			found = len(groups) - 1
		}
		groups[found] = append(groups[found], r)
	}
	prio := func(g []RoadID) int {
		p := math.MinInt
		for _, r := range g {
			p = max(p, n.Roads[r].Priority)
		}
		return p
	}
	sort.SliceStable(groups, func(i, j int) bool { return prio(groups[i]) > prio(groups[j]) })
	return groups
}

func hasMovement(n *Network, r RoadID) bool {
	for _, m := range n.Nodes[n.Roads[r].To].Movements {
		if n.Movements[m].From == r {
			return true
		}
	}
	return false
}

// defaultProgram guesses a signal program the way netconvert does: one
// phase per approach axis with through and right turns protected and left
// turns permissive (giving way, 'g', also to the greens they would
// otherwise be exclusive with, such as an opposing left turn whose path
// crosses theirs), plus a protected left phase where an axis has lanes
// reserved for left turns. Any
// movement still without green gets the first phase it fits or a phase of
// its own. Yellow follows the ITE change interval 1 s + v/(2·3 m/s²) and
// all-red the clearance time (2·radius + 5 m)/v, with v the fastest
// approach speed.
func defaultProgram(n *Network, v NodeID) *Program {
	nd := &n.Nodes[v]
	nm := len(nd.Movements)
	c := nd.Conflicts
	type draft struct {
		state []byte
		green float64
	}
	var phases []draft
	ever := make([]bool, nm)
	newState := func() []byte { return []byte(stringsRepeat('r', nm)) }
	tryAdd := func(st []byte, m int) bool {
		for b := range st {
			if st[b] != 'r' && c.Exclusive(m, b) {
				return false
			}
		}
		st[m] = 'G'
		ever[m] = true
		return true
	}
	// permissive adds turning movement m as a green that gives way ('g')
	// to the greens it would otherwise be exclusive with (two opposing
	// left turns whose paths cross, say), as netconvert's programs do.
	permissive := func(st []byte, m int) {
		st[m] = 'g'
		ever[m] = true
	}
	local := func(r RoadID, turns ...Turn) []int {
		var out []int
		for _, m := range nd.Movements {
			if n.Movements[m].From == r && slices.Contains(turns, n.Movements[m].Turn) {
				out = append(out, n.Movements[m].Local)
			}
		}
		return out
	}
	for _, g := range approachGroups(n, v) {
		st := newState()
		for _, r := range g {
			for _, m := range local(r, Straight, Right) {
				tryAdd(st, m)
			}
		}
		needLeft := false
		hasLeft := false
		for _, r := range g {
			for _, m := range local(r, Left, UTurn) {
				hasLeft = true
				if !tryAdd(st, m) {
					permissive(st, m)
				}
			}
			for _, l := range n.Roads[r].Lanes {
				if t := n.Lanes[l].Turns; t != 0 && (t == TurnSet(0).With(Left) || t == TurnSet(0).With(Left).With(UTurn)) && len(n.Roads[r].Lanes) > 1 {
					needLeft = true
				}
			}
		}
		phases = append(phases, draft{st, DefaultGreen})
		if needLeft && hasLeft {
			st2 := newState()
			for _, r := range g {
				for _, m := range local(r, Left, UTurn) {
					if !tryAdd(st2, m) {
						permissive(st2, m)
					}
				}
			}
			for _, r := range g {
				for _, m := range local(r, Right) {
					tryAdd(st2, m)
				}
			}
			phases = append(phases, draft{st2, DefaultLeftGreen})
		}
	}
	for m := 0; m < nm; m++ {
		if ever[m] {
			continue
		}
		placed := false
		for _, p := range phases {
			if tryAdd(p.state, m) {
				placed = true
				break
			}
		}
		if !placed {
			st := newState()
			tryAdd(st, m)
			phases = append(phases, draft{st, DefaultLeftGreen})
		}
	}
	prog := &Program{}
	seen := map[string]bool{}
	for _, p := range phases {
		c.yieldLetters(p.state)
		if seen[string(p.state)] {
			continue
		}
		seen[string(p.state)] = true
		prog.Phases = append(prog.Phases, Phase{Duration: p.green, State: string(p.state)})
	}
	vmax := 0.0
	for _, r := range nd.In {
		vmax = math.Max(vmax, n.Roads[r].Speed)
	}
	vmax = math.Max(vmax, 5)
	prog.Yellow = math.Min(math.Max(math.Ceil(1+vmax/(2*3.0)), 3), 5)
	prog.AllRed = math.Min(math.Max(math.Ceil((2*nd.Radius+5)/vmax), 1), 3)
	return prog
}

func stringsRepeat(b byte, n int) string {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return string(out)
}
