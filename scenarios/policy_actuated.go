package scenarios

import (
	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
)

// ActuatedParams are the parameters of the actuated policy
// (signal.Actuated), the table [signals.actuated].
type ActuatedParams struct {
	Phases   []int   `toml:"phases"`
	MinGreen float64 `toml:"min_green"` // s, default 10
	MaxGreen float64 `toml:"max_green"` // s, default 50
	Passage  float64 `toml:"passage"`   // s, default 3
}

var actuatedPolicy = Policy[ActuatedParams]{
	Name: "actuated",
	Defaults: func(p *ActuatedParams) {
		def(&p.MinGreen, signal.DefaultActuatedMinGreen)
		def(&p.MaxGreen, signal.DefaultActuatedMaxGreen)
		def(&p.Passage, signal.DefaultActuatedPassage)
	},
	Check: func(p *ActuatedParams, c *ParamChecker) {
		c.PhaseSet("phases", p.Phases)
		c.Positive("min_green", p.MinGreen, MaxSignalTime)
		c.Check("max_green", p.MaxGreen >= p.MinGreen && p.MaxGreen <= MaxSignalTime, "must be in [min_green = %g, %g] s, got %g", p.MinGreen, MaxSignalTime, p.MaxGreen)
		c.Positive("passage", p.Passage, 60)
	},
	Phases: func(p *ActuatedParams) []int { return p.Phases },
	New: func(p *ActuatedParams, j Junction) engine.Controller {
		return &signal.Actuated{Phases: j.Phases, MinGreen: p.MinGreen, MaxGreen: p.MaxGreen, Passage: p.Passage}
	},
}
