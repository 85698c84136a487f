package engine

import (
	"hash/fnv"
	"math"
)

// Hash returns an FNV-64a hash of the full simulation state: the clock,
// every vehicle's segment, position, speed and chosen link in driving order,
// the light of every movement and every signal plant's state, and the
// counters. Equal hashes after the same steps mean identical runs.
func (s *Sim) Hash() uint64 {
	h := fnv.New64a()
	var b [8]byte
	u64 := func(x uint64) {
		for i := range b {
			b[i] = byte(x >> (8 * i))
		}
		h.Write(b[:])
	}
	f64 := func(x float64) { u64(math.Float64bits(x)) }
	f64(s.now)
	u64(uint64(s.step))
	for i := range s.segs {
		seg := &s.segs[i]
		if len(seg.cars) == 0 {
			continue
		}
		u64(uint64(i))
		for j := range seg.cars {
			c := &seg.cars[j]
			u64(uint64(c.id))
			f64(c.pos)
			f64(c.speed)
			u64(uint64(uint32(c.link)))
		}
	}
	for _, l := range s.lights {
		h.Write([]byte{byte(l)})
	}
	for i := range s.nodes {
		if p := s.nodes[i].plant; p != nil {
			ph, next, st, ss, gs := p.State()
			u64(uint64(ph))
			u64(uint64(next))
			u64(uint64(st))
			f64(ss)
			f64(gs)
		}
	}
	u64(uint64(s.stats.inserted))
	u64(uint64(s.stats.arrived))
	u64(uint64(s.stats.removed))
	u64(uint64(s.stats.teleports))
	return h.Sum64()
}
