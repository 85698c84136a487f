package web_test

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/citytwin/citytwin/scenarios"
	"github.com/citytwin/citytwin/twin"
)

// TestMeasure measures the dashboard in headless Chromium on a 20×20 grid
// (testdata/measure.toml): frames per second drawn, draw time and bytes per
// frame with 10,000 and 50,000 vehicles on screen, and the twin's step
// rate, flat out, with 1 and with 20 pages open. It runs only with
// CITYTWIN_WEB_MEASURE=1, takes some minutes, and prints the figures of
// docs/live.md:
//
//	CITYTWIN_WEB_MEASURE=1 go test ./twin/web -run TestMeasure -v -timeout 60m
//
// The engine runs with one worker. For the step rate with 20 pages, the 19
// pages besides the first receive and decode every frame of their stream
// but do not draw it: in a control room each browser runs on its own
// machine, and here their drawing would take the engine's processors
// (the first page draws, as it does for the frame rates). The twin runs
// in this process (the handler of `citytwin serve`) with 64 streams
// allowed per client, since all the pages come from one address here.
// CITYTWIN_WEB_BROWSER_CPUS=1 runs the browser on CPU 1 only (taskset).
func TestMeasure(t *testing.T) {
	if os.Getenv("CITYTWIN_WEB_MEASURE") == "" {
		t.Skip("set CITYTWIN_WEB_MEASURE=1 to measure the dashboard (minutes)")
	}
	exe := chromiumPath(t)
	var extra []chromedp.ExecAllocatorOption
	if cpus := os.Getenv("CITYTWIN_WEB_BROWSER_CPUS"); cpus != "" {
		wrapper := filepath.Join(t.TempDir(), "chromium")
		script := fmt.Sprintf("#!/bin/sh\nexec taskset -c %s %s \"$@\"\n", cpus, exe)
		if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		extra = append(extra, chromedp.ExecPath(wrapper))
	}
	sc, err := scenarios.Load("testdata/measure.toml")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	run, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	tw, err := twin.New(run, twin.Options{Pace: -1, Until: -1, CheckpointEvery: -1, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built %d trips on %d lanes in %.1f s", len(run.Trips), len(run.Network.Lanes), time.Since(start).Seconds())
	tctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tw.Run(tctx) }()
	srv := httptest.NewServer(tw.Handler(twin.ServerOptions{MaxStreamsPerClient: 64}))
	defer func() {
		srv.Close()
		cancel()
		<-done
	}()
	status := func() twin.Status {
		st, err := tw.Status(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	pace := func(p float64) {
		if err := tw.SetPace(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	until := func(running int64) {
		tw.Resume(context.Background())
		pace(0)
		for status().Counts.Running < running {
			time.Sleep(200 * time.Millisecond)
		}
	}

	ctx := newBrowser(t, 1400, 900, extra...)
	open := func(ctx context.Context, rate int) {
		start := time.Now()
		do(t, ctx, 60*time.Second, chromedp.EmulateViewport(1400, 900), chromedp.Navigate(srv.URL+"/"))
		for !eval[bool](t, ctx, "!!(window.citytwin && window.citytwin.ready)") {
			if time.Since(start) > 2*time.Minute {
				t.Fatalf("page not ready after 2 min: %s", eval[string](t, ctx,
					"JSON.stringify({conn: document.getElementById('conn').textContent, sel: document.getElementById('sel-body').textContent, stats: window.citytwin && window.citytwin.stats})"))
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Logf("page ready in %.1f s", time.Since(start).Seconds())
		eval[bool](t, ctx, fmt.Sprintf("(window.citytwin.setRate(%d), true)", rate))
	}
	open(ctx, 30)
	// 19 more pages, each in a browser of its own (as on 19 other
	// machines), opened now while the network is nearly empty, their
	// streams off until the step-rate windows with 20 pages.
	var tabs []context.Context
	for range 19 {
		tctx := newBrowser(t, 1400, 900, extra...)
		open(tctx, 10)
		eval[bool](t, tctx, "(window.citytwin.setDrawing(false), window.citytwin.setRate(0), true)")
		tabs = append(tabs, tctx)
	}
	type pageStats struct {
		Received, Drawn, Bytes float64
		DrawMs                 float64 `json:"drawMs"`
		BarsMs                 float64 `json:"barsMs"`
		VehiclesMs             float64 `json:"vehiclesMs"`
		Shown                  float64
	}
	stats := func(ctx context.Context) pageStats { return eval[pageStats](t, ctx, "window.citytwin.stats") }

	// Frames per second with n vehicles on screen, the whole network in
	// view: following the stream (30 frames per second asked, the twin at
	// pace 30), then redrawing the same frame at every animation frame
	// with the twin paused (how fast the page can draw).
	type row struct {
		running                  [2]int64
		received, drawn, bytes   float64
		steps, redrawFPS, drawMs float64
		shown                    float64
	}
	fpsAt := func(n int64) row {
		until(n)
		pace(30)
		time.Sleep(3 * time.Second)
		a, st0, t0 := stats(ctx), status(), time.Now()
		time.Sleep(10 * time.Second)
		b, st1, t1 := stats(ctx), status(), time.Now()
		dt := t1.Sub(t0).Seconds()
		r := row{running: [2]int64{st0.Counts.Running, st1.Counts.Running}, received: (b.Received - a.Received) / dt,
			drawn: (b.Drawn - a.Drawn) / dt, bytes: (b.Bytes - a.Bytes) / math.Max(b.Received-a.Received, 1),
			steps: float64(st1.Step-st0.Step) / dt}
		t.Logf("per frame drawn: stop lines %.1f ms, vehicles %.1f ms", (b.BarsMs-a.BarsMs)/math.Max(b.Drawn-a.Drawn, 1),
			(b.VehiclesMs-a.VehiclesMs)/math.Max(b.Drawn-a.Drawn, 1))
		if err := tw.Pause(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		rd := eval[struct {
			FPS    float64 `json:"fps"`
			DrawMs float64 `json:"drawMs"`
			Shown  float64 `json:"shown"`
		}](t, ctx, "window.citytwin.redraw(5000)")
		r.redrawFPS, r.drawMs, r.shown = rd.FPS, rd.DrawMs, rd.Shown
		if err := tw.Resume(context.Background()); err != nil {
			t.Fatal(err)
		}
		if r.shown < float64(n)*0.95 {
			t.Errorf("only %.0f vehicles on screen", r.shown)
		}
		return r
	}
	var rows []row
	rows = append(rows, fpsAt(10000))

	// The twin's step rate, flat out, with 1 and with 20 pages open at 10
	// frames per second each; windows alternate so that the growth of the
	// traffic cancels out.
	pace(0)
	eval[bool](t, ctx, "(window.citytwin.setRate(10), true)")
	window := func() (float64, int64) {
		time.Sleep(2 * time.Second)
		s0, t0 := status(), time.Now()
		time.Sleep(10 * time.Second)
		s1, t1 := status(), time.Now()
		return float64(s1.Step-s0.Step) / t1.Sub(t0).Seconds(), s1.Counts.Running
	}
	var one, twenty []float64
	var pages strings.Builder
	pages.WriteString("\n| pages | twin steps/s | running at the end | frames/s each page received |\n|---|---|---|---|\n")
	for round := range 3 {
		a := stats(ctx)
		r, n := window()
		one = append(one, r)
		fmt.Fprintf(&pages, "| 1 | %.1f | %s | %.1f |\n", r, thousands(float64(n)), (stats(ctx).Received-a.Received)/12)
		if round == 2 {
			break
		}
		for _, tctx := range tabs {
			eval[bool](t, tctx, "(window.citytwin.setRate(10), true)")
		}
		all := append(slices.Clone(tabs), ctx)
		var before []float64
		for _, tctx := range all {
			before = append(before, stats(tctx).Received)
		}
		r, n = window()
		twenty = append(twenty, r)
		var got []float64
		for i, tctx := range all {
			got = append(got, (stats(tctx).Received-before[i])/12)
		}
		sort.Float64s(got)
		fmt.Fprintf(&pages, "| 20 | %.1f | %s | %.1f to %.1f |\n", r, thousands(float64(n)), got[0], got[len(got)-1])
		for _, tctx := range tabs {
			eval[bool](t, tctx, "(window.citytwin.setRate(0), true)")
		}
	}
	eval[bool](t, ctx, "(window.citytwin.setRate(30), true)")
	rows = append(rows, fpsAt(50000))
	fmt.Printf("\n| vehicles on screen | stream: frames/s received | drawn | bytes per frame | twin steps/s | redraw: frames/s | script per draw |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Printf("| %s–%s | %.1f | %.1f | %s | %.1f | %.1f | %.1f ms |\n", thousands(float64(r.running[0])), thousands(float64(r.running[1])),
			r.received, r.drawn, thousands(r.bytes), r.steps, r.redrawFPS, r.drawMs)
	}
	fmt.Print(pages.String())
	mean := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s / float64(len(x))
	}
	drop := 100 * (1 - mean(twenty)/mean(one))
	fmt.Printf("\nstep rate: %.1f steps/s with 1 page, %.1f with 20 (%.1f %% lower)\n", mean(one), mean(twenty), drop)
	if drop > 10 {
		t.Errorf("the step rate drops by %.1f %% with 20 pages open", drop)
	}
}

// thousands formats a number with thousands separators, no decimals.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
