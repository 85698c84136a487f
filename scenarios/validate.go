package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/citytwin/citytwin/engine/follow"
	cmaps "github.com/citytwin/citytwin/maps"
)

// Limits Validate enforces.
const (
	MinStep, MaxStep = 0.1, 1.0 // step, s
	MaxGridSize      = 1000     // network.grid rows and cols
	MinGridBlock     = 10.0     // network.grid.block must exceed it, m
	MaxGridLanes     = 8        // network.grid.lanes
	MaxGridSpeed     = 70.0     // network.grid.speed, m/s
	MaxLength        = 30.0     // vtypes[].length, m
	MaxAccel         = 10.0     // vtypes[].accel, m/s²
	MaxDecel         = 15.0     // vtypes[].emergency_decel, m/s²
	MinHeadway       = 0.1      // vtypes[].headway, s
	MaxHeadway       = 5.0      // vtypes[].headway, s
	MaxMaxSpeed      = 80.0     // vtypes[].max_speed, m/s
	MaxFlowRate      = 20000.0  // demand.flows[].rate, veh/h
)

// ZonePrefix starts a flow endpoint that names a zone instead of a road.
const ZonePrefix = "zone:"

// Validate checks the ranges and cross-references of a scenario whose
// defaults have been applied, and returns every problem it finds joined
// with [errors.Join], one [*Error] each, or nil. It does not look at the
// network: whether roads exist is checked when the simulation is built.
func (s *Scenario) Validate() error {
	c := &checker{s: s}

	c.within("step", s.Step, MinStep, MaxStep)
	c.positive("duration", s.Duration)
	c.atLeast("warmup", s.Warmup, 0)
	c.atLeast("cooldown", s.Cooldown, 0)
	if s.Duration > 0 && s.Cooldown >= 0 && s.Warmup >= s.Duration+s.Cooldown {
		c.add("warmup", "must be less than duration + cooldown (%g s), got %g", s.Duration+s.Cooldown, s.Warmup)
	}
	c.check("workers", s.Workers >= 0, "must not be negative, got %d", s.Workers) // and at most MaxWorkers (limits.go)

	c.network(&s.Network)
	c.vtypes(s.VTypes)
	c.demand(&s.Demand)
	c.events(s.Events)
	c.v2x(s.V2X) // v2x.go; also vtypes[].connected and demand.flows[].connected

	c.signals(&s.Signals, s.Duration+s.Cooldown)
	if t := *s.Driving.Teleport; !(t <= 0 || t >= 1) || math.IsInf(t, 0) {
		c.add("driving.teleport", "must be 0 or negative (disabled) or at least 1 s, got %g", t)
	}
	c.within("driving.politeness", *s.Driving.Politeness, 0, 1)
	c.atLeast("driving.lane_change_threshold", *s.Driving.LaneChangeThreshold, 0)
	c.oneOf("driving.step_method", s.Driving.StepMethod, StepMethods)
	if s.Demand.CityFlowModel != "" {
		c.check("demand.cityflow_model", s.Demand.CityFlow != "", "applies to a CityFlow flow file (demand.cityflow)")
		c.oneOf("demand.cityflow_model", s.Demand.CityFlowModel, follow.Names())
	}
	if iv := s.Output.Interval; c.check("output.interval", iv > 0 && !math.IsInf(iv, 0), "must be positive and finite, got %g", iv) && s.Step > 0 {
		k := iv / s.Step
		c.check("output.interval", k >= 1-1e-9 && math.Abs(k-math.Round(k)) < 1e-6,
			"must be a whole number of steps (step = %g s), got %g", s.Step, iv)
	}
	if f := s.Output.FCD; f != nil && s.Step > 0 {
		k := f.Interval / s.Step
		c.check("output.fcd.interval", k >= 1-1e-9 && f.Interval <= 86400 && math.Abs(k-math.Round(k)) < 1e-6,
			"must be a whole number of steps (step = %g s) up to 86400 s, got %g", s.Step, f.Interval)
		c.oneOf("output.fcd.format", f.Format, []string{"csv", "xml"})
		c.check("output.fcd.geo", !f.Geo || f.Format == "xml", "applies to the xml format only (the csv has lon and lat columns)")
	}
	if len(c.probs) == 0 {
		c.limits() // the budgets (limits.go), once the values they add up are valid
	}
	return errors.Join(c.probs...)
}

func (c *checker) network(n *Network) {
	set := 0
	for _, ok := range []bool{n.OSM != "", n.GeoJSON != "", n.CityFlow != "", n.SUMO != "", n.Grid != nil} {
		if ok {
			set++
		}
	}
	if set != 1 {
		c.add("network", "must set exactly one of osm, geojson, cityflow, sumo and grid, got %d", set)
	}
	if _, err := cmaps.ParseDrivingSide(n.DrivingSide); err != nil {
		c.add("network.driving_side", "must be \"left\", \"right\" or \"auto\", got %q", n.DrivingSide)
	}
	if cc := strings.ToUpper(n.Country); cc != "" && (len(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z') {
		c.add("network.country", "must be an ISO 3166-1 alpha-2 code such as \"GB\", got %q", cc)
	}
	if b := n.BBox; b != nil {
		switch {
		case len(b) != 4:
			c.add("network.bbox", "must be [min_lon, min_lat, max_lon, max_lat], got %d numbers", len(b))
		case !(b[0] >= -180 && b[0] < b[2] && b[2] <= 180 && b[1] >= -85 && b[1] < b[3] && b[3] <= 85):
			c.add("network.bbox", "must be [min_lon, min_lat, max_lon, max_lat] with min < max, lon in [-180, 180] and lat in [-85, 85], got %v", b)
		case n.OSM == "":
			c.add("network.bbox", "applies to an osm network only")
		}
	}
	// Built-in files (BuiltinPrefix) are GeoJSON networks.
	for _, k := range [...]struct{ key, path string }{{"network.osm", n.OSM}, {"network.cityflow", n.CityFlow}, {"network.sumo", n.SUMO}} {
		if _, ok := builtinName(k.path); ok {
			c.add(k.key, "%q: the built-in files (%s) are GeoJSON networks: use network.geojson", k.path, strings.Join(BuiltinFiles(), ", "))
		}
	}
	if name, ok := builtinName(n.GeoJSON); ok && !slices.Contains(BuiltinFiles(), name) {
		c.add("network.geojson", "no built-in file %q (built in: %s)", name, strings.Join(BuiltinFiles(), ", "))
	}
	if _, ok := cmaps.ParseTurnarounds(n.Turnarounds); !ok {
		c.add("network.turnarounds", "must be \"dead_ends\" or \"all\", got %q", n.Turnarounds)
	} else if n.Turnarounds != "" && n.OSM == "" && n.GeoJSON == "" {
		c.add("network.turnarounds", "applies to osm and geojson networks (SUMO and CityFlow networks list their own U-turns)")
	}
	if g := n.Grid; g != nil {
		c.check("network.grid.rows", 1 <= g.Rows && g.Rows <= MaxGridSize, "must be in [1, %d], got %d", MaxGridSize, g.Rows)
		c.check("network.grid.cols", 1 <= g.Cols && g.Cols <= MaxGridSize, "must be in [1, %d], got %d", MaxGridSize, g.Cols)
		c.check("network.grid.block", g.Block > MinGridBlock && !math.IsInf(g.Block, 0), "must be more than %g m, got %g", MinGridBlock, g.Block)
		c.check("network.grid.lanes", 1 <= g.Lanes && g.Lanes <= MaxGridLanes, "must be in [1, %d], got %d", MaxGridLanes, g.Lanes)
		c.check("network.grid.speed", 0 < g.Speed && g.Speed <= MaxGridSpeed, "must be in (0, %g] m/s, got %g", MaxGridSpeed, g.Speed)
	}
}

func (c *checker) vtypes(vts []VehicleType) {
	seen := map[string]bool{}
	for i, v := range vts {
		key := func(k string) string { return fmt.Sprintf("vtypes[%d].%s", i, k) }
		switch {
		case v.ID == "":
			c.add(key("id"), "must not be empty")
		case seen[v.ID]:
			c.add(key("id"), "duplicate id %q", v.ID)
		}
		seen[v.ID] = true
		c.positive(key("share"), v.Share)
		c.oneOf(key("model"), v.Model, follow.Names())
		c.check(key("length"), 0 < v.Length && v.Length <= MaxLength, "must be in (0, %g] m, got %g", MaxLength, v.Length)
		c.check(key("accel"), 0 < v.Accel && v.Accel <= MaxAccel, "must be in (0, %g] m/s², got %g", MaxAccel, v.Accel)
		c.check(key("decel"), 0 < v.Decel && v.Decel <= v.EmergencyDecel, "must be in (0, emergency_decel = %g] m/s², got %g", v.EmergencyDecel, v.Decel)
		c.check(key("emergency_decel"), 0 < v.EmergencyDecel && v.EmergencyDecel <= MaxDecel, "must be in (0, %g] m/s², got %g", MaxDecel, v.EmergencyDecel)
		c.atLeast(key("min_gap"), *v.MinGap, 0)
		c.within(key("headway"), v.Headway, MinHeadway, MaxHeadway)
		c.check(key("max_speed"), 0 < v.MaxSpeed && v.MaxSpeed <= MaxMaxSpeed, "must be in (0, %g] m/s, got %g", MaxMaxSpeed, v.MaxSpeed)
		c.within(key("sigma"), *v.Sigma, 0, 1)
		if f := v.SpeedFactor; f != nil {
			c.positive(key("speed_factor.min"), f.Min)
			c.atLeast(key("speed_factor.dev"), f.Dev, 0)
			if c.atLeast(key("speed_factor.max"), f.Max, f.Min) {
				c.within(key("speed_factor.mean"), f.Mean, f.Min, f.Max)
			}
		}
	}
}

func (c *checker) demand(d *Demand) {
	if c.atLeast("demand.scale", *d.Scale, 0) {
		c.check("demand.scale", *d.Scale <= MaxDemandScale, "must be at most %g, got %g", MaxDemandScale, *d.Scale)
	}
	for _, name := range slices.Sorted(maps.Keys(d.Zones)) {
		roads, key := d.Zones[name], joinKey("demand.zones", name)
		c.check(key, len(roads) > 0, "zone %q lists no road", name)
		for i, r := range roads {
			c.check(fmt.Sprintf("%s[%d]", key, i), r != "", "road id must not be empty")
		}
	}
	for i, f := range d.Flows {
		key := func(k string) string { return fmt.Sprintf("demand.flows[%d].%s", i, k) }
		c.endpoint(key("from"), f.From)
		c.endpoint(key("to"), f.To)
		c.check(key("rate"), 0 < f.Rate && f.Rate <= MaxFlowRate, "must be in (0, %g] veh/h, got %g", MaxFlowRate, f.Rate)
		c.window(key, f.Begin, f.End)
		c.oneOf(key("distribution"), f.Distribution, Distributions)
		c.vtype(key("vtype"), f.VType)
	}
	for i, r := range d.Random {
		key := func(k string) string { return fmt.Sprintf("demand.random[%d].%s", i, k) }
		if c.check(key("rate"), r.Rate > 0 && !math.IsInf(r.Rate, 0), "must be positive and finite, got %g", r.Rate) {
			c.check(key("rate"), r.Rate <= MaxRandomRate, "must be at most %g veh/h, got %g", MaxRandomRate, r.Rate)
		}
		c.window(key, r.Begin, r.End)
		c.atLeast(key("min_length"), r.MinLength, 0)
		c.oneOf(key("distribution"), r.Distribution, Distributions)
		c.vtype(key("vtype"), r.VType)
	}
	for i, m := range d.OD {
		key := func(k string) string { return fmt.Sprintf("demand.od[%d].%s", i, k) }
		c.check(key("zones"), len(m.Zones) > 0, "must list at least one zone")
		for j, z := range m.Zones {
			c.zone(fmt.Sprintf("%s[%d]", key("zones"), j), z)
		}
		c.check(key("trips"), len(m.Trips) == len(m.Zones), "must have one row per zone (%d), got %d", len(m.Zones), len(m.Trips))
		for j, row := range m.Trips {
			rk := fmt.Sprintf("%s[%d]", key("trips"), j)
			c.check(rk, len(row) == len(m.Zones), "must have one entry per zone (%d), got %d", len(m.Zones), len(row))
			for k, n := range row {
				if c.atLeast(fmt.Sprintf("%s[%d]", rk, k), n, 0) {
					c.check(fmt.Sprintf("%s[%d]", rk, k), n <= MaxODTrips, "must be at most %g trips, got %g", MaxODTrips, n)
				}
			}
		}
		c.window(key, m.Begin, m.End)
		c.oneOf(key("distribution"), m.Distribution, Distributions)
		c.vtype(key("vtype"), m.VType)
	}
}

// endpoint checks the origin or destination of a flow: a road id or a
// reference to a zone.
func (c *checker) endpoint(key, v string) {
	switch {
	case v == "":
		c.add(key, "must name a road or %sNAME", ZonePrefix)
	case strings.HasPrefix(v, ZonePrefix):
		c.zone(key, strings.TrimPrefix(v, ZonePrefix))
	}
}

// zone checks that name is a zone. (Empty zones are reported where they
// are defined.)
func (c *checker) zone(key, name string) {
	if _, ok := c.s.Demand.Zones[name]; !ok {
		c.add(key, "no zone %q in demand.zones", name)
	}
}

// window checks the departure window [begin, end) of a demand source.
func (c *checker) window(key func(string) string, begin, end float64) {
	c.atLeast(key("begin"), begin, 0)
	c.check(key("end"), end > begin && !math.IsInf(end, 0), "must be finite and after begin (%g s), got %g", begin, end)
}

// vtype checks a reference to a vehicle type; empty means any.
func (c *checker) vtype(key, id string) {
	if id != "" && !slices.ContainsFunc(c.s.VTypes, func(v VehicleType) bool { return v.ID == id }) {
		c.add(key, "no vehicle type %q in vtypes", id)
	}
}

// A checker collects the problems of a scenario.
type checker struct {
	s     *Scenario
	probs []error
}

func (c *checker) add(key, format string, args ...any) {
	c.probs = append(c.probs, &Error{File: c.s.path, Line: c.s.lines[key], Key: key, Msg: fmt.Sprintf(format, args...)})
}

// check adds a problem if ok is false, and returns ok.
func (c *checker) check(key string, ok bool, format string, args ...any) bool {
	if !ok {
		c.add(key, format, args...)
	}
	return ok
}

// The range checks below fail for NaN, and for ±Inf unless a bound is.

func (c *checker) within(key string, x, lo, hi float64) {
	c.check(key, lo <= x && x <= hi, "must be in [%g, %g], got %g", lo, hi, x)
}

func (c *checker) positive(key string, x float64) {
	c.check(key, x > 0 && !math.IsInf(x, 0), "must be positive and finite, got %g", x)
}

func (c *checker) atLeast(key string, x, lo float64) bool {
	return c.check(key, x >= lo && !math.IsInf(x, 0), "must be at least %g and finite, got %g", lo, x)
}

func (c *checker) oneOf(key, v string, allowed []string) {
	c.check(key, slices.Contains(allowed, v), "must be one of %s, got %q", strings.Join(allowed, ", "), v)
}
