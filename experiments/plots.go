package experiments

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plots are SVG (gonum/plot's vgsvg, fonts not embedded): text, small,
// and the same bytes for the same data.

func svgOf(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	wt, err := p.WriterTo(w, h, "svg")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func armColor(i int) color.Color { return plotutil.Color(i) }

// effectsPlot draws, for every metric and arm, the relative change to the
// baseline with the confidence interval of the paired difference (both
// divided by the baseline mean).
func effectsPlot(r *Report) ([]byte, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Change against %s, with %g%% confidence intervals", r.Baseline, 100*r.Confidence)
	p.X.Label.Text = "change (%)"
	var ticks []plot.Tick
	y := 0.0
	var xs []float64
	type point struct {
		arm       int
		x, lo, hi float64
		y         float64
	}
	var pts []point
	for mi := len(r.Results) - 1; mi >= 0; mi-- {
		res := r.Results[mi]
		base := res.Estimates[r.baseIdx].Mean
		for di := len(res.Diffs) - 1; di >= 0; di-- {
			d := res.Diffs[di]
			if base == 0 || math.IsNaN(base) || math.IsNaN(d.Mean) {
				continue
			}
			s := 100 / math.Abs(base)
			lo, hi := d.Low*s, d.High*s
			if math.IsNaN(lo) {
				lo, hi = d.Mean*s, d.Mean*s
			}
			pts = append(pts, point{slices.Index(r.Arms, d.Arm), d.Mean * s, lo, hi, y})
			label := res.Metric.Name
			if len(res.Diffs) > 1 {
				label += " · " + d.Arm
			}
			ticks = append(ticks, plot.Tick{Value: y, Label: label})
			xs = append(xs, lo, hi)
			y++
		}
		y += 0.5
	}
	if len(pts) == 0 {
		return nil, nil
	}
	for ai := range r.Arms {
		var xys plotter.XYs
		var errs plotter.XErrors
		for _, pt := range pts {
			if pt.arm == ai {
				xys = append(xys, plotter.XY{X: pt.x, Y: pt.y})
				errs = append(errs, struct{ Low, High float64 }{pt.x - pt.lo, pt.hi - pt.x})
			}
		}
		if len(xys) == 0 {
			continue
		}
		eb, err := plotter.NewXErrorBars(struct {
			plotter.XYs
			plotter.XErrors
		}{xys, errs})
		if err != nil {
			return nil, err
		}
		eb.Color = armColor(ai)
		eb.LineStyle.Width = vg.Points(1.5)
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		sc.Color = armColor(ai)
		sc.Shape = draw.CircleGlyph{}
		p.Add(eb, sc)
		p.Legend.Add(r.Arms[ai], sc)
	}
	lo, hi := slices.Min(xs), slices.Max(xs)
	lo, hi = min(lo, 0), max(hi, 0)
	pad := 0.05 * (hi - lo)
	if pad == 0 {
		pad = 1
	}
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.Y.Min, p.Y.Max = -0.75, y-0.25+0.3*float64(len(r.Arms)-1) // room above for the legend
	vline, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: p.Y.Min}, {X: 0, Y: p.Y.Max}})
	vline.Color = color.Gray{Y: 120}
	vline.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(vline)
	p.Add(plotter.NewGrid())
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Legend.Top = true
	h := vg.Length(1.2+0.28*float64(len(ticks))) * vg.Inch
	return svgOf(p, 7*vg.Inch, max(h, 2.5*vg.Inch))
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
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.YOffs = vg.Points(-60)
	p.Y.Min, p.Y.Max = 0, 1
	return svgOf(p, 7*vg.Inch, 4*vg.Inch)
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
	p.Legend.Top = true
	p.Y.Min = min(p.Y.Min, 0)
	return svgOf(p, 7*vg.Inch, 3.5*vg.Inch)
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
	w := vg.Points(min(14, 60/float64(len(r.Arms))))
	var names []string
	for _, j := range js {
		names = append(names, j.ID)
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
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(60)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.7, float64(len(js))-0.3
	p.Y.Min = 0
	p.Y.Max *= 1.2 // room for the legend
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Add(plotter.NewGrid())
	return svgOf(p, 7*vg.Inch, 4*vg.Inch)
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
	p.Legend.Top = true
	p.Legend.Left = false
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
	// A band above the network for the legend.
	const band = 0.22
	p.X.Min, p.X.Max = cx-sx/2*1.02, cx+sx/2*1.02
	p.Y.Min, p.Y.Max = cy-sy/2*1.02, cy+sy/2*1.02+band*sy
	return svgOf(p, w, vg.Length(float64(h)*(1+band))+0.3*vg.Inch)
}
