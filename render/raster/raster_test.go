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
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/render/rendertest"
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
