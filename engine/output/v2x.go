package output

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/citytwin/citytwin/engine"
)

// RSUFile is the name of the roadside-unit counters file WriteRSUFile
// writes.
const RSUFile = "rsu.csv"

// WriteRSUs writes the message counters of every roadside unit as CSV, one
// row per unit in junction order: the junction id; the SPaT broadcasts
// sent (one per step), received and lost by the equipped vehicles in range
// (one per vehicle and step) and the share lost; the status messages those
// vehicles sent, received and lost. It writes only the header when
// connectivity is off.
func WriteRSUs(w io.Writer, sim *engine.Sim) error {
	net := sim.Network()
	cw := csv.NewWriter(w)
	cw.Write([]string{"junction", "spat_sent", "spat_received", "spat_lost", "spat_loss_share", "status_sent", "status_received", "status_lost"})
	for _, c := range sim.RSUCounts() {
		share := 0.0
		if n := c.SPaTReceived + c.SPaTLost; n > 0 {
			share = float64(c.SPaTLost) / float64(n)
		}
		i := func(x int64) string { return strconv.FormatInt(x, 10) }
		cw.Write([]string{net.Nodes[c.Node].ID, i(c.SPaTSent), i(c.SPaTReceived), i(c.SPaTLost), strconv.FormatFloat(share, 'f', 4, 64),
			i(c.StatusSent), i(c.StatusRecv), i(c.StatusLost)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteRSUFile writes RSUFile into dir (created if needed) and returns its
// path. Call it after the run, when the simulation has connected vehicles.
func WriteRSUFile(dir string, sim *engine.Sim) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("output: %w", err)
	}
	p := filepath.Join(dir, RSUFile)
	if err := WriteFile(p, func(w io.Writer) error { return WriteRSUs(w, sim) }); err != nil {
		return "", err
	}
	return p, nil
}
