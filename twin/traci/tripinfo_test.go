package traci

import (
	"encoding/xml"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/citytwin/citytwin/twin/traci/wire"
)

type tripinfos struct {
	Trips []struct {
		ID          string  `xml:"id,attr"`
		Depart      float64 `xml:"depart,attr"`
		DepartDelay float64 `xml:"departDelay,attr"`
		Arrival     float64 `xml:"arrival,attr"`
		Duration    float64 `xml:"duration,attr"`
		RouteLength float64 `xml:"routeLength,attr"`
		WaitingTime float64 `xml:"waitingTime,attr"`
		TimeLoss    float64 `xml:"timeLoss,attr"`
		Vaporized   string  `xml:"vaporized,attr"`
	} `xml:"tripinfo"`
}

func readTripinfo(t *testing.T, path string) tripinfos {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ti tripinfos
	if err := xml.Unmarshal(data, &ti); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ti
}

// summary returns the mean duration and time loss of the arrived trips.
func (ti tripinfos) summary() (n int, duration, timeLoss float64) {
	for _, tr := range ti.Trips {
		if tr.Vaporized == "" {
			n++
			duration += tr.Duration
			timeLoss += tr.TimeLoss
		}
	}
	return n, duration / float64(max(n, 1)), timeLoss / float64(max(n, 1))
}

// --tripinfo-output writes SUMO's tripinfo XML (RESCO's results come
// from it): valid against SUMO's schema when xmllint and SUMO's XSDs are
// installed, with the unfinished vehicles on request, and, with the
// network's own programs, durations and time losses near SUMO's on the
// same files.
func TestTripinfo(t *testing.T) {
	dir := t.TempDir()
	ours := filepath.Join(dir, "ct.xml")
	s := newTestSession(t, append(goldenArgs, "--tripinfo-output", ours, "--tripinfo-output.write-unfinished")...)
	s.handle(cmd(wire.CmdSimStep, f64(300)))
	if err := s.w.writeTripinfo(ours, true); err != nil {
		t.Fatal(err)
	}
	ti := readTripinfo(t, ours)
	running := 0
	for _, tr := range ti.Trips {
		switch {
		case tr.Vaporized == "end":
			running++
			if tr.Arrival != -1 || tr.Duration != 300-tr.Depart {
				t.Errorf("unfinished %s: arrival %v duration %v, want -1 and %v", tr.ID, tr.Arrival, tr.Duration, 300-tr.Depart)
			}
		case math.Abs(tr.Arrival-tr.Depart-tr.Duration) > 1e-6 || tr.DepartDelay < 0 || tr.RouteLength <= 0 ||
			tr.TimeLoss < 0 || tr.TimeLoss > tr.Duration+1e-6 || tr.WaitingTime > tr.Duration:
			t.Errorf("trip %+v is inconsistent", tr)
		}
	}
	if n := len(s.w.running); running != n || len(ti.Trips) != n+len(s.w.sim.Finished()) {
		t.Errorf("%d tripinfos, %d unfinished; want %d + %d", len(ti.Trips), running, len(s.w.sim.Finished()), n)
	}
	checkTripinfoSchema(t, ours)

	// The whole run, against sumo's own on the same files.
	if _, err := exec.LookPath("sumo"); err != nil {
		t.Skip("sumo is not installed (Debian: apt-get install sumo): the comparison with SUMO's tripinfo is skipped")
	}
	theirs := filepath.Join(dir, "sumo.xml")
	sumo := exec.Command("sumo", "-n", "testdata/grid.net.xml", "-r", "testdata/grid.rou.xml", "--seed", "42",
		"--no-step-log", "--no-warnings", "--tripinfo-output", theirs)
	sumo.Env = append(os.Environ(), "SUMO_HOME="+sumoHome())
	out, err := sumo.CombinedOutput()
	if err != nil {
		t.Fatalf("sumo: %v\n%s", err, out)
	}
	for s.w.expected() > 0 && s.w.nowMs < 3_600_000 {
		s.handle(cmd(wire.CmdSimStep, f64(0)))
	}
	if err := s.w.writeTripinfo(ours, false); err != nil {
		t.Fatal(err)
	}
	nc, dc, lc := readTripinfo(t, ours).summary()
	ns, ds, ls := readTripinfo(t, theirs).summary()
	t.Logf("CityTwin: %d trips, mean duration %.1f s, time loss %.1f s; SUMO: %d, %.1f s, %.1f s", nc, dc, lc, ns, ds, ls)
	if nc != ns || math.Abs(dc/ds-1) > 0.10 || math.Abs(lc-ls) > 0.2*ds {
		t.Errorf("CityTwin %d trips, %.1f s, time loss %.1f s; SUMO %d trips, %.1f s, %.1f s", nc, dc, lc, ns, ds, ls)
	}
}

// checkTripinfoSchema validates against SUMO's tripinfo_file.xsd with
// xmllint, when both are installed.
func checkTripinfoSchema(t *testing.T, path string) {
	xsd := filepath.Join(sumoHome(), "data", "xsd", "tripinfo_file.xsd")
	if _, err := os.Stat(xsd); err != nil {
		t.Logf("SUMO's tripinfo_file.xsd is not installed (apt-get install sumo): schema check skipped")
		return
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Logf("xmllint is not installed (apt-get install libxml2-utils): schema check skipped")
		return
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, path).CombinedOutput(); err != nil {
		t.Errorf("the tripinfo output does not validate against %s: %v\n%s", xsd, err, out)
	}
}
