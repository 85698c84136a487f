package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/internal/atomicfile"
)

// TestMain lets the tests run the command line in a child process: the
// test binary re-executed with CITYTWIN_TEST_CLI=1 is citytwin.
func TestMain(m *testing.M) {
	if os.Getenv("CITYTWIN_TEST_CLI") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// child returns the command citytwin args as a child process.
func child(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "CITYTWIN_TEST_CLI=1")
	return cmd
}

// killScenario runs for a fraction of a second and writes every output.
const killScenario = `
name = "kill"
seed = 3
duration = 1800
[network.grid]
rows = 4
cols = 4
[[demand.random]]
rate = 3000
min_length = 200
[output]
interval = 60
junctions = true
detectors = true
`

// outputState checks the invariant of an output folder after a crash:
// either run.json says the run is incomplete, or every file it lists is
// there with its size and hash; with no run.json, no output file at
// all. It returns "absent", "incomplete" or "complete".
func outputState(t *testing.T, dir string) string {
	t.Helper()
	m, err := output.ReadManifest(dir)
	if errors.Is(err, fs.ErrNotExist) {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if !atomicfile.IsTemp(e.Name()) {
				t.Errorf("%s holds %s but no run.json", dir, e.Name())
			}
		}
		return "absent"
	}
	if err != nil {
		t.Fatalf("run.json unreadable after a kill: %v", err)
	}
	if !m.Complete {
		return "incomplete"
	}
	if err := m.Verify(dir); err != nil {
		t.Errorf("run.json says complete but: %v", err)
	}
	if len(m.Files) != 7 {
		t.Errorf("complete run.json lists %d files, want 7", len(m.Files))
	}
	return "complete"
}

// TestKillRun kills `citytwin run` (SIGKILL) at random moments, 20 times
// in the same output folder, and checks after each kill that the folder
// never claims a finished run it does not hold (outputState). A last run
// then finishes, cleans the temporary files the kills left and writes a
// complete, verified set.
func TestKillRun(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test in -short mode")
	}
	dir := t.TempDir()
	scenario := filepath.Join(dir, "kill.toml")
	os.WriteFile(scenario, []byte(killScenario), 0o644)
	out := filepath.Join(dir, "out")

	// How long a whole run takes here.
	t0 := time.Now()
	if b, err := child(t, "run", "--quiet", "--out", out, scenario).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	full := time.Since(t0)
	if got := outputState(t, out); got != "complete" {
		t.Fatalf("after a whole run: %s", got)
	}
	rng := rand.New(rand.NewPCG(17, 1))
	states := map[string]int{}
	temps := 0
	for trial := range 20 {
		cmd := child(t, "run", "--quiet", "--out", out, scenario)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.Float64() * 1.2 * float64(full))
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		st := outputState(t, out)
		states[st]++
		ents, _ := os.ReadDir(out)
		for _, e := range ents {
			if atomicfile.IsTemp(e.Name()) {
				temps++
			}
		}
		t.Logf("trial %2d: killed after %v: %s", trial, delay.Round(time.Millisecond), st)
	}
	t.Logf("a whole run takes %v; after 20 kills: %v; %d stray temporary files seen", full.Round(time.Millisecond), states, temps)
	if b, err := child(t, "run", "--quiet", "--out", out, scenario).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if got := outputState(t, out); got != "complete" {
		t.Fatalf("after a last whole run: %s", got)
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if atomicfile.IsTemp(e.Name()) {
			t.Errorf("temporary file %s left after a whole run", e.Name())
		}
	}
}

// TestInterruptRun sends SIGINT and SIGTERM to a running `citytwin run`:
// it stops at the end of the current step, writes the outputs with
// run.json saying they are incomplete (and why), and exits with 128 +
// the signal's number and a one-line message.
func TestInterruptRun(t *testing.T) {
	if testing.Short() {
		t.Skip("signal test in -short mode")
	}
	dir := t.TempDir()
	scenario := filepath.Join(dir, "long.toml")
	// A run long enough to be caught in the middle (some minutes).
	os.WriteFile(scenario, []byte(strings.Replace(killScenario, "duration = 1800", "duration = 100000", 1)), 0o644)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(dir, "out-"+fmt.Sprint(int(sig)))
			cmd := child(t, "run", "--out", out, scenario)
			stderr, _ := cmd.StderrPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill() })
			sc := bufio.NewScanner(stderr)
			var lines []string
			for sc.Scan() { // the first progress line: the run is on
				lines = append(lines, sc.Text())
				if strings.HasPrefix(sc.Text(), "t=") {
					break
				}
			}
			cmd.Process.Signal(sig)
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 128+int(sig) {
				t.Fatalf("exit: %v, want code %d; stderr:\n%s", err, 128+int(sig), strings.Join(lines, "\n"))
			}
			last := lines[len(lines)-1]
			want := "citytwin: interrupted by " + map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[sig]
			if !strings.HasPrefix(last, want) || !strings.Contains(last, "marked incomplete") {
				t.Errorf("last line %q, want %q…", last, want)
			}
			m, err := output.ReadManifest(out)
			if err != nil {
				t.Fatal(err)
			}
			if m.Complete || !strings.HasPrefix(m.Interrupted, want[len("citytwin: interrupted by "):]) || m.SimTime <= 0 || m.SimTime >= m.EndTime {
				t.Errorf("run.json: complete %v, interrupted %q, sim_time %g of %g", m.Complete, m.Interrupted, m.SimTime, m.EndTime)
			}
			if err := m.Verify(out); err != nil || len(m.Files) != 7 {
				t.Errorf("%d files: %v", len(m.Files), err)
			}
		})
	}
}

// TestKillServeLog kills `citytwin serve -log` (SIGKILL) while a client
// sends commands as fast as it can, five times: the log keeps every
// command whose request was answered, and at most one partial line (the
// entry being written), which -replay leaves out.
func TestKillServeLog(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test in -short mode")
	}
	dir := t.TempDir()
	scenario := filepath.Join(dir, "tiny.toml")
	os.WriteFile(scenario, []byte(tinyScenario), 0o644)
	rng := rand.New(rand.NewPCG(5, 5))
	for trial := range 5 {
		logf := filepath.Join(dir, fmt.Sprintf("cmd%d.jsonl", trial))
		cmd := child(t, "serve", "-stepped", "-quiet", "-rate", "-1", "-addr", "127.0.0.1:0", "-log", logf, scenario)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() }) // if the test fails before its kill
		base := ""
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), "serving http://"); ok {
				base = "http://" + strings.Fields(rest)[0]
				break
			}
		}
		if base == "" {
			cmd.Process.Kill()
			t.Fatal("the server did not start")
		}
		go func() {
			for sc.Scan() {
			}
		}()
		answered := 0
		deadline := time.Now().Add(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		for k := 0; time.Now().Before(deadline); k++ {
			body := fmt.Sprintf(`{"n": 1, "commands": [{"kind": "speed_limit", "road": "road_0_1_0", "speed": %d}]}`, 5+k%10)
			if code := post(t, base+"/v1/step", body); code != 200 {
				t.Fatalf("step: status %d", code)
			}
			answered++
		}
		// Kill while requests are in flight.
		go post(t, base+"/v1/step", `{"n": 1, "commands": [{"kind": "speed_limit", "road": "road_0_1_0", "speed": 3}]}`)
		time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
		cmd.Process.Kill()
		cmd.Wait()
		f, err := os.Open(logf)
		if err != nil {
			t.Fatal(err)
		}
		entries, torn, err := readCommandLog(f, logf)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("trial %d: %d commands answered, %d logged, partial last line: %v", trial, answered, len(entries), torn)
		if len(entries) < answered || len(entries) > answered+1 {
			t.Errorf("%d commands answered, %d logged", answered, len(entries))
		}
		for i, e := range entries {
			if e.Seq != int64(i) || e.Command == nil || e.Error != "" {
				t.Errorf("entry %d: %+v", i, e)
				break
			}
		}
	}
}

// post sends a JSON body and returns the status (0 when the server is
// gone).
func post(t *testing.T, url, body string) int {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestReadCommandLog(t *testing.T) {
	ok := `{"seq":0,"step":1,"time":1,"command":{"kind":"close_road","road":"r"}}` + "\n"
	for _, tc := range []struct {
		name, data string
		n          int
		torn       bool
		err        string
	}{
		{"whole", ok + "\n" + ok, 2, false, ""},
		{"partial last line", ok + ok[:20], 1, true, ""},
		{"bad line", ok + "{oops\n" + ok, 0, false, "log:2:"},
		{"endless line", strings.Repeat("x", 17<<20), 0, false, "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, torn, err := readCommandLog(strings.NewReader(tc.data), "log")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("got %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(es) != tc.n || torn != tc.torn {
				t.Errorf("got %d entries, torn %v, %v; want %d, %v", len(es), torn, err, tc.n, tc.torn)
			}
		})
	}
}

// TestWorkersBounded: --workers beyond the bound is refused before any
// work (it used to start a hundred million goroutines' worth of pool).
func TestWorkersBounded(t *testing.T) {
	code, _, stderr := cli(t, "run", "--quiet", "--workers", "100000000", "--out", t.TempDir(), writeTiny(t))
	if code != 1 || !strings.Contains(stderr, "workers: must be at most") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
