package scenarios

import (
	"math"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
)

// PolicyFixedTime runs the network's programs, or a plan built from them
// (signal.FixedTime): the default policy.
const PolicyFixedTime = "fixed_time"

// FixedTimeParams are the parameters of the fixed_time policy, the table
// [signals.fixed_time]. Green waves ([[signals.green_wave]]) set the
// offsets of the junctions they list on top of Offset.
type FixedTimeParams struct {
	// Phases is the cycle, in order; default: every program phase. Unlike
	// the adaptive policies, fixed_time does not take signals.phases.
	Phases []int `toml:"phases"`
	// Green is the green of every phase (s, > 0); unset: the program's
	// durations.
	Green *float64 `toml:"green"`
	// Offset shifts every cycle start (s).
	Offset float64 `toml:"offset"`
	// YellowInside counts the yellow and all-red inside each phase's
	// time, as LibSignal's fixed-time baseline does.
	YellowInside bool `toml:"yellow_inside"`
	// Static runs actuated programs (a SUMO network's type="actuated"
	// tlLogics) with their fixed durations; by default fixed_time runs
	// them actuated, as SUMO does (signal.GapActuated), when no other
	// fixed_time key changes their plan.
	Static bool `toml:"static"`
}

// plan returns the fixed-time plan the table describes (before green
// waves).
func (p *FixedTimeParams) plan() signal.FixedTime {
	plan := signal.FixedTime{Phases: p.Phases, Offset: p.Offset, YellowInside: p.YellowInside}
	if p.Green != nil {
		plan.Green = []float64{*p.Green}
	}
	return plan
}

var fixedTimePolicy = Policy[FixedTimeParams]{
	Name: PolicyFixedTime,
	Check: func(p *FixedTimeParams, c *ParamChecker) {
		c.PhaseSet("phases", p.Phases)
		if p.Green != nil {
			c.Positive("green", *p.Green, MaxSignalTime)
		}
		c.Check("offset", !math.IsNaN(p.Offset) && !math.IsInf(p.Offset, 0), "must be finite, got %g", p.Offset)
	},
	Phases: func(p *FixedTimeParams) []int { return p.Phases },
	CheckJunction: func(p *FixedTimeParams, j Junction) error {
		return j.fixedPlan().Check(j.Program)
	},
	New: func(p *FixedTimeParams, j Junction) engine.Controller {
		plan := j.fixedPlan()
		if j.Program.Actuated != nil && !p.Static && plan.Phases == nil && plan.Green == nil && plan.Offset == 0 && !plan.YellowInside {
			return &signal.GapActuated{}
		}
		return plan
	},
}

// fixedPlan returns the junction's fixed-time plan: the [signals.fixed_time]
// plan with its green-wave offset and the phases of an override, switch
// or event.
func (j Junction) fixedPlan() signal.FixedTime {
	plan := j.st.fixed[j.Node]
	if j.choice != nil {
		plan.Phases = j.choice
	}
	return plan
}
