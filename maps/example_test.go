package maps_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/citytwin/citytwin/maps"
)

func ExampleGrid() {
	n, err := maps.Grid(maps.GridOptions{Rows: 2, Cols: 3, Lanes: 2})
	if err != nil {
		log.Fatal(err)
	}
	s := n.Summarize()
	fmt.Printf("%d junctions (%d signalised), %d roads, %d lanes, %d movements, %d links\n",
		s.Junctions, s.Signalised, s.Roads, s.Lanes, s.Movements, s.Links)
	v, _ := n.NodeByID("intersection_1_1")
	nd := n.Nodes[v]
	fmt.Printf("%s: %s, %d movements, %d phases, cycle %.0f s\n", nd.ID, nd.Kind, len(nd.Movements), len(nd.Program.Phases), nd.Program.Cycle())
	// Output:
	// 6 junctions (6 signalised), 34 roads, 68 lanes, 72 movements, 144 links
	// intersection_1_1: signalised, 12 movements, 2 phases, cycle 72 s
}

func ExampleLoadGeoJSON() {
	// The file tags no signals: guess them where major roads cross, as the
	// default scenario does (guess_signals = true).
	n, err := maps.LoadGeoJSON("../scenarios/defaults/wuhan.geojson", maps.Options{GuessSignals: true})
	if err != nil {
		log.Fatal(err)
	}
	s := n.Summarize()
	fmt.Printf("%d roads, %d lanes (%.1f lane-km), %d junctions, %d signalised\n", s.Roads, s.Lanes, s.LaneKM, s.Junctions, s.Signalised)
	fmt.Printf("main component: %d roads, %.1f%% of the lanes\n", len(n.Components[0]), 100*s.MainShare)
	// Output:
	// 205 roads, 451 lanes (46.5 lane-km), 130 junctions, 11 signalised
	// main component: 195 roads, 94.7% of the lanes
}

func ExampleRouter_Route() {
	n, err := maps.Grid(maps.GridOptions{Rows: 2, Cols: 2})
	if err != nil {
		log.Fatal(err)
	}
	from, _ := n.RoadByID("road_0_1_0") // enters the grid from the west
	to, _ := n.RoadByID("road_2_2_0")   // leaves it to the east, one row up
	r := maps.NewRouter(n)
	route, t, err := r.Route(from, to)
	if err != nil {
		log.Fatal(err)
	}
	var ids []string
	for _, id := range route {
		ids = append(ids, n.Roads[id].ID)
	}
	fmt.Printf("%s in %.1f s\n", strings.Join(ids, " → "), t)
	// Output:
	// road_0_1_0 → road_1_1_0 → road_2_1_1 → road_2_2_0 in 47.5 s
}
