package maps

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

// sourceRoadIDs reads the ids of the LineString features of a GeoJSON file
// directly, without the loader.
func sourceRoadIDs(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			ID         any            `json:"id"`
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type string `json:"type"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fc.Features {
		if f.Geometry.Type != "LineString" {
			continue
		}
		id := f.ID
		if id == nil {
			id = f.Properties["id"]
		}
		switch x := id.(type) {
		case float64:
			ids = append(ids, strconv.FormatInt(int64(x), 10))
		case string:
			ids = append(ids, x)
		default:
			t.Fatalf("LineString feature without a usable id: %v", id)
		}
	}
	return ids
}

func TestWuhan(t *testing.T) {
	n := wuhan(t)
	if err := n.Check(); err != nil {
		t.Fatalf("Check: got %v, want nil", err)
	}
	if n.Origin == nil {
		t.Fatalf("Origin: got nil, want the projection origin of a lon/lat file")
	}

	ids := sourceRoadIDs(t, wuhanPath)
	if len(ids) != 205 {
		t.Fatalf("source road ids in %s: got %d, want 205", wuhanPath, len(ids))
	}
	have := map[string]bool{}
	for _, r := range n.Roads {
		for _, s := range r.SourceIDs {
			have[s] = true
		}
	}
	for _, id := range ids {
		if !have[id] {
			t.Errorf("source road %s: got it in no Road.SourceIDs, want it kept", id)
		}
	}

	// The main component holds at least 90% of the lanes, is the largest
	// and is strongly connected over movements.
	if len(n.Components) == 0 {
		t.Fatal("Components: got none")
	}
	main := n.Components[0]
	lanes := 0
	for _, r := range main {
		lanes += len(n.Roads[r].Lanes)
	}
	if share := float64(lanes) / float64(len(n.Lanes)); share < 0.9 {
		t.Errorf("lanes in Components[0]: got %d of %d (%.1f%%), want at least 90%%", lanes, len(n.Lanes), 100*share)
	}
	for i, c := range n.Components {
		if len(c) > len(main) {
			t.Errorf("Components[%d] has %d roads, more than Components[0] with %d", i, len(c), len(main))
		}
	}
	in := map[RoadID]bool{}
	for _, r := range main {
		in[r] = true
	}
	reach := reachableRoads(n, main[0])
	back := reachableRoadsBackward(n, main[0])
	for _, r := range main {
		if !reach[r] || !back[r] {
			t.Errorf("road %s in Components[0]: got reachable %v, reaching back %v, want both", n.Roads[r].ID, reach[r], back[r])
		}
	}
	for r := range n.Roads {
		if reach[RoadID(r)] && back[RoadID(r)] && !in[RoadID(r)] {
			t.Errorf("road %s is strongly connected to Components[0] but not in it", n.Roads[r].ID)
		}
	}

	if got := checkSignals(t, "wuhan", n); got == 0 {
		t.Errorf("signalised junctions: got 0, want some (major roads cross in Wuhan)")
	}
}

// reachableRoads returns the roads reachable from road a through movements
// (a BFS independent of RoadGraph).
func reachableRoads(n *Network, a RoadID) map[RoadID]bool {
	seen := map[RoadID]bool{a: true}
	queue := []RoadID{a}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		for _, m := range n.Nodes[n.Roads[r].To].Movements {
			if mv := n.Movements[m]; mv.From == r && !seen[mv.To] {
				seen[mv.To] = true
				queue = append(queue, mv.To)
			}
		}
	}
	return seen
}

func reachableRoadsBackward(n *Network, a RoadID) map[RoadID]bool {
	seen := map[RoadID]bool{a: true}
	queue := []RoadID{a}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		for _, m := range n.Nodes[n.Roads[r].From].Movements {
			if mv := n.Movements[m]; mv.To == r && !seen[mv.From] {
				seen[mv.From] = true
				queue = append(queue, mv.From)
			}
		}
	}
	return seen
}

func TestLoadDetectsFormat(t *testing.T) {
	n, err := Load(wuhanPath, Options{})
	if err != nil {
		t.Fatalf("Load(%s): %v", wuhanPath, err)
	}
	if got, want := len(n.Roads), len(wuhan(t).Roads); got != want {
		t.Errorf("Load(%s): got %d roads, want %d as from LoadGeoJSON", wuhanPath, got, want)
	}
	if _, err := Load("testdata/does-not-exist.json", Options{}); err == nil {
		t.Error("Load of a missing file: got nil error, want one")
	}
}

func TestCityFlowDatasets(t *testing.T) {
	for _, tc := range []struct {
		name, rel  string
		signalised int
		phases     int // phases per program
	}{
		{"jinan_3x4", "jinan_3x4/roadnet_3_4.json", 12, 9},
		{"hangzhou_4x4", "hangzhou_4x4/roadnet_4_4.json", 16, 9},
		{"newyork_16x3", "newyork_16x3/roadnet_16_3.json", 48, 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := dataset(t, tc.rel)
			n, err := LoadCityFlow(path)
			if err != nil {
				t.Fatalf("LoadCityFlow: %v", err)
			}
			if err := n.Check(); err != nil {
				t.Fatalf("Check: got %v, want nil", err)
			}
			sig := 0
			for _, nd := range n.Nodes {
				switch {
				case nd.Kind == Signalised:
					sig++
					if len(nd.Program.Phases) != tc.phases {
						t.Errorf("intersection %s: got %d phases, want %d", nd.ID, len(nd.Program.Phases), tc.phases)
					}
				case nd.Virtual:
					if nd.Kind != Boundary || len(nd.Movements) != 0 {
						t.Errorf("virtual intersection %s: got kind %s with %d movements, want boundary with none", nd.ID, nd.Kind, len(nd.Movements))
					}
				}
			}
			if sig != tc.signalised {
				t.Errorf("signalised intersections: got %d, want %d", sig, tc.signalised)
			}
			if got := checkSignals(t, tc.name, n); got != tc.signalised {
				t.Errorf("signalised intersections checked: got %d, want %d", got, tc.signalised)
			}
			// Movements and lane links are the file's own roadLinks.
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var rn cfRoadnet
			if err := json.Unmarshal(raw, &rn); err != nil {
				t.Fatal(err)
			}
			movs, links := 0, 0
			for _, it := range rn.Intersections {
				movs += len(it.RoadLinks)
				for _, rl := range it.RoadLinks {
					links += len(rl.LaneLinks)
				}
			}
			if len(n.Movements) != movs || len(n.Links) != links || len(n.Roads) != len(rn.Roads) {
				t.Errorf("got %d roads, %d movements, %d links, want %d, %d, %d as in the file",
					len(n.Roads), len(n.Movements), len(n.Links), len(rn.Roads), movs, links)
			}
			// Load tells the formats apart by content.
			m, err := Load(path, Options{})
			if err != nil || len(m.Movements) != len(n.Movements) {
				t.Errorf("Load: got err %v, want the CityFlow network", err)
			}
		})
	}
}

func TestKeepLargestComponent(t *testing.T) {
	full := wuhan(t)
	n, err := LoadGeoJSON(wuhanPath, Options{KeepLargestComponent: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	var want []string
	in := map[RoadID]bool{}
	for _, r := range full.Components[0] {
		in[r] = true
	}
	for i, r := range full.Roads {
		if !in[RoadID(i)] {
			want = append(want, r.ID)
		}
	}
	if !equalish(n.RemovedRoads, want) {
		t.Errorf("RemovedRoads: got %v, want the roads outside the main component %v", n.RemovedRoads, want)
	}
	if len(n.Roads) != len(full.Components[0]) || len(n.Components) != 1 {
		t.Errorf("got %d roads in %d components, want the %d roads of one component", len(n.Roads), len(n.Components), len(full.Components[0]))
	}
	for _, id := range n.RemovedRoads {
		if _, ok := n.RoadByID(id); ok {
			t.Errorf("removed road %s: still in the network", id)
		}
	}
	// Clean-up done before the rebuild is still reported.
	for _, w := range full.Warnings {
		if w.Feature >= 0 {
			continue
		}
		found := false
		for _, v := range n.Warnings {
			found = found || v == w
		}
		if !found {
			t.Errorf("warning %q: got it only without KeepLargestComponent, want it kept", w)
		}
	}
	checkSignals(t, "wuhan largest component", n)
}
