package scenarios

import (
	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
)

// MaxPressureParams are the parameters of the max_pressure policy
// (signal.MaxPressure), the table [signals.max_pressure].
type MaxPressureParams struct {
	Phases []int   `toml:"phases"`
	Delta  float64 `toml:"delta"` // s between decisions, default 10
	// MinGreen is the green before the first decision (s, ≥ 0, default
	// 10).
	MinGreen *float64 `toml:"min_green"`
	// Halting counts standing vehicles (queues) only.
	Halting bool `toml:"halting"`
	// Variant is "average" (default: upstream minus the average over the
	// lanes fed, the published definition) or "all_downstream" (minus
	// every lane fed, CityTwin's earlier variant).
	Variant string `toml:"variant"`
}

// MaxPressureVariants are the values of signals.max_pressure.variant.
var MaxPressureVariants = []string{"average", "all_downstream"}

var maxPressurePolicy = Policy[MaxPressureParams]{
	Name: "max_pressure",
	Defaults: func(p *MaxPressureParams) {
		def(&p.Delta, signal.DefaultMaxPressureDelta)
		setDefault(&p.MinGreen, signal.DefaultMaxPressureMinGreen)
		def(&p.Variant, MaxPressureVariants[0])
	},
	Check: func(p *MaxPressureParams, c *ParamChecker) {
		c.PhaseSet("phases", p.Phases)
		c.Positive("delta", p.Delta, MaxSignalTime)
		c.Within("min_green", *p.MinGreen, 0, MaxSignalTime)
		c.OneOf("variant", p.Variant, MaxPressureVariants)
	},
	Phases: func(p *MaxPressureParams) []int { return p.Phases },
	New: func(p *MaxPressureParams, j Junction) engine.Controller {
		variant := map[string]signal.MaxPressureVariant{"average": signal.MaxPressureAverage,
			"all_downstream": signal.MaxPressureAllDownstream}[p.Variant]
		return &signal.MaxPressure{Phases: j.Phases, MinGreen: p.MinGreen, Delta: p.Delta, Halting: p.Halting, Variant: variant}
	},
}
