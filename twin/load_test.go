package twin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoad runs a bounded load test on loopback: clients each holding a
// WebSocket stream at 5 frames per second and querying the twin, a fifth
// of them also sending commands, while the twin steps as fast as it can.
// It checks that no request fails, that every accepted command is applied
// (none dropped, none failed), and reports the step rate and latencies.
//
// The short version (10 clients, 3 s) runs with the tests; set
// CITYTWIN_LOAD=1 for the full one (50 clients, 60 s), or
// CITYTWIN_LOAD=clients,seconds.
func TestLoad(t *testing.T) {
	clients, dur, _ := loadSize(t, 3*time.Second)
	// Demand that lasts beyond what the twin can simulate in the test.
	pace := -1.0
	if v := os.Getenv("CITYTWIN_LOAD_PACE"); v != "" {
		p, err := strconv.ParseFloat(v, 64)
		if err != nil || p <= 0 {
			t.Fatalf("CITYTWIN_LOAD_PACE=%q: want a positive pace", v)
		}
		pace = p
	}
	// An 8×8 grid with demand that lasts beyond what the twin can
	// simulate in the test (at most some 1000 steps per second here).
	src, err := os.ReadFile("testdata/load.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "duration = 3600", fmt.Sprintf("duration = %d", 3600+int(dur.Seconds())*1000), 1)
	if w := os.Getenv("CITYTWIN_LOAD_WORKERS"); w != "" {
		text += "\nworkers = " + w + "\n"
	}
	run := buildRun(t, text)
	tw, c := startTwin(t, run, Options{Pace: pace, Until: -1}, ServerOptions{Rate: 100000, Burst: 100000})
	tr := &http.Transport{MaxIdleConns: 4 * clients, MaxIdleConnsPerHost: 4 * clients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	start := c.status(false)
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		byPath    = map[string][]time.Duration{}
		requests  atomic.Int64
		accepted  atomic.Int64
		frames    atomic.Int64
		wg        sync.WaitGroup
	)
	var failures failLog
	fail := failures.add
	call := func(method, path, body string) int {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, c.base+path, r)
		if method == "POST" {
			req.Header.Set("Content-Type", "application/json")
		}
		t0 := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			fail("%s %s: %v", method, path, err)
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		requests.Add(1)
		mu.Lock()
		latencies = append(latencies, d)
		byPath[method+" "+path] = append(byPath[method+" "+path], d)
		mu.Unlock()
		if resp.StatusCode/100 != 2 {
			fail("%s %s: status %d", method, path, resp.StatusCode)
		}
		return resp.StatusCode
	}
	for i := range clients {
		wg.Add(2)
		go func() { // the stream
			defer wg.Done()
			ws, err := dialStream(t, ctx, c.base, "?rate=5", "")
			if err != nil {
				fail("stream %d: %v", i, err)
				return
			}
			defer ws.CloseNow()
			for {
				_, b, err := ws.Read(ctx)
				if err != nil {
					if ctx.Err() == nil {
						fail("stream %d: %v", i, err)
					}
					return
				}
				if !bytes.HasPrefix(b, []byte(`{"type":"`)) {
					fail("stream %d: message %.40q", i, b)
				}
				frames.Add(1)
			}
		}()
		go func() { // queries and commands
			defer wg.Done()
			for k := 0; ctx.Err() == nil; k++ {
				if i%5 == 0 && k%2 == 0 {
					if call("POST", "/v1/commands", loadCommands[(k/2+i)%len(loadCommands)]) == 202 {
						accepted.Add(1)
					}
				} else {
					call("GET", loadQueries[(k+i)%len(loadQueries)], "")
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	wall := dur.Seconds()
	// Let the last commands apply.
	var end Status
	for deadline := time.Now().Add(5 * time.Second); ; {
		end = c.status(false)
		if end.Pending == 0 && end.Scheduled == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = tw
	slices.Sort(latencies)
	q := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	steps := end.Step - start.Step
	t.Logf("%d clients for %v: %d requests (%.0f/s), %d stream frames (%.1f/s per stream), %d commands",
		clients, dur, requests.Load(), float64(requests.Load())/wall, frames.Load(), float64(frames.Load())/wall/float64(clients), accepted.Load())
	for p, ls := range byPath {
		slices.Sort(ls)
		t.Logf("%-50s n=%4d p50 %v p99 %v", p, len(ls), ls[len(ls)/2], ls[len(ls)*99/100])
	}
	t.Logf("latency p50 %v, p90 %v, p99 %v, max %v", q(0.5), q(0.9), q(0.99), q(1))
	t.Logf("pace %v (-1: as fast as possible), %d trips", pace, len(run.Trips))
	t.Logf("twin: %d steps (%.0f steps/s, %.0f simulated s per wall s), %d vehicles running at the end", steps, float64(steps)/wall,
		float64(steps)*end.StepLength/wall, end.Counts.Running)
	failures.report(t)
	if end.Logged != accepted.Load() || end.Failed != 0 || end.Pending != 0 {
		t.Errorf("%d commands accepted, %d logged, %d failed, %d still pending: want all applied", accepted.Load(), end.Logged, end.Failed, end.Pending)
	}
	if frames.Load() < int64(clients) || steps == 0 {
		t.Errorf("%d frames, %d steps", frames.Load(), steps)
	}
}

// loadSize returns the clients and duration of a load test: 10 clients
// for short (s) without CITYTWIN_LOAD; with CITYTWIN_LOAD=1 the full
// version (50 clients, 60 s; full is true), with CITYTWIN_LOAD=n,s n
// clients for s seconds. It skips the test in -short mode unless
// CITYTWIN_LOAD is set.
func loadSize(t *testing.T, short time.Duration) (clients int, dur time.Duration, full bool) {
	t.Helper()
	v := os.Getenv("CITYTWIN_LOAD")
	if v == "" {
		if testing.Short() {
			t.Skip("load test in -short mode")
		}
		return 10, short, false
	}
	if a, b, ok := strings.Cut(v, ","); ok {
		n, err1 := strconv.Atoi(a)
		s, err2 := strconv.Atoi(b)
		if err1 != nil || err2 != nil || n < 1 || s < 1 {
			t.Fatalf("CITYTWIN_LOAD=%q: want clients,seconds", v)
		}
		return n, time.Duration(s) * time.Second, true
	}
	return 50, 60 * time.Second, true
}

// loadCommands and loadQueries are what the clients of the load tests
// send and ask (on the grid of testdata/load.toml).
var (
	loadCommands = []string{
		`{"kind":"speed_limit","road":"road_4_4_2","speed":8}`,
		`{"kind":"speed_limit","road":"road_4_4_2","speed":0}`,
		`{"kind":"close_lane","road":"road_2_2_2","lane":0}`,
		`{"kind":"open_lane","road":"road_2_2_2","lane":0}`,
		`{"kind":"force_phase","junction":"intersection_3_1","phase":0,"duration":20}`,
		`{"kind":"field_counts","interval":30,"counts":[{"road":"road_0_2_0","count":4}]}`,
	}
	loadQueries = []string{"/v1/status", "/v1/observe?include=lanes,junctions", "/v1/vehicles", "/v1/detectors", "/v1/junctions"}
)

// failLog collects the failures that the load tests' goroutines meet, the
// first 20 of them, for the test to report at its end.
type failLog struct {
	mu   sync.Mutex
	msgs []string
}

func (f *failLog) add(format string, args ...any) {
	f.mu.Lock()
	if len(f.msgs) < 20 {
		f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
	}
	f.mu.Unlock()
}

// report fails t with every failure logged.
func (f *failLog) report(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		t.Error(m)
	}
}
