package web_test

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/citytwin/citytwin/scenarios"
	"github.com/citytwin/citytwin/twin"
)

// TestMeasure measures the dashboard in headless Chromium on a 20×20 grid
// (testdata/measure.toml): frames per second and draw time with 10,000
// and 50,000 vehicles on screen (the page redrawing its frame with the
// twin paused: how fast it can draw them), and following the stream (the
// twin at pace 30) with the bytes per frame. Each figure is the median of
// three windows, printed with the machine's load average. It runs only
// with CITYTWIN_WEB_MEASURE=1, takes some minutes, and prints the table
// of docs/live.md:
//
//	CITYTWIN_WEB_MEASURE=1 CITYTWIN_WEB_BROWSER_CPUS=1 taskset -c 0 go test ./twin/web -run 'TestMeasure$' -v -timeout 60m
//
// The twin (this process: the handler of `citytwin serve`, its hub and
// the engine with one worker) runs on CPU 0 and the browser on CPU 1
// (CITYTWIN_WEB_BROWSER_CPUS, taskset in a wrapper script), as in a
// control room, where the browsers run on other machines. What 20 viewers
// cost the twin is TestMeasureStreams.
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
		load                     string
	}
	fpsAt := func(n int64) row {
		var r row
		var received, drawn, size, steps, redraw, drawMs []float64
		// Redraws first, with the twin paused as soon as n vehicles run.
		until(n)
		if err := tw.Pause(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		for range 3 {
			rd := eval[struct {
				FPS    float64 `json:"fps"`
				DrawMs float64 `json:"drawMs"`
				Shown  float64 `json:"shown"`
			}](t, ctx, "window.citytwin.redraw(3000)")
			redraw, drawMs = append(redraw, rd.FPS), append(drawMs, rd.DrawMs)
			r.shown = rd.Shown
			t.Logf("redraw of %.0f vehicles, load %s: %.1f frames/s, script %.1f ms per draw", rd.Shown, loadavg(), rd.FPS, rd.DrawMs)
		}
		if r.shown < float64(n)*0.95 {
			t.Errorf("only %.0f vehicles on screen", r.shown)
		}
		// Then three windows of the stream, the twin at pace 30 (the
		// traffic grows meanwhile).
		if err := tw.Resume(context.Background()); err != nil {
			t.Fatal(err)
		}
		pace(30)
		time.Sleep(time.Second)
		for k := range 3 {
			a, st0, t0 := stats(ctx), status(), time.Now()
			time.Sleep(4 * time.Second)
			b, st1, t1 := stats(ctx), status(), time.Now()
			dt := t1.Sub(t0).Seconds()
			if k == 0 {
				r.running[0] = st0.Counts.Running
			}
			r.running[1] = st1.Counts.Running
			received = append(received, (b.Received-a.Received)/dt)
			drawn = append(drawn, (b.Drawn-a.Drawn)/dt)
			size = append(size, (b.Bytes-a.Bytes)/math.Max(b.Received-a.Received, 1))
			steps = append(steps, float64(st1.Step-st0.Step)/dt)
			t.Logf("%d vehicles, load %s: received %.1f, drawn %.1f frames/s; per frame drawn: stop lines %.1f ms, vehicles %.1f ms",
				st1.Counts.Running, loadavg(), received[k], drawn[k], (b.BarsMs-a.BarsMs)/math.Max(b.Drawn-a.Drawn, 1),
				(b.VehiclesMs-a.VehiclesMs)/math.Max(b.Drawn-a.Drawn, 1))
		}
		r.received, r.drawn, r.bytes, r.steps = median(received), median(drawn), median(size), median(steps)
		r.redrawFPS, r.drawMs, r.load = median(redraw), median(drawMs), loadavg()
		return r
	}
	var rows []row
	rows = append(rows, fpsAt(10000))
	rows = append(rows, fpsAt(50000))
	fmt.Printf("\n| vehicles on screen | redraw: frames/s | script per draw | stream: vehicles | frames/s received | drawn | bytes per frame | twin steps/s | load average |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Printf("| %s | %.1f | %.1f ms | %s–%s | %.1f | %.1f | %s | %.1f | %s |\n", thousands(r.shown), r.redrawFPS, r.drawMs,
			thousands(float64(r.running[0])), thousands(float64(r.running[1])), r.received, r.drawn, thousands(r.bytes), r.steps, r.load)
	}
}

// cpuTime returns the processor time this process used so far (user and
// system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// median returns the median of x (0 for none).
func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(x))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func fmtList(x []float64) string {
	var parts []string
	for _, v := range x {
		parts = append(parts, strconv.FormatFloat(v, 'f', 1, 64))
	}
	return strings.Join(parts, ", ")
}

// loadavg returns the machine's load averages over 1, 5 and 15 minutes
// (/proc/loadavg), "?" where there is none: the measurements share the
// machine with whatever else runs.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if err != nil || len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
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
