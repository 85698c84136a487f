//go:build cgo || windows || darwin

package viewer

import (
	"image"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/render/rendertest"
	"github.com/hajimehoshi/ebiten/v2"
)

// tinyGame returns a paused viewer of n copies of the tiny scenario at
// t = 20 s (one car standing at the red light of the west approach, one
// driving north on green) and the snapshot it shows.
func tinyGame(t *testing.T, cfg Config, n int) (*Game, *engine.Snapshot) {
	t.Helper()
	var vars []Variant
	var snap engine.Snapshot
	for i := range n {
		_, sim, err := rendertest.SimAt(rendertest.At)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			sim.Snapshot(&snap)
		}
		vars = append(vars, Variant{Name: "tiny", Sim: sim})
	}
	cfg.Paused = true
	g, err := NewGame(cfg, vars...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		g.Close()
		for _, v := range vars {
			v.Sim.Close()
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for g.frame == nil {
		if time.Now().After(deadline) {
			t.Fatal("no frame from the runner")
		}
		time.Sleep(time.Millisecond)
		if err := g.Update(); err != nil {
			t.Fatal(err)
		}
	}
	return g, &snap
}

// drawn draws the game into a w×h offscreen screen and reads it back.
func drawn(g *Game, w, h int) *image.RGBA {
	screen := ebiten.NewImage(w, h)
	defer screen.Deallocate()
	g.Draw(screen)
	return readImage(screen)
}

func TestDrawTinyScene(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		cam  *render.Camera
		tol  int
	}{
		{"fit 480x360", 480, 360, nil, 40},
		{"fit 320x240", 320, 240, nil, 60},
		{"junction close-up", 400, 400, &render.Camera{X: 200, Y: 200, Scale: 8}, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, snap := tinyGame(t, Config{NoHUD: true, NoLegend: true, Camera: c.cam}, 1)
			img := drawn(g, c.w, c.h)
			if g.cam.W != c.w || g.cam.H != c.h {
				t.Fatalf("camera %dx%d, want the screen %dx%d", g.cam.W, g.cam.H, c.w, c.h)
			}
			rendertest.CheckScene(t, img, 0, 0, g.cam, g.scenes[0], snap, c.tol)
			// Drawing again (static layer cached) gives the same picture.
			if again := drawn(g, c.w, c.h); string(again.Pix) != string(img.Pix) {
				t.Errorf("second frame differs from the first")
			}
		})
	}
}

// TestSplitView checks the A/B layout: two panes with one camera, each
// showing its own simulation.
func TestSplitView(t *testing.T) {
	g, snap := tinyGame(t, Config{NoHUD: true, NoLegend: true}, 2)
	img := drawn(g, 640, 300)
	ps := panes(2, 640, 300)
	if ps[0].Dx() != g.cam.W || ps[1].Min.X <= ps[0].Max.X-1 {
		t.Fatalf("panes %v for camera width %d", ps, g.cam.W)
	}
	for i, r := range ps {
		if g.frame.Snaps[i].Time != 20 {
			t.Errorf("pane %d at t=%g s, want 20", i, g.frame.Snaps[i].Time)
		}
		rendertest.CheckScene(t, img, r.Min.X, r.Min.Y, g.cam, g.scenes[i], snap, 40)
	}
}

// TestHUDAndInspect clicks on a vehicle and checks that the runner
// reports it and the HUD and inspector panels are drawn.
func TestHUDAndInspect(t *testing.T) {
	g, snap := tinyGame(t, Config{}, 1)
	img := drawn(g, 640, 480)
	v := snap.Vehicles[0]
	px, py := g.cam.ToScreen(v.X-math.Cos(v.Heading)*2, v.Y-math.Sin(v.Heading)*2)
	g.click(int(px), int(py))
	if g.selVehicle != v.ID {
		t.Fatalf("click at the vehicle selected %d, want %d", g.selVehicle, v.ID)
	}
	deadline := time.Now().Add(5 * time.Second)
	for g.frame.Vehicles[0].ID != v.ID {
		if time.Now().After(deadline) {
			t.Fatal("the runner did not report the inspected vehicle")
		}
		time.Sleep(time.Millisecond)
		if err := g.Update(); err != nil {
			t.Fatal(err)
		}
	}
	if trip := g.frame.Vehicles[0].Trip; trip.Status != engine.TripRunning {
		t.Errorf("inspected trip %+v, want running", trip)
	}
	after := drawn(g, 640, 480)
	// The HUD (top left) and the inspector (top right) are dark panels
	// with white text.
	bright := func(img *image.RGBA, r image.Rectangle) int {
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if c := img.RGBAAt(x, y); c.R > 200 && c.G > 200 && c.B > 200 {
					n++
				}
			}
		}
		return n
	}
	if n := bright(img, image.Rect(8, 8, 200, 60)); n < 50 {
		t.Errorf("HUD: %d text pixels", n)
	}
	topRight := image.Rect(400, 8, 632, 60)
	if b, a := bright(img, topRight), bright(after, topRight); a < b+50 {
		t.Errorf("inspector: %d text pixels top right, %d before the click", a, b)
	}
	// A click on empty ground near the junction selects the junction.
	jx, jy := g.cam.ToScreen(200, 200)
	g.click(int(jx), int(jy))
	if g.selVehicle != -1 || g.selNode == maps.None || g.scenes[0].Net.Nodes[g.selNode].ID != "intersection_1_1" {
		t.Errorf("click on the junction selected vehicle %d node %d", g.selVehicle, g.selNode)
	}
}

// TestScreenshotAfterFrames checks the Frames/Screenshot mode: after the
// given number of frames the viewer writes the picture and quits.
func TestScreenshotAfterFrames(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shot.png")
	g, snap := tinyGame(t, Config{Frames: 3, Screenshot: out, NoHUD: true, NoLegend: true}, 1)
	for k := 1; k <= 3; k++ {
		drawn(g, 480, 360)
		if err := g.Update(); (err == ebiten.Termination) != (k == 3) {
			t.Fatalf("after frame %d Update returned %v", k, err)
		}
	}
	img := rendertest.ReadPNG(t, out)
	if img.Rect.Dx() != 480 || img.Rect.Dy() != 360 {
		t.Fatalf("screenshot %v, want 480x360", img.Rect)
	}
	rendertest.CheckScene(t, img, 0, 0, g.cam, g.scenes[0], snap, 40)
	if g.err != nil {
		t.Error(g.err)
	}
}

// TestHelpOverlay checks that the help overlay shows in the middle of the
// screen.
func TestHelpOverlay(t *testing.T) {
	g, _ := tinyGame(t, Config{NoHUD: true, NoLegend: true}, 1)
	count := func(img *image.RGBA) int {
		n := 0
		for y := 180; y < 300; y++ {
			for x := 200; x < 440; x++ {
				if c := img.RGBAAt(x, y); c.R > 200 && c.G > 200 && c.B > 200 {
					n++
				}
			}
		}
		return n
	}
	before := count(drawn(g, 640, 480))
	g.help = true
	if after := count(drawn(g, 640, 480)); after < before+200 {
		t.Errorf("help overlay: %d bright pixels in the middle, %d without it", after, before)
	}
}

// TestLegendScaleBar checks that the legend comes with a scale bar of the
// zoom's round length and a north arrow, bottom right.
func TestLegendScaleBar(t *testing.T) {
	g, _ := tinyGame(t, Config{NoHUD: true}, 1)
	for _, zoom := range []float64{1, 3} {
		g.cam.Scale *= zoom
		img := drawn(g, 640, 480)
		rendertest.CheckScaleBar(t, img, 0, 0, g.cam)
	}
}
