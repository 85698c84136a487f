package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/maps"
)

// TestJunctionQuiet checks junctionQuiet, which lets a follower with a
// junction decision take car following alone: wherever it says the
// junction constraint adds nothing, constraints gives the same bits as
// car following alone behind the leader (the model's acceleration and the
// bound behind). The followers are those of a busy grid with turning
// traffic, IDM and CityFlow's rule, whose links are slower than their
// lanes (for the turn speed), after every step; the leader's position
// after its move is drawn from where it stands to well beyond the stop
// line (for the refused followers, whose stop line bounds them too). It
// also checks that both cases occurred often, and that the two things
// junctionQuiet rules out did too: a refused follower whose leader covers
// the stop line but passes it, and a granted follower faster than its
// link (dropping either test fails it, tried).
func TestJunctionQuiet(t *testing.T) {
	for _, model := range []follow.Model{follow.IDM{}, follow.CityFlow{}} {
		s := slowLinkSim(t, model)
		r := rand.New(rand.NewPCG(7, 31))
		var refused, granted, passes, fast int
		for range 600 {
			s.Step()
			for si := range int32(s.nLanes) {
				seg := &s.segs[si]
				if s.yield[si].at >= 0 {
					continue // (no car following alone on such a lane)
				}
				for i := 1; i < len(seg.cars); i++ {
					c, p := &seg.cars[i], &seg.cars[i-1]
					vt := &s.vtypes[c.vt]
					if c.next < 0 || c.flags&fDecided == 0 || c.flags&fConnected != 0 || vt.drawsRand {
						continue
					}
					lead := leader{pos: p.pos, speed: p.speed, length: float64(p.length)}
					lead.newPos = p.pos + r.Float64()*(seg.length-p.pos+2*lead.length+5)
					if !s.junctionQuiet(seg.length, c, &lead, vt) {
						switch {
						case c.flags&fPermit == 0 && s.leaderCovers(vt, &lead, c, seg.length-c.pos-0.5):
							passes++
						case c.flags&fPermit != 0:
							fast++
						}
						continue
					}
					if c.flags&fPermit == 0 {
						refused++
					} else {
						granted++
					}
					a, vmax, v0 := s.constraints(si, seg, seg.cars, i, &lead, vt)
					wantA := modelAccel(vt, c.speed, lead.pos-lead.length-c.pos, lead.speed, v0, s.dt, 0)
					wantV := s.behind(&lead, c.pos)
					if math.Float64bits(a) != math.Float64bits(wantA) || math.Float64bits(vmax) != math.Float64bits(wantV) {
						t.Fatalf("%T, t=%g s, lane %d, car %d (flags %#x, at %g of %g m, %g m/s), leader %+v: constraints give a %v, vmax %v; car following alone %v, %v",
							model, s.Time(), si, i, c.flags, c.pos, seg.length, c.speed, lead, a, vmax, wantA, wantV)
					}
				}
			}
		}
		if refused < 300 || granted < 300 || passes < 100 || fast < 100 {
			t.Errorf("%T: quiet refused %d, granted %d; covered but passing %d, faster than the link %d: the check proves little", model, refused, granted, passes, fast)
		}
	}
}

// TestStopAlone checks stopAlone, which lets the first vehicle of a road
// lane refused entry take its stop line alone (stopLine, as constraints
// asks it): wherever moveChunk would take that way, constraints gives the
// same bits. The vehicles are the first ones of the lanes of a busy grid
// with turning traffic, IDM and CityFlow's rule, after every step; a
// model called through its interface (not direct, whose free-road term
// counts) must not take the way. Many refused vehicles must have been
// compared, moving ones among them.
func TestStopAlone(t *testing.T) {
	for _, model := range []follow.Model{follow.IDM{}, follow.CityFlow{}} {
		s := junctionSim(t, func(_ *maps.Network, cfg *Config) {
			for i := range cfg.VTypes {
				cfg.VTypes[i].Model = model
			}
		})
		var alone, moving int
		for range 600 {
			s.Step()
			for si := range int32(s.nLanes) {
				seg := &s.segs[si]
				if len(seg.cars) == 0 || s.yield[si].at >= 0 {
					continue // (no short way on such a lane)
				}
				c := &seg.cars[0]
				vt := &s.vtypes[c.vt]
				if c.next < 0 || c.flags&fConnected != 0 || vt.drawsRand || !stopAlone(c, vt) {
					continue
				}
				alone++
				if c.speed > 0 {
					moving++
				}
				a, vmax, v0 := s.constraints(si, seg, seg.cars, 0, &leader{}, vt)
				wantA, wantV := s.stopLine(seg, c, vt, v0, 0, false, nil)
				// moveChunk's steps, as it writes them (end: the length).
				end, v, dt := seg.length, c.speed, s.dt
				if oa, ov := modelAccel(vt, v, end-c.pos-0.5, 0, v0, dt, 0), s.toLine(end-c.pos); math.Float64bits(oa) != math.Float64bits(wantA) || math.Float64bits(ov) != math.Float64bits(wantV) {
					t.Fatalf("%T, t=%g s, lane %d (flags %#x, at %g of %g m, %g m/s): moveChunk's steps give a %v, vmax %v; stopLine %v, %v",
						model, s.Time(), si, c.flags, c.pos, seg.length, c.speed, oa, ov, wantA, wantV)
				}
				if math.Float64bits(a) != math.Float64bits(wantA) || math.Float64bits(vmax) != math.Float64bits(wantV) {
					t.Fatalf("%T, t=%g s, lane %d (flags %#x, at %g of %g m, %g m/s): constraints give a %v, vmax %v; the stop line alone %v, %v",
						model, s.Time(), si, c.flags, c.pos, seg.length, c.speed, a, vmax, wantA, wantV)
				}
				seam := *vt
				seam.direct = directNone // the model through its interface
				if stopAlone(c, &seam) {
					t.Fatalf("%T: stopAlone for a model called through its interface", model)
				}
			}
		}
		if alone < 300 || moving < 100 {
			t.Errorf("%T: %d first vehicles with the stop line alone, %d of them moving: the check proves little", model, alone, moving)
		}
	}
}

// TestMergeAhead checks mergeAhead, which lets lookAhead pass
// mergeLeaders by: wherever it finds no merging link with a vehicle or a
// granted first vehicle, mergeLeaders keeps behind no one, even for a
// vehicle so far from the merge that every merging one is ahead of it.
// The links are those of a busy grid with turning traffic after every
// step; it also checks that mergeLeaders did keep behind both kinds of
// merging vehicle, a vehicle on the link and a first vehicle granted
// entry to it, with nothing else on the merging links (so that neither
// half of mergeAhead goes unchecked). At a node with masks, mergeMask
// (lookAhead's way from a lane there) must say what mergeAhead says, for
// every link, and for links with a vehicle of their own too (which is no
// merging link of theirs).
func TestMergeAhead(t *testing.T) {
	s := junctionSim(t, nil)
	c := car{speed: 5, length: 5, factor: 1}
	vt := &s.vtypes[c.vt]
	var onLink, granted, quiet, masked, selfShown int
	for range 600 {
		s.Step()
		for si := int32(s.nLanes); si < int32(len(s.segs)); si++ {
			merging := s.ids(s.lt(si).merging)
			b := beyond{s: s, c: &c, vt: vt, v0: 13.89, a: math.Inf(1), vmax: math.Inf(1)}
			s.mergeLeaders(1e6, si, merging, &b)
			kept := b.asked || b.a != math.Inf(1) || b.vmax != math.Inf(1)
			ahead := s.mergeAhead(merging)
			if lo := s.jm.lo[s.laneT[s.fromOf(si)].node]; lo >= 0 {
				if mask := s.mergeMask(bitsFrom(s.shown, lo), lo, si); mask != ahead {
					t.Fatalf("t=%g s, link %d: mergeMask says %v, mergeAhead %v on %v", s.Time(), si, mask, ahead, merging)
				}
				masked++
				if hasBit(s.shown, si) {
					selfShown++
				}
			}
			switch {
			case !ahead && kept:
				t.Fatalf("t=%g s, link %d: mergeAhead finds no one on %v, mergeLeaders keeps behind someone", s.Time(), si, merging)
			case !ahead:
				quiet++
			case !kept:
				t.Fatalf("t=%g s, link %d: mergeAhead finds someone on %v, mergeLeaders keeps behind no one", s.Time(), si, merging)
			case !slices.ContainsFunc(merging, func(m int32) bool { return hasBit(s.shown, m) }):
				granted++
			default:
				onLink++
			}
		}
	}
	if onLink < 100 || granted < 100 || quiet < 1000 || masked < 1000 || selfShown < 1000 {
		t.Errorf("kept behind vehicles on merging links %d times, behind granted first vehicles alone %d times; none to keep behind %d times; mergeMask compared %d times, %d with the link's own vehicles: the check proves little", onLink, granted, quiet, masked, selfShown)
	}
}

// slowLinkSim is junctionSim with every vehicle type on model and links
// no faster than 6 m/s (slower than their lanes: the turn speed binds),
// for TestJunctionQuiet and TestFollowJunction.
func slowLinkSim(t *testing.T, model follow.Model) *Sim {
	t.Helper()
	return junctionSim(t, func(net *maps.Network, cfg *Config) {
		for k := range net.Links {
			net.Links[k].Speed = min(net.Links[k].Speed, 6)
		}
		for i := range cfg.VTypes {
			cfg.VTypes[i].Model = model
		}
	})
}
