package maps

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// GridOptions describe a generated grid network.
type GridOptions struct {
	Rows, Cols int     // signalised junctions per column and per row (≥ 1)
	Block      float64 // distance between neighbouring junctions (m), default 200
	Lanes      int     // lanes per direction, default 2
	Speed      float64 // speed limit (m/s), default 13.89 (50 km/h)
}

// Grid generates a Rows×Cols grid of signalised junctions joined by two-way
// roads, ringed by boundary nodes where vehicles enter and leave (like
// CityFlow's virtual intersections). Junction (x, y), x in 1..Cols and y
// in 1..Rows, is named "intersection_x_y"; the road from it heading east,
// north, west or south is "road_x_y_d" with d = 0, 1, 2, 3 (CityFlow's
// naming). Junctions are Block metres apart; boundary nodes Block metres
// beyond the outer junctions.
func Grid(o GridOptions) (*Network, error) {
	if o.Block == 0 {
		o.Block = 200
	}
	if o.Lanes == 0 {
		o.Lanes = 2
	}
	if o.Speed == 0 {
		o.Speed = 50 / 3.6
	}
	switch {
	case o.Rows < 1 || o.Cols < 1 || o.Rows > 1000 || o.Cols > 1000:
		return nil, fmt.Errorf("maps: grid %d×%d: rows and cols must be in 1..1000", o.Rows, o.Cols)
	case !(o.Block >= 10) || math.IsInf(o.Block, 1):
		return nil, fmt.Errorf("maps: grid block %g m is not a finite length of at least 10 m", o.Block)
	case o.Lanes < 1 || o.Lanes > MaxLanes:
		return nil, fmt.Errorf("maps: grid lanes %d not in 1..%d", o.Lanes, MaxLanes)
	case !(o.Speed > 0 && o.Speed <= 80):
		return nil, fmt.Errorf("maps: grid speed %g m/s not in (0, 80]", o.Speed)
	}
	raw := &rawNet{source: fmt.Sprintf("grid %dx%d", o.Rows, o.Cols), skipped: map[string]int{}}
	idx := map[[2]int]int{}
	for y := 0; y <= o.Rows+1; y++ {
		for x := 0; x <= o.Cols+1; x++ {
			inner := x >= 1 && x <= o.Cols && y >= 1 && y <= o.Rows
			edge := (x == 0 || x == o.Cols+1) && y >= 1 && y <= o.Rows || (y == 0 || y == o.Rows+1) && x >= 1 && x <= o.Cols
			if !inner && !edge {
				continue
			}
			idx[[2]int{x, y}] = len(raw.nodes)
			raw.nodes = append(raw.nodes, rawNode{
				id: fmt.Sprintf("intersection_%d_%d", x, y), feature: -1,
				pos:    orb.Point{float64(x) * o.Block, float64(y) * o.Block},
				tagged: inner, boundary: !inner,
			})
		}
	}
	dirs := [4][2]int{{1, 0}, {0, 1}, {-1, 0}, {0, -1}}
	for y := 0; y <= o.Rows+1; y++ {
		for x := 0; x <= o.Cols+1; x++ {
			a, ok := idx[[2]int{x, y}]
			if !ok {
				continue
			}
			for d, dv := range dirs {
				b, ok := idx[[2]int{x + dv[0], y + dv[1]}]
				if !ok || raw.nodes[a].boundary && raw.nodes[b].boundary {
					continue
				}
				id := fmt.Sprintf("road_%d_%d_%d", x, y, d)
				raw.roads = append(raw.roads, rawRoad{
					id: id, feature: -1, sources: []string{id}, class: "primary", priority: Classes["primary"].Priority,
					from: a, to: b, geom: orb.LineString{raw.nodes[a].pos, raw.nodes[b].pos},
					lanes: o.Lanes, speed: o.Speed, width: DefaultLaneWidth,
				})
			}
		}
	}
	return build(raw, Options{Planar: true, NoMerge: true})
}
