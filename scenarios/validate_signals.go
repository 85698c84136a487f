package scenarios

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// signals checks the [signals] tables of a scenario whose defaults have
// been applied. Junction ids are checked against the network by Build.
func (c *checker) signals(g *Signals, end float64) {
	if g.Policy != "" {
		c.oneOf("signals.policy", g.Policy, SignalPolicies)
	}
	c.phaseSet("signals.phases", g.Phases)
	if g.Yellow != nil {
		c.within("signals.yellow", *g.Yellow, 0, MaxChangeTime)
	}
	if g.AllRed != nil {
		c.within("signals.all_red", *g.AllRed, 0, MaxChangeTime)
	}
	for _, name := range slices.Sorted(maps.Keys(g.Groups)) {
		key := joinKey("signals.groups", name)
		c.check(key, len(g.Groups[name]) > 0, "group %q lists no junction", name)
		for i, id := range g.Groups[name] {
			k := fmt.Sprintf("%s[%d]", key, i)
			c.check(k, id != "", "junction id must not be empty")
			c.check(k, !strings.HasPrefix(id, GroupPrefix), "a group cannot list another group (%q)", id)
		}
	}
	for i, o := range g.Overrides {
		key := func(k string) string { return fmt.Sprintf("signals.overrides[%d].%s", i, k) }
		c.junctionList(key("junctions"), o.Junctions, false)
		if o.Policy != "" {
			c.oneOf(key("policy"), o.Policy, SignalPolicies)
		}
		c.check(key("policy"), o.Policy != "" || o.Phases != nil, "an override must set policy or phases")
		c.phaseSet(key("phases"), o.Phases)
	}
	last := 0.0
	for i, sw := range g.Switch {
		key := func(k string) string { return fmt.Sprintf("signals.switch[%d].%s", i, k) }
		if c.check(key("at"), sw.At > 0 && sw.At < end, "must be in (0, %g) s (the run's end), got %g", end, sw.At) {
			c.check(key("at"), sw.At >= last, "switches must be in time order: %g s comes after %g s", sw.At, last)
			last = sw.At
		}
		c.oneOf(key("policy"), sw.Policy, SignalPolicies)
		c.phaseSet(key("phases"), sw.Phases)
		c.junctionList(key("junctions"), sw.Junctions, true)
	}
	for i, w := range g.GreenWave {
		key := func(k string) string { return fmt.Sprintf("signals.green_wave[%d].%s", i, k) }
		c.junctionList(key("junctions"), w.Junctions, false)
		c.check(key("junctions"), len(w.Junctions) >= 2 || hasGroup(w.Junctions), "must list at least two junctions in driving order, got %d", len(w.Junctions))
		c.check(key("speed"), w.Speed > 0 && w.Speed <= MaxGridSpeed, "must be in (0, %g] m/s, got %g", MaxGridSpeed, w.Speed)
	}
	seen := map[string]int{}
	for i, p := range g.Programs {
		key := func(k string) string { return fmt.Sprintf("signals.programs[%d].%s", i, k) }
		if c.check(key("junction"), p.Junction != "" && !strings.HasPrefix(p.Junction, GroupPrefix), "must name one junction id, got %q", p.Junction) {
			if j, dup := seen[p.Junction]; dup {
				c.add(key("junction"), "junction %q already has a program (signals.programs[%d])", p.Junction, j)
			}
			seen[p.Junction] = i
		}
		c.check(key("phases"), len(p.Phases) > 0, "must list at least one phase")
		for k, ph := range p.Phases {
			pk := fmt.Sprintf("%s[%d]", key("phases"), k)
			c.check(pk+".duration", ph.Duration > 0 && ph.Duration <= MaxSignalTime, "must be in (0, %g] s, got %g", MaxSignalTime, ph.Duration)
			c.check(pk+".state", ph.State != "" && strings.Trim(ph.State, "Ggr") == "", "must be a non-empty string of G, g and r, got %q", ph.State)
		}
		if p.Yellow != nil {
			c.within(key("yellow"), *p.Yellow, 0, MaxChangeTime)
		}
		if p.AllRed != nil {
			c.within(key("all_red"), *p.AllRed, 0, MaxChangeTime)
		}
		c.check(key("offset"), !math.IsNaN(p.Offset) && !math.IsInf(p.Offset, 0), "must be finite, got %g", p.Offset)
	}

	gd := &g.Guard
	if gd.MinGreen != nil {
		c.within("signals.guard.min_green", *gd.MinGreen, 0, MaxSignalTime)
	}
	c.check("signals.guard.max_red", gd.MaxRed == 0 || gd.MaxRed > 0 && gd.MaxRed <= MaxSignalTime,
		"must be 0 (off) or in (0, %g] s, got %g", MaxSignalTime, gd.MaxRed)
	if gd.MaxRed > 0 && gd.MinGreen != nil {
		change := 0.0
		if g.Yellow != nil {
			change += *g.Yellow
		}
		if g.AllRed != nil {
			change += *g.AllRed
		}
		c.check("signals.guard.max_red", gd.MaxRed >= *gd.MinGreen+change,
			"must be at least min_green + yellow + all_red (%g s), got %g", *gd.MinGreen+change, gd.MaxRed)
	}
	d := &g.Detectors
	c.within("signals.detectors.loop_offset", d.LoopOffset, 0, MaxDetectorDistance)
	c.within("signals.detectors.area_length", d.AreaLength, 0, MaxDetectorDistance)

	ft := &g.FixedTime
	c.phaseSet("signals.fixed_time.phases", ft.Phases)
	c.within("signals.fixed_time.green", ft.Green, 0, MaxSignalTime)
	c.check("signals.fixed_time.offset", !math.IsNaN(ft.Offset) && !math.IsInf(ft.Offset, 0), "must be finite, got %g", ft.Offset)

	w := &g.Webster
	c.phaseSet("signals.webster.phases", w.Phases)
	c.within("signals.webster.saturation", w.Saturation, 0, MaxSaturation)
	c.check("signals.webster.k", w.K >= 0 && w.K <= 1000, "must be in [1, 1000] cycles, got %d", w.K)
	c.within("signals.webster.min_cycle", w.MinCycle, 0, MaxSignalTime)
	if w.MaxCycle != 0 {
		c.check("signals.webster.max_cycle", w.MaxCycle >= w.MinCycle && w.MaxCycle <= MaxSignalTime, "must be in [min_cycle = %g, %g] s, got %g", w.MinCycle, MaxSignalTime, w.MaxCycle)
	}
	c.within("signals.webster.min_green", w.MinGreen, 0, MaxSignalTime)
	c.within("signals.webster.lost", w.Lost, 0, MaxSignalTime)
	if w.Flows != "" {
		c.oneOf("signals.webster.flows", w.Flows, WebsterFlows)
	}

	a := &g.Actuated
	c.phaseSet("signals.actuated.phases", a.Phases)
	c.within("signals.actuated.min_green", a.MinGreen, 0, MaxSignalTime)
	if a.MaxGreen != 0 {
		c.check("signals.actuated.max_green", a.MaxGreen >= a.MinGreen && a.MaxGreen <= MaxSignalTime, "must be in [min_green = %g, %g] s, got %g", a.MinGreen, MaxSignalTime, a.MaxGreen)
	}
	c.within("signals.actuated.passage", a.Passage, 0, 60)

	m := &g.MaxPressure
	c.phaseSet("signals.max_pressure.phases", m.Phases)
	c.within("signals.max_pressure.delta", m.Delta, 0, MaxSignalTime)
	c.within("signals.max_pressure.min_green", m.MinGreen, 0, MaxSignalTime)
	if m.Variant != "" {
		c.oneOf("signals.max_pressure.variant", m.Variant, MaxPressureVariants)
	}

	so := &g.SOTL
	c.phaseSet("signals.sotl.phases", so.Phases)
	if so.Variant != "" {
		c.oneOf("signals.sotl.variant", so.Variant, SOTLVariants)
	}
	c.check("signals.sotl.theta", so.Theta >= 0 && !math.IsInf(so.Theta, 0), "must be positive and finite (veh·s), got %g", so.Theta)
	c.within("signals.sotl.phi_min", so.PhiMin, 0, MaxSignalTime)
	c.check("signals.sotl.mu", so.Mu >= 0 && so.Mu <= 1000, "must be in [1, 1000] vehicles, got %d", so.Mu)
	c.check("signals.sotl.min_green_vehicles", so.MinGreenVehicles >= 0 && so.MinGreenVehicles <= 10000, "must be in [1, 10000] vehicles, got %d", so.MinGreenVehicles)
	c.check("signals.sotl.max_red_vehicles", so.MaxRedVehicles >= 0 && so.MaxRedVehicles <= 10000, "must be in [1, 10000] vehicles, got %d", so.MaxRedVehicles)
	if so.Omega != 0 {
		c.check("signals.sotl.omega", so.Omega > 0 && so.Omega <= MaxDetectorDistance, "must be in (0, %g] m, got %g", MaxDetectorDistance, so.Omega)
		c.check("signals.sotl.omega", so.Omega == d.LoopOffset, "sets detectors.loop_offset, which is %g m: set one of them, got %g", d.LoopOffset, so.Omega)
	}
}

// phaseSet checks a list of program phase indices (whether they exist
// is checked per junction by Build).
func (c *checker) phaseSet(key string, set []int) {
	if set == nil {
		return
	}
	c.check(key, len(set) > 0, "must list at least one phase (or be left out)")
	for i, p := range set {
		c.check(fmt.Sprintf("%s[%d]", key, i), p >= 0, "phase index must not be negative, got %d", p)
		if slices.Contains(set[:i], p) {
			c.add(fmt.Sprintf("%s[%d]", key, i), "phase %d is listed twice", p)
		}
	}
}

// junctionList checks a list of junction ids and group references.
func (c *checker) junctionList(key string, ids []string, emptyOK bool) {
	c.check(key, emptyOK || len(ids) > 0, "must list at least one junction")
	for i, id := range ids {
		k := fmt.Sprintf("%s[%d]", key, i)
		if name, ok := strings.CutPrefix(id, GroupPrefix); ok {
			if _, ok := c.s.Signals.Groups[name]; !ok {
				c.add(k, "no group %q in signals.groups", name)
			}
			continue
		}
		c.check(k, id != "", "junction id must not be empty")
	}
}

func hasGroup(ids []string) bool {
	return slices.ContainsFunc(ids, func(id string) bool { return strings.HasPrefix(id, GroupPrefix) })
}
