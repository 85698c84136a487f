package render

import (
	"math"

	"github.com/paulmach/orb"
)

// Camera maps world metres to the pixels of a W×H view. The world point
// (X, Y) is at the centre of the view and one metre spans Scale pixels.
// A Camera is a plain value; compare two with ==.
type Camera struct {
	X, Y  float64 // m, world point at the centre of the view
	Scale float64 // px per m
	W, H  int     // px, size of the view
}

// FitMargin is the share of the view left empty on each side by Fit.
const FitMargin = 0.03

// Fit returns the camera that shows all of b in a w×h view, centred, with
// FitMargin of the view free on each side.
func Fit(b orb.Bound, w, h int) Camera {
	c := Camera{X: (b.Min[0] + b.Max[0]) / 2, Y: (b.Min[1] + b.Max[1]) / 2, W: w, H: h, Scale: 1}
	bw, bh := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	uw, uh := float64(w)*(1-2*FitMargin), float64(h)*(1-2*FitMargin)
	switch {
	case bw <= 0 && bh <= 0:
	case bw <= 0:
		c.Scale = uh / bh
	case bh <= 0:
		c.Scale = uw / bw
	default:
		c.Scale = math.Min(uw/bw, uh/bh)
	}
	return c
}

// ToScreen returns the pixel position of world point (x, y) (m).
func (c Camera) ToScreen(x, y float64) (px, py float64) {
	return float64(c.W)/2 + (x-c.X)*c.Scale, float64(c.H)/2 - (y-c.Y)*c.Scale
}

// ToWorld returns the world point (m) at pixel position (px, py).
func (c Camera) ToWorld(px, py float64) (x, y float64) {
	return c.X + (px-float64(c.W)/2)/c.Scale, c.Y - (py-float64(c.H)/2)/c.Scale
}

// pt returns the pixel point of world point p.
func (c Camera) pt(p orb.Point) Pt {
	x, y := c.ToScreen(p[0], p[1])
	return Pt{float32(x), float32(y)}
}

// View returns the world rectangle the camera shows (m).
func (c Camera) View() orb.Bound {
	x0, y1 := c.ToWorld(0, 0)
	x1, y0 := c.ToWorld(float64(c.W), float64(c.H))
	return orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
}

// Zoom returns the camera scaled by factor around pixel (px, py): the world
// point under that pixel stays where it is. The scale is kept within
// [MinScale, MaxScale].
func (c Camera) Zoom(factor, px, py float64) Camera {
	wx, wy := c.ToWorld(px, py)
	c.Scale = math.Min(math.Max(c.Scale*factor, MinScale), MaxScale)
	// Solve ToScreen(wx, wy) == (px, py) for the centre.
	c.X = wx - (px-float64(c.W)/2)/c.Scale
	c.Y = wy + (py-float64(c.H)/2)/c.Scale
	return c
}

// Pan returns the camera moved so the picture shifts by (dx, dy) pixels.
func (c Camera) Pan(dx, dy float64) Camera {
	c.X -= dx / c.Scale
	c.Y += dy / c.Scale
	return c
}

// Resize returns the camera for a view of w×h pixels, keeping its centre
// and scale.
func (c Camera) Resize(w, h int) Camera {
	c.W, c.H = w, h
	return c
}

// Zoom limits (px per m).
const (
	MinScale = 0.001
	MaxScale = 200
)
