package engine_test

import (
	"testing"
	"unsafe"

	"github.com/citytwin/citytwin/engine"
)

// TestPackSameResults checks that packing the lanes' vehicle lists changes
// no result: simulations packed at every step, every seventh step (on
// three workers) and never end every 100 steps in the same state, with
// the same run digest. A packed list given room that is not its own
// (an append writing over the next lane's first vehicle) fails it.
func TestPackSameResults(t *testing.T) {
	cases := []struct {
		name string
		toml string
	}{
		{"busy grid, IDM, 1 s", busyGridTOML(1, "idm", 3000)},
		{"busy grid, Krauss, 0.5 s", busyGridTOML(0.5, "krauss", 3000)},
		{"turning", turning},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, base := mustSim(t, tc.toml, nil)
			base.SetPackEvery(0)
			sims := []*engine.Sim{base, base.CloneWorkers(1), base.CloneWorkers(3)}
			sims[1].SetPackEvery(1)
			sims[2].SetPackEvery(7)
			for _, s := range sims[1:] {
				t.Cleanup(s.Close)
			}
			for k := 1; k <= 8; k++ {
				for _, s := range sims {
					for range 100 {
						s.Step()
					}
				}
				for i, s := range sims[1:] {
					if s.Hash() != base.Hash() {
						t.Fatalf("after %d steps: sim %d (packed) ended in state %016x, unpacked %016x", 100*k, i+1, s.Hash(), base.Hash())
					}
				}
			}
			if base.Counts().Running < 50 {
				t.Fatalf("only %d vehicles running: the case is too quiet to test packing", base.Counts().Running)
			}
			for i, s := range sims[1:] {
				if s.Digest() != base.Digest() {
					t.Errorf("sim %d (packed): run digest %016x, unpacked %016x", i+1, s.Digest(), base.Digest())
				}
				if err := s.CheckInvariants(); err != nil {
					t.Errorf("sim %d (packed): %v", i+1, err)
				}
			}
		})
	}
}

// TestPackLayout checks where pack puts the lists: one after the other in
// lane order, each with the capacity packCap gives it (never more than
// it had), and that a vehicle appended to a full packed list moves the
// list away instead of writing over the next lane's.
func TestPackLayout(t *testing.T) {
	_, sim := mustSim(t, busyGridTOML(1, "idm", 3000), nil)
	sim.SetPackEvery(0)
	for range 600 {
		sim.Step()
	}
	nl := len(sim.Network().Lanes)
	before := make([]int, nl)
	for l := range nl {
		_, before[l], _ = sim.LaneCars(l)
	}
	sim.Pack()
	var next unsafe.Pointer // where the next list with capacity must start
	full := -1              // a full lane followed by a lane with vehicles
	for l := range nl {
		n, c, p := sim.LaneCars(l)
		if want := min(before[l], n+max(2, n/8)); c != want {
			t.Fatalf("lane %d (%d vehicles, capacity %d before): packed capacity %d, want %d", l, n, before[l], c, want)
		}
		if c == 0 {
			continue
		}
		if next != nil && p != next {
			t.Fatalf("lane %d: list at %p, want %p, right after the previous lane's", l, p, next)
		}
		next = unsafe.Add(p, uintptr(c)*engine.CarSize)
		if n == c && full < 0 && l+1 < nl {
			if m, _, _ := sim.LaneCars(l + 1); m > 0 {
				full = l
			}
		}
	}
	if next == nil {
		t.Fatal("no lane has a list")
	}
	if full < 0 {
		t.Fatal("no full lane followed by one with vehicles: the case does not test appends")
	}
	_, _, p0 := sim.LaneCars(full)
	_, _, p1 := sim.LaneCars(full + 1)
	first := string(unsafe.Slice((*byte)(p1), engine.CarSize)) // lane full+1's first vehicle
	if p := sim.AppendToLane(full); p == p0 {
		t.Errorf("lane %d: a vehicle appended to its full packed list left it in place", full)
	}
	if _, _, p := sim.LaneCars(full + 1); p != p1 || string(unsafe.Slice((*byte)(p1), engine.CarSize)) != first {
		t.Errorf("lane %d: its list moved (%p, was %p) or its first vehicle changed when a vehicle was appended to lane %d", full+1, p, p1, full)
	}
}
