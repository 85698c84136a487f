package raster

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"math"
	"testing"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/render/rendertest"
	"github.com/citytwin/citytwin/scenarios"
	"github.com/paulmach/orb"
)

// near reports whether got is within tol of want in every channel.
func near(got color.RGBA, want color.RGBA, tol int) bool {
	d := func(a, b uint8) bool { return int(a)-int(b) <= tol && int(b)-int(a) <= tol }
	return d(got.R, want.R) && d(got.G, want.G) && d(got.B, want.B)
}

// tinyAt draws the tiny scenario at time t with the camera returned by
// camFor.
func tinyAt(t *testing.T, at float64) (*Renderer, *engine.Snapshot) {
	t.Helper()
	run, sim, err := rendertest.SimAt(at)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	var snap engine.Snapshot
	sim.Snapshot(&snap)
	return New(run.Network, run.Config.VTypes), &snap
}

// cameras are the views the pixel tests draw: the whole network at the
// fit scale (shapes held at their minimum pixel sizes), and the junction
// close up.
var cameras = []struct {
	name string
	cam  func(r *Renderer) render.Camera
	tol  int
}{
	{"fit 320x240", func(r *Renderer) render.Camera { return r.Camera(320, 240) }, 60},
	{"fit 800x800", func(r *Renderer) render.Camera { return r.Camera(800, 800) }, 40},
	{"junction close-up", func(*Renderer) render.Camera { return render.Camera{X: 200, Y: 200, Scale: 8, W: 400, H: 400} }, 8},
}

func pixel(img *image.RGBA, cam render.Camera, x, y float64) color.RGBA {
	px, py := cam.ToScreen(x, y)
	return img.RGBAAt(int(math.Floor(px)), int(math.Floor(py)))
}

// TestStopLineLights checks that every stop line of the tiny junction is
// drawn in the colour of its movement's light: at t = 20 s the west
// approach is red and the south approach green.
func TestStopLineLights(t *testing.T) {
	r, snap := tinyAt(t, 20)
	net := r.Scene.Net
	west, _ := net.RoadByID("road_0_1_0")
	south, _ := net.RoadByID("road_1_0_1")
	reds, greens := 0, 0
	for _, c := range cameras {
		t.Run(c.name, func(t *testing.T) {
			cam := c.cam(r)
			img := image.NewRGBA(image.Rect(0, 0, cam.W, cam.H))
			r.Draw(img, cam, snap)
			for _, b := range r.Scene.Bars {
				m := net.Movements[b.Movement]
				light := snap.Lights[b.Movement]
				switch {
				case m.From == west && light != signal.Red:
					t.Fatalf("movement %d from the west is %v at t=20 s, want red", b.Movement, light)
				case m.From == south && !light.IsGreen():
					t.Fatalf("movement %d from the south is %v at t=20 s, want green", b.Movement, light)
				}
				// The middle of the bar, half its depth back from the line.
				mid := orbMid(b.A, b.B)
				depth := math.Max(render.BarDepth, render.MinBarPx/cam.Scale) / 2
				x, y := mid[0]-b.Dir[0]*depth, mid[1]-b.Dir[1]*depth
				if c.name != "junction close-up" && b.A != barsOfLane(r, b)[0].A {
					continue // a lane's bars are too narrow at fit scale: check one each
				}
				want := render.LightColor(light)
				if got := pixel(img, cam, x, y); !near(got, want, c.tol) {
					t.Errorf("movement %d (%v) lane %d: pixel at the stop line %v, want %v", b.Movement, light, b.Lane, got, want)
				}
				if light == signal.Red {
					reds++
				} else {
					greens++
				}
			}
		})
	}
	if reds == 0 || greens == 0 {
		t.Errorf("checked %d red and %d green stop lines, want some of each", reds, greens)
	}
}

func orbMid(a, b [2]float64) [2]float64 { return [2]float64{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2} }

func barsOfLane(r *Renderer, b render.Bar) []render.Bar {
	var out []render.Bar
	for _, o := range r.Scene.Bars {
		if o.Lane == b.Lane {
			out = append(out, o)
		}
	}
	return out
}

// TestVehiclesWhereSnapshotSays checks that each vehicle is drawn at the
// position the snapshot gives, in the colour its mode asks for, and that
// the lane ahead of it is not painted.
func TestVehiclesWhereSnapshotSays(t *testing.T) {
	checked := 0
	for _, at := range []float64{8, 20} {
		r, snap := tinyAt(t, at)
		if len(snap.Vehicles) != 2 {
			t.Fatalf("t=%g s: %d vehicles, want 2", at, len(snap.Vehicles))
		}
		for _, mode := range []render.ColorMode{render.ColorSpeed, render.ColorType, render.ColorConnected} {
			for _, c := range cameras {
				r.Options.Color = mode
				cam := c.cam(r)
				img := image.NewRGBA(image.Rect(0, 0, cam.W, cam.H))
				r.Draw(img, cam, snap)
				for i := range snap.Vehicles {
					v := &snap.Vehicles[i]
					if !cam.View().Pad(-5).Contains([2]float64{v.X, v.Y}) {
						continue
					}
					checked++
					dx, dy := math.Cos(v.Heading), math.Sin(v.Heading)
					// The middle of the body, at least one pixel behind the front.
					back := math.Max(v.Length/2, render.MinVehLenPx/2/cam.Scale)
					want := r.Scene.VehicleColor(v, mode)
					if got := pixel(img, cam, v.X-dx*back, v.Y-dy*back); !near(got, want, c.tol) {
						t.Errorf("t=%g %s %s: vehicle %d at (%.1f, %.1f): pixel %v, want %v", at, mode, c.name, v.ID, v.X, v.Y, got, want)
					}
					// 4 m (or 4 px) ahead of the front is road, not vehicle.
					ahead := math.Max(4, 4/cam.Scale)
					if got := pixel(img, cam, v.X+dx*ahead, v.Y+dy*ahead); near(got, want, 20) {
						t.Errorf("t=%g %s %s: vehicle %d painted ahead of its front (%v)", at, mode, c.name, v.ID, got)
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d vehicle pictures, want at least 20", checked)
	}
}

func TestEmptyNetworkPicture(t *testing.T) {
	r, _ := tinyAt(t, 0)
	img := r.Picture(200, 150, nil)
	cam := r.Camera(200, 150)
	if got := img.RGBAAt(0, 0); got != render.Background {
		t.Errorf("corner %v, want the background %v", got, render.Background)
	}
	// The middle of the west approach's lane 0 is lane-coloured.
	if got := pixel(img, cam, 100, 198.4); !near(got, render.LaneColor, 30) {
		t.Errorf("lane pixel %v, want about %v", got, render.LaneColor)
	}
}

func TestWritePNG(t *testing.T) {
	r, snap := tinyAt(t, 20)
	r.HUD, r.Legend, r.Title = true, true, "tiny"
	img := r.Picture(320, 240, snap)
	var buf bytes.Buffer
	if err := WritePNG(&buf, img); err != nil {
		t.Fatal(err)
	}
	dec, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Bounds() != img.Bounds() {
		t.Fatalf("decoded bounds %v, want %v", dec.Bounds(), img.Bounds())
	}
	for _, p := range []image.Point{{0, 0}, {160, 120}, {319, 239}, {20, 20}} {
		r1, g1, b1, _ := dec.At(p.X, p.Y).RGBA()
		want := img.RGBAAt(p.X, p.Y)
		if uint8(r1>>8) != want.R || uint8(g1>>8) != want.G || uint8(b1>>8) != want.B {
			t.Errorf("pixel %v changed in PNG", p)
		}
	}
	// The HUD panel darkens the top-left corner and has text in it.
	text := 0
	for y := 8; y < 40; y++ {
		for x := 8; x < 150; x++ {
			if c := img.RGBAAt(x, y); c.R > 200 && c.G > 200 && c.B > 200 {
				text++
			}
		}
	}
	if text < 50 {
		t.Errorf("HUD: %d bright text pixels, want some", text)
	}
}

func TestGIF(t *testing.T) {
	run, sim, err := rendertest.SimAt(0)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	r := New(run.Network, run.Config.VTypes)
	a := NewGIF(100 * time.Millisecond)
	if n := r.Record(sim, a, 20, 5, 160, 120); n != 5 || a.Len() != 5 {
		t.Fatalf("Record gave %d frames (%d in the GIF), want 5 (t = 0, 5, 10, 15, 20 s)", n, a.Len())
	}
	var buf bytes.Buffer
	if err := a.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 5 || g.Delay[0] != 10 {
		t.Fatalf("decoded %d frames, delay %d, want 5 frames of 10 (1/100 s)", len(g.Image), g.Delay[0])
	}
	// Scheme colours come through the palette exactly.
	last := g.Image[4]
	if got := color.RGBAModel.Convert(last.At(0, 0)).(color.RGBA); got != render.Background {
		t.Errorf("GIF background %v, want %v", got, render.Background)
	}
	for _, c := range []color.RGBA{render.LightColor(signal.Red), render.SpeedColor(0.5), render.LaneColor} {
		if got := Palette[paletteIndex(c.R, c.G, c.B)]; got != c {
			t.Errorf("palette maps %v to %v", c, got)
		}
	}
	if err := NewGIF(time.Second).Encode(&buf); err == nil {
		t.Errorf("encoding an empty animation: no error")
	}
}

func BenchmarkPicture(b *testing.B) {
	run, sim, err := rendertest.SimAt(rendertest.At)
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	var snap engine.Snapshot
	sim.Snapshot(&snap)
	r := New(run.Network, run.Config.VTypes)
	img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	cam := r.Camera(1280, 720)
	for b.Loop() {
		r.Draw(img, cam, &snap)
	}
}

// TestSceneChecks runs the shared pixel checks of rendertest on the
// rasteriser at every camera: lights, vehicles where the snapshot says,
// visible at every zoom and in colours apart from the lights', and the
// scale bar with its north arrow.
func TestSceneChecks(t *testing.T) {
	r, snap := tinyAt(t, rendertest.At)
	for _, c := range cameras {
		t.Run(c.name, func(t *testing.T) {
			cam := c.cam(r)
			img := image.NewRGBA(image.Rect(0, 0, cam.W, cam.H))
			r.Legend = false
			r.Draw(img, cam, snap)
			rendertest.CheckScene(t, img, 0, 0, cam, r.Scene, snap, c.tol)
			r.Legend = true // the panels may cover the scene
			r.Draw(img, cam, snap)
			rendertest.CheckScaleBar(t, img, 0, 0, cam)
		})
	}
}

// TestNoJunctionTriangles checks that no junction area spills beside the
// roads (issue 18: grey triangles at Wuhan junctions). At the T-junctions
// of the default Wuhan network where the through road's lanes stop tens
// of metres from the node (2155, 2156, 2158), the convex hull of all lane
// ends was a triangle between the through road's far ends A and B and
// the side road C; its inner corners, where no link passes, must show
// the background.
func TestNoJunctionTriangles(t *testing.T) {
	sc, err := scenarios.Default()
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	net := run.Network
	r := New(net, nil)
	total := 0
	for _, id := range []string{"2155", "2156", "2158"} {
		v, ok := net.NodeByID(id)
		if !ok {
			t.Fatalf("no node %s in the default network", id)
		}
		nd := &net.Nodes[v]
		cam := render.Camera{X: nd.Pos[0], Y: nd.Pos[1], Scale: 4, W: 600, H: 400}
		img := image.NewRGBA(image.Rect(0, 0, cam.W, cam.H))
		r.Draw(img, cam, nil)
		if len(nd.In) != 2 || len(nd.Out) != 2 {
			t.Fatalf("node %s: %d roads in, %d out; want a T-junction of 2 and 2", id, len(nd.In), len(nd.Out))
		}
		dist := func(p orb.Point) float64 { return math.Hypot(p[0]-nd.Pos[0], p[1]-nd.Pos[1]) }
		end := func(rd maps.RoadID, in bool) orb.Point {
			g := net.Lanes[net.Roads[rd].Lanes[0]].Geometry
			if in {
				return g[len(g)-1]
			}
			return g[0]
		}
		// The through road: the farther lane end of each side.
		ins := []orb.Point{end(nd.In[0], true), end(nd.In[1], true)}
		outs := []orb.Point{end(nd.Out[0], false), end(nd.Out[1], false)}
		if dist(ins[0]) < dist(ins[1]) {
			ins[0], ins[1] = ins[1], ins[0]
		}
		if dist(outs[0]) < dist(outs[1]) {
			outs[0], outs[1] = outs[1], outs[0]
		}
		a, b := ins[0], outs[0]
		c := orb.Point{(ins[1][0] + outs[1][0]) / 2, (ins[1][1] + outs[1][1]) / 2}
		// Points of the triangle beyond the junction's reach and clear of
		// every lane and link: no paint belongs there.
		reach := math.Max(render.JunctionReach*nd.Radius, render.MinJunctionReach)
		clear := func(p orb.Point) bool {
			if dist(p) <= reach+2 {
				return false
			}
			for k := range net.Links {
				if lk := &net.Links[k]; nearLine(lk.Path, p) < net.Lanes[lk.From].Width/2+1 {
					return false
				}
			}
			for i := range net.Lanes {
				if nearLine(net.Lanes[i].Geometry, p) < net.Lanes[i].Width/2+1 {
					return false
				}
			}
			return true
		}
		checked := 0
		for i := 1; i < 20; i++ { // barycentric weights in steps of 1/20
			for j := 1; i+j < 20; j++ {
				wa, wb := float64(i)/20, float64(j)/20
				wc := 1 - wa - wb
				p := orb.Point{wa*a[0] + wb*b[0] + wc*c[0], wa*a[1] + wb*b[1] + wc*c[1]}
				if !clear(p) {
					continue
				}
				checked++
				if got := pixel(img, cam, p[0], p[1]); !near(got, render.Background, 6) {
					t.Errorf("node %s: pixel %v at (%.0f, %.0f) inside the triangle of its lane ends, want the background %v", id, got, p[0], p[1], render.Background)
				}
			}
		}
		if checked == 0 {
			t.Errorf("node %s: no point checked", id)
		}
		total += checked
	}
	if total < 8 {
		t.Errorf("checked %d points, want at least 8", total)
	}
}

// nearLine returns the distance from p to the polyline ls (m).
func nearLine(ls orb.LineString, p orb.Point) float64 {
	best := math.Inf(1)
	for i := 1; i < len(ls); i++ {
		a, b := ls[i-1], ls[i]
		dx, dy := b[0]-a[0], b[1]-a[1]
		t := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
		}
		best = math.Min(best, math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy))
	}
	return best
}
