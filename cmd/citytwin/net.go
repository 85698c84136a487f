package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

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
	fs.BoolVar(&opt.NoGuessSignals, "no-guess-signals", false, "signalise only junctions tagged highway=traffic_signals")
	return fs, opt
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

// parseInterleaved parses flags that may come before or after positional
// arguments (flag stops at the first positional one).
func parseInterleaved(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(pos)
}

func printSummary(w io.Writer, n *maps.Network, verbose bool) {
	s := n.Summarize()
	fmt.Fprintf(w, "network     %s\n", n.Source)
	fmt.Fprintf(w, "junctions   %d (%d signalised)\n", s.Junctions, s.Signalised)
	fmt.Fprintf(w, "roads       %d\n", s.Roads)
	fmt.Fprintf(w, "lanes       %d (%.1f lane-km)\n", s.Lanes, s.LaneKM)
	fmt.Fprintf(w, "movements   %d (%d lane links)\n", s.Movements, s.Links)
	fmt.Fprintf(w, "components  %d (largest holds %.1f%% of lanes)\n", s.Components, 100*s.MainShare)
	if len(n.RemovedRoads) > 0 {
		fmt.Fprintf(w, "removed     %d roads outside the largest component\n", len(n.RemovedRoads))
	}
	fmt.Fprintf(w, "skipped     %d features", s.Skipped)
	for _, k := range sortedKeys(n.Skipped) {
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
