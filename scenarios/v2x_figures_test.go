package scenarios_test

import (
	"flag"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/scenarios"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var v2xFigures = flag.Bool("v2x-figures", false, "write the figures of docs/v2x.md into docs/v2x/")

// TestV2XFigures draws the figures of docs/v2x.md:
//
//	go test ./scenarios -run TestV2XFigures -v2x-figures
func TestV2XFigures(t *testing.T) {
	if !*v2xFigures {
		t.Skip("run with -v2x-figures to redraw docs/v2x/*.svg")
	}
	dir := filepath.Join("..", "docs", "v2x")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	// The penetration sweep on the corridor, three settings.
	shares := []float64{0, 0.25, 0.5, 0.75, 1}
	variants := []struct {
		name string
		edit func(*scenarios.Scenario)
	}{
		{"GLOSA within 300 m (the corridor)", nil},
		{"GLOSA within 100 m (SUMO's default)", func(sc *scenarios.Scenario) { sc.V2X.GLOSA.Range = 100 }},
		{"GLOSA within 300 m and CACC", func(sc *scenarios.Scenario) { *sc.V2X.CACC.Enabled = true }},
	}
	stops, fuel := newPlot("connected share (%)", "stops per vehicle"), newPlot("connected share (%)", "fuel (L/100 km)")
	for i, v := range variants {
		var ps, pf plotter.XYs
		for _, p := range shares {
			s := corridorRun(t, p, v.edit)
			ps = append(ps, plotter.XY{X: 100 * p, Y: s.MeanStops})
			pf = append(pf, plotter.XY{X: 100 * p, Y: s.FuelPer100km})
			t.Logf("%s, %3.0f%%: %.3f stops/veh, %.3f L/100 km, %.1f s", v.name, 100*p, s.MeanStops, s.FuelPer100km, s.MeanTravelTime)
		}
		addLine(t, stops, v.name, ps, i)
		addLine(t, fuel, v.name, pf, i)
	}
	stops.Legend.Top = true // the legends go where the lines are not
	fuel.Legend.Left = true
	save(t, stops, filepath.Join(dir, "sweep-stops.svg"))
	save(t, fuel, filepath.Join(dir, "sweep-fuel.svg"))

	// One vehicle approaching a red light, with and without GLOSA.
	prof := newPlot("time (s)", "speed (m/s)")
	for i, v := range []struct {
		name   string
		glosa  bool
		rng    float64
		minSpd float64
	}{
		{"no GLOSA", false, 300, 5},
		{"GLOSA, 300 m, min 5 m/s", true, 300, 5},
		{"GLOSA, 200 m, min 3 m/s", true, 200, 3},
	} {
		text := fmt.Sprintf(profileScenario, v.glosa, v.rng, v.minSpd)
		speeds, fuelML := speedProfile(t, text)
		t.Logf("%s: %.1f mL", v.name, fuelML)
		addLine(t, prof, fmt.Sprintf("%s (%.0f mL)", v.name, fuelML), speeds, i)
	}
	prof.Legend.XOffs = -vg.Millimeter
	save(t, prof, filepath.Join(dir, "glosa-profile.svg"))
}

// profileScenario sends one equipped car at t = 0 along 600 m to a
// junction of the corridor's timing (52 s cycle); its approach meets red.
const profileScenario = `
duration = 1
cooldown = 120
[network.grid]
rows = 1
cols = 1
block = 600
[[vtypes]]
id = "car"
connected = 1
[[demand.flows]]
from = "road_0_1_0"
to = "road_1_1_0"
rate = 3600
distribution = "uniform"
[signals.fixed_time]
phases = [0, 1]
green = 20
offset = 44
[v2x]
range = 300
[v2x.glosa]
enabled = %t
range = %g
min_speed = %g
[v2x.cacc]
enabled = false
`

// speedProfile runs the scenario and returns the speed of its first
// vehicle at every step while it runs, and the fuel it burnt.
func speedProfile(t *testing.T, text string) (plotter.XYs, float64) {
	t.Helper()
	sc := testrun.Parse(t, text, "profile.toml")
	run, sim := testrun.Start(t, sc)
	var xy plotter.XYs
	var snap engine.Snapshot
	for sim.Time() < run.End()-1e-9 {
		sim.Step()
		sim.Snapshot(&snap)
		for _, v := range snap.Vehicles {
			if v.ID == 0 {
				xy = append(xy, plotter.XY{X: sim.Time(), Y: v.Speed})
			}
		}
	}
	return xy, sim.Trip(0).Fuel
}

var lineColors = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
}

func newPlot(x, y string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = x, y
	p.Add(plotter.NewGrid())
	return p
}

func addLine(t *testing.T, p *plot.Plot, name string, xy plotter.XYs, i int) {
	t.Helper()
	l, pts, err := plotter.NewLinePoints(xy)
	if err != nil {
		t.Fatal(err)
	}
	l.Color, pts.Color = lineColors[i%len(lineColors)], lineColors[i%len(lineColors)]
	pts.Shape = draw.CircleGlyph{}
	if len(xy) > 20 {
		pts.Radius = 0
	}
	p.Add(l, pts)
	p.Legend.Add(name, l)
}

func save(t *testing.T, p *plot.Plot, path string) {
	t.Helper()
	if err := p.Save(16*vg.Centimeter, 9*vg.Centimeter, path); err != nil {
		t.Fatal(err)
	}
	// SVG output carries no date, so the files only change with the data.
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), "<svg") {
		t.Fatalf("%s: not an SVG (%v)", path, err)
	}
	t.Logf("wrote %s", path)
}
