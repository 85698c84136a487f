package rendertest

import (
	_ "embed"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/scenarios"
	"github.com/paulmach/orb"
)

// TOML is the tiny scenario file.
//
//go:embed tiny.toml
var TOML []byte

// At is the time (s) at which the tiny scenario shows one car standing at
// the red light of the west approach and one driving north on green.
const At = 20

// Build returns the tiny scenario's run.
func Build() (*scenarios.Run, error) { return BuildFrom(TOML, "tiny.toml") }

// BuildFrom returns the run of the scenario text (a variant of TOML);
// name is the file name its errors give.
func BuildFrom(text []byte, name string) (*scenarios.Run, error) {
	sc, err := scenarios.Parse(text, name)
	if err != nil {
		return nil, err
	}
	return scenarios.Build(sc)
}

// SimAt returns a simulation of the tiny scenario stepped to time t (s).
func SimAt(t float64) (*scenarios.Run, *engine.Sim, error) {
	run, err := Build()
	if err != nil {
		return nil, nil, err
	}
	return RunAt(run, t)
}

// RunAt returns a simulation of run stepped to time t (s).
func RunAt(run *scenarios.Run, t float64) (*scenarios.Run, *engine.Sim, error) {
	sim, err := run.NewSimulation()
	if err != nil {
		return nil, nil, err
	}
	if err := sim.RunUntil(t); err != nil {
		sim.Close()
		return nil, nil, err
	}
	return run, sim.Sim, nil
}

// ReadPNG reads the PNG file name as an RGBA image.
func ReadPNG(t testing.TB, name string) *image.RGBA {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	img := image.NewRGBA(dec.Bounds())
	draw.Draw(img, img.Bounds(), dec, dec.Bounds().Min, draw.Src)
	return img
}

// Near reports whether got is within tol of want in each colour channel.
func Near(got, want color.RGBA, tol int) bool {
	d := func(a, b uint8) bool { return int(a)-int(b) <= tol && int(b)-int(a) <= tol }
	return d(got.R, want.R) && d(got.G, want.G) && d(got.B, want.B)
}

// CheckScene checks a picture of the tiny scenario at time At, drawn with
// cam into the pane of img whose top-left corner is (ox, oy):
//
//   - the stop line of every lane of the junction (its first part, the
//     one of its lowest movement) has the colour of that movement's
//     light, and both red and green lights are seen;
//   - every vehicle in view has its colour (by speed) half-way along its
//     body behind the front point of the snapshot, and not 4 m (or 4 px)
//     ahead of it; at least MinVehLenPx × MinVehWidePx / 2 pixels of its
//     colour around it, whatever the zoom (issue 18: vehicles were 1-2 px
//     specks at the fit zoom);
//   - the car standing at the red light is drawn in a colour far from the
//     red light's (the vehicle and signal scales share no hue).
//
// tol is the tolerance per colour channel (anti-aliasing mixes colours
// at small scales).
func CheckScene(t testing.TB, img *image.RGBA, ox, oy int, cam render.Camera, sc *render.Scene, snap *engine.Snapshot, tol int) {
	t.Helper()
	at := func(x, y float64) color.RGBA {
		px, py := cam.ToScreen(x, y)
		return img.RGBAAt(ox+int(math.Floor(px)), oy+int(math.Floor(py)))
	}
	net := sc.Net
	west, _ := net.RoadByID("road_0_1_0")
	south, _ := net.RoadByID("road_1_0_1")
	seenLane := map[maps.LaneID]bool{}
	reds, greens := 0, 0
	for _, b := range sc.Bars {
		if seenLane[b.Lane] {
			continue
		}
		seenLane[b.Lane] = true
		light := snap.Lights[b.Movement]
		switch from := net.Movements[b.Movement].From; {
		case from == west && light != signal.Red:
			t.Fatalf("the west approach is %v, want red (is the snapshot at t=%d s?)", light, At)
		case from == south && !light.IsGreen():
			t.Fatalf("the south approach is %v, want green", light)
		}
		depth := math.Max(render.BarDepth, render.MinBarPx/cam.Scale) / 2
		x := (b.A[0]+b.B[0])/2 - b.Dir[0]*depth
		y := (b.A[1]+b.B[1])/2 - b.Dir[1]*depth
		if got, want := at(x, y), render.LightColor(light); !Near(got, want, tol) {
			t.Errorf("stop line of movement %d (%v) on lane %d: pixel %v, want %v", b.Movement, light, b.Lane, got, want)
		}
		if light == signal.Red {
			reds++
		} else if light.IsGreen() {
			greens++
		}
	}
	if reds == 0 || greens == 0 {
		t.Errorf("checked %d red and %d green stop lines, want both", reds, greens)
	}
	if len(snap.Vehicles) != 2 {
		t.Fatalf("%d vehicles, want 2", len(snap.Vehicles))
	}
	checked := 0
	for i := range snap.Vehicles {
		v := &snap.Vehicles[i]
		if !cam.View().Pad(-5).Contains(orb.Point{v.X, v.Y}) {
			continue
		}
		checked++
		dx, dy := math.Cos(v.Heading), math.Sin(v.Heading)
		back := math.Max(v.Length/2, render.MinVehLenPx/2/cam.Scale)
		want := sc.VehicleColor(v, render.ColorSpeed)
		if got := at(v.X-dx*back, v.Y-dy*back); !Near(got, want, tol) {
			t.Errorf("vehicle %d at (%.1f, %.1f): pixel %v, want %v", v.ID, v.X, v.Y, got, want)
		}
		ahead := math.Max(4, 4/cam.Scale)
		if got := at(v.X+dx*ahead, v.Y+dy*ahead); Near(got, want, 20) {
			t.Errorf("vehicle %d painted ahead of its front: %v", v.ID, got)
		}
		cx, cy := cam.ToScreen(v.X-dx*back, v.Y-dy*back)
		if n, min := countNear(img, ox+int(cx), oy+int(cy), 12, want, tol), render.MinVehLenPx*render.MinVehWidePx/2; float64(n) < min {
			t.Errorf("vehicle %d: %d pixels of its colour around it, want at least %.0f (visible at every zoom)", v.ID, n, min)
		}
		if v.Speed < 0.1 {
			if d := Distance(want, render.LightColor(signal.Red)); d < MinScaleDistance {
				t.Errorf("standing vehicle %d is drawn %v, %.0f from the red light's %v: want at least %.0f", v.ID, want, d, render.LightColor(signal.Red), MinScaleDistance)
			}
		}
	}
	if checked == 0 {
		t.Errorf("no vehicle in view")
	}
}

// MinScaleDistance is the least RGB distance between a colour of the
// vehicle scale and one of the signal scale.
const MinScaleDistance = 120.0

// Distance returns the Euclidean distance of two colours in RGB (0 to
// 441).
func Distance(a, b color.RGBA) float64 {
	dr, dg, db := float64(a.R)-float64(b.R), float64(a.G)-float64(b.G), float64(a.B)-float64(b.B)
	return math.Sqrt(dr*dr + dg*dg + db*db)
}

// countNear counts the pixels within r of (x, y) whose colour is within
// tol of c.
func countNear(img *image.RGBA, x, y, r int, c color.RGBA, tol int) int {
	n := 0
	for yy := y - r; yy <= y+r; yy++ {
		for xx := x - r; xx <= x+r; xx++ {
			if (image.Point{xx, yy}).In(img.Rect) && Near(img.RGBAAt(xx, yy), c, tol) {
				n++
			}
		}
	}
	return n
}

// CheckScaleBar checks that the pane of img whose top-left corner is
// (ox, oy) and whose size is cam's shows, in its bottom-right corner, a
// scale bar as long as render.ScaleLength says at cam's zoom, with the
// north arrow left of it.
func CheckScaleBar(t testing.TB, img *image.RGBA, ox, oy int, cam render.Camera) {
	t.Helper()
	m, label := render.ScaleLength(cam.Scale)
	want := int(math.Round(m * cam.Scale))
	bright := func(x, y int) bool {
		c := img.RGBAAt(x, y)
		return c.R > 200 && c.G > 200 && c.B > 200
	}
	// The longest run of bright pixels in a row of the bottom 80 px of
	// the right half.
	best, bestY, bestX := 0, 0, 0
	for y := oy + cam.H - 80; y < oy+cam.H; y++ {
		run := 0
		for x := ox + cam.W/2; x < ox+cam.W; x++ {
			if bright(x, y) {
				run++
				if run > best {
					best, bestY, bestX = run, y, x-run+1
				}
			} else {
				run = 0
			}
		}
	}
	if best < want-2 || best > want+2 {
		t.Errorf("scale bar: longest bright run %d px at y=%d, want %d px (%s at %.3g px/m)", best, bestY, want, label, cam.Scale)
		return
	}
	arrow := 0
	for y := bestY - 30; y <= bestY; y++ {
		for x := bestX - 25; x < bestX-3; x++ {
			if bright(x, y) {
				arrow++
			}
		}
	}
	if arrow < 15 {
		t.Errorf("north arrow: %d bright pixels left of the scale bar, want a triangle and an N", arrow)
	}
}
