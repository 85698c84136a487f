package maps

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// Expected sizes of an R×C grid with L lanes per direction:
//
//   - nodes: R·C junctions plus 2R+2C boundary nodes (one beyond each end
//     of every row and column);
//   - roads: two per pair of neighbouring junctions, 2(R(C−1) + C(R−1)),
//     plus two per boundary node, 2(2R+2C): in all 4RC + 2R + 2C;
//   - lanes: L per road;
//   - movements: every junction has 4 approaches, each turning left,
//     straight and right (no U-turns away from dead ends): 12·R·C;
//   - links: per approach, the lanes serving a turn map onto all L exit
//     lanes, so each of the 3 movements has L links: 12·L·R·C;
//   - components (R, C ≥ 2): each boundary road is its own component (the
//     boundary has no movements), the roads between junctions form one:
//     4(R+C) + 1.
func TestGridCounts(t *testing.T) {
	for _, tc := range []struct{ rows, cols, lanes int }{
		{1, 1, 1}, {1, 4, 2}, {2, 3, 2}, {3, 3, 3}, {4, 2, 1}, {5, 5, 4},
	} {
		t.Run(fmt.Sprintf("%dx%d_L%d", tc.rows, tc.cols, tc.lanes), func(t *testing.T) {
			R, C, L := tc.rows, tc.cols, tc.lanes
			n, err := Grid(GridOptions{Rows: R, Cols: C, Lanes: L})
			if err != nil {
				t.Fatalf("Grid: %v", err)
			}
			if err := n.Check(); err != nil {
				t.Fatalf("Check: got %v, want nil", err)
			}
			roads := 4*R*C + 2*R + 2*C
			for _, c := range []struct {
				what      string
				got, want int
			}{
				{"nodes", len(n.Nodes), R*C + 2*R + 2*C},
				{"roads", len(n.Roads), roads},
				{"lanes", len(n.Lanes), L * roads},
				{"movements", len(n.Movements), 12 * R * C},
				{"links", len(n.Links), 12 * L * R * C},
			} {
				if c.got != c.want {
					t.Errorf("%s: got %d, want %d", c.what, c.got, c.want)
				}
			}
			if R >= 2 && C >= 2 {
				if got, want := len(n.Components), 4*(R+C)+1; got != want {
					t.Errorf("components: got %d, want %d", got, want)
				}
				if got, want := len(n.Components[0]), 2*(R*(C-1)+C*(R-1)); got != want {
					t.Errorf("main component: got %d roads, want %d", got, want)
				}
			}
			inner := 0
			for v, nd := range n.Nodes {
				var x, y int
				if _, err := fmt.Sscanf(nd.ID, "intersection_%d_%d", &x, &y); err != nil {
					t.Fatalf("node id %q: %v", nd.ID, err)
				}
				if x >= 1 && x <= C && y >= 1 && y <= R {
					inner++
					if nd.Kind != Signalised || nd.Program == nil || len(nd.Movements) != 12 || neighbourCount(n, NodeID(v)) != 4 {
						t.Errorf("junction %s: got kind %s, %d movements, %d neighbours, want signalised, 12, 4",
							nd.ID, nd.Kind, len(nd.Movements), neighbourCount(n, NodeID(v)))
					}
				} else if nd.Kind != Boundary || len(nd.Movements) != 0 || nd.Program != nil {
					t.Errorf("boundary node %s: got kind %s with %d movements, want boundary with none", nd.ID, nd.Kind, len(nd.Movements))
				}
			}
			if inner != R*C {
				t.Errorf("junctions: got %d, want %d", inner, R*C)
			}
			if got := checkSignals(t, "grid", n); got != R*C {
				t.Errorf("signalised junctions: got %d, want %d", got, R*C)
			}
			// Road ids follow CityFlow: road_x_y_d leaves (x, y) heading d.
			r, ok := n.RoadByID("road_1_1_0")
			if !ok || n.Nodes[n.Roads[r].From].ID != "intersection_1_1" || n.Nodes[n.Roads[r].To].ID != "intersection_2_1" {
				t.Errorf("road_1_1_0: got found %v, want it from intersection_1_1 to intersection_2_1", ok)
			}
		})
	}
}

func TestGridMovements(t *testing.T) {
	n, err := Grid(GridOptions{Rows: 1, Cols: 1, Lanes: 3})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := n.NodeByID("intersection_1_1")
	from, _ := n.RoadByID("road_0_1_0") // from the west boundary, heading east
	want := map[string]Turn{"road_1_1_1": Left, "road_1_1_0": Straight, "road_1_1_3": Right}
	got := map[string]Turn{}
	for _, m := range n.Nodes[v].Movements {
		if mv := n.Movements[m]; mv.From == from {
			got[n.Roads[mv.To].ID] = mv.Turn
		}
	}
	if !equalish(got, want) {
		t.Errorf("movements from road_0_1_0: got %v, want %v", got, want)
	}
	// Untagged lanes: left turns on the left, right turns on the right.
	var turns []string
	for _, l := range n.Roads[from].Lanes {
		turns = append(turns, n.Lanes[l].Turns.String())
	}
	if got, want := strings.Join(turns, "|"), "LS|S|SR"; got != want {
		t.Errorf("lane turns of road_0_1_0: got %s, want %s", got, want)
	}
	if got := n.Roads[from].Length; got != 200 {
		t.Errorf("road length: got %g m, want 200 (default block)", got)
	}
}

func TestGridErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  GridOptions
		want string
	}{
		{"no rows", GridOptions{Rows: 0, Cols: 2}, "rows and cols"},
		{"negative cols", GridOptions{Rows: 2, Cols: -1}, "rows and cols"},
		{"too many rows", GridOptions{Rows: 1001, Cols: 1}, "rows and cols"},
		{"short block", GridOptions{Rows: 1, Cols: 1, Block: 5}, "block"},
		{"negative block", GridOptions{Rows: 1, Cols: 1, Block: -200}, "block"},
		{"NaN block", GridOptions{Rows: 1, Cols: 1, Block: math.NaN()}, "block"},
		{"infinite block", GridOptions{Rows: 1, Cols: 1, Block: math.Inf(1)}, "block"},
		{"negative lanes", GridOptions{Rows: 1, Cols: 1, Lanes: -1}, "lanes"},
		{"too many lanes", GridOptions{Rows: 1, Cols: 1, Lanes: MaxLanes + 1}, "lanes"},
		{"negative speed", GridOptions{Rows: 1, Cols: 1, Speed: -1}, "speed"},
		{"fast", GridOptions{Rows: 1, Cols: 1, Speed: 81}, "speed"},
		{"NaN speed", GridOptions{Rows: 1, Cols: 1, Speed: math.NaN()}, "speed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Grid(tc.opt)
			if err == nil || n != nil {
				t.Fatalf("Grid(%+v): got %v, %v, want an error", tc.opt, n != nil, err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "maps: grid") {
				t.Errorf("Grid(%+v): got error %q, want one starting \"maps: grid\" and mentioning %q", tc.opt, err, tc.want)
			}
		})
	}
}
