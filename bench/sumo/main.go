package main

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/citytwin/citytwin/bench"
	"github.com/citytwin/citytwin/bench/sumocase"
	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/maps"
)

func main() {
	caseName := flag.String("case", "grid10", "benchmark case: grid10 or grid32")
	duration := flag.Float64("duration", 1200, "simulated time (s) for both engines")
	seed := flag.Uint64("seed", 1, "demand and engine seed")
	keep := flag.String("keep", "", "write SUMO's files to this `dir` and keep them (default: a temporary folder, removed)")
	workers := flag.Int("workers", runtime.NumCPU(), "CityTwin workers for the parallel run (a one-worker run is always made)")
	cases := flag.String("cases", "", "instead of the speed comparison, generate SUMO `cases` with SUMO's tools (all, or names from bench/sumocase.Standard separated by commas) and compare the two engines' traffic on them")
	flag.Parse()
	if *cases != "" {
		if err := runCases(*cases, *keep, *seed, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "bench/sumo:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*caseName, *duration, *seed, *keep, *workers, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sumo:", err)
		os.Exit(1)
	}
}

// result is one engine's run.
type result struct {
	engine    string
	wall      float64 // s of stepping (SUMO: its own "Duration", loading excluded)
	cpu       float64 // s of CPU time, all threads (SUMO: the whole process, loading included)
	updates   float64 // vehicle-updates
	ups       float64 // vehicle-updates per wall second
	meanTT    float64 // s, mean travel time of arrived trips
	arrived   int64
	running   int64 // at the end
	teleports int64
}

func run(caseName string, duration float64, seed uint64, keep string, workers int, stdout, stderr io.Writer) error {
	for _, tool := range []string{"netconvert", "sumo"} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(stdout, "SUMO's %s is not on the PATH: skipped (install it with `apt-get install sumo`)\n", tool)
			return nil
		}
	}
	if caseName != "grid10" && caseName != "grid32" {
		return fmt.Errorf("case %q: want grid10 or grid32", caseName)
	}
	c, err := bench.Lookup(caseName)
	if err != nil {
		return err
	}
	setup, err := c.Load(seed, duration)
	if err != nil {
		return err
	}
	dir := keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "citytwin-sumo-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	trips := setup.Trips()
	fmt.Fprintf(stderr, "%s: %d roads, %d trips over %.0f s; files in %s\n", caseName, len(setup.Network.Roads), len(trips), duration, dir)
	if err := writeSUMO(dir, setup.Network, trips); err != nil {
		return err
	}
	prog := firstProgram(setup.Network)
	if prog == nil {
		return fmt.Errorf("%s has no signalised junction", caseName)
	}
	nc := exec.Command("netconvert", "--node-files", "grid.nod.xml", "--edge-files", "grid.edg.xml",
		"--no-turnarounds", "--tls.default-type", "static",
		"--tls.green.time", fmt.Sprint(prog.Phases[0].Duration), "--tls.yellow.time", fmt.Sprint(prog.Yellow),
		"--tls.allred.time", fmt.Sprint(prog.AllRed), "--output-file", "grid.net.xml")
	nc.Dir = dir
	if out, err := nc.CombinedOutput(); err != nil {
		return fmt.Errorf("netconvert: %v\n%s", err, out)
	}
	fmt.Fprintln(stderr, "running sumo…")
	s, err := runSUMO(dir, duration, seed)
	if err != nil {
		return err
	}
	results := []result{s}
	for _, w := range uniq(1, workers) {
		fmt.Fprintf(stderr, "running CityTwin, %d workers…\n", w)
		r, err := runCityTwin(setup, w, duration)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "engine\twall s\tCPU s\tveh-updates\tveh-updates/s\tvs SUMO\tmean travel time s\tarrived\trunning at end\tteleports\t\n")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.0f\t%.3f M\t%.1f×\t%.1f\t%d\t%d\t%d\t\n", r.engine, r.wall, r.cpu, r.updates, r.ups/1e6, r.ups/s.ups,
			r.meanTT, r.arrived, r.running, r.teleports)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s, %.0f s simulated at 1 s steps, seed %d; %s\n", caseName, duration, seed, sumocase.Version())
	return err
}

func uniq(a, b int) []int {
	if a == b {
		return []int{a}
	}
	return []int{a, b}
}

// firstProgram returns the signal program of the first signalised node.
func firstProgram(n *maps.Network) *maps.Program {
	for i := range n.Nodes {
		if n.Nodes[i].Kind == maps.Signalised && n.Nodes[i].Program != nil {
			return n.Nodes[i].Program
		}
	}
	return nil
}

// writeSUMO writes grid.nod.xml, grid.edg.xml and grid.rou.xml into dir.
func writeSUMO(dir string, n *maps.Network, trips []engine.Trip) error {
	var b bytes.Buffer
	b.WriteString("<nodes>\n")
	for i := range n.Nodes {
		nd := &n.Nodes[i]
		typ := "priority"
		if nd.Kind == maps.Signalised {
			typ = "traffic_light"
		}
		fmt.Fprintf(&b, "  <node id=%q x=\"%.2f\" y=\"%.2f\" type=%q/>\n", nd.ID, nd.Pos[0], nd.Pos[1], typ)
	}
	b.WriteString("</nodes>\n")
	if err := os.WriteFile(filepath.Join(dir, "grid.nod.xml"), b.Bytes(), 0o644); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("<edges>\n")
	for i := range n.Roads {
		r := &n.Roads[i]
		fmt.Fprintf(&b, "  <edge id=%q from=%q to=%q numLanes=\"%d\" speed=\"%.2f\"/>\n",
			r.ID, n.Nodes[r.From].ID, n.Nodes[r.To].ID, len(r.Lanes), r.Speed)
	}
	b.WriteString("</edges>\n")
	if err := os.WriteFile(filepath.Join(dir, "grid.edg.xml"), b.Bytes(), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "grid.rou.xml"))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	car := engine.DefaultCar()
	p := car.Follow
	fmt.Fprintf(w, "<routes>\n  <vType id=\"car\" carFollowModel=\"IDM\" length=\"%g\" accel=\"%g\" decel=\"%g\" emergencyDecel=\"%g\" minGap=\"%g\" tau=\"%g\" maxSpeed=\"%g\" speedFactor=\"1\" speedDev=\"0\" sigma=\"0\"/>\n",
		car.Length, p.Accel, p.Decel, p.EmergencyDecel, p.MinGap, p.Headway, car.MaxSpeed)
	var ids strings.Builder
	for i, t := range trips {
		ids.Reset()
		for k, r := range t.Route {
			if k > 0 {
				ids.WriteByte(' ')
			}
			ids.WriteString(n.Roads[r].ID)
		}
		fmt.Fprintf(w, "  <vehicle id=\"%d\" type=\"car\" depart=\"%.2f\" departLane=\"best\" departSpeed=\"max\"><route edges=\"%s\"/></vehicle>\n",
			i, t.Depart, ids.String())
	}
	fmt.Fprintln(w, "</routes>")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runSUMO runs sumo and reads its end-of-run statistics.
func runSUMO(dir string, duration float64, seed uint64) (result, error) {
	cmd := exec.Command("sumo", "--net-file", "grid.net.xml", "--route-files", "grid.rou.xml",
		"--begin", "0", "--end", fmt.Sprint(duration), "--step-length", "1", "--time-to-teleport", "300",
		"--seed", fmt.Sprint(seed), "--no-step-log", "--no-warnings", "--duration-log.statistics", "--statistic-output", "stats.xml")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("sumo: %v\n%s", err, out)
	}
	r := result{engine: "SUMO " + sumocase.Version()}
	r.cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	data, err := os.ReadFile(filepath.Join(dir, "stats.xml"))
	if err != nil {
		return r, fmt.Errorf("sumo wrote no statistics: %v\n%s", err, out)
	}
	var st struct {
		Performance struct {
			Duration float64 `xml:"duration,attr"` // s; older versions ms (see below)
		} `xml:"performance"`
		Vehicles struct {
			Running int64 `xml:"running,attr"`
		} `xml:"vehicles"`
		Teleports struct {
			Total int64 `xml:"total,attr"`
		} `xml:"teleports"`
		Trips struct {
			Count    int64   `xml:"count,attr"`    // arrived vehicles
			Duration float64 `xml:"duration,attr"` // s, their mean travel time
		} `xml:"vehicleTripStatistics"`
	}
	if err := xml.Unmarshal(data, &st); err != nil {
		return r, fmt.Errorf("sumo statistics: %v", err)
	}
	r.running, r.teleports, r.meanTT, r.arrived = st.Vehicles.Running, st.Teleports.Total, st.Trips.Duration, st.Trips.Count
	// The console summary has the updates per second and the duration.
	text := string(out)
	if m := regexp.MustCompile(`UPS: ([0-9.]+)`).FindStringSubmatch(text); m != nil {
		r.ups, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := regexp.MustCompile(`Duration: ([0-9.]+)\s*(ms|s)`).FindStringSubmatch(text); m != nil {
		r.wall, _ = strconv.ParseFloat(m[1], 64)
		if m[2] == "ms" {
			r.wall /= 1000
		}
	}
	r.updates = r.ups * r.wall
	if r.ups == 0 {
		return r, fmt.Errorf("sumo printed no UPS figure:\n%s", out)
	}
	return r, nil
}

// runCityTwin runs the setup from t = 0 for duration seconds.
func runCityTwin(setup *bench.Setup, workers int, duration float64) (result, error) {
	cfg := setup.Config
	cfg.Workers = workers
	sim, err := engine.New(setup.Network, cfg, setup.Trips())
	if err != nil {
		return result{}, err
	}
	defer sim.Close()
	cpu0 := bench.CPUTime()
	start := time.Now()
	sim.RunUntil(duration)
	wall := time.Since(start).Seconds()
	cpu := bench.CPUTime() - cpu0
	c := sim.Counts()
	sum := output.Summarize(sim, 0)
	name := fmt.Sprintf("CityTwin, %d workers", workers)
	if workers == 1 {
		name = "CityTwin, 1 worker"
	}
	return result{engine: name, wall: wall, cpu: cpu, updates: c.VehicleSteps,
		ups: c.VehicleSteps / wall, meanTT: sum.MeanTravelTime, arrived: c.Arrived, running: c.Running, teleports: c.Teleports}, nil
}
