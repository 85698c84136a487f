package scenarios_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// sideWay is a road of the test town of TestMirroredLeftHand, in metres.
type sideWay struct {
	id   string
	tags map[string]string
	pts  [][2]float64
}

// sideTown is a small town with something of everything the driving side
// changes: a two-lane primary avenue with turn lanes and a signalised
// crossing, residential crossings of equal roads (right before left), a
// minor street with a stop sign, a T-junction, a one-way street and a
// dead end.
func sideTown() ([]sideWay, [][3]any) {
	prim := map[string]string{"highway": "primary", "lanes": "4", "maxspeed": "50"}
	res := map[string]string{"highway": "residential"}
	ways := []sideWay{
		{"1", prim, [][2]float64{{-700, 0}, {-300, 0}, {0, 0}, {400, 0}, {800, 0}}},
		{"2", map[string]string{"highway": "primary", "oneway": "yes", "lanes": "2", "turn:lanes": "left|through;right"},
			[][2]float64{{0, -500}, {0, 0}}},
		{"3", map[string]string{"highway": "primary", "lanes": "2"}, [][2]float64{{0, 0}, {0, 350}, {0, 700}}},
		{"4", res, [][2]float64{{-300, -400}, {-300, 0}, {-300, 350}}},
		{"5", res, [][2]float64{{-300, 350}, {0, 350}, {400, 350}}},
		{"6", map[string]string{"highway": "residential", "oneway": "yes"}, [][2]float64{{400, 350}, {400, 0}, {400, -400}}},
		{"7", res, [][2]float64{{-300, -400}, {400, -400}}},
		{"8", res, [][2]float64{{-300, 350}, {-650, 600}}},
		{"9", map[string]string{"highway": "tertiary"}, [][2]float64{{400, -400}, {800, -350}, {800, 0}}},
	}
	points := [][3]any{
		{"s", map[string]string{"highway": "traffic_signals"}, [2]float64{0, 0}},
		{"stop", map[string]string{"highway": "stop"}, [2]float64{400, 0}},
	}
	return ways, points
}

// townGeoJSON writes the town as OSM-style GeoJSON in lon/lat near Monaco,
// mirrored east-west when mirror is set (x → −x, with turn:lanes read
// right to left and left and right swapped, as the mirror image shows them).
func townGeoJSON(mirror bool) string {
	const lon0, lat0 = 7.42, 43.73
	ll := func(p [2]float64) [2]float64 {
		x := p[0]
		if mirror {
			x = -x
		}
		return [2]float64{lon0 + x/(111320*math.Cos(lat0*math.Pi/180)), lat0 + p[1]/110574}
	}
	var feats []string
	ways, points := sideTown()
	for _, w := range ways {
		tags := map[string]string{}
		for k, v := range w.tags {
			if k == "turn:lanes" && mirror {
				lanes := strings.Split(v, "|")
				out := make([]string, len(lanes))
				for i, l := range lanes {
					l = strings.NewReplacer("left", "RIGHT", "right", "LEFT").Replace(l)
					out[len(lanes)-1-i] = strings.ToLower(l)
				}
				v = strings.Join(out, "|")
			}
			tags[k] = v
		}
		var coords [][2]float64
		for _, p := range w.pts {
			coords = append(coords, ll(p))
		}
		g, _ := json.Marshal(map[string]any{"type": "LineString", "coordinates": coords})
		p, _ := json.Marshal(tags)
		feats = append(feats, fmt.Sprintf(`{"type":"Feature","id":%q,"properties":%s,"geometry":%s}`, w.id, p, g))
	}
	for _, pt := range points {
		g, _ := json.Marshal(map[string]any{"type": "Point", "coordinates": ll(pt[2].([2]float64))})
		p, _ := json.Marshal(pt[1])
		feats = append(feats, fmt.Sprintf(`{"type":"Feature","id":%q,"properties":%s,"geometry":%s}`, pt[0], p, g))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(feats, ",\n") + `]}`
}

// townRun runs 20 minutes of random trips over the town.
func townRun(t *testing.T, mirror bool, side string) (*scenarios.Run, []engine.TripRecord) {
	t.Helper()
	sc := writeScenario(t, fmt.Sprintf(`
seed = 7
duration = 1200
cooldown = 600
[network]
geojson = "town.geojson"
driving_side = %q
[[demand.random]]
rate = 1500
min_length = 300
`, side), map[string]string{"town.geojson": townGeoJSON(mirror)})
	run, sim := testrun.Start(t, sc)
	sim.RunUntil(run.End())
	trips := make([]engine.TripRecord, sim.NumTrips())
	for i := range trips {
		trips[i] = sim.Trip(i)
	}
	return run, trips
}

// TestMirroredLeftHand: the town mirrored east-west and driven on the left
// is the mirror image of the town driven on the right, down to the travel
// time of every trip (the issue asks for 2 %; the construction gives equal
// times). Driven on the right instead, the mirrored town gives other times,
// so the comparison can fail.
func TestMirroredLeftHand(t *testing.T) {
	right, rt := townRun(t, false, "auto")
	left, lt := townRun(t, true, "left")
	if right.Network.LeftHand || !left.Network.LeftHand {
		t.Fatalf("LeftHand: got %v and %v, want false, true", right.Network.LeftHand, left.Network.LeftHand)
	}
	checkMirrorNetworks(t, right.Network, left.Network)
	if len(rt) != len(lt) || len(rt) < 300 {
		t.Fatalf("trips: %d and %d, want equal and at least 300", len(rt), len(lt))
	}
	arrived, worst := 0, 0.0
	var sumR, sumL float64
	for i := range rt {
		a, b := rt[i], lt[i]
		if a.Origin != b.Origin || a.Destination != b.Destination || a.Status != b.Status {
			t.Fatalf("trip %s: %s→%s %s, mirrored %s→%s %s", a.ID, a.Origin, a.Destination, a.Status, b.Origin, b.Destination, b.Status)
		}
		if a.Status != engine.TripArrived {
			continue
		}
		arrived++
		sumR += a.TravelTime
		sumL += b.TravelTime
		worst = max(worst, math.Abs(b.TravelTime-a.TravelTime)/a.TravelTime)
	}
	if arrived < len(rt)*9/10 {
		t.Fatalf("only %d of %d trips arrived", arrived, len(rt))
	}
	if worst > 0.02 {
		t.Errorf("a mirrored trip's travel time differs by %.1f%%, want at most 2%%", 100*worst)
	}
	t.Logf("%d trips arrived; mean travel time %.2f s right-hand, %.2f s mirrored left-hand; largest trip difference %.3g%%",
		arrived, sumR/float64(arrived), sumL/float64(arrived), 100*worst)

	// The mirrored town driven on the right is another town: right before
	// left now favours the other approaches, turn lanes point the wrong way.
	_, wrong := townRun(t, true, "right")
	differ := 0
	for i := range rt {
		if rt[i].Status == engine.TripArrived && wrong[i].Status == engine.TripArrived && math.Abs(wrong[i].TravelTime-rt[i].TravelTime) > 0.02*rt[i].TravelTime {
			differ++
		}
	}
	if differ < 10 {
		t.Errorf("driven on the right, the mirrored town changes only %d travel times by more than 2%%; the test would not notice a wrong side", differ)
	}
}

// checkMirrorNetworks checks that l is the mirror image of r: the same
// roads, lanes and movements, x negated, left and right turns swapped,
// lanes of two-way roads on the left of the centre line.
func checkMirrorNetworks(t *testing.T, r, l *maps.Network) {
	t.Helper()
	if len(r.Roads) != len(l.Roads) || len(r.Lanes) != len(l.Lanes) || len(r.Movements) != len(l.Movements) || len(r.Links) != len(l.Links) {
		t.Fatalf("sizes differ: %d/%d roads, %d/%d lanes, %d/%d movements, %d/%d links",
			len(r.Roads), len(l.Roads), len(r.Lanes), len(l.Lanes), len(r.Movements), len(l.Movements), len(r.Links), len(l.Links))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.05 }
	for i := range r.Lanes {
		a, b := &r.Lanes[i], &l.Lanes[i]
		if a.Index != b.Index || r.Roads[a.Road].ID != l.Roads[b.Road].ID || !near(a.Length, b.Length) || a.Turns.Mirrored() != b.Turns {
			t.Fatalf("lane %d: %s/%d %s %.2f m, mirrored %s/%d %s %.2f m", i, r.Roads[a.Road].ID, a.Index, a.Turns, a.Length,
				l.Roads[b.Road].ID, b.Index, b.Turns, b.Length)
		}
		p, q := a.Geometry[0], b.Geometry[0]
		if !near(p[0], -q[0]) || !near(p[1], q[1]) {
			t.Fatalf("lane %d starts at %v, mirrored at %v", i, p, q)
		}
	}
	for i := range l.Roads {
		rd := &l.Roads[i]
		if !rd.TwoWay {
			continue
		}
		// The lane next to the centre line lies to its left.
		g := rd.Geometry
		d := [2]float64{g[1][0] - g[0][0], g[1][1] - g[0][1]}
		c := l.Lanes[rd.Lanes[0]].Geometry[len(l.Lanes[rd.Lanes[0]].Geometry)/2]
		if cross := d[0]*(c[1]-g[0][1]) - d[1]*(c[0]-g[0][0]); cross <= 0 {
			t.Fatalf("road %s: lane 0 is not left of the centre line on a left-hand network", rd.ID)
		}
	}
	for i := range r.Movements {
		if r.Movements[i].Turn.Mirrored() != l.Movements[i].Turn {
			t.Fatalf("movement %d: %s, mirrored %s", i, r.Movements[i].Turn, l.Movements[i].Turn)
		}
	}
	for i := range r.Nodes {
		if r.Nodes[i].Kind != l.Nodes[i].Kind {
			t.Fatalf("node %d: %s, mirrored %s", i, r.Nodes[i].Kind, l.Nodes[i].Kind)
		}
	}
}
