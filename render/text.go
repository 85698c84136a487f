package render

import (
	"fmt"
	"image/color"
	"math"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
)

// Panel text layout (px).
const (
	panelPad  = 6
	lineSpace = 2
)

// DrawPanel draws lines of text on a translucent box whose top-left corner
// is at (x, y) and returns the box size. A negative x or y places the box
// that far from the right or bottom edge of a w×h view instead.
func DrawPanel(p Painter, x, y float32, w, h int, lines []string) (bw, bh float32) {
	bw, bh = panelSize(p, lines)
	x, y = panel(p, x, y, w, h, bw, bh)
	ty := y + panelPad
	for _, l := range lines {
		_, lh := p.TextSize(l)
		p.Text(x+panelPad, ty, l, TextColor)
		ty += lh + lineSpace
	}
	return bw, bh
}

// panel draws an empty bw×bh box at (x, y) in a w×h view, a negative x
// or y counting from the right or bottom edge, and returns its top-left
// corner.
func panel(p Painter, x, y float32, w, h int, bw, bh float32) (float32, float32) {
	if x < 0 {
		x = float32(w) + x - bw
	}
	if y < 0 {
		y = float32(h) + y - bh
	}
	p.Fill([]Pt{{x, y}, {x + bw, y}, {x + bw, y + bh}, {x, y + bh}}, PanelColor)
	p.Flush()
	return x, y
}

func panelSize(p Painter, lines []string) (w, h float32) {
	for _, l := range lines {
		lw, lh := p.TextSize(l)
		w = max(w, lw)
		h += lh + lineSpace
	}
	return w + 2*panelPad, h - lineSpace + 2*panelPad
}

// Clock formats a simulation time (s) as h:mm:ss.
func Clock(t float64) string {
	s := int(math.Floor(t))
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}

// HUDLines returns the standard status lines for snap: time, vehicles and
// mean speed.
func HUDLines(title string, snap *engine.Snapshot) []string {
	var out []string
	if title != "" {
		out = append(out, title)
	}
	c := snap.Counts
	return append(out,
		fmt.Sprintf("t %s (%.0f s)", Clock(snap.Time), snap.Time),
		fmt.Sprintf("running %d  arrived %d  waiting %d", c.Running, c.Arrived, c.Waiting),
		fmt.Sprintf("mean speed %.1f km/h", snap.MeanSpeed*3.6))
}

// DrawLegend draws the colour keys in a box at (x, y), placed like
// DrawPanel's: the vehicle scale of mode m and, apart from it, the signal
// scale. names are the vehicle type names for ColorType.
func DrawLegend(p Painter, x, y float32, w, h int, m ColorMode, names []string) {
	type entry struct {
		c     color.RGBA // zero: a heading
		label string
	}
	var es []entry
	switch m {
	case ColorSpeed:
		es = append(es, entry{label: "vehicles: speed / limit"})
		for _, r := range []float64{0, 0.25, 0.5, 0.75, 1} {
			es = append(es, entry{SpeedColor(r), fmt.Sprintf("%3.0f%%", r*100)})
		}
	case ColorType:
		es = append(es, entry{label: "vehicles: type"})
		for i, n := range names {
			es = append(es, entry{TypeColor(i), n})
		}
	case ColorConnected:
		es = append(es, entry{label: "vehicles: V2X"}, entry{ConnectedColor, "connected"}, entry{UnconnectedColor, "not connected"})
	}
	es = append(es, entry{label: "signals"}, entry{LightColor(signal.Red), "red"}, entry{LightColor(signal.Yellow), "yellow"},
		entry{LightColor(signal.Green), "green"}, entry{LightColor(signal.GreenMinor), "green, yield"})
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.label
		if e.c.A > 0 {
			lines[i] = "   " + e.label
		}
	}
	bw, bh := panelSize(p, lines)
	if x < 0 {
		x = float32(w) + x - bw
	}
	if y < 0 {
		y = float32(h) + y - bh
	}
	DrawPanel(p, x, y, w, h, lines)
	ty := y + panelPad
	for _, e := range es {
		cw, lh := p.TextSize("  ")
		if e.c.A > 0 {
			s := min(cw, lh) - 2
			yy := ty + (lh-s)/2
			p.Fill([]Pt{{x + panelPad, yy}, {x + panelPad + s, yy}, {x + panelPad + s, yy + s}, {x + panelPad, yy + s}}, e.c)
		}
		ty += lh + lineSpace
	}
	p.Flush()
}

// ScaleLength returns a round length (m) that spans about 60 to 150
// pixels at scale px per m: 1, 2 or 5 times a power of ten. Its label is
// "200 m" or "2 km".
func ScaleLength(scale float64) (m float64, label string) {
	m = math.Pow(10, math.Floor(math.Log10(60/scale)))
	for _, k := range []float64{1, 2, 5, 10} {
		if k*m*scale >= 60 {
			m *= k
			break
		}
	}
	if m >= 1000 {
		return m, fmt.Sprintf("%g km", m/1000)
	}
	return m, fmt.Sprintf("%g m", m)
}

// DrawScaleBar draws a north arrow and a scale bar of ScaleLength at
// cam's zoom in a box at (x, y), placed like DrawPanel's, and returns the
// box size. North is up: cameras do not rotate.
func DrawScaleBar(p Painter, x, y float32, w, h int, cam Camera) (bw, bh float32) {
	m, label := ScaleLength(cam.Scale)
	bar := float32(m * cam.Scale)
	tw, th := p.TextSize(label)
	nw, _ := p.TextSize("N")
	arrow := max(nw, 9)
	const barH, gap = 4, 8
	bw = panelPad + arrow + gap + max(bar, tw) + panelPad
	bh = panelPad + th + 3 + barH + 3 + panelPad
	x, y = panel(p, x, y, w, h, bw, bh)
	// North arrow: a triangle over the letter N.
	ax, top, bottom := x+panelPad+arrow/2, y+panelPad, y+bh-panelPad-th
	p.Fill([]Pt{{ax, top}, {ax + arrow/2, bottom}, {ax - arrow/2, bottom}}, TextColor)
	p.Text(ax-nw/2, bottom, "N", TextColor)
	// The bar, with end ticks, under its label.
	bx := x + panelPad + arrow + gap
	by := y + bh - panelPad - barH
	p.Fill([]Pt{{bx, by}, {bx + bar, by}, {bx + bar, by + barH}, {bx, by + barH}}, TextColor)
	for _, tx := range []float32{bx, bx + bar - 1} {
		p.Fill([]Pt{{tx, by - 3}, {tx + 1, by - 3}, {tx + 1, by}, {tx, by}}, TextColor)
	}
	p.Text(bx+(bar-tw)/2, y+panelPad, label, TextColor)
	return bw, bh
}
