package engine

// Packing the lanes' vehicle lists.
//
// A lane's vehicles are a list of its own (segment.cars). Lists are made
// and grown one by one as vehicles arrive (roomForCar, roomToInsert), so
// after a few minutes of simulated time they lie scattered over the heap,
// in no relation to the lane order the phases walk in: on a network whose
// vehicles do not fit in the core's cache (grid32: 19,000 vehicles,
// 1 MB of lists) each lane's first vehicle is a cache miss the hardware
// cannot see coming. Every packEvery steps, pack copies the lanes' lists
// into one new array, one after the other in lane order, each with a
// little room to grow: the walks of the lane-change, junction, move and
// refresh phases then read it front to back, as a stream the prefetcher
// follows. A lane that outgrows its room before the next packing gets a
// list of its own again, as before.
//
// Packing moves vehicles in memory, never changes them: results do not
// depend on it (TestPackSameResults). Link segments are left alone: few
// vehicles are on them at a time, and their lists are passed between
// links (takeList).

// packEvery is how many steps apart pack runs (at the end of every
// packEvery-th step). One packing of grid32 costs about as much as a
// tenth of a step; lists outgrow their room slowly, so a packing every
// few tens of steps keeps most lanes in place (bench/README.md, "An
// eighth round").
const packEvery = 32

// packMin is the fewest running vehicles at which pack runs. Fewer lists
// fit in the core's cache wherever they lie, and a packing would cost
// without paying: about 1 % more instructions per update on New York (420
// vehicles), none of it won back (bench/README.md, "An eighth round").
const packMin = 4096

// packCap returns the capacity lane list cars gets in the packed array:
// room for 2 more vehicles, or an eighth more on long lanes, but never
// more than the list had. So the packed array takes no more memory than
// the lists it replaces: the lists a demand released at once inserted
// full (roomToInsert: scale) stay full.
func packCap(cars []car) int {
	n := len(cars)
	return min(cap(cars), n+max(2, n/8))
}

// pack copies every lane's vehicle list into one new array, in lane order,
// lane l's list followed by the free places packCap gives it, its own
// (the list's capacity ends there: an append beyond it makes the lane a
// list of its own, never writes over the next lane's). The old lists are
// left to the garbage collector. Chunks of lanes are copied in parallel,
// each into its own part of the array.
func (s *Sim) pack() {
	nc := chunks(s.nLanes)
	at := make([]int, nc) // where each chunk's lanes start
	total := 0
	for c := range nc {
		at[c] = total
		lo, hi := span(c, s.nLanes)
		for l := lo; l < hi; l++ {
			total += packCap(s.segs[l].cars)
		}
	}
	all := make([]car, total)
	s.par.run(nc, func(c int) {
		off := at[c]
		lo, hi := span(c, s.nLanes)
		for l := lo; l < hi; l++ {
			seg := &s.segs[l]
			n, end := len(seg.cars), off+packCap(seg.cars)
			copy(all[off:], seg.cars)
			seg.cars = all[off : off+n : end]
			off = end
		}
	})
}
