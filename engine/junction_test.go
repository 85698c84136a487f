package engine

import (
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// junctionGrid is a busy 4×4 grid with turning traffic: 4,000 trips
// between roads spread over the network, one every 0.25 s.
func junctionGrid(t *testing.T) (*maps.Network, []Trip) {
	t.Helper()
	net, err := maps.Grid(maps.GridOptions{Rows: 4, Cols: 4, Block: 120, Lanes: 2, Speed: 13.89})
	if err != nil {
		t.Fatal(err)
	}
	var trips []Trip
	for k := 0; k < 4000; k++ {
		from, to := maps.RoadID(k*7%len(net.Roads)), maps.RoadID((k*13+5)%len(net.Roads))
		if from != to {
			trips = append(trips, Trip{Depart: float64(k) / 4, From: from, To: to})
		}
	}
	return net, trips
}

// TestJunctionMasks checks that the junction phase's shortcuts change no
// decision: its bit masks (junctionMasks, and Sim.crossWait behind
// waitMask, and the live mask before each crossBlocked call), mayEnter's
// short way for vehicles held by their light and admit's path length
// read only when a foe is asked about. A busy grid with turning traffic runs to the same state
// hash with them as with every check run in full, as at a node whose
// links do not fit in a mask, and with every vehicle decided by mayEnter;
// with lane choice at the line and with fixed lanes (Config.FixedLanes,
// where a vehicle waiting for room takes no other lane). crossWait
// mirrors headTo all along (checkInvariants).
func TestJunctionMasks(t *testing.T) {
	net, trips := junctionGrid(t)
	for _, tc := range []struct {
		name       string
		fixedLanes bool
	}{
		{"lane choice", false},
		{"fixed lanes", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Seed, cfg.Workers, cfg.FixedLanes = 1, 1, tc.fixedLanes
			masked, full := twinSims(t, net, cfg, trips)
			n := 0
			for v := range full.jm.lo {
				if full.jm.lo[v] >= 0 {
					n++
				}
				full.jm.lo[v] = -1
			}
			for k := range full.jm.cross {
				full.jm.cross[k] = ^uint64(0)
			}
			for l := range full.jm.into {
				full.jm.into[l] = ^uint64(0)
			}
			full.jm.exact = true
			if n == 0 {
				t.Fatal("no node of the grid has masks: the test compares nothing")
			}
			held := 0
			for step := 1; step <= 1200; step++ {
				masked.Step()
				full.Step()
				if step%100 == 0 && masked.Hash() != full.Hash() {
					t.Fatalf("after %d steps: state hash %016x with shortcuts, %016x without", step, masked.Hash(), full.Hash())
				}
				if err := masked.checkInvariants(); err != nil {
					t.Fatalf("after %d steps: %v", step, err)
				}
				for i := range masked.segs {
					if len(masked.segs[i].cars) != len(full.segs[i].cars) {
						t.Fatalf("after %d steps: segment %d holds %d vehicles with shortcuts, %d without", step, i, len(masked.segs[i].cars), len(full.segs[i].cars))
					}
					for j := range masked.segs[i].cars {
						a, b := &masked.segs[i].cars[j], &full.segs[i].cars[j]
						if a.flags != b.flags {
							t.Fatalf("after %d steps: vehicle %d flags %#x with shortcuts, %#x without", step, a.id, a.flags, b.flags)
						}
						if a.flags&fRed != 0 {
							held++
						}
					}
				}
			}
			if c := masked.Counts(); c.Arrived < 400 || held < 1000 {
				t.Errorf("%d vehicles arrived, %d vehicle-steps held by a light: the grid is not busy enough to test the junctions", c.Arrived, held)
			}
		})
	}
}

// TestFitsShortWay checks fits' short way (an exit lane that holds the
// vehicle: room straight away) against fitsAlong, the look along the
// route it takes otherwise, for the first vehicle of every lane of a busy
// grid over many steps, with and without the junction's scratch and with
// room reserved on the exit lane.
func TestFitsShortWay(t *testing.T) {
	net, trips := junctionGrid(t)
	cfg := DefaultConfig()
	cfg.Seed, cfg.Workers = 1, 1
	s, err := New(net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	asked, full := 0, 0
	for step := 1; step <= 600; step++ {
		s.Step()
		for v := range s.nodes {
			sc := &junctionScratch{}
			s.startNode(v, sc)
			for _, li := range s.nodes[v].lanes {
				cars := s.segs[li].cars
				if len(cars) == 0 || cars[0].link < 0 {
					continue
				}
				c := &cars[0]
				mg := s.vtypes[c.vt].Follow.MinGap
				need := float64(c.length) + mg
				lane := s.linkLane[c.link]
				for _, with := range []*junctionScratch{nil, sc} {
					asked++
					got, want := s.fits(lane, with, c, mg, 1), s.fitsAlong(lane, with, c, need, 1)
					if got != want {
						t.Fatalf("step %d, lane %d: fits %v, fitsAlong %v", step, li, got, want)
					}
					if got {
						full++
					}
				}
				if step%3 == 0 {
					s.reserve(lane, 7.5, sc) // later lanes of the node see it
				}
			}
		}
	}
	if asked < 10000 || full == 0 || full == asked {
		t.Errorf("%d questions, %d with room: not a test", asked, full)
	}
}
