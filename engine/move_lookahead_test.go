package engine

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/maps"
)

// TestSideLinks checks sideLinks, with which lookAhead finds the other
// links of a first vehicle's lane that hold vehicles at a node with masks:
// it must give the links the test one by one gives (l ≠ link, shown), no
// more, no fewer. First a table of bitmaps made up for the edge cases (the
// window from lo across two words of the bitmap, the vehicle's own link
// shown or not, a link outside the window, which must clear nothing);
// then every lane of a busy grid with turning traffic after every step,
// for each link its first vehicle could take and for none (−1), which
// must have found other links shown often.
func TestSideLinks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shown []uint64
		lo    int32
		out   uint64
		link  int32
		want  []int32
	}{
		{"none shown", []uint64{0, 0}, 10, 0b111, 11, nil},
		{"own link alone shown", []uint64{1 << 11, 0}, 10, 0b111, 11, nil},
		{"own and another shown", []uint64{1<<11 | 1<<12, 0}, 10, 0b111, 11, []int32{12}},
		{"shown but not the lane's", []uint64{1 << 13, 0}, 10, 0b111, 11, nil},
		{"across two words", []uint64{1 << 63, 1<<0 | 1<<1}, 62, 0b1110, 64, []int32{63, 65}},
		{"second word alone", []uint64{0, 1 << 2}, 62, 0b10000, 63, []int32{66}},
		{"link below the window", []uint64{1<<11 | 1<<12, 0}, 11, 0b11, 3, []int32{11, 12}},
		{"link past the window", []uint64{1<<11 | 1<<12, 0}, 11, 0b11, 11 + 64, []int32{11, 12}},
		{"no link", []uint64{1<<11 | 1<<12, 0}, 11, 0b11, -1, []int32{11, 12}},
	} {
		var got []int32
		for m := sideLinks(bitsFrom(tc.shown, tc.lo), tc.lo, tc.out, tc.link); m != 0; m &= m - 1 {
			got = append(got, tc.lo+int32(bits.TrailingZeros64(m)))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: sideLinks gives links %v, want %v", tc.name, got, tc.want)
		}
	}

	s := junctionSim(t, nil)
	masked, found := 0, 0
	for range 600 {
		s.Step()
		for si := range int32(s.nLanes) {
			lo := s.jm.lo[s.laneT[si].node]
			if lo < 0 {
				continue
			}
			masked++
			links := s.ids(s.laneT[si].links)
			for _, link := range append(slices.Clone(links), -1) {
				var want, got []int32
				for _, l := range links {
					if l != link && hasBit(s.shown, l) {
						want = append(want, l)
					}
				}
				for m := sideLinks(bitsFrom(s.shown, lo), lo, s.jm.out[si], link); m != 0; m &= m - 1 {
					got = append(got, lo+int32(bits.TrailingZeros64(m)))
				}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("t=%g s, lane %d (links %v), link %d: sideLinks gives %v, one by one %v", s.Time(), si, links, link, got, want)
				}
				if len(want) > 0 {
					found++
				}
			}
		}
	}
	if masked == 0 || found < 1000 {
		t.Errorf("%d lanes at nodes with masks looked at, other links shown %d times: the check proves little", masked, found)
	}
}

// TestFront checks front, moveChunk's way for a first vehicle that meets
// only lookAhead's constraints, the free road and the turn speed: wherever
// moveChunk takes it, constraints gives the same bits (acceleration, bound
// and desired speed). The vehicles are the first ones of the segments of a
// busy grid with turning traffic after every step: IDM with links slower
// than their lanes (the turn speed), CityFlow's rule, and IDM with half
// the vehicles equipped for V2X (on links they take front too; CACC behind
// equipped vehicles beyond the end); and a model called through its
// interface, which must never take it. It also checks that both kinds of
// segment, moving vehicles and vehicles whose model was not asked beyond
// the end (the free-road term) were compared often.
func TestFront(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*maps.Network, *Config)
	}{
		{"idm, slow links", func(net *maps.Network, cfg *Config) {
			for k := range net.Links {
				net.Links[k].Speed = min(net.Links[k].Speed, 6)
			}
		}},
		{"cityflow", func(_ *maps.Network, cfg *Config) {
			for i := range cfg.VTypes {
				cfg.VTypes[i].Model = follow.CityFlow{}
			}
		}},
		{"idm, v2x", func(_ *maps.Network, cfg *Config) {
			v := DefaultV2X()
			v.CACC = true
			cfg.V2X = &v
			for i := range cfg.VTypes {
				cfg.VTypes[i].Connected = 0.5
			}
		}},
	} {
		s := junctionSim(t, tc.edit)
		var lanes, links, moving, free, equipped int
		for range 600 {
			s.Step()
			for si := range int32(len(s.segs)) {
				seg := &s.segs[si]
				if len(seg.cars) == 0 {
					continue
				}
				c := &seg.cars[0]
				vt := &s.vtypes[c.vt]
				lane := !s.isLink(si)
				seam := *vt
				seam.direct = directNone // the model through its interface
				if takesFront(s, si, c, &seam) {
					t.Fatalf("%s: front taken for a model called through its interface", tc.name)
				}
				if !takesFront(s, si, c, vt) {
					continue
				}
				a, vmax, v0 := s.constraints(si, seg, seg.cars, 0, &leader{}, vt)
				fa, fvmax, fv0 := s.front(si, seg, c, vt, lane)
				if math.Float64bits(a) != math.Float64bits(fa) || math.Float64bits(vmax) != math.Float64bits(fvmax) || math.Float64bits(v0) != math.Float64bits(fv0) {
					t.Fatalf("%s, t=%g s, segment %d (flags %#x, link %d, at %g of %g m, %g m/s): constraints give a %v, vmax %v, v0 %v; front %v, %v, %v",
						tc.name, s.Time(), si, c.flags, c.link, c.pos, seg.length, c.speed, a, vmax, v0, fa, fvmax, fv0)
				}
				if lane {
					lanes++
				} else {
					links++
				}
				if c.speed > 0 {
					moving++
				}
				if _, _, asked := s.lookAhead(si, seg, c, vt, v0, 0); !asked {
					free++
				}
				if c.flags&fConnected != 0 {
					equipped++
				}
			}
		}
		if lanes < 1000 || links < 1000 || moving < 1000 || free < 300 || strings.Contains(tc.name, "v2x") && equipped < 300 {
			t.Errorf("%s: front compared on %d lanes and %d links, %d moving, %d with the free road, %d equipped: the check proves little", tc.name, lanes, links, moving, free, equipped)
		}
		t.Logf("%s: front compared on %d lanes and %d links, %d moving, %d with the free road, %d equipped", tc.name, lanes, links, moving, free, equipped)
	}
}

// takesFront reports whether moveChunk takes front for car c, the first
// vehicle of segment si, of type vt (its chain of tests, written out).
func takesFront(s *Sim, si int32, c *car, vt *VType) bool {
	if vt.drawsRand || !coversFree(vt) {
		return false
	}
	if s.isLink(si) {
		return true
	}
	// A road lane: car following alone would be asked of it but for its
	// junction decision, neither undecided nor refused (stopAlone).
	return s.yield[si].at < 0 && c.flags&fConnected == 0 && c.next >= 0 && c.flags&fPermit != 0
}

// TestFollowJunction checks followJunction, moveChunk's way for a
// follower whose junction constraint junctionQuiet does not rule out:
// wherever moveChunk takes it, constraints gives the same bits. The
// followers are those of a busy grid with turning traffic, IDM and
// CityFlow's rule, with links slower than their lanes (the turn speed),
// after every step; the leader's position after its move is drawn from
// where it stands to well beyond the stop line (as in TestJunctionQuiet).
// Each follower is also given a leader far ahead and faster, whose car
// following asks little, and is also compared (a copy) at 12 m/s, faster
// than its link: the stop line (refused) and the turn speed (granted)
// must each have bound often.
func TestFollowJunction(t *testing.T) {
	for _, model := range []follow.Model{follow.IDM{}, follow.CityFlow{}} {
		s := slowLinkSim(t, model)
		r := rand.New(rand.NewPCG(7, 31))
		var refused, granted int
		for range 600 {
			s.Step()
			for si := range int32(s.nLanes) {
				seg := &s.segs[si]
				if s.yield[si].at >= 0 {
					continue // (constraints for every vehicle of such a lane)
				}
				for i := 1; i < len(seg.cars); i++ {
					c, p := &seg.cars[i], &seg.cars[i-1]
					vt := &s.vtypes[c.vt]
					if c.next < 0 || c.flags&(fDecided|fPermit) == 0 || c.flags&fConnected != 0 || vt.drawsRand {
						continue
					}
					// The vehicle ahead, and one far ahead and faster, whose
					// car following asks little (the junction's constraint
					// then decides).
					near := leader{pos: p.pos, speed: p.speed, length: float64(p.length)}
					near.newPos = p.pos + r.Float64()*(seg.length-p.pos+2*near.length+5)
					far := leader{pos: c.pos + 300, speed: c.speed + 10, length: float64(p.length)}
					far.newPos = far.pos + 20
					// And the follower as it is, and (a copy) at 12 m/s,
					// faster than its link.
					fast := slices.Clone(seg.cars)
					fast[i].speed = 12
					for k, lead := range []leader{near, far, near, far} {
						cars := seg.cars
						if k >= 2 {
							cars = fast
						}
						c := &cars[i]
						if s.junctionQuiet(seg.length, c, &lead, vt) {
							continue
						}
						a, vmax, v0 := s.constraints(si, seg, cars, i, &lead, vt)
						fa, fvmax, fv0 := s.followJunction(seg, c, vt, &lead)
						if math.Float64bits(a) != math.Float64bits(fa) || math.Float64bits(vmax) != math.Float64bits(fvmax) || math.Float64bits(v0) != math.Float64bits(fv0) {
							t.Fatalf("%T, t=%g s, lane %d, car %d (flags %#x, at %g of %g m, %g m/s), leader %+v: constraints give a %v, vmax %v, v0 %v; followJunction %v, %v, %v",
								model, s.Time(), si, i, c.flags, c.pos, seg.length, c.speed, lead, a, vmax, v0, fa, fvmax, fv0)
						}
						wantA := modelAccel(vt, c.speed, lead.pos-lead.length-c.pos, lead.speed, v0, s.dt, 0)
						switch {
						case math.Float64bits(a) == math.Float64bits(wantA):
							// the junction's constraint did not bind
						case c.flags&fPermit != 0:
							granted++
						default:
							refused++
						}
					}
				}
			}
		}
		if refused < 300 || granted < 100 {
			t.Errorf("%T: the stop line bound %d times, the turn speed %d times: the check proves little", model, refused, granted)
		}
		t.Logf("%T: the stop line bound %d times, the turn speed %d times", model, refused, granted)
	}
}
