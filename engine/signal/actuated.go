package signal

// Actuated is fully actuated control as described in the FHWA Traffic
// Signal Timing Manual (2nd ed., 2015, ch. 5, "Actuated control"): phases
// are served in cycle order, each for at least MinGreen; the green is then
// extended while vehicles keep arriving — every vehicle crossing a loop of
// the phase restarts a passage timer of Passage seconds — and ends when
// the timer runs out with no vehicle over a loop (gap-out) or when the
// green reaches MaxGreen (max-out). A phase with no vehicle on its
// approaches is skipped; with no demand elsewhere the green rests on the
// current phase.
//
// The loops are the engine's induction loops (LaneSensors.Gap and
// Occupied), the demand its lane-area detectors (LaneSensors.Vehicles).
// Movements green in every phase of the set (CityFlow's right turns) do
// not extend or call phases.
//
// An Actuated holds the state of one junction: give each junction its own.
type Actuated struct {
	// Phases is the phase set, in cycle order; nil, or a set CheckPhases
	// rejects, means DefaultPhases.
	Phases []int
	// MinGreen is the minimum green (s); 0 means DefaultActuatedMinGreen.
	// With advance loops
	// it must let the vehicles stored between the loop and the stop line
	// go: the manual's 3 s plus 2 s per vehicle gives 10 s for the
	// engine's loops 25 m (3 to 4 cars) back.
	MinGreen float64
	// MaxGreen is the maximum green (s), reached only while vehicles keep
	// arriving and another phase has demand; 0 means
	// DefaultActuatedMaxGreen.
	MaxGreen float64
	// Passage is the passage time or unit extension (s): the longest gap
	// between vehicles at the loops that keeps the green; 0 means
	// DefaultActuatedPassage.
	Passage float64

	l layout
}

// Actuated's defaults.
const (
	DefaultActuatedMinGreen = 10.0 // s
	DefaultActuatedMaxGreen = 50.0 // s
	DefaultActuatedPassage  = 3.0  // s
)

// Name implements Controller.
func (a *Actuated) Name() string { return "actuated" }

// Decide implements Controller.
func (a *Actuated) Decide(v View) int {
	s := v.Sensors
	if s == nil {
		return FixedTime{}.Decide(v)
	}
	a.l.ensure(v.Program, a.Phases, s)
	k := a.l.pos[v.Phase]
	if v.GreenFor < minGreen(orDefault(a.MinGreen, DefaultActuatedMinGreen), v)-eps && k >= 0 {
		return v.Phase
	}
	// The next phase with demand, skipping those without.
	next := -1
	for j, n := a.l.after(v.Phase), 0; n < len(a.l.order); j, n = (j+1)%len(a.l.order), n+1 {
		if j != k && a.l.vehicles(s, j) > 0 {
			next = j
			break
		}
	}
	switch {
	case k < 0:
		// A phase outside the set (set by the guard or at the start).
		if v.GreenFor < minGreen(0, v)-eps {
			return v.Phase
		}
		if next < 0 {
			next = a.l.after(v.Phase)
		}
		return a.l.order[next]
	case next < 0:
		return v.Phase // rest in green
	case v.GreenFor >= orDefault(a.MaxGreen, DefaultActuatedMaxGreen)-eps:
		return a.l.order[next] // max-out
	case a.gapOut(s, k, v.GreenFor):
		return a.l.order[next]
	}
	return v.Phase
}

// gapOut reports whether no vehicle is over a loop of order entry k and
// the last passed one at least Passage ago.
func (a *Actuated) gapOut(s *NodeSensors, k int, green float64) bool {
	pt := orDefault(a.Passage, DefaultActuatedPassage)
	gap := green // the passage timer starts with the green
	for _, i := range a.l.lanes[k] {
		if s.In[i].Occupied {
			return false
		}
		gap = min(gap, s.In[i].Gap)
	}
	return gap >= pt-eps
}
