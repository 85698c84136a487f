package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/citytwin/citytwin/bench/sumocase"
)

// sumoRun is one SUMO case run by both engines.
type sumoRun struct {
	c          sumocase.Case
	sumo, twin sumocase.Result
}

// runSUMO generates the standard SUMO cases and runs both engines on each
// (r.sumoSkipped says why not when SUMO's tools are missing).
func (r *report) runSUMO(keep string, log io.Writer) error {
	if err := sumocase.Available(); err != nil {
		r.sumoSkipped = err.Error()
		return nil
	}
	r.sumoVersion = sumocase.Version()
	dir := keep
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "citytwin-fidelity-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	opt := sumocase.RunOptions{Seed: 1}
	for _, c := range sumocase.Standard {
		fmt.Fprintf(log, "SUMO case %s: generating…\n", c.Name)
		f, err := c.Generate(filepath.Join(dir, c.Name))
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "SUMO case %s: running sumo…\n", c.Name)
		s, err := sumocase.RunSUMO(f, opt)
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "SUMO case %s: running CityTwin…\n", c.Name)
		t, err := sumocase.RunCityTwin(f, opt)
		if err != nil {
			return err
		}
		r.sumo = append(r.sumo, sumoRun{c: c, sumo: s, twin: t})
	}
	return nil
}
