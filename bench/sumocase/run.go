package sumocase

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/scenarios"
)

// RunOptions are the settings both engines run with.
type RunOptions struct {
	// Seed of the engines' own draws (default 1).
	Seed uint64
	// Teleport is the time-to-teleport (s, default 300; negative: never).
	Teleport float64
	// MaxTime stops a run that has not emptied by then (s, default the
	// end of the departures plus 2 h). Both engines otherwise stop once
	// every vehicle has arrived, as SUMO does.
	MaxTime float64
	// Workers for CityTwin (default 1; results do not depend on it).
	Workers int
}

func (o RunOptions) withDefaults(c Case) RunOptions {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Teleport == 0 {
		o.Teleport = 300
	}
	if o.MaxTime == 0 {
		o.MaxTime = c.withDefaults().Trip.End + 7200
	}
	if o.Workers == 0 {
		o.Workers = 1
	}
	return o
}

// Result is one engine's run of a case.
type Result struct {
	Engine    string
	Vehicles  int     // vehicles loaded
	Inserted  int     // vehicles that entered the network
	Arrived   int     // vehicles that reached their destination
	Running   int     // vehicles in the network at the end
	Teleports int     // teleports
	End       float64 // simulated time at the end (s)
	// MeanTravelTime is the mean of arrival minus actual departure over
	// the arrived vehicles (s): SUMO's tripinfo duration.
	MeanTravelTime float64
	// MeanWaiting is the mean time the arrived vehicles stood (s): speed
	// below 0.1 m/s.
	MeanWaiting float64
	Wall        float64 // s of wall time for the whole run, loading included
}

// RunSUMO runs sumo on the case's network and routes with 1 s steps until
// every vehicle has arrived (or MaxTime) and reads its statistics.
func RunSUMO(f Files, opt RunOptions) (Result, error) {
	opt = opt.withDefaults(f.Case)
	stats := filepath.Join(f.Dir, f.Case.Name+".stats.xml")
	teleport := opt.Teleport
	if teleport < 0 {
		teleport = -1
	}
	args := []string{"--net-file", f.Net, "--route-files", f.Routes, "--begin", "0",
		"--step-length", "1", "--time-to-teleport", num(teleport), "--seed", strconv.FormatUint(opt.Seed, 10),
		"--no-step-log", "--no-warnings", "--duration-log.statistics", "--statistic-output", stats}
	if teleport < 0 {
		// Without teleports a gridlock never empties the network: bound
		// the run. Otherwise sumo ends when the last vehicle has left.
		args = append(args, "--end", num(opt.MaxTime))
	}
	cmd := exec.Command("sumo", args...)
	cmd.Dir = f.Dir
	cmd.Env = append(os.Environ(), "SUMO_HOME="+sumoHome())
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("sumocase: sumo: %v\n%s", err, out)
	}
	r := Result{Engine: "SUMO " + Version(), Wall: time.Since(start).Seconds()}
	data, err := os.ReadFile(stats)
	if err != nil {
		return r, fmt.Errorf("sumocase: sumo wrote no statistics: %v\n%s", err, out)
	}
	var st struct {
		Vehicles struct {
			Loaded   int `xml:"loaded,attr"`
			Inserted int `xml:"inserted,attr"`
			Running  int `xml:"running,attr"`
		} `xml:"vehicles"`
		Teleports struct {
			Total int `xml:"total,attr"`
		} `xml:"teleports"`
		Trips struct {
			Count       int     `xml:"count,attr"`
			WaitingTime float64 `xml:"waitingTime,attr"`
			Total       float64 `xml:"totalTravelTime,attr"`
		} `xml:"vehicleTripStatistics"`
	}
	if err := xml.Unmarshal(data, &st); err != nil {
		return r, fmt.Errorf("sumocase: sumo statistics: %v", err)
	}
	r.Vehicles, r.Inserted, r.Running = st.Vehicles.Loaded, st.Vehicles.Inserted, st.Vehicles.Running
	r.Teleports, r.Arrived = st.Teleports.Total, st.Trips.Count
	if r.Arrived > 0 {
		r.MeanTravelTime = st.Trips.Total / float64(r.Arrived)
		r.MeanWaiting = st.Trips.WaitingTime
	}
	if m := regexp.MustCompile(`Simulation ended at time: ([0-9.]+)`).FindSubmatch(out); m != nil {
		r.End, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	return r, nil
}

// Scenario returns the CityTwin scenario that runs the case's files as
// they are: [network] sumo and [demand] sumo, 1 s steps, the
// time-to-teleport and seed of opt, stopping once the network is empty.
func Scenario(f Files, opt RunOptions) string {
	opt = opt.withDefaults(f.Case)
	c := f.Case.withDefaults()
	return fmt.Sprintf(`name = %q
seed = %d
duration = %s
cooldown = %s
stop_when_empty = true
workers = %d

[network]
sumo = %q

[demand]
sumo = %q

[driving]
teleport = %s
`, c.Name, opt.Seed, num(c.Trip.End), num(opt.MaxTime-c.Trip.End), opt.Workers, f.Net, f.Routes, num(opt.Teleport))
}

// RunCityTwin runs CityTwin on the case's files (see Scenario).
func RunCityTwin(f Files, opt RunOptions) (Result, error) {
	start := time.Now()
	text := Scenario(f, opt)
	path := filepath.Join(f.Dir, f.Case.Name+".toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return Result{}, err
	}
	sc, err := scenarios.Load(path)
	if err != nil {
		return Result{}, err
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		return Result{}, err
	}
	sim, err := run.NewSimulation()
	if err != nil {
		return Result{}, err
	}
	defer sim.Close()
	if err := sim.RunToEnd(); err != nil {
		return Result{}, err
	}
	c := sim.Counts()
	s := output.Summarize(sim.Sim, 0)
	return Result{Engine: "CityTwin", Vehicles: c.Trips, Inserted: int(c.Inserted), Arrived: int(c.Arrived), Running: int(c.Running),
		Teleports: int(c.Teleports), End: sim.Time(), MeanTravelTime: s.MeanTravelTime, MeanWaiting: s.MeanWaiting,
		Wall: time.Since(start).Seconds()}, nil
}

// Version returns SUMO's version, e.g. "1.15.0", or "?".
func Version() string {
	out, err := exec.Command("sumo", "--version").Output()
	if err != nil {
		return "?"
	}
	if m := regexp.MustCompile(`Version ([^\s]+)`).FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "?"
}
