package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// laneChangeSim is a busy 4×4 grid of three-lane roads with trips between
// many road pairs: strategic changes, MOBIL changes (unless mobil is
// false), swaps and cooperative yield points all occur.
func laneChangeSim(t *testing.T, mobil bool) *Sim {
	t.Helper()
	net, err := maps.Grid(maps.GridOptions{Rows: 4, Cols: 4, Block: 150, Lanes: 3})
	if err != nil {
		t.Fatal(err)
	}
	var trips []Trip
	n := len(net.Roads)
	for k := 0; k < 1500; k++ {
		from, to := (k*7)%n, (k*13+5)%n
		if from == to {
			continue
		}
		trips = append(trips, Trip{Depart: float64(k) / 2, From: maps.RoadID(from), To: maps.RoadID(to)})
	}
	cfg := DefaultConfig()
	cfg.Seed, cfg.Workers, cfg.MinParallel = 3, 2, -1
	cfg.LaneChange = mobil
	s, err := New(net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestLaneChangeVisits checks that the lane-change phase gives the same
// results whether a chunk finds its roads with vehicles in the live
// bitmap (lanes laid out by road, as maps builds them) or visits every
// road (the fallback for other layouts), with MOBIL on (then an open
// lane of one vehicle toDecideFirst passes is not visited) and off (then
// only roads with a vehicle toDecide finds, or a closed lane, are
// visited),
// lanes closed and opened along the run, and that a clone,
// which starts without the record of the yield points set
// (lcScratch.yielded), goes on as the original does.
func TestLaneChangeVisits(t *testing.T) {
	for _, mobil := range []bool{true, false} {
		t.Run(map[bool]string{true: "mobil", false: "strategic"}[mobil], func(t *testing.T) {
			laneChangeVisits(t, mobil)
		})
	}
}

func laneChangeVisits(t *testing.T, mobil bool) {
	const steps, cloneAt, closeAt, openAt = 1000, 300, 400, 550
	live, every := laneChangeSim(t, mobil), laneChangeSim(t, mobil)
	live.Step()
	every.Step()
	for c := range every.lcs {
		if live.lcs[c].multi == nil {
			t.Fatalf("chunk %d: no live-bitmap mask on a grid (lanes laid out by road)", c)
		}
		every.lcs[c].multi = nil
	}
	// Clones made while yield points are set (which each must clear on
	// its first lane-change phase), stepped along with the original.
	var clones []*Sim
	yields, closedCars := 0, 0
	var passed [4]int // lanes of two and of three the walk passes with MOBIL on
	for k := 1; k < steps; k++ {
		for l := range live.segs[:live.nLanes] {
			seg := &live.segs[l]
			if n := len(seg.cars); (n == 2 || n == 3) && seg.length-seg.cars[n-1].pos < 20 && !live.closed[l] && !slices.ContainsFunc(seg.cars, func(c car) bool { return toDecideFirst(&c) }) {
				passed[n]++
			}
		}
		if k == closeAt || k == openAt {
			// The middle lane of every fifth road closes, its vehicles
			// leaving it (leaveClosed), and opens again.
			for r := 0; r < len(live.net.Roads); r += 5 {
				l := live.net.Roads[r].Lanes[1]
				closedCars += len(live.segs[l].cars)
				for _, s := range append([]*Sim{live, every}, clones...) {
					var c Command = CloseLane{Lane: l}
					if k == openAt {
						c = OpenLane{Lane: l}
					}
					if err := s.Enqueue(c); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		live.Step()
		every.Step()
		if live.Hash() != every.Hash() {
			t.Fatalf("step %d: state hash %016x walking the live bitmap, %016x visiting every road", k, live.Hash(), every.Hash())
		}
		for i, c := range clones {
			c.Step()
			if c.Hash() != live.Hash() {
				t.Fatalf("step %d: state hash %016x of clone %d, %016x of the original", k, c.Hash(), i, live.Hash())
			}
		}
		for tl := range int32(live.nLanes) {
			// enteringLink's shortcut by the junction masks.
			f, fpos := live.enteringCar(tl)
			for _, lay := range []*laneLayout{live.lcs[0].lay, nil} {
				if e, pos := live.enteringLink(tl, lay); e != f || pos != fpos {
					t.Fatalf("step %d lane %d: enteringLink %p at %g (layout %v), enteringCar %p at %g", k, tl, e, pos, lay != nil, f, fpos)
				}
			}
		}
		now := 0 // yield points set
		for _, y := range live.yield {
			if y.at >= 0 {
				now++
			}
		}
		yields += now
		if k >= cloneAt && now > 0 && len(clones) < 6 {
			c := live.CloneWorkers(1)
			t.Cleanup(c.Close)
			clones = append(clones, c)
		}
	}
	if len(clones) == 0 {
		t.Fatalf("no yield point set from step %d on: the test does not exercise clones", cloneAt)
	}
	if live.Counts().LaneChanges == 0 || yields == 0 || closedCars == 0 || passed[2] == 0 || passed[3] == 0 {
		t.Errorf("%d lane changes, %d yield points, %d vehicles on lanes closed, %d and %d lanes of two and three with nothing to decide over the run: the test does not exercise the lane-change phase", live.Counts().LaneChanges, yields, closedCars, passed[2], passed[3])
	}
}

// TestAnyClosed checks Sim.anyClosed, which the lane-change phase asks
// before a lane's closed flag, against the flags along sequences of
// closings and openings (and in a clone): with it wrong, a closed lane's
// vehicles would stay (leaveClosed) and MOBIL would move vehicles onto it
// (lcGaps), which the test also checks.
func TestAnyClosed(t *testing.T) {
	s0 := laneChangeSim(t, true)
	for range 200 {
		s0.Step() // vehicles on every lane
	}
	r, most := 0, 0 // the road with the most vehicles
	for k, road := range s0.net.Roads {
		n := 0
		for _, l := range road.Lanes {
			n += len(s0.segs[l].cars)
		}
		if n > most {
			r, most = k, n
		}
	}
	road := s0.net.Roads[r]
	l0, l1 := road.Lanes[0], road.Lanes[1]
	for _, tc := range []struct {
		name string
		cmds []Command
		want bool
	}{
		{"none", nil, false},
		{"lane", []Command{CloseLane{Lane: l1}}, true},
		{"lane opened", []Command{CloseLane{Lane: l1}, OpenLane{Lane: l1}}, false},
		{"two lanes, one opened", []Command{CloseLane{Lane: l0}, CloseLane{Lane: l1}, OpenLane{Lane: l0}}, true},
		{"open lane opened", []Command{CloseLane{Lane: l1}, OpenLane{Lane: l0}}, true},
		{"road", []Command{CloseRoad{Road: maps.RoadID(r)}}, true},
		{"road opened", []Command{CloseRoad{Road: maps.RoadID(r)}, OpenRoad{Road: maps.RoadID(r)}}, false},
		{"road opened, lane closed", []Command{CloseRoad{Road: maps.RoadID(r)}, OpenRoad{Road: maps.RoadID(r)}, CloseLane{Lane: l0}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := s0.CloneWorkers(1)
			defer s.Close()
			for _, c := range tc.cmds {
				c.apply(s)
			}
			c := s.CloneWorkers(1)
			defer c.Close()
			for _, x := range []*Sim{s, c} {
				if x.anyClosed != tc.want {
					t.Fatalf("anyClosed %v, want %v", x.anyClosed, tc.want)
				}
				if err := x.checkLaneAttn(); err != nil {
					t.Fatal(err)
				}
			}
			// lcGaps refuses every closed lane to every vehicle of the
			// road, before and after a step (leaveClosed).
			for range 2 {
				for li, l := range road.Lanes {
					for i := range s.segs[l].cars {
						for _, tl := range road.Lanes {
							var nb nbCache
							nb.reset()
							if ok, _, _ := s.lcGaps(&s.segs[l], i, int32(tl), &nb); ok && s.closed[tl] {
								t.Fatalf("lcGaps lets vehicle %d of lane %d (index %d) onto closed lane %d", s.segs[l].cars[i].id, l, li, tl) // li: the lane's index on the road
							}
						}
					}
				}
				s.Step()
			}
		})
	}
}

// TestNoGainBestGain checks that noGain rules no lane out for a best
// incentive so far that is not ≥ 0 (a negative threshold, NaN), as its
// callers' test of it did before they asked: on a busy grid, for each
// vehicle and lane either side that it fits into by the gaps, and most
// of all where noGain rules the lane out at the threshold.
func TestNoGainBestGain(t *testing.T) {
	s := laneChangeSim(t, true)
	defer s.Close()
	ruled := 0
	for range 300 {
		s.Step()
		for r := range s.net.Roads {
			lanes := lanesOf(s.net.Roads[r].Lanes)
			for li := range int(lanes.n) {
				seg := &s.segs[lanes.lane(li)]
				for i := 1; i < len(seg.cars); i++ {
					for _, tl := range []int{li - 1, li + 1} {
						if tl < 0 || tl >= lanes.n {
							continue
						}
						var nb nbCache
						nb.reset()
						fits, lead, fol := s.lcGaps(seg, i, lanes.lane(tl), &nb)
						if !fits {
							continue
						}
						if s.noGain(seg, i, lanes.lane(tl), lead, fol, &mobilOld{}, s.cfg.LaneChangeThreshold) {
							ruled++
						}
						for _, g := range []float64{-1e-300, -0.2, math.Inf(-1), math.NaN()} {
							if s.noGain(seg, i, lanes.lane(tl), lead, fol, &mobilOld{}, g) {
								t.Fatalf("noGain rules lane %d out for vehicle %d at a best incentive %g", lanes.lane(tl), seg.cars[i].id, g)
							}
						}
					}
				}
			}
		}
	}
	if ruled == 0 {
		t.Error("noGain ruled no lane out at the threshold: the test does not exercise it")
	}
}

// TestMobilDueOn checks changeLanes's test of a MOBIL evaluation due for a
// vehicle wholly on its lane (mobilDueOn) against mobilDue and wholly, the
// tests decide asks, at the edges (20 m before the end, the rear at the
// lane's start, lanes shorter than the vehicle, the cadence) and on random
// lanes, positions and lengths with neighbouring floating-point values.
func TestMobilDueOn(t *testing.T) {
	s := &Sim{}
	check := func(length, pos float64, clen float32, step int64, id int32, period int64) {
		t.Helper()
		s.step = step
		c := &car{pos: pos, length: clen, id: id}
		got := s.mobilDueOn(length, c, period)
		if want := s.mobilDue(length, c, period) && wholly(c, length); got != want {
			t.Fatalf("lane %v m, car %v m at %v m, step %d, id %d, period %d: mobilDueOn %v, mobilDue and wholly %v",
				length, clen, pos, step, id, period, got, want)
		}
	}
	for _, tc := range []struct {
		length, pos float64
		clen        float32
	}{
		{100, 80, 5}, {100, math.Nextafter(80, 100), 5}, {100, 5, 5}, {100, math.Nextafter(5, 0), 5},
		{100, 0, 5}, {100, -1, 5}, {100, 100, 5}, {20, 0, 5}, {20, 5, 5}, {3, 0.2, 5}, {3, 3, 5},
		{20.4, 0.4, 20.3}, {25, 5, 19.6}, {25, 4.9, 25}, {0.5, 0.5, 5}, {1e6, 5, 5}, {1e6, 1e6 - 20, 5},
	} {
		for _, p := range []int64{1, 3} {
			for st := range int64(3) {
				check(tc.length, tc.pos, tc.clen, st, 7, p)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for range 200000 {
		length := 1000 * rng.Float64()
		if rng.IntN(4) == 0 {
			length = 30 * rng.Float64()
		}
		clen := float32(1 + 29*rng.Float64())
		var pos float64
		switch rng.IntN(5) {
		case 0:
			pos = length - 20
		case 1:
			pos = float64(clen)
		case 2:
			pos = length - lcGap
		default:
			pos = (length+2)*rng.Float64() - 1
		}
		switch rng.IntN(3) {
		case 0:
			pos = math.Nextafter(pos, math.Inf(1))
		case 1:
			pos = math.Nextafter(pos, math.Inf(-1))
		}
		check(length, pos, clen, rng.Int64N(10), rng.Int32N(100), int64(1+rng.IntN(3)))
	}
}
