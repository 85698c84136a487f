package signal

import "math"

// MaxPressure is max-pressure control (P. Varaiya, "Max pressure control
// of a network of signalized intersections", Transportation Research Part
// C 36, 2013, 177–195): at each decision the junction shows the phase of
// largest pressure, the sum over the movements it gives green of the
// vehicles upstream (on the movement's incoming lanes) minus the vehicles
// downstream (on the lanes it feeds), as read by the lane-area detectors
// (NodeSensors.MovementQueue). Decisions come every Delta seconds, the
// first MinGreen after a green starts; ties keep the current phase, or go
// to the first tied phase in cycle order after it.
//
// With the usual CityFlow benchmark settings (Delta = MinGreen = 10 s,
// yellow 5 s) this is the MaxPressure baseline of PressLight and CoLight
// (Wei et al., KDD 2019, CIKM 2019).
//
// A MaxPressure holds the state of one junction: give each junction its
// own.
type MaxPressure struct {
	// Phases is the phase set; nil, or a set CheckPhases
	// rejects, means DefaultPhases.
	Phases []int
	// MinGreen is the least green before the first decision (s); 0 means
	// 10.
	MinGreen float64
	// Delta is the decision interval (s); 0 means 10.
	Delta float64
	// Halting counts only standing vehicles (queues) instead of all the
	// vehicles in the detector areas.
	Halting bool

	l    layout
	next float64 // s, time of the next decision
	at   float64 // s, start of the green next belongs to
}

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
		mp.next = start + minGreen(orDefault(mp.MinGreen, 10), v)
	}
	if v.Now < mp.next-eps {
		return v.Phase
	}
	mp.next = v.Now + orDefault(mp.Delta, 10)
	best, bestP := v.Phase, int64(-1<<62)
	if k := mp.l.pos[v.Phase]; k >= 0 {
		bestP = mp.pressure(s, v.Phase)
	}
	for j, n := mp.l.after(v.Phase), 0; n < len(mp.l.order); j, n = (j+1)%len(mp.l.order), n+1 {
		if p := mp.pressure(s, mp.l.order[j]); p > bestP {
			best, bestP = mp.l.order[j], p
		}
	}
	if best != v.Phase && v.GreenFor < minGreen(0, v)-eps {
		return v.Phase
	}
	return best
}

// pressure returns the pressure of program phase i.
func (mp *MaxPressure) pressure(s *NodeSensors, i int) int64 {
	var p int64
	st := mp.l.prog.Phases[i]
	for m := range st.State {
		if !st.Green(m) || m >= len(s.MovIn) {
			continue
		}
		if mp.Halting {
			for _, i := range s.MovIn[m] {
				p += int64(s.In[i].Halting)
			}
			for _, i := range s.MovOut[m] {
				p -= int64(s.Out[i].Halting)
			}
			continue
		}
		up, down := s.MovementQueue(m)
		p += int64(up - down)
	}
	return p
}
