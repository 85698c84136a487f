package signal

import "github.com/citytwin/citytwin/maps"

// GapActuated runs an actuated program (maps.Program.Actuated, from a
// SUMO tlLogic of type "actuated") the way SUMO's gap-based actuated
// traffic lights do (SUMO documentation, "Traffic Lights: Actuated
// Traffic Lights, based on time gaps"; Eclipse SUMO's
// MSActuatedTrafficLightLogic): the phases follow one another in program
// order, none skipped; a phase with MinDur < MaxDur stays green at least
// MinDur and at most MaxDur, and in between as long as a vehicle has
// passed a detector of its green lanes less than MaxGap seconds ago (or is
// over one). Other phases run their Duration, as do all phases when the
// engine gives no sensors.
//
// The detectors are the engine's induction loops, one per lane at the
// scenario's loop offset (25 m before the stop line by default; SUMO
// places them detector-gap seconds of travel at the speed limit back, 28 m
// at 50 km/h). Lanes of movements green in every phase do not extend a
// phase.
//
// A GapActuated holds the state of one junction: give each its own.
type GapActuated struct {
	// MaxGap is the longest gap (s) between vehicles that extends a phase;
	// 0 takes the program's Actuated.MaxGap, or 3 s.
	MaxGap float64

	prog  *maps.Program
	lanes [][]int // per phase, indices into NodeSensors.In of its detector lanes
}

// Name implements Controller: a GapActuated is how the fixed_time policy
// runs an actuated program.
func (g *GapActuated) Name() string { return "fixed_time" }

// Decide implements Controller.
func (g *GapActuated) Decide(v View) int {
	p := v.Program
	if v.First {
		return FixedPhaseAt(p, v.Now)
	}
	ph := p.Phases[v.Phase]
	next := (v.Phase + 1) % len(p.Phases)
	if v.GreenFor < minGreen(0, v)-eps {
		return v.Phase
	}
	if !(ph.MinDur < ph.MaxDur) || v.Sensors == nil {
		if v.GreenFor >= ph.Duration-eps {
			return next
		}
		return v.Phase
	}
	switch {
	case v.GreenFor < ph.MinDur-eps:
		return v.Phase
	case v.GreenFor >= ph.MaxDur-eps:
		return next
	}
	gap := g.MaxGap
	if gap <= 0 {
		gap = 3
		if p.Actuated != nil && p.Actuated.MaxGap > 0 {
			gap = p.Actuated.MaxGap
		}
	}
	for _, i := range g.detectors(p, v.Sensors)[v.Phase] {
		if s := &v.Sensors.In[i]; s.Occupied || s.Gap < gap-eps {
			return v.Phase
		}
	}
	return next
}

// detectors returns, per phase, the incoming lanes whose loops extend it:
// the lanes of its green movements that are not green in every phase.
func (g *GapActuated) detectors(p *maps.Program, s *NodeSensors) [][]int {
	if g.prog == p && g.lanes != nil {
		return g.lanes
	}
	g.prog = p
	g.lanes = make([][]int, len(p.Phases))
	for k, ph := range p.Phases {
		seen := map[int]bool{}
		for m := range ph.State {
			if !ph.Green(m) || m >= len(s.MovIn) {
				continue
			}
			always := true
			for _, o := range p.Phases {
				always = always && o.Green(m)
			}
			if always {
				continue
			}
			for _, i := range s.MovIn[m] {
				if !seen[i] {
					seen[i] = true
					g.lanes[k] = append(g.lanes[k], i)
				}
			}
		}
	}
	return g.lanes
}
