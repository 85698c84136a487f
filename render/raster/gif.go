package raster

import (
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io"
	"sync"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/render"
)

// Palette is the fixed palette of animations: the scheme's colours first
// (so roads, lights and the speed ramp come out exact), then a 6×6×6
// colour cube and greys.
var Palette = buildPalette()

func buildPalette() color.Palette {
	var p color.Palette
	seen := map[color.RGBA]bool{}
	addc := func(c color.RGBA) {
		c.A = 255
		if !seen[c] && len(p) < 256 {
			seen[c] = true
			p = append(p, c)
		}
	}
	for _, c := range []color.RGBA{render.Background, render.LaneColor, render.JunctionColor, render.MarkingColor,
		render.CentreColor, render.DetectorColor, render.RSUColor, render.HighlightColor, render.TextColor, render.ConnectedColor,
		render.UnconnectedColor, render.OutlineColor, {0, 0, 0, 255}} {
		addc(c)
	}
	for l := 0; l < 4; l++ {
		addc(render.LightColor(signal.Light(l)))
	}
	for k := 0; k <= render.SpeedLevels; k++ {
		addc(render.SpeedColor(float64(k) / render.SpeedLevels))
	}
	for t := 0; t < 10; t++ {
		addc(render.TypeColor(t))
	}
	for r := 0; r < 6; r++ {
		for g := 0; g < 6; g++ {
			for b := 0; b < 6; b++ {
				addc(color.RGBA{uint8(r * 51), uint8(g * 51), uint8(b * 51), 255})
			}
		}
	}
	for v := 8; len(p) < 256 && v < 256; v += 10 {
		addc(color.RGBA{uint8(v), uint8(v), uint8(v), 255})
	}
	return p
}

// lut maps a colour with 5 bits per channel to its nearest palette index.
var (
	lutOnce sync.Once
	lut     []uint8
)

func paletteIndex(r, g, b uint8) uint8 {
	lutOnce.Do(func() {
		lut = make([]uint8, 1<<15)
		for i := range lut {
			c := color.RGBA{uint8(i>>10)<<3 | 4, uint8(i>>5&31)<<3 | 4, uint8(i&31)<<3 | 4, 255}
			lut[i] = uint8(Palette.Index(c))
		}
	})
	return lut[int(r>>3)<<10|int(g>>3)<<5|int(b>>3)]
}

// GIF collects the frames of an animation with the fixed Palette (no
// dithering, so flat areas stay flat and the file stays small).
type GIF struct {
	// Delay is the time each frame is shown (rounded to 10 ms).
	Delay time.Duration
	g     gif.GIF
}

// NewGIF returns an empty animation showing each frame for delay.
func NewGIF(delay time.Duration) *GIF { return &GIF{Delay: delay} }

// Add appends a frame (its bounds are taken as they are).
func (a *GIF) Add(img *image.RGBA) {
	b := img.Bounds()
	pal := image.NewPaletted(b, Palette)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := img.Pix[img.PixOffset(b.Min.X, y):]
		dst := pal.Pix[pal.PixOffset(b.Min.X, y):]
		for x := 0; x < b.Dx(); x++ {
			dst[x] = paletteIndex(src[4*x], src[4*x+1], src[4*x+2])
		}
	}
	a.g.Image = append(a.g.Image, pal)
	a.g.Delay = append(a.g.Delay, max(1, int(a.Delay/(10*time.Millisecond))))
}

// Len returns the number of frames.
func (a *GIF) Len() int { return len(a.g.Image) }

// Encode writes the animation, looping forever.
func (a *GIF) Encode(w io.Writer) error {
	if len(a.g.Image) == 0 {
		return fmt.Errorf("raster: animation has no frames")
	}
	if err := gif.EncodeAll(w, &a.g); err != nil {
		return fmt.Errorf("raster: %w", err)
	}
	return nil
}

// WriteFile writes the animation to the named file.
func (a *GIF) WriteFile(name string) error { return writeFile(name, a.Encode) }

// Record steps sim until its time reaches to (s), adding a w×h frame of
// the whole network to a every `every` seconds of simulated time, starting
// with the current state. It returns the number of frames added.
func (r *Renderer) Record(sim *engine.Sim, a *GIF, to, every float64, w, h int) int {
	cam := r.Camera(w, h)
	var snap engine.Snapshot
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	n := 0
	next := sim.Time()
	for {
		if sim.Time() >= next-1e-9 {
			sim.Snapshot(&snap)
			r.Draw(img, cam, &snap)
			a.Add(img)
			n++
			next += every
		}
		if sim.Time() >= to-1e-9 {
			return n
		}
		sim.Step()
	}
}
