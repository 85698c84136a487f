package signal

import (
	"fmt"
	"math"

	"github.com/citytwin/citytwin/maps"
)

// FixedTime cycles phases with fixed green times, the classic pre-timed
// control (FHWA Traffic Signal Timing Manual, 2nd ed., 2015, ch. 5). The
// zero value runs the program as it is: all its phases with their
// durations, the cycle starting at the program's offset. Yellow and
// all-red between phases are part of the cycle (see maps.Program.Cycle),
// so a phase turns green exactly when the previous green, yellow and
// all-red have run.
//
// FixedTime keeps no state: one value may serve many junctions.
type FixedTime struct {
	// Phases lists the phases to cycle, in order; nil means every phase
	// of the program.
	Phases []int
	// Green holds the green time (s) of each entry of Phases (of each
	// program phase when Phases is nil); a single value applies to every
	// phase; nil means the program's durations.
	Green []float64
	// Offset shifts the cycle start further, on top of the program's
	// offset (s); GreenWave computes it for an arterial.
	Offset float64
	// YellowInside counts the yellow and all-red after a phase inside its
	// time, as LibSignal's fixed-time baseline does (a 30 s phase is 25 s
	// of green and a 5 s yellow): the green is the phase time minus the
	// change interval that follows it, and the cycle the sum of the phase
	// times. Otherwise (the default, as SUMO and CityFlow run programs)
	// the change interval comes on top of the phase time.
	YellowInside bool
}

// Name implements Controller.
func (f FixedTime) Name() string { return "fixed_time" }

// Decide implements Controller. After the guard has moved the signal
// off the plan (to end a maximum red), it returns to the plan once the
// guard's minimum green allows.
func (f FixedTime) Decide(v View) int { return f.hold(f.plan(v), v) }

// hold returns Decide's answer when the plan shows phase want: the phase
// shown while the guard's minimum green holds it, else want.
func (f FixedTime) hold(want int, v View) int {
	if want != v.Phase && v.GreenFor < minGreen(0, v)-eps {
		return v.Phase
	}
	return want
}

// plain reports whether f runs the program as it is (its zero value).
func (f FixedTime) plain() bool {
	return f.Phases == nil && f.Green == nil && f.Offset == 0 && !f.YellowInside
}

// plan returns the phase the plan shows at v.Now.
func (f FixedTime) plan(v View) int {
	if f.plain() {
		return FixedPhaseAt(v.Program, v.Now)
	}
	p := v.Program
	n := f.len(p)
	cycle := f.Cycle(p)
	if !(cycle > 0) {
		return v.Phase
	}
	c := math.Mod(v.Now-p.Offset-f.Offset, cycle)
	if c < 0 {
		c += cycle
	}
	for k := 0; k < n; k++ {
		c -= f.green(p, k)
		if c < -eps {
			return f.phase(k)
		}
		c -= f.change(p, k)
		if c < -eps {
			return f.phase((k + 1) % n)
		}
	}
	return f.phase(0)
}

// Cycle returns the cycle length f gives program p (s): greens plus the
// yellow and all-red of every change that takes a green away.
func (f FixedTime) Cycle(p *maps.Program) float64 {
	c := 0.0
	for k := 0; k < f.len(p); k++ {
		c += f.green(p, k) + f.change(p, k)
	}
	return c
}

// GreenStart returns when the first green of program phase i starts,
// measured from the cycle start (s), and false if f never shows phase i.
func (f FixedTime) GreenStart(p *maps.Program, i int) (float64, bool) {
	t := 0.0
	for k := 0; k < f.len(p); k++ {
		if f.phase(k) == i {
			return t, true
		}
		t += f.green(p, k) + f.change(p, k)
	}
	return 0, false
}

// Check reports whether f fits program p: phases that exist, one green
// time per phase (or a single one), positive greens.
func (f FixedTime) Check(p *maps.Program) error {
	if err := CheckPhases(p, f.Phases); err != nil {
		return err
	}
	n := f.len(p)
	if len(f.Green) > 1 && len(f.Green) != n {
		return fmt.Errorf("signal: %d green times for %d phases", len(f.Green), n)
	}
	for _, g := range f.Green {
		if !(g > 0) || math.IsInf(g, 0) {
			return fmt.Errorf("signal: green time %g s must be positive and finite", g)
		}
	}
	if f.YellowInside {
		for k := 0; k < n; k++ {
			if t, c := f.phaseTime(p, k), f.change(p, k); t <= c {
				return fmt.Errorf("signal: phase %d: %g s leaves no green inside it after the %g s of yellow and all-red", f.phase(k), t, c)
			}
		}
	}
	if math.IsNaN(f.Offset) || math.IsInf(f.Offset, 0) {
		return fmt.Errorf("signal: offset %g s is not finite", f.Offset)
	}
	return nil
}

func (f FixedTime) len(p *maps.Program) int {
	if f.Phases != nil {
		return len(f.Phases)
	}
	return len(p.Phases)
}

func (f FixedTime) phase(k int) int {
	if f.Phases != nil {
		return f.Phases[k]
	}
	return k
}

// green returns the green time of entry k (s).
func (f FixedTime) green(p *maps.Program, k int) float64 {
	g := f.phaseTime(p, k)
	if f.YellowInside {
		// At least a step's worth of green (Check rejects the rest).
		g = max(g-f.change(p, k), eps)
	}
	return g
}

// phaseTime returns the time given to entry k (s): its green, or with
// YellowInside its green and the change interval after it.
func (f FixedTime) phaseTime(p *maps.Program, k int) float64 {
	switch {
	case len(f.Green) == 1:
		return f.Green[0]
	case len(f.Green) > k:
		return f.Green[k]
	}
	return p.Phases[f.phase(k)].Duration
}

// change returns the yellow and all-red after entry k (s).
func (f FixedTime) change(p *maps.Program, k int) float64 {
	if p.LosesGreen(f.phase(k), f.phase((k+1)%f.len(p))) {
		return p.Yellow + p.AllRed
	}
	return 0
}

// FixedPhaseAt returns the phase a fixed-time program wants at time t (s):
// the phase whose green is running, or the next one while a change runs.
func FixedPhaseAt(p *maps.Program, t float64) int {
	i, _ := fixedPhase(&schedule{program: p, cycle: p.Cycle()}, t)
	return i
}

// schedule is what the plain fixed-time plan of a program follows from:
// its cycle (maps.Program.Cycle) and, when all is set, which changes from
// a phase to the next take a green away (maps.Program.LosesGreen), as
// bits (at most 64 phases), else asked each time. A plant keeps the
// schedule of its program (scheduleOf), as it keeps the plan (planHold):
// programs are not changed in place while they run.
type schedule struct {
	program *maps.Program
	cycle   float64
	loses   uint64
	all     bool
}

// scheduleOf works out the schedule of program p, with its changes when
// they fit in the bits.
func scheduleOf(p *maps.Program) schedule {
	sc := schedule{program: p, cycle: p.Cycle()}
	if n := len(p.Phases); n <= 64 {
		sc.all = true
		for i := range n {
			if p.LosesGreen(i, (i+1)%n) {
				sc.loses |= 1 << i
			}
		}
	}
	return sc
}

// losesGreen reports whether the change from phase i to the next takes a
// green away.
func (sc *schedule) losesGreen(i int) bool {
	if sc.all {
		return sc.loses>>i&1 != 0
	}
	p := sc.program
	return p.LosesGreen(i, (i+1)%len(p.Phases))
}

// fixedPhase returns FixedPhaseAt(sc.program, t) and a time (s) for which
// the answer certainly stays the same after t: until the green or change
// it is in ends, less a margin far above the rounding error of t and the
// cycle sums (0 when t is before the program's offset or at an end).
func fixedPhase(sc *schedule, t float64) (phase int, holds float64) {
	p, cycle := sc.program, sc.cycle
	c := cycleMod(t-p.Offset, cycle)
	before := c < 0
	if before {
		c += cycle
	}
	// The answer changes when c, which grows with t, reaches −eps at the
	// check that gave it.
	left := func(c float64) float64 {
		if before {
			return 0
		}
		return max(-c-eps-holdMargin-float64(1e-12*math.Abs(t)), 0)
	}
	for i := range p.Phases {
		c -= p.Phases[i].Duration
		if c < -eps {
			return i, left(c)
		}
		if sc.losesGreen(i) {
			c -= p.Yellow + p.AllRed
		}
		if c < -eps {
			return (i + 1) % len(p.Phases), left(c)
		}
	}
	return 0, 0
}

// cycleMod returns math.Mod(x, y), the same number, at once when x and y
// are whole numbers, x ≥ +0 and y > 0 (whole seconds: CityFlow's programs
// and steps): the remainder of a division is exact in floating point, so
// the integers' remainder, an integer below y, is the same number, and
// +0 when it is zero, as math.Mod gives for x ≥ +0 (for −0 it gives −0:
// left to it). Below 2⁵³ the conversions to int64 are exact, on every
// machine, and a number with a fraction does not come back equal.
func cycleMod(x, y float64) float64 {
	if x >= 0 && x < 1<<53 && y > 0 && y < 1<<53 && !math.Signbit(x) {
		if xi, yi := int64(x), int64(y); float64(xi) == x && float64(yi) == y {
			return float64(xi % yi)
		}
	}
	return math.Mod(x, y)
}

// holdMargin is how long (s) before a fixed-time plan's change its
// answer is asked again (fixedPhase).
const holdMargin = 1e-3

// GreenWave returns the FixedTime offsets (s) that coordinate the
// junctions of an arterial for traffic driving along it from nodes[0] to
// the last at speed (m/s): the green of the phase serving the arterial's
// through movement starts at junction i when a vehicle released at the
// start of that green at junction 0 arrives, d_i/speed later, d_i being
// the length of the arterial's roads between them; offsets are taken
// modulo the common cycle (the classic one-way progression, e.g. Roess,
// Prassas & McShane, Traffic Engineering, ch. 20).
//
// plans[i] is the FixedTime of nodes[i] and programs[i] its program; all
// must have the same cycle. The returned offset of junction i goes in
// plans[i].Offset (it replaces it); the first junction keeps its own.
func GreenWave(n *maps.Network, nodes []maps.NodeID, speed float64, plans []FixedTime, programs []*maps.Program) ([]float64, error) {
	if len(nodes) < 2 {
		return nil, fmt.Errorf("signal: a green wave needs at least two junctions, got %d", len(nodes))
	}
	if len(plans) != len(nodes) || len(programs) != len(nodes) {
		return nil, fmt.Errorf("signal: a green wave needs one plan and program per junction")
	}
	if !(speed > 0) || math.IsInf(speed, 0) {
		return nil, fmt.Errorf("signal: green wave speed %g m/s must be positive", speed)
	}
	roads := make([]maps.RoadID, len(nodes)-1)
	for i := range roads {
		roads[i] = maps.None
		for _, r := range n.Nodes[nodes[i]].Out {
			if n.Roads[r].To == nodes[i+1] {
				roads[i] = r
				break
			}
		}
		if roads[i] == maps.None {
			return nil, fmt.Errorf("signal: green wave: no road from %s to %s", n.Nodes[nodes[i]].ID, n.Nodes[nodes[i+1]].ID)
		}
	}
	cycle := plans[0].Cycle(programs[0])
	out := make([]float64, len(nodes))
	var start0 float64
	dist := 0.0
	for i, v := range nodes {
		if c := plans[i].Cycle(programs[i]); math.Abs(c-cycle) > 1e-6 {
			return nil, fmt.Errorf("signal: green wave: junction %s has a %g s cycle, %s has %g s; a wave needs a common cycle",
				n.Nodes[v].ID, c, n.Nodes[nodes[0]].ID, cycle)
		}
		mv := arterialMovement(n, v, roads, i)
		if mv < 0 {
			return nil, fmt.Errorf("signal: green wave: junction %s has no movement along the arterial", n.Nodes[v].ID)
		}
		start, ok := -1.0, false
		for k := 0; k < plans[i].len(programs[i]); k++ {
			if ph := plans[i].phase(k); programs[i].Phases[ph].Green(mv) {
				start, ok = plans[i].GreenStart(programs[i], ph)
				break
			}
		}
		if !ok {
			return nil, fmt.Errorf("signal: green wave: no phase of junction %s serves the arterial", n.Nodes[v].ID)
		}
		if i > 0 {
			dist += n.Roads[roads[i-1]].Length
		}
		if i == 0 {
			out[0] = plans[0].Offset
			start0 = programs[0].Offset + plans[0].Offset + start
			continue
		}
		off := math.Mod(start0+dist/speed-start-programs[i].Offset, cycle)
		if off < 0 {
			off += cycle
		}
		out[i] = off
	}
	return out, nil
}

// arterialMovement returns the local index of the movement at junction
// nodes[i] along the arterial: from roads[i−1] to roads[i], or the
// straight one from roads[i−1] at the last junction, or into roads[i]
// at the first; −1 if none.
func arterialMovement(n *maps.Network, v maps.NodeID, roads []maps.RoadID, i int) int {
	best := -1
	for _, m := range n.Nodes[v].Movements {
		mv := &n.Movements[m]
		switch {
		case i > 0 && i < len(roads) && mv.From == roads[i-1] && mv.To == roads[i]:
			return mv.Local
		case i == 0 && mv.To == roads[0] && mv.Turn == maps.Straight:
			return mv.Local
		case i == len(roads) && mv.From == roads[i-1] && mv.Turn == maps.Straight:
			return mv.Local
		case i == 0 && mv.To == roads[0] && best < 0:
			best = mv.Local
		}
	}
	return best
}

// LongestRed returns the movement of program p that f keeps red longest
// without a break, and that red time (s) — +Inf for a movement f never
// gives green. Yellow does not count as red; all-red does.
func (f FixedTime) LongestRed(p *maps.Program) (m int, red float64) {
	n := f.len(p)
	m = -1
	if n == 0 {
		return -1, 0
	}
	for mv := range p.Phases[0].State {
		// Red spans over one cycle as (start, length) runs; the longest
		// cyclic run is the longest run, or the last joined to the first.
		var runs []float64
		cur, first, ever := 0.0, -1.0, false
		flush := func() {
			if first < 0 {
				first = cur
			} else {
				runs = append(runs, cur)
			}
			cur = 0
		}
		for k := 0; k < n; k++ {
			a, b := f.phase(k), f.phase((k+1)%n)
			if p.Phases[a].Green(mv) {
				ever = true
				flush()
				if !p.Phases[b].Green(mv) && p.LosesGreen(a, b) {
					cur += p.AllRed
				}
				continue
			}
			cur += f.green(p, k) + f.change(p, k)
		}
		longest := math.Inf(1)
		if ever {
			longest = cur + max(first, 0)
			for _, r := range runs {
				longest = max(longest, r)
			}
		}
		if longest > red || m < 0 {
			m, red = mv, longest
		}
	}
	return m, red
}
