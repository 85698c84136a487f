package scenarios

import (
	"math"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
)

// SOTLParams are the parameters of the sotl policy (signal.SOTL), the
// table [signals.sotl].
type SOTLParams struct {
	Phases []int `toml:"phases"`
	// Variant is "threshold" (default: Cools et al.'s rule as the
	// benchmarks run it), "request", "phase" or "platoon".
	Variant string `toml:"variant"`
	// MinGreenVehicles and MaxRedVehicles are the threshold rule's limits
	// (halting vehicles on the green and the red approaches; ≥ 0, default
	// 5).
	MinGreenVehicles *int     `toml:"min_green_vehicles"`
	MaxRedVehicles   *int     `toml:"max_red_vehicles"`
	Theta            float64  `toml:"theta"`   // θ, veh·s, default 40
	PhiMin           *float64 `toml:"phi_min"` // φ_min, s, ≥ 0, default 5
	Mu               int      `toml:"mu"`      // μ, vehicles, default 3
	// Omega is ω (m), the reach of the platoon rule; it sets
	// detectors.loop_offset, and must agree with it if both are set.
	Omega float64 `toml:"omega"`
}

// SOTLVariants are the values of signals.sotl.variant.
var SOTLVariants = []string{"threshold", "request", "phase", "platoon"}

var sotlPolicy = Policy[SOTLParams]{
	Name: "sotl",
	Defaults: func(p *SOTLParams) {
		def(&p.Variant, SOTLVariants[0])
		setDefault(&p.MinGreenVehicles, signal.DefaultSOTLGreenVehicles)
		setDefault(&p.MaxRedVehicles, signal.DefaultSOTLRedVehicles)
		def(&p.Theta, signal.DefaultSOTLTheta)
		setDefault(&p.PhiMin, signal.DefaultSOTLPhiMin)
		def(&p.Mu, signal.DefaultSOTLMu)
	},
	Check: func(p *SOTLParams, c *ParamChecker) {
		c.PhaseSet("phases", p.Phases)
		c.OneOf("variant", p.Variant, SOTLVariants)
		c.Check("min_green_vehicles", *p.MinGreenVehicles >= 0 && *p.MinGreenVehicles <= 10000, "must be in [0, 10000] vehicles, got %d", *p.MinGreenVehicles)
		c.Check("max_red_vehicles", *p.MaxRedVehicles >= 0 && *p.MaxRedVehicles <= 10000, "must be in [0, 10000] vehicles, got %d", *p.MaxRedVehicles)
		c.Check("theta", p.Theta > 0 && !math.IsInf(p.Theta, 0), "must be positive and finite (veh·s), got %g", p.Theta)
		c.Within("phi_min", *p.PhiMin, 0, MaxSignalTime)
		c.Check("mu", p.Mu >= 1 && p.Mu <= 1000, "must be in [1, 1000] vehicles, got %d", p.Mu)
		if p.Omega != 0 {
			c.Positive("omega", p.Omega, MaxDetectorDistance) // and = detectors.loop_offset (checker.signals)
		}
	},
	Phases: func(p *SOTLParams) []int { return p.Phases },
	New: func(p *SOTLParams, j Junction) engine.Controller {
		variant := map[string]signal.SOTLVariant{"threshold": signal.SOTLThreshold, "request": signal.SOTLRequest,
			"phase": signal.SOTLPhase, "platoon": signal.SOTLPlatoon}[p.Variant]
		return &signal.SOTL{Phases: j.Phases, Variant: variant, Theta: p.Theta, PhiMin: p.PhiMin, Mu: p.Mu,
			MinGreenVehicles: p.MinGreenVehicles, MaxRedVehicles: p.MaxRedVehicles}
	},
}
