package maps

import "fmt"

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
	for i, ph := range p.Phases {
		c += ph.Duration
		next := p.Phases[(i+1)%len(p.Phases)]
		if losesGreen(ph, next) {
			c += p.Yellow + p.AllRed
		}
	}
	return c
}

// losesGreen reports whether some movement green in a is red in b.
func losesGreen(a, b Phase) bool {
	for m := range a.State {
		if a.Green(m) && !b.Green(m) {
			return true
		}
	}
	return false
}

// LosesGreen reports whether moving from phase i to phase j takes the green
// away from some movement (and so needs a yellow).
func (p *Program) LosesGreen(i, j int) bool { return losesGreen(p.Phases[i], p.Phases[j]) }

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
