package testnet

import (
	"encoding/json"
	"fmt"
)

// CityFlowGrid returns a CityFlow roadnet.json for a rows×cols grid of
// signalised intersections block metres apart, ringed by virtual
// intersections, in the layout of the CityFlow benchmark files
// (roadnet_3_4.json and the like): "intersection_x_y", roads
// "road_x_y_d" (d = 0 east, 1 north, 2 west, 3 south), 3 lanes per road
// of 4 m at 11.111 m/s (lane 0 turns left, 1 goes straight, 2 turns right,
// each to every lane of the exit road), 12 road links per intersection,
// and the benchmark's 9 light phases: phase 0 the right turns only (5 s),
// then 30 s each for 1 east–west through, 2 north–south through, 3
// east–west left, 4 north–south left, 5 to 8 through and left from the
// west, east, south and north; right turns are green in every phase.
func CityFlowGrid(rows, cols int, block float64) []byte {
	type pt struct {
		X float64 `json:"x"`
		Y float64 `json:"y"`
	}
	type laneLink struct {
		Start  int  `json:"startLaneIndex"`
		End    int  `json:"endLaneIndex"`
		Points []pt `json:"points"`
	}
	type roadLink struct {
		Type      string     `json:"type"`
		StartRoad string     `json:"startRoad"`
		EndRoad   string     `json:"endRoad"`
		Direction int        `json:"direction"`
		LaneLinks []laneLink `json:"laneLinks"`
	}
	type phase struct {
		Time      float64 `json:"time"`
		Available []int   `json:"availableRoadLinks"`
	}
	type light struct {
		Indices []int   `json:"roadLinkIndices"`
		Phases  []phase `json:"lightphases"`
	}
	type inter struct {
		ID        string     `json:"id"`
		Point     pt         `json:"point"`
		Width     float64    `json:"width"`
		Roads     []string   `json:"roads"`
		RoadLinks []roadLink `json:"roadLinks"`
		Light     light      `json:"trafficLight"`
		Virtual   bool       `json:"virtual"`
	}
	type lane struct {
		Width    float64 `json:"width"`
		MaxSpeed float64 `json:"maxSpeed"`
	}
	type road struct {
		ID     string `json:"id"`
		Points []pt   `json:"points"`
		Lanes  []lane `json:"lanes"`
		Start  string `json:"startIntersection"`
		End    string `json:"endIntersection"`
	}
	dirs := [4][2]int{{1, 0}, {0, 1}, {-1, 0}, {0, -1}}
	exists := func(x, y int) bool {
		inner := x >= 1 && x <= cols && y >= 1 && y <= rows
		edge := (x == 0 || x == cols+1) && y >= 1 && y <= rows || (y == 0 || y == rows+1) && x >= 1 && x <= cols
		return inner || edge
	}
	real := func(x, y int) bool { return x >= 1 && x <= cols && y >= 1 && y <= rows }
	name := func(x, y int) string { return fmt.Sprintf("intersection_%d_%d", x, y) }
	roadID := func(x, y, d int) string { return fmt.Sprintf("road_%d_%d_%d", x, y, d) }
	var out struct {
		Intersections []inter `json:"intersections"`
		Roads         []road  `json:"roads"`
	}
	for y := 0; y <= rows+1; y++ {
		for x := 0; x <= cols+1; x++ {
			if !exists(x, y) {
				continue
			}
			for d, dv := range dirs {
				nx, ny := x+dv[0], y+dv[1]
				if !exists(nx, ny) || !real(x, y) && !real(nx, ny) {
					continue
				}
				l := lane{Width: 4, MaxSpeed: 11.111}
				out.Roads = append(out.Roads, road{ID: roadID(x, y, d), Start: name(x, y), End: name(nx, ny),
					Points: []pt{{float64(x) * block, float64(y) * block}, {float64(nx) * block, float64(ny) * block}},
					Lanes:  []lane{l, l, l}})
			}
		}
	}
	for y := 0; y <= rows+1; y++ {
		for x := 0; x <= cols+1; x++ {
			if !exists(x, y) {
				continue
			}
			it := inter{ID: name(x, y), Point: pt{float64(x) * block, float64(y) * block}, Width: 10, Virtual: !real(x, y),
				RoadLinks: []roadLink{}, Light: light{Indices: []int{}, Phases: []phase{}}}
			for _, r := range out.Roads {
				if r.Start == it.ID || r.End == it.ID {
					it.Roads = append(it.Roads, r.ID)
				}
			}
			if it.Virtual {
				out.Intersections = append(out.Intersections, it)
				continue
			}
			// Road links: per approach heading h (vehicles driving in
			// direction h arrive from the opposite side), straight, left
			// and right; link index = 3h + {0 straight, 1 left, 2 right}.
			for h := 0; h < 4; h++ {
				from := roadID(x-dirs[h][0], y-dirs[h][1], h)
				for k, turn := range []struct {
					typ  string
					head int
					lane int
				}{{"go_straight", h, 1}, {"turn_left", (h + 1) % 4, 0}, {"turn_right", (h + 3) % 4, 2}} {
					_ = k
					rl := roadLink{Type: turn.typ, StartRoad: from, EndRoad: roadID(x, y, turn.head), Direction: turn.head}
					for e := 0; e < 3; e++ {
						rl.LaneLinks = append(rl.LaneLinks, laneLink{Start: turn.lane, End: e, Points: []pt{}})
					}
					it.RoadLinks = append(it.RoadLinks, rl)
				}
			}
			for i := range it.RoadLinks {
				it.Light.Indices = append(it.Light.Indices, i)
			}
			S := func(h int) int { return 3 * h }
			L := func(h int) int { return 3*h + 1 }
			rights := []int{2, 5, 8, 11}
			with := func(ls ...int) []int { return append(append([]int{}, rights...), ls...) }
			// Headings: 0 eastbound (from the west), 1 northbound (from the
			// south), 2 westbound (from the east), 3 southbound (from the north).
			it.Light.Phases = []phase{
				{5, with()},
				{30, with(S(0), S(2))}, {30, with(S(1), S(3))},
				{30, with(L(0), L(2))}, {30, with(L(1), L(3))},
				{30, with(S(0), L(0))}, {30, with(S(2), L(2))},
				{30, with(S(1), L(1))}, {30, with(S(3), L(3))},
			}
			out.Intersections = append(out.Intersections, it)
		}
	}
	data, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	return data
}
