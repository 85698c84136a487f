package engine

import (
	"slices"
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

// junctionSim is a simulation of junctionGrid with the default settings,
// seed 1 and one worker, after edit (nil: none) has changed the network or
// the settings; it is closed when the test ends.
func junctionSim(t *testing.T, edit func(*maps.Network, *Config)) *Sim {
	t.Helper()
	net, trips := junctionGrid(t)
	cfg := DefaultConfig()
	cfg.Seed, cfg.Workers = 1, 1
	if edit != nil {
		edit(net, &cfg)
	}
	s, err := New(net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestJunctionMasks checks that the junction phase's shortcuts change no
// decision: its bit masks (junctionMasks, and Sim.crossWait behind
// waitMask, the nodes' lanes looked at in groups (nodeState.groups), and
// the live mask before each crossBlocked call), decideLane's short way
// for vehicles held by their light, passZone's skip of the vehicles
// behind a first vehicle beyond its zone marked so (fOut) at the step
// before, admit's path length read only when a foe is asked about, and
// fits written out in decideLane and admit (fits itself with jm.exact). A
// busy grid with turning traffic runs to the same state hash with them as
// with every check run in full, as at a node whose links do not fit in a
// mask, and with every vehicle decided by admit; with lane choice at the
// line and with fixed lanes (Config.FixedLanes, where a vehicle waiting
// for room takes no other lane). crossWait mirrors headTo, and the fOut
// marks hold, all along (checkInvariants).
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
			for k := range full.jm.link {
				full.jm.link[k].cross, full.jm.link[k].merge = ^uint64(0), ^uint64(0)
			}
			for l := range full.jm.into {
				full.jm.into[l], full.jm.out[l] = ^uint64(0), ^uint64(0)
			}
			for v := range full.nodes {
				// One group per lane: the bitmap looked at lane by lane.
				var gs []laneGroup
				for _, li := range full.nodeLanes(v) {
					gs = append(gs, lanesGroups([]int32{li})...)
				}
				full.nodes[v].groups = gs
			}
			full.jm.exact = true
			if n == 0 {
				t.Fatal("no node of the grid has masks: the test compares nothing")
			}
			held, passed := 0, 0
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
						if a.flags&fOut != 0 {
							passed++ // passZone skips it and those behind it at the next step
						}
					}
				}
			}
			if c := masked.Counts(); c.Arrived < 400 || held < 1000 || passed < 1000 {
				t.Errorf("%d vehicles arrived, %d vehicle-steps held by a light, %d marked beyond their zone: the grid is not busy enough to test the junctions", c.Arrived, held, passed)
			}
			t.Logf("%d vehicle-steps held by a light, %d marked beyond their zone", held, passed)
		})
	}
}

// TestFitsShortWay checks fits' short way (an exit lane that holds the
// vehicle: room straight away) against fitsAlong, the look along the
// route it takes otherwise, for the first vehicle of every lane of a busy
// grid over many steps, with and without the junction's scratch and with
// room reserved on the exit lane.
func TestFitsShortWay(t *testing.T) {
	s := junctionSim(t, nil)
	asked, full := 0, 0
	for step := 1; step <= 600; step++ {
		s.Step()
		for v := range s.nodes {
			sc := &junctionScratch{}
			s.startNode(v, sc)
			for _, li := range s.nodeLanes(v) {
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

// TestLaneGroups checks lanesGroups (a node's lanes as groups in their
// order) and groupBits (a group's bits of a bitmap) against the lanes one
// by one.
func TestLaneGroups(t *testing.T) {
	seq := func(lo, n int32) []int32 {
		var l []int32
		for i := range n {
			l = append(l, lo+i)
		}
		return l
	}
	for _, tc := range []struct {
		name   string
		lanes  []int32
		groups int
	}{
		{"one lane", []int32{5}, 1},
		{"two roads in order", []int32{10, 11, 12, 13}, 1},
		{"roads apart in a word", []int32{3, 4, 40, 41, 63}, 1},
		{"priority order", []int32{12, 13, 10, 11}, 2},
		{"descending", []int32{3, 2, 1}, 3},
		{"across a word", seq(60, 8), 2},
		{"a whole word", seq(64, 64), 1},
		{"longer than a word", seq(30, 70), 2},
		{"last lanes", []int32{190, 191, 0, 1}, 2},
		{"words apart, back", []int32{130, 131, 5, 6, 70, 71, 7}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs := lanesGroups(tc.lanes)
			if len(gs) != tc.groups {
				t.Errorf("%d groups %v, want %d", len(gs), gs, tc.groups)
			}
			var back []int32
			for _, g := range gs {
				if g.mask == 0 {
					t.Fatalf("group %v: no lane", g)
				}
				if g.b != int32(g.w)*chunkSize {
					t.Fatalf("group %v: base %d, want %d (64w)", g, g.b, int32(g.w)*chunkSize)
				}
				for j := range int32(chunkSize) {
					if g.mask>>j&1 != 0 {
						back = append(back, g.base()+j)
					}
				}
			}
			if !slices.Equal(back, tc.lanes) {
				t.Fatalf("groups %v give lanes %v, want %v", gs, back, tc.lanes)
			}
			bm := make([]uint64, 3)
			for k := range 200 {
				for w := range bm {
					bm[w] = uint64(k+w) * 0x9e3779b97f4a7c15
				}
				bm[k%3] ^= 1 << (k % 64)
				for _, g := range gs {
					got, want := groupBits(bm, g), uint64(0)
					for j := range int32(chunkSize) {
						if g.mask>>j&1 != 0 && hasBit(bm, g.base()+j) {
							want |= 1 << j
						}
					}
					if got != want {
						t.Fatalf("group %v of %x: groupBits %x, lane by lane %x", g, bm, got, want)
					}
				}
			}
		})
	}
}

// TestJunctionLinks checks what the junction phase reads of each link in
// one place (jmLink) against where it comes from: the link's exit lane
// and movement, its crossing links (linkTopo.cross) and the links into
// its exit lane other than itself (its merging links, the exit lane's
// inLinks) as bits from its node's lo, all ones at a node without masks.
// Wrong bits or a lane or movement of another link fail it; the wide
// roads' nodes have too many links for masks.
func TestJunctionLinks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opt   maps.GridOptions
		masks bool // its nodes have masks (else none has)
	}{
		{"grid", maps.GridOptions{Rows: 4, Cols: 4, Block: 120, Lanes: 2, Speed: 13.89}, true},
		{"one lane", maps.GridOptions{Rows: 3, Cols: 5, Block: 80, Lanes: 1, Speed: 10}, true},
		{"wide roads", maps.GridOptions{Rows: 3, Cols: 3, Block: 150, Lanes: 6, Speed: 13.89}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net, err := maps.Grid(tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Seed, cfg.Workers = 1, 1
			s, err := New(net, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			masked, unmasked := 0, 0
			for i, jl := range s.jm.link {
				k := int32(s.nLanes + i)
				if jl.lane != s.linkLane[k] || jl.mov != s.linkMov[k] {
					t.Fatalf("link %d: lane %d, movement %d; want %d, %d", k, jl.lane, jl.mov, s.linkLane[k], s.linkMov[k])
				}
				lo := s.jm.lo[s.laneT[s.fromOf(k)].node]
				cross, merge := ^uint64(0), ^uint64(0)
				if lo >= 0 {
					masked++
					cross, merge = 0, 0
					for _, f := range s.ids(s.lt(k).cross) {
						cross |= 1 << (f - lo)
					}
					for _, m := range s.ids(s.segs[jl.lane].inLinks) {
						if m != k {
							merge |= 1 << (m - lo)
						}
					}
				} else {
					unmasked++
				}
				if jl.cross != cross || jl.merge != merge {
					t.Fatalf("link %d (lo %d): crossing %#x, merging %#x; want %#x, %#x", k, lo, jl.cross, jl.merge, cross, merge)
				}
			}
			if tc.masks && (masked == 0 || unmasked > 0) || !tc.masks && (masked > 0 || unmasked == 0) {
				t.Fatalf("%d links at nodes with masks, %d without", masked, unmasked)
			}
		})
	}
}
