package scenarios

import (
	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
)

// WebsterParams are the parameters of the webster policy
// (signal.Webster), the table [signals.webster].
type WebsterParams struct {
	Phases     []int   `toml:"phases"`
	Saturation float64 `toml:"saturation"` // veh/h per lane, default 1800
	K          int     `toml:"k"`          // cycles between recomputations, default 2
	MinCycle   float64 `toml:"min_cycle"`  // s, default 40
	MaxCycle   float64 `toml:"max_cycle"`  // s, default 150
	// MinGreen is the least green of a phase (s, ≥ 0, default 5).
	MinGreen *float64 `toml:"min_green"`
	// Lost is the lost time per phase (s, ≥ 0); unset: the program's
	// yellow plus all-red, at least 2 s.
	Lost *float64 `toml:"lost"`
	// Flows is "observed" (loop counts, default) or "scenario" (the
	// scenario's demand, never re-estimated).
	Flows string `toml:"flows"`
}

// WebsterFlows are the values of signals.webster.flows.
var WebsterFlows = []string{"observed", "scenario"}

var websterPolicy = Policy[WebsterParams]{
	Name: "webster",
	Defaults: func(p *WebsterParams) {
		def(&p.Saturation, signal.DefaultWebsterSaturation)
		def(&p.K, signal.DefaultWebsterK)
		def(&p.MinCycle, signal.DefaultWebsterMinCycle)
		def(&p.MaxCycle, signal.DefaultWebsterMaxCycle)
		setDefault(&p.MinGreen, signal.DefaultWebsterMinGreen)
		def(&p.Flows, WebsterFlows[0])
	},
	Check: func(p *WebsterParams, c *ParamChecker) {
		c.PhaseSet("phases", p.Phases)
		c.Positive("saturation", p.Saturation, MaxSaturation)
		c.Check("k", p.K >= 1 && p.K <= 1000, "must be in [1, 1000] cycles, got %d", p.K)
		c.Positive("min_cycle", p.MinCycle, MaxSignalTime)
		c.Check("max_cycle", p.MaxCycle >= p.MinCycle && p.MaxCycle <= MaxSignalTime, "must be in [min_cycle = %g, %g] s, got %g", p.MinCycle, MaxSignalTime, p.MaxCycle)
		c.Within("min_green", *p.MinGreen, 0, MaxSignalTime)
		if p.Lost != nil {
			c.Within("lost", *p.Lost, 0, MaxSignalTime)
		}
		c.OneOf("flows", p.Flows, WebsterFlows)
	},
	Phases: func(p *WebsterParams) []int { return p.Phases },
	New: func(p *WebsterParams, j Junction) engine.Controller {
		w := &signal.Webster{Phases: j.Phases, Saturation: p.Saturation, K: p.K, MinCycle: p.MinCycle, MaxCycle: p.MaxCycle,
			MinGreen: p.MinGreen, Lost: p.Lost}
		if p.Flows == "scenario" {
			w.Flows, w.NoObserve = j.ScenarioFlows(), true
		}
		return w
	},
}
