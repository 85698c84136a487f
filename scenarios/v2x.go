package scenarios

import (
	"errors"
	"fmt"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
)

// V2X configures connected vehicles and roadside units: the [v2x] table.
// Its presence turns connectivity on; which vehicles are equipped is set
// by the connected share of each vehicle type (vtypes[].connected) or
// flow (demand.flows[].connected). Unset keys take the defaults of
// engine.DefaultV2X, listed in README.md ("[v2x]") and docs/v2x.md.
type V2X struct {
	// RSUs lists the junctions with a roadside unit: ids and "group:NAME"
	// references to signals.groups. Empty means every signalised junction.
	RSUs []string `toml:"rsus"`
	// Range is the radio range of a roadside unit (m, default 300).
	Range float64 `toml:"range"`
	// StatusRate is how often an equipped vehicle sends its status
	// message (Hz, default 1).
	StatusRate float64 `toml:"status_rate"`
	// SPaT and Status are the channels of the signal-phase-and-timing
	// broadcasts and of the vehicle status messages (and of vehicle-to-
	// vehicle messages, which CACC needs).
	SPaT   V2XChannel `toml:"spat"`
	Status V2XChannel `toml:"status"`

	GLOSA   GLOSAParams   `toml:"glosa"`
	CACC    CACCParams    `toml:"cacc"`
	Reroute RerouteParams `toml:"reroute"`
	Sensors V2XSensors    `toml:"sensors"`
}

// V2XChannel is a message channel: each message arrives Latency seconds
// after it is sent (rounded to whole steps) or is lost with probability
// Loss, drawn from the seed.
type V2XChannel struct {
	Latency float64 `toml:"latency"` // s, default 0
	Loss    float64 `toml:"loss"`    // 0..1, default 0
}

// GLOSAParams are the green-light optimal speed advisory's parameters
// (after SUMO's GLOSA device).
type GLOSAParams struct {
	// Enabled defaults to true.
	Enabled *bool `toml:"enabled"`
	// Range is the distance before the stop line within which equipped
	// vehicles follow the advice (m, default 100).
	Range float64 `toml:"range"`
	// MinSpeed is the lowest advised speed (m/s, default 5); a vehicle
	// that would have to crawl slower stops at the line instead.
	MinSpeed float64 `toml:"min_speed"`
	// MaxSpeedFactor bounds the advised speed to this multiple of the
	// vehicle's desired speed (default 1.1).
	MaxSpeedFactor float64 `toml:"max_speed_factor"`
}

// CACCParams are the cooperative adaptive cruise control's parameters.
type CACCParams struct {
	// Enabled defaults to true.
	Enabled *bool `toml:"enabled"`
	// TimeGap is the gap an equipped vehicle keeps behind an equipped
	// leader (s, default 0.6).
	TimeGap float64 `toml:"time_gap"`
}

// RerouteParams configure rerouting by the travel times RSUs broadcast.
type RerouteParams struct {
	// Enabled defaults to false.
	Enabled bool `toml:"enabled"`
	// Gain is the least share of the remaining travel time a new route
	// must save (0 to 1, default 0.1).
	Gain *float64 `toml:"gain"`
}

// V2XSensors feed signal controllers estimates from status messages
// instead of detectors.
type V2XSensors struct {
	// Enabled defaults to false.
	Enabled bool `toml:"enabled"`
	// KnownShare is the share of equipped vehicles the estimates are
	// scaled by (counts × 1/KnownShare); 0 (default) means the demand's
	// expected share.
	KnownShare float64 `toml:"known_share"`
}

// Limits of the [v2x] keys.
const (
	MaxV2XRange      = 5000.0 // v2x.range and v2x.glosa.range, m
	MaxV2XLatency    = 60.0   // v2x.spat.latency and v2x.status.latency, s
	MaxStatusRate    = 10.0   // v2x.status_rate, Hz
	MaxCACCTimeGap   = 5.0    // v2x.cacc.time_gap, s
	MaxGLOSAMinSpeed = 30.0   // v2x.glosa.min_speed, m/s
	MaxGLOSAFactor   = 2.0    // v2x.glosa.max_speed_factor
)

// applyDefaults fills the unset keys of the [v2x] table from
// engine.DefaultV2X.
func (x *V2X) applyDefaults() {
	d := engine.DefaultV2X()
	def(&x.Range, d.Range)
	def(&x.StatusRate, d.StatusRate)
	if x.GLOSA.Enabled == nil {
		x.GLOSA.Enabled = ptr(d.GLOSA)
	}
	def(&x.GLOSA.Range, d.GLOSARange)
	def(&x.GLOSA.MinSpeed, d.GLOSAMinSpeed)
	def(&x.GLOSA.MaxSpeedFactor, d.GLOSAMaxSpeedFactor)
	if x.CACC.Enabled == nil {
		x.CACC.Enabled = ptr(d.CACC)
	}
	def(&x.CACC.TimeGap, d.CACCTimeGap)
	setDefault(&x.Reroute.Gain, d.RerouteGain)
}

// v2x checks the [v2x] table and every connected share.
func (c *checker) v2x(x *V2X) {
	for i, v := range c.s.VTypes {
		c.within(fmt.Sprintf("vtypes[%d].connected", i), v.Connected, 0, 1)
	}
	for i, f := range c.s.Demand.Flows {
		if f.Connected != nil {
			c.within(fmt.Sprintf("demand.flows[%d].connected", i), *f.Connected, 0, 1)
		}
	}
	if x == nil {
		return
	}
	for i, id := range x.RSUs {
		key := fmt.Sprintf("v2x.rsus[%d]", i)
		if name, ok := strings.CutPrefix(id, GroupPrefix); ok {
			c.check(key, len(c.s.Signals.Groups[name]) > 0, "no group %q in signals.groups", name)
		} else {
			c.check(key, id != "", "junction id must not be empty")
		}
	}
	c.check("v2x.range", x.Range > 0 && x.Range <= MaxV2XRange, "must be in (0, %g] m, got %g", MaxV2XRange, x.Range)
	c.check("v2x.status_rate", x.StatusRate > 0 && x.StatusRate <= MaxStatusRate, "must be in (0, %g] Hz, got %g", MaxStatusRate, x.StatusRate)
	for _, ch := range []struct {
		key string
		ch  V2XChannel
	}{{"v2x.spat", x.SPaT}, {"v2x.status", x.Status}} {
		c.check(ch.key+".latency", ch.ch.Latency >= 0 && ch.ch.Latency <= MaxV2XLatency, "must be in [0, %g] s, got %g", MaxV2XLatency, ch.ch.Latency)
		c.within(ch.key+".loss", ch.ch.Loss, 0, 1)
	}
	g := x.GLOSA
	c.check("v2x.glosa.range", g.Range > 0 && g.Range <= MaxV2XRange, "must be in (0, %g] m, got %g", MaxV2XRange, g.Range)
	c.check("v2x.glosa.min_speed", g.MinSpeed > 0 && g.MinSpeed <= MaxGLOSAMinSpeed, "must be in (0, %g] m/s, got %g", MaxGLOSAMinSpeed, g.MinSpeed)
	c.within("v2x.glosa.max_speed_factor", g.MaxSpeedFactor, 1, MaxGLOSAFactor)
	c.check("v2x.cacc.time_gap", x.CACC.TimeGap > 0 && x.CACC.TimeGap <= MaxCACCTimeGap, "must be in (0, %g] s, got %g", MaxCACCTimeGap, x.CACC.TimeGap)
	c.within("v2x.reroute.gain", *x.Reroute.Gain, 0, 1)
	c.within("v2x.sensors.known_share", x.Sensors.KnownShare, 0, 1)
}

// v2xConfig converts the [v2x] table to the engine's settings, resolving
// the roadside units' junctions (which must exist and be signalised). It
// returns nil when the scenario has no [v2x] table.
func (sc *Scenario) v2xConfig(st *signalSetup) (*engine.V2X, error) {
	x := sc.V2X
	if x == nil {
		return nil, nil
	}
	var errs []error
	fail := func(key, format string, args ...any) { errs = append(errs, sc.errorf(key, format, args...)) }
	cfg := engine.V2X{
		Range:               x.Range,
		SPaT:                engine.Channel{Latency: x.SPaT.Latency, Loss: x.SPaT.Loss},
		Status:              engine.Channel{Latency: x.Status.Latency, Loss: x.Status.Loss},
		StatusRate:          x.StatusRate,
		GLOSA:               *x.GLOSA.Enabled,
		GLOSARange:          x.GLOSA.Range,
		GLOSAMinSpeed:       x.GLOSA.MinSpeed,
		GLOSAMaxSpeedFactor: x.GLOSA.MaxSpeedFactor,
		CACC:                *x.CACC.Enabled,
		CACCTimeGap:         x.CACC.TimeGap,
		Reroute:             x.Reroute.Enabled,
		RerouteGain:         *x.Reroute.Gain,
		Sensors:             x.Sensors.Enabled,
		KnownShare:          x.Sensors.KnownShare,
	}
	if len(x.RSUs) > 0 {
		cfg.RSUs = st.junctions("v2x.rsus", x.RSUs, fail)
		if cfg.RSUs == nil {
			cfg.RSUs = []maps.NodeID{}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &cfg, nil
}

// connectedVType returns the index of a vehicle type like vt whose
// connected share is share: vt itself if share is nil or already vt's,
// otherwise a copy with the same id (so outputs name the type as written),
// appended to the engine configuration once per (type, share).
func (b *demandBuilder) connectedVType(vt int, share *float64) int {
	if share == nil || b.cfg.VTypes[vt].Connected == *share {
		return vt
	}
	t := b.cfg.VTypes[vt]
	t.Connected = *share
	for i := len(b.sc.VTypes); i < len(b.cfg.VTypes); i++ {
		if b.cfg.VTypes[i] == t {
			return i
		}
	}
	b.cfg.VTypes = append(b.cfg.VTypes, t)
	return len(b.cfg.VTypes) - 1
}
