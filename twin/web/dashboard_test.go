package web_test

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/twin"
)

// TestDashboard drives the dashboard in a real headless Chromium against
// a running `citytwin serve` of a 3×3 signalised grid: the page loads
// without a console error or CSP violation; its pixels show vehicles where
// the engine says they are, in the renderer's speed colour, and red and
// green stop lines where the signals are red and green; clicking a road
// with the close tool closes it and the API then reports it closed (and a
// second click reopens it); a junction's policy changed from its panel
// changes in the API; a shadow comparison started from the page shows the
// result the API reports.
func TestDashboard(t *testing.T) {
	chromiumPath(t)
	s := serve(t, nil, "-pace", "4", "testdata/dash.toml")
	ctx := newBrowser(t, 1400, 900)
	log := listen(t, ctx)
	do(t, ctx, 30*time.Second, chromedp.Navigate(s.base+"/"))
	waitJS(t, ctx, 30*time.Second, "window.citytwin && window.citytwin.ready && window.citytwin.frame.running > 20")

	var net twin.NetworkInfo
	s.must("GET", "/v1/network", nil, &net)
	var scene twin.SceneInfo
	s.must("GET", "/v1/scene", nil, &scene)

	t.Run("pixels", func(t *testing.T) {
		// Paused, the page's last frame is the engine's state.
		var st twin.Status
		s.must("POST", "/v1/pause", struct{}{}, &st)
		s.must("GET", "/v1/status", nil, &st)
		waitJS(t, ctx, 10*time.Second, fmt.Sprintf("window.citytwin.frame.paused && window.citytwin.frame.step === %d", st.Step))
		checkVehicles(t, ctx, s, &net, &scene)
		checkStopLines(t, ctx, s, &scene)
	})

	t.Run("select", func(t *testing.T) {
		checkSelectVehicle(t, ctx, s)
		// Commands apply before a step: let the twin run.
		s.must("POST", "/v1/resume", struct{}{}, nil)
		checkJunctionPolicy(t, ctx, s, &scene)
	})

	t.Run("close-road", func(t *testing.T) {
		waitJS(t, ctx, 10*time.Second, "!window.citytwin.frame.paused")
		checkCloseRoad(t, ctx, s, &net, &scene)
	})

	t.Run("shadow", func(t *testing.T) {
		checkShadow(t, ctx, s)
	})

	if p := log.problems(); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
	urls, _ := log.snapshot()
	for _, u := range urls {
		if !strings.HasPrefix(u, s.base) && !strings.HasPrefix(u, "ws://"+strings.TrimPrefix(s.base, "http://")) {
			t.Errorf("the page asked for %s, not its twin", u)
		}
	}
	t.Logf("frames received %v", eval[map[string]any](t, ctx, "window.citytwin.stats"))
}

// checkVehicles compares the pixels under a few vehicles with where and
// how fast the engine says they are.
func checkVehicles(t *testing.T, ctx context.Context, s *served, net *twin.NetworkInfo, scene *twin.SceneInfo) {
	var obs twin.Observation
	s.must("GET", "/v1/vehicles", nil, &obs)
	vtypes := map[string]twin.SceneVType{}
	for _, vt := range scene.VTypes {
		vtypes[vt.ID] = vt
	}
	checked := 0
	for _, v := range obs.Vehicles {
		if v.Lane < 0 || checked == 3 {
			continue
		}
		var d twin.VehicleDetail
		s.must("GET", fmt.Sprintf("/v1/vehicles/%d", v.Index), nil, &d)
		vt := vtypes[d.VType]
		lane := roadLane(t, net, v.Road, v.Lane)
		want := render.SpeedColor(v.Speed / scene.Lanes[lane].Speed)
		// The middle of the vehicle: its front centre less half its length.
		cx, cy := v.X-math.Cos(v.Heading)*vt.Length/2, v.Y-math.Sin(v.Heading)*vt.Length/2
		// Zoomed in (canvas paths) and out (the pixel buffer).
		for _, scale := range []float64{8, 1.5} {
			eval[bool](t, ctx, fmt.Sprintf("(window.citytwin.setView(%g, %g, %g), %s)", cx, cy, scale, nextPaint))
			img := screenshot(t, ctx)
			pv := view(t, ctx)
			px, py := pv.pixel(cx, cy)
			got := colorAt(img, px, py)
			if scale < 2 {
				got = rgba(img.At(int(px), int(py)))
			}
			if !near(got, want, 3) {
				t.Errorf("vehicle %d (%s, %.1f m/s of %.1f) at (%.1f, %.1f) m, %g px/m: pixel (%.0f, %.0f) is %v, want its speed colour %v",
					v.Index, d.VType, v.Speed, scene.Lanes[lane].Speed, cx, cy, scale, px, py, got, want)
			}
			// Beside it, across the road's edge, is no vehicle colour.
			sx, sy := pv.pixel(cx-math.Sin(v.Heading)*40, cy+math.Cos(v.Heading)*40)
			if side := colorAt(img, sx, sy); near(side, want, 3) {
				t.Errorf("vehicle %d: 40 m to its side the pixel is its colour too (%v)", v.Index, side)
			}
		}
		checked++
	}
	if checked < 3 {
		t.Fatalf("only %d vehicles on lanes to check", checked)
	}
}

// roadLane returns the lane id of lane index i of road id.
func roadLane(t testing.TB, net *twin.NetworkInfo, road string, i int) int {
	for _, r := range net.Roads {
		if r.ID == road && i < len(r.Lanes) {
			return r.Lanes[i]
		}
	}
	t.Fatalf("no lane %d of road %s", i, road)
	return 0
}

// checkStopLines finds a red and a green stop line on empty lanes and
// compares their pixels with the signal colours.
func checkStopLines(t *testing.T, ctx context.Context, s *served, scene *twin.SceneInfo) {
	var obs twin.Observation
	s.must("GET", "/v1/observe?include=lanes,junctions", nil, &obs)
	light := map[int]string{} // by movement
	for _, j := range obs.Junctions {
		var d twin.JunctionDetail
		s.must("GET", "/v1/junctions/"+j.ID, nil, &d)
		for _, m := range d.Movements {
			light[m.Movement] = m.Light
		}
	}
	want := map[string]color.RGBA{"r": render.LightColor(signal.Red), "G": render.LightColor(signal.Green)}
	found := map[string]int{}
	for _, b := range scene.Bars {
		l := light[b.Movement]
		if _, ok := want[l]; !ok || found[l] >= 2 || obs.Lanes[b.Lane].Vehicles > 0 {
			continue
		}
		// The middle of the bar, which reaches 2 m back into its lane.
		p := b.Pts
		mx, my := (p[0]+p[2])/2-p[4]*render.BarDepth/2, (p[1]+p[3])/2-p[5]*render.BarDepth/2
		for _, scale := range []float64{10, 1.5} {
			eval[bool](t, ctx, fmt.Sprintf("(window.citytwin.setView(%g, %g, %g), %s)", mx, my, scale, nextPaint))
			img := screenshot(t, ctx)
			px, py := view(t, ctx).pixel(mx, my)
			got := colorAt(img, px, py)
			if scale < 2 {
				got = rgba(img.At(int(px), int(py)))
			}
			if !near(got, want[l], 3) {
				t.Errorf("stop line of movement %d on lane %d (light %s), %g px/m: pixel (%.0f, %.0f) is %v, want %v",
					b.Movement, b.Lane, l, scale, px, py, got, want[l])
			}
		}
		found[l]++
	}
	if found["r"] == 0 || found["G"] == 0 {
		t.Fatalf("found %d red and %d green stop lines on empty lanes to check", found["r"], found["G"])
	}
}

// checkSelectVehicle clicks a vehicle and expects its panel.
func checkSelectVehicle(t *testing.T, ctx context.Context, s *served) {
	var obs twin.Observation
	s.must("GET", "/v1/vehicles", nil, &obs)
	var scene twin.SceneInfo
	s.must("GET", "/v1/scene", nil, &scene)
	for _, v := range obs.Vehicles {
		if v.Lane < 0 {
			continue
		}
		var d twin.VehicleDetail
		s.must("GET", fmt.Sprintf("/v1/vehicles/%d", v.Index), nil, &d)
		eval[bool](t, ctx, fmt.Sprintf("(window.citytwin.setView(%g, %g, 6), %s)", v.X, v.Y, nextPaint))
		pv := view(t, ctx)
		px, py := pv.pixel(v.X-math.Cos(v.Heading)*2, v.Y-math.Sin(v.Heading)*2)
		do(t, ctx, 10*time.Second, chromedp.MouseClickXY(px, py))
		waitJS(t, ctx, 10*time.Second, fmt.Sprintf("document.getElementById('sel-title').textContent === %q", "Vehicle "+d.ID))
		route := eval[string](t, ctx, "document.querySelector('.route').textContent")
		if !strings.Contains(route, strings.Join(d.Route, "")) {
			t.Errorf("the vehicle panel shows route %q, the API %v", route, d.Route)
		}
		return
	}
	t.Fatal("no vehicle on a lane to click")
}

// checkJunctionPolicy clicks a signalised junction and switches its policy
// from its panel.
func checkJunctionPolicy(t *testing.T, ctx context.Context, s *served, scene *twin.SceneInfo) {
	for _, j := range scene.Junctions {
		if !j.Signalised {
			continue
		}
		clickJunction(t, ctx, j, 5)
		waitJS(t, ctx, 10*time.Second, "document.getElementById('policy-select')")
		eval[bool](t, ctx, `(() => { const s = document.getElementById('policy-select'); s.value = 'max_pressure'; return true; })()`)
		do(t, ctx, 10*time.Second, chromedp.Click(chromedp.ID("policy-apply")))
		deadline := time.Now().Add(15 * time.Second)
		for {
			var d twin.JunctionDetail
			s.must("GET", "/v1/junctions/"+j.ID, nil, &d)
			if d.Signal != nil && d.Signal.Policy == "max_pressure" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("junction %s: policy %q after switching it from the page", j.ID, d.Signal.Policy)
			}
			time.Sleep(200 * time.Millisecond)
		}
		waitJS(t, ctx, 10*time.Second, "document.getElementById('junction-policy').textContent === 'max_pressure'")
		return
	}
	t.Fatal("no signalised junction")
}

// clickJunction clicks points of junction j's area, at scale px per m,
// until the junction (not a vehicle on it) is selected.
func clickJunction(t testing.TB, ctx context.Context, j twin.SceneJunction, scale float64) {
	t.Helper()
	cx, cy := centroid(j.Pts)
	for k := 0; k+1 < len(j.Pts); k += 2 {
		x, y := cx+(j.Pts[k]-cx)*0.6, cy+(j.Pts[k+1]-cy)*0.6
		eval[bool](t, ctx, fmt.Sprintf("(window.citytwin.setView(%g, %g, %g), %s)", x, y, scale, nextPaint))
		px, py := view(t, ctx).pixel(x, y)
		do(t, ctx, 10*time.Second, chromedp.MouseClickXY(px, py))
		time.Sleep(300 * time.Millisecond)
		if eval[bool](t, ctx, fmt.Sprintf("document.getElementById('sel-title').textContent === %q", "Junction "+j.ID)) {
			return
		}
	}
	t.Fatalf("clicking junction %s did not select it", j.ID)
}

func centroid(p []float64) (float64, float64) {
	var x, y float64
	n := float64(len(p) / 2)
	for k := 0; k+1 < len(p); k += 2 {
		x += p[k]
		y += p[k+1]
	}
	return x / n, y / n
}

// checkCloseRoad closes a road by clicking it with the close tool, then
// reopens it.
func checkCloseRoad(t *testing.T, ctx context.Context, s *served, net *twin.NetworkInfo, scene *twin.SceneInfo) {
	// An interior road (between two junctions), away from the edge.
	var road twin.RoadInfo
	for _, r := range net.Roads {
		if !r.Entry && !r.Exit && len(r.Lanes) == 2 {
			road = r
			break
		}
	}
	if road.ID == "" {
		t.Fatal("no interior road")
	}
	closed := func() []bool {
		var obs twin.Observation
		s.must("GET", "/v1/lanes", nil, &obs)
		var out []bool
		for _, l := range road.Lanes {
			out = append(out, obs.Lanes[l].Closed)
		}
		return out
	}
	if slices.Contains(closed(), true) {
		t.Fatalf("road %s is closed before the test", road.ID)
	}
	do(t, ctx, 10*time.Second, chromedp.Click(chromedp.ID("tool-close")))
	for _, want := range []bool{true, false} {
		// Click the middle of its outer lane.
		pt := eval[[]float64](t, ctx, fmt.Sprintf("window.citytwin.lanePoint(%d)", road.Lanes[1]))
		eval[bool](t, ctx, fmt.Sprintf("(window.citytwin.setView(%g, %g, 4), %s)", pt[0], pt[1], nextPaint))
		px, py := view(t, ctx).pixel(pt[0], pt[1])
		do(t, ctx, 10*time.Second, chromedp.MouseClickXY(px, py))
		deadline := time.Now().Add(15 * time.Second)
		for {
			c := closed()
			if !slices.Contains(c, !want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("road %s: lanes closed %v after clicking it (want all %v)", road.ID, c, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
		// The page draws it so (after its next look at the lanes).
		waitJS(t, ctx, 15*time.Second, fmt.Sprintf("window.citytwin.closed(%d) === %v", road.Lanes[0], want))
	}
	do(t, ctx, 10*time.Second, chromedp.Click(chromedp.ID("tool-select")))
}

// checkShadow starts a shadow comparison from the page and compares what
// it shows with the API's result.
func checkShadow(t *testing.T, ctx context.Context, s *served) {
	eval[bool](t, ctx, `(() => { document.getElementById('shadow-horizon').value = '120';
		document.getElementById('shadow-policy').value = 'max_pressure';
		document.getElementById('shadow-scope').value = 'all'; return true; })()`)
	do(t, ctx, 10*time.Second, chromedp.Click(chromedp.ID("shadow-start")))
	waitJS(t, ctx, 90*time.Second, "document.getElementById('shadow-result').dataset.status === 'done'")
	id := eval[string](t, ctx, "document.getElementById('shadow-result').dataset.id")
	var res twin.ShadowResult
	s.must("GET", "/v1/shadow/"+id, nil, &res)
	if res.Status != "done" || res.Request.Policy != "max_pressure" || res.To-res.From != 120 {
		t.Fatalf("shadow %s: %+v", id, res)
	}
	// The page rounds as JavaScript does (half away from zero): compare
	// within half a unit of the last digit shown.
	summary := eval[string](t, ctx, "document.getElementById('shadow-summary').textContent")
	m := regexp.MustCompile(`delay ([-+]?[0-9.,]+) %`).FindStringSubmatch(summary)
	if m == nil || math.Abs(number(m[1])-res.DelayChange) > 0.05+1e-9 {
		t.Errorf("the page says %q; the API's delay change is %.3f %%", summary, res.DelayChange)
	}
	cells := eval[[]string](t, ctx, "[...document.querySelectorAll('#shadow-result table.compare tr:nth-child(2) td')].map(td => td.textContent)")
	if len(cells) < 3 || math.Abs(number(cells[1])-res.Baseline.TotalDelay) > 0.5+1e-9 || math.Abs(number(cells[2])-res.Candidate.TotalDelay) > 0.5+1e-9 {
		t.Errorf("delay row %q, want baseline %.1f and candidate %.1f", cells, res.Baseline.TotalDelay, res.Candidate.TotalDelay)
	}
	t.Logf("shadow %s from the page: %s", id, summary)
}

// number parses a number as the page shows it (with thousands commas).
func number(s string) float64 {
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimPrefix(s, "+"), ",", ""), 64)
	if err != nil {
		return math.NaN()
	}
	return v
}
