package signal

import (
	"fmt"
	"slices"

	"github.com/citytwin/citytwin/maps"
)

// Dominated reports whether phase i of p is dominated: every movement it
// gives green is green in some other phase too, which gives more. Such a
// phase serves nobody another phase would not serve as well: CityFlow's
// phase 0 (the right turns only, green in every phase — a clearance
// phase), or a protected-turn phase whose turns also run, permissively, in
// a main phase (the netconvert-style programs of maps.Grid).
func Dominated(p *maps.Program, i int) bool {
	for j, ph := range p.Phases {
		if j == i {
			continue
		}
		sub, more := true, false
		for m := range ph.State {
			gi, gj := p.Phases[i].Green(m), ph.Green(m)
			if gi && !gj {
				sub = false
				break
			}
			if gj && !gi {
				more = true
			}
		}
		if sub && more {
			return true
		}
	}
	return false
}

// DefaultPhases returns the phases a policy chooses from when given no
// phase set: every phase of p that is not dominated (see Dominated), in
// program order. Leaving those out loses no movement — each of their
// greens is in a phase kept — and keeps policies that compare phases
// (max pressure, SOTL) from wasting change intervals on them.
func DefaultPhases(p *maps.Program) []int {
	var out []int
	for i := range p.Phases {
		if !Dominated(p, i) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		for i := range p.Phases {
			out = append(out, i)
		}
	}
	return out
}

// CheckPhases reports whether set is a usable phase set for p: at least
// one phase, every index a phase of p, none twice. nil (the default set)
// is always usable.
func CheckPhases(p *maps.Program, set []int) error {
	if set == nil {
		return nil
	}
	if len(set) == 0 {
		return fmt.Errorf("signal: the phase set is empty")
	}
	for k, i := range set {
		if i < 0 || i >= len(p.Phases) {
			return fmt.Errorf("signal: phase %d does not exist (the program has phases 0 to %d)", i, len(p.Phases)-1)
		}
		if slices.Contains(set[:k], i) {
			return fmt.Errorf("signal: phase %d is listed twice", i)
		}
	}
	return nil
}

// layout is what an adaptive controller derives from its program and
// phase set: the phases it may choose in cycle order, and for each the
// movements it exists for and their incoming lanes. It is rebuilt when the
// program changes (a plant's program may be replaced between steps).
type layout struct {
	prog  *maps.Program
	sens  *NodeSensors // the sensor layout the lane lists were built for
	order []int        // phases in cycle order
	pos   []int        // index in order of each program phase, −1 if not in the set
	// own[k] lists the movements green in order[k] but not in every phase
	// of the set (the always-green movements, such as CityFlow's right
	// turns, tell the phases nothing apart).
	own [][]int
	// lanes[k] lists the indices into NodeSensors.In of the lanes with
	// links of own[k], each once; nil until sensors are seen.
	lanes [][]int
}

// ensure (re)builds l for program p, phase set set and sensors s.
func (l *layout) ensure(p *maps.Program, set []int, s *NodeSensors) {
	if l.prog == p && (s == nil || l.sens == s) {
		return
	}
	if l.prog != p {
		*l = layout{prog: p}
		l.order = set
		if CheckPhases(p, set) != nil || set == nil {
			l.order = DefaultPhases(p)
		}
		l.pos = make([]int, len(p.Phases))
		for i := range l.pos {
			l.pos[i] = -1
		}
		for k, i := range l.order {
			l.pos[i] = k
		}
		n := len(p.Phases[0].State)
		l.own = make([][]int, len(l.order))
		for m := 0; m < n; m++ {
			all := true
			for _, i := range l.order {
				all = all && p.Phases[i].Green(m)
			}
			if all {
				continue
			}
			for k, i := range l.order {
				if p.Phases[i].Green(m) {
					l.own[k] = append(l.own[k], m)
				}
			}
		}
	}
	if s != nil {
		l.sens = s
		l.lanes = make([][]int, len(l.order))
		for k, ms := range l.own {
			for _, m := range ms {
				if m >= len(s.MovIn) {
					continue
				}
				for _, i := range s.MovIn[m] {
					if !slices.Contains(l.lanes[k], i) {
						l.lanes[k] = append(l.lanes[k], i)
					}
				}
			}
		}
	}
}

// after returns the index in order of the first phase of the set after
// program phase i in cycle order (wrapping): the next entry when i is in
// the set, otherwise the first one with a higher phase number.
func (l *layout) after(i int) int {
	if k := l.pos[i]; k >= 0 {
		return (k + 1) % len(l.order)
	}
	for k, j := range l.order {
		if j > i {
			return k
		}
	}
	return 0
}

// vehicles returns the vehicles in the area detectors of the lanes of
// order entry k.
func (l *layout) vehicles(s *NodeSensors, k int) int {
	n := 0
	for _, i := range l.lanes[k] {
		n += s.In[i].Vehicles
	}
	return n
}

// minGreen returns the green a controller must give before asking for a
// change: its own minimum, and the guard's (none at the first decision).
func minGreen(own float64, v View) float64 {
	if v.First {
		return 0
	}
	return max(own, v.Guard.MinGreen)
}

// orDefault returns x, or def when x is 0 (a parameter for which 0 is
// not a valid value).
func orDefault(x, def float64) float64 {
	if x == 0 {
		return def
	}
	return x
}

// orDefaultPtr returns *x, or def when x is nil (a parameter for which 0
// is a valid value).
func orDefaultPtr[T any](x *T, def T) T {
	if x == nil {
		return def
	}
	return *x
}
