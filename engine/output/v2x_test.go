package output_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/internal/testrun"
)

// v2xBase is a 1×3 corridor; v2xScenario adds connectivity to it.
const v2xBase = `
seed = 2
duration = 400
[network.grid]
rows = 1
cols = 3
block = 200
[[vtypes]]
id = "car"
connected = 0.6
[[demand.flows]]
from = "road_0_1_0"
to = "road_3_1_0"
rate = 900
`

const v2xScenario = v2xBase + `
[v2x]
rsus = ["intersection_3_1", "intersection_1_1"]
[v2x.spat]
loss = 0.25
[v2x.sensors]
enabled = true
`

func v2xSim(t *testing.T, text string) *engine.Sim {
	t.Helper()
	sc := testrun.Parse(t, text, "v2x.toml")
	run, sim := testrun.Start(t, sc)
	sim.RunUntil(run.End())
	return sim.Sim
}

func TestWriteRSUs(t *testing.T) {
	sim := v2xSim(t, v2xScenario)
	dir := t.TempDir()
	p, err := output.WriteRSUFile(dir, sim)
	if err != nil {
		t.Fatal(err)
	}
	if p != filepath.Join(dir, output.RSUFile) {
		t.Errorf("path %q, want %q", p, filepath.Join(dir, output.RSUFile))
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"junction", "spat_sent", "spat_received", "spat_lost", "spat_loss_share", "status_sent", "status_received", "status_lost"}; !slices.Equal(rows[0], want) {
		t.Fatalf("header %v, want %v", rows[0], want)
	}
	// One row per unit, in junction order.
	if len(rows) != 3 || rows[1][0] != "intersection_1_1" || rows[2][0] != "intersection_3_1" {
		t.Fatalf("rows %v, want intersection_1_1 then intersection_3_1", rows[1:])
	}
	for _, r := range rows[1:] {
		n := make([]float64, 7)
		for i := range n {
			if n[i], err = strconv.ParseFloat(r[i+1], 64); err != nil {
				t.Fatalf("row %v: %v", r, err)
			}
		}
		sent, recv, lost, share, status := n[0], n[1], n[2], n[3], n[5]
		if n[4] != n[5]+n[6] {
			t.Errorf("%s: status sent %g, want received %g + lost %g", r[0], n[4], n[5], n[6])
		}
		if sent != 400 {
			t.Errorf("%s: %g SPaT broadcasts, want one per step (400)", r[0], sent)
		}
		if recv == 0 || lost == 0 || status == 0 {
			t.Errorf("%s: received %g, lost %g, status %g; want all positive", r[0], recv, lost, status)
		}
		if share < 0.2 || share > 0.3 {
			t.Errorf("%s: loss share %g, want about the channel's 0.25", r[0], share)
		}
	}

	// Without connectivity the file has its header only.
	var b bytes.Buffer
	if err := output.WriteRSUs(&b, v2xSim(t, v2xBase)); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "junction,spat_sent,spat_received,spat_lost,spat_loss_share,status_sent,status_received,status_lost\n" {
		t.Errorf("no [v2x]: got %q, want the header only", got)
	}
}
