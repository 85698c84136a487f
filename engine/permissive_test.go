package engine_test

import (
	"fmt"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
)

// TestPermissiveGreen gives two crossing through movements of a junction,
// exclusive in its conflict matrix (neither yields to the other), a green
// together: the program is refused when both greens are protected ('G'),
// and runs when one of them gives way ('g'). Then the yielding stream must
// really give way in the engine: the protected stream crosses as if alone
// (its vehicles' delay does not depend on the other stream), while the
// yielding one waits for gaps; swapping the letters swaps the roles.
// No vehicle crosses on red and the engine's invariants hold.
func TestPermissiveGreen(t *testing.T) {
	j := newJunction(t, 1, 0)
	net := j.net
	// The crossing through movement from the south.
	S, ok1 := net.RoadByID("road_1_0_1")
	N, ok2 := net.RoadByID("road_1_1_1")
	if !ok1 || !ok2 {
		t.Fatal("grid 1×1 has no road_1_0_1 or road_1_1_1")
	}
	SN := net.MovementBetween(S, N)
	if SN == maps.None {
		t.Fatal("no movement from road_1_0_1 to road_1_1_1")
	}
	we, sn := net.Movements[j.WE].Local, net.Movements[SN].Local
	if !j.node.Conflicts.Exclusive(we, sn) {
		t.Fatalf("movements %d and %d are not exclusive", we, sn)
	}
	state := func(weL, snL byte) string {
		st := []byte(fmt.Sprintf("%0*d", len(j.node.Movements), 0))
		for i := range st {
			st[i] = 'r'
		}
		st[we], st[sn] = weL, snL
		return string(st)
	}
	if err := j.node.Conflicts.CheckPhase(state('G', 'G')); err == nil {
		t.Fatalf("both protected: accepted")
	}
	// 600 veh/h on each stream for 20 min, and the same on W→E alone.
	var both, alone []engine.Trip
	for i := 0; i < 200; i++ {
		t0 := float64(6 * i)
		both = append(both, engine.Trip{Depart: t0, From: j.W, To: j.E}, engine.Trip{Depart: t0 + 2, From: S, To: N})
		alone = append(alone, engine.Trip{Depart: t0, From: j.W, To: j.E})
	}
	// meanDelay runs trips under a one-phase program with the given
	// letters and returns the mean travel time (s) of the trips from W and
	// from S.
	meanTT := func(weL, snL byte, trips []engine.Trip) (fromW, fromS float64) {
		prog := *j.node.Program
		prog.Phases = []maps.Phase{{Duration: 3600, State: state(weL, snL)}}
		cfg := engine.DefaultConfig()
		cfg.Workers = 1
		cfg.Teleport = -1
		sim, err := engine.New(net, cfg, trips)
		if err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		if err := sim.SetProgram(net.Movements[j.WE].Node, &prog); err != nil {
			t.Fatalf("program %s: %v", prog.Phases[0].State, err)
		}
		r := runWatched("permissive", sim, 2400, 0)
		if r.err != nil {
			t.Fatalf("%d steps failed the checks; the first: %v", r.bad, r.err)
		}
		if len(r.w.red) > 0 {
			t.Fatalf("%d crossings on red", len(r.w.red))
		}
		var sw, ss float64
		var nw, ns int
		for id := range sim.NumTrips() {
			tr := sim.Trip(id)
			if tr.Status != engine.TripArrived {
				t.Fatalf("trip %s: %s", tr.ID, tr.Status)
			}
			if tr.Origin == net.Roads[j.W].ID {
				sw += tr.TravelTime
				nw++
			} else {
				ss += tr.TravelTime
				ns++
			}
		}
		fromW = sw / float64(max(nw, 1))
		fromS = ss / float64(max(ns, 1))
		return fromW, fromS
	}
	base, _ := meanTT('G', 'g', alone)
	wG, sg := meanTT('G', 'g', both)
	wg, sG := meanTT('g', 'G', both)
	t.Logf("W→E alone %.1f s; W→E 'G' %.1f s with S→N 'g' %.1f s; W→E 'g' %.1f s with S→N 'G' %.1f s", base, wG, sg, wg, sG)
	if wG > base+1 {
		t.Errorf("the protected W→E stream lost %.1f s to the yielding one", wG-base)
	}
	if sg < sG+2 || wg < wG+2 {
		t.Errorf("the yielding stream does not wait: S→N 'g' %.1f s vs 'G' %.1f s; W→E 'g' %.1f s vs 'G' %.1f s", sg, sG, wg, wG)
	}
}
