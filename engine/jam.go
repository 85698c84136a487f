package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/citytwin/citytwin/maps"
)

// DefaultJamTime is the standing time (s) after which Jams reports a
// queue whose first vehicle is not held by a light: as long as SUMO's
// default time-to-teleport, longer than any signal cycle in the shipped
// networks.
const DefaultJamTime = 300.0

// A Jam is where traffic is stuck: lanes whose first vehicle has stood for
// at least the jam time (longer than any signal cycle) held by something
// other than a red light, without a moment when the light alone held it
// (time at red counts while its exit lane has no room for it either). A
// lane's first
// vehicle waits on the lane its link leads to (no room there, a standing
// queue at its start) or on vehicles crossing or merging with its path.
// When those waits close a loop — each stuck lane waiting on the next, the
// last on the first — the jam is a gridlock (Cycle): without a teleport or
// an outside change it never clears.
type Jam struct {
	// Lanes are the stuck lanes. For a cycle, in wait order: each waits
	// on the next and the last on the first. Otherwise the lane where the
	// wait starts, then the lanes it waits on, as far as they are stuck.
	Lanes []maps.LaneID
	// Nodes are the junctions at the end of Lanes, in the same order.
	Nodes []maps.NodeID
	// Cycle is true for a gridlock.
	Cycle bool
	// Starved is true for a queue held only by its light (a controller
	// that leaves a movement red longer than the jam time): a signal
	// problem, not a traffic one. A starved lane is always alone in its
	// jam.
	Starved bool
	// Stuck is the longest standing time (s) of the first vehicles of
	// Lanes; Vehicles counts the halted vehicles on Lanes.
	Stuck    float64
	Vehicles int
}

// describe names the jam's lanes by road and junction ids.
func (j Jam) describe(n *maps.Network) string {
	var b strings.Builder
	switch {
	case j.Cycle:
		fmt.Fprintf(&b, "gridlock of %d lanes", len(j.Lanes))
	case j.Starved:
		fmt.Fprintf(&b, "queue held by a red light")
	default:
		fmt.Fprintf(&b, "queue stuck on %d lane(s)", len(j.Lanes))
	}
	fmt.Fprintf(&b, " (%d halted vehicles, the longest standing %.0f s):", j.Vehicles, j.Stuck)
	for i, l := range j.Lanes {
		if i > 0 {
			b.WriteString(" →")
		}
		ln := &n.Lanes[l]
		fmt.Fprintf(&b, " lane %d of road %s at junction %s", ln.Index, n.Roads[ln.Road].ID, n.Nodes[j.Nodes[i]].ID)
	}
	if j.Cycle {
		b.WriteString(" → back to the first")
	}
	return b.String()
}

// Describe says where jam j is stuck, by the network's road and junction
// ids.
func (s *Sim) Describe(j Jam) string { return j.describe(s.net) }

// Jams returns where traffic is stuck now: every road lane whose first
// vehicle has stood for at least minStuck seconds (DefaultJamTime when
// minStuck ≤ 0) waiting for room on the lane its link leads to or for
// crossing or merging vehicles, without a moment when a red light alone
// held it, or at a light that has stayed red far longer than any cycle
// (Starved), grouped by what they wait on.
// Gridlocks (cycles of lanes each waiting on the next) come first, by
// their lowest lane id; then, by lane id, the other stuck queues, each
// from the lane no stuck lane waits on, and the starved lanes. It reads
// the state and changes nothing.
func (s *Sim) Jams(minStuck float64) []Jam {
	if minStuck <= 0 {
		minStuck = DefaultJamTime
	}
	// waitsOn[l]: the stuck lane l's first vehicle waits on (−1: none,
	// or not stuck itself: −2).
	waitsOn := make([]int32, s.nLanes)
	for l := range waitsOn {
		waitsOn[l] = -2
		seg := &s.segs[l]
		if len(seg.cars) == 0 {
			continue
		}
		c := &seg.cars[0]
		if c.next < 0 {
			continue
		}
		vt := &s.vtypes[c.vt]
		switch {
		case float64(c.held) < minStuck-1e-9:
			// Not held that long by anything but a red light.
			if c.flags&fRed != 0 && float64(c.wait) >= minStuck-1e-9 {
				// A light that has stayed red far longer than any cycle.
				waitsOn[l] = -3
			}
		case c.link >= 0 && !s.fits(s.linkLane[c.link], nil, c, vt.Follow.MinGap, 1):
			// No room on the lane its link leads to, whatever the light.
			waitsOn[l] = s.linkLane[c.link]
		default:
			// Crossing or merging vehicles.
			waitsOn[l] = -1
		}
	}
	stuck := func(l int32) bool { return l >= 0 && waitsOn[l] != -2 && waitsOn[l] != -3 }
	var jams []Jam
	done := make([]bool, s.nLanes)
	// Cycles: follow each stuck lane's waits; a lane met twice on the
	// current walk closes a loop.
	onWalk := make([]int, s.nLanes)
	for start := range waitsOn {
		if !stuck(int32(start)) || done[start] {
			continue
		}
		var walk []int32
		l := int32(start)
		for stuck(l) && !done[l] && onWalk[l] == 0 {
			walk = append(walk, l)
			onWalk[l] = len(walk)
			l = waitsOn[l]
		}
		if stuck(l) && onWalk[l] > 0 {
			cyc := walk[onWalk[l]-1:]
			// Start the cycle at its lowest lane id.
			k := slices.Index(cyc, slices.Min(cyc))
			cyc = append(slices.Clone(cyc[k:]), cyc[:k]...)
			jams = append(jams, s.jam(cyc, true))
		}
		for _, w := range walk {
			onWalk[w] = 0
			done[w] = true
		}
	}
	slices.SortFunc(jams, func(a, b Jam) int { return int(a.Lanes[0] - b.Lanes[0]) })
	inCycle := make([]bool, s.nLanes)
	for _, j := range jams {
		for _, l := range j.Lanes {
			inCycle[l] = true
		}
	}
	// Chains: from each stuck lane that no stuck lane waits on, along its
	// waits until a lane that is not stuck or is in a cycle.
	waitedOn := make([]bool, s.nLanes)
	for l := range waitsOn {
		if stuck(int32(l)) && stuck(waitsOn[l]) {
			waitedOn[waitsOn[l]] = true
		}
	}
	for l := range waitsOn {
		if waitsOn[l] == -3 {
			j := s.jam([]int32{int32(l)}, false)
			j.Starved = true
			jams = append(jams, j)
			continue
		}
		if !stuck(int32(l)) || inCycle[l] || waitedOn[l] {
			continue
		}
		var chain []int32
		for x := int32(l); stuck(x) && !inCycle[x] && !slices.Contains(chain, x); x = waitsOn[x] {
			chain = append(chain, x)
		}
		jams = append(jams, s.jam(chain, false))
	}
	return jams
}

// jam builds the Jam of the given lanes.
func (s *Sim) jam(lanes []int32, cycle bool) Jam {
	j := Jam{Cycle: cycle}
	for _, l := range lanes {
		seg := &s.segs[l]
		j.Lanes = append(j.Lanes, maps.LaneID(l))
		j.Nodes = append(j.Nodes, maps.NodeID(s.laneT[l].node))
		j.Stuck = max(j.Stuck, float64(seg.cars[0].wait))
		for i := range seg.cars {
			if seg.cars[i].speed < 0.1 {
				j.Vehicles++
			}
		}
	}
	return j
}
