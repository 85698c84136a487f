package maps

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ExportFormat is the version written in the "citytwin" member of exported
// files.
const ExportFormat = 1

type exportMeta struct {
	Format       int            `json:"format"`
	Source       string         `json:"source"`
	Origin       *orb.Point     `json:"origin"`
	Warnings     []Warning      `json:"warnings"`
	Skipped      map[string]int `json:"skipped"`
	RemovedRoads []string       `json:"removed_roads"`
	// Proj is the SUMO projection of a network that has one; coordinates
	// are then written in the network's planar metres.
	Proj     *Projection `json:"proj,omitempty"`
	LeftHand bool        `json:"left_hand,omitempty"`
	Country  string      `json:"country,omitempty"`
	Credit   string      `json:"credit,omitempty"`
	// StartCrossings is Network.StartCrossings (CityFlow roadnets).
	StartCrossings bool `json:"start_crossings,omitempty"`
}

type exportMovement struct {
	From  RoadID   `json:"from"`
	To    RoadID   `json:"to"`
	Turn  string   `json:"turn"`
	Links []LinkID `json:"links"`
}

// WriteGeoJSON writes the network as a GeoJSON FeatureCollection: one
// feature per road, lane and link (LineString) and per node (Point, with its
// movements, conflict matrix and signal program as properties). Lon/lat
// when the network was projected around an Origin, planar metres (crs
// LocalCRS) otherwise; a SUMO network's projection (Proj) is kept in the
// "citytwin" member with the coordinates in its planar metres, so that the
// file reads back bit for bit. ReadGeoJSON reads the file back into the
// same network.
func (n *Network) WriteGeoJSON(w io.Writer) error {
	unproj := func(p orb.Point) orb.Point { return p }
	crs := LocalCRS
	if n.Origin != nil && n.Proj == nil {
		unproj = LocalUnprojection(*n.Origin)
		crs = "urn:ogc:def:crs:OGC:1.3:CRS84"
	}
	line := func(ls orb.LineString) orb.LineString {
		out := make(orb.LineString, len(ls))
		for i, p := range ls {
			out[i] = unproj(p)
		}
		return out
	}
	fc := geojson.NewFeatureCollection()
	for i := range n.Nodes {
		nd := &n.Nodes[i]
		f := geojson.NewFeature(unproj(nd.Pos))
		movs := make([]exportMovement, len(nd.Movements))
		for k, m := range nd.Movements {
			mv := &n.Movements[m]
			movs[k] = exportMovement{mv.From, mv.To, mv.Turn.String(), mv.Links}
		}
		f.Properties = geojson.Properties{
			"kind": "node", "id": nd.ID, "dense": i, "type": nd.Kind.String(), "tagged": nd.Tagged,
			"in": nd.In, "out": nd.Out, "radius": nd.Radius, "virtual": nd.Virtual,
			"movements": movs, "conflicts": nd.Conflicts.Flags, "program": nd.Program,
		}
		fc.Append(f)
	}
	for i := range n.Roads {
		r := &n.Roads[i]
		f := geojson.NewFeature(line(r.Geometry))
		f.Properties = geojson.Properties{
			"kind": "road", "id": r.ID, "dense": i, "source_ids": r.SourceIDs, "name": r.Name, "highway": r.Class,
			"priority": r.Priority, "from": r.From, "to": r.To, "speed": r.Speed, "lanes": r.Lanes,
			"layer": r.Layer, "two_way": r.TwoWay, "length": r.Length, "roundabout": r.Roundabout,
		}
		fc.Append(f)
	}
	for i := range n.Lanes {
		l := &n.Lanes[i]
		f := geojson.NewFeature(line(l.Geometry))
		f.Properties = geojson.Properties{
			"kind": "lane", "dense": i, "id": l.ID, "road": l.Road, "road_id": n.Roads[l.Road].ID, "index": l.Index,
			"width": l.Width, "speed": l.Speed, "length": l.Length, "turns": l.Turns.String(), "links": l.Links,
		}
		fc.Append(f)
	}
	for i := range n.Links {
		k := &n.Links[i]
		m := &n.Movements[k.Movement]
		f := geojson.NewFeature(line(k.Path))
		f.Properties = geojson.Properties{
			"kind": "link", "dense": i, "id": k.ID, "movement": k.Movement, "node": n.Nodes[m.Node].ID, "turn": m.Turn.String(),
			"from": k.From, "to": k.To, "speed": k.Speed, "length": k.Length,
			"crossing": k.Crossing(), "merging": k.Merging(), "foes": k.Foes(),
		}
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{
		"crs": map[string]any{"type": "name", "properties": map[string]string{"name": crs}},
		"citytwin": exportMeta{
			Format: ExportFormat, Source: n.Source, Origin: n.Origin, Warnings: n.Warnings,
			Skipped: n.Skipped, RemovedRoads: n.RemovedRoads, Proj: n.Proj, LeftHand: n.LeftHand, Country: n.Country, Credit: n.Credit, StartCrossings: n.StartCrossings,
		},
	}
	data, err := json.Marshal(fc)
	if err != nil {
		return fmt.Errorf("maps: export: %w", err)
	}
	_, err = w.Write(data)
	return err
}

// SaveGeoJSON writes the network to a file (see WriteGeoJSON).
func (n *Network) SaveGeoJSON(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("maps: %w", err)
	}
	if err := n.WriteGeoJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readExport rebuilds a network written by WriteGeoJSON.
func readExport(metaRaw json.RawMessage, feats []json.RawMessage, name string) (*Network, error) {
	var meta exportMeta
	if err := json.Unmarshal(metaRaw, &meta); err != nil {
		return nil, fmt.Errorf("citytwin member: %w", err)
	}
	if meta.Format != ExportFormat {
		return nil, fmt.Errorf("citytwin export format %d, this version reads %d", meta.Format, ExportFormat)
	}
	proj := func(p orb.Point) orb.Point { return p }
	if meta.Proj != nil {
		pr, err := NewProjection(meta.Proj.NetOffset, meta.Proj.Params)
		if err != nil || pr == nil {
			return nil, fmt.Errorf("citytwin member: proj: %v", err)
		}
		meta.Proj = pr
	} else if meta.Origin != nil {
		o := *meta.Origin
		if math.IsNaN(o[0]) || math.IsNaN(o[1]) || math.Abs(o[0]) > 180 || math.Abs(o[1]) > 85 {
			return nil, fmt.Errorf("citytwin member: origin %v is not a lon/lat", o)
		}
		proj = LocalProjection(o)
	}
	n := &Network{Source: meta.Source, Origin: meta.Origin, Proj: meta.Proj, Warnings: meta.Warnings, Skipped: meta.Skipped, RemovedRoads: meta.RemovedRoads,
		LeftHand: meta.LeftHand, Country: meta.Country, Credit: meta.Credit, StartCrossings: meta.StartCrossings}
	if n.Skipped == nil {
		n.Skipped = map[string]int{}
	}
	type common struct {
		Kind  string `json:"kind"`
		Dense int    `json:"dense"`
	}
	var nodes, roads, lanes, links []json.RawMessage
	var geoms [4][]orb.Geometry
	for i, raw := range feats {
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", i, err)
		}
		props, err := json.Marshal(f.Properties)
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", i, err)
		}
		var c common
		if err := json.Unmarshal(props, &c); err != nil {
			return nil, fmt.Errorf("feature %d: %w", i, err)
		}
		var list *[]json.RawMessage
		var gi int
		switch c.Kind {
		case "node":
			list, gi = &nodes, 0
		case "road":
			list, gi = &roads, 1
		case "lane":
			list, gi = &lanes, 2
		case "link":
			list, gi = &links, 3
		default:
			return nil, fmt.Errorf("feature %d: kind %q is not node, road, lane or link", i, c.Kind)
		}
		if c.Dense != len(*list) {
			return nil, fmt.Errorf("feature %d: %s %d out of order (want %d)", i, c.Kind, c.Dense, len(*list))
		}
		*list = append(*list, props)
		geoms[gi] = append(geoms[gi], f.Geometry)
	}
	toLine := func(g orb.Geometry, what string, i int) (orb.LineString, error) {
		ls, ok := g.(orb.LineString)
		if !ok || len(ls) < 2 {
			return nil, fmt.Errorf("%s %d: geometry must be a LineString of 2 or more points", what, i)
		}
		out := make(orb.LineString, len(ls))
		for k, p := range ls {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
				return nil, fmt.Errorf("%s %d: coordinate not finite", what, i)
			}
			out[k] = proj(p)
		}
		return out, nil
	}
	n.Movements = nil
	for i, raw := range nodes {
		var p struct {
			ID        string           `json:"id"`
			Type      string           `json:"type"`
			Tagged    bool             `json:"tagged"`
			In        []RoadID         `json:"in"`
			Out       []RoadID         `json:"out"`
			Radius    float64          `json:"radius"`
			Virtual   bool             `json:"virtual"`
			Movements []exportMovement `json:"movements"`
			Conflicts []uint8          `json:"conflicts"`
			Program   *Program         `json:"program"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		pt, ok := geoms[0][i].(orb.Point)
		if !ok {
			return nil, fmt.Errorf("node %d: geometry must be a Point", i)
		}
		kind, ok := ParseNodeKind(p.Type)
		if !ok {
			return nil, fmt.Errorf("node %d: unknown type %q", i, p.Type)
		}
		nd := Node{ID: p.ID, Pos: proj(pt), Kind: kind, Tagged: p.Tagged, In: p.In, Out: p.Out, Radius: p.Radius,
			Virtual: p.Virtual, Program: p.Program}
		nd.Conflicts = ConflictMatrix{N: len(p.Movements), Flags: p.Conflicts}
		for k, m := range p.Movements {
			turn := -1
			for t := UTurn; t <= Straight; t++ {
				if t.String() == m.Turn {
					turn = int(t)
				}
			}
			if turn < 0 {
				return nil, fmt.Errorf("node %d: movement %d: unknown turn %q", i, k, m.Turn)
			}
			nd.Movements = append(nd.Movements, MovementID(len(n.Movements)))
			n.Movements = append(n.Movements, Movement{Node: NodeID(i), From: m.From, To: m.To, Turn: Turn(turn), Local: k, Links: m.Links})
		}
		n.Nodes = append(n.Nodes, nd)
	}
	for i, raw := range roads {
		var p struct {
			ID        string   `json:"id"`
			SourceIDs []string `json:"source_ids"`
			Name      string   `json:"name"`
			Class     string   `json:"highway"`
			Priority  int      `json:"priority"`
			From      NodeID   `json:"from"`
			To        NodeID   `json:"to"`
			Speed     float64  `json:"speed"`
			Lanes     []LaneID `json:"lanes"`
			Layer     int      `json:"layer"`
			TwoWay    bool     `json:"two_way"`
			Length    float64  `json:"length"`
			Round     bool     `json:"roundabout"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("road %d: %w", i, err)
		}
		g, err := toLine(geoms[1][i], "road", i)
		if err != nil {
			return nil, err
		}
		n.Roads = append(n.Roads, Road{ID: p.ID, SourceIDs: p.SourceIDs, Name: p.Name, Class: p.Class, Priority: p.Priority,
			From: p.From, To: p.To, Geometry: g, Length: p.Length, Speed: p.Speed, Lanes: p.Lanes, Layer: p.Layer, TwoWay: p.TwoWay, Roundabout: p.Round})
	}
	for i, raw := range lanes {
		var p struct {
			ID     string   `json:"id"`
			Road   RoadID   `json:"road"`
			Index  int      `json:"index"`
			Width  float64  `json:"width"`
			Speed  float64  `json:"speed"`
			Length float64  `json:"length"`
			Turns  string   `json:"turns"`
			Links  []LinkID `json:"links"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("lane %d: %w", i, err)
		}
		g, err := toLine(geoms[2][i], "lane", i)
		if err != nil {
			return nil, err
		}
		var ts TurnSet
		if p.Turns != "" {
			if ts, err = ParseTurnLetters(p.Turns); err != nil {
				return nil, fmt.Errorf("lane %d: %w", i, err)
			}
		}
		n.Lanes = append(n.Lanes, Lane{ID: p.ID, Road: p.Road, Index: p.Index, Geometry: g, Length: p.Length, Width: p.Width, Speed: p.Speed, Turns: ts, Links: p.Links})
	}
	for i, raw := range links {
		var p struct {
			ID       string     `json:"id"`
			Movement MovementID `json:"movement"`
			From     LaneID     `json:"from"`
			To       LaneID     `json:"to"`
			Speed    float64    `json:"speed"`
			Length   float64    `json:"length"`
			Crossing []LinkID   `json:"crossing"`
			Merging  []LinkID   `json:"merging"`
			Foes     []LinkID   `json:"foes"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("link %d: %w", i, err)
		}
		g, err := toLine(geoms[3][i], "link", i)
		if err != nil {
			return nil, err
		}
		n.Links = append(n.Links, Link{ID: p.ID, Movement: p.Movement, From: p.From, To: p.To, Path: g, Length: p.Length, Speed: p.Speed})
		n.Links[len(n.Links)-1].setConflicts(p.Crossing, p.Merging, p.Foes)
	}
	if len(n.Roads) == 0 {
		return nil, fmt.Errorf("no roads")
	}
	if err := n.Check(); err != nil {
		return nil, err
	}
	n.Components = components(n)
	n.finish()
	return n, nil
}
