package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/citytwin/citytwin/internal/cliflag"
)

const usage = `citytwin — a digital-twin traffic simulation engine

Usage:
  citytwin run [flags] [SCENARIO.toml]     run a scenario (default: the embedded Wuhan scenario)
  citytwin net inspect [flags] FILE        summarise a road network (OSM, GeoJSON, SUMO, CityFlow)
  citytwin net export [flags] FILE -o OUT  write the built network as GeoJSON
  citytwin bench [flags]                   time the standard benchmark cases headless
  citytwin ab [flags] EXPERIMENT.toml      run a policy A/B experiment (also: ab merge, ab report)
  citytwin serve [flags] [SCENARIO.toml]   run a scenario as a live twin with an HTTP API and a stream
  citytwin traci SUMO-OPTIONS              answer SUMO's TraCI protocol like sumo (-n, -r, --remote-port ...)
  citytwin help                            show this help
  citytwin version                         print the version and VCS revision (also --version)

Run "citytwin COMMAND -h" for the flags of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit code: 0 success,
// 1 failure, 2 bad usage, 128 + the signal's number for a run stopped by
// SIGINT (130) or SIGTERM (143).
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		err = runCmd(args[1:], stdout, stderr)
	case "net":
		err = netCmd(args[1:], stdout, stderr)
	case "bench":
		err = benchCmd(args[1:], stdout, stderr)
	case "ab":
		err = abCmd(args[1:], stdout, stderr)
	case "serve":
		err = serveCmd(args[1:], stdout, stderr)
	case "traci":
		err = traciCmd(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, cliflag.Version("citytwin"))
		return 0
	default:
		fmt.Fprintf(stderr, "citytwin: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		switch {
		case errors.Is(err, cliflag.ErrHelp):
			return 0
		case errors.Is(err, cliflag.ErrUsage):
			return 2
		}
		fmt.Fprintln(stderr, "citytwin:", err)
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}
