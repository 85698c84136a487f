package experiments

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Plots are SVG (gonum/plot's vgsvg, fonts not embedded): text, small,
// and the same bytes for the same data.

func armColor(i int) color.Color { return plotutil.Color(i) }

// A legend is drawn beside its plot, never over the data: legendSVG
// renders p in the left part of a w×h picture and leg in a column on the
// right as wide as its longest entry.
func legendSVG(p *plot.Plot, leg plot.Legend, w, h vg.Length) ([]byte, error) {
	c, err := draw.NewFormattedCanvas(w, h, "svg")
	if err != nil {
		return nil, err
	}
	dc := draw.New(c)
	dc.SetColor(p.BackgroundColor)
	dc.Fill(dc.Rectangle.Path())
	lw := legendWidth(leg)
	p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	leg.Top, leg.Left = true, true
	leg.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: dc.Max.X - lw + legendGap, Y: dc.Min.Y},
		Max: vg.Point{X: dc.Max.X - legendGap, Y: dc.Max.Y - 2*legendGap},
	}})
	return writeSVG(c)
}

// legendGap is the space between a plot and its legend, and at the edges.
const legendGap = vg.Length(8) // pt

// legendWidth returns the width of the column legendSVG gives leg.
func legendWidth(leg plot.Legend) vg.Length {
	r := leg.Rectangle(draw.New(vgsvg.New(vg.Inch, vg.Inch)))
	return r.Max.X - r.Min.X + 2*legendGap
}

// writeSVG returns the bytes of an SVG canvas.
func writeSVG(c vg.CanvasWriterTo) ([]byte, error) {
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// shortTicks are gonum's default ticks labelled with at most four
// significant digits and no trailing zeros ("-25", "0.5").
type shortTicks struct{}

// Ticks implements plot.Ticker.
func (shortTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 4, 64)
		}
	}
	return ts
}

// effectsPlot draws a forest plot: one panel per metric (effectPanels),
// each with its own scale, stacked under one title.
func effectsPlot(r *Report) ([]byte, error) {
	panels, err := effectPanels(r)
	if err != nil || len(panels) == 0 {
		return nil, err
	}
	arms := len(r.Arms) - 1
	panelH := vg.Length(0.75+0.3*float64(arms)) * vg.Inch
	const titleH = 0.45 * vg.Inch
	w, h := 7*vg.Inch, titleH+panelH*vg.Length(len(panels))
	c, err := draw.NewFormattedCanvas(w, h, "svg")
	if err != nil {
		return nil, err
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	title := plot.New().Title.TextStyle
	title.XAlign, title.YAlign = draw.XCenter, draw.YTop
	dc.FillText(title, vg.Point{X: w / 2, Y: h - vg.Points(6)},
		fmt.Sprintf("Change against %s, with %g%% confidence intervals", r.Baseline, 100*r.Confidence))
	rows := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		rows[i] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Points(6), PadTop: titleH, PadLeft: vg.Points(4), PadRight: vg.Points(10)}
	canvases := plot.Align(rows, tiles, dc)
	for i, p := range panels {
		p.Draw(canvases[i][0])
	}
	return writeSVG(c)
}

// effectPanels returns one panel per metric showing, for every arm, the
// change to the baseline with the confidence interval of the paired
// difference, on the metric's own scale (so that a metric with a wide
// interval does not squash the others). The change is relative (% of the
// baseline's mean) where the baseline's mean is not zero, in the metric's
// unit otherwise. Arms are named on the vertical axis, so no legend
// covers the data.
func effectPanels(r *Report) ([]*plot.Plot, error) {
	type point struct {
		arm       int
		x, lo, hi float64
	}
	var panels []*plot.Plot
	for _, res := range r.Results {
		base := res.Estimates[r.baseIdx].Mean
		relative := base != 0 && !math.IsNaN(base)
		var pts []point
		for _, d := range res.Diffs {
			if math.IsNaN(d.Mean) {
				continue
			}
			s := 1.0
			if relative {
				s = 100 / math.Abs(base)
			}
			lo, hi := d.Low*s, d.High*s
			if math.IsNaN(lo) {
				lo, hi = d.Mean*s, d.Mean*s
			}
			pts = append(pts, point{slices.Index(r.Arms, d.Arm), d.Mean * s, lo, hi})
		}
		if len(pts) == 0 {
			continue
		}
		p := plot.New()
		m := res.Metric
		better := "lower is better"
		if m.HigherIsBetter {
			better = "higher is better"
		}
		p.Title.Text = fmt.Sprintf("%s (%s)", m.Label, better)
		p.Title.TextStyle.Font.Size = vg.Points(11)
		p.X.Label.Text = "change (%)"
		if !relative {
			p.X.Label.Text = "change"
			if m.Unit != "" {
				p.X.Label.Text += " (" + m.Unit + ")"
			}
		}
		var ticks []plot.Tick
		xs := []float64{0}
		for k, pt := range pts {
			y := float64(len(pts) - 1 - k) // the first arm on top
			xys := plotter.XYs{{X: pt.x, Y: y}}
			eb, err := plotter.NewXErrorBars(struct {
				plotter.XYs
				plotter.XErrors
			}{xys, plotter.XErrors{{Low: pt.x - pt.lo, High: pt.hi - pt.x}}})
			if err != nil {
				return nil, err
			}
			eb.Color = armColor(pt.arm)
			eb.LineStyle.Width = vg.Points(1.5)
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, err
			}
			sc.Color = armColor(pt.arm)
			sc.Shape = draw.CircleGlyph{}
			p.Add(eb, sc)
			ticks = append(ticks, plot.Tick{Value: y, Label: r.Arms[pt.arm]})
			xs = append(xs, pt.lo, pt.hi)
		}
		lo, hi := slices.Min(xs), slices.Max(xs)
		pad := 0.08 * (hi - lo)
		if pad == 0 {
			pad = 1
		}
		p.X.Min, p.X.Max = lo-pad, hi+pad
		p.Y.Min, p.Y.Max = -0.6, float64(len(pts))-0.4
		zero, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: p.Y.Min}, {X: 0, Y: p.Y.Max}})
		zero.Color = color.Gray{Y: 120}
		zero.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(zero, plotter.NewGrid())
		p.Y.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Tick.Marker = shortTicks{}
		panels = append(panels, p)
	}
	return panels, nil
}

// travelTimePlot draws the distribution (empirical CDF) of travel times
// per arm, pooled over replications.
func travelTimePlot(r *Report) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Travel times (all replications pooled)"
	p.X.Label.Text = "travel time (s)"
	p.Y.Label.Text = "share of trips at most this long"
	ps := make([]float64, 201)
	for i := range ps {
		ps[i] = float64(i) / 200
	}
	any := false
	for ai, a := range r.Arms {
		tt := r.travelTimes[ai]
		if len(tt) == 0 {
			continue
		}
		q := quantiles(tt, ps)
		xys := make(plotter.XYs, len(ps))
		for i := range ps {
			xys[i] = plotter.XY{X: q[i], Y: ps[i]}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color = armColor(ai)
		l.Width = vg.Points(1.5)
		l.Dashes = plotutil.Dashes(ai)
		p.Add(l)
		p.Legend.Add(a, l)
		any = true
	}
	if !any {
		return nil, nil
	}
	p.Add(plotter.NewGrid())
	p.Y.Min, p.Y.Max = 0, 1
	return legendSVG(p, takeLegend(p), 7*vg.Inch, 4*vg.Inch)
}

// takeLegend returns p's legend and leaves p without one, to be drawn
// beside it (legendSVG).
func takeLegend(p *plot.Plot) plot.Legend {
	leg := p.Legend
	p.Legend = plot.NewLegend()
	return leg
}

// seriesPlot draws one time-series quantity per arm, averaged over
// replications.
func seriesPlot(r *Report, title, ylabel string, val func(SeriesRow) float64) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "simulated time (min)"
	p.Y.Label.Text = ylabel
	n := 0
	for ai, a := range r.Arms {
		rows := r.series[ai]
		if len(rows) == 0 {
			continue
		}
		xys := make(plotter.XYs, 0, len(rows))
		for _, row := range rows {
			if v := val(row); !math.IsNaN(v) {
				xys = append(xys, plotter.XY{X: row.End / 60, Y: v})
			}
		}
		if len(xys) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		l.Color, s.Color = armColor(ai), armColor(ai)
		l.Width = vg.Points(1.5)
		l.Dashes = plotutil.Dashes(ai)
		s.Shape = plotutil.Shape(ai)
		p.Add(l, s)
		p.Legend.Add(a, l, s)
		n++
	}
	if n == 0 {
		return nil, nil
	}
	if r.Warmup > 0 {
		p.Title.Text += fmt.Sprintf(" (warm-up until %g min)", r.Warmup/60)
	}
	p.Add(plotter.NewGrid())
	p.Y.Min = min(p.Y.Min, 0)
	return legendSVG(p, takeLegend(p), 7*vg.Inch, 3.5*vg.Inch)
}

// junctionPlot draws grouped bars of the mean delay per vehicle on the
// approaches of the junctions in js, one bar per arm.
func junctionPlot(r *Report, js []junctionRow) ([]byte, error) {
	if len(js) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = "Delay per vehicle on the approaches of the busiest junctions"
	p.Y.Label.Text = "delay per vehicle (s)"
	p.Add(plotter.NewGrid())
	// Bars fill at most 80 % of a junction's share of the data area: the
	// picture less the legend's column and the vertical axis.
	names := plot.NewLegend()
	for _, a := range r.Arms {
		names.Add(a)
	}
	area := 7*vg.Inch - legendWidth(names) - 0.7*vg.Inch
	w := min(vg.Points(14), area*0.8/vg.Length(float64(len(js))*float64(len(r.Arms))))
	var ids []string
	for _, j := range js {
		ids = append(ids, j.ID)
	}
	for ai, a := range r.Arms {
		vals := make(plotter.Values, len(js))
		for i, j := range js {
			vals[i] = j.PerVeh[ai]
			if math.IsNaN(vals[i]) {
				vals[i] = 0
			}
		}
		b, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		b.Color = armColor(ai)
		b.LineStyle.Width = 0
		b.Offset = w * vg.Length(float64(ai)-float64(len(r.Arms)-1)/2)
		p.Add(b)
		p.Legend.Add(a, b)
	}
	p.NominalX(ids...)
	p.X.Min, p.X.Max = -0.7, float64(len(js))-0.3
	p.Y.Min = 0
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	return legendSVG(p, takeLegend(p), 7*vg.Inch, 4*vg.Inch)
}

// mapPlot draws every road of the network coloured by diff (per road;
// NaN means no data), red where the arm adds delay, blue where it saves.
// Each road is drawn slightly to the right of its centre line so that the
// two directions of a street stay apart.
func mapPlot(title string, net *netFile, diff []float64, unit string) ([]byte, error) {
	if net == nil || len(net.Roads) == 0 || len(diff) != len(net.Roads) {
		return nil, nil
	}
	xmin, ymin, xmax, ymax := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range net.Roads {
		for _, q := range r.Geometry {
			xmin, xmax = min(xmin, q[0]), max(xmax, q[0])
			ymin, ymax = min(ymin, q[1]), max(ymax, q[1])
		}
	}
	if !(xmax > xmin) || !(ymax > ymin) {
		return nil, nil
	}
	var abs []float64
	for _, d := range diff {
		if !math.IsNaN(d) && d != 0 {
			abs = append(abs, math.Abs(d))
		}
	}
	scale := 1.0
	if len(abs) > 0 {
		scale = quantiles(abs, []float64{0.95})[0]
		if scale == 0 {
			scale = slices.Max(abs)
		}
	}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-scale)
	cm.SetMax(scale)
	colorOf := func(d float64) color.Color {
		if math.IsNaN(d) {
			return color.Gray{Y: 225}
		}
		c, err := cm.At(max(-scale, min(scale, d)))
		if err != nil {
			return color.Gray{Y: 200}
		}
		return c
	}

	p := plot.New()
	p.Title.Text = title
	p.HideAxes()
	off := 0.004 * max(xmax-xmin, ymax-ymin)
	// Draw small differences first so the large ones lie on top.
	order := make([]int, len(net.Roads))
	for i := range order {
		order[i] = i
	}
	key := func(i int) float64 {
		if math.IsNaN(diff[i]) {
			return -1
		}
		return math.Abs(diff[i])
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ka, kb := key(a), key(b)
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	for _, i := range order {
		g := net.Roads[i].Geometry
		if len(g) < 2 {
			continue
		}
		xys := make(plotter.XYs, len(g))
		for k := range g {
			// Offset each vertex to the right of the road's direction.
			a, b := g[max(k-1, 0)], g[min(k+1, len(g)-1)]
			dx, dy := b[0]-a[0], b[1]-a[1]
			n := math.Hypot(dx, dy)
			if n == 0 {
				n = 1
			}
			xys[k] = plotter.XY{X: g[k][0] + off*dy/n, Y: g[k][1] - off*dx/n}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color = colorOf(diff[i])
		l.Width = vg.Points(1.2)
		if !math.IsNaN(diff[i]) && math.Abs(diff[i]) >= 0.25*scale {
			l.Width = vg.Points(2.2)
		}
		p.Add(l)
	}
	// Legend: five sample colours.
	for _, f := range []float64{1, 0.5, 0, -0.5, -1} {
		l, _ := plotter.NewLine(plotter.XYs{})
		l.Color = colorOf(f * scale)
		l.Width = vg.Points(4)
		label := fmt.Sprintf("%+.3g %s", f*scale, unit)
		if f == 1 {
			label = "≥ " + label
		} else if f == -1 {
			label = "≤ " + label
		} else if f == 0 {
			label = "0"
		}
		p.Legend.Add(label, l)
	}
	leg := takeLegend(p)
	w := 7 * vg.Inch
	h := vg.Length(float64(w) * (ymax - ymin) / (xmax - xmin))
	h = max(min(h, 9*vg.Inch), 3*vg.Inch)
	// Keep the aspect ratio: pad the shorter extent.
	ratio := float64(h) / float64(w)
	cx, cy := (xmin+xmax)/2, (ymin+ymax)/2
	sx, sy := xmax-xmin, ymax-ymin
	if sy/sx < ratio {
		sy = sx * ratio
	} else {
		sx = sy / ratio
	}
	p.X.Min, p.X.Max = cx-sx/2*1.02, cx+sx/2*1.02
	p.Y.Min, p.Y.Max = cy-sy/2*1.02, cy+sy/2*1.02
	// The legend takes a column on the right: widen the picture by it.
	return legendSVG(p, leg, w+legendWidth(leg), h+0.3*vg.Inch)
}
