package sumoroutes

import (
	"fmt"
	"math"
	"strings"
)

// speedFactor reads a number, norm(mean,dev) or normc(mean,dev,min,max).
func speedFactor(s string, d *Dist) bool {
	s = strings.TrimSpace(s)
	if v, ok := number(s); ok {
		d.Mean = v
		return v > 0
	}
	var args []float64
	for _, pre := range []string{"normc(", "norm("} {
		if rest, ok := strings.CutPrefix(s, pre); ok && strings.HasSuffix(rest, ")") {
			for _, a := range strings.Split(strings.TrimSuffix(rest, ")"), ",") {
				v, ok := number(a)
				if !ok {
					return false
				}
				args = append(args, v)
			}
			switch {
			case pre == "norm(" && len(args) == 2:
				d.Mean, d.Dev = args[0], args[1]
			case pre == "normc(" && len(args) == 4:
				d.Mean, d.Dev, d.Min, d.Max = args[0], args[1], args[2], args[3]
			case pre == "normc(" && len(args) == 3:
				d.Mean, d.Dev, d.Min = args[0], args[1], args[2]
			default:
				return false
			}
			return d.Mean > 0 && d.Dev >= 0
		}
	}
	return false
}

// Car-following models CityTwin runs as SUMO names them.
var models = map[string]string{"": "Krauss", "Krauss": "Krauss", "IDM": "IDM"}

// vType reads a vType (also inside a distribution); it returns its id.
func (rd *reader) vType(e *elem) (string, error) {
	id := e.get("id")
	if id == "" {
		return "", errf(e, "", "no id")
	}
	if where, dup := rd.types[id]; dup {
		return "", errf(e, id, "vehicle type defined twice (first at %s)", where)
	}
	if _, dup := rd.typeDists[id]; dup {
		return "", errf(e, id, "a vehicle type distribution has this id")
	}
	t := DefaultVType()
	t.ID, t.Line = id, e.line
	emergencySet := false
	apply := func(el *elem) error {
		for _, a := range el.attrs {
			k, v := a.Name.Local, a.Value
			pos := func(dst *float64, nonneg bool) error {
				x, ok := number(v)
				if !ok || x < 0 || !nonneg && x == 0 || x > 1e4 {
					return errf(e, id, "%s %q is not a %s number", k, v, map[bool]string{true: "non-negative", false: "positive"}[nonneg])
				}
				*dst = x
				return nil
			}
			var err error
			switch k {
			case "id", "probability":
			case "accel":
				err = pos(&t.Accel, false)
			case "decel":
				err = pos(&t.Decel, false)
			case "emergencyDecel":
				err = pos(&t.EmergencyDecel, false)
				emergencySet = true
			case "apparentDecel":
			case "sigma":
				err = pos(&t.Sigma, true)
				if err == nil && t.Sigma > 1 {
					err = errf(e, id, "sigma %q is not in [0, 1]", v)
				}
			case "tau":
				err = pos(&t.Tau, false)
			case "delta":
				err = pos(&t.Delta, false)
			case "length":
				err = pos(&t.Length, false)
			case "minGap":
				err = pos(&t.MinGap, true)
			case "maxSpeed":
				err = pos(&t.MaxSpeed, false)
			case "speedDev":
				err = pos(&t.SpeedFactor.Dev, true)
			case "speedFactor":
				sf := Dist{Dev: t.SpeedFactor.Dev, Min: 0.2, Max: 2}
				if !speedFactor(v, &sf) {
					return errf(e, id, "speedFactor %q: want a number, norm(mean,dev) or normc(mean,dev,min,max)", v)
				}
				t.SpeedFactor = sf
			case "vClass":
				t.VClass = v
				if v != "passenger" && v != "private" && v != "taxi" && v != "evehicle" {
					rd.note(e.line, fmt.Sprintf("vClass=%q: passenger-car defaults and lanes", v))
				}
			case "carFollowModel":
				if _, ok := models[v]; !ok {
					rd.note(e.line, fmt.Sprintf("carFollowModel=%q: run as Krauss", v))
					v = "Krauss"
				}
				t.Model = models[v]
			default:
				switch {
				case cosmetic[k]:
				case strings.HasPrefix(k, "lc"):
					rd.note(e.line, "lane-change model parameters (lc...): CityTwin's MOBIL settings apply")
				case strings.HasPrefix(k, "jm"):
					rd.note(e.line, "junction model parameters (jm...): not modelled")
				default:
					rd.note(e.line, fmt.Sprintf("vType attribute %s: not modelled", k))
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := apply(e); err != nil {
		return "", err
	}
	for _, k := range e.kids {
		switch {
		case strings.HasPrefix(k.name, "carFollowing-"):
			m := strings.TrimPrefix(k.name, "carFollowing-")
			if _, ok := models[m]; !ok {
				rd.note(k.line, fmt.Sprintf("carFollowModel=%q: run as Krauss", m))
				m = "Krauss"
			}
			t.Model = models[m]
			if err := apply(k); err != nil {
				return "", err
			}
		case k.name == "param":
		default:
			rd.note(k.line, fmt.Sprintf("<%s> inside <vType>: skipped", k.name))
		}
	}
	if !emergencySet {
		t.EmergencyDecel = math.Max(t.EmergencyDecel, t.Decel)
	}
	if t.EmergencyDecel < t.Decel {
		return "", errf(e, id, "emergencyDecel %g is below decel %g", t.EmergencyDecel, t.Decel)
	}
	sf := &t.SpeedFactor
	if !(sf.Min > 0 && sf.Min <= sf.Mean && sf.Mean <= sf.Max) {
		return "", errf(e, id, "speedFactor mean %g must lie in its bounds [%g, %g], with a positive lower bound", sf.Mean, sf.Min, sf.Max)
	}
	rd.types[id] = fmt.Sprintf("%s line %d", rd.name, e.line)
	rd.f.VTypes = append(rd.f.VTypes, t)
	return id, nil
}

func (rd *reader) vTypeDist(e *elem) error {
	id := e.get("id")
	if id == "" {
		return errf(e, "", "no id")
	}
	if _, dup := rd.typeDists[id]; dup {
		return errf(e, id, "defined twice")
	}
	if _, dup := rd.types[id]; dup && id != DefaultVTypeID {
		return errf(e, id, "a vehicle type has this id")
	}
	c := &choice{}
	for _, k := range e.kids {
		if k.name != "vType" {
			if k.name != "param" {
				rd.note(k.line, fmt.Sprintf("<%s> inside <vTypeDistribution>: skipped", k.name))
			}
			continue
		}
		tid, err := rd.vType(k)
		if err != nil {
			return err
		}
		w := 1.0
		if p, ok := k.attr("probability"); ok {
			if w, ok = number(p); !ok || w < 0 {
				return errf(k, tid, "probability %q is not a non-negative number", p)
			}
		}
		c.ids, c.weights = append(c.ids, tid), append(c.weights, w)
	}
	if list := strings.Fields(e.get("vTypes")); len(list) > 0 {
		probs := strings.Fields(e.get("probabilities"))
		if len(probs) > 0 && len(probs) != len(list) {
			return errf(e, id, "%d vTypes but %d probabilities", len(list), len(probs))
		}
		for i, tid := range list {
			if _, ok := rd.types[tid]; !ok {
				return errf(e, id, "vehicle type %q is not defined", tid)
			}
			w := 1.0
			if len(probs) > 0 {
				var ok bool
				if w, ok = number(probs[i]); !ok || w < 0 {
					return errf(e, id, "probability %q is not a non-negative number", probs[i])
				}
			}
			c.ids, c.weights = append(c.ids, tid), append(c.weights, w)
		}
	}
	total := 0.0
	for _, w := range c.weights {
		total += w
	}
	if len(c.ids) == 0 || !(total > 0) {
		return errf(e, id, "no vehicle type with a positive probability")
	}
	rd.typeDists[id] = c
	return nil
}
