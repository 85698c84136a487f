package sumocase

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Case is a benchmark case made with SUMO's tools.
type Case struct {
	// Name labels the case and its files.
	Name string
	Net  Net
	Trip Demand
}

// Net is a network that netgenerate makes.
type Net struct {
	// Kind is "grid" (netgenerate --grid) or "rand" (netgenerate --rand).
	Kind string
	// Size is the number of junctions per side of a grid, or the
	// iterations of a random network (about its number of junctions).
	Size int
	// Length is the grid's block length (m, default 200); random networks
	// use netgenerate's defaults.
	Length float64
	// Lanes per direction (default 1).
	Lanes int
	// TLS is the signal program type: "static" (default) or "actuated".
	// Signals are guessed as netconvert does (--tls.guess), at every
	// junction of three or more roads on grids.
	TLS string
	// Seed of a random network.
	Seed int
}

// Demand is randomTrips.py's trips, routed by duarouter.
type Demand struct {
	// End: departures fall in [0, End) s (default 1800).
	End float64
	// Period is the time between departures (s, default 1): randomTrips'
	// --period.
	Period float64
	// MinDistance is the least straight distance between a trip's ends (m,
	// default 300).
	MinDistance float64
	// Fringe is randomTrips' --fringe-factor (default 10: most trips start
	// and end at the network's edge).
	Fringe float64
	// Attributes are added to every trip (default: departLane="best"
	// departSpeed="max", the setting randomTrips' documentation suggests).
	Attributes string
	// Seed of the draws (randomTrips and duarouter).
	Seed int
}

// Standard are the cases the fidelity report and bench/sumo run: grids and
// random networks, with static and actuated signals.
var Standard = []Case{
	{Name: "grid5-static", Net: Net{Kind: "grid", Size: 5, Lanes: 2}, Trip: Demand{Period: 1.2, Seed: 1}},
	{Name: "grid5-actuated", Net: Net{Kind: "grid", Size: 5, Lanes: 2, TLS: "actuated"}, Trip: Demand{Period: 1.2, Seed: 1}},
	{Name: "grid8-1lane-static", Net: Net{Kind: "grid", Size: 8, Lanes: 1}, Trip: Demand{Period: 1.5, Seed: 2}},
	{Name: "grid8-1lane-actuated", Net: Net{Kind: "grid", Size: 8, Lanes: 1, TLS: "actuated"}, Trip: Demand{Period: 1.5, Seed: 2}},
	{Name: "rand150-static", Net: Net{Kind: "rand", Size: 150, Lanes: 2, Seed: 3}, Trip: Demand{Period: 1.5, Seed: 3}},
	{Name: "rand150-actuated", Net: Net{Kind: "rand", Size: 150, Lanes: 2, TLS: "actuated", Seed: 3}, Trip: Demand{Period: 1.5, Seed: 3}},
	{Name: "rand400-static", Net: Net{Kind: "rand", Size: 400, Lanes: 2, Seed: 1}, Trip: Demand{End: 3600, Period: 1, Seed: 1}},
	{Name: "rand400-actuated", Net: Net{Kind: "rand", Size: 400, Lanes: 2, TLS: "actuated", Seed: 1}, Trip: Demand{End: 3600, Period: 1, Seed: 1}},
}

// Lookup returns the standard case of that name.
func Lookup(name string) (Case, error) {
	var names []string
	for _, c := range Standard {
		if c.Name == name {
			return c, nil
		}
		names = append(names, c.Name)
	}
	return Case{}, fmt.Errorf("sumocase: no case %q (have %s)", name, strings.Join(names, ", "))
}

// Files are the files of a generated case.
type Files struct {
	Dir    string
	Net    string // the network (.net.xml)
	Trips  string // randomTrips' trips (.trips.xml)
	Routes string // duarouter's routes (.rou.xml): what both engines run
	Case   Case
}

// sumoHome is SUMO's installation folder ($SUMO_HOME, default /usr/share/sumo).
func sumoHome() string {
	if h := os.Getenv("SUMO_HOME"); h != "" {
		return h
	}
	return "/usr/share/sumo"
}

// Available reports what is missing to generate and run cases, or nil.
func Available() error {
	var missing []string
	for _, tool := range []string{"netgenerate", "duarouter", "sumo", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if _, err := os.Stat(filepath.Join(sumoHome(), "tools", "randomTrips.py")); err != nil {
		missing = append(missing, "$SUMO_HOME/tools/randomTrips.py")
	}
	if len(missing) > 0 {
		return fmt.Errorf("sumocase: SUMO tools missing: %s (Debian: apt-get install sumo sumo-tools python3)", strings.Join(missing, ", "))
	}
	return nil
}

func (c Case) withDefaults() Case {
	if c.Net.Length == 0 {
		c.Net.Length = 200
	}
	if c.Net.Lanes == 0 {
		c.Net.Lanes = 1
	}
	if c.Net.TLS == "" {
		c.Net.TLS = "static"
	}
	if c.Trip.End == 0 {
		c.Trip.End = 1800
	}
	if c.Trip.Period == 0 {
		c.Trip.Period = 1
	}
	if c.Trip.MinDistance == 0 {
		c.Trip.MinDistance = 300
	}
	if c.Trip.Fringe == 0 {
		c.Trip.Fringe = 10
	}
	if c.Trip.Attributes == "" {
		c.Trip.Attributes = `departLane="best" departSpeed="max"`
	}
	return c
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// Generate writes the case's network, trips and routes into dir (created
// if needed) with netgenerate, randomTrips.py and duarouter.
func (c Case) Generate(dir string) (Files, error) {
	if err := Available(); err != nil {
		return Files{}, err
	}
	c = c.withDefaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Files{}, err
	}
	f := Files{Dir: dir, Net: filepath.Join(dir, c.Name+".net.xml"), Trips: filepath.Join(dir, c.Name+".trips.xml"),
		Routes: filepath.Join(dir, c.Name+".rou.xml"), Case: c}
	n := c.Net
	args := []string{"--default.lanenumber", strconv.Itoa(n.Lanes), "--tls.guess", "true", "--tls.default-type", n.TLS,
		"--seed", strconv.Itoa(n.Seed), "--output-file", f.Net}
	switch n.Kind {
	case "grid":
		if n.Size < 2 {
			return f, fmt.Errorf("sumocase: %s: a grid needs at least 2 junctions per side", c.Name)
		}
		args = append(args, "--grid", "--grid.number", strconv.Itoa(n.Size), "--grid.length", num(n.Length),
			"--tls.guess.threshold", "0")
	case "rand":
		if n.Size < 5 {
			return f, fmt.Errorf("sumocase: %s: a random network needs at least 5 iterations", c.Name)
		}
		args = append(args, "--rand", "--rand.iterations", strconv.Itoa(n.Size))
	default:
		return f, fmt.Errorf("sumocase: %s: network kind %q, want grid or rand", c.Name, n.Kind)
	}
	if n.TLS != "static" && n.TLS != "actuated" {
		return f, fmt.Errorf("sumocase: %s: signal type %q, want static or actuated", c.Name, n.TLS)
	}
	if err := run(dir, "netgenerate", args...); err != nil {
		return f, err
	}
	d := c.Trip
	if err := run(dir, "python3", filepath.Join(sumoHome(), "tools", "randomTrips.py"), "--net-file", f.Net,
		"--output-trip-file", f.Trips, "--begin", "0", "--end", num(d.End), "--period", num(d.Period),
		"--seed", strconv.Itoa(d.Seed), "--fringe-factor", num(d.Fringe), "--min-distance", num(d.MinDistance),
		"--trip-attributes", d.Attributes); err != nil {
		return f, err
	}
	if err := run(dir, "duarouter", "--net-file", f.Net, "--route-files", f.Trips, "--output-file", f.Routes,
		"--seed", strconv.Itoa(d.Seed), "--ignore-errors", "--no-warnings", "--no-step-log",
		"--alternatives-output", filepath.Join(dir, c.Name+".rou.alt.xml")); err != nil {
		return f, err
	}
	return f, nil
}

// run runs a SUMO tool in dir with SUMO_HOME set.
func run(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SUMO_HOME="+sumoHome())
	out, err := cmd.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) || len(out) > 0 {
			return fmt.Errorf("sumocase: %s: %v\n%s", name, err, out)
		}
		return fmt.Errorf("sumocase: %s: %w", name, err)
	}
	return nil
}
