package web_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citytwin/citytwin/scenarios"
	"github.com/citytwin/citytwin/twin"
	"github.com/coder/websocket"
)

// TestMeasureStreams measures what 20 viewers cost the twin: the step
// rate, flat out, of the 20×20 grid of TestMeasure (engine with one
// worker) with 1 and with 20 binary streams at 10 frames per second. The
// viewers are WebSocket clients in a process of their own (this test
// binary again, TestStreamReaders) that check each frame's header as the
// page does before drawing it. Run as below, the twin (engine, hub and
// the streams' writes: GOMAXPROCS 1) has CPU 0 and the viewers CPU 1, as
// browsers on other machines would; whatever the 20 streams cost the
// twin comes off its steps. The demand runs four hours and is halved
// once 10,000 vehicles run, so that the traffic grows slowly; windows
// with 1 and 20 streams alternate (1, 20, 1, ..., 1), and each window
// with 20 is compared with the mean of its two neighbours; the figures
// are the medians. Beside the step rate, which moves with the load of
// other jobs on the machine, it gives this process's processor time per
// step (user + system), which does not.
//
//	CITYTWIN_WEB_MEASURE=1 CITYTWIN_WEB_READER_CPUS=1 taskset -c 0 go test ./twin/web -run TestMeasureStreams -v -timeout 30m
func TestMeasureStreams(t *testing.T) {
	if os.Getenv("CITYTWIN_WEB_MEASURE") == "" {
		t.Skip("set CITYTWIN_WEB_MEASURE=1 to measure the streams (minutes)")
	}
	sc, err := scenarios.Load("testdata/measure.toml")
	if err != nil {
		t.Fatal(err)
	}
	// Four hours of demand, so that the flat-out windows stay within it.
	sc.Duration = 4 * 3600
	for i := range sc.Demand.Random {
		sc.Demand.Random[i].End = sc.Duration
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
	// Half the departures from now on (scale_demand 0.5): about as many
	// as arrive with 10,000 vehicles on their way, so that the windows
	// see about the same traffic and their step rates can be compared.
	if _, err := tw.Submit(context.Background(), []twin.Command{{Event: scenarios.Event{Kind: scenarios.EventScaleDemand, Factor: 0.5}}}); err != nil {
		t.Fatal(err)
	}
	const settle, span = 2 * time.Second, 8 * time.Second
	type result struct {
		steps, cpuMs, fps, size float64
		running                 int64
	}
	// window runs the viewers' process for settle + span and measures
	// the twin over span.
	window := func(viewers int) result {
		var args []string
		if cpus := os.Getenv("CITYTWIN_WEB_READER_CPUS"); cpus != "" {
			args = append(args, "taskset", "-c", cpus)
		}
		args = append(args, os.Args[0], "-test.run=^TestStreamReaders$", "-test.v")
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "CITYTWIN_WEB_READERS_URL="+srv.URL, "CITYTWIN_WEB_READERS="+strconv.Itoa(viewers),
			"CITYTWIN_WEB_READERS_FOR="+(settle+span).String())
		var out lockedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(settle)
		s0, t0, c0 := status(), time.Now(), cpuTime()
		time.Sleep(span)
		s1, t1, c1 := status(), time.Now(), cpuTime()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("viewers: %v\n%s", err, out.String())
		}
		var frames, bytes int64
		if _, err := fmt.Sscanf(out.String()[strings.Index(out.String(), "READ "):], "READ frames=%d bytes=%d", &frames, &bytes); err != nil {
			t.Fatalf("viewers said %q: %v", out.String(), err)
		}
		dt := t1.Sub(t0).Seconds()
		n := float64(max(s1.Step-s0.Step, 1))
		return result{steps: float64(s1.Step-s0.Step) / dt, cpuMs: 1000 * (c1 - c0).Seconds() / n, running: s1.Counts.Running,
			fps: float64(frames) / (settle + span).Seconds() / float64(viewers), size: float64(bytes) / float64(max(frames, 1))}
	}
	fmt.Printf("\n| streams | twin steps/s | processor ms per step | running at the end | frames/s per stream | bytes per frame | load average |\n|---|---|---|---|---|---|---|\n")
	var one, twenty []result
	for round := range 11 {
		n := 1
		if round%2 == 1 {
			n = 20
		}
		r := window(n)
		if n == 1 {
			one = append(one, r)
		} else {
			twenty = append(twenty, r)
		}
		fmt.Printf("| %d | %.1f | %.1f | %s | %.1f | %s | %s |\n", n, r.steps, r.cpuMs, thousands(float64(r.running)), r.fps, thousands(r.size), loadavg())
	}
	var drops, rises, s1, s20 []float64
	for i, r := range twenty {
		drops = append(drops, 100*(1-r.steps/((one[i].steps+one[i+1].steps)/2)))
		rises = append(rises, 100*(r.cpuMs/((one[i].cpuMs+one[i+1].cpuMs)/2)-1))
		s20 = append(s20, r.steps)
	}
	for _, r := range one {
		s1 = append(s1, r.steps)
	}
	drop := median(drops)
	fmt.Printf("\nstep rate: median %.1f steps/s with 1 stream, %.1f with 20; drop per window %s %%, median %.1f %%\n",
		median(s1), median(s20), fmtList(drops), drop)
	fmt.Printf("processor time per step: rise per window with 20 streams %s %%, median %.1f %%\n", fmtList(rises), median(rises))
	if drop > 10 {
		t.Errorf("the step rate drops by %.1f %% with 20 streams", drop)
	}
}

// TestStreamReaders is the viewers' process of TestMeasureStreams:
// CITYTWIN_WEB_READERS binary streams of the twin at
// CITYTWIN_WEB_READERS_URL, 10 frames per second each, read for
// CITYTWIN_WEB_READERS_FOR; it prints the frames and bytes received.
func TestStreamReaders(t *testing.T) {
	base := os.Getenv("CITYTWIN_WEB_READERS_URL")
	if base == "" {
		t.Skip("the viewers' process of TestMeasureStreams")
	}
	n, err := strconv.Atoi(os.Getenv("CITYTWIN_WEB_READERS"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := time.ParseDuration(os.Getenv("CITYTWIN_WEB_READERS_FOR"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var frames, bytes atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/v1/stream?format=binary&rate=10", nil)
			if err != nil {
				t.Error(err)
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
					if len(b) < twin.BinaryHeader || binary.LittleEndian.Uint32(b) != twin.BinaryMagic {
						t.Errorf("not a frame: %d bytes", len(b))
						return
					}
					frames.Add(1)
					bytes.Add(int64(len(b)))
				}
			}
		})
	}
	wg.Wait()
	fmt.Printf("READ frames=%d bytes=%d\n", frames.Load(), bytes.Load())
}
