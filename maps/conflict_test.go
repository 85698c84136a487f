package maps

import (
	"fmt"
	"testing"
)

func TestRightOfWay(t *testing.T) {
	// Way 1 runs west → east, way 2 south → north, crossing at pt(0, 0).
	// Road "1#0" comes from the west, "-1#1" from the east, "2#0" from the
	// south, "-2#1" from the north.
	cross := func(tags1, tags2 string) string {
		return collection(way("1", tags1, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", tags2, pt(0, -1), pt(0, 0), pt(0, 1)))
	}
	type mv struct{ from, to string }
	westS, southS, westL, eastS := mv{"1#0", "1#1"}, mv{"2#0", "2#1"}, mv{"1#0", "2#1"}, mv{"-1#1", "-1#0"}
	for _, tc := range []struct {
		name string
		src  string
		opt  Options
		kind NodeKind
		a, b mv
		want string // "a yields", "b yields", "exclusive", "none"
	}{
		{"equal roads: right before left", cross(residential, residential), Options{}, Priority, westS, southS, "a yields"},
		{"equal roads: left gives way to opposing through", cross(residential, residential), Options{}, Priority, westL, eastS, "a yields"},
		{"minor road yields", cross(`{"highway":"primary"}`, residential), Options{}, Priority, westS, southS, "b yields"},
		{"minor road yields, other way round", cross(residential, `{"highway":"primary"}`), Options{}, Priority, westS, southS, "a yields"},
		{"signals: crossing through movements are exclusive", cross(`{"highway":"primary"}`, `{"highway":"primary"}`), Options{GuessSignals: true}, Signalised, westS, southS, "exclusive"},
		{"signals: permissive left", cross(`{"highway":"primary"}`, `{"highway":"primary"}`), Options{GuessSignals: true}, Signalised, westL, eastS, "a yields"},
		{"no conflict: opposing through movements", cross(residential, residential), Options{}, Priority, westS, eastS, "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := readGeo(t, tc.src, tc.opt)
			local := func(m mv) (NodeID, int) {
				a, ok1 := n.RoadByID(m.from)
				b, ok2 := n.RoadByID(m.to)
				if !ok1 || !ok2 {
					t.Fatalf("no roads %v", m)
				}
				id := n.MovementBetween(a, b)
				if id == None {
					t.Fatalf("no movement %v", m)
				}
				return n.Movements[id].Node, n.Movements[id].Local
			}
			v, i := local(tc.a)
			_, j := local(tc.b)
			nd := &n.Nodes[v]
			if nd.Kind != tc.kind {
				t.Fatalf("kind: got %s, want %s", nd.Kind, tc.kind)
			}
			c := nd.Conflicts
			var got string
			switch {
			case !c.Conflicting(i, j):
				got = "none"
			case c.Exclusive(i, j):
				got = "exclusive"
			case c.At(i, j)&Yields != 0 && c.At(j, i)&Yields == 0:
				got = "a yields"
			case c.At(j, i)&Yields != 0 && c.At(i, j)&Yields == 0:
				got = "b yields"
			default:
				got = fmt.Sprintf("flags %03b/%03b", c.At(i, j), c.At(j, i))
			}
			if got != tc.want {
				t.Errorf("%v vs %v: got %s, want %s", tc.a, tc.b, got, tc.want)
			}
			// Crossing flags are symmetric, and the links' Foes follow Yields.
			if c.At(i, j)&(Crosses|Merges) != c.At(j, i)&(Crosses|Merges) {
				t.Errorf("flags not symmetric: %03b vs %03b", c.At(i, j), c.At(j, i))
			}
			for _, k := range n.Movements[nd.Movements[i]].Links {
				for _, f := range n.Links[k].Foes() {
					fm := n.Movements[n.Links[f].Movement]
					if c.At(i, fm.Local)&Yields == 0 {
						t.Errorf("link %d lists foe %d, but its movement does not yield to movement %d", k, f, fm.Local)
					}
				}
			}
		})
	}
}

// TestProgramTiming checks the documented yellow (1 s + v/(2·3 m/s²),
// rounded up, 3–5 s) and all-red ((2r + 5 m)/v, rounded up, 1–3 s) of
// default programs.
func TestProgramTiming(t *testing.T) {
	for _, tc := range []struct {
		speed          float64
		yellow, allRed float64
	}{
		{50 / 3.6, 4, 2}, // 1 + 13.9/6 = 3.3; (2·7.9 + 5)/13.9 = 1.5
		{30, 5, 1},       // 6 capped at 5; 0.7 raised to 1
		{5, 3, 3},        // 1.8 raised to 3; 4.2 capped at 3
	} {
		n, err := Grid(GridOptions{Rows: 1, Cols: 1, Speed: tc.speed})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := n.NodeByID("intersection_1_1")
		p := n.Nodes[v].Program
		if p.Yellow != tc.yellow || p.AllRed != tc.allRed {
			t.Errorf("speed %.1f m/s: got yellow %g s, all-red %g s, want %g, %g", tc.speed, p.Yellow, p.AllRed, tc.yellow, tc.allRed)
		}
		want := 0.0
		for _, ph := range p.Phases {
			want += ph.Duration + tc.yellow + tc.allRed // every phase change takes some green away here
		}
		if got := p.Cycle(); got != want {
			t.Errorf("speed %.1f m/s: got cycle %g s, want %g", tc.speed, got, want)
		}
		for i := range p.Phases {
			if !p.LosesGreen(i, (i+1)%len(p.Phases)) {
				t.Errorf("phase %d → next: got no green lost, want some", i)
			}
		}
	}
}

func TestCheckPhase(t *testing.T) {
	c := newConflictMatrix(3)
	c.set(0, 1, Crosses)
	c.set(1, 0, Crosses)
	c.set(1, 2, Crosses|Yields)
	c.set(2, 1, Crosses)
	for _, tc := range []struct {
		state string
		ok    bool
	}{
		{"GrG", true}, {"GGr", false}, {"rGG", true}, {"GG", false}, {"rrrr", false}, {"rrr", true},
		// Exclusive movements 0 and 1 together when one gives way.
		{"gGr", true}, {"Ggr", true}, {"ggr", true},
	} {
		if err := c.CheckPhase(tc.state); (err == nil) != tc.ok {
			t.Errorf("CheckPhase(%q): got %v, want ok %v", tc.state, err, tc.ok)
		}
	}
	st := []byte("rGG")
	c.yieldLetters(st)
	if string(st) != "rgG" {
		t.Errorf("yieldLetters(rGG): got %s, want rgG (movement 1 yields to 2)", st)
	}
	// A permissive green stays one; a 'g' with nothing to give way to
	// becomes 'G'.
	for in, want := range map[string]string{"gGr": "gGr", "grG": "GrG", "Ggr": "Ggr"} {
		st := []byte(in)
		c.yieldLetters(st)
		if string(st) != want {
			t.Errorf("yieldLetters(%s): got %s, want %s", in, st, want)
		}
	}
}

func TestCheckFindsInconsistencies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(n *Network, j NodeID)
	}{
		{"road end out of range", func(n *Network, j NodeID) { n.Roads[0].To = NodeID(len(n.Nodes)) }},
		{"road without lanes", func(n *Network, j NodeID) { n.Roads[0].Lanes = nil }},
		{"lane of another road", func(n *Network, j NodeID) { n.Lanes[n.Roads[0].Lanes[0]].Road = 1 }},
		{"lane geometry", func(n *Network, j NodeID) { n.Lanes[0].Geometry = n.Lanes[0].Geometry[:1] }},
		{"lane link", func(n *Network, j NodeID) { n.Lanes[0].Links = append(n.Lanes[0].Links, LinkID(len(n.Links))) }},
		{"node in road", func(n *Network, j NodeID) { n.Nodes[0].In = append(n.Nodes[0].In, n.Nodes[0].Out...) }},
		{"conflict matrix size", func(n *Network, j NodeID) { n.Nodes[j].Conflicts.Flags = n.Nodes[j].Conflicts.Flags[1:] }},
		{"movement local", func(n *Network, j NodeID) { n.Movements[n.Nodes[j].Movements[0]].Local = 3 }},
		{"program without node kind", func(n *Network, j NodeID) { n.Nodes[j].Kind = Priority }},
		{"phase length", func(n *Network, j NodeID) { n.Nodes[j].Program.Phases[0].State += "r" }},
		{"phase letter", func(n *Network, j NodeID) {
			n.Nodes[j].Program.Phases[0].State = "y" + n.Nodes[j].Program.Phases[0].State[1:]
		}},
		{"phase duration", func(n *Network, j NodeID) { n.Nodes[j].Program.Phases[0].Duration = 0 }},
		{"exclusive greens", func(n *Network, j NodeID) {
			n.Nodes[j].Program.Phases[0].State = stringsRepeat('G', len(n.Nodes[j].Movements))
		}},
		{"movement without links", func(n *Network, j NodeID) { n.Movements[0].Links = nil }},
		{"link lanes", func(n *Network, j NodeID) { n.Links[0].To = n.Links[0].From }},
		{"foe of another node", func(n *Network, j NodeID) {
			n.Links[0].setConflicts(n.Links[0].Crossing(), n.Links[0].Merging(), []LinkID{LinkID(len(n.Links) - 1)})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Grid(GridOptions{Rows: 1, Cols: 2})
			if err != nil {
				t.Fatal(err)
			}
			j, _ := n.NodeByID("intersection_1_1")
			if err := n.Check(); err != nil {
				t.Fatalf("Check before the change: %v", err)
			}
			tc.change(n, j)
			if err := n.Check(); err == nil {
				t.Error("Check: got nil, want an error")
			}
		})
	}
}
