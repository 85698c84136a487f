//go:build cgo || windows || darwin

package main

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
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

func readPNG(t *testing.T, name string) *image.RGBA {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(dec.Bounds())
	draw.Draw(img, img.Bounds(), dec, dec.Bounds().Min, draw.Src)
	return img
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
			img := readPNG(t, shot)
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
		{[]string{"a.toml", "b.toml"}, 2, "usage"},
		{[]string{"--frames", "1", "does-not-exist.toml"}, 1, "does-not-exist"},
	}
	for _, c := range cases {
		code, out := command(t, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("citytwin-view %q: exit %d, output %q; want exit %d mentioning %q", c.args, code, out, c.code, c.want)
		}
	}
}
