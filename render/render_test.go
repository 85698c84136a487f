package render

import (
	"math"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/paulmach/orb"
)

func TestCamera(t *testing.T) {
	cases := []struct {
		name string
		cam  Camera
	}{
		{"unit", Camera{X: 0, Y: 0, Scale: 1, W: 100, H: 100}},
		{"offset", Camera{X: 250, Y: -40, Scale: 2.5, W: 640, H: 480}},
		{"tiny scale", Camera{X: 1e4, Y: 1e4, Scale: 0.01, W: 33, H: 17}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range [][2]float64{{0, 0}, {12.5, -3}, {1000, 2000}} {
				px, py := c.cam.ToScreen(p[0], p[1])
				x, y := c.cam.ToWorld(px, py)
				if math.Abs(x-p[0]) > 1e-9 || math.Abs(y-p[1]) > 1e-9 {
					t.Errorf("ToWorld(ToScreen(%v)) = %g, %g", p, x, y)
				}
			}
			// The centre is the camera point; north is up.
			if px, py := c.cam.ToScreen(c.cam.X, c.cam.Y); px != float64(c.cam.W)/2 || py != float64(c.cam.H)/2 {
				t.Errorf("centre at %g, %g, want the middle of the view", px, py)
			}
			_, y0 := c.cam.ToScreen(c.cam.X, c.cam.Y)
			if _, y1 := c.cam.ToScreen(c.cam.X, c.cam.Y+1); y1 >= y0 {
				t.Errorf("north is drawn down")
			}
			// Zoom keeps the point under the cursor.
			z := c.cam.Zoom(1.7, 10, 20)
			wx, wy := c.cam.ToWorld(10, 20)
			if px, py := z.ToScreen(wx, wy); math.Abs(px-10) > 1e-6 || math.Abs(py-20) > 1e-6 {
				t.Errorf("after Zoom the cursor point moved to %g, %g", px, py)
			}
			// Pan moves the picture by the given pixels.
			pn := c.cam.Pan(7, -3)
			ax, ay := c.cam.ToScreen(5, 5)
			bx, by := pn.ToScreen(5, 5)
			if math.Abs(bx-ax-7) > 1e-6 || math.Abs(by-ay+3) > 1e-6 {
				t.Errorf("Pan(7, -3) moved a point by %g, %g", bx-ax, by-ay)
			}
		})
	}
}

func TestFit(t *testing.T) {
	cases := []struct {
		b    orb.Bound
		w, h int
	}{
		{orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{400, 400}}, 320, 240},
		{orb.Bound{Min: orb.Point{-1000, 50}, Max: orb.Point{3000, 60}}, 1280, 720},
		{orb.Bound{Min: orb.Point{5, 5}, Max: orb.Point{5, 5}}, 100, 100},
	}
	for _, c := range cases {
		cam := Fit(c.b, c.w, c.h)
		for _, p := range []orb.Point{c.b.Min, c.b.Max} {
			px, py := cam.ToScreen(p[0], p[1])
			if px < 0 || py < 0 || px > float64(c.w) || py > float64(c.h) {
				t.Errorf("Fit(%v, %d, %d): corner %v at %g, %g, outside the view", c.b, c.w, c.h, p, px, py)
			}
		}
		if !(cam.Scale > 0) {
			t.Errorf("Fit(%v): scale %g", c.b, cam.Scale)
		}
	}
}

func TestDashes(t *testing.T) {
	cases := []struct {
		ls      orb.LineString
		on, off float64
		want    int
		length  float64
	}{
		{orb.LineString{{0, 0}, {90, 0}}, 3, 6, 10, 30},
		{orb.LineString{{0, 0}, {4, 0}, {4, 5}}, 3, 6, 1, 3},
		{orb.LineString{{0, 0}, {2, 0}}, 3, 6, 1, 2},
	}
	for _, c := range cases {
		n, total := 0, 0.0
		dashes(c.ls, c.on, c.off, func(d orb.LineString) { n++; total += polyLen(d) })
		if n != c.want || math.Abs(total-c.length) > 1e-9 {
			t.Errorf("dashes(%v): got %d dashes, %g m, want %d, %g m", c.ls, n, total, c.want, c.length)
		}
	}
}

func TestConvexHull(t *testing.T) {
	pts := []orb.Point{{0, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 0}}
	h := convexHull(pts)
	if len(h) != 4 || polyArea(h) != 4 {
		t.Fatalf("hull %v, want the 2×2 square", h)
	}
	if !inConvex(h, orb.Point{1, 1}) || inConvex(h, orb.Point{3, 1}) {
		t.Errorf("inConvex wrong for the square")
	}
}

func TestSpeedColor(t *testing.T) {
	if SpeedColor(0) != speedRamp[0] || SpeedColor(1) != speedRamp[len(speedRamp)-1] || SpeedColor(7) != SpeedColor(1) ||
		SpeedColor(math.NaN()) != SpeedColor(0) {
		t.Errorf("ramp ends wrong")
	}
	seen := map[[3]uint8]bool{}
	for r := 0.0; r <= 1; r += 0.001 {
		c := SpeedColor(r)
		seen[[3]uint8{c.R, c.G, c.B}] = true
	}
	if len(seen) != SpeedLevels+1 {
		t.Errorf("%d speed colours, want %d", len(seen), SpeedLevels+1)
	}
}

func TestPick(t *testing.T) {
	net, err := maps.Grid(maps.GridOptions{Rows: 1, Cols: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := NewScene(net)
	snap := &engine.Snapshot{Vehicles: []engine.VehicleView{
		{ID: 7, X: 100, Y: 198.4, Heading: 0, Length: 5},
		{ID: 9, X: 201.6, Y: 100, Heading: math.Pi / 2, Length: 12},
	}}
	cases := []struct {
		x, y float64
		want int
	}{
		{97.5, 198.4, 0}, {100.5, 199, 0}, {201.6, 95, 1}, {201.6, 89, 1}, {150, 150, -1}, {94, 198.4, -1},
	}
	for _, c := range cases {
		if got := PickVehicle(snap, c.x, c.y, 0.5); got != c.want {
			t.Errorf("PickVehicle(%g, %g) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
	centre, _ := net.NodeByID("intersection_1_1")
	nodes := []struct {
		x, y float64
		want maps.NodeID
	}{{200, 200, centre}, {205, 195, centre}, {100, 100, maps.None}}
	for _, c := range nodes {
		if got := s.PickNode(c.x, c.y, 5); got != c.want {
			t.Errorf("PickNode(%g, %g) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
	heat := s.RoadSpeeds(&engine.Snapshot{Vehicles: []engine.VehicleView{{Segment: 0, Speed: net.Lanes[0].Speed / 2}}}, nil, nil)
	if r := net.Lanes[0].Road; heat[r] != 0.5 {
		t.Errorf("RoadSpeeds: road %d = %g, want 0.5", r, heat[r])
	}
	nan := 0
	for _, h := range heat {
		if math.IsNaN(h) {
			nan++
		}
	}
	if nan != len(net.Roads)-1 {
		t.Errorf("RoadSpeeds: %d empty roads, want %d", nan, len(net.Roads)-1)
	}
}

func TestSceneBars(t *testing.T) {
	net, err := maps.Grid(maps.GridOptions{Rows: 1, Cols: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := NewScene(net)
	// Every movement has a stop line on every lane it leaves from, at the
	// lane's end.
	seen := make([]int, len(net.Movements))
	for _, b := range s.Bars {
		seen[b.Movement]++
		g := net.Lanes[b.Lane].Geometry
		end := g[len(g)-1]
		mid := scale(add(b.A, b.B), 0.5)
		if math.Hypot(mid[0]-end[0], mid[1]-end[1]) > net.Lanes[b.Lane].Width/2+1e-9 {
			t.Errorf("bar of movement %d is %v, away from the end %v of lane %d", b.Movement, mid, end, b.Lane)
		}
	}
	for m, n := range seen {
		lanes := map[maps.LaneID]bool{}
		for _, k := range net.Movements[m].Links {
			lanes[net.Links[k].From] = true
		}
		if n != len(lanes) {
			t.Errorf("movement %d has %d bars, want one per lane (%d)", m, n, len(lanes))
		}
	}
}

// TestCentreLineSide: the centre line of a two-way road is drawn on the
// road's reference line whichever side vehicles drive on, and the lanes'
// outer edges away from it.
func TestCentreLineSide(t *testing.T) {
	const road = `{"type":"FeatureCollection","features":[{"type":"Feature","id":"1","properties":{"highway":"primary"},
		"geometry":{"type":"LineString","coordinates":[[0,0],[0,300]]}}]}`
	for _, side := range []maps.DrivingSide{maps.RightHand, maps.LeftHand} {
		net, err := maps.ReadGeoJSON([]byte(road), "road", maps.Options{Planar: true, DrivingSide: side})
		if err != nil {
			t.Fatal(err)
		}
		s := NewScene(net)
		centres, edges := 0, 0
		for _, m := range s.Markings {
			for _, p := range m.Pts {
				switch m.Kind {
				case MarkCentre:
					centres++
					if math.Abs(p[0]) > 0.01 {
						t.Errorf("%s: centre line at x = %.2f, want 0", side, p[0])
					}
				case MarkEdge:
					edges++
					if w := 2 * maps.DefaultLaneWidth; math.Abs(math.Abs(p[0])-w) > 0.01 {
						t.Errorf("%s: road edge at x = %.2f, want ±%.1f", side, p[0], w)
					}
				}
			}
		}
		if centres == 0 || edges == 0 {
			t.Errorf("%s: %d centre and %d edge points, want some of each", side, centres, edges)
		}
		// Northbound lanes lie east of the line on the right, west on the left.
		r, _ := net.RoadByID("1")
		x := net.Lanes[net.Roads[r].Lanes[0]].Geometry[0][0]
		if (side == maps.RightHand) != (x > 0) {
			t.Errorf("%s: the northbound inner lane is at x = %.2f", side, x)
		}
	}
}
