package maps

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Relation flags between an ordered pair of movements (a, b) at one node.
const (
	// Crosses: the paths of some link of a and some link of b cross.
	Crosses uint8 = 1 << iota
	// Merges: some link of a and some link of b end on the same lane.
	Merges
	// Yields: when both may go, a gives way to b.
	Yields
	// TakeTurns: a and b come from the same approach and turn the same
	// way (two parallel streams merging, or lanes of one road whose paths
	// cross): neither has priority, they may be green together and their
	// vehicles take turns through the conflict.
	TakeTurns
)

// ConflictMatrix holds the relation flags of every ordered pair of a node's
// movements, indexed by Movement.Local. It is symmetric in Crosses and
// Merges; Yields is asymmetric.
type ConflictMatrix struct {
	N     int
	Flags []uint8 // N×N, row a, column b
}

func newConflictMatrix(n int) ConflictMatrix {
	return ConflictMatrix{N: n, Flags: make([]uint8, n*n)}
}

// At returns the flags of the pair (a, b).
func (c ConflictMatrix) At(a, b int) uint8 { return c.Flags[a*c.N+b] }

func (c ConflictMatrix) set(a, b int, f uint8) { c.Flags[a*c.N+b] |= f }

// Conflicting reports whether a and b cross or merge.
func (c ConflictMatrix) Conflicting(a, b int) bool { return c.At(a, b)&(Crosses|Merges) != 0 }

// Exclusive reports whether a and b must never both have a protected
// green ('G'): they conflict, neither yields to the other and they do not
// take turns. A signal program or controller that gives both a 'G' is
// unsafe. They may be green together when one of them (or both) is a
// permissive green, 'g' (SUMO's minor link): the engine makes a 'g'
// stream give way to every crossing or merging stream showing 'G' at the
// time (engine.Sim's junction admission), and two 'g' streams take turns.
func (c ConflictMatrix) Exclusive(a, b int) bool {
	return c.Conflicting(a, b) && c.At(a, b)&(Yields|TakeTurns) == 0 && c.At(b, a)&Yields == 0
}

// Program is a signal program: a cycle of green phases, with yellow and
// all-red inserted by the engine whenever a movement loses its green.
type Program struct {
	Phases []Phase `json:"phases"`
	Yellow float64 `json:"yellow"`  // s, after each green a movement loses
	AllRed float64 `json:"all_red"` // s, after yellow, before conflicting greens start
	Offset float64 `json:"offset"`  // s, shifts the cycle start
	// Actuated, when set, lets each phase run between its MinDur and
	// MaxDur as vehicles at the detectors ask (SUMO's type="actuated"
	// programs); nil runs the durations as they are.
	Actuated *Actuation `json:"actuated,omitempty"`
}

// Actuation holds the detector settings of an actuated program, with
// SUMO's meaning and defaults (max-gap 3 s, detector-gap 2 s).
type Actuation struct {
	// MaxGap is the longest time gap (s) between vehicles passing a
	// detector that keeps a phase green.
	MaxGap float64 `json:"max_gap"`
	// DetectorGap places the detectors this many seconds of travel at the
	// lane's speed limit before the stop line.
	DetectorGap float64 `json:"detector_gap"`
}

// Phase is one green stage of a Program.
type Phase struct {
	// Duration is the fixed-time green duration (s).
	Duration float64 `json:"duration"`
	// MinDur and MaxDur bound the green of an actuated program (s); zero
	// when the program is not actuated.
	MinDur float64 `json:"min_dur,omitempty"`
	MaxDur float64 `json:"max_dur,omitempty"`
	// State has one letter per movement of the node, in Local order, as in
	// SUMO: 'G' green with priority, 'g' green that must yield to the
	// conflicting greens of the phase, 'r' red.
	State string `json:"state"`
}

// Green reports whether movement local index m is green in the phase.
func (p Phase) Green(m int) bool { return p.State[m] == 'G' || p.State[m] == 'g' }

// Cycle returns the fixed-time cycle length (s), including the yellow and
// all-red between consecutive phases that change some movement.
func (p *Program) Cycle() float64 {
	c := 0.0
	for i := range p.Phases {
		c += p.Phases[i].Duration
		if p.LosesGreen(i, (i+1)%len(p.Phases)) {
			c += p.Yellow + p.AllRed
		}
	}
	return c
}

// losesGreen reports whether some movement green in a is red in b. Fixed-
// time signals ask it for every phase of their node at every step, so it
// compares the letters directly: x|0x20 == 'g' holds for 'G' and 'g' only.
func losesGreen(a, b *Phase) bool {
	as, bs := a.State, b.State
	for m := 0; m < len(as); m++ {
		if as[m]|0x20 == 'g' && bs[m]|0x20 != 'g' {
			return true
		}
	}
	return false
}

// LosesGreen reports whether moving from phase i to phase j takes the green
// away from some movement (and so needs a yellow).
func (p *Program) LosesGreen(i, j int) bool { return losesGreen(&p.Phases[i], &p.Phases[j]) }

// CheckPhase reports the first pair of exclusive movements both given a
// protected green ('G') in state, or nil: exclusive movements may be green
// together only when one of them yields ('g', see Exclusive). state has
// one letter per movement as in Phase.State.
func (c ConflictMatrix) CheckPhase(state string) error {
	if len(state) != c.N {
		return fmt.Errorf("state %q has %d signals, want %d", state, len(state), c.N)
	}
	if a, b := c.exclusiveGreens(state); a >= 0 {
		return fmt.Errorf("movements %d and %d conflict, neither gives way to the other, and both have a protected green ('G'); one of them may be 'g' (green giving way)", a, b)
	}
	return nil
}

// exclusiveGreens returns the first pair of exclusive movements both with
// a protected green ('G') in state (of the matrix's size), or −1, −1.
func (c ConflictMatrix) exclusiveGreens(state string) (int, int) {
	for a := 0; a < c.N; a++ {
		if state[a] != 'G' {
			continue
		}
		for b := a + 1; b < c.N; b++ {
			if state[b] == 'G' && c.Exclusive(a, b) {
				return a, b
			}
		}
	}
	return -1, -1
}

// yieldLetters rewrites the green letters of state: a green movement that
// yields to another green movement becomes 'g', the others 'G' — except
// that a movement marked 'g' that is exclusive with another green movement
// stays 'g' (a permissive green: it gives way to that one in the engine).
func (c ConflictMatrix) yieldLetters(state []byte) {
	green := func(m int) bool { return state[m] == 'G' || state[m] == 'g' }
	permissive := make([]bool, len(state))
	for a := range state {
		if state[a] != 'g' {
			continue
		}
		for b := range state {
			if b != a && green(b) && c.Exclusive(a, b) {
				permissive[a] = true
				break
			}
		}
	}
	for a := range state {
		if !green(a) {
			continue
		}
		state[a] = 'G'
		if permissive[a] {
			state[a] = 'g'
			continue
		}
		for b := range state {
			if b != a && green(b) && c.Conflicting(a, b) && c.At(a, b)&Yields != 0 {
				state[a] = 'g'
				break
			}
		}
	}
}

// buildConflicts fills the Crosses and Merges flags of the node's conflict
// matrix and every link's Crossing and Merging lists.
func buildConflicts(n *Network, v NodeID) {
	nd := &n.Nodes[v]
	nm := len(nd.Movements)
	nd.Conflicts = newConflictMatrix(nm)
	if nm == 0 {
		return
	}
	// The bounds of each movement's link paths, found once: each path is
	// tested against every other link of the junction.
	bounds := make([][]orb.Bound, nm)
	for i, m := range nd.Movements {
		for _, l := range n.Movements[m].Links {
			bounds[i] = append(bounds[i], boundOf(n.Links[l].Path))
		}
	}
	var lists linkLists
	for i, ma := range nd.Movements {
		for j, mb := range nd.Movements {
			if j <= i {
				continue
			}
			A, B := &n.Movements[ma], &n.Movements[mb]
			for ka, la := range A.Links {
				for kb, lb := range B.Links {
					LA, LB := &n.Links[la], &n.Links[lb]
					if LA.From == LB.From {
						continue // diverging from one lane: no conflict
					}
					if LA.To == LB.To {
						nd.Conflicts.set(i, j, Merges)
						nd.Conflicts.set(j, i, Merges)
						lists.pair(la, lb, listMerging)
					} else if pathsCross(LA.Path, LB.Path, bounds[i][ka], bounds[j][kb]) {
						nd.Conflicts.set(i, j, Crosses)
						nd.Conflicts.set(j, i, Crosses)
						lists.pair(la, lb, listCrossing)
					}
				}
			}
		}
	}
	lists.store(n)
}

// The lists of a link, in the order Link.conf holds them.
const (
	listCrossing uint8 = iota
	listMerging
	listFoes
)

// linkLists gathers the Crossing, Merging and Foes lists of one node's
// links while a builder finds them: entry (link, list, other) says that
// other is on that list of link. store sets them on the links.
type linkLists struct {
	es []listEntry
}

type listEntry struct {
	link  LinkID
	list  uint8 // listCrossing, listMerging or listFoes
	other LinkID
}

// add puts c on list kind of link a.
func (ll *linkLists) add(a, c LinkID, kind uint8) {
	ll.es = append(ll.es, listEntry{a, kind, c})
}

// pair puts b on list kind of a and a on that of b.
func (ll *linkLists) pair(a, b LinkID, kind uint8) {
	ll.add(a, b, kind)
	ll.add(b, a, kind)
}

// store replaces the lists of every link named by an entry with its
// entries, each list sorted and without repeats, all of them in one new
// array; the other links keep theirs.
func (ll *linkLists) store(n *Network) {
	slices.SortFunc(ll.es, func(a, b listEntry) int {
		if a.link != b.link {
			return cmp.Compare(a.link, b.link)
		}
		if a.list != b.list {
			return cmp.Compare(a.list, b.list)
		}
		return cmp.Compare(a.other, b.other)
	})
	es := slices.Compact(ll.es)
	all := make([]LinkID, len(es))
	for i, e := range es {
		all[i] = e.other
	}
	for i := 0; i < len(es); {
		var count [3]uint32
		j := i
		for ; j < len(es) && es[j].link == es[i].link; j++ {
			count[es[j].list]++
		}
		l := &n.Links[es[i].link]
		l.conf, l.nc, l.nm = all[i:j:j], count[listCrossing], count[listMerging]
		i = j
	}
}

// setYields decides who gives way in every conflicting pair and fills
// Link.Foes accordingly. At signals (see the package doc) permissive pairs
// yield by turn rank and right turns yield to crossing traffic; crossing
// through movements are exclusive. Elsewhere the minor road yields, then
// right-before-left, then turn rank.
func setYields(n *Network, v NodeID, signalised bool) {
	nd := &n.Nodes[v]
	c := nd.Conflicts
	for i := range c.Flags {
		c.Flags[i] &^= Yields | TakeTurns
	}
	for i, ma := range nd.Movements {
		for j, mb := range nd.Movements {
			if i == j || !c.Conflicting(i, j) {
				continue
			}
			if takeTurns(n, ma, mb) {
				c.set(i, j, TakeTurns)
			} else if yields(n, ma, mb, i, j, signalised) {
				c.set(i, j, Yields)
			}
		}
	}
	var lists linkLists
	for _, ma := range nd.Movements {
		for _, la := range n.Movements[ma].Links {
			L := &n.Links[la]
			for kind, list := range [...][]LinkID{listCrossing: L.Crossing(), listMerging: L.Merging()} {
				for _, lb := range list {
					lists.add(la, lb, uint8(kind))
					mb := n.Links[lb].Movement
					if c.At(n.Movements[ma].Local, n.Movements[mb].Local)&Yields != 0 {
						lists.add(la, lb, listFoes)
					}
				}
			}
			L.setConflicts(nil, nil, nil)
		}
	}
	lists.store(n)
}

// takeTurns reports whether movements a and b come from the same approach
// (the same road, or roads arriving within 30° of each other) and turn the
// same way: parallel streams that merge take turns rather than one always
// giving way, which would starve it.
func takeTurns(n *Network, a, b MovementID) bool {
	A, B := &n.Movements[a], &n.Movements[b]
	if A.Turn != B.Turn || A.Turn == UTurn {
		return false
	}
	d := angleDiff(approachHeading(n, A.From), approachHeading(n, B.From))
	return A.From == B.From || math.Abs(d) < math.Pi/6
}

// yields reports whether movement a gives way to movement b (local indices
// i, j) when both may go.
func yields(n *Network, a, b MovementID, i, j int, signalised bool) bool {
	A, B := &n.Movements[a], &n.Movements[b]
	ha, hb := approachHeading(n, A.From), approachHeading(n, B.From)
	d := angleDiff(ha, hb) // > 0: b comes from a's right
	opposing := math.Abs(d) > 3*math.Pi/4
	sameApproach := A.From == B.From || math.Abs(d) < math.Pi/6
	byRank := func() bool {
		if A.Turn != B.Turn {
			return A.Turn < B.Turn
		}
		return i > j
	}
	merge := n.Nodes[A.Node].Conflicts.At(i, j)&Crosses == 0
	if signalised {
		switch {
		case A.Turn == UTurn || B.Turn == UTurn:
			return byRank()
		case opposing || sameApproach || merge && (A.Turn != Straight || B.Turn != Straight):
			return byRank()
		case A.Turn == Right && B.Turn != Right:
			return true
		case B.Turn == Right && A.Turn != Right:
			return false
		}
		return false // exclusive
	}
	// Entering a roundabout yields to the traffic going round.
	if ra, rb := n.Roads[A.From].Roundabout, n.Roads[B.From].Roundabout; ra != rb {
		return rb
	}
	pa, pb := n.Roads[A.From].Priority, n.Roads[B.From].Priority
	if pa != pb {
		return pa < pb
	}
	if opposing || sameApproach {
		return byRank()
	}
	return d > 0 // right before left
}
