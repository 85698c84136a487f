package sumocase

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A small case through both engines: the files load directly, every
// vehicle arrives in both, and the mean travel times agree (the engines'
// fidelity is measured on the standard cases by the fidelity report; this
// guards the files and the runs).
func TestCaseBothEngines(t *testing.T) {
	if err := Available(); err != nil {
		t.Skip(err)
	}
	c := Case{Name: "tiny", Net: Net{Kind: "grid", Size: 3, Lanes: 1, TLS: "actuated"}, Trip: Demand{End: 300, Period: 3, Seed: 1}}
	dir := t.TempDir()
	f, err := c.Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := RunSUMO(f, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := RunCityTwin(f, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SUMO %+v\nCityTwin %+v", ref, got)
	if ref.Vehicles < 80 || ref.Arrived != ref.Vehicles || got.Vehicles != ref.Vehicles || got.Arrived != got.Vehicles || got.Teleports != 0 {
		t.Errorf("SUMO %d vehicles, %d arrived; CityTwin %d, %d arrived, %d teleports", ref.Vehicles, ref.Arrived, got.Vehicles, got.Arrived, got.Teleports)
	}
	if d := got.MeanTravelTime/ref.MeanTravelTime - 1; math.Abs(d) > 0.15 {
		t.Errorf("mean travel time %.1f s, SUMO %.1f s (%+.0f%%)", got.MeanTravelTime, ref.MeanTravelTime, 100*d)
	}
	// CityTwin stops once the network is empty, as SUMO does.
	if got.End > ref.End+120 || got.End < 300 {
		t.Errorf("CityTwin ended at %g s, SUMO at %g s", got.End, ref.End)
	}
	// The same case gives the same files.
	g, err := c.Generate(filepath.Join(dir, "again"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]string{{f.Net, g.Net}, {f.Routes, g.Routes}} {
		a, _ := os.ReadFile(p[0])
		b, _ := os.ReadFile(p[1])
		if !bytes.Equal(dropComments(a), dropComments(b)) {
			t.Errorf("%s and %s differ", p[0], p[1])
		}
	}
}

// dropComments removes the XML comments (SUMO writes its options and the
// date there).
func dropComments(b []byte) []byte {
	s := string(b)
	for {
		i := strings.Index(s, "<!--")
		if i < 0 {
			return []byte(s)
		}
		j := strings.Index(s[i:], "-->")
		if j < 0 {
			return []byte(s)
		}
		s = s[:i] + s[i+j+3:]
	}
}

func TestLookupAndChecks(t *testing.T) {
	if _, err := Lookup("grid5-static"); err != nil {
		t.Error(err)
	}
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), "grid5-static") {
		t.Errorf("Lookup(nope): %v", err)
	}
	if err := Available(); err != nil {
		t.Skip(err)
	}
	for _, c := range []Case{{Name: "x", Net: Net{Kind: "ring", Size: 3}}, {Name: "y", Net: Net{Kind: "grid", Size: 1}},
		{Name: "z", Net: Net{Kind: "grid", Size: 3, TLS: "adaptive"}}} {
		if _, err := c.Generate(t.TempDir()); err == nil {
			t.Errorf("%s: generated", c.Name)
		}
	}
	s := Scenario(Files{Net: "/a/n.net.xml", Routes: "/a/r.rou.xml", Case: Case{Name: "n"}}, RunOptions{})
	for _, want := range []string{`sumo = "/a/n.net.xml"`, `sumo = "/a/r.rou.xml"`, "stop_when_empty = true", "teleport = 300", "duration = 1800"} {
		if !strings.Contains(s, want) {
			t.Errorf("scenario lacks %q:\n%s", want, s)
		}
	}
}
