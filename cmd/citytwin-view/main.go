//go:build cgo || windows || darwin

package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/cmd/citytwin-view/internal/cli"
	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/internal/cliflag"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/render/viewer"
	"github.com/citytwin/citytwin/scenarios"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, opens the viewer and returns the exit code: 0 success,
// 1 failure, 2 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	if err := view(args, stdout, stderr); err != nil {
		switch {
		case errors.Is(err, cliflag.ErrHelp):
			return 0
		case errors.Is(err, cliflag.ErrUsage):
			return 2
		}
		fmt.Fprintln(stderr, "citytwin-view:", err)
		return 1
	}
	return 0
}

func view(args []string, stdout, stderr io.Writer) error {
	fs, o := cli.New(stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Version {
		fmt.Fprintln(stdout, cliflag.Version("citytwin-view"))
		return nil
	}
	if fs.NArg() > 1 {
		return fs.Usagef("want one scenario file, got %d: %s", fs.NArg(), strings.Join(fs.Args(), " "))
	}
	if fs.IsSet("workers") && o.Workers < 0 {
		return fs.Usagef("-workers: want 0 (all cores) or more, got %d", o.Workers)
	}
	cfg, err := config(o, stdout)
	if err != nil {
		return fs.Usagef("%v", err)
	}
	a, end, err := load(fs.Arg(0), *o)
	if err != nil {
		return err
	}
	vars := []viewer.Variant{a}
	if o.Compare != "" {
		b, _, err := load(o.Compare, *o)
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
	case o.End < 0:
		cfg.End = end
	default:
		cfg.End = o.End
	}
	cfg.Title = "CityTwin - " + a.Name
	if len(vars) == 2 {
		cfg.Title += " | " + vars[1].Name
	}
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
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
func config(o *cli.Options, stdout io.Writer) (viewer.Config, error) {
	cfg := viewer.Config{Paused: o.Paused, Frames: o.Frames, Screenshot: o.Screenshot, NoHUD: !o.HUD, NoLegend: !o.Legend,
		Heat: o.Heat, Queues: o.Queues, NoVsync: o.NoVsync}
	if _, err := fmt.Sscanf(o.Size, "%dx%d", &cfg.Width, &cfg.Height); err != nil || cfg.Width < 64 || cfg.Height < 64 {
		return cfg, fmt.Errorf("--size %q: want WxH, at least 64x64", o.Size)
	}
	switch {
	case o.Speed == 0:
		cfg.Speed = viewer.MaxSpeed
	case o.Speed > 0:
		cfg.Speed = o.Speed
	default:
		return cfg, fmt.Errorf("--speed %g: want a positive multiplier or 0", o.Speed)
	}
	switch o.Color {
	case "speed":
		cfg.Options.Color = render.ColorSpeed
	case "type":
		cfg.Options.Color = render.ColorType
	case "connected":
		cfg.Options.Color = render.ColorConnected
	default:
		return cfg, fmt.Errorf("--color %q: want speed, type or connected", o.Color)
	}
	if o.Detectors {
		cfg.Options.LoopOffset = engine.DefaultLoopOffset
	}
	if o.Screenshot != "" && o.Frames <= 0 {
		return cfg, errors.New("--screenshot needs --frames N")
	}
	if o.View != "" {
		parts := strings.Split(o.View, ",")
		var v [3]float64
		ok := len(parts) == 3
		for i := 0; ok && i < 3; i++ {
			var err error
			v[i], err = strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
			ok = err == nil && !math.IsNaN(v[i]) && !math.IsInf(v[i], 0)
		}
		if !ok || v[2] <= 0 {
			return cfg, fmt.Errorf("--view %q: want X,Y,SCALE with SCALE > 0", o.View)
		}
		cfg.Camera = &render.Camera{X: v[0], Y: v[1], Scale: v[2]}
	}
	if o.Stats {
		cfg.Stats = stdout
	}
	return cfg, nil
}

// load builds a scenario (the embedded default when path is empty) and
// simulates it up to --at. It returns the variant and the scenario's end
// time (s).
func load(path string, o cli.Options) (viewer.Variant, float64, error) {
	sc, err := scenarios.LoadOrDefault(path)
	if err != nil {
		return viewer.Variant{}, 0, err
	}
	if o.Workers >= 0 {
		sc.Workers = o.Workers
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		return viewer.Variant{}, 0, err
	}
	sim, err := run.NewSimulation()
	if err != nil {
		return viewer.Variant{}, 0, err
	}
	if err := sim.RunUntil(o.At); err != nil {
		return viewer.Variant{}, 0, err
	}
	return viewer.Variant{Name: sc.Name, Sim: sim.Sim, Step: sim.Step}, run.End(), nil
}
