package maps

import (
	"fmt"
	"strconv"

	"github.com/paulmach/orb"
)

// directedRoads reads mosstool's format: every line is a directed road and
// junction features list the roads ending (in_ways) and starting (out_ways)
// there.
func directedRoads(raw *rawNet, feats []feature) error {
	byID := map[string]int{} // road feature id -> index in raw.roads
	type jn struct {
		f       *feature
		in, out []string
	}
	var juncs []jn
	for i := range feats {
		f := &feats[i]
		_, hasIn := f.props["in_ways"]
		_, hasOut := f.props["out_ways"]
		if hasIn || hasOut {
			if len(f.points) == 0 {
				return fmt.Errorf("%s: a junction (in_ways/out_ways) needs a Point or MultiPoint geometry, has %q", f.name(), f.geomType)
			}
			in, err := idList(f, "in_ways")
			if err != nil {
				return err
			}
			out, err := idList(f, "out_ways")
			if err != nil {
				return err
			}
			juncs = append(juncs, jn{f, in, out})
			continue
		}
		if why, ok := drivable(f); !ok {
			if len(f.points) > 0 && controlSign(anyString(f.props["highway"])) {
				continue // handled by markSignals
			}
			raw.skipped[why]++
			continue
		}
		if f.id == "" {
			return fmt.Errorf("%s: a road in a file with junctions needs an id", f.name())
		}
		if j, dup := byID[f.id]; dup {
			return fmt.Errorf("%s: duplicate road id %s (also feature %d)", f.name(), f.id, raw.roads[j].feature)
		}
		if len(f.lines) != 1 {
			return fmt.Errorf("%s: a directed road must be one LineString, has %d parts", f.name(), len(f.lines))
		}
		if len(dedupe(f.lines[0])) < 2 {
			return fmt.Errorf("%s: a road needs 2 positions at least 1 mm apart", f.name())
		}
		a, err := raw.parseAttrs(f, true)
		if err != nil {
			return err
		}
		byID[f.id] = len(raw.roads)
		raw.roads = append(raw.roads, rawRoad{
			id: f.id, feature: f.index, sources: []string{f.id}, name: a.name, class: a.class, priority: a.def.Priority,
			from: -1, to: -1, geom: dedupe(f.lines[0]), lanes: a.lanesFwd, speed: a.speedFwd, width: a.width, turns: a.turnsFwd, layer: a.layer,
			roundabout: a.roundabout,
		})
	}
	seenJ := map[string]int{}
	for _, j := range juncs {
		if j.f.id != "" {
			if k, dup := seenJ[j.f.id]; dup {
				return fmt.Errorf("%s: duplicate junction id %s (also feature %d)", j.f.name(), j.f.id, k)
			}
			seenJ[j.f.id] = j.f.index
		}
		id := j.f.id
		if id == "" {
			id = "j" + strconv.Itoa(j.f.index)
		}
		v := len(raw.nodes)
		raw.nodes = append(raw.nodes, rawNode{id: id, feature: j.f.index, pos: centroid(j.f.points),
			tagged: anyString(j.f.props["highway"]) == "traffic_signals"})
		// The roads ending here (in_ways) get v as their end node, those
		// starting here (out_ways) as their start node.
		for _, side := range []struct {
			key, verb string
			ways      []string
			end       func(r *rawRoad) *int
		}{
			{"in_ways", "ends", j.in, func(r *rawRoad) *int { return &r.to }},
			{"out_ways", "starts", j.out, func(r *rawRoad) *int { return &r.from }},
		} {
			for _, w := range side.ways {
				r, ok := byID[w]
				if !ok {
					return fmt.Errorf("%s: %s names road %s, which does not exist", j.f.name(), side.key, w)
				}
				end := side.end(&raw.roads[r])
				if *end >= 0 {
					return fmt.Errorf("%s: road %s %s at two junctions (%s and %s)", j.f.name(), w, side.verb, raw.nodes[*end].id, id)
				}
				*end = v
			}
		}
	}
	// Road ends not listed by any junction join the junction of a listed
	// road end within 1 m, else get a node of their own, shared by ends at
	// the same position.
	ends := map[orb.Point]int{}
	endNode := func(p orb.Point, road string, other int) int {
		if v, ok := ends[p]; ok && v != other {
			return v
		}
		for _, q := range raw.roads {
			if q.from >= 0 && q.from != other && dist(q.geom[0], p) <= 1 {
				return q.from
			}
			if q.to >= 0 && q.to != other && dist(q.geom[len(q.geom)-1], p) <= 1 {
				return q.to
			}
		}
		v := len(raw.nodes)
		raw.nodes = append(raw.nodes, rawNode{id: "end:" + road, feature: -1, pos: p})
		ends[p] = v
		return v
	}
	for i := range raw.roads {
		r := &raw.roads[i]
		if r.from < 0 {
			r.from = endNode(r.geom[0], r.id, r.to)
		}
		if r.to < 0 {
			r.to = endNode(r.geom[len(r.geom)-1], r.id, r.from)
		}
	}
	markSignals(raw, feats)
	return dropSelfLoops(raw)
}

func idList(f *feature, key string) ([]string, error) {
	v, ok := f.props[key]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: %s must be a list of road ids, is %v", f.name(), key, v)
	}
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = anyString(e)
	}
	return out, nil
}

func centroid(ps []orb.Point) orb.Point {
	var c orb.Point
	for _, p := range ps {
		c[0] += p[0]
		c[1] += p[1]
	}
	return orb.Point{c[0] / float64(len(ps)), c[1] / float64(len(ps))}
}
