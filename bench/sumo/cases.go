package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/citytwin/citytwin/bench/sumocase"
)

// runCases generates the named SUMO cases (see bench/sumocase), runs both
// engines on each and prints one markdown table: vehicles, arrivals,
// teleports, the end of the run and the mean travel time, CityTwin's
// difference to SUMO's.
func runCases(names, keep string, seed uint64, stdout, stderr io.Writer) error {
	if err := sumocase.Available(); err != nil {
		fmt.Fprintf(stdout, "%v: skipped\n", err)
		return nil
	}
	var list []sumocase.Case
	if names == "all" {
		list = sumocase.Standard
	} else {
		for _, n := range strings.Split(names, ",") {
			c, err := sumocase.Lookup(strings.TrimSpace(n))
			if err != nil {
				return err
			}
			list = append(list, c)
		}
	}
	dir := keep
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "citytwin-sumocases-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	opt := sumocase.RunOptions{Seed: seed}
	fmt.Fprintf(stdout, "| case | engine | vehicles | arrived | teleports | end s | mean travel time s | vs SUMO | wall s |\n")
	fmt.Fprintf(stdout, "|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range list {
		fmt.Fprintf(stderr, "%s: generating…\n", c.Name)
		f, err := c.Generate(filepath.Join(dir, c.Name))
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%s: running sumo…\n", c.Name)
		ref, err := sumocase.RunSUMO(f, opt)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%s: running CityTwin…\n", c.Name)
		got, err := sumocase.RunCityTwin(f, opt)
		if err != nil {
			return err
		}
		for i, r := range []sumocase.Result{ref, got} {
			name, vs := "", ""
			if i == 0 {
				name = c.Name
			} else if ref.MeanTravelTime > 0 {
				vs = fmt.Sprintf("%+.1f %%", 100*(r.MeanTravelTime/ref.MeanTravelTime-1))
			}
			fmt.Fprintf(stdout, "| %s | %s | %d | %d | %d | %.0f | %.1f | %s | %.2f |\n", name, r.Engine, r.Vehicles, r.Arrived, r.Teleports, r.End, r.MeanTravelTime, vs, r.Wall)
		}
	}
	_, err := fmt.Fprintf(stdout, "\nSUMO %s; cases from bench/sumocase (netgenerate, randomTrips.py, duarouter), 1 s steps, time-to-teleport 300 s, seed %d; both engines stop once every vehicle has arrived.\n", sumocase.Version(), seed)
	return err
}
