package signal

import (
	"fmt"
	"slices"
)

// SOTLVariant selects one of the self-organising methods.
type SOTLVariant uint8

// SOTL variants. Threshold is the rule of the benchmark suites; the
// other three are Gershenson's counter methods, each adding a rule to the
// previous one.
const (
	// SOTLThreshold is the threshold rule of Cools, Gershenson and
	// D'Hooghe as the traffic-signal benchmarks run it (the zero value):
	// once the green has lasted PhiMin, change when the red approaches
	// hold more than MaxRedVehicles waiting vehicles and the green ones at
	// most MinGreenVehicles (see SOTL).
	SOTLThreshold SOTLVariant = iota
	// SOTLPlatoon is SOTLPhase that does not cut a platoon crossing on
	// green: no change while 1 to Mu vehicles are within ω of the stop
	// line on the green approaches.
	SOTLPlatoon
	// SOTLRequest changes once the counter κ of a red phase reaches θ.
	SOTLRequest
	// SOTLPhase is SOTLRequest that keeps every green at least PhiMin.
	SOTLPhase
)

func (v SOTLVariant) String() string {
	switch v {
	case SOTLThreshold:
		return "threshold"
	case SOTLPlatoon:
		return "platoon"
	case SOTLRequest:
		return "request"
	case SOTLPhase:
		return "phase"
	}
	return fmt.Sprintf("SOTLVariant(%d)", v)
}

// SOTL is self-organising traffic-light control.
//
// The default variant, SOTLThreshold, is the threshold rule of S.-B.
// Cools, C. Gershenson and B. D'Hooghe, "Self-organizing traffic lights:
// a realistic simulation", in Advances in Applied Self-Organizing Systems
// (Springer, 2008/2013), 45–55, in the form the traffic-signal benchmarks
// (tlc-baselines, LibSignal) run it: after PhiMin of green, the light
// changes when the approaches that are red hold more than MaxRedVehicles
// halting vehicles while the green ones hold at most MinGreenVehicles;
// and, by the paper's fourth rule, whenever the green approaches hold no
// vehicle at all while some vehicle waits at red. Green approaches are the
// incoming lanes with a link of a movement green in the current phase
// (always-green right turns included), red ones the other incoming lanes;
// vehicles halt below 0.1 m/s (LaneSensors.Halting). The paper switches
// between two approaches; with more phases the light goes to the phase,
// among those with halting vehicles of their own, whose counter κ (below,
// counting halting vehicles) is largest — the longest-waiting queues
// first, so that none starves — ties in cycle order. (The benchmarks'
// plain next-phase-in-cycle rule spends a change interval on every phase
// of an 8-phase set, empty or not.)
//
// The other variants are the counter methods of C. Gershenson,
// "Self-organizing traffic lights", Complex Systems 16(1), 2005, 29–53,
// generalised from two approaches to any phase set. Every red phase keeps
// a counter κ, zero when it loses its green, that grows each second by
// the number of vehicles approaching or waiting on its red approaches
// (the lane-area detectors; so θ is in vehicle-seconds). The green
// changes to the red phase of largest κ once some κ reaches Theta:
//
//   - request: as soon as that happens (the guard's minimum green still
//     holds);
//   - phase: and the green has lasted PhiMin;
//   - platoon: and no platoon is crossing — a change is held while between
//     1 and Mu vehicles are within ω of the stop line on the green
//     approaches (more than Mu: the platoon is cut). ω is the distance of
//     the induction loops before the stop line (LaneSensors.Near, engine
//     Config.LoopOffset).
//
// Movements green in every phase of the set (CityFlow's right turns)
// count for no phase of the counter methods.
//
// A SOTL holds the state of one junction: give each junction its own.
//
// Parameters for which 0 is a valid value are pointers (nil: the
// default); for the others 0 means the default.
type SOTL struct {
	// Phases is the phase set, in cycle order; nil, or a set CheckPhases
	// rejects, means DefaultPhases.
	Phases  []int
	Variant SOTLVariant
	// MinGreenVehicles is the threshold rule's most halting vehicles on
	// the green approaches that still allow a change; nil means
	// DefaultSOTLGreenVehicles.
	MinGreenVehicles *int
	// MaxRedVehicles is the threshold rule's number of halting vehicles
	// on the red approaches that must be exceeded; nil means
	// DefaultSOTLRedVehicles.
	MaxRedVehicles *int
	// Theta is the threshold θ of κ (veh·s); 0 means DefaultSOTLTheta.
	Theta float64
	// PhiMin is the minimum green φ_min (s) of the threshold, phase and
	// platoon variants; nil means DefaultSOTLPhiMin. The guard's minimum
	// green holds whatever it is.
	PhiMin *float64
	// Mu is the platoon size μ above which a platoon may be cut; 0 means
	// DefaultSOTLMu.
	Mu int

	l     layout
	kappa []float64 // veh·s per order entry
	last  float64   // s, time of the last counted step
}

// SOTL's defaults.
const (
	DefaultSOTLGreenVehicles = 5    // vehicles
	DefaultSOTLRedVehicles   = 5    // vehicles
	DefaultSOTLTheta         = 40.0 // veh·s
	DefaultSOTLPhiMin        = 5.0  // s
	DefaultSOTLMu            = 3    // vehicles
)

// Name implements Controller.
func (so *SOTL) Name() string { return "sotl" }

// count advances the counters κ to v.Now: each red phase's grows by the
// vehicles (halting ones only when halting is set) on the lanes of its
// movements that are red now, times the time since the last count; the
// green phase's is zero.
func (so *SOTL) count(v View, halting bool) {
	s := v.Sensors
	if len(so.kappa) != len(so.l.order) {
		so.kappa = make([]float64, len(so.l.order))
		so.last = v.Now
	}
	dt := max(v.Now-so.last, 0)
	so.last = v.Now
	cur := v.Program.Phases[v.Phase]
	for k, i := range so.l.order {
		if i == v.Phase {
			so.kappa[k] = 0
			continue
		}
		n := 0
		for _, m := range so.l.own[k] {
			if cur.Green(m) || m >= len(s.MovIn) {
				continue
			}
			for _, li := range s.MovIn[m] {
				if halting {
					n += s.In[li].Halting
				} else {
					n += s.In[li].Vehicles
				}
			}
		}
		so.kappa[k] += float64(float64(n) * dt)
	}
}

// threshold decides by the threshold rule.
func (so *SOTL) threshold(v View) int {
	s := v.Sensors
	if v.GreenFor < minGreen(orDefaultPtr(so.PhiMin, DefaultSOTLPhiMin), v)-eps {
		return v.Phase
	}
	cur := v.Program.Phases[v.Phase]
	green, red, coming := 0, 0, 0
	for i := range s.In {
		on := false
		for m := range cur.State {
			if cur.Green(m) && m < len(s.MovIn) && slices.Contains(s.MovIn[m], i) {
				on = true
				break
			}
		}
		if on {
			green += s.In[i].Halting
			coming += s.In[i].Vehicles
		} else {
			red += s.In[i].Halting
		}
	}
	ming := orDefaultPtr(so.MinGreenVehicles, DefaultSOTLGreenVehicles)
	maxr := orDefaultPtr(so.MaxRedVehicles, DefaultSOTLRedVehicles)
	k := so.l.pos[v.Phase]
	// Cools et al.'s rule 4 as well: with no vehicle at all on the green
	// approaches, any vehicle waiting at red gets the green (otherwise a
	// few vehicles at red would wait for good behind an empty green).
	if k >= 0 && (green > ming || red <= maxr) && (coming > 0 || red == 0) {
		return v.Phase
	}
	// The next phase in cycle order with halting vehicles of its own
	// (Cools et al. switch only towards approaches where vehicles wait);
	// phases without any are skipped, as actuated control skips them.
	// Where to: among the phases with halting vehicles of their own, the
	// one whose counter κ (halting vehicle-seconds since it lost its
	// green, Gershenson's counter) is largest, so that the longest and
	// longest-waiting queues go first and none starves; ties in cycle
	// order.
	best := -1
	for j, n := so.l.after(v.Phase), 0; n < len(so.l.order); j, n = (j+1)%len(so.l.order), n+1 {
		if j == k {
			continue
		}
		h := 0
		for _, i := range so.l.lanes[j] {
			h += s.In[i].Halting
		}
		if h > 0 && (best < 0 || so.kappa[j] > so.kappa[best]+eps) {
			best = j
		}
	}
	if best >= 0 {
		return so.l.order[best]
	}
	if k < 0 {
		return so.l.order[so.l.after(v.Phase)]
	}
	return v.Phase
}

// Decide implements Controller.
func (so *SOTL) Decide(v View) int {
	s := v.Sensors
	if s == nil {
		return FixedTime{}.Decide(v)
	}
	so.l.ensure(v.Program, so.Phases, s)
	so.count(v, so.Variant == SOTLThreshold)
	if so.Variant == SOTLThreshold {
		return so.threshold(v)
	}
	k := so.l.pos[v.Phase]
	if k >= 0 {
		min := minGreen(0, v)
		if so.Variant != SOTLRequest {
			min = minGreen(orDefaultPtr(so.PhiMin, DefaultSOTLPhiMin), v)
		}
		if v.GreenFor < min-eps {
			return v.Phase
		}
	} else if v.GreenFor < minGreen(0, v)-eps {
		return v.Phase
	}
	best := -1
	theta := orDefault(so.Theta, DefaultSOTLTheta)
	for j, n := so.l.after(v.Phase), 0; n < len(so.l.order); j, n = (j+1)%len(so.l.order), n+1 {
		if j != k && so.kappa[j] >= theta-eps && (best < 0 || so.kappa[j] > so.kappa[best]) {
			best = j
		}
	}
	if k < 0 && best < 0 {
		return so.l.order[so.l.after(v.Phase)] // leave a phase outside the set
	}
	if best < 0 {
		return v.Phase
	}
	if so.Variant == SOTLPlatoon && k >= 0 {
		mu := so.Mu
		if mu == 0 {
			mu = DefaultSOTLMu
		}
		near := 0
		for _, li := range so.l.lanes[k] {
			near += s.In[li].Near
		}
		if near > 0 && near <= mu {
			return v.Phase
		}
	}
	return so.l.order[best]
}
