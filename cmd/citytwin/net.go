package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	stdmaps "maps"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/citytwin/citytwin/internal/cliflag"
	"github.com/citytwin/citytwin/maps"
)

// errUsage reports bad usage after the flag package has printed it.
var errUsage = errors.New("usage")

func netFlags(name string, stderr io.Writer) (*flag.FlagSet, *maps.Options) {
	fs := flag.NewFlagSet("citytwin net "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	opt := &maps.Options{}
	fs.BoolVar(&opt.Planar, "planar", false, "GeoJSON coordinates are planar metres, not lon/lat")
	fs.BoolVar(&opt.KeepLargestComponent, "largest", false, "keep only the largest strongly connected component")
	fs.BoolVar(&opt.NoMerge, "no-merge", false, "do not merge chains of degree-2 nodes")
	fs.BoolVar(&opt.NoJoin, "no-join", false, "keep OSM junctions closer than 10 m apart instead of joining them")
	fs.BoolVar(&opt.GuessSignals, "guess-signals", false, "also signalise junctions where major roads cross, not only those tagged highway=traffic_signals")
	fs.Func("turnarounds", "where U-turns are allowed on OSM and GeoJSON networks: dead_ends (default) or all", func(v string) error {
		t, ok := maps.ParseTurnarounds(v)
		if !ok {
			return fmt.Errorf("want dead_ends or all, got %q", v)
		}
		opt.Turnarounds = t
		return nil
	})
	fs.Func("side", "driving side: left, right or auto (default: from the country of the data)", func(v string) error {
		s, err := maps.ParseDrivingSide(v)
		opt.DrivingSide = s
		return err
	})
	fs.StringVar(&opt.Country, "country", "", "ISO 3166-1 code whose default speeds (and driving side) apply (default: detected)")
	fs.Func("bbox", "keep the roads of an OSM file inside MINLON,MINLAT,MAXLON,MAXLAT", func(v string) error {
		b, err := parseBBox(v)
		opt.BBox = b
		return err
	})
	return fs, opt
}

// parseBBox reads "minlon,minlat,maxlon,maxlat".
func parseBBox(v string) (*orb.Bound, error) {
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("want MINLON,MINLAT,MAXLON,MAXLAT, got %q", v)
	}
	var x [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", p)
		}
		x[i] = f
	}
	if !(x[0] >= -180 && x[0] < x[2] && x[2] <= 180 && x[1] >= -85 && x[1] < x[3] && x[3] <= 85) {
		return nil, fmt.Errorf("%q: want min < max, lon in [-180, 180], lat in [-85, 85]", v)
	}
	return &orb.Bound{Min: orb.Point{x[0], x[1]}, Max: orb.Point{x[2], x[3]}}, nil
}

func netCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: citytwin net inspect|export [flags] FILE")
		return errUsage
	}
	switch args[0] {
	case "inspect":
		fs, opt := netFlags("inspect", stderr)
		verbose := fs.Bool("v", false, "list every warning and component")
		if err := parseInterleaved(fs, args[1:]); err != nil {
			return errUsage
		}
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "usage: citytwin net inspect [flags] FILE")
			return errUsage
		}
		n, err := maps.Load(fs.Arg(0), *opt)
		if err != nil {
			return err
		}
		printSummary(stdout, n, *verbose)
		return nil
	case "export":
		fs, opt := netFlags("export", stderr)
		out := fs.String("o", "", "output GeoJSON file (required)")
		if err := parseInterleaved(fs, args[1:]); err != nil {
			return errUsage
		}
		if fs.NArg() != 1 || *out == "" {
			fmt.Fprintln(stderr, "usage: citytwin net export [flags] FILE -o OUT.geojson")
			return errUsage
		}
		n, err := maps.Load(fs.Arg(0), *opt)
		if err != nil {
			return err
		}
		if err := n.SaveGeoJSON(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: %d roads, %d lanes, %d junctions\n", *out, len(n.Roads), len(n.Lanes), n.Summarize().Junctions)
		return nil
	}
	fmt.Fprintf(stderr, "citytwin net: unknown subcommand %q (want inspect or export)\n", args[0])
	return errUsage
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments (see cliflag.ParseInterleaved).
var parseInterleaved = cliflag.ParseInterleaved

func printSummary(w io.Writer, n *maps.Network, verbose bool) {
	s := n.Summarize()
	fmt.Fprintf(w, "network     %s\n", n.Source)
	side := "right"
	if n.LeftHand {
		side = "left"
	}
	if n.Country != "" {
		side += " (country " + n.Country + ")"
	}
	fmt.Fprintf(w, "driving     on the %s\n", side)
	fmt.Fprintf(w, "junctions   %d (%d signalised)\n", s.Junctions, s.Signalised)
	fmt.Fprintf(w, "roads       %d\n", s.Roads)
	fmt.Fprintf(w, "lanes       %d (%.1f lane-km)\n", s.Lanes, s.LaneKM)
	fmt.Fprintf(w, "movements   %d (%d lane links)\n", s.Movements, s.Links)
	fmt.Fprintf(w, "components  %d strongly connected (the largest holds %.1f%% of lanes)\n", s.Components, 100*s.MainShare)
	if len(n.RemovedRoads) > 0 {
		fmt.Fprintf(w, "removed     %d roads outside the largest component\n", len(n.RemovedRoads))
	}
	fmt.Fprintf(w, "skipped     %d features", s.Skipped)
	for _, k := range slices.Sorted(stdmaps.Keys(n.Skipped)) {
		fmt.Fprintf(w, "; %s: %d", k, n.Skipped[k])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "warnings    %d\n", s.Warnings)
	limit := 10
	if verbose {
		limit = len(n.Warnings)
	}
	for i, wn := range n.Warnings {
		if i == limit {
			fmt.Fprintf(w, "  … %d more (-v lists all)\n", len(n.Warnings)-limit)
			break
		}
		fmt.Fprintf(w, "  %s\n", wn)
	}
	if verbose {
		for i, c := range n.Components {
			fmt.Fprintf(w, "component %d: %d roads\n", i, len(c))
		}
	}
}
