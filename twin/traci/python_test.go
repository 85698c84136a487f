package traci

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/bench/sumocase"
	"github.com/citytwin/citytwin/internal/testbin"
)

// sumoHome is where SUMO's tools are looked for (Debian: /usr/share/sumo).
func sumoHome() string {
	if h := os.Getenv("SUMO_HOME"); h != "" {
		return h
	}
	return "/usr/share/sumo"
}

// needPythonTraci skips the test unless python3 can import SUMO's traci
// client.
func needPythonTraci(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short mode: drives a server process through Python")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the tests with SUMO's Python client are skipped")
	}
	cmd := exec.Command(py, "-c", "import sys; sys.path.append(sys.argv[1]); import traci, sumolib", filepath.Join(sumoHome(), "tools"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("SUMO's Python client (traci, sumolib) is not importable from %s/tools: install Debian's sumo-tools (or set SUMO_HOME); skipped\n%s",
			sumoHome(), out)
	}
}

// server is cmd/citytwin-sumo, built once per test run.
var server = testbin.New("github.com/citytwin/citytwin/cmd/citytwin-sumo")

// TestMain removes the server binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	server.Remove()
	os.Exit(code)
}

// serverBinary builds cmd/citytwin-sumo once per test run.
func serverBinary(t testing.TB) string {
	t.Helper()
	return server.Path(t)
}

// python runs a Python script with SUMO's tools on the path, SUMO_HOME
// set and the given extra environment.
func python(t testing.TB, env []string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command("python3", args...)
	cmd.Env = append(os.Environ(), "SUMO_HOME="+sumoHome(), "PYTHONPATH="+filepath.Join(sumoHome(), "tools"))
	cmd.Env = append(cmd.Env, env...)
	return cmd.CombinedOutput()
}

// TestGoldenPython runs the golden session through SUMO's own Python
// client against citytwin-sumo (a process, on a socket, started by
// traci.start) and compares every call with SUMO's recording: the client
// decodes every answer, statuses match, values have the same Python type
// shape and the same wire layout, and the static values are equal.
func TestGoldenPython(t *testing.T) {
	needPythonTraci(t)
	bin := serverBinary(t)
	out := filepath.Join(t.TempDir(), "citytwin.json")
	if b, err := python(t, nil, "testdata/record.py", "--binary", bin, "--out", out); err != nil {
		t.Fatalf("record.py against citytwin-sumo: %v\n%s", err, b)
	}
	want := readGolden(t, goldenPath("sumo-1.15.json"))
	got := readGolden(t, out)
	if len(got) != len(want) {
		t.Fatalf("%d calls recorded, SUMO's recording has %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Req != w.Req {
			t.Fatalf("call %d: %s with request %s; SUMO's recording has %s with %s (re-record the golden file)", i, g.Name, g.Req, w.Name, w.Req)
		}
		wb, _ := hex.DecodeString(w.Resp)
		gb, _ := hex.DecodeString(g.Resp)
		if err := compareCall(w, wb, gb); err != nil {
			t.Errorf("call %d %s%v: %v", i, w.Name, w.Args, err)
			continue
		}
		if !w.Subset {
			continue
		}
		if g.OK != w.OK {
			t.Errorf("call %d %s%v: the client got ok=%v (%s), with SUMO ok=%v (%s)", i, w.Name, w.Args, g.OK, g.Error, w.OK, w.Error)
			continue
		}
		if w.OK && !shapeMatch(w.Shape, g.Shape) {
			t.Errorf("call %d %s%v: the client decoded %s (%s), from SUMO %s (%s)", i, w.Name, w.Args, g.Shape, g.Repr, w.Shape, w.Repr)
		}
		if w.Static && w.OK && !strings.EqualFold(string(g.Value), string(w.Value)) && !equalJSONNumbers(g.Value, w.Value) {
			t.Errorf("call %d %s%v: value %s, SUMO %s", i, w.Name, w.Args, g.Repr, w.Repr)
		}
	}
}

// equalJSONNumbers compares two JSON values, numbers to 1e-9 (relative).
func equalJSONNumbers(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return equalAny(x, y)
}

func equalAny(x, y any) bool {
	switch x := x.(type) {
	case float64:
		y, ok := y.(float64)
		return ok && (x == y || math.Abs(x-y) <= float64(1e-9*max(math.Abs(x), math.Abs(y))))
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalAny(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !equalAny(v, y[k]) {
				return false
			}
		}
		return true
	}
	return x == y
}

// runScript runs one of twin/client's TraCI scripts, with extra
// environment variables env, and decodes the JSON line it prints last.
func runScript(t *testing.T, v any, env []string, script string, args ...string) {
	t.Helper()
	out, err := python(t, env, append([]string{filepath.Join("..", "client", script)}, args...)...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), v); err != nil {
		t.Fatalf("%s printed %s: %v", script, out, err)
	}
}

// mpResult is what traci_maxpressure.py prints.
type mpResult struct {
	Departed       int     `json:"departed"`
	Arrived        int     `json:"arrived"`
	MeanTravelTime float64 `json:"mean_travel_time"`
	Time           float64 `json:"time"`
	StepsPerS      float64 `json:"steps_per_s"`
	InStep         float64 `json:"in_step"`
}

// A max-pressure controller written against traci alone
// (twin/client/traci_maxpressure.py) runs on SUMO and on CityTwin, on the
// same network and routes: every vehicle arrives in both, and the mean
// travel times are within 10 % of each other.
func TestMaxPressureBothEngines(t *testing.T) {
	needPythonTraci(t)
	if _, err := exec.LookPath("sumo"); err != nil {
		t.Skip("sumo is not installed (Debian: apt-get install sumo): the SUMO side is skipped")
	}
	bin := serverBinary(t)
	files := []string{"-n", "testdata/grid.net.xml", "-r", "testdata/grid.rou.xml"}
	var sumo, ct mpResult
	runScript(t, &sumo, nil, "traci_maxpressure.py", append([]string{"--binary", "sumo"}, files...)...)
	runScript(t, &ct, nil, "traci_maxpressure.py", append([]string{"--binary", bin}, files...)...)
	t.Logf("SUMO:     %+v", sumo)
	t.Logf("CityTwin: %+v", ct)
	if sumo.Arrived != sumo.Departed || ct.Arrived != ct.Departed || ct.Arrived != 393 {
		t.Errorf("arrived %d/%d in SUMO, %d/%d in CityTwin, want all 393", sumo.Arrived, sumo.Departed, ct.Arrived, ct.Departed)
	}
	if d := ct.MeanTravelTime/sumo.MeanTravelTime - 1; math.Abs(d) > 0.10 {
		t.Errorf("mean travel time %.1f s in CityTwin, %.1f s in SUMO: %+.1f %%, beyond ±10 %%", ct.MeanTravelTime, sumo.MeanTravelTime, 100*d)
	}
}

// A sumo-rl-style environment loop (twin/client/traci_sumorl_loop.py: the
// probe run, labelled connections, setProgramLogic and
// setRedYellowGreenState, sumo-rl's observations and rewards) runs on
// CityTwin, found through SUMO_BINARY as sumo-rl finds sumo, for two
// episodes, each started afresh, with the same results.
func TestSumoRLLoop(t *testing.T) {
	needPythonTraci(t)
	bin := serverBinary(t)
	var res struct {
		Binary        string `json:"binary"`
		TrafficLights int    `json:"traffic_lights"`
		Episodes      []struct {
			Simulated   float64 `json:"simulated_s"`
			Decisions   int     `json:"decisions"`
			TotalReward float64 `json:"total_reward"`
			Departed    int     `json:"departed"`
			Arrived     int     `json:"arrived"`
			MeanWaiting float64 `json:"mean_waiting_time"`
			MeanSpeed   float64 `json:"mean_speed"`
		} `json:"episodes"`
	}
	// The server is found as sumo-rl finds it: sumolib.checkBinary("sumo")
	// returns $SUMO_BINARY.
	runScript(t, &res, []string{"SUMO_BINARY=" + bin}, "traci_sumorl_loop.py", "-n", "testdata/grid.net.xml", "-r", "testdata/grid.rou.xml",
		"--seconds", "300", "--episodes", "2")
	t.Logf("%+v", res)
	if res.Binary != filepath.Base(bin) {
		t.Errorf("the loop ran %s, want %s from SUMO_BINARY", res.Binary, filepath.Base(bin))
	}
	if res.TrafficLights != 4 || len(res.Episodes) != 2 {
		t.Fatalf("%d traffic lights, %d episodes; want 4 and 2", res.TrafficLights, len(res.Episodes))
	}
	e := res.Episodes[0]
	if e.Simulated != 300 || e.Decisions == 0 || e.Departed < 150 || e.Arrived == 0 || !(e.MeanSpeed > 0) {
		t.Errorf("episode: %+v", e)
	}
	if res.Episodes[1] != e {
		t.Errorf("the second episode differs from the first: %+v vs %+v", res.Episodes[1], e)
	}
}

// The network's own actuated programs (SUMO's gap-based actuated lights)
// run through TraCI on SUMO and on CityTwin, on bench/sumocase's
// grid5-actuated: the mean travel times are within 10 %.
func TestActuatedBothEngines(t *testing.T) {
	needPythonTraci(t)
	if err := sumocase.Available(); err != nil {
		t.Skip(err)
	}
	c, err := sumocase.Lookup("grid5-actuated")
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.Generate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"--control", "none", "-n", f.Net, "-r", f.Routes}
	var sumo, ct mpResult
	runScript(t, &sumo, nil, "traci_maxpressure.py", append([]string{"--binary", "sumo"}, files...)...)
	runScript(t, &ct, nil, "traci_maxpressure.py", append([]string{"--binary", serverBinary(t)}, files...)...)
	t.Logf("SUMO:     %+v", sumo)
	t.Logf("CityTwin: %+v", ct)
	if sumo.Arrived != sumo.Departed || ct.Arrived != ct.Departed || ct.Arrived != sumo.Arrived {
		t.Errorf("arrived %d/%d in SUMO, %d/%d in CityTwin", sumo.Arrived, sumo.Departed, ct.Arrived, ct.Departed)
	}
	if d := ct.MeanTravelTime/sumo.MeanTravelTime - 1; math.Abs(d) > 0.10 {
		t.Errorf("mean travel time %.1f s in CityTwin, %.1f s in SUMO: %+.1f %%, beyond ±10 %%", ct.MeanTravelTime, sumo.MeanTravelTime, 100*d)
	}
}
