//go:build cgo || windows || darwin

package viewer

import (
	"image"
	"image/color"
	"unicode/utf8"

	"github.com/citytwin/citytwin/render"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/ebitenutil"
)

// painter is a render.Painter that batches polygons into triangles with
// per-vertex colours and draws each batch with one DrawTriangles call.
type painter struct {
	dst    *ebiten.Image
	ox, oy float32 // added to every point: the pane's origin in dst
	aa     bool
	vs     []ebiten.Vertex
	is     []uint16
}

var _ render.Painter = (*painter)(nil)

// whiteSub is a white pixel with white around it, the source of every
// triangle (as in ebiten's vector package).
var whiteSub = func() *ebiten.Image {
	img := ebiten.NewImage(3, 3)
	img.Fill(color.White)
	return img.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image)
}()

// debug font cell (ebitenutil.DebugPrint).
const glyphW, glyphH = 6, 16

func (p *painter) reset(dst *ebiten.Image, ox, oy float32, aa bool) {
	p.dst, p.ox, p.oy, p.aa = dst, ox, oy, aa
	p.vs, p.is = p.vs[:0], p.is[:0]
}

// Fill implements render.Painter (c in straight alpha).
func (p *painter) Fill(pts []render.Pt, c color.RGBA) {
	if len(pts) < 3 || c.A == 0 {
		return
	}
	if len(p.vs)+len(pts) > 65535 {
		p.Flush()
	}
	r, g, b, a := float32(c.R)/255, float32(c.G)/255, float32(c.B)/255, float32(c.A)/255
	base := uint16(len(p.vs))
	for _, q := range pts {
		p.vs = append(p.vs, ebiten.Vertex{DstX: q.X + p.ox, DstY: q.Y + p.oy, SrcX: 1.5, SrcY: 1.5,
			ColorR: r, ColorG: g, ColorB: b, ColorA: a})
	}
	for i := 1; i+1 < len(pts); i++ {
		p.is = append(p.is, base, base+uint16(i), base+uint16(i+1))
	}
}

// Flush implements render.Painter.
func (p *painter) Flush() {
	if len(p.is) > 0 {
		p.dst.DrawTriangles(p.vs, p.is, whiteSub, &ebiten.DrawTrianglesOptions{AntiAlias: p.aa})
	}
	p.vs, p.is = p.vs[:0], p.is[:0]
}

// Text implements render.Painter with ebiten's debug font (always white).
func (p *painter) Text(x, y float32, s string, _ color.RGBA) {
	p.Flush()
	ebitenutil.DebugPrintAt(p.dst, s, int(x+p.ox), int(y+p.oy))
}

// TextSize implements render.Painter.
func (p *painter) TextSize(s string) (w, h float32) {
	return float32(glyphW * utf8.RuneCountInString(s)), glyphH
}
