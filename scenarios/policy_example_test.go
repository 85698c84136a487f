package scenarios_test

// This file is a complete example of a signal policy added to CityTwin:
// its parameter table, its controller and its registration. Adding a
// policy takes nothing else: no list, switch or struct elsewhere names
// it (TestExamplePolicy below uses it as a scenario would).

import (
	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/scenarios"
)

// LongestQueueParams are the parameters of the longest_queue policy, the
// table [signals.longest_queue].
type LongestQueueParams struct {
	Phases []int `toml:"phases"`
	// Interval is the time between decisions (s, > 0; default 5).
	Interval float64 `toml:"interval"`
	// Keep is the least queue advantage (vehicles, ≥ 0; default 2) another
	// phase needs to take the green: a pointer, as 0 is allowed.
	Keep *int `toml:"keep"`
}

// longestQueue gives the green to the phase whose green movements have
// the most halting vehicles on their incoming lanes, every Interval
// seconds, unless the current phase's queue is within Keep of it.
type longestQueue struct {
	phases   []int
	interval float64
	keep     int
	next     float64 // s, time of the next decision
}

func (c *longestQueue) Name() string { return "longest_queue" }

func (c *longestQueue) Decide(v signal.View) int {
	if v.Sensors == nil || v.Now < c.next-1e-9 || v.GreenFor < v.Guard.MinGreen-1e-9 && !v.First {
		return v.Phase
	}
	c.next = v.Now + c.interval
	phases := c.phases
	if phases == nil {
		phases = signal.DefaultPhases(v.Program)
	}
	queue := func(ph int) int {
		n := 0
		seen := map[int]bool{}
		for m := range v.Program.Phases[ph].State {
			if !v.Program.Phases[ph].Green(m) || m >= len(v.Sensors.MovIn) {
				continue
			}
			for _, i := range v.Sensors.MovIn[m] {
				if !seen[i] {
					seen[i] = true
					n += v.Sensors.In[i].Halting
				}
			}
		}
		return n
	}
	best, bestQ := v.Phase, queue(v.Phase)+c.keep
	for _, ph := range phases {
		if q := queue(ph); q > bestQ {
			best, bestQ = ph, q
		}
	}
	return best
}

var longestQueuePolicy = scenarios.Policy[LongestQueueParams]{
	Name: "longest_queue",
	Defaults: func(p *LongestQueueParams) {
		if p.Interval == 0 {
			p.Interval = 5
		}
		if p.Keep == nil {
			p.Keep = new(2)
		}
	},
	Check: func(p *LongestQueueParams, c *scenarios.ParamChecker) {
		c.PhaseSet("phases", p.Phases)
		c.Positive("interval", p.Interval, 600)
		c.Check("keep", *p.Keep >= 0, "must be at least 0 vehicles, got %d", *p.Keep)
	},
	Phases: func(p *LongestQueueParams) []int { return p.Phases },
	New: func(p *LongestQueueParams, j scenarios.Junction) engine.Controller {
		return &longestQueue{phases: j.Phases, interval: p.Interval, keep: *p.Keep}
	},
}

// The one registry line.
func init() { scenarios.RegisterPolicy(longestQueuePolicy) }
