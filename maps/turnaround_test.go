package maps

import "testing"

// Turnarounds: by default U-turns exist only at dead ends (and where lanes
// are tagged for them); with TurnaroundsAll at every junction where the
// opposite carriageway starts, except from roads whose tagged lanes have
// none.
func TestTurnarounds(t *testing.T) {
	doc := collection(
		way("1", residential, pt(-1, 0), pt(0, 0), pt(1, 0)),
		way("2", residential, pt(0, -1), pt(0, 0), pt(0, 1)),
		way("3", `{"highway":"residential","oneway":"yes","lanes":2,"turn:lanes":"left|through;right"}`, pt(0, 2), pt(0, 1)),
	)
	uturns := func(n *Network, node string) map[string]bool {
		out := map[string]bool{}
		v, ok := n.NodeByID(node)
		if !ok {
			t.Fatalf("no node %s", node)
		}
		for _, m := range n.Nodes[v].Movements {
			if mv := &n.Movements[m]; mv.Turn == UTurn {
				out[n.Roads[mv.From].ID] = true
			}
		}
		return out
	}
	centre := func(n *Network) string {
		for i := range n.Nodes {
			if len(n.Nodes[i].In) == 4 {
				return n.Nodes[i].ID
			}
		}
		t.Fatal("no four-way junction")
		return ""
	}
	def, err := ReadGeoJSON([]byte(doc), "x", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if u := uturns(def, centre(def)); len(u) != 0 {
		t.Errorf("default: U-turns at the crossing from %v", u)
	}
	all, err := ReadGeoJSON([]byte(doc), "x", Options{Turnarounds: TurnaroundsAll})
	if err != nil {
		t.Fatal(err)
	}
	u := uturns(all, centre(all))
	if len(u) != 4 {
		t.Errorf("all: U-turns at the crossing from %v, want the four two-way approaches", u)
	}
	// Road 3 is tagged left|through;right: no U-turn at its end either way.
	for _, n := range []*Network{def, all} {
		for i := range n.Nodes {
			for r := range uturns(n, n.Nodes[i].ID) {
				if r == "3" {
					t.Errorf("a U-turn from road 3, whose lanes are tagged without one")
				}
			}
		}
	}
	if err := all.Check(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"", "dead_ends", "all"} {
		if _, ok := ParseTurnarounds(s); !ok {
			t.Errorf("ParseTurnarounds(%q) refused", s)
		}
	}
	if _, ok := ParseTurnarounds("some"); ok {
		t.Error("ParseTurnarounds(some) accepted")
	}
}
