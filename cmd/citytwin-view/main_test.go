//go:build cgo || windows || darwin

package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/render/rendertest"
)

// The tests run the command in a child process (this test binary, told by
// an environment variable to act as the command), because ebiten runs one
// game per process. Like the command, they need a display: run them under
// xvfb-run.
const childEnv = "CITYTWIN_VIEW_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// command runs citytwin-view with args and returns its exit code and
// output.
func command(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// TestFramesScreenshot runs the --frames N --screenshot mode on the tiny
// scenario paused at t = 20 s and checks the picture's pixels against the
// engine's state at that time: red stop lines on the west approach, green
// on the south one, each vehicle where the snapshot puts it.
func TestFramesScreenshot(t *testing.T) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "tiny.toml")
	if err := os.WriteFile(scen, rendertest.TOML, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		split bool
		w, h  int
	}{
		{"single", false, 480, 360},
		{"A/B split", true, 800, 360},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			shot := filepath.Join(dir, "shot.png")
			args := []string{"--frames", "3", "--screenshot", shot, "--at", "20", "--paused", "--hud=false", "--legend=false",
				"--size", fmt.Sprintf("%dx%d", c.w, c.h), "--stats", scen}
			if c.split {
				args = append([]string{"--compare", scen}, args...)
			}
			code, out := command(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, out)
			}
			if !strings.Contains(out, "viewer: 3 frames") {
				t.Errorf("--stats printed %q, want the frame count", out)
			}
			img := rendertest.ReadPNG(t, shot)
			if img.Rect.Dx() != c.w || img.Rect.Dy() != c.h {
				t.Fatalf("screenshot %v, want %dx%d", img.Rect, c.w, c.h)
			}
			run, sim, err := rendertest.SimAt(rendertest.At)
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			var snap engine.Snapshot
			sim.Snapshot(&snap)
			sc := render.NewScene(run.Network)
			panes := 1
			if c.split {
				panes = 2
			}
			pw := (c.w - 2*(panes-1)) / panes
			cam := render.Fit(sc.Bounds(), pw, c.h)
			for p := 0; p < panes; p++ {
				rendertest.CheckScene(t, img, p*(pw+2), 0, cam, sc, &snap, 40)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--size", "big"}, 2, "--size"},
		{[]string{"--screenshot", "x.png"}, 2, "needs --frames"},
		{[]string{"--color", "pink"}, 2, "--color"},
		{[]string{"--view", "1,2"}, 2, "--view"},
		{[]string{"a.toml", "b.toml"}, 2, "citytwin-view: want one scenario file, got 2: a.toml b.toml\nusage: citytwin-view"},
		{[]string{"--workers", "-3"}, 2, "-workers: want 0 (all cores) or more, got -3"},
		{[]string{"--frames", "1", "does-not-exist.toml"}, 1, "does-not-exist"},
	}
	for _, c := range cases {
		code, out := command(t, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("citytwin-view %q: exit %d, output %q; want exit %d mentioning %q", c.args, code, out, c.code, c.want)
		}
	}
}

var updateHelp = flag.Bool("update-help", false, "rewrite testdata/help.txt from the command's help")

// buildView builds the citytwin-view command into a temporary folder and
// returns its path.
func buildView(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "citytwin-view")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/citytwin/citytwin/cmd/citytwin-view").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runWithout runs the built command with args and without DISPLAY, and
// returns its exit code, stdout and stderr.
func runWithout(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	return runDisplay(t, bin, "", args...)
}

// runDisplay runs the built command with args and DISPLAY set to display
// (unset when empty), and returns its exit code, stdout and stderr.
func runDisplay(t *testing.T, bin, display string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if display != "" {
		cmd.Env = append(cmd.Env, "DISPLAY="+display)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

// TestNoDisplay runs the built command without DISPLAY (issue 18: any run,
// even --help, panicked inside GLFW with a stack trace): help and version
// work, anything else says in one line that there is no display and
// points to citytwin run --snapshot, exit status 1.
func TestNoDisplay(t *testing.T) {
	bin := buildView(t)
	for _, args := range [][]string{nil, {"--frames", "3", "x.toml"}, {"--size", "big"}} {
		code, stdout, stderr := runWithout(t, bin, args...)
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 ||
			!strings.HasPrefix(stderr, "citytwin-view: no display: DISPLAY is not set;") || !strings.Contains(stderr, "citytwin run --snapshot") {
			t.Errorf("%q without DISPLAY: exit %d, stdout %q, stderr %q; want 1 and one line naming DISPLAY and citytwin run --snapshot", args, code, stdout, stderr)
		}
	}
	for _, arg := range []string{"-h", "--help", "-help"} {
		code, stdout, stderr := runWithout(t, bin, arg)
		if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "usage: citytwin-view [flags] [SCENARIO.toml]\n") {
			t.Errorf("%s without DISPLAY: exit %d, stderr %q, stdout %q; want 0 and the help", arg, code, stderr, stdout)
		}
	}
	// DISPLAY set, but no X server there (a stale DISPLAY).
	if _, err := os.Stat("/tmp/.X11-unix/X4242"); err == nil {
		t.Fatal("an X server runs on :4242; the test needs a display number nobody uses")
	}
	code, stdout, stderr := runDisplay(t, bin, ":4242", "--frames", "1")
	if code != 1 || stdout != "" || stderr != "citytwin-view: no display: no X server answers at DISPLAY=:4242; the viewer needs one (or xvfb-run) — for pictures without a display use: citytwin run --snapshot out.png [--snapshot-at T]\n" {
		t.Errorf("DISPLAY=:4242 with no X server: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runWithout(t, bin, "--version")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "citytwin-view ") || !strings.Contains(stdout, " revision ") {
		t.Errorf("--version without DISPLAY: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestHelpGolden checks the help against testdata/help.txt, with a display
// (the command itself) and without one (the cli package's early answer):
// the same text, on stdout, exit status 0, each default shown once. Run
// with -update-help after changing a flag.
func TestHelpGolden(t *testing.T) {
	code, with := command(t, "-h") // stdout and stderr together: stderr must be empty
	if code != 0 {
		t.Fatalf("-h: exit %d: %s", code, with)
	}
	golden := filepath.Join("testdata", "help.txt")
	if *updateHelp {
		if err := os.WriteFile(golden, []byte(with), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -run TestHelpGolden -update-help writes it)", err)
	}
	if with != string(want) {
		t.Errorf("-h differs from %s (-update-help rewrites it):\n%s", golden, with)
	}
	_, without, _ := runWithout(t, buildView(t), "-h")
	if without != with {
		t.Errorf("-h without a display:\n%s\nwith one:\n%s", without, with)
	}
	twice := regexp.MustCompile(`\(default[^)]*\).*\(default`)
	for _, line := range strings.Split(with, "\n") {
		if twice.MatchString(line) {
			t.Errorf("a default shown twice: %q", line)
		}
	}
}
