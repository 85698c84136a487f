package traci

import (
	"fmt"
	"slices"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// laneRef places something on a SUMO lane: the view lane index (−1: on
// no lane of the view) and a position along it (m); in world.segLanes,
// where the lane starts along an engine segment.
type laneRef struct {
	lane int32
	pos  float64
}

// sigRef is one SUMO signal: a traffic light and an index into its state.
type sigRef struct {
	tls   int
	index int
}

// nodeSignals are the SUMO signals of each movement of a node the server
// drives (by the movement's Local index), and the lights last held.
type nodeSignals struct {
	node   maps.NodeID
	movs   [][]sigRef
	lights []signal.Light
}

// mapNetwork joins the SUMO view to the engine's network by id: road
// lanes by SUMO lane id, links (which run along a connection's chain of
// internal lanes) by their first internal lane, and each traffic light's
// connections to the movements they belong to.
func (w *world) mapNetwork() error {
	net, v := w.net, w.view
	nl := len(net.Lanes)
	w.segLanes = make([][]laneRef, nl+len(net.Links))
	for i := range net.Lanes {
		li, ok := v.laneIdx[net.Lanes[i].ID]
		if !ok {
			return fmt.Errorf("lane %q of the simulated network is not in the SUMO network file", net.Lanes[i].ID)
		}
		w.segLanes[i] = []laneRef{{lane: int32(li)}}
	}
	for k := range net.Links {
		id := net.Links[k].ID
		off := 0.0
		for hops := 0; id != "" && hops < 16; hops++ {
			li, ok := v.laneIdx[id]
			if !ok {
				break
			}
			w.segLanes[nl+k] = append(w.segLanes[nl+k], laneRef{lane: int32(li), pos: off})
			off += v.lanes[li].length
			id = v.next[id]
		}
	}
	// Traffic lights.
	linkBy := map[[2]string]maps.LinkID{}
	for k := range net.Links {
		lk := &net.Links[k]
		linkBy[[2]string{net.Lanes[lk.From].ID, net.Lanes[lk.To].ID}] = maps.LinkID(k)
	}
	byNode := make([]*nodeSignals, len(net.Nodes))
	w.linkSig = make([][]sigRef, len(net.Links))
	for ti, t := range v.tls {
		for idx, links := range t.links {
			for _, l := range links {
				k, ok := linkBy[[2]string{l.from, l.to}]
				if !ok {
					continue // a connection CityTwin does not simulate (not for cars)
				}
				if r := (sigRef{ti, idx}); !slices.Contains(w.linkSig[k], r) {
					w.linkSig[k] = append(w.linkSig[k], r)
				}
				m := &net.Movements[net.Links[k].Movement]
				ns := byNode[m.Node]
				if ns == nil {
					nm := len(net.Nodes[m.Node].Movements)
					ns = &nodeSignals{node: m.Node, movs: make([][]sigRef, nm), lights: make([]signal.Light, nm)}
					byNode[m.Node] = ns
				}
				if r := (sigRef{ti, idx}); !slices.Contains(ns.movs[m.Local], r) {
					ns.movs[m.Local] = append(ns.movs[m.Local], r)
				}
			}
		}
	}
	for _, ns := range byNode {
		if ns != nil {
			w.nodeRefs = append(w.nodeRefs, *ns)
		}
	}
	return nil
}

// laneOf returns the SUMO lane and lane position of a vehicle at pos (m)
// along engine segment seg.
func (w *world) laneOf(seg int32, pos float64) laneRef {
	if seg < 0 || int(seg) >= len(w.segLanes) {
		return laneRef{lane: -1}
	}
	ls := w.segLanes[seg]
	if len(ls) == 0 {
		return laneRef{lane: -1}
	}
	k := len(ls) - 1
	for k > 0 && ls[k].pos > pos {
		k--
	}
	return laneRef{lane: ls[k].lane, pos: pos - ls[k].pos}
}
