// Package cli holds citytwin-view's command line, its flags and help, and
// answers it on a machine without a display.
//
// The viewer's graphics library (ebiten, over GLFW) opens the display in
// a package initialiser and panics when there is none, before main runs.
// This package's init runs before it: without a display it answers -h,
// -help, --help and -version itself and otherwise says in one line that
// the viewer needs a display and how to get pictures without one, then
// exits (status 1). It runs first because Go initialises, among the
// packages whose imports are all initialised, the one first in import-path
// order (The Go Programming Language Specification, "Package
// initialization"): this package's path sorts before
// github.com/hajimehoshi/ebiten/..., and it imports only packages that
// ebiten imports too. cmd/citytwin-view's TestNoDisplay runs the built
// command without DISPLAY and fails if that ever stops holding.
package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/citytwin/citytwin/internal/cliflag"
)

// Options are citytwin-view's flags.
type Options struct {
	Size       string  // window size WxH, px
	Speed      float64 // simulated s per wall s; 0: as fast as possible
	Paused     bool
	At, End    float64 // s; End < 0: the scenario's end, 0: never
	Frames     int
	Screenshot string
	HUD        bool
	Legend     bool
	Color      string
	Heat       bool
	Queues     bool
	Detectors  bool
	Compare    string
	View       string
	Workers    int // -1: the scenario's
	NoVsync    bool
	Stats      bool
	CPUProfile string
	Version    bool
}

const about = `Opens the desktop viewer on a scenario (default: the embedded Wuhan
scenario). The simulation runs on its own goroutine; the window shows the
newest state each frame. Press ? in the window for the keys.

The viewer needs a display (X11 on Linux). Without one, use
"citytwin run --snapshot out.png" (and --snapshot-at T) for pictures, or
run the viewer under xvfb-run:
  xvfb-run -a -s "-screen 0 1280x720x24" citytwin-view --frames 5 --screenshot out.png`

// New returns the command line of citytwin-view and the options its
// flags set, with their defaults. Help goes to stdout, errors to stderr.
func New(stdout, stderr io.Writer) (*cliflag.Command, *Options) {
	fs := cliflag.New("citytwin-view", "citytwin-view [flags] [SCENARIO.toml]", about, stdout, stderr)
	o := &Options{}
	fs.StringVar(&o.Size, "size", "1280x720", "window `size` WxH in pixels")
	fs.Float64Var(&o.Speed, "speed", 10, "speed `multiplier`: simulated seconds per wall-clock second (0: as fast as possible)")
	fs.BoolVar(&o.Paused, "paused", false, "start paused")
	fs.Float64Var(&o.At, "at", 0, "simulate up to this `time` (s) before opening")
	fs.Float64Var(&o.End, "end", -1, "pause at this `time` (s); 0: never (default: the end of the scenario)")
	fs.IntVar(&o.Frames, "frames", 0, "close after drawing this many frames")
	fs.StringVar(&o.Screenshot, "screenshot", "", "with --frames: write the last frame to this PNG `file`")
	fs.BoolVar(&o.HUD, "hud", true, "show the status panel")
	fs.BoolVar(&o.Legend, "legend", true, "show the colour key")
	fs.StringVar(&o.Color, "color", "speed", "colour vehicles by `scheme`: speed, type or connected")
	fs.BoolVar(&o.Heat, "heat", false, "show the congestion heat map (road speed)")
	fs.BoolVar(&o.Queues, "queues", false, "show standing queues")
	fs.BoolVar(&o.Detectors, "detectors", false, "show the induction loops")
	fs.StringVar(&o.Compare, "compare", "", "a second `scenario` to show beside the first (A/B split view)")
	fs.StringVar(&o.View, "view", "", "initial view `X,Y,SCALE`: centre (m) and zoom (px per m) (default: fit the network)")
	fs.IntVar(&o.Workers, "workers", -1, "worker goroutines per simulation, 0 for all cores (default: the scenario's)")
	fs.BoolVar(&o.NoVsync, "novsync", false, "draw as fast as possible (for measuring)")
	fs.BoolVar(&o.Stats, "stats", false, "print frames and steps per second when the viewer closes")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the viewing to this `file`")
	fs.BoolVar(&o.Version, "version", false, "print the version and VCS revision and exit")
	return fs, o
}

// NoDisplay says why this process has no display to open a window on, or
// "" when it may have one. On Linux and the BSDs the viewer opens an X11
// window (GLFW's X11 backend, also under XWayland), so it needs DISPLAY
// set and an X server answering there.
func NoDisplay() string {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android", "js", "wasip1":
		return ""
	}
	d := os.Getenv("DISPLAY")
	if d == "" {
		return "no display: DISPLAY is not set"
	}
	if !xServerAt(d) {
		return fmt.Sprintf("no display: no X server answers at DISPLAY=%s", d)
	}
	return ""
}

// xServerAt reports whether an X server accepts connections at display d,
// "[host]:N[.S]" as Xlib reads it: without a host (or with "unix") the
// local socket /tmp/.X11-unix/XN (or its Linux abstract twin), otherwise
// TCP port 6000+N of host. A form it does not know counts as answering:
// GLFW then decides.
func xServerAt(d string) bool {
	i := strings.LastIndex(d, ":")
	if i < 0 {
		return true
	}
	host, num := d[:i], d[i+1:]
	if j := strings.IndexByte(num, '.'); j >= 0 {
		num = num[:j]
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || strings.Contains(host, "/") {
		return true
	}
	dial := func(network, addr string) bool {
		c, err := net.DialTimeout(network, addr, 2*time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	}
	if host == "" || host == "unix" {
		path := "/tmp/.X11-unix/X" + strconv.Itoa(n)
		return dial("unix", path) || runtime.GOOS == "linux" && dial("unix", "@"+path)
	}
	return dial("tcp", net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(6000+n)))
}

func init() {
	if why := NoDisplay(); why != "" {
		os.Exit(Headless(os.Args[1:], os.Stdout, os.Stderr, why))
	}
}

// Headless answers the command line args where there is no display (why
// says so): the help or the version, with exit status 0; otherwise one
// line on stderr saying that the viewer needs a display and how to get
// pictures without one, with exit status 1.
func Headless(args []string, stdout, stderr io.Writer, why string) int {
	fs, o := New(stdout, io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, cliflag.ErrHelp):
		return 0
	case err == nil && o.Version:
		fmt.Fprintln(stdout, cliflag.Version("citytwin-view"))
		return 0
	}
	fmt.Fprintf(stderr, "citytwin-view: %s; the viewer needs one (or xvfb-run) — for pictures without a display use: citytwin run --snapshot out.png [--snapshot-at T]\n", why)
	return 1
}
