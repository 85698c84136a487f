package engine

import "sync/atomic"

// The live bitmap (Sim.live): one bit per segment, set while it holds a
// vehicle. Every change of a segment's vehicle list between empty and not
// empty goes through setLive, so the bitmap is exact at the start of each
// phase. Phases that run in parallel may change the bits of one word from
// two workers (the lane-change phase works by road, and a road's lanes need
// not fall in one chunk), so the bits are set and cleared atomically; the
// result does not depend on the order.

// bitOf returns the word of a segment bitmap (Sim.live, shown, spare,
// incoming, lcAttn: word c covers chunk c) that holds segment i's bit,
// and the bit. Segment indices are never negative: the word is found by
// an unsigned shift, not a signed division (for speed; it is asked in
// every phase).
func bitOf(bm []uint64, i int32) (w *uint64, bit uint64) {
	return &bm[uint32(i)/chunkSize], 1 << (uint32(i) % chunkSize)
}

// hasBit reports whether segment i's bit is set in bitmap bm (Sim.live or
// Sim.shown). The load is atomic: another worker may be changing other
// bits of the word (a plain load on amd64 and arm64).
func hasBit(bm []uint64, i int32) bool {
	w, b := bitOf(bm, i)
	return atomic.LoadUint64(w)&b != 0
}

// setBit sets segment i's bit in bitmap bm atomically and reports whether
// it was clear (when no other worker changes that bit). Reading first
// avoids writing a cache line other workers share when the bit is set
// already.
func setBit(bm []uint64, i int32) bool {
	if w, b := bitOf(bm, i); atomic.LoadUint64(w)&b == 0 {
		atomic.OrUint64(w, b)
		return true
	}
	return false
}

// bitsFrom returns the 64 bits of a segment bitmap (Sim.live, shown,
// crossWait) from segment lo on: those of segments lo, lo+1, …, lo+63.
func bitsFrom(bm []uint64, lo int32) uint64 {
	w, off := uint32(lo)/chunkSize, uint32(lo)%chunkSize
	x := atomic.LoadUint64(&bm[w]) >> off
	if off != 0 && int(w)+1 < len(bm) {
		x |= atomic.LoadUint64(&bm[w+1]) << (chunkSize - off)
	}
	return x
}

// clearBit clears segment i's bit in bitmap bm atomically (setBit's
// counterpart), writing only when it is set, and reports whether it was.
func clearBit(bm []uint64, i int32) bool {
	if w, b := bitOf(bm, i); atomic.LoadUint64(w)&b != 0 {
		atomic.AndUint64(w, ^b)
		return true
	}
	return false
}

// setLive records whether segment si holds vehicles now, and when a
// lane's bit changes, the count of its node's lanes with vehicles
// (Sim.nodeLive). Only the worker that owns a segment in a phase changes
// its bit, so the bit read before the write says whether it changes.
func (s *Sim) setLive(si int32, has bool) {
	d := int32(-1)
	if has {
		if !setBit(s.live, si) {
			return
		}
		d = 1
	} else if !clearBit(s.live, si) {
		return
	}
	if int(si) < s.nLanes {
		atomic.AddInt32(&s.nodeLive[s.laneT[si].node], d)
	}
}

// roomForCar returns cars with room for one more vehicle. A full list
// grows by a quarter (at least 4), not by Go's doubling: a lane keeps its
// backing array for the whole run, and at a million vehicles doubling
// leaves about 40 B per vehicle unused.
func roomForCar(cars []car) []car {
	if len(cars) < cap(cars) {
		return cars
	}
	grown := make([]car, len(cars), len(cars)+max(4, len(cars)/4))
	copy(grown, cars)
	return grown
}
