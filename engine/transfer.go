package engine

import (
	"cmp"
	"math/bits"
	"slices"
)

// The transfer phase (phase 4 of Step): each segment takes in the
// vehicles the move phase left in its predecessors' outboxes for it.

// phaseTransfer has each segment with an incoming bit pull its vehicles
// from its chunk's inbox, in segment order.
//
// lastTakesRest: the chunk's last incoming segment takes what is left of
// the inbox without looking through it. Exact: every vehicle of the inbox
// ends on a segment of the chunk whose incoming bit is set (leave sets the
// bit of every target, deliver hands it to that segment's chunk), and the
// segments before took theirs out of rest, so every one left is the last
// segment's; the look would have found them all, each at its own place
// (k == m: no swap), and handed pull the same slice. TestTransferInOrder
// and TestTransferLastTakesRest check what each segment takes in.
func (s *Sim) phaseTransfer() {
	nc := chunks(len(s.segs))
	s.deliver(nc)
	// Only chunks with a segment some outbox targets take in vehicles
	// (Sim.incoming; the move phase, the only one that sets these bits, is
	// over): segment by segment, in index order.
	s.par.runWhere(nc, s.incoming, nil, func(c int) {
		lo := c * chunkSize // span's first segment of chunk c
		acc := &s.chunkAcc[c]
		w := s.incoming[c]
		s.incoming[c] = 0
		rest := acc.in
		for ; w != 0; w &= w - 1 {
			si := int32(lo + bits.TrailingZeros64(w))
			// Segment si's vehicles to the front of the rest (all of it
			// for the chunk's last: lastTakesRest).
			m := len(rest)
			if w&(w-1) != 0 {
				m = 0
				for k, o := range rest {
					if o.target == si {
						if k != m { // (else rest[m] is o: the swap would change nothing)
							rest[k], rest[m] = rest[m], o
						}
						m++
					}
				}
			}
			s.pull(si, rest[:m], acc, c)
			rest = rest[m:]
		}
		acc.in = acc.in[:0]
	})
	if s.v2x != nil {
		s.observeTT()
		if s.v2x.cfg.Reroute {
			s.rerouteCVs()
		}
	}
}

// deliver hands every vehicle in the outboxes of the nc chunks of
// segments to the inbox (stepAcc.in: a pointer into the outbox) of the
// chunk of the segment it ends the step on, serially, in chunk and outbox
// order: one pass over the few vehicles that left a segment, rather than
// each segment looking through the outboxes of every segment its vehicles
// may come from (a lane's links in and the lanes those leave). pull sorts
// each segment's vehicles by a total order (position, then id), so the
// delivery order does not show. Every vehicle of an outbox ends on a
// segment whose incoming bit is set (leave), so phaseTransfer empties
// every inbox.
func (s *Sim) deliver(nc int) {
	for c := range nc {
		out := s.chunkAcc[c].out
		for k := range out {
			t := &s.chunkAcc[uint32(out[k].target)/chunkSize]
			t.in = append(t.in, &out[k])
		}
	}
}

// takeList gives link si, about to take in vehicles, a vehicle list: the
// one it kept since it emptied, else, when it has none, one another empty
// link of its chunk kept (Sim.spare); else roomForCar makes one.
func (s *Sim) takeList(si int32) {
	w, bit := bitOf(s.spare, si)
	switch {
	case *w&bit != 0:
		*w &^= bit // its own
	case *w != 0 && cap(s.segs[si].cars) == 0:
		j := int32(uint32(si)/chunkSize*chunkSize) + int32(bits.TrailingZeros64(*w))
		*w &= *w - 1
		s.segs[si].cars, s.segs[j].cars = s.segs[j].cars[:0], nil
	}
}

// pull appends the vehicles in, all those that end the step on segment si
// (from its chunk's inbox: phaseTransfer), furthest first, behind the
// vehicles on it.
func (s *Sim) pull(si int32, in []*outCar, acc *stepAcc, chunk int) {
	seg := &s.segs[si]
	if len(in) > 1 {
		// Furthest first; ties by vehicle id (unique): the order they were
		// delivered in does not matter.
		slices.SortFunc(in, func(a, b *outCar) int {
			if a.pos != b.pos {
				return cmp.Compare(b.pos, a.pos)
			}
			return cmp.Compare(a.c.id, b.c.id)
		})
	}
	if s.isLink(si) {
		s.takeList(si)
	}
	for _, o := range in {
		c := o.c
		c.pos = o.pos
		if n := len(seg.cars); n > 0 {
			ahead := &seg.cars[n-1]
			if back := ahead.pos - float64(ahead.length) - tiny; c.pos > back {
				c.pos = back
				c.speed = min(c.speed, ahead.speed)
				acc.clamps++
			}
		}
		if !s.isLink(si) {
			// A new road of the route (its position on the route and its
			// next roads moved on in the move phase: nextRoads).
			if x := s.v2x; x != nil {
				// Travel time of the road just left, for the RSUs; and a
				// chance for an equipped vehicle to reroute.
				v := &s.veh[c.id]
				x.ttObs[chunk] = append(x.ttObs[chunk], ttObs{road: int32(s.routes[v.route][v.ri-1]), tt: s.now + s.dt - x.enter[c.id]})
				if x.cfg.Reroute && c.flags&fConnected != 0 {
					x.rerouteQ[chunk] = append(x.rerouteQ[chunk], c.id)
				}
				x.enter[c.id] = s.now + s.dt
			}
			c.flags &^= fJunction
			seg.cars = append(roomForCar(seg.cars), c)
			last := &seg.cars[len(seg.cars)-1]
			last.link = s.chooseLink(si, last)
		} else {
			seg.cars = append(roomForCar(seg.cars), c)
		}
		s.acc[si].entered++
	}
	s.setLive(si, true)
}
