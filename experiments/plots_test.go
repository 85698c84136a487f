package experiments

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// plotExp is a three-arm experiment whose metrics differ in scale: the
// travel times change by tens of per cent, the unfinished trips of a
// saturated arm by far more, as in issue 18's report.
const plotExp = `scenario = "grid.toml"
replications = 3
metrics = ["mean_travel_time", "mean_delay", "throughput", "unfinished"]
[arms.base]
[arms.half]
demand.scale = 0.5
[arms.slow]
"vtypes[0]".accel = 1.2
`

// TestEffectsPanels checks that every metric of the effects plot has a
// panel of its own whose scale its data fill (issue 18: one axis scaled to
// ±300 % by the unfinished trips squashed the −20 … −65 % effects of the
// other metrics into a few per cent of the width).
func TestEffectsPanels(t *testing.T) {
	_, r := runExp(t, plotExp, t.TempDir(), Options{})
	panels, err := effectPanels(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(panels) != len(r.Results) {
		t.Fatalf("%d panels for %d metrics", len(panels), len(r.Results))
	}
	for i, p := range panels {
		res := r.Results[i]
		if !strings.HasPrefix(p.Title.Text, res.Metric.Label) {
			t.Errorf("panel %d is titled %q, want the metric %q", i, p.Title.Text, res.Metric.Label)
		}
		// The data (the intervals and 0) span most of the axis.
		lo, hi := 0.0, 0.0
		base := res.Estimates[r.baseIdx].Mean
		s := 1.0
		if base != 0 {
			s = 100 / math.Abs(base)
		}
		for _, d := range res.Diffs {
			for _, x := range []float64{d.Low, d.High, d.Mean} {
				if !math.IsNaN(x) {
					lo, hi = min(lo, x*s), max(hi, x*s)
				}
			}
		}
		if span := p.X.Max - p.X.Min; hi > lo && (hi-lo)/span < 0.8 {
			t.Errorf("%s: data [%g, %g] fill %.0f%% of the axis [%g, %g], want at least 80%%",
				res.Metric.Name, lo, hi, 100*(hi-lo)/span, p.X.Min, p.X.Max)
		}
		if hasLegend(p) {
			t.Errorf("%s: the panel has a legend; arms are named on its axis", res.Metric.Name)
		}
	}
}

// TestLegendsOutside checks that the report's plots draw their legends in
// a column beside the data, never over it, and that no legend label is
// cut at the picture's edge (issue 18: legends overlapped the plots, the
// map labels "veh·h" were clipped).
func TestLegendsOutside(t *testing.T) {
	dir := t.TempDir()
	_, r := runExp(t, plotExp, dir, Options{})
	labels := map[string][]string{
		"travel-times.svg": r.Arms,
		"running.svg":      r.Arms,
		"junctions.svg":    r.Arms,
		"map-half.svg":     {"veh·h"},
	}
	for name, want := range labels {
		data, err := os.ReadFile(filepath.Join(dir, "plots", name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		svg := string(data)
		width, plotW := svgWidths(t, svg)
		found := 0
		for _, tx := range svgTexts(svg) {
			if !containsAny(tx.s, want) {
				continue
			}
			found++
			if tx.x < plotW {
				t.Errorf("%s: legend label %q at x = %g, inside the plot (%g wide)", name, tx.s, tx.x, plotW)
			}
			// The label's width in the legend's font, as gonum measures it.
			r := plot.NewLegend().TextStyle.Rectangle(tx.s)
			if end := tx.x + float64(r.Max.X-r.Min.X); end > width {
				t.Errorf("%s: legend label %q ends at about x = %g, beyond the picture's %g", name, tx.s, end, width)
			}
		}
		if found < len(want) {
			t.Errorf("%s: found %d legend labels of %q", name, found, want)
		}
	}
}

type svgText struct {
	x float64
	s string
}

var (
	textRe = regexp.MustCompile(`(?s)<text x="([-0-9.]+)"[^>]*>([^<]*)</text>`)
	rectRe = regexp.MustCompile(`<path d="M0,0L([0-9.]+),0L[0-9.]+,[0-9.]+L0,[0-9.]+Z" style="fill:#FFFFFF"`)
	viewRe = regexp.MustCompile(`viewBox="0 0 ([0-9.]+) ([0-9.]+)"`)
)

// svgTexts returns the text elements of a gonum/plot SVG.
func svgTexts(svg string) []svgText {
	var out []svgText
	for _, m := range textRe.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		out = append(out, svgText{x, m[2]})
	}
	return out
}

// svgWidths returns the width of the picture and that of the plot's
// white background: the last full-height white rectangle (a picture with
// a legend column is first filled white as a whole).
func svgWidths(t *testing.T, svg string) (width, plotW float64) {
	t.Helper()
	v := viewRe.FindStringSubmatch(svg)
	rects := rectRe.FindAllStringSubmatch(svg, -1)
	if v == nil || len(rects) == 0 {
		t.Fatalf("no viewBox or no plot background in %.200s", svg)
	}
	width, _ = strconv.ParseFloat(v[1], 64)
	plotW, _ = strconv.ParseFloat(rects[len(rects)-1][1], 64)
	return width, plotW
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// hasLegend reports whether p's legend has entries (gonum does not
// export them; an empty legend has no height).
func hasLegend(p *plot.Plot) bool {
	r := p.Legend.Rectangle(draw.New(vgsvg.New(vg.Inch, vg.Inch)))
	return r.Max.Y > r.Min.Y
}
