package maps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Load reads a network file of any supported format, telling them apart by
// content: OpenStreetMap data (XML or PBF, plain or compressed; see
// LoadOSM) is streamed; gzip-compressed data or XML whose root is <net> is
// a SUMO network, a JSON object with "intersections" is a CityFlow
// roadnet, anything else is read as GeoJSON.
func Load(path string, opt Options) (*Network, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("maps: %w", err)
	}
	head := make([]byte, 4096)
	k, _ := io.ReadFull(f, head)
	f.Close()
	if IsOSM(head[:k]) {
		return LoadOSM(path, opt)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("maps: %w", err)
	}
	var n *Network
	if IsSUMONet(data) {
		n, err = ReadSUMO(bytes.NewReader(data), filepath.Base(path), opt)
	} else if isCityFlow(data) {
		n, err = ReadCityFlow(data, filepath.Base(path))
	} else {
		n, err = ReadGeoJSON(data, filepath.Base(path), opt)
	}
	if err != nil {
		return nil, fmt.Errorf("maps: %s: %w", path, err)
	}
	return n, nil
}

func isCityFlow(data []byte) bool {
	var probe struct {
		Intersections json.RawMessage `json:"intersections"`
	}
	d := json.NewDecoder(bytes.NewReader(data))
	return d.Decode(&probe) == nil && len(probe.Intersections) > 0
}

// Summary counts what a network holds, for `citytwin net inspect`.
type Summary struct {
	Junctions  int     // nodes with movements
	Signalised int     // signalised junctions
	Roads      int     //
	Lanes      int     //
	LaneKM     float64 // total lane length, km
	Movements  int     //
	Links      int     //
	Components int     // strongly connected components
	// MainShare is the share of lanes in the largest component.
	MainShare float64
	Warnings  int
	Skipped   int
}

// Summarize counts the network's elements.
func (n *Network) Summarize() Summary {
	s := Summary{Roads: len(n.Roads), Lanes: len(n.Lanes), LaneKM: n.LaneKM(), Movements: len(n.Movements),
		Links: len(n.Links), Components: len(n.Components), Warnings: len(n.Warnings)}
	for i := range n.Nodes {
		if len(n.Nodes[i].Movements) > 0 {
			s.Junctions++
		}
		if n.Nodes[i].Kind == Signalised {
			s.Signalised++
		}
	}
	if len(n.Components) > 0 && len(n.Lanes) > 0 {
		in := 0
		for _, r := range n.Components[0] {
			in += len(n.Roads[r].Lanes)
		}
		s.MainShare = float64(in) / float64(len(n.Lanes))
	}
	for _, c := range n.Skipped {
		s.Skipped += c
	}
	return s
}
