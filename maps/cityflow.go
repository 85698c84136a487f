package maps

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"
)

// CityFlow roadnet.json, as specified in CityFlow's docs/source/roadnet.rst.
type cfRoadnet struct {
	Intersections []cfIntersection `json:"intersections"`
	Roads         []cfRoad         `json:"roads"`
}

type cfPoint struct {
	X *float64 `json:"x"`
	Y *float64 `json:"y"`
}

type cfIntersection struct {
	ID        string       `json:"id"`
	Point     cfPoint      `json:"point"`
	Width     float64      `json:"width"`
	Roads     []string     `json:"roads"`
	RoadLinks []cfRoadLink `json:"roadLinks"`
	Light     struct {
		RoadLinkIndices []int `json:"roadLinkIndices"`
		LightPhases     []struct {
			Time      float64 `json:"time"`
			Available []int   `json:"availableRoadLinks"`
		} `json:"lightphases"`
	} `json:"trafficLight"`
	Virtual bool `json:"virtual"`
}

type cfRoadLink struct {
	Type      string `json:"type"`
	StartRoad string `json:"startRoad"`
	EndRoad   string `json:"endRoad"`
	LaneLinks []struct {
		StartLane int       `json:"startLaneIndex"`
		EndLane   int       `json:"endLaneIndex"`
		Points    []cfPoint `json:"points"`
	} `json:"laneLinks"`
}

type cfRoad struct {
	ID     string    `json:"id"`
	Points []cfPoint `json:"points"`
	Lanes  []struct {
		Width    float64 `json:"width"`
		MaxSpeed float64 `json:"maxSpeed"`
	} `json:"lanes"`
	Start string `json:"startIntersection"`
	End   string `json:"endIntersection"`
}

// LoadCityFlow reads a CityFlow roadnet.json.
func LoadCityFlow(path string) (*Network, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("maps: %w", err)
	}
	n, err := ReadCityFlow(data, filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("maps: %s: %w", path, err)
	}
	return n, nil
}

// ReadCityFlow builds a Network from a CityFlow roadnet, keeping the file's
// own movements (roadLinks), lane links with their points and light phases.
// Virtual intersections become Boundary nodes. Lanes start and end the
// intersection width away from the intersection point, as in CityFlow,
// and lane links leaving one lane cross at their shared first point
// (Network.StartCrossings), as CityFlow takes them to.
// The program cycles the file's light phases with their times and no
// inserted yellow (CityFlow's phase 0, right turns only, is its clearance).
func ReadCityFlow(data []byte, name string) (*Network, error) {
	var rn cfRoadnet
	if err := json.Unmarshal(data, &rn); err != nil {
		return nil, fmt.Errorf("not a CityFlow roadnet: %w", err)
	}
	if len(rn.Intersections) == 0 || len(rn.Roads) == 0 {
		return nil, fmt.Errorf("a roadnet needs intersections and roads, has %d and %d", len(rn.Intersections), len(rn.Roads))
	}
	n := &Network{Source: name, Skipped: map[string]int{}, StartCrossings: true}
	nodeIdx := map[string]NodeID{}
	for i, it := range rn.Intersections {
		p, err := cfPt(it.Point)
		if err != nil {
			return nil, fmt.Errorf("intersection %d (id %s): point: %w", i, it.ID, err)
		}
		if it.ID == "" {
			return nil, fmt.Errorf("intersection %d: no id", i)
		}
		if _, dup := nodeIdx[it.ID]; dup {
			return nil, fmt.Errorf("intersection %d: duplicate id %s", i, it.ID)
		}
		if !(it.Width >= 0 && it.Width < 1000) {
			return nil, fmt.Errorf("intersection %d (id %s): width %g not in [0, 1000) m", i, it.ID, it.Width)
		}
		nodeIdx[it.ID] = NodeID(i)
		n.Nodes = append(n.Nodes, Node{ID: it.ID, Pos: p, Virtual: it.Virtual, Radius: it.Width})
	}
	roadIdx := map[string]RoadID{}
	for i, r := range rn.Roads {
		where := fmt.Sprintf("road %d (id %s)", i, r.ID)
		if r.ID == "" {
			return nil, fmt.Errorf("road %d: no id", i)
		}
		if _, dup := roadIdx[r.ID]; dup {
			return nil, fmt.Errorf("%s: duplicate id", where)
		}
		from, ok1 := nodeIdx[r.Start]
		to, ok2 := nodeIdx[r.End]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: start or end intersection %q/%q does not exist", where, r.Start, r.End)
		}
		if from == to {
			return nil, fmt.Errorf("%s: starts and ends at intersection %s (a self-loop)", where, r.Start)
		}
		var geom orb.LineString
		for _, pt := range r.Points {
			p, err := cfPt(pt)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			geom = append(geom, p)
		}
		geom = dedupe(geom)
		if len(geom) < 2 {
			return nil, fmt.Errorf("%s: needs at least 2 distinct points", where)
		}
		if len(r.Lanes) == 0 || len(r.Lanes) > MaxLanes {
			return nil, fmt.Errorf("%s: %d lanes, want 1..%d", where, len(r.Lanes), MaxLanes)
		}
		road := Road{ID: r.ID, SourceIDs: []string{r.ID}, Class: "cityflow", Priority: 10, From: from, To: to,
			Geometry: geom, Length: lineLength(geom), TwoWay: true}
		rid := RoadID(i)
		roadIdx[r.ID] = rid
		a := math.Min(n.Nodes[from].Radius, 0.45*road.Length)
		b := math.Min(n.Nodes[to].Radius, 0.45*road.Length)
		center := cut(geom, a, road.Length-b)
		off := 0.0
		for li, l := range r.Lanes {
			if !(l.Width > 0 && l.Width <= 20) || !(l.MaxSpeed > 0 && l.MaxSpeed <= 80) {
				return nil, fmt.Errorf("%s: lane %d: width %g m or maxSpeed %g m/s out of range", where, li, l.Width, l.MaxSpeed)
			}
			g := offsetLine(center, off+float64(l.Width/2))
			off += l.Width
			road.Speed = math.Max(road.Speed, l.MaxSpeed)
			road.Lanes = append(road.Lanes, LaneID(len(n.Lanes)))
			n.Lanes = append(n.Lanes, Lane{Road: rid, Index: li, Geometry: g, Length: math.Max(lineLength(g), 0.1), Width: l.Width, Speed: l.MaxSpeed})
		}
		n.Roads = append(n.Roads, road)
		n.Nodes[from].Out = append(n.Nodes[from].Out, rid)
		n.Nodes[to].In = append(n.Nodes[to].In, rid)
	}
	for i, it := range rn.Intersections {
		v := NodeID(i)
		nd := &n.Nodes[v]
		where := fmt.Sprintf("intersection %d (id %s)", i, it.ID)
		for k, rl := range it.RoadLinks {
			from, ok1 := roadIdx[rl.StartRoad]
			to, ok2 := roadIdx[rl.EndRoad]
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%s: roadLink %d: road %q or %q does not exist", where, k, rl.StartRoad, rl.EndRoad)
			}
			if n.Roads[from].To != v || n.Roads[to].From != v {
				return nil, fmt.Errorf("%s: roadLink %d: %s does not end here or %s does not start here", where, k, rl.StartRoad, rl.EndRoad)
			}
			var turn Turn
			switch rl.Type {
			case "go_straight":
				turn = Straight
			case "turn_left":
				turn = Left
			case "turn_right":
				turn = Right
			case "turn_u", "u_turn":
				turn = UTurn
			default:
				return nil, fmt.Errorf("%s: roadLink %d: unknown type %q", where, k, rl.Type)
			}
			mv := MovementID(len(n.Movements))
			n.Movements = append(n.Movements, Movement{Node: v, From: from, To: to, Turn: turn, Local: k})
			nd.Movements = append(nd.Movements, mv)
			for j, ll := range rl.LaneLinks {
				fl, tl := n.Roads[from].Lanes, n.Roads[to].Lanes
				if ll.StartLane < 0 || ll.StartLane >= len(fl) || ll.EndLane < 0 || ll.EndLane >= len(tl) {
					return nil, fmt.Errorf("%s: roadLink %d laneLink %d: lane %d→%d out of range", where, k, j, ll.StartLane, ll.EndLane)
				}
				var path orb.LineString
				for _, pt := range ll.Points {
					p, err := cfPt(pt)
					if err != nil {
						return nil, fmt.Errorf("%s: roadLink %d laneLink %d: %w", where, k, j, err)
					}
					path = append(path, p)
				}
				path = dedupe(path)
				if len(path) < 2 {
					fe := n.Lanes[fl[ll.StartLane]].Geometry
					path = orb.LineString{fe[len(fe)-1], n.Lanes[tl[ll.EndLane]].Geometry[0]}
				}
				addLinkPath(n, mv, fl[ll.StartLane], tl[ll.EndLane], path)
				n.Lanes[fl[ll.StartLane]].Turns = n.Lanes[fl[ll.StartLane]].Turns.With(turn)
			}
			if len(rl.LaneLinks) == 0 {
				return nil, fmt.Errorf("%s: roadLink %d has no laneLinks", where, k)
			}
		}
		buildConflicts(n, v)
		switch {
		case it.Virtual || len(nd.Movements) == 0:
			nd.Kind = Boundary
			setYields(n, v, false)
		case len(it.Light.LightPhases) > 0:
			nd.Kind = Signalised
			setYields(n, v, true)
			prog := &Program{}
			for pi, ph := range it.Light.LightPhases {
				if !(ph.Time > 0 && ph.Time < 3600) {
					return nil, fmt.Errorf("%s: lightphase %d: time %g not in (0, 3600) s", where, pi, ph.Time)
				}
				st := []byte(stringsRepeat('r', len(nd.Movements)))
				for _, k := range ph.Available {
					if k < 0 || k >= len(st) {
						return nil, fmt.Errorf("%s: lightphase %d: roadLink %d does not exist", where, pi, k)
					}
					st[k] = 'G'
				}
				nd.Conflicts.yieldLetters(st)
				if err := nd.Conflicts.CheckPhase(string(st)); err != nil {
					return nil, fmt.Errorf("%s: lightphase %d: %w", where, pi, err)
				}
				prog.Phases = append(prog.Phases, Phase{Duration: ph.Time, State: string(st)})
			}
			nd.Program = prog
		default:
			nd.Kind = Priority
			setYields(n, v, false)
		}
	}
	n.Components = components(n)
	n.finish()
	if err := n.Check(); err != nil {
		return nil, err
	}
	return n, nil
}

func cfPt(p cfPoint) (orb.Point, error) {
	if p.X == nil || p.Y == nil {
		return orb.Point{}, fmt.Errorf("a point needs x and y")
	}
	x, y := *p.X, *p.Y
	if math.IsNaN(x) || math.IsNaN(y) || math.Abs(x) > 1e8 || math.Abs(y) > 1e8 {
		return orb.Point{}, fmt.Errorf("point (%g, %g) out of range", x, y)
	}
	return orb.Point{x, y}, nil
}
