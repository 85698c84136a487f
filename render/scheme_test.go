package render_test

import (
	"image/color"
	"testing"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/render/rendertest"
)

// TestSeparateScales checks that the vehicle scales (speed, type) and the
// signal scale share no colour: every vehicle colour is at least
// rendertest.MinScaleDistance from every light colour (issue 18: standing
// vehicles and red lights were one red).
func TestSeparateScales(t *testing.T) {
	var vehicles []color.RGBA
	for k := 0; k <= render.SpeedLevels; k++ {
		vehicles = append(vehicles, render.SpeedColor(float64(k)/render.SpeedLevels))
	}
	for i := 0; i < 10; i++ {
		vehicles = append(vehicles, render.TypeColor(i))
	}
	for _, c := range vehicles {
		for l := signal.Red; l <= signal.GreenMinor; l++ {
			if d := rendertest.Distance(c, render.LightColor(l)); d < rendertest.MinScaleDistance {
				t.Errorf("vehicle colour %v is %.0f from the %v light %v, want at least %.0f", c, d, l, render.LightColor(l), rendertest.MinScaleDistance)
			}
		}
	}
	// The speed scale is ordered: lighter as it goes.
	lum := func(c color.RGBA) float64 {
		return float64(0.2126*float64(c.R)) + float64(0.7152*float64(c.G)) + float64(0.0722*float64(c.B))
	}
	for k := 1; k <= render.SpeedLevels; k++ {
		if a, b := render.SpeedColor(float64(k-1)/render.SpeedLevels), render.SpeedColor(float64(k)/render.SpeedLevels); lum(b) < lum(a) {
			t.Errorf("speed scale: level %d (%v) darker than level %d (%v)", k, b, k-1, a)
		}
	}
}

// TestScaleLength checks the scale bar's round lengths.
func TestScaleLength(t *testing.T) {
	for _, c := range []struct {
		scale float64
		m     float64
		label string
	}{{0.547, 200, "200 m"}, {2, 50, "50 m"}, {8, 10, "10 m"}, {0.05, 2000, "2 km"}, {0.6, 100, "100 m"}, {25, 5, "5 m"}} {
		m, label := render.ScaleLength(c.scale)
		if m != c.m || label != c.label {
			t.Errorf("render.ScaleLength(%g) = %g, %q; want %g, %q", c.scale, m, label, c.m, c.label)
		}
		if px := m * c.scale; px < 60 || px > 150 {
			t.Errorf("render.ScaleLength(%g): %g px, want 60 to 150", c.scale, px)
		}
	}
}
