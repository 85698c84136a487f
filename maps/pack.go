package maps

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// pack moves what a built network keeps into as few allocations as it
// takes, each exactly as long as its content: the top-level slices lose
// the slack append left them, and the many short lists (each lane's and
// movement's links, each link's crossing, merging and foe links, each
// node's roads and movements, each lane's and link's points) move into
// one backing array per kind, each list a sub-slice capped at its length
// (s[a:b:b]), so that appending to one reallocates it instead of writing
// over its neighbour. Nothing is computed: every value, and whether a list
// is nil or empty, stays as it was. finish calls it, so every builder
// gets it.
//
// On the 120×120 grid of the bench's scale case (345,600 links) it keeps
// 17.5 MB less (180 → 163 MB): append's spare room in Links alone was
// 48,000 links; see bench/README.md, "Memory per vehicle at scale".
func (n *Network) pack() {
	if noPack {
		return
	}
	n.Nodes = clip(n.Nodes)
	n.Roads = clip(n.Roads)
	n.Lanes = clip(n.Lanes)
	n.Movements = clip(n.Movements)
	n.Links = clip(n.Links)
	packLists(n.linkLists)
	packLists(n.roadLists)
	packLists(n.movementLists)
	packLists(n.laneLists)
	packLists(n.pointLists)
}

// linkLists calls each on every list of links the network keeps.
func (n *Network) linkLists(each func(*[]LinkID)) {
	for i := range n.Lanes {
		each(&n.Lanes[i].Links)
	}
	for i := range n.Movements {
		each(&n.Movements[i].Links)
	}
	for i := range n.Links {
		each(&n.Links[i].conf)
	}
}

// roadLists calls each on every list of roads the network keeps.
func (n *Network) roadLists(each func(*[]RoadID)) {
	for i := range n.Nodes {
		each(&n.Nodes[i].In)
		each(&n.Nodes[i].Out)
	}
	for i := range n.Components {
		each(&n.Components[i])
	}
}

// movementLists calls each on every list of movements the network keeps.
func (n *Network) movementLists(each func(*[]MovementID)) {
	for i := range n.Nodes {
		each(&n.Nodes[i].Movements)
	}
}

// laneLists calls each on every list of lanes the network keeps.
func (n *Network) laneLists(each func(*[]LaneID)) {
	for i := range n.Roads {
		each(&n.Roads[i].Lanes)
	}
}

// pointLists calls each on every polyline the network keeps.
func (n *Network) pointLists(each func(*[]orb.Point)) {
	for i := range n.Roads {
		each((*[]orb.Point)(&n.Roads[i].Geometry))
	}
	for i := range n.Lanes {
		each((*[]orb.Point)(&n.Lanes[i].Geometry))
	}
	for i := range n.Links {
		each((*[]orb.Point)(&n.Links[i].Path))
	}
}

// noPack turns pack off, for TestPackKeepsValues to build networks as
// they are without it.
var noPack bool

// clip returns s itself when it has no spare capacity, else a copy of
// exactly its length.
func clip[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// packLists moves every non-nil list that walk visits into one array
// holding all of them, each capped at its length; nil lists stay nil.
func packLists[T any](walk func(each func(*[]T))) {
	total := 0
	walk(func(s *[]T) { total += len(*s) })
	all := make([]T, 0, total)
	walk(func(s *[]T) {
		if *s == nil {
			return
		}
		a := len(all)
		all = append(all, *s...)
		*s = all[a:len(all):len(all)]
	})
}

// idIndex finds a dense id by its external id: the dense ids sorted by
// external id, then by dense id (4 bytes per element, where a map from
// string to id takes about 75 on the scale case's 58,080 roads).
type idIndex []int32

// newIDIndex sorts the dense ids 0..n-1 by their external ids id(i).
func newIDIndex(n int, id func(i int32) string) idIndex {
	x := make(idIndex, n)
	for i := range x {
		x[i] = int32(i)
	}
	slices.SortFunc(x, func(a, b int32) int {
		if c := strings.Compare(id(a), id(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return x
}

// find returns the dense id whose external id is s; when several share
// it, the last of them (as a map filled in order would); 0, false when
// none has it.
func (x idIndex) find(s string, id func(i int32) string) (int32, bool) {
	k := sort.Search(len(x), func(k int) bool { return id(x[k]) > s })
	if k == 0 || id(x[k-1]) != s {
		return 0, false
	}
	return x[k-1], true
}
