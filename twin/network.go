package twin

import (
	"encoding/json"
	"sync"

	"github.com/citytwin/citytwin/maps"
)

// NetworkInfo is the road network as the API describes it (GET
// /v1/network). Lengths are in metres, speeds in m/s, coordinates in the
// network's local planar metres (X east, Y north).
type NetworkInfo struct {
	Source string `json:"source"`
	// Bounds is [min x, min y, max x, max y].
	Bounds [4]float64 `json:"bounds"`
	// Origin is the WGS84 [lon, lat] of the local origin, when the input
	// was projected.
	Origin *[2]float64 `json:"origin,omitempty"`
	// Signalised lists the signalised junctions in node order: the order
	// of the phases in stream frames.
	Signalised []string   `json:"signalised"`
	Nodes      []NodeInfo `json:"nodes"`
	Roads      []RoadInfo `json:"roads"`
	Lanes      []LaneInfo `json:"lanes"`
}

// NodeInfo is a junction (or dead end or boundary point).
type NodeInfo struct {
	ID    string   `json:"id"`
	Index int      `json:"index"`
	Kind  string   `json:"kind"` // priority, signalised, dead_end, boundary
	X     float64  `json:"x"`
	Y     float64  `json:"y"`
	In    []string `json:"in"`  // roads ending here
	Out   []string `json:"out"` // roads starting here
	// Movements are the turns through the junction, in its order (the
	// order of phase states and lights).
	Movements []MovementInfo `json:"movements,omitempty"`
	Program   *ProgramInfo   `json:"program,omitempty"`
}

// MovementInfo is a turn from one road to another.
type MovementInfo struct {
	From string `json:"from"`
	To   string `json:"to"`
	Turn string `json:"turn"` // S, L, R or U
}

// ProgramInfo is a junction's signal program from the network.
type ProgramInfo struct {
	Phases []PhaseInfo `json:"phases"`
	Yellow float64     `json:"yellow"`  // s
	AllRed float64     `json:"all_red"` // s
	Offset float64     `json:"offset"`  // s
}

// PhaseInfo is one phase: a letter per movement (G green, g green
// yielding, r red) and its green time (s).
type PhaseInfo struct {
	State    string  `json:"state"`
	Duration float64 `json:"duration"`
}

// RoadInfo is a directed road.
type RoadInfo struct {
	ID     string  `json:"id"`
	Index  int     `json:"index"`
	Name   string  `json:"name,omitempty"`
	Class  string  `json:"class,omitempty"`
	From   string  `json:"from"`
	To     string  `json:"to"`
	Length float64 `json:"length"`
	Speed  float64 `json:"speed"`
	// Lanes lists its lanes' ids, from the centre line outwards (leftmost first when driving on the right).
	Lanes []int `json:"lanes"`
	// Entry and Exit say vehicles enter or leave the network on it.
	Entry bool `json:"entry,omitempty"`
	Exit  bool `json:"exit,omitempty"`
	// Geometry is the road's reference line (with ?geometry=1).
	Geometry [][2]float64 `json:"geometry,omitempty"`
}

// LaneInfo is one lane.
type LaneInfo struct {
	Lane   int     `json:"lane"`
	Road   string  `json:"road"`
	Index  int     `json:"index"`
	Length float64 `json:"length"`
	Speed  float64 `json:"speed"`
	Turns  string  `json:"turns"` // e.g. "LS"
}

// netCache holds the encoded network descriptions (the network never
// changes).
type netCache struct {
	once [2]sync.Once
	data [2][]byte
}

func (c *netCache) get(net *maps.Network, geometry bool) []byte {
	i := 0
	if geometry {
		i = 1
	}
	c.once[i].Do(func() {
		c.data[i], _ = json.Marshal(networkInfo(net, geometry))
	})
	return c.data[i]
}

func networkInfo(net *maps.Network, geometry bool) *NetworkInfo {
	b := net.Bounds()
	info := &NetworkInfo{Source: net.Source, Bounds: [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		Signalised: []string{}, Nodes: make([]NodeInfo, len(net.Nodes)), Roads: make([]RoadInfo, len(net.Roads)),
		Lanes: make([]LaneInfo, len(net.Lanes))}
	if net.Origin != nil {
		info.Origin = &[2]float64{net.Origin[0], net.Origin[1]}
	}
	ids := func(rs []maps.RoadID) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = net.Roads[r].ID
		}
		return out
	}
	for v := range net.Nodes {
		nd := &net.Nodes[v]
		ni := NodeInfo{ID: nd.ID, Index: v, Kind: nd.Kind.String(), X: round(nd.Pos[0], 2), Y: round(nd.Pos[1], 2),
			In: ids(nd.In), Out: ids(nd.Out)}
		for _, m := range nd.Movements {
			mv := &net.Movements[m]
			ni.Movements = append(ni.Movements, MovementInfo{From: net.Roads[mv.From].ID, To: net.Roads[mv.To].ID, Turn: mv.Turn.String()})
		}
		if nd.Kind == maps.Signalised && nd.Program != nil {
			p := nd.Program
			pi := &ProgramInfo{Yellow: p.Yellow, AllRed: p.AllRed, Offset: p.Offset}
			for _, ph := range p.Phases {
				pi.Phases = append(pi.Phases, PhaseInfo{State: ph.State, Duration: ph.Duration})
			}
			ni.Program = pi
			info.Signalised = append(info.Signalised, nd.ID)
		}
		info.Nodes[v] = ni
	}
	for r := range net.Roads {
		rd := &net.Roads[r]
		ri := RoadInfo{ID: rd.ID, Index: r, Name: rd.Name, Class: rd.Class, From: net.Nodes[rd.From].ID, To: net.Nodes[rd.To].ID,
			Length: round(rd.Length, 2), Speed: round(rd.Speed, 3), Lanes: make([]int, len(rd.Lanes)), Entry: entryRoad(net, maps.RoadID(r))}
		to := &net.Nodes[rd.To]
		ri.Exit = to.Kind == maps.Boundary || to.Kind == maps.DeadEnd || len(to.Out) == 0
		for i, l := range rd.Lanes {
			ri.Lanes[i] = int(l)
		}
		if geometry {
			for _, p := range rd.Geometry {
				ri.Geometry = append(ri.Geometry, [2]float64{round(p[0], 2), round(p[1], 2)})
			}
		}
		info.Roads[r] = ri
	}
	for l := range net.Lanes {
		ln := &net.Lanes[l]
		info.Lanes[l] = LaneInfo{Lane: l, Road: net.Roads[ln.Road].ID, Index: ln.Index, Length: round(ln.Length, 2),
			Speed: round(ln.Speed, 3), Turns: ln.Turns.String()}
	}
	return info
}
