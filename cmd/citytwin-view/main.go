//go:build cgo || windows || darwin

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/internal/cliflag"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/render/viewer"
	"github.com/citytwin/citytwin/scenarios"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

var errUsage = errors.New("usage")

// options are the command's flags.
type options struct {
	size       string
	speed      float64
	paused     bool
	at, end    float64
	frames     int
	screenshot string
	hud        bool
	legend     bool
	color      string
	heat       bool
	queues     bool
	detectors  bool
	compare    string
	view       string
	workers    int
	noVsync    bool
	stats      bool
	cpuprofile string
}

// run parses args, opens the viewer and returns the exit code: 0 success,
// 1 failure, 2 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	if err := view(args, stdout, stderr); err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintln(stderr, "citytwin-view:", err)
		return 1
	}
	return 0
}

func view(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("citytwin-view", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.size, "size", "1280x720", "window size WxH in pixels")
	fs.Float64Var(&o.speed, "speed", 10, "speed multiplier: simulated seconds per wall-clock second (0: as fast as possible)")
	fs.BoolVar(&o.paused, "paused", false, "start paused")
	fs.Float64Var(&o.at, "at", 0, "simulate up to this time (s) before opening")
	fs.Float64Var(&o.end, "end", -1, "pause at this time (s; default: the end of the scenario, 0: never)")
	fs.IntVar(&o.frames, "frames", 0, "close after drawing this many frames")
	fs.StringVar(&o.screenshot, "screenshot", "", "with --frames: write the last frame to this PNG file")
	fs.BoolVar(&o.hud, "hud", true, "show the status panel")
	fs.BoolVar(&o.legend, "legend", true, "show the colour key")
	fs.StringVar(&o.color, "color", "speed", "colour vehicles by speed, type or connected")
	fs.BoolVar(&o.heat, "heat", false, "show the congestion heat map (road speed)")
	fs.BoolVar(&o.queues, "queues", false, "show standing queues")
	fs.BoolVar(&o.detectors, "detectors", false, "show the induction loops")
	fs.StringVar(&o.compare, "compare", "", "a second scenario to show beside the first (A/B split view)")
	fs.StringVar(&o.view, "view", "", "initial view X,Y,SCALE: centre (m) and zoom (px per m); default: fit the network")
	fs.IntVar(&o.workers, "workers", -1, "worker goroutines per simulation (default: the scenario's)")
	fs.BoolVar(&o.noVsync, "novsync", false, "draw as fast as possible (for measuring)")
	fs.BoolVar(&o.stats, "stats", false, "print frames and steps per second when the viewer closes")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the viewing to this file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: citytwin-view [flags] [SCENARIO.toml]\n\nWith no scenario, opens the embedded default (Wuhan).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseInterleaved(fs, args); err != nil || fs.NArg() > 1 {
		if err == nil {
			fs.Usage()
		}
		return errUsage
	}
	cfg, err := o.config(stdout)
	if err != nil {
		fmt.Fprintln(stderr, "citytwin-view:", err)
		return errUsage
	}
	a, end, err := load(fs.Arg(0), o)
	if err != nil {
		return err
	}
	vars := []viewer.Variant{a}
	if o.compare != "" {
		b, _, err := load(o.compare, o)
		if err != nil {
			return err
		}
		if a.Sim.StepLength() != b.Sim.StepLength() {
			return fmt.Errorf("%s steps %g s and %s %g s: compared scenarios need one step length",
				a.Name, a.Sim.StepLength(), b.Name, b.Sim.StepLength())
		}
		vars = append(vars, b)
	}
	defer func() {
		for _, v := range vars {
			v.Sim.Close()
		}
	}()
	switch {
	case o.end < 0:
		cfg.End = end
	default:
		cfg.End = o.end
	}
	cfg.Title = "CityTwin - " + a.Name
	if len(vars) == 2 {
		cfg.Title += " | " + vars[1].Name
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return viewer.Run(cfg, vars...)
}

// config turns the flags into a viewer configuration.
func (o *options) config(stdout io.Writer) (viewer.Config, error) {
	cfg := viewer.Config{Paused: o.paused, Frames: o.frames, Screenshot: o.screenshot, NoHUD: !o.hud, NoLegend: !o.legend,
		Heat: o.heat, Queues: o.queues, NoVsync: o.noVsync}
	if _, err := fmt.Sscanf(o.size, "%dx%d", &cfg.Width, &cfg.Height); err != nil || cfg.Width < 64 || cfg.Height < 64 {
		return cfg, fmt.Errorf("--size %q: want WxH, at least 64x64", o.size)
	}
	switch {
	case o.speed == 0:
		cfg.Speed = viewer.MaxSpeed
	case o.speed > 0:
		cfg.Speed = o.speed
	default:
		return cfg, fmt.Errorf("--speed %g: want a positive multiplier or 0", o.speed)
	}
	switch o.color {
	case "speed":
		cfg.Options.Color = render.ColorSpeed
	case "type":
		cfg.Options.Color = render.ColorType
	case "connected":
		cfg.Options.Color = render.ColorConnected
	default:
		return cfg, fmt.Errorf("--color %q: want speed, type or connected", o.color)
	}
	if o.detectors {
		cfg.Options.LoopOffset = engine.DefaultLoopOffset
	}
	if o.screenshot != "" && o.frames <= 0 {
		return cfg, errors.New("--screenshot needs --frames N")
	}
	if o.view != "" {
		parts := strings.Split(o.view, ",")
		var v [3]float64
		ok := len(parts) == 3
		for i := 0; ok && i < 3; i++ {
			var err error
			v[i], err = strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
			ok = err == nil && !math.IsNaN(v[i]) && !math.IsInf(v[i], 0)
		}
		if !ok || v[2] <= 0 {
			return cfg, fmt.Errorf("--view %q: want X,Y,SCALE with SCALE > 0", o.view)
		}
		cfg.Camera = &render.Camera{X: v[0], Y: v[1], Scale: v[2]}
	}
	if o.stats {
		cfg.Stats = stdout
	}
	return cfg, nil
}

// load builds a scenario (the embedded default when path is empty) and
// simulates it up to --at. It returns the variant and the scenario's end
// time (s).
func load(path string, o options) (viewer.Variant, float64, error) {
	sc, err := scenarios.LoadOrDefault(path)
	if err != nil {
		return viewer.Variant{}, 0, err
	}
	if o.workers >= 0 {
		sc.Workers = o.workers
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		return viewer.Variant{}, 0, err
	}
	sim, err := run.NewSimulation()
	if err != nil {
		return viewer.Variant{}, 0, err
	}
	if err := sim.RunUntil(o.at); err != nil {
		return viewer.Variant{}, 0, err
	}
	return viewer.Variant{Name: sc.Name, Sim: sim.Sim, Step: sim.Step}, run.End(), nil
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments (see cliflag.ParseInterleaved).
var parseInterleaved = cliflag.ParseInterleaved
