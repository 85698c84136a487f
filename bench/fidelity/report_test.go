package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/bench/sumocase"
)

// TestReport writes a report from made-up runs and checks its tables:
// the differences to the references, the cut against fixed time, the
// actuated-against-static pairs and the skipped sections.
func TestReport(t *testing.T) {
	r := report{date: "2026-12-06", goVersion: "go1.x",
		native: []cfRun{
			{dataset: "Jinan 3×4", flow: "a.json", ref: cfFlow{refATT: 400, refTrips: 5000}, att: 420, finished: 4900, due: 6000, waiting: 12},
			{dataset: "Jinan 3×4", flow: "b.json", att: 300, finished: 4000, due: 4100},
		},
		policy: []cfRun{
			{dataset: "Jinan 3×4", policy: "fixed time", att: 500, finished: 4800, due: 6000},
			{dataset: "Jinan 3×4", policy: "max pressure", att: 350, finished: 5500, due: 6000, starved: 3},
			{dataset: "Jinan 3×4", policy: "SOTL", att: 375, finished: 5400, due: 6000, gridlocks: 1, worst: "t = 600 s: gridlock of 4 lanes"},
		},
		sumoVersion: "1.15.0",
		sumo: []sumoRun{
			{c: sumocase.Case{Name: "g-static"}, sumo: sumocase.Result{Vehicles: 100, Arrived: 100, MeanTravelTime: 200}, twin: sumocase.Result{Vehicles: 100, Arrived: 100, MeanTravelTime: 210}},
			{c: sumocase.Case{Name: "g-actuated"}, sumo: sumocase.Result{Vehicles: 100, Arrived: 100, MeanTravelTime: 150}, twin: sumocase.Result{Vehicles: 100, Arrived: 99, Teleports: 1, MeanTravelTime: 147}},
		},
	}
	var b bytes.Buffer
	r.write(&b)
	out := b.String()
	for _, want := range []string{
		"| Jinan 3×4 | `a.json` | 6,000 | 400.00 s | 420.0 s | +5.0 % | 5,000 | 4,900 | 12 |",
		"| Jinan 3×4 | `b.json` | 4,100 | – | 300.0 s | – | – | 4,000 | 0 |",
		"| Jinan 3×4 | max pressure | 350.0 s | -30.0 % | 5,500 of 6,000 | 0 | 0 | 3 |",
		"| Jinan 3×4 | SOTL | 375.0 s | -25.0 % | 5,400 of 6,000 | 1 | 0 | 0 |",
		"- Jinan 3×4, SOTL: t = 600 s: gridlock of 4 lanes",
		"| g-static | 100 | 100 | 100 | 0 | 0 | 200.0 s | 210.0 s | +5.0 % |",
		"| g-actuated | 100 | 100 | 99 | 0 | 1 | 150.0 s | 147.0 s | -2.0 % |",
		"largest difference in mean travel time is 5.0 %",
		"| g | 200.0 s | 150.0 s (-25.0 %) | 210.0 s | 147.0 s (-30.0 %) |",
		"## Where CityTwin differs, and why",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	r.cfSkipped, r.sumoSkipped = "CITYTWIN_DATASETS is not set", "sumo is not installed"
	b.Reset()
	r.write(&b)
	if n := strings.Count(b.String(), "Skipped: "); n != 3 {
		t.Errorf("%d skipped sections, want 3:\n%s", n, b.String())
	}
}
