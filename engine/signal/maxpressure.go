package signal

import (
	"fmt"
	"math"
)

// MaxPressureVariant selects how MaxPressure weighs the downstream lanes.
type MaxPressureVariant uint8

// MaxPressure variants.
const (
	// MaxPressureAverage is the published definition (the zero value): a
	// movement's pressure is, over each of its incoming lanes, the
	// vehicles there minus the turn-weighted average of the vehicles on
	// the lanes that lane feeds through the movement.
	MaxPressureAverage MaxPressureVariant = iota
	// MaxPressureAllDownstream is CityTwin's earlier variant: the
	// vehicles on the movement's incoming lanes minus those on all the
	// lanes it feeds. With several exit lanes per movement it overweighs
	// the downstream queues, and a junction can hold a phase whose exit is
	// filling while the other approaches lock up.
	MaxPressureAllDownstream
)

func (v MaxPressureVariant) String() string {
	switch v {
	case MaxPressureAverage:
		return "average"
	case MaxPressureAllDownstream:
		return "all_downstream"
	}
	return fmt.Sprintf("MaxPressureVariant(%d)", v)
}

// MaxPressure is max-pressure control (P. Varaiya, "Max pressure control
// of a network of signalized intersections", Transportation Research Part
// C 36, 2013, 177–195): at each decision the junction shows the phase of
// largest pressure, the sum over the movements it gives green of their
// pressure. A movement's pressure is, in Varaiya's definition, the queue
// upstream minus the turn-ratio-weighted queues downstream; here, as in
// PressLight (H. Wei et al., KDD 2019) and LibSignal (H. Mei et al., 2023),
// per lane-to-lane connection: for each incoming lane l of the movement,
// x(l) minus the average of x over the lanes l feeds through it (its
// connections weighted equally), x being the vehicles in the lane-area
// detectors (NodeSensors.MovLinks). Decisions come every Delta seconds,
// the first MinGreen after a green starts; ties keep the current phase, or
// go to the first tied phase in cycle order after it.
//
// With the usual CityFlow benchmark settings (Delta = MinGreen = 10 s,
// yellow 5 s) this is the MaxPressure baseline of PressLight, CoLight and
// LibSignal.
//
// A MaxPressure holds the state of one junction: give each junction its
// own.
type MaxPressure struct {
	// Phases is the phase set; nil, or a set CheckPhases
	// rejects, means DefaultPhases.
	Phases []int
	// MinGreen is the least green before the first decision (s); nil
	// means DefaultMaxPressureMinGreen. The guard's minimum green holds
	// whatever it is.
	MinGreen *float64
	// Delta is the decision interval (s); 0 means DefaultMaxPressureDelta.
	Delta float64
	// Halting counts only standing vehicles (queues) instead of all the
	// vehicles in the detector areas.
	Halting bool
	// Variant is the pressure definition; the zero value is the
	// published one.
	Variant MaxPressureVariant

	l    layout
	next float64 // s, time of the next decision
	at   float64 // s, start of the green next belongs to
}

// MaxPressure's defaults.
const (
	DefaultMaxPressureMinGreen = 10.0 // s
	DefaultMaxPressureDelta    = 10.0 // s
)

// Name implements Controller.
func (mp *MaxPressure) Name() string { return "max_pressure" }

// Decide implements Controller.
func (mp *MaxPressure) Decide(v View) int {
	s := v.Sensors
	if s == nil {
		return FixedTime{}.Decide(v)
	}
	mp.l.ensure(v.Program, mp.Phases, s)
	start := v.Now - v.GreenFor
	if math.Abs(start-mp.at) > eps || mp.next == 0 {
		mp.at = start
		mp.next = start + minGreen(orDefaultPtr(mp.MinGreen, DefaultMaxPressureMinGreen), v)
	}
	if v.Now < mp.next-eps {
		return v.Phase
	}
	mp.next = v.Now + orDefault(mp.Delta, DefaultMaxPressureDelta)
	best, bestP := v.Phase, math.Inf(-1)
	if k := mp.l.pos[v.Phase]; k >= 0 {
		bestP = mp.pressure(s, v.Phase)
	}
	for j, n := mp.l.after(v.Phase), 0; n < len(mp.l.order); j, n = (j+1)%len(mp.l.order), n+1 {
		if p := mp.pressure(s, mp.l.order[j]); p > bestP+eps {
			best, bestP = mp.l.order[j], p
		}
	}
	if best != v.Phase && v.GreenFor < minGreen(0, v)-eps {
		return v.Phase
	}
	return best
}

// pressure returns the pressure of program phase i.
func (mp *MaxPressure) pressure(s *NodeSensors, i int) float64 {
	var p float64
	st := mp.l.prog.Phases[i]
	for m := range st.State {
		if !st.Green(m) || m >= len(s.MovIn) {
			continue
		}
		if mp.Variant == MaxPressureAllDownstream {
			for _, i := range s.MovIn[m] {
				p += float64(mp.count(&s.In[i]))
			}
			for _, i := range s.MovOut[m] {
				p -= float64(mp.count(&s.Out[i]))
			}
			continue
		}
		p += mp.movementPressure(s, m)
	}
	return p
}

// movementPressure returns Σ over the incoming lanes l of movement m of
// x(l) − the mean of x over the lanes l feeds through m. Without
// MovLinks (sensors built by hand) every incoming lane of m feeds every
// lane of MovOut[m].
func (mp *MaxPressure) movementPressure(s *NodeSensors, m int) float64 {
	var links []LanePair
	if m < len(s.MovLinks) {
		links = s.MovLinks[m]
	}
	var p float64
	for _, in := range s.MovIn[m] {
		down, n := 0, 0
		if links == nil {
			for _, o := range s.MovOut[m] {
				down += mp.count(&s.Out[o])
				n++
			}
		}
		for _, lp := range links {
			if lp.In == in {
				down += mp.count(&s.Out[lp.Out])
				n++
			}
		}
		p += float64(mp.count(&s.In[in]))
		if n > 0 {
			p -= float64(down) / float64(n)
		}
	}
	return p
}

// count is the lane's x: its vehicles, or its halting ones.
func (mp *MaxPressure) count(l *LaneSensors) int {
	if mp.Halting {
		return l.Halting
	}
	return l.Vehicles
}
