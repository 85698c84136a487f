package render

import (
	"fmt"
	"image/color"
	"math"

	"github.com/citytwin/citytwin/engine"
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
	if x < 0 {
		x = float32(w) + x - bw
	}
	if y < 0 {
		y = float32(h) + y - bh
	}
	p.Fill([]Pt{{x, y}, {x + bw, y}, {x + bw, y + bh}, {x, y + bh}}, PanelColor)
	p.Flush()
	ty := y + panelPad
	for _, l := range lines {
		_, lh := p.TextSize(l)
		p.Text(x+panelPad, ty, l, TextColor)
		ty += lh + lineSpace
	}
	return bw, bh
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

// DrawLegend draws the colour key of mode m (and of the signal lights) in
// a box at (x, y), placed like DrawPanel's. names are the vehicle type
// names for ColorType.
func DrawLegend(p Painter, x, y float32, w, h int, m ColorMode, names []string) {
	type entry struct {
		c     color.RGBA
		label string
	}
	var es []entry
	switch m {
	case ColorSpeed:
		for _, r := range []float64{0, 0.3, 0.6, 1} {
			es = append(es, entry{SpeedColor(r), fmt.Sprintf("%3.0f%% of limit", r*100)})
		}
	case ColorType:
		for i, n := range names {
			es = append(es, entry{TypeColor(i), n})
		}
	case ColorConnected:
		es = append(es, entry{ConnectedColor, "connected"}, entry{UnconnectedColor, "not connected"})
	}
	es = append(es, entry{LightColor(0), "red"}, entry{LightColor(1), "yellow"}, entry{LightColor(2), "green"},
		entry{LightColor(3), "green, yield"})
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = "   " + e.label
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
		s := min(cw, lh) - 2
		yy := ty + (lh-s)/2
		p.Fill([]Pt{{x + panelPad, yy}, {x + panelPad + s, yy}, {x + panelPad + s, yy + s}, {x + panelPad, yy + s}}, e.c)
		ty += lh + lineSpace
	}
	p.Flush()
}
