package engine

import "sync/atomic"

// The live bitmap (Sim.live): one bit per segment, set while it holds a
// vehicle. Every change of a segment's vehicle list between empty and not
// empty goes through setLive, so the bitmap is exact at the start of each
// phase. Phases that run in parallel may change the bits of one word from
// two workers (the lane-change phase works by road, and a road's lanes need
// not fall in one chunk), so the bits are set and cleared atomically; the
// result does not depend on the order.

// hasBit reports whether segment i's bit is set in bitmap bm (Sim.live or
// Sim.shown). The load is atomic: another worker may be changing other
// bits of the word (a plain load on amd64 and arm64).
func hasBit(bm []uint64, i int32) bool {
	return atomic.LoadUint64(&bm[i/chunkSize])&(1<<(uint32(i)%chunkSize)) != 0
}

// setLive records whether segment si holds vehicles now.
func (s *Sim) setLive(si int32, has bool) {
	w, b := &s.live[si/chunkSize], uint64(1)<<(uint32(si)%chunkSize)
	if has {
		if atomic.LoadUint64(w)&b == 0 {
			atomic.OrUint64(w, b)
		}
	} else if atomic.LoadUint64(w)&b != 0 {
		atomic.AndUint64(w, ^b)
	}
}
