package maps

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// Small inline FeatureCollections on a lattice around lon 114.5, lat 30.5:
// pt(x, y) is x·0.001° east and y·0.001° north of it (about 96 m and 111 m).

func pt(x, y float64) string { return fmt.Sprintf("[%.7f,%.7f]", 114.5+x*0.001, 30.5+y*0.001) }

func lonlat(x, y float64) orb.Point { return orb.Point{114.5 + x*0.001, 30.5 + y*0.001} }

// way is a LineString feature with id and tags (a JSON object) through pts.
func way(id, tags string, pts ...string) string {
	return fmt.Sprintf(`{"type":"Feature","id":%q,"properties":%s,"geometry":{"type":"LineString","coordinates":[%s]}}`,
		id, tags, strings.Join(pts, ","))
}

func point(id, tags, p string) string {
	return fmt.Sprintf(`{"type":"Feature","id":%q,"properties":%s,"geometry":{"type":"Point","coordinates":%s}}`, id, tags, p)
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",\n") + `]}`
}

func readGeo(t *testing.T, src string, opt Options) *Network {
	t.Helper()
	n, err := ReadGeoJSON([]byte(src), "test.geojson", opt)
	if err != nil {
		t.Fatalf("ReadGeoJSON: %v\n%s", err, src)
	}
	if err := n.Check(); err != nil {
		t.Fatalf("Check: got %v, want nil", err)
	}
	return n
}

// nodeAt returns the node within 1 m of lon/lat p, or None.
func nodeAt(n *Network, p orb.Point) NodeID {
	q := LocalProjection(*n.Origin)(p)
	for v := range n.Nodes {
		if dist(n.Nodes[v].Pos, q) <= 1 {
			return NodeID(v)
		}
	}
	return None
}

func road(t *testing.T, n *Network, id string) *Road {
	t.Helper()
	r, ok := n.RoadByID(id)
	if !ok {
		var ids []string
		for _, r := range n.Roads {
			ids = append(ids, r.ID)
		}
		t.Fatalf("no road %q; roads are %v", id, ids)
	}
	return &n.Roads[r]
}

const residential = `{"highway":"residential"}`

func TestGeoJSONJunctions(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b string // the west–east way and the south–north way
		// node at the centre and its neighbours, or 0 for no node there
		centre int
		roads  int
	}{
		{"shared vertex", way("1", residential, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", residential, pt(0, -1), pt(0, 0), pt(0, 1)), 4, 8},
		{"crossing without a shared vertex", way("1", residential, pt(-1, 0), pt(1, 0)), way("2", residential, pt(0, -1), pt(0, 1)), 0, 4},
		{"bridge, layer=1", way("1", residential, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", `{"highway":"residential","bridge":"yes","layer":1}`, pt(0, -1), pt(0, 0), pt(0, 1)), 0, 4},
		{"bridge, layer=\"1\"", way("1", residential, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", `{"highway":"residential","layer":"1"}`, pt(0, -1), pt(0, 0), pt(0, 1)), 0, 4},
		{"bridge=yes", way("1", residential, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", `{"highway":"residential","bridge":"yes"}`, pt(0, -1), pt(0, 0), pt(0, 1)), 0, 4},
		{"tunnel=yes", way("1", residential, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", `{"highway":"residential","tunnel":"yes"}`, pt(0, -1), pt(0, 0), pt(0, 1)), 0, 4},
		{"both on a bridge", way("1", `{"highway":"residential","layer":1}`, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", `{"highway":"residential","layer":1}`, pt(0, -1), pt(0, 0), pt(0, 1)), 4, 8},
		{"T: end on an interior vertex", way("1", residential, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", residential, pt(0, 0), pt(0, 1)), 3, 6},
		{"bridge end on an interior vertex", way("1", residential, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", `{"highway":"residential","layer":1}`, pt(0, 0), pt(0, 1)), 3, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := readGeo(t, collection(tc.a, tc.b), Options{})
			if len(n.Roads) != tc.roads {
				t.Errorf("roads: got %d, want %d", len(n.Roads), tc.roads)
			}
			v := nodeAt(n, lonlat(0, 0))
			switch {
			case tc.centre == 0 && v != None:
				t.Errorf("centre: got node %s with %d neighbours, want no junction", n.Nodes[v].ID, neighbourCount(n, v))
			case tc.centre > 0 && v == None:
				t.Errorf("centre: got no node, want a junction with %d neighbours", tc.centre)
			case tc.centre > 0:
				if got := neighbourCount(n, v); got != tc.centre {
					t.Errorf("centre: got %d neighbours, want %d", got, tc.centre)
				}
				if got, want := len(n.Nodes[v].Movements), tc.centre*(tc.centre-1); got != want {
					t.Errorf("centre: got %d movements, want %d (every approach to every other exit)", got, want)
				}
				if n.Nodes[v].Kind != Priority {
					t.Errorf("centre: got kind %s, want priority (residential streets)", n.Nodes[v].Kind)
				}
			}
			for _, end := range []orb.Point{lonlat(-1, 0), lonlat(1, 0), lonlat(0, 1)} {
				if v := nodeAt(n, end); v == None || n.Nodes[v].Kind != DeadEnd {
					t.Errorf("end %v: got node %d, want a dead end", end, v)
				}
			}
		})
	}
}

func TestGeoJSONBridgeEnds(t *testing.T) {
	// A ground road passes under a bridge (they share a vertex); the bridge
	// ends join a street on the ground.
	src := collection(
		way("g", residential, pt(-1, 0), pt(0, 0), pt(1, 0)),
		way("b", `{"highway":"residential","bridge":"yes","layer":1,"name":"Bridge"}`, pt(0, -1), pt(0, 0), pt(0, 1)),
		way("e", `{"highway":"residential","name":"North street"}`, pt(0, 1), pt(0, 2)),
	)
	n := readGeo(t, src, Options{})
	if v := nodeAt(n, lonlat(0, 0)); v != None {
		t.Errorf("under the bridge: got node %s, want no junction", n.Nodes[v].ID)
	}
	v := nodeAt(n, lonlat(0, 1))
	if v == None {
		t.Fatal("bridge end: got no node, want one joining the bridge and the street")
	}
	onto, back := road(t, n, "b"), road(t, n, "-e")
	bridge, _ := n.RoadByID("b")
	street, _ := n.RoadByID("e")
	if got := n.MovementBetween(bridge, street); got == None {
		t.Errorf("bridge b to street e: got no movement, want one at the bridge end")
	}
	if n.Roads[bridge].To != v {
		t.Errorf("bridge b: got it ending at node %d, want the bridge-end node %d", n.Roads[bridge].To, v)
	}
	if onto.Layer != 1 || back.Layer != 0 {
		t.Errorf("layers: got bridge %d, street %d, want 1 and 0", onto.Layer, back.Layer)
	}
	r, _ := n.RoadByID("-e")
	b, _ := n.RoadByID("-b")
	if n.MovementBetween(r, b) == None {
		t.Errorf("street -e onto bridge -b: got no movement, want one")
	}
}

func TestGeoJSONOneway(t *testing.T) {
	for _, tc := range []struct {
		tags     string
		ids      []string // roads, in order
		reversed bool     // the road runs against the coordinates
		twoWay   bool
		warn     string
	}{
		{`{"highway":"residential","oneway":"yes"}`, []string{"w"}, false, false, ""},
		{`{"highway":"residential","oneway":"true"}`, []string{"w"}, false, false, ""},
		{`{"highway":"residential","oneway":"-1"}`, []string{"-w"}, true, false, ""},
		{`{"highway":"residential","oneway":"reverse"}`, []string{"-w"}, true, false, ""},
		{`{"highway":"residential","oneway":"no"}`, []string{"w", "-w"}, false, true, ""},
		{`{"highway":"residential"}`, []string{"w", "-w"}, false, true, ""},
		{`{"highway":"motorway"}`, []string{"w"}, false, false, ""},
		{`{"highway":"residential","junction":"roundabout"}`, []string{"w"}, false, false, ""},
		{`{"highway":"residential","oneway":"maybe"}`, []string{"w", "-w"}, false, true, "oneway=maybe not understood"},
	} {
		t.Run(tc.tags, func(t *testing.T) {
			n := readGeo(t, collection(way("w", tc.tags, pt(0, 0), pt(1, 0))), Options{})
			var ids []string
			for _, r := range n.Roads {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, tc.ids) {
				t.Fatalf("roads: got %v, want %v", ids, tc.ids)
			}
			r := &n.Roads[0]
			start := lonlat(0, 0)
			if tc.reversed {
				start = lonlat(1, 0)
			}
			if got := nodeAt(n, start); got != r.From {
				t.Errorf("road %s: got it from node %d, want from the node at %v (%d)", r.ID, r.From, start, got)
			}
			if r.TwoWay != tc.twoWay {
				t.Errorf("TwoWay: got %v, want %v", r.TwoWay, tc.twoWay)
			}
			checkWarning(t, n, tc.warn, 0, "w")
		})
	}
}

// checkWarning checks that n warns with a message containing want for the
// feature index and id, or has no warnings when want is "".
func checkWarning(t *testing.T, n *Network, want string, feature int, id string) {
	t.Helper()
	if want == "" {
		if len(n.Warnings) != 0 {
			t.Errorf("warnings: got %v, want none", n.Warnings)
		}
		return
	}
	for _, w := range n.Warnings {
		if strings.Contains(w.Msg, want) {
			if w.Feature != feature || w.ID != id {
				t.Errorf("warning %q: got feature %d id %q, want %d %q", w.Msg, w.Feature, w.ID, feature, id)
			}
			if s := w.String(); feature >= 0 && !strings.Contains(s, fmt.Sprintf("feature %d (id %s)", feature, id)) {
				t.Errorf("warning string %q: want it to name feature %d (id %s)", s, feature, id)
			}
			return
		}
	}
	t.Errorf("warnings: got %v, want one containing %q", n.Warnings, want)
}

func TestGeoJSONLanes(t *testing.T) {
	for _, tc := range []struct {
		tags     string
		fwd, bwd int
	}{
		{`{"highway":"residential"}`, 1, 1},
		{`{"highway":"primary"}`, 2, 2},
		{`{"highway":"residential","lanes":"3"}`, 2, 1},
		{`{"highway":"residential","lanes":4}`, 2, 2},
		{`{"highway":"residential","lanes:forward":"2","lanes:backward":"1"}`, 2, 1},
		{`{"highway":"residential","lanes:forward":3}`, 3, 1},
		{`{"highway":"residential","lanes":"3","lanes:forward":"1"}`, 1, 2},
		{`{"highway":"residential","lanes":"5","lanes:backward":"2"}`, 3, 2},
		{`{"highway":"residential","lanes":"3","oneway":"yes"}`, 3, 0},
		{`{"highway":"residential","lanes":"2","oneway":"-1"}`, 0, 2},
	} {
		t.Run(tc.tags, func(t *testing.T) {
			n := readGeo(t, collection(way("w", tc.tags, pt(0, 0), pt(1, 0))), Options{})
			got := map[string]int{}
			for _, r := range n.Roads {
				got[r.ID] = len(r.Lanes)
			}
			want := map[string]int{}
			if tc.fwd > 0 {
				want["w"] = tc.fwd
			}
			if tc.bwd > 0 {
				want["-w"] = tc.bwd
			}
			if !equalish(got, want) {
				t.Errorf("lanes per road: got %v, want %v", got, want)
			}
			for _, l := range n.Lanes {
				if l.Width != DefaultLaneWidth {
					t.Errorf("lane width: got %g, want %g", l.Width, DefaultLaneWidth)
				}
			}
		})
	}
}

func TestParseMaxSpeed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64 // m/s; 0 wants an error
	}{
		{"50", 50 / 3.6},
		{"30 mph", 30 * 0.44704},
		{"30mph", 30 * 0.44704},
		{"50 km/h", 50 / 3.6},
		{"50 kmh", 50 / 3.6},
		{"10 knots", 10 * 0.514444},
		{"walk", 7 / 3.6},
		{"DE:urban", 50 / 3.6},
		{"de:rural", 100 / 3.6},
		{"XX:rural", 90 / 3.6},
		{"GB:nsl_single", 60 * 0.44704},
		{"GB:nsl_dual", 70 * 0.44704},
		{"GB:urban", 30 * 0.44704},
		{"FR:zone30", 30 / 3.6},
		{"DE:zone:20", 20 / 3.6},
		{"DE:bicycle_road", 30 / 3.6},
		{"DE:sidewalk", 0},
		{"RU:living_street", 20 / 3.6},
		{"DE:motorway", 130 / 3.6},
		{"XX:motorway", 120 / 3.6},
		{"none", 130 / 3.6},
		{" 60 ", 60 / 3.6},
		{"40;50", 40 / 3.6},
		{"", 0},
		{"fast", 0},
		{"mph", 0},
		{"50 furlongs", 0},
		{"0", 0},
		{"-30", 0},
		{"500", 0},
		{"NaN", 0},
		{"Inf", 0},
	} {
		got, err := ParseMaxSpeed(tc.in)
		switch {
		case tc.want == 0 && err == nil:
			t.Errorf("ParseMaxSpeed(%q): got %g, want an error", tc.in, got)
		case tc.want != 0 && (err != nil || math.Abs(got-tc.want) > 1e-9):
			t.Errorf("ParseMaxSpeed(%q): got %g, %v, want %g", tc.in, got, err, tc.want)
		}
	}
}

func TestGeoJSONSpeed(t *testing.T) {
	for _, tc := range []struct {
		tags string
		want float64
	}{
		{`{"highway":"residential"}`, 30 / 3.6},
		{`{"highway":"primary"}`, 65 / 3.6},
		{`{"highway":"residential","maxspeed":"30 mph"}`, 30 * 0.44704},
		{`{"highway":"residential","maxspeed":40}`, 40 / 3.6},
		{`{"highway":"residential","max_speed":12.5}`, 12.5},
		{`{"highway":"residential","maxspeed":"fast"}`, 30 / 3.6},
	} {
		n := readGeo(t, collection(way("w", tc.tags, pt(0, 0), pt(1, 0))), Options{})
		for _, r := range n.Roads {
			if math.Abs(r.Speed-tc.want) > 1e-9 {
				t.Errorf("%s: road %s: got %g m/s, want %g", tc.tags, r.ID, r.Speed, tc.want)
			}
		}
	}
}

func TestGeoJSONTurnLanes(t *testing.T) {
	// A one-way approach from the west with three lanes meets exits to the
	// north (left), east (straight) and south (right).
	exits := []string{
		way("n", `{"highway":"residential","oneway":"yes"}`, pt(0, 0), pt(0, 1)),
		way("e", `{"highway":"residential","oneway":"yes"}`, pt(0, 0), pt(1, 0)),
		way("s", `{"highway":"residential","oneway":"yes"}`, pt(0, 0), pt(0, -1)),
	}
	for _, tc := range []struct {
		name, tags string
		want       string // lane turns, left to right
	}{
		{"turn:lanes", `{"highway":"residential","oneway":"yes","lanes":3,"turn:lanes":"left|through|right"}`, "L|S|R"},
		{"turn:lanes with a shared lane", `{"highway":"residential","oneway":"yes","lanes":3,"turn:lanes":"left;through|through|right"}`, "LS|S|R"},
		{"turn:lanes:forward", `{"highway":"residential","oneway":"yes","lanes":3,"turn:lanes:forward":"left|left|through;right"}`, "L|L|SR"},
		{"mosstool turn list", `{"highway":"residential","oneway":"yes","lanes":3,"turn":["L","S","R"]}`, "L|S|R"},
		{"untagged", `{"highway":"residential","oneway":"yes","lanes":3}`, "LS|S|SR"},
		{"wrong lane count is ignored", `{"highway":"residential","oneway":"yes","lanes":3,"turn:lanes":"left|right"}`, "LS|S|SR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := readGeo(t, collection(append([]string{way("a", tc.tags, pt(-1, 0), pt(0, 0))}, exits...)...), Options{})
			a := road(t, n, "a")
			var got []string
			for _, l := range a.Lanes {
				got = append(got, n.Lanes[l].Turns.String())
				// Every link of a lane is a turn the lane allows.
				for _, k := range n.Lanes[l].Links {
					if tr := n.Movements[n.Links[k].Movement].Turn; !n.Lanes[l].Turns.Has(tr) {
						t.Errorf("lane %d (%s): got a link for turn %s", n.Lanes[l].Index, n.Lanes[l].Turns, tr)
					}
				}
			}
			if s := strings.Join(got, "|"); s != tc.want {
				t.Errorf("lane turns: got %s, want %s", s, tc.want)
			}
			// Turns are classified by angle.
			for _, m := range n.Movements {
				want := map[string]Turn{"n": Left, "e": Straight, "s": Right}[n.Roads[m.To].ID]
				if m.Turn != want {
					t.Errorf("movement a→%s: got %s, want %s", n.Roads[m.To].ID, m.Turn, want)
				}
			}
		})
	}
}

func TestGeoJSONMergeChains(t *testing.T) {
	street := `{"highway":"residential","name":"Main"}`
	other := `{"highway":"residential","name":"Other"}`
	wider := `{"highway":"residential","name":"Main","lanes":4}`
	for _, tc := range []struct {
		name    string
		middle  string
		extra   []string
		opt     Options
		sources map[string][]string // road id -> source ids
	}{
		// A merged road keeps the id of its first piece in its direction.
		{"identical tags", street, nil, Options{}, map[string][]string{"1": {"1", "2", "3"}, "-3": {"3", "2", "1"}}},
		{"differing name", other, nil, Options{}, map[string][]string{
			"1": {"1"}, "2": {"2"}, "3": {"3"}, "-1": {"1"}, "-2": {"2"}, "-3": {"3"}}},
		{"differing lanes", wider, nil, Options{}, map[string][]string{
			"1": {"1"}, "2": {"2"}, "3": {"3"}, "-1": {"1"}, "-2": {"2"}, "-3": {"3"}}},
		{"NoMerge", street, nil, Options{NoMerge: true}, map[string][]string{
			"1": {"1"}, "2": {"2"}, "3": {"3"}, "-1": {"1"}, "-2": {"2"}, "-3": {"3"}}},
		{"signals at a chain node", street, []string{point("s", `{"highway":"traffic_signals"}`, pt(1, 0))}, Options{}, map[string][]string{
			"1": {"1"}, "2": {"2", "3"}, "-3": {"3", "2"}, "-1": {"1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := []string{
				way("1", street, pt(0, 0), pt(1, 0)),
				way("2", tc.middle, pt(1, 0), pt(2, 0)),
				way("3", street, pt(2, 0), pt(3, 0)),
			}
			n := readGeo(t, collection(append(fs, tc.extra...)...), tc.opt)
			got := map[string][]string{}
			for _, r := range n.Roads {
				got[r.ID] = r.SourceIDs
			}
			if !equalish(got, tc.sources) {
				t.Fatalf("roads and source ids: got %v, want %v", got, tc.sources)
			}
			if tc.name == "identical tags" {
				r := road(t, n, "1")
				if len(r.Geometry) != 4 || r.From != nodeAt(n, lonlat(0, 0)) || r.To != nodeAt(n, lonlat(3, 0)) {
					t.Errorf("merged road: got %d points from node %d to %d, want 4 points from end to end", len(r.Geometry), r.From, r.To)
				}
				sum := 0.0
				for _, f := range [][2]float64{{0, 1}, {1, 2}, {2, 3}} {
					p := LocalProjection(*n.Origin)
					sum += dist(p(lonlat(f[0], 0)), p(lonlat(f[1], 0)))
				}
				if math.Abs(r.Length-sum) > 1e-6 {
					t.Errorf("merged length: got %g m, want %g m", r.Length, sum)
				}
			}
		})
	}
}

func TestGeoJSONSkipped(t *testing.T) {
	src := collection(
		way("r", residential, pt(0, 0), pt(1, 0)),
		way("f", `{"highway":"footway"}`, pt(0, 1), pt(1, 1)),
		way("c", `{"highway":"construction"}`, pt(0, 2), pt(1, 2)),
		way("river", `{"waterway":"river"}`, pt(0, 3), pt(1, 3)),
		`{"type":"Feature","id":"park","properties":{"leisure":"park"},"geometry":{"type":"Polygon","coordinates":[[`+pt(0, 4)+","+pt(1, 4)+","+pt(1, 5)+","+pt(0, 4)+`]]}}`,
		point("shop", `{"shop":"bakery"}`, pt(0.5, 0.5)),
		point("sig", `{"highway":"traffic_signals"}`, pt(1, 0)),
		`{"type":"Feature","id":"empty","properties":{"highway":"residential"},"geometry":null}`,
	)
	n := readGeo(t, src, Options{})
	want := map[string]int{"highway=footway": 1, "highway=construction": 1, "no highway tag": 1, "geometry Polygon": 1, "geometry Point": 1, "no geometry": 1}
	if !equalish(n.Skipped, want) {
		t.Errorf("Skipped: got %v, want %v", n.Skipped, want)
	}
	if got := n.Summarize().Skipped; got != 6 {
		t.Errorf("Summarize().Skipped: got %d, want 6", got)
	}
	if len(n.Roads) != 2 {
		t.Errorf("roads: got %d, want 2 (the residential street)", len(n.Roads))
	}
	if v := nodeAt(n, lonlat(1, 0)); v == None || !n.Nodes[v].Tagged {
		t.Errorf("node under the traffic_signals point: got %d, want it tagged", v)
	}
}

func TestGeoJSONSignals(t *testing.T) {
	cross := func(tags string, extra ...string) string {
		return collection(append([]string{
			way("1", tags, pt(-1, 0), pt(0, 0), pt(1, 0)),
			way("2", tags, pt(0, -1), pt(0, 0), pt(0, 1)),
		}, extra...)...)
	}
	signal := point("s", `{"highway":"traffic_signals"}`, pt(0, 0))
	far := point("s", `{"highway":"traffic_signals"}`, pt(0.5, 0.5))
	for _, tc := range []struct {
		name string
		src  string
		opt  Options
		want NodeKind
		warn string
	}{
		{"residential", cross(residential), Options{}, Priority, ""},
		{"residential with signals", cross(residential, signal), Options{}, Signalised, ""},
		{"signals away from the junction", cross(residential, far), Options{}, Priority, "not at a junction"},
		{"primary: no signals unless tagged", cross(`{"highway":"primary"}`), Options{}, Priority, ""},
		{"primary, GuessSignals", cross(`{"highway":"primary"}`), Options{GuessSignals: true}, Signalised, ""},
		{"primary with signals", cross(`{"highway":"primary"}`, signal), Options{}, Signalised, ""},
		{"roundabout primary, GuessSignals", cross(`{"highway":"primary","junction":"roundabout"}`), Options{GuessSignals: true}, Priority, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := readGeo(t, tc.src, tc.opt)
			v := nodeAt(n, lonlat(0, 0))
			if v == None {
				t.Fatal("no junction at the crossing")
			}
			if got := n.Nodes[v].Kind; got != tc.want {
				t.Errorf("kind: got %s, want %s", got, tc.want)
			}
			if tc.want == Signalised && checkSignals(t, tc.name, n) != 1 {
				t.Errorf("got %d signalised junctions, want 1", checkSignals(t, tc.name, n))
			}
			if tc.warn != "" {
				checkWarning(t, n, tc.warn, 2, "s")
			}
		})
	}
}

func TestGeoJSONWarnings(t *testing.T) {
	for _, tc := range []struct {
		tags  string
		warn  string
		lanes int     // lanes of road "w" after the fallback, 0: not checked
		speed float64 // m/s, 0: not checked
	}{
		{`{"highway":"residential","lanes":0}`, "lanes=0 is not positive", 1, 0},
		{`{"highway":"primary","lanes":"0"}`, "lanes=0 is not positive", 2, 0},
		{`{"highway":"residential","lanes":"2.5"}`, "not a whole number", 1, 0},
		{`{"highway":"residential","lanes":"many"}`, "not a whole number", 1, 0},
		{`{"highway":"residential","maxspeed":"fast"}`, "unparseable maxspeed", 0, 30 / 3.6},
		{`{"highway":"residential","maxspeed":"300"}`, "out of range", 0, 30 / 3.6},
		{`{"highway":"residential","max_speed":"fast"}`, "max_speed fast is not a speed", 0, 30 / 3.6},
		{`{"highway":"residential","max_speed":-4}`, "is not a speed", 0, 30 / 3.6},
		{`{"highway":"residential","layer":"up"}`, "layer up is not an integer", 0, 0},
		{`{"highway":"residential","width":"wide"}`, "width wide", 0, 0},
		{`{"highway":"residential","lanewidth":0.5}`, "lanewidth 0.5", 0, 0},
		{`{"highway":"residential","oneway":"yes","turn:lanes":"left|right"}`, "turn:lanes lists 2 lanes", 0, 0},
		{`{"highway":"residential","oneway":"yes","turn":"LS"}`, "not a list of turn letters", 0, 0},
	} {
		t.Run(tc.tags, func(t *testing.T) {
			n := readGeo(t, collection(way("w", tc.tags, pt(0, 0), pt(1, 0))), Options{})
			checkWarning(t, n, tc.warn, 0, "w")
			r := road(t, n, "w")
			if tc.lanes > 0 && len(r.Lanes) != tc.lanes {
				t.Errorf("lanes: got %d, want the default %d", len(r.Lanes), tc.lanes)
			}
			if tc.speed > 0 && math.Abs(r.Speed-tc.speed) > 1e-9 {
				t.Errorf("speed: got %g, want the default %g", r.Speed, tc.speed)
			}
		})
	}
}

// Bad inputs: the feature at index 1 has id 8. Each error must name it.
var badGeoJSON = []struct {
	name, src string
	want      []string
}{
	{"not JSON", `{"type": "FeatureCollection", "features": [`, []string{"not a GeoJSON document"}},
	{"not an object", `[1, 2]`, []string{"not a GeoJSON document"}},
	{"top-level Feature", way("1", residential, pt(0, 0), pt(1, 0)), []string{`top-level type is "Feature"`}},
	{"empty collection", `{"type":"FeatureCollection","features":[]}`, []string{"empty"}},
	{"no features member", `{"type":"FeatureCollection"}`, []string{"empty"}},
	{"feature not an object", collection(way("1", residential, pt(0, 0), pt(1, 0)), `[]`), []string{"feature 1", "not a GeoJSON feature"}},
	{"feature of another type", collection(way("1", residential, pt(0, 0), pt(1, 0)), `{"type":"Fish","id":8}`), []string{"feature 1", "id 8", `type is "Fish"`}},
	{"unknown geometry type", collection(way("1", residential, pt(0, 0), pt(1, 0)),
		`{"type":"Feature","id":8,"properties":{"highway":"residential"},"geometry":{"type":"Circle","coordinates":[]}}`),
		[]string{"feature 1", "id 8", `unknown geometry type "Circle"`}},
	{"position with 1 number", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("8", residential, "[114.5]", pt(1, 1))),
		[]string{"feature 1", "id 8", "1 numbers"}},
	{"position with 4 numbers", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("8", residential, "[114.5,30.5,1,2]", pt(1, 1))),
		[]string{"feature 1", "id 8", "4 numbers"}},
	{"coordinates not numbers", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("8", residential, `["a","b"]`, pt(1, 1))),
		[]string{"feature 1", "id 8", "LineString coordinates"}},
	{"LineString with one point", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("8", residential, pt(1, 1))),
		[]string{"feature 1", "id 8", "at least 2 distinct positions"}},
	{"LineString with a repeated point", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("8", residential, pt(1, 1), pt(1, 1))),
		[]string{"feature 1", "id 8", "at least 2 distinct positions"}},
	{"MultiLineString part with one point", collection(way("1", residential, pt(0, 0), pt(1, 0)),
		`{"type":"Feature","id":"8","properties":{"highway":"residential"},"geometry":{"type":"MultiLineString","coordinates":[[`+pt(0, 1)+","+pt(1, 1)+`],[`+pt(2, 2)+`]]}}`),
		[]string{"feature 1", "id 8", "part 1"}},
	{"MultiPoint without points", collection(way("1", residential, pt(0, 0), pt(1, 0)),
		`{"type":"Feature","id":"8","properties":{},"geometry":{"type":"MultiPoint","coordinates":[]}}`),
		[]string{"feature 1", "id 8", "no points"}},
	{"longitude out of range", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("8", residential, "[200,30.5]", pt(1, 1))),
		[]string{"feature 1 (id 8)", "not a lon/lat"}},
	{"latitude out of range", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("8", residential, pt(1, 1), "[114.5,91]")),
		[]string{"feature 1 (id 8)", "not a lon/lat"}},
	{"planar coordinate beyond 100,000 km", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[` +
		way("1", residential, "[0,0]", "[100,0]") + "," + way("8", residential, "[0,0]", "[1e9,0]") + `]}`,
		[]string{"feature 1 (id 8)", "beyond 100,000 km"}},
	{"absurd lane count", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("8", `{"highway":"residential","lanes":100}`, pt(0, 1), pt(1, 1))),
		[]string{"feature 1 (id 8)", "lanes=100 is absurd"}},
	{"absurd one-way lane count", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("8", `{"highway":"residential","oneway":"yes","lanes":20}`, pt(0, 1), pt(1, 1))),
		[]string{"feature 1 (id 8)", "20 lanes in one direction is absurd"}},
	{"duplicate road ids", collection(way("8", residential, pt(0, 0), pt(1, 0)), way("8", residential, pt(0, 1), pt(1, 1))),
		[]string{"feature 1 (id 8)", "duplicate road id 8", "also feature 0"}},
	{"duplicate directed road ids", collection(way("8", residential, pt(0, 0), pt(1, 0)), way("8", residential, pt(0, 1), pt(1, 1)),
		point("j", `{"in_ways":["8"]}`, pt(1, 0))),
		[]string{"feature 1 (id 8)", "duplicate road id 8", "also feature 0"}},
	{"generated road ids clash", collection(way("1", residential, pt(0, 0), pt(1, 0)), way("-1", residential, pt(0, 1), pt(1, 1))),
		[]string{"feature 1 (id -1)", "road id -1 clashes with a road of feature 0"}},
	{"generated piece ids clash", collection(way("1", residential, pt(0, 0), pt(1, 0), pt(2, 0)), way("2", residential, pt(1, 1), pt(1, 0)), way("1#0", residential, pt(5, 5), pt(6, 6))),
		[]string{"feature 2 (id 1#0)", "road id 1#0 clashes with a road of feature 0"}},
	{"junction naming a missing road", collection(way("7", residential, pt(0, 0), pt(1, 0)), point("8", `{"in_ways":[7, 99]}`, pt(1, 0))),
		[]string{"feature 1 (id 8)", "in_ways names road 99, which does not exist"}},
	{"junction naming a missing out road", collection(way("7", residential, pt(0, 0), pt(1, 0)), point("8", `{"out_ways":["x"]}`, pt(1, 0))),
		[]string{"feature 1 (id 8)", "out_ways names road x"}},
	{"junction ways not a list", collection(way("7", residential, pt(0, 0), pt(1, 0)), point("8", `{"in_ways":7}`, pt(1, 0))),
		[]string{"feature 1 (id 8)", "must be a list"}},
	{"junction without a point", collection(way("7", residential, pt(0, 0), pt(1, 0)), way("8", `{"in_ways":[7]}`, pt(1, 0), pt(2, 0))),
		[]string{"feature 1 (id 8)", "needs a Point"}},
	{"road ending at two junctions", collection(way("7", residential, pt(0, 0), pt(1, 0)), point("8", `{"in_ways":[7]}`, pt(1, 0)), point("9", `{"in_ways":[7]}`, pt(0, 0))),
		[]string{"feature 2 (id 9)", "road 7 ends at two junctions"}},
	{"directed road without id", collection(`{"type":"Feature","properties":{"highway":"residential"},"geometry":{"type":"LineString","coordinates":[`+pt(0, 0)+","+pt(1, 0)+`]}}`,
		point("8", `{"in_ways":[]}`, pt(1, 0))),
		[]string{"feature 0", "needs an id"}},
	{"directed road shorter than 1 mm", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"` + LocalCRS + `"}},"features":[` +
		way("7", residential, "[0,0]", "[100,0]") + "," + way("8", residential, "[0,0]", "[0,0.0005]") + "," + point("j", `{"in_ways":[7]}`, "[100,0]") + `]}`,
		[]string{"feature 1 (id 8)", "1 mm apart"}},
	{"unsupported crs", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:2154"}},"features":[` + way("1", residential, pt(0, 0), pt(1, 0)) + `]}`,
		[]string{`unsupported crs "EPSG:2154"`}},
	{"no drivable roads", collection(way("1", `{"highway":"footway"}`, pt(0, 0), pt(1, 0))), []string{"no drivable roads", "highway=footway: 1"}},
	{"only a self-loop", collection(way("1", residential, pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 0))), []string{"no drivable roads"}},
}

func TestGeoJSONErrors(t *testing.T) {
	for _, tc := range badGeoJSON {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ReadGeoJSON([]byte(tc.src), "bad.geojson", Options{})
			if err == nil || n != nil {
				t.Fatalf("got a network and error %v, want an error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to mention %q", err, w)
				}
			}
		})
	}
	// LoadGeoJSON adds the file name.
	path := filepath.Join(t.TempDir(), "bad.geojson")
	if err := os.WriteFile(path, []byte(badGeoJSON[0].src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadGeoJSON(path, Options{}); err == nil || !strings.HasPrefix(err.Error(), "maps: "+path+": ") {
		t.Errorf("LoadGeoJSON(%s): got error %v, want it to start with the package and path", path, err)
	}
	if _, err := LoadGeoJSON(filepath.Join(t.TempDir(), "missing.geojson"), Options{}); err == nil {
		t.Error("LoadGeoJSON of a missing file: got nil error, want one")
	}
}

func TestGeoJSONCRS(t *testing.T) {
	planarWay := way("w", residential, "[0,0]", "[100,0]")
	for _, tc := range []struct {
		crs    string
		opt    Options
		planar bool
	}{
		{"", Options{}, false},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", Options{}, false},
		{"EPSG:4326", Options{}, false},
		{"", Options{Planar: true}, true},
		{"EPSG:3857", Options{}, true},
		{"urn:ogc:def:crs:EPSG::32650", Options{}, true},
		{LocalCRS, Options{}, true},
	} {
		t.Run(tc.crs, func(t *testing.T) {
			src := collection(way("w", residential, pt(0, 0), pt(1, 0)))
			if tc.planar {
				src = collection(planarWay)
			}
			if tc.crs != "" {
				src = strings.Replace(src, `{"type":"FeatureCollection",`, `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"`+tc.crs+`"}},`, 1)
			}
			n := readGeo(t, src, tc.opt)
			if (n.Origin == nil) != tc.planar {
				t.Errorf("Origin: got %v, want nil: %v", n.Origin, tc.planar)
			}
			if r := road(t, n, "w"); tc.planar && r.Length != 100 {
				t.Errorf("length of a 100 m planar road: got %g", r.Length)
			}
		})
	}
}

// TestJoinCutEnds covers the clean-up of extract edges: opposite
// carriageways cut close together become U-turn dead ends, but two one-way
// roads meeting head on must not turn into a self-loop.
func TestJoinCutEnds(t *testing.T) {
	oneway := `{"highway":"primary","oneway":"yes"}`
	t.Run("dual carriageway", func(t *testing.T) {
		// Eastbound at y=0, westbound 22 m north: both ends are cut.
		n := readGeo(t, collection(way("e", oneway, pt(0, 0), pt(1, 0)), way("w", oneway, pt(1, 0.2), pt(0, 0.2))), Options{})
		e, w := road(t, n, "e"), road(t, n, "w")
		if e.To != w.From || w.To != e.From {
			t.Fatalf("got e %d→%d and w %d→%d, want the cut ends joined into a loop", e.From, e.To, w.From, w.To)
		}
		for _, m := range n.Movements {
			if m.Turn != UTurn {
				t.Errorf("movement %s→%s: got %s, want a U-turn", n.Roads[m.From].ID, n.Roads[m.To].ID, m.Turn)
			}
		}
		if len(n.Movements) != 2 {
			t.Errorf("movements: got %d, want 2 U-turns", len(n.Movements))
		}
		checkWarning(t, n, "joined 2 cut road ends", -1, "")
	})
	t.Run("head on", func(t *testing.T) {
		n := readGeo(t, collection(way("a", oneway, pt(0, 0), pt(1, 0)), way("b", oneway, pt(2, 0), pt(1, 0))), Options{})
		for _, r := range n.Roads {
			if r.From == r.To {
				t.Errorf("road %s: got a self-loop at node %s, want distinct ends", r.ID, n.Nodes[r.From].ID)
			}
		}
		if len(n.Roads) != 2 {
			t.Errorf("roads: got %d, want 2", len(n.Roads))
		}
	})
}

// TestTinyRoads: roads of a few millimetres must still give lanes and links
// of at least two points, so that the network passes Check.
func TestTinyRoads(t *testing.T) {
	for _, size := range []float64{0.0015, 0.004, 0.02, 0.5} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			p := func(x, y float64) string { return fmt.Sprintf("[%g,%g]", x*size, y*size) }
			src := collection(
				way("a", residential, p(0, 0), p(0, 1)),
				way("b", residential, p(0, 1), p(1, 2)),
				way("c", residential, p(0, 1), p(-1, 2)),
			)
			n, err := ReadGeoJSON([]byte(src), "tiny", Options{Planar: true})
			if err != nil {
				t.Fatalf("ReadGeoJSON: %v", err)
			}
			if err := n.Check(); err != nil {
				t.Errorf("Check: got %v, want nil", err)
			}
		})
	}
}
