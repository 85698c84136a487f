package main

import (
	"fmt"
	"io"
	stdmaps "maps"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/citytwin/citytwin/internal/cliflag"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/scenarios"
)

// errUsage reports bad usage after it has been printed (exit status 2).
var errUsage = cliflag.ErrUsage

func netFlags(fs *cliflag.Command) (*cliflag.Command, *maps.Options) {
	opt := &maps.Options{}
	fs.BoolVar(&opt.Planar, "planar", false, "GeoJSON coordinates are planar metres, not lon/lat")
	fs.BoolVar(&opt.KeepLargestComponent, "largest", false, "keep only the largest strongly connected component")
	fs.BoolVar(&opt.NoMerge, "no-merge", false, "do not merge chains of degree-2 nodes")
	fs.BoolVar(&opt.NoJoin, "no-join", false, "keep OSM junctions closer than 10 m apart instead of joining them")
	fs.BoolVar(&opt.GuessSignals, "guess-signals", false, "also signalise junctions where major roads cross, not only those tagged highway=traffic_signals")
	fs.Func("turnarounds", "`where` U-turns are allowed on OSM and GeoJSON networks: dead_ends or all (default: dead_ends)", func(v string) error {
		t, ok := maps.ParseTurnarounds(v)
		if !ok {
			return fmt.Errorf("want dead_ends or all, got %q", v)
		}
		opt.Turnarounds = t
		return nil
	})
	fs.Func("side", "driving `side`: left, right or auto (default: from the country of the data)", func(v string) error {
		s, err := maps.ParseDrivingSide(v)
		opt.DrivingSide = s
		return err
	})
	fs.StringVar(&opt.Country, "country", "", "ISO 3166-1 code whose default speeds (and driving side) apply (default: detected)")
	fs.Func("bbox", "keep the roads of an OSM file inside `MINLON,MINLAT,MAXLON,MAXLAT`", func(v string) error {
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

const netUsage = `usage: citytwin net inspect [flags] FILE
       citytwin net export [flags] FILE -o OUT.geojson

Net inspect summarises a road network file; net export writes the network
CityTwin builds from it as GeoJSON. FILE is an OpenStreetMap extract
(.osm.pbf, .osm, plain or compressed), an OSM-derived GeoJSON road file, a
SUMO network (.net.xml) or a CityFlow roadnet (.json), or a built-in file
such as builtin:wuhan.geojson (the default scenario's network).

Run "citytwin net inspect -h" or "citytwin net export -h" for the flags.
`

const netAbout = `FILE is an OpenStreetMap extract (.osm.pbf, .osm, plain or compressed), an
OSM-derived GeoJSON road file, a SUMO network (.net.xml) or a CityFlow
roadnet (.json), or a built-in file such as builtin:wuhan.geojson (the
default scenario's network).`

func netCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, netUsage)
		return errUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, netUsage)
		return cliflag.ErrHelp
	case "inspect":
		fs, opt := netFlags(cliflag.New("citytwin net inspect", "citytwin net inspect [flags] FILE",
			"Summarises the road network in FILE: junctions, roads, lanes, movements,\nconnected components, what was skipped and the warnings.\n\n"+netAbout, stdout, stderr))
		verbose := fs.Bool("v", false, "list every warning and component")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fs.Usagef("want one network FILE, got %d", fs.NArg())
		}
		n, err := loadNetwork(fs.Arg(0), *opt)
		if err != nil {
			return err
		}
		printSummary(stdout, n, *verbose)
		return nil
	case "export":
		fs, opt := netFlags(cliflag.New("citytwin net export", "citytwin net export [flags] FILE -o OUT.geojson",
			"Writes the network CityTwin builds from FILE as GeoJSON (lanes, movements,\nsignal programs; opens in QGIS).\n\n"+netAbout, stdout, stderr))
		out := fs.String("o", "", "output GeoJSON `file` (required)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 || *out == "" {
			return fs.Usagef("want one network FILE and -o OUT.geojson")
		}
		n, err := loadNetwork(fs.Arg(0), *opt)
		if err != nil {
			return err
		}
		if err := n.SaveGeoJSON(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: %d roads, %d lanes, %d junctions\n", *out, len(n.Roads), len(n.Lanes), n.Summarize().Junctions)
		return nil
	}
	fmt.Fprintf(stderr, "citytwin net: unknown subcommand %q (want inspect or export)\n\n%s", args[0], netUsage)
	return errUsage
}

// loadNetwork loads a network file, or a built-in one (builtin:NAME).
func loadNetwork(path string, opt maps.Options) (*maps.Network, error) {
	if name, ok := strings.CutPrefix(path, scenarios.BuiltinPrefix); ok {
		data, err := scenarios.ReadBuiltin(name)
		if err != nil {
			return nil, err
		}
		return maps.ReadGeoJSON(data, name, opt)
	}
	return maps.Load(path, opt)
}

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
