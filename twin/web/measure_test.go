package web_test

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
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
//	CITYTWIN_WEB_MEASURE=1 taskset -c 0 go test ./twin/web -run TestMeasure -v -timeout 30m
//
// With CITYTWIN_WEB_BROWSER_CPUS=1 the browser runs on CPU 1 (taskset), so
// that its drawing does not take the twin's processor: in a control room
// the browsers run on other machines. The twin runs in this process (the
// handler of `citytwin serve`), with 64 streams allowed per client, since
// all the pages come from one address here.
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
	tw, err := twin.New(run, twin.Options{Pace: -1, Until: -1, CheckpointEvery: -1})
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
		pace(0)
		for status().Counts.Running < running {
			time.Sleep(200 * time.Millisecond)
		}
	}

	ctx := newBrowser(t, 1400, 900, extra...)
	open := func(ctx context.Context, rate int) {
		do(t, ctx, 60*time.Second, chromedp.EmulateViewport(1400, 900), chromedp.Navigate(srv.URL+"/"))
		waitJS(t, ctx, 120*time.Second, "window.citytwin && window.citytwin.ready")
		eval[bool](t, ctx, fmt.Sprintf("(window.citytwin.setRate(%d), true)", rate))
	}
	open(ctx, 30)
	type pageStats struct {
		Received, Drawn, Bytes float64
		DrawMs                 float64 `json:"drawMs"`
		Shown                  float64
	}
	stats := func(ctx context.Context) pageStats { return eval[pageStats](t, ctx, "window.citytwin.stats") }

	// Frames per second with n vehicles on screen: the twin at pace 30
	// (30 steps of 1 s per second), the stream asking for 30 frames per
	// second, the whole network on screen.
	fmt.Printf("\n| vehicles on screen | frames/s received | frames/s drawn | draw time per frame | bytes per frame | twin steps/s |\n|---|---|---|---|---|---|\n")
	for _, n := range []int64{10000, 50000} {
		until(n)
		pace(30)
		time.Sleep(3 * time.Second)
		a, st0, t0 := stats(ctx), status(), time.Now()
		time.Sleep(10 * time.Second)
		b, st1, t1 := stats(ctx), status(), time.Now()
		dt := t1.Sub(t0).Seconds()
		recv, drawn := b.Received-a.Received, b.Drawn-a.Drawn
		fmt.Printf("| %s–%s | %.1f | %.1f | %.1f ms | %s | %.1f |\n", thousands(float64(st0.Counts.Running)), thousands(float64(st1.Counts.Running)),
			recv/dt, drawn/dt, (b.DrawMs-a.DrawMs)/math.Max(drawn, 1), thousands((b.Bytes-a.Bytes)/math.Max(recv, 1)),
			float64(st1.Step-st0.Step)/dt)
		if b.Shown < float64(n)*0.95 {
			t.Errorf("only %.0f vehicles on screen", b.Shown)
		}
	}

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
	fmt.Printf("\n| pages | twin steps/s | running | frames/s received by each page |\n|---|---|---|---|\n")
	for round := range 3 {
		a := stats(ctx)
		r, n := window()
		one = append(one, r)
		fmt.Printf("| 1 | %.1f | %s | %.1f |\n", r, thousands(float64(n)), (stats(ctx).Received-a.Received)/12)
		if round == 2 {
			break
		}
		// 19 more tabs of the same browser, each with its own stream.
		var tabs []context.Context
		var cancels []context.CancelFunc
		for range 19 {
			tctx, cancel := chromedp.NewContext(ctx)
			open(tctx, 10)
			tabs = append(tabs, tctx)
			cancels = append(cancels, cancel)
		}
		tabs = append(tabs, ctx)
		var before []float64
		for _, tctx := range tabs {
			before = append(before, stats(tctx).Received)
		}
		r, n = window()
		twenty = append(twenty, r)
		var got []float64
		for i, tctx := range tabs {
			got = append(got, (stats(tctx).Received-before[i])/12)
		}
		sort.Float64s(got)
		fmt.Printf("| 20 | %.1f | %s | %.1f to %.1f |\n", r, thousands(float64(n)), got[0], got[len(got)-1])
		for _, c := range cancels {
			c()
		}
	}
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
