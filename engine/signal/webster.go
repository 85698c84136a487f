package signal

import (
	"github.com/citytwin/citytwin/maps"
)

// Webster runs a fixed cycle whose length and green splits come from
// Webster's formulas (F. V. Webster, "Traffic signal settings", Road
// Research Technical Paper 39, HMSO, London, 1958): the delay-minimising
// cycle
//
//	C₀ = (1.5·L + 5) / (1 − Y),
//
// with L the lost time per cycle and Y = Σᵢ yᵢ the sum over phases of the
// critical flow ratio yᵢ = max over the phase's movements of q/s (flow over
// saturation flow), and effective greens gᵢ = (C₀ − L)·yᵢ/Y.
//
// Flows q come from Flows (for example the scenario's demand) until the
// junction's induction loops have counted K cycles, and then from the
// loop counts of the last K cycles, recomputed every K cycles. A
// movement's flow is that of its incoming lanes (the loops cannot tell
// movements sharing a lane apart), divided among the phases that serve
// it; s is Saturation times its lane count. Movements green in every phase
// of the set (CityFlow's right turns) are left out.
//
// A Webster holds the state of one junction: give each junction its own.
//
// Parameters for which 0 is a valid value are pointers (nil: the
// default); for the others 0 means the default.
type Webster struct {
	// Phases is the phase set, in cycle order; nil, or a set CheckPhases
	// rejects, means DefaultPhases.
	Phases []int
	// Saturation is the saturation flow per lane (veh/h); 0 means
	// DefaultWebsterSaturation.
	Saturation float64
	// K is the number of cycles between recomputations; 0 means
	// DefaultWebsterK.
	K int
	// MinCycle and MaxCycle bound the cycle (s); 0 means
	// DefaultWebsterMinCycle and DefaultWebsterMaxCycle. MaxCycle is used
	// when the junction is saturated (Y ≥ 0.9).
	MinCycle, MaxCycle float64
	// MinGreen is the least green of a phase (s); nil means
	// DefaultWebsterMinGreen. The guard's minimum green holds whatever it
	// is.
	MinGreen *float64
	// Lost is the lost time per phase (s); nil means the program's yellow
	// plus all-red, at least 2 s.
	Lost *float64
	// Flows, when set, holds the demand of each movement (veh/h, in the
	// node's Local order) used until loops have counted; nil means the
	// program's durations until then.
	Flows []float64
	// NoObserve keeps the plan from Flows: loop counts are ignored.
	NoObserve bool

	l      layout
	green  []float64     // s, per order entry
	k      int           // order entry being served
	cycles int           // cycles completed since the last count
	counts []int64       // loop counts per incoming lane at the last count
	since  float64       // s, time of the last count
	prog   *maps.Program // the program the plan is for
}

// Webster's defaults.
const (
	DefaultWebsterSaturation = 1800.0 // veh/h per lane
	DefaultWebsterK          = 2      // cycles
	DefaultWebsterMinCycle   = 40.0   // s
	DefaultWebsterMaxCycle   = 150.0  // s
	DefaultWebsterMinGreen   = 5.0    // s
)

// Name implements Controller.
func (w *Webster) Name() string { return "webster" }

// Decide implements Controller.
func (w *Webster) Decide(v View) int {
	w.l.ensure(v.Program, w.Phases, v.Sensors)
	if w.prog != v.Program {
		w.prog = v.Program
		w.k = w.l.pos[v.Phase]
		if w.k < 0 {
			w.k = 0
		}
		w.plan(w.Flows)
		w.mark(v)
	}
	if w.l.order[w.k] != v.Phase {
		// The guard or a previous controller moved the signal: follow it.
		if k := w.l.pos[v.Phase]; k >= 0 {
			w.k = k
		} else if v.GreenFor >= minGreen(0, v)-eps {
			return w.l.order[w.k]
		} else {
			return v.Phase
		}
	}
	if v.GreenFor < max(w.green[w.k], minGreen(0, v))-eps {
		return v.Phase
	}
	w.k = (w.k + 1) % len(w.l.order)
	if w.k == 0 {
		w.cycles++
		k := w.K
		if k <= 0 {
			k = DefaultWebsterK
		}
		if w.cycles >= k {
			w.observe(v)
		}
	}
	return w.l.order[w.k]
}

// mark remembers the loop counts now.
func (w *Webster) mark(v View) {
	w.cycles, w.since = 0, v.Now
	if v.Sensors == nil {
		return
	}
	w.counts = w.counts[:0]
	for _, s := range v.Sensors.In {
		w.counts = append(w.counts, s.Count)
	}
}

// observe replans from the loop counts since the last mark.
func (w *Webster) observe(v View) {
	s := v.Sensors
	dt := v.Now - w.since
	if w.NoObserve || s == nil || len(w.counts) != len(s.In) || !(dt > 0) {
		w.mark(v)
		return
	}
	// Lane flows (veh/h), then movement flows as the mean lane flow times
	// the lane count: plan wants q per movement and divides by lanes.
	flows := make([]float64, len(s.MovIn))
	any := false
	for m, lanes := range s.MovIn {
		for _, i := range lanes {
			flows[m] += float64(s.In[i].Count-w.counts[i]) * 3600 / dt
		}
		any = any || flows[m] > 0
	}
	if any {
		w.plan(flows)
	}
	w.mark(v)
}

// plan sets the greens from movement flows (veh/h), or from the program's
// durations when flows is nil.
func (w *Webster) plan(flows []float64) {
	prog := w.l.prog
	n := len(w.l.order)
	w.green = make([]float64, n)
	if flows == nil {
		for k, i := range w.l.order {
			w.green[k] = prog.Phases[i].Duration
		}
		return
	}
	sat := orDefault(w.Saturation, DefaultWebsterSaturation)
	served := make([]int, len(flows)) // phases of the set serving each movement
	for _, ms := range w.l.own {
		for _, m := range ms {
			if m < len(served) {
				served[m]++
			}
		}
	}
	lanes := func(m int) float64 {
		if s := w.l.sens; s != nil && m < len(s.MovIn) && len(s.MovIn[m]) > 0 {
			return float64(len(s.MovIn[m]))
		}
		return 1
	}
	y := make([]float64, n)
	Y, L := 0.0, 0.0
	for k, ms := range w.l.own {
		for _, m := range ms {
			if m < len(flows) && served[m] > 0 {
				y[k] = max(y[k], flows[m]/float64(served[m])/(sat*lanes(m)))
			}
		}
		Y += y[k]
		L += orDefaultPtr(w.Lost, max(prog.Yellow+prog.AllRed, 2))
	}
	minC, maxC := orDefault(w.MinCycle, DefaultWebsterMinCycle), orDefault(w.MaxCycle, DefaultWebsterMaxCycle)
	minG := orDefaultPtr(w.MinGreen, DefaultWebsterMinGreen)
	var c float64
	switch {
	case Y >= 0.9:
		c = maxC
	default:
		c = (float64(1.5*L) + 5) / (1 - Y)
	}
	c = min(max(c, minC), maxC)
	for k := range w.green {
		g := (c - L) / float64(n)
		if Y > 0 {
			g = (c - L) * y[k] / Y
		}
		w.green[k] = max(g, minG)
	}
}

// Greens returns the current green times (s) per phase of the set, in
// cycle order, with the phase indices; nil before the first decision.
func (w *Webster) Greens() (phases []int, green []float64) { return w.l.order, w.green }
