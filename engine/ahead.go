package engine

import "math"

// Lane choice along the route.
//
// Besides the lane that leads to its next road, a driver who knows the
// turns after it keeps to a lane from which they can be made: on a road too
// short to change lanes on (a few metres between two junctions, common in
// OpenStreetMap data), the lane a vehicle arrives on must already serve the
// turn after. aheadLanes finds those lanes, looking along the route over
// the short roads ahead up to the first road long enough to change across
// all its lanes (planChange metres per lane beyond the vehicle's length),
// as SUMO's "best lanes" look ahead along the route. chooseLink prefers
// links into such lanes, and a vehicle whose lane leads to the next road
// only into lanes that do not lead on changes lanes beforehand (a
// strategic change, without asking others to make room).

// maxAhead is the most roads aheadLanes looks ahead.
const maxAhead = 8

// aheadLanes returns, for vehicle id of the given length (m), the lanes of
// its current road and of its next road from which its route can be driven
// through the short roads ahead without changing lanes on them, as bit
// masks over lane indices (bit i: the lane of index i). A mask with every
// bit set puts no constraint (a road with more than 64 lanes, or the
// route's end). Lanes are never left empty: where no lane leads on, those
// that lead to the following road are taken.
func (s *Sim) aheadLanes(id int32, length float64) (cur, next uint64) {
	const all = ^uint64(0)
	v := &s.veh[id]
	if v.route < 0 {
		return all, all
	}
	route := s.routes[v.route]
	i := int(v.ri)
	if i+1 >= len(route) {
		return all, all
	}
	// Look up to the first road (after the current one) long enough to
	// change across all its lanes: any lane of it will do.
	stop := i + 1
	for stop < len(route)-1 && stop-i < maxAhead && !s.changeable(int32(route[stop]), length) {
		stop++
	}
	a := all // good lanes of route[j+1]
	for j := stop - 1; j >= i; j-- {
		road := &s.net.Roads[route[j]]
		if len(road.Lanes) > 64 {
			return all, all
		}
		nextRoad := int32(route[j+1])
		var b, serving uint64 // lanes of route[j] leading to a good lane, or at all
		for x, l := range road.Lanes {
			if s.closed[l] {
				continue
			}
			for _, k := range s.ids(s.laneT[l].links) {
				if kl := s.linkLane[k]; s.segRoad[k] == nextRoad && !s.closed[kl] {
					serving |= 1 << x
					if a>>s.net.Lanes[kl].Index&1 != 0 {
						b |= 1 << x
					}
				}
			}
		}
		if b == 0 {
			b = serving
		}
		if j == i {
			return b, a
		}
		a = spread(b, s.changeSpan(int32(route[j]), length), len(road.Lanes))
	}
	return all, a
}

// changeSpan is how many lanes a vehicle of the given length may plan to
// cross on road r: ⌊(length of r − vehicle length)/planChange⌋.
func (s *Sim) changeSpan(r int32, length float64) int {
	return int(math.Floor((s.net.Roads[r].Length - length) / planChange))
}

// changeable reports whether a vehicle may plan to change across every
// lane of road r.
func (s *Sim) changeable(r int32, length float64) bool {
	n := len(s.net.Roads[r].Lanes)
	return n == 1 || s.changeSpan(r, length) >= n-1
}

// spread returns mask m widened by k lanes on each side, over n lanes.
func spread(m uint64, k, n int) uint64 {
	out := m
	for d := 1; d <= k && d < n; d++ {
		out |= m<<d | m>>d
	}
	if n < 64 {
		out &= 1<<n - 1
	}
	return out
}

// nearestIn returns −1 or +1 towards the nearest lane index in mask m
// from lane li of n, or 0 when li is in m or m holds none.
func nearestIn(m uint64, li, n int) int {
	if m>>li&1 != 0 {
		return 0
	}
	for d := 1; d < n; d++ {
		if li-d >= 0 && m>>(li-d)&1 != 0 {
			return -1
		}
		if li+d < n && m>>(li+d)&1 != 0 {
			return 1
		}
	}
	return 0
}
