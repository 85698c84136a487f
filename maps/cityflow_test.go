package maps

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// tinyRoadnet is a CityFlow roadnet with one signalised intersection
// "intersection_1_1" at the origin and four virtual ones 300 m east, north,
// west and south, joined by two-lane roads named as CityFlow does
// ("road_x_y_d" leaves (x, y) heading d: 0 east, 1 north, 2 west, 3 south).
// The light has five phases: right turns only, east–west through, north–south
// through, east–west left, north–south left.
func tinyRoadnet() map[string]any {
	type xy = map[string]any
	dirs := [4][2]int{{1, 0}, {0, 1}, {-1, 0}, {0, -1}}
	pos := func(x, y int) xy { return xy{"x": float64(x-1) * 300, "y": float64(y-1) * 300} }
	var inters []any
	var roads []any
	lanes := []any{xy{"width": 3.2, "maxSpeed": 11.11}, xy{"width": 3.2, "maxSpeed": 11.11}}
	var centreRoads []any
	for d, dv := range dirs {
		x, y := 1+dv[0], 1+dv[1]
		id := fmt.Sprintf("intersection_%d_%d", x, y)
		out := fmt.Sprintf("road_1_1_%d", d)
		in := fmt.Sprintf("road_%d_%d_%d", x, y, (d+2)%4)
		inters = append(inters, xy{"id": id, "point": pos(x, y), "width": 0, "virtual": true, "roads": []any{in, out},
			"roadLinks": []any{}, "trafficLight": xy{"roadLinkIndices": []any{}, "lightphases": []any{}}})
		roads = append(roads,
			xy{"id": out, "points": []any{pos(1, 1), pos(x, y)}, "lanes": lanes, "startIntersection": "intersection_1_1", "endIntersection": id},
			xy{"id": in, "points": []any{pos(x, y), pos(1, 1)}, "lanes": lanes, "startIntersection": id, "endIntersection": "intersection_1_1"})
		centreRoads = append(centreRoads, in, out)
	}
	var links []any
	var rights, ewS, nsS, ewL, nsL []any
	for d, dv := range dirs {
		in := fmt.Sprintf("road_%d_%d_%d", 1+dv[0], 1+dv[1], (d+2)%4)
		h := (d + 2) % 4 // heading of the approach
		for _, turn := range []struct {
			typ      string
			to       int
			from, at [][2]int // lane pairs
		}{
			{"turn_left", (h + 1) % 4, [][2]int{{0, 0}}, nil},
			{"go_straight", h, [][2]int{{0, 0}, {1, 1}}, nil},
			{"turn_right", (h + 3) % 4, [][2]int{{1, 1}}, nil},
		} {
			var ll []any
			for _, p := range turn.from {
				ll = append(ll, xy{"startLaneIndex": p[0], "endLaneIndex": p[1], "points": []any{}})
			}
			k := len(links)
			links = append(links, xy{"type": turn.typ, "startRoad": in, "endRoad": fmt.Sprintf("road_1_1_%d", turn.to), "direction": 0, "laneLinks": ll})
			ew := h == 0 || h == 2
			switch {
			case turn.typ == "turn_right":
				rights = append(rights, k)
			case turn.typ == "go_straight" && ew:
				ewS = append(ewS, k)
			case turn.typ == "go_straight":
				nsS = append(nsS, k)
			case ew:
				ewL = append(ewL, k)
			default:
				nsL = append(nsL, k)
			}
		}
	}
	with := func(a []any) []any { return append(append([]any(nil), rights...), a...) }
	var idx []any
	for k := range links {
		idx = append(idx, k)
	}
	phases := []any{
		xy{"time": 5, "availableRoadLinks": rights},
		xy{"time": 30, "availableRoadLinks": with(ewS)},
		xy{"time": 30, "availableRoadLinks": with(nsS)},
		xy{"time": 15, "availableRoadLinks": with(ewL)},
		xy{"time": 15, "availableRoadLinks": with(nsL)},
	}
	centre := xy{"id": "intersection_1_1", "point": pos(1, 1), "width": 15, "virtual": false, "roads": centreRoads,
		"roadLinks": links, "trafficLight": xy{"roadLinkIndices": idx, "lightphases": phases}}
	return xy{"intersections": append([]any{centre}, inters...), "roads": roads}
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// jsonAt walks a decoded JSON value: keys for objects, ints for arrays.
func jsonAt(v any, steps ...any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

func TestReadCityFlowTiny(t *testing.T) {
	n, err := ReadCityFlow(marshal(t, tinyRoadnet()), "tiny.json")
	if err != nil {
		t.Fatalf("ReadCityFlow: %v", err)
	}
	if err := n.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(n.Nodes) != 5 || len(n.Roads) != 8 || len(n.Lanes) != 16 || len(n.Movements) != 12 || len(n.Links) != 16 {
		t.Errorf("got %d nodes, %d roads, %d lanes, %d movements, %d links, want 5, 8, 16, 12, 16",
			len(n.Nodes), len(n.Roads), len(n.Lanes), len(n.Movements), len(n.Links))
	}
	v, _ := n.NodeByID("intersection_1_1")
	c := &n.Nodes[v]
	if c.Kind != Signalised || len(c.Program.Phases) != 5 || c.Program.Yellow != 0 {
		t.Fatalf("centre: got kind %s, program %+v, want signalised with the file's 5 phases and no yellow", c.Kind, c.Program)
	}
	if got := checkSignals(t, "tiny", n); got != 1 {
		t.Errorf("signalised: got %d, want 1", got)
	}
	if got, want := c.Program.Phases[1].Duration, 30.0; got != want {
		t.Errorf("phase 1: got %g s, want %g", got, want)
	}
	// The straight movements from east and west cross those from north and
	// south: the file never gives them green together, and the conflict
	// matrix calls them exclusive.
	straight := map[string]int{}
	for k, m := range c.Movements {
		mv := n.Movements[m]
		if mv.Local != k {
			t.Errorf("movement %d: got Local %d, want the roadLink index %d", m, mv.Local, k)
		}
		if mv.Turn == Straight {
			straight[n.Roads[mv.From].ID] = k
		}
	}
	if a, b := straight["road_2_1_2"], straight["road_1_2_3"]; !c.Conflicts.Exclusive(a, b) {
		t.Errorf("straight from east (%d) and from north (%d): got flags %03b, want exclusive", a, b, c.Conflicts.At(a, b))
	}
	for _, nd := range n.Nodes {
		if nd.Virtual && (nd.Kind != Boundary || len(nd.Movements) != 0) {
			t.Errorf("virtual %s: got kind %s, want boundary without movements", nd.ID, nd.Kind)
		}
	}
	for _, l := range n.Lanes {
		if l.Length >= 300 || l.Length < 250 {
			t.Errorf("lane of road %s: got length %g m, want 300 m cut back by the 15 m intersection width", n.Roads[l.Road].ID, l.Length)
		}
	}
	r := NewRouter(n)
	from, _ := n.RoadByID("road_0_1_0")
	to, _ := n.RoadByID("road_1_1_1")
	if rt, _, err := r.Route(from, to); err != nil || len(rt) != 2 {
		t.Errorf("route west → north: got %v, %v, want 2 roads", rt, err)
	}
}

// badCityFlow lists broken variants of tinyRoadnet and what the error must say.
var badCityFlow = []struct {
	name   string
	change func(rn map[string]any) any // returns the document to encode
	want   string
}{
	{"no intersections", func(rn map[string]any) any { rn["intersections"] = []any{}; return rn }, "needs intersections and roads"},
	{"no roads", func(rn map[string]any) any { delete(rn, "roads"); return rn }, "needs intersections and roads"},
	{"not an object", func(rn map[string]any) any { return []any{rn} }, "not a CityFlow roadnet"},
	{"point without y", func(rn map[string]any) any {
		delete(jsonAt(rn, "intersections", 1, "point").(map[string]any), "y")
		return rn
	}, "intersection 1 (id intersection_2_1): point: a point needs x and y"},
	{"point far away", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 1, "point").(map[string]any)["x"] = 1e9
		return rn
	}, "out of range"},
	{"intersection without id", func(rn map[string]any) any { jsonAt(rn, "intersections", 2).(map[string]any)["id"] = ""; return rn }, "intersection 2: no id"},
	{"duplicate intersection", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 2).(map[string]any)["id"] = "intersection_2_1"
		return rn
	}, "duplicate id intersection_2_1"},
	{"negative width", func(rn map[string]any) any { jsonAt(rn, "intersections", 0).(map[string]any)["width"] = -1; return rn }, "width -1"},
	{"road to nowhere", func(rn map[string]any) any {
		jsonAt(rn, "roads", 3).(map[string]any)["endIntersection"] = "nowhere"
		return rn
	}, "road 3 (id road_1_2_3): start or end intersection"},
	{"self-loop", func(rn map[string]any) any {
		jsonAt(rn, "roads", 0).(map[string]any)["endIntersection"] = "intersection_1_1"
		return rn
	}, "self-loop"},
	{"duplicate road", func(rn map[string]any) any { jsonAt(rn, "roads", 1).(map[string]any)["id"] = "road_1_1_0"; return rn }, "road 1 (id road_1_1_0): duplicate id"},
	{"road without id", func(rn map[string]any) any { jsonAt(rn, "roads", 1).(map[string]any)["id"] = ""; return rn }, "road 1: no id"},
	{"road with one point", func(rn map[string]any) any {
		r := jsonAt(rn, "roads", 0).(map[string]any)
		r["points"] = r["points"].([]any)[:1]
		return rn
	}, "at least 2 distinct points"},
	{"road without lanes", func(rn map[string]any) any { jsonAt(rn, "roads", 0).(map[string]any)["lanes"] = []any{}; return rn }, "0 lanes"},
	{"lane without width", func(rn map[string]any) any {
		jsonAt(rn, "roads", 0).(map[string]any)["lanes"] = []any{map[string]any{"width": 0, "maxSpeed": 10}}
		return rn
	}, "lane 0: width 0"},
	{"unknown turn", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 0, "roadLinks", 1).(map[string]any)["type"] = "fly"
		return rn
	}, `roadLink 1: unknown type "fly"`},
	{"missing road in a roadLink", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 0, "roadLinks", 2).(map[string]any)["endRoad"] = "road_9"
		return rn
	}, `roadLink 2: road "road_2_1_2" or "road_9" does not exist`},
	{"roadLink elsewhere", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 0, "roadLinks", 2).(map[string]any)["endRoad"] = "road_2_1_2"
		return rn
	}, "does not start here"},
	{"lane out of range", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 0, "roadLinks", 1, "laneLinks", 0).(map[string]any)["endLaneIndex"] = 2
		return rn
	}, "roadLink 1 laneLink 0: lane 0→2 out of range"},
	{"no laneLinks", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 0, "roadLinks", 1).(map[string]any)["laneLinks"] = []any{}
		return rn
	}, "roadLink 1 has no laneLinks"},
	{"bad laneLink point", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 0, "roadLinks", 1, "laneLinks", 0).(map[string]any)["points"] = []any{map[string]any{"x": 1}}
		return rn
	}, "roadLink 1 laneLink 0: a point needs x and y"},
	{"phase naming a missing roadLink", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 0, "trafficLight", "lightphases", 1).(map[string]any)["availableRoadLinks"] = []any{12}
		return rn
	}, "lightphase 1: roadLink 12 does not exist"},
	{"phase without time", func(rn map[string]any) any {
		jsonAt(rn, "intersections", 0, "trafficLight", "lightphases", 2).(map[string]any)["time"] = 0
		return rn
	}, "lightphase 2: time 0"},
	{"crossing greens", func(rn map[string]any) any {
		// Through traffic from the east (roadLink 1) and from the north (4).
		jsonAt(rn, "intersections", 0, "trafficLight", "lightphases", 1).(map[string]any)["availableRoadLinks"] = []any{1, 4}
		return rn
	}, "lightphase 1: movements 1 and 4 conflict"},
}

func TestReadCityFlowErrors(t *testing.T) {
	for _, tc := range badCityFlow {
		t.Run(tc.name, func(t *testing.T) {
			data := marshal(t, tc.change(tinyRoadnet()))
			n, err := ReadCityFlow(data, "bad.json")
			if err == nil || n != nil {
				t.Fatalf("got a network and error %v, want an error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %q, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := ReadCityFlow([]byte(`{"intersections": [`), "x"); err == nil || !strings.Contains(err.Error(), "not a CityFlow roadnet") {
		t.Errorf("truncated JSON: got %v, want a parse error", err)
	}
	if _, err := LoadCityFlow("testdata/missing.json"); err == nil {
		t.Error("LoadCityFlow of a missing file: got nil error, want one")
	}
}
