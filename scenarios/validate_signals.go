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
		c.oneOf("signals.policy", g.Policy, PolicyNames())
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
			c.oneOf(key("policy"), o.Policy, PolicyNames())
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
		c.oneOf(key("policy"), sw.Policy, PolicyNames())
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
	c.within("signals.guard.min_green", *gd.MinGreen, 0, MaxSignalTime)
	c.check("signals.guard.max_red", gd.MaxRed == 0 || gd.MaxRed > 0 && gd.MaxRed <= MaxSignalTime,
		"must be 0 (off) or in (0, %g] s, got %g", MaxSignalTime, gd.MaxRed)
	if gd.MaxRed > 0 {
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
	c.check("signals.detectors.loop_offset", d.LoopOffset > 0 && d.LoopOffset <= MaxDetectorDistance, "must be in (0, %g] m, got %g", MaxDetectorDistance, d.LoopOffset)
	c.within("signals.detectors.area_length", d.AreaLength, 0, MaxDetectorDistance)

	for _, pd := range policies() {
		pd.check(g.params(pd), &ParamChecker{c: c, prefix: joinKey("signals", pd.name)})
	}
	if so := paramsOf[SOTLParams](g, "sotl"); so.Omega != 0 {
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
