package maps

import (
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// TestPackKeepsValues: pack moves lists, it changes none of their values:
// each network built with packing equals, value for value, nil lists nil
// and empty ones empty, the same network built without it.
func TestPackKeepsValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func() (*Network, error)
	}{
		{"grid", func() (*Network, error) { return Grid(GridOptions{Rows: 3, Cols: 2}) }},
		{"sumo", func() (*Network, error) { return LoadSUMO(sumoCross, Options{}) }},
		{"osm", func() (*Network, error) { return LoadOSM("testdata/town.osm.bz2", Options{}) }},
		// Left-hand networks are packed twice: built, then mirrored.
		{"osm left-hand", func() (*Network, error) {
			return LoadOSM("testdata/town.osm.bz2", Options{DrivingSide: LeftHand, KeepLargestComponent: true})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			packed, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			noPack = true
			loose, err := tc.build()
			noPack = false
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what string
				a, b any
			}{
				{"Nodes", loose.Nodes, packed.Nodes}, {"Roads", loose.Roads, packed.Roads}, {"Lanes", loose.Lanes, packed.Lanes},
				{"Movements", loose.Movements, packed.Movements}, {"Links", loose.Links, packed.Links},
				{"Components", loose.Components, packed.Components},
			} {
				if !reflect.DeepEqual(c.a, c.b) {
					t.Errorf("%s changed by pack", c.what)
				}
			}
		})
	}
}

// TestPackedListsGrowApart: lists packed into one array are capped at
// their length, so appending to one leaves the next alone.
func TestPackedListsGrowApart(t *testing.T) {
	n, err := Grid(GridOptions{Rows: 2, Cols: 2})
	if err != nil {
		t.Fatal(err)
	}
	path := slices.Clone(n.Links[1].Path)
	_ = append(n.Links[0].Path, orb.Point{-1, -1})
	if !slices.Equal(n.Links[1].Path, path) {
		t.Errorf("appending to link 0's path changed link 1's: %v, was %v", n.Links[1].Path, path)
	}
	links := slices.Clone(n.Lanes[1].Links)
	_ = append(n.Lanes[0].Links, 99)
	if !slices.Equal(n.Lanes[1].Links, links) {
		t.Errorf("appending to lane 0's links changed lane 1's: %v, was %v", n.Lanes[1].Links, links)
	}
	k := slices.IndexFunc(n.Links, func(l Link) bool { return len(l.Crossing()) > 0 && len(l.Merging()) > 0 })
	if k < 0 {
		t.Fatal("no link both crosses and merges")
	}
	l := &n.Links[k]
	merging := slices.Clone(l.Merging())
	_ = append(l.Crossing(), 99)
	if !slices.Equal(l.Merging(), merging) {
		t.Errorf("appending to link %d's Crossing changed its Merging: %v, was %v", k, l.Merging(), merging)
	}
}

// TestByID: RoadByID and NodeByID find every id; when ids repeat, the
// last road or node with it (as a map filled in order did).
func TestByID(t *testing.T) {
	n := &Network{Roads: []Road{{ID: "b"}, {ID: "a"}, {ID: "b"}, {ID: ""}}, Nodes: []Node{{ID: "x"}}}
	n.finish()
	for _, tc := range []struct {
		id   string
		want RoadID
		ok   bool
	}{
		{"a", 1, true}, {"b", 2, true}, {"", 3, true}, {"c", 0, false}, {"0", 0, false},
	} {
		if got, ok := n.RoadByID(tc.id); got != tc.want || ok != tc.ok {
			t.Errorf("RoadByID(%q) = %d, %v; want %d, %v", tc.id, got, ok, tc.want, tc.ok)
		}
	}
	if v, ok := n.NodeByID("x"); v != 0 || !ok {
		t.Errorf("NodeByID(x) = %d, %v", v, ok)
	}
	if _, ok := n.NodeByID("y"); ok {
		t.Error("NodeByID(y) found a node")
	}
	g, err := Grid(GridOptions{Rows: 3, Cols: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Roads {
		if r, ok := g.RoadByID(g.Roads[i].ID); !ok || r != RoadID(i) {
			t.Errorf("RoadByID(%s) = %d, %v; want %d", g.Roads[i].ID, r, ok, i)
		}
	}
	for i := range g.Nodes {
		if v, ok := g.NodeByID(g.Nodes[i].ID); !ok || v != NodeID(i) {
			t.Errorf("NodeByID(%s) = %d, %v; want %d", g.Nodes[i].ID, v, ok, i)
		}
	}
}
