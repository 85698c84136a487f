package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/internal/fminmax"
	"github.com/citytwin/citytwin/maps"
)

// heldStillFull is heldStill as constraints sees the vehicle: whether it
// is held still, and the bound vmax (m/s) constraints gives it, the least
// of the leader's (behind) and, refused entry, the stop line's (toLine).
func heldStillFull(s *Sim, end float64, c *car, i int, lead *leader, lane bool, minGap float64) (vmax float64, ok bool) {
	refused := lane && c.next >= 0 && c.flags&(fDecided|fPermit) == fDecided
	d := end - c.pos
	atLine := refused && d-0.5 <= minGap
	if i == 0 {
		return s.toLine(d), atLine
	}
	vmax = s.behind(lead, c.pos)
	if refused {
		vmax = fminmax.Min(vmax, s.toLine(d))
	}
	return vmax, atLine || lead.speed == 0 && lead.pos-lead.length-c.pos <= minGap
}

// TestHeldStillBound checks heldStill against the full bounds: the same
// answer whether the vehicle is held still, and the same clamp of its
// next speed (+0 m/s, and a hard clamp exactly when the full bound makes
// one), on standing queues drawn at random, overlapping ones included (a
// hard clamp), before stop lines and behind leaders that stand or not.
func TestHeldStillBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 19))
	const end, minGap = 100.0, 2.5
	flags := []uint16{0, fDecided, fDecided | fPermit, fPermit, fDecided | fHalted}
	var held, hard, refusedHard, notHeld int
	for _, dt := range []float64{0.1, 0.25, 0.5, 1, 1 + 1e-9} { // Config.check's steps (up to 1 s + 1e-9): room/Δt is below 0 exactly when room is
		s := &Sim{dt: dt}
		for _, emergency := range []float64{4.5, 9} {
			for range 4000 {
				i := rng.IntN(3)
				lane := rng.IntN(4) > 0
				next := int32(rng.IntN(3)) - 1
				c := car{pos: end - 8*rng.Float64() + 0.2, next: next, flags: flags[rng.IntN(len(flags))], length: 5}
				gap := 40*rng.Float64() - 30 // m, < 0: overlapping
				if rng.IntN(2) == 0 {
					gap = minGap * 1.2 * rng.Float64()
				}
				lead := leader{length: 4.5}
				lead.pos = c.pos + gap + lead.length
				lead.newPos = lead.pos
				if rng.IntN(4) == 0 {
					lead.speed = 3 * rng.Float64()
					lead.newPos += lead.speed * dt
				}
				want, wantOK := heldStillFull(s, end, &c, i, &lead, lane, minGap)
				room, ok := s.heldStill(end, &c, i, &lead, lane, minGap)
				if ok != wantOK {
					t.Fatalf("dt %g, car %+v (i %d, lane %v) behind %+v: held still %v, want %v", dt, c, i, lane, lead, ok, wantOK)
				}
				if !ok {
					notHeld++
					continue
				}
				held++
				for _, ballistic := range []bool{false, true} {
					nvWant, hardWant := clampSpeed(0, 0, want, emergency, dt, ballistic)
					// moveChunk's held way: +0, not hard, unless room is below 0.
					nv, h := 0.0, false
					if mayClampHard(room) {
						nv, h = clampSpeed(0, 0, follow.PerStep(room, dt), emergency, dt, ballistic)
					}
					if math.Float64bits(nv) != math.Float64bits(nvWant) || h != hardWant {
						t.Fatalf("dt %g, ballistic %v, car %+v (i %d, lane %v) behind %+v: clamp to %g (hard %v) with room %g, want %g (hard %v) with bound %g",
							dt, ballistic, c, i, lane, lead, nv, h, room, nvWant, hardWant, want)
					}
					if hardWant {
						hard++
						if lane && c.next >= 0 && c.flags&(fDecided|fPermit) == fDecided {
							refusedHard++
						}
					}
				}
			}
		}
	}
	// The draws must reach every outcome, or the comparison proves little.
	if held == 0 || notHeld == 0 || hard == 0 || refusedHard == 0 {
		t.Fatalf("held still %d, not %d, hard clamps %d (%d refused entry): want some of each", held, notHeld, hard, refusedHard)
	}
}

// TestHoldGap checks the hold gap Config.check gives each vehicle type
// (VType.holdGap), the gap to a standing leader within which moveChunk
// leaves a standing vehicle standing (heldStill): the minimum gap for
// IDM, CityFlow's wider band at the run's step for CityFlow's rule. At
// the edge the model asks for an acceleration ≤ 0 and the clamp keeps the
// vehicle at +0 m/s; one ulp beyond it the vehicle is not held, and the
// model would move it.
func TestHoldGap(t *testing.T) {
	for _, step := range []float64{0.1, 0.3, 0.5, 1} {
		for _, m := range []follow.Model{follow.IDM{}, follow.CityFlow{}} {
			cfg := DefaultConfig()
			cfg.Step = step
			cfg.VTypes[0].Model = m
			if err := cfg.check(); err != nil {
				t.Fatal(err)
			}
			vt := &cfg.VTypes[0]
			g := vt.holdGap
			if _, isCityFlow := m.(follow.CityFlow); !isCityFlow {
				if g != vt.Follow.MinGap {
					t.Fatalf("%T, step %g: hold gap %g, want the minimum gap %g", m, step, g, vt.Follow.MinGap)
				}
				continue
			}
			if !(g > vt.Follow.MinGap) {
				t.Fatalf("CityFlow, step %g: hold gap %g, want a band beyond the minimum gap %g", step, g, vt.Follow.MinGap)
			}
			s := &Sim{dt: step}
			v0 := vt.desired(13.9, 1)
			for _, gap := range []float64{g, math.Nextafter(g, math.Inf(1))} {
				c := car{length: 5, next: -1} // at 0 m, behind a leader of no length: the gap is lead.pos exactly
				lead := leader{pos: gap}
				lead.newPos = lead.pos
				_, held := s.heldStill(100, &c, 1, &lead, true, g)
				a := modelAccel(vt, 0, gap, 0, v0, step, 0)
				nv, _ := clampSpeed(0, a, s.behind(&lead, c.pos), vt.Follow.EmergencyDecel, step, true)
				if held != (gap <= g) || held != (math.Float64bits(nv) == 0) {
					t.Fatalf("CityFlow, step %g, gap %v (hold gap %v): held still %v, yet the model asks %v and the clamp gives %v", step, gap, g, held, a, nv)
				}
			}
		}
	}
}

// TestMayClampHard checks that the clamp of a vehicle held still (speed
// +0, acceleration 0) is never hard when mayClampHard says it cannot be,
// over bounds about each step's hard threshold (−emergency·Δt, halved with
// the ballistic update), signed zeros, NaN and infinities: moveChunk's
// held vehicles skip the clamp then. Hard clamps must occur, both just
// below 0 and far below.
func TestMayClampHard(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 11))
	var hard, skipped int
	for _, dt := range []float64{0.1, 0.5, 1, 2} {
		for _, emergency := range []float64{0.5, 4.5, 9} {
			for _, ballistic := range []bool{false, true} {
				edge := -emergency * dt // the clamp's lower limit from +0
				vmaxes := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1),
					edge, edge / 2, math.Nextafter(edge, 0), math.Nextafter(edge/2, math.Inf(-1)),
					edge - 1e-9, edge/2 - 1e-9, -1e-12, 1e-12, 3}
				for range 2000 {
					vmaxes = append(vmaxes, (rng.Float64()*2-1)*2*emergency*dt)
				}
				for _, vmax := range vmaxes {
					nv, h := clampSpeed(0, 0, vmax, emergency, dt, ballistic)
					if h {
						hard++
					}
					if !mayClampHard(vmax) {
						skipped++
						if h || math.Float64bits(nv) != 0 {
							t.Fatalf("dt %g, emergency %g, ballistic %v, bound %g: clamp to %g (hard %v), but mayClampHard says it cannot be hard",
								dt, emergency, ballistic, vmax, nv, h)
						}
					}
				}
			}
		}
	}
	if hard == 0 || skipped == 0 {
		t.Fatalf("%d hard clamps, %d skipped: want some of each", hard, skipped)
	}
}

// TestWantsToMove compares wantsToMove with the desired speed it stands
// for (desired > 0) over speed limits, factors and maximum speeds that are
// positive, zero of either sign, negative, infinite or NaN.
func TestWantsToMove(t *testing.T) {
	nan, inf, negZero := math.NaN(), math.Inf(1), math.Copysign(0, -1)
	xs := []float64{13.9, 1e-300, 0, negZero, -2, inf, -inf, nan}
	var yes, no int
	for _, limit := range xs {
		for _, factor := range xs {
			for _, maxSpeed := range xs {
				vt := &VType{MaxSpeed: maxSpeed}
				want := vt.desired(limit, float32(factor)) > 0
				if got := wantsToMove(vt, limit, float32(factor)); got != want {
					t.Fatalf("limit %g, factor %g, max speed %g: wantsToMove %v, want %v", limit, factor, maxSpeed, got, want)
				}
				if want {
					yes++
				} else {
					no++
				}
			}
		}
	}
	if yes == 0 || no == 0 {
		t.Fatalf("%d yes, %d no: want some of each", yes, no)
	}
}

// TestStandsLightAlone compares, for a standing vehicle at the front of a
// road lane, the short way moveChunk takes when the light alone holds it
// (stands told it is not at the front: lightAlone) with standing's full
// count (stands at the front), over every combination of the flags, link,
// hold time, wait and route that standing reads, with and without
// teleports: the same vehicle afterwards, the same stops and the same
// teleport and reroute candidates.
func TestStandsLightAlone(t *testing.T) {
	type outcome struct {
		c        car
		vehStops int32
		segStops uint32
		teleCand []tele
	}
	run := func(dt, teleport float64, c car, short bool) outcome {
		s := &Sim{dt: dt, veh: make([]vehicle, 1), acc: make([]segAcc, 3), teleCand: make([][]tele, 1)}
		s.cfg.Teleport = teleport
		front := true
		if short {
			front = !c.lightAlone()
		}
		s.stands(2, &c, front, 0, float32(dt))
		return outcome{c, s.veh[0].stops, s.acc[2].stops, s.teleCand[0]}
	}
	var shortWays, candidates int
	for _, dt := range []float64{0.5, 1} {
		for _, teleport := range []float64{0, 30} {
			for flags := uint16(0); flags < 1<<7; flags++ {
				for _, link := range []int32{-1, 4} {
					for _, next := range []int32{-1, 7} {
						for _, held := range []float32{0, 3} {
							for _, wait := range []float32{0, 9.5, 19.5, 29.5, 40} {
								c := car{flags: flags, link: link, next: next, held: held, wait: wait}
								full, short := run(dt, teleport, c, false), run(dt, teleport, c, true)
								if c.lightAlone() && c.flags&fHalted != 0 {
									shortWays++ // stands did not call standing
								}
								candidates += len(full.teleCand)
								if short.c != full.c || short.vehStops != full.vehStops || short.segStops != full.segStops ||
									len(short.teleCand) != len(full.teleCand) || len(full.teleCand) > 0 && short.teleCand[0] != full.teleCand[0] {
									t.Fatalf("dt %g, teleport %g s, car %+v: short way %+v, want %+v", dt, teleport, c, short, full)
								}
							}
						}
					}
				}
			}
		}
	}
	if shortWays == 0 || candidates == 0 {
		t.Fatalf("%d short ways, %d candidates: want some of each", shortWays, candidates)
	}
}

// TestHeldOverlapClamp checks moveChunk's held short way where it may
// clamp hard: a standing follower moved onto its standing leader (room
// below 0, as after an overlap), on the lanes of a busy grid, stepped
// once with the short ways and once with every vehicle through
// constraints (exactOnly), from the same clone. The hard clamps (count
// and bounds, hardClamp's debugHook) and the state hash must be the same.
// The overlaps run from a quarter to 1.75 times e·Δt², the edge of a
// hard clamp from +0, at steps below 1 s, where room/Δt is not room.
func TestHeldOverlapClamp(t *testing.T) {
	var hard, soft int
	for _, step := range []float64{0.5, 0.25} {
		base := junctionSim(t, func(_ *maps.Network, cfg *Config) { cfg.Step = step })
		for range int(240 / step) {
			base.Step()
		}
		type pick struct {
			si int32
			i  int
		}
		var picks []pick
		for si := range int32(base.nLanes) {
			cars := base.segs[si].cars
			for i := 1; i < len(cars); i++ {
				c, lead := &cars[i], &cars[i-1]
				if math.Float64bits(c.speed) == 0 && lead.speed == 0 && c.flags&fConnected == 0 && base.vtypes[c.vt].holds {
					picks = append(picks, pick{si, i})
				}
			}
		}
		if len(picks) < 16 {
			t.Fatalf("step %g: %d standing followers behind standing leaders, want 16 or more", step, len(picks))
		}
		for k, p := range picks {
			run := func(exact bool) (bounds []float64, hardBrakes int64, hash uint64, ok bool) {
				s := base.Clone()
				defer s.Close()
				c, lead := &s.segs[p.si].cars[p.i], &s.segs[p.si].cars[p.i-1]
				e := s.vtypes[c.vt].Follow.EmergencyDecel
				room := -e * step * step * (0.25 + 0.25*float64(k%7))
				if -room > float64(lead.length)-0.5 {
					return nil, 0, 0, false // the follower would pass its leader's front
				}
				c.pos = lead.pos - float64(lead.length) - tiny - room
				debugHook = func(_ *Sim, si int32, i int, _, vmax float64) {
					if si == p.si && i == p.i {
						bounds = append(bounds, vmax)
					}
				}
				defer func() { debugHook = nil }()
				restore := SetExactOnly(exact)
				s.Step()
				restore()
				return bounds, s.Counts().HardBrakes, s.Hash(), true
			}
			fb, fh, fhash, ok := run(false)
			if !ok {
				continue
			}
			eb, eh, ehash, _ := run(true)
			same := len(fb) == len(eb) && fh == eh && fhash == ehash
			for j := range fb {
				same = same && math.Float64bits(fb[j]) == math.Float64bits(eb[j])
			}
			if !same {
				t.Fatalf("step %g, lane %d, vehicle %d moved onto its leader: hard clamps %v (%d in all), state %016x with the short ways; %v (%d), %016x through constraints",
					step, p.si, p.i, fb, fh, fhash, eb, eh, ehash)
			}
			if len(eb) > 0 {
				hard++
			} else {
				soft++
			}
		}
	}
	if hard < 5 || soft < 5 {
		t.Errorf("%d overlaps clamped hard, %d not: want 5 or more of each", hard, soft)
	}
}
