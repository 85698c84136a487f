package testnet

import (
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
)

// Ring is GridlockRing simulated: its network, trips and settings (no
// teleports) and the simulation after 900 s.
type Ring struct {
	Net    *maps.Network
	Trips  []engine.Trip
	Config engine.Config
	Sim    *engine.Sim
}

// Gridlocked returns GridlockRing simulated for 900 s, closed when the
// test ends.
func Gridlocked(t testing.TB) Ring {
	t.Helper()
	r := Ring{Config: engine.DefaultConfig()}
	r.Net, r.Trips = GridlockRing(t)
	r.Config.Teleport = -1
	sim, err := engine.New(r.Net, r.Config, r.Trips)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	sim.RunUntil(900)
	r.Sim = sim
	return r
}

// GridlockRing returns a one-lane 2×2 grid and 80 trips that all go round
// the ring of its four inner roads, departing four a second from each
// ring road: without teleports every ring road's queue waits on the next,
// a gridlock of the four ring lanes within a few minutes.
func GridlockRing(t testing.TB) (*maps.Network, []engine.Trip) {
	t.Helper()
	net, err := maps.Grid(maps.GridOptions{Rows: 2, Cols: 2, Block: 60, Lanes: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The ring: the four roads between the inner junctions.
	inner := func(v maps.NodeID) bool { return net.Nodes[v].Kind != maps.Boundary }
	var ring []maps.RoadID
	for r := range net.Roads {
		if rd := &net.Roads[r]; inner(rd.From) && inner(rd.To) {
			ring = append(ring, maps.RoadID(r))
		}
	}
	// Ordered as a cycle, one direction.
	cyc := []maps.RoadID{ring[0]}
	for len(cyc) < 4 {
		last := &net.Roads[cyc[len(cyc)-1]]
		for _, r := range ring {
			if net.Roads[r].From == last.To && net.Roads[r].To != last.From {
				cyc = append(cyc, r)
				break
			}
		}
	}
	var trips []engine.Trip
	for k := 0; k < 80; k++ {
		s := k % 4
		route := maps.Route{cyc[s], cyc[(s+1)%4], cyc[(s+2)%4], cyc[(s+3)%4]}
		trips = append(trips, engine.Trip{Depart: float64(k / 4), From: route[0], To: route[3], Route: route})
	}
	return net, trips
}
