package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citytwin/citytwin/scenarios"
	"github.com/citytwin/citytwin/twin"
	"github.com/coder/websocket"
)

// TestMeasureStreams measures what 20 viewers cost the twin itself,
// without browsers on the same machine: the step rate, flat out, of the
// 20×20 grid of TestMeasure with 1 and with 20 binary streams at 10
// frames per second, read by WebSocket clients in this process.
//
//	CITYTWIN_WEB_MEASURE=1 go test ./twin/web -run TestMeasureStreams -v
func TestMeasureStreams(t *testing.T) {
	if os.Getenv("CITYTWIN_WEB_MEASURE") == "" {
		t.Skip("set CITYTWIN_WEB_MEASURE=1 to measure the streams (minutes)")
	}
	sc, err := scenarios.Load("testdata/measure.toml")
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	tw, err := twin.New(run, twin.Options{Pace: -1, Until: -1, CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tw.Run(ctx) }()
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
	for status().Counts.Running < 10000 {
		time.Sleep(200 * time.Millisecond)
	}
	var frames, bytes atomic.Int64
	viewer := func(ctx context.Context) {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/stream?format=binary&rate=10", nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(64 << 20)
		for {
			typ, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			if typ == websocket.MessageBinary {
				frames.Add(1)
				bytes.Add(int64(len(b)))
			}
		}
	}
	window := func(viewers int) (float64, int64, float64, float64) {
		vctx, vcancel := context.WithCancel(ctx)
		for range viewers {
			go viewer(vctx)
		}
		time.Sleep(2 * time.Second)
		f0, b0 := frames.Load(), bytes.Load()
		s0, t0 := status(), time.Now()
		time.Sleep(10 * time.Second)
		s1, t1 := status(), time.Now()
		f1, b1 := frames.Load(), bytes.Load()
		vcancel()
		dt := t1.Sub(t0).Seconds()
		return float64(s1.Step-s0.Step) / dt, s1.Counts.Running, float64(f1-f0) / dt / float64(viewers), float64(b1-b0) / float64(max(f1-f0, 1))
	}
	fmt.Printf("\n| streams | twin steps/s | running at the end | frames/s per stream | bytes per frame |\n|---|---|---|---|---|\n")
	var one, twenty []float64
	for round := range 5 {
		n := 1
		if round%2 == 1 {
			n = 20
		}
		r, running, fps, size := window(n)
		if n == 1 {
			one = append(one, r)
		} else {
			twenty = append(twenty, r)
		}
		fmt.Printf("| %d | %.1f | %s | %.1f | %s |\n", n, r, thousands(float64(running)), fps, thousands(size))
	}
	mean := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s / float64(len(x))
	}
	drop := 100 * (1 - mean(twenty)/mean(one))
	fmt.Printf("\nstep rate: %.1f steps/s with 1 stream, %.1f with 20 (%.1f %% lower)\n", mean(one), mean(twenty), drop)
	if drop > 10 {
		t.Errorf("the step rate drops by %.1f %% with 20 streams", drop)
	}
}
