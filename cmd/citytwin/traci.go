package main

import (
	"fmt"
	"io"

	"github.com/citytwin/citytwin/twin/traci"
)

// traciCmd serves SUMO's TraCI protocol with a sumo command line (see
// cmd/citytwin-sumo and twin/traci).
func traciCmd(args []string, stdout, stderr io.Writer) error {
	if code := traci.Main(args, stdout, stderr); code != 0 {
		return exitError{code: code, err: fmt.Errorf("traci: the session ended with an error")}
	}
	return nil
}
