package raster

import (
	"image"
	"image/color"
	"math"

	"github.com/citytwin/citytwin/render"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Canvas is a render.Painter drawing to an *image.RGBA. Polygons are held
// per colour until Flush, then each colour is rasterized in one pass with
// anti-aliasing. A Canvas is not safe for concurrent use.
type Canvas struct {
	Img *image.RGBA

	r      vector.Rasterizer
	groups []group
	index  map[color.RGBA]int
}

var _ render.Painter = (*Canvas)(nil)

// group is the pending polygons of one colour: all points in pts, polygon
// k running from starts[k] to starts[k+1] (or the end).
type group struct {
	c                      color.RGBA
	pts                    []render.Pt
	starts                 []int
	minX, minY, maxX, maxY float32
}

// NewCanvas returns a canvas drawing to img.
func NewCanvas(img *image.RGBA) *Canvas {
	return &Canvas{Img: img, index: map[color.RGBA]int{}}
}

// Face is the font of text on pictures.
var Face font.Face = basicfont.Face7x13

// Fill implements render.Painter. All polygons are stored clockwise on
// screen: x/image/vector cancels overlapping areas of opposite windings.
func (c *Canvas) Fill(pts []render.Pt, col color.RGBA) {
	if len(pts) < 3 || col.A == 0 {
		return
	}
	gi, ok := c.index[col]
	if !ok {
		gi = len(c.groups)
		c.index[col] = gi
		c.groups = append(c.groups, group{c: col, minX: math.MaxFloat32, minY: math.MaxFloat32,
			maxX: -math.MaxFloat32, maxY: -math.MaxFloat32})
	}
	g := &c.groups[gi]
	area := float32(0)
	for i := range pts {
		j := (i + 1) % len(pts)
		area += pts[i].X*pts[j].Y - pts[j].X*pts[i].Y
	}
	g.starts = append(g.starts, len(g.pts))
	if area >= 0 {
		g.pts = append(g.pts, pts...)
	} else {
		for i := len(pts) - 1; i >= 0; i-- {
			g.pts = append(g.pts, pts[i])
		}
	}
	for _, p := range pts {
		g.minX, g.maxX = min(g.minX, p.X), max(g.maxX, p.X)
		g.minY, g.maxY = min(g.minY, p.Y), max(g.maxY, p.Y)
	}
}

// Flush implements render.Painter: it rasterizes the pending polygons,
// one colour at a time in the order the colours were first used.
func (c *Canvas) Flush() {
	b := c.Img.Bounds()
	for gi := range c.groups {
		g := &c.groups[gi]
		x0 := max(int(math.Floor(float64(g.minX))), b.Min.X)
		y0 := max(int(math.Floor(float64(g.minY))), b.Min.Y)
		x1 := min(int(math.Ceil(float64(g.maxX)))+1, b.Max.X)
		y1 := min(int(math.Ceil(float64(g.maxY)))+1, b.Max.Y)
		if x0 >= x1 || y0 >= y1 {
			continue
		}
		c.r.Reset(x1-x0, y1-y0)
		ox, oy := float32(x0), float32(y0)
		for k, s := range g.starts {
			e := len(g.pts)
			if k+1 < len(g.starts) {
				e = g.starts[k+1]
			}
			poly := g.pts[s:e]
			c.r.MoveTo(clampf(poly[0].X-ox), clampf(poly[0].Y-oy))
			for _, p := range poly[1:] {
				c.r.LineTo(clampf(p.X-ox), clampf(p.Y-oy))
			}
			c.r.ClosePath()
		}
		src := image.NewUniform(color.NRGBA(g.c))
		c.r.Draw(c.Img, image.Rect(x0, y0, x1, y1), src, image.Point{})
	}
	c.groups = c.groups[:0]
	clear(c.index)
}

// clampf keeps far-away points within a range the rasterizer handles
// exactly; polygons are convex, so clamping a vertex far outside the
// picture changes nothing visible.
func clampf(v float32) float32 { return min(max(v, -1e6), 1e6) }

// Text implements render.Painter with Face.
func (c *Canvas) Text(x, y float32, s string, col color.RGBA) {
	c.Flush()
	d := font.Drawer{Dst: c.Img, Src: image.NewUniform(color.NRGBA(col)), Face: Face,
		Dot: fixed.P(int(x), int(y)+Face.Metrics().Ascent.Ceil())}
	d.DrawString(s)
}

// TextSize implements render.Painter.
func (c *Canvas) TextSize(s string) (w, h float32) {
	adv := font.MeasureString(Face, s)
	return float32(adv.Ceil()), float32(Face.Metrics().Height.Ceil())
}
