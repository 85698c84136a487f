package maps

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// roundTrip writes n with WriteGeoJSON and reads it back with ReadGeoJSON.
func roundTrip(t testing.TB, n *Network) (*Network, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := n.WriteGeoJSON(&buf); err != nil {
		t.Fatalf("WriteGeoJSON: %v", err)
	}
	m, err := ReadGeoJSON(buf.Bytes(), n.Source, Options{})
	if err != nil {
		t.Fatalf("ReadGeoJSON of the export: %v", err)
	}
	return m, buf.Bytes()
}

func TestExportRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		load func(t *testing.T) *Network
	}{
		{"wuhan", func(t *testing.T) *Network { return wuhan(t) }},
		{"grid", func(t *testing.T) *Network {
			n, err := Grid(GridOptions{Rows: 3, Cols: 4, Lanes: 2})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}},
		{"wuhan largest component", func(t *testing.T) *Network {
			n, err := LoadGeoJSON(wuhanPath, Options{KeepLargestComponent: true, GuessSignals: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(n.RemovedRoads) == 0 {
				t.Fatal("RemovedRoads: got none, want the roads outside the main component")
			}
			return n
		}},
		{"jinan", func(t *testing.T) *Network {
			n, err := LoadCityFlow(dataset(t, "jinan_3x4/roadnet_3_4.json"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.load(t)
			m, data := roundTrip(t, n)
			if err := diffNetworks(n, m, 1e-3); err != nil {
				t.Fatalf("round trip: %v", err)
			}
			// Reading the export again gives the same network, bit for bit.
			m2, err := ReadGeoJSON(data, n.Source, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := diffNetworks(m, m2, 0); err != nil {
				t.Errorf("second read of the same export: %v", err)
			}
		})
	}
}

func TestSaveGeoJSON(t *testing.T) {
	n, err := Grid(GridOptions{Rows: 1, Cols: 2})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "grid.geojson")
	if err := n.SaveGeoJSON(path); err != nil {
		t.Fatalf("SaveGeoJSON: %v", err)
	}
	m, err := LoadGeoJSON(path, Options{})
	if err != nil {
		t.Fatalf("LoadGeoJSON of the saved file: %v", err)
	}
	if err := diffNetworks(n, m, 1e-3); err != nil {
		t.Errorf("saved and loaded: %v", err)
	}
	if err := n.SaveGeoJSON(filepath.Join(t.TempDir(), "no", "such", "dir.geojson")); err == nil {
		t.Error("SaveGeoJSON into a missing directory: got nil error, want one")
	}
}

// TestDiffNetworks shows that the comparison helper the round-trip test
// relies on notices each kind of difference.
func TestDiffNetworks(t *testing.T) {
	base, err := Grid(GridOptions{Rows: 2, Cols: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, data := roundTrip(t, base)
	for _, tc := range []struct {
		name   string
		change func(n *Network)
		want   string // in the difference, "" for none
	}{
		{"same", func(n *Network) {}, ""},
		{"node moved 0.5 mm", func(n *Network) { n.Nodes[0].Pos[0] += 0.0005 }, ""},
		{"node moved 2 mm", func(n *Network) { n.Nodes[0].Pos[0] += 0.002 }, "node 0"},
		{"lane point moved", func(n *Network) { n.Lanes[3].Geometry[1][1] += 0.01 }, "lane 3 Geometry"},
		{"road id", func(n *Network) { n.Roads[2].ID = "x" }, "road 2"},
		{"source ids", func(n *Network) { n.Roads[2].SourceIDs = append(n.Roads[2].SourceIDs, "y") }, "SourceIDs"},
		{"topology", func(n *Network) { n.Roads[1].To = n.Roads[1].From }, "road 1 (road_2_0_1) To"},
		{"conflict flag", func(n *Network) { n.Nodes[4].Conflicts.Flags[5] ^= Yields }, "Conflicts.Flags"},
		{"program", func(n *Network) { n.Nodes[4].Program.Phases[0].Duration++ }, "Program"},
		{"foes", func(n *Network) { l := &n.Links[7]; l.setConflicts(l.Crossing(), l.Merging(), append(l.Foes(), 0)) }, "link 7 Foes"},
		{"turns", func(n *Network) { n.Lanes[0].Turns = n.Lanes[0].Turns.With(UTurn) }, "lane 0 Turns"},
		{"warnings", func(n *Network) { n.Warnings = append(n.Warnings, Warning{Feature: -1, Msg: "w"}) }, "Warnings"},
		{"skipped", func(n *Network) { n.Skipped["x"] = 1 }, "Skipped"},
		{"movement turn", func(n *Network) { n.Movements[3].Turn = UTurn }, "movement 3"},
		{"link count", func(n *Network) { n.Links = n.Links[:len(n.Links)-1] }, "number of links"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ReadGeoJSON(data, "a", Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := ReadGeoJSON(data, "a", Options{})
			if err != nil {
				t.Fatal(err)
			}
			tc.change(b)
			err = diffNetworks(a, b, 1e-3)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got difference %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got difference %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestReadExportErrors edits a valid export so that it is inconsistent:
// the reader must reject it, naming what is wrong, not build a broken
// network.
func TestReadExportErrors(t *testing.T) {
	n, err := Grid(GridOptions{Rows: 1, Cols: 1, Lanes: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, data := roundTrip(t, n)
	src := string(data)
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"format", `"format":1`, `"format":2`, "export format 2"},
		{"kind", `"kind":"lane"`, `"kind":"lake"`, `kind "lake"`},
		{"order", `"dense":1,`, `"dense":7,`, "out of order"},
		{"turn", `"turn":"S"`, `"turn":"X"`, `unknown turn "X"`},
		{"node type", `"type":"signalised"`, `"type":"roundabout"`, "unknown type"},
		{"road end", `"from":4,`, `"from":99,`, "out of range"},
		{"origin", `"origin":null`, `"origin":[500,0]`, "not a lon/lat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(src, tc.old) {
				t.Fatalf("the export has no %s", tc.old)
			}
			bad := strings.Replace(src, tc.old, tc.new, 1)
			m, err := ReadGeoJSON([]byte(bad), "bad", Options{})
			if err == nil || m != nil {
				t.Fatalf("got a network and error %v, want an error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestWriteGeoJSONFails(t *testing.T) {
	n, err := Grid(GridOptions{Rows: 1, Cols: 1})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(os.DevNull) // read-only: writes fail
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := n.WriteGeoJSON(f); err == nil {
		t.Error("WriteGeoJSON to a read-only file: got nil error, want one")
	}
}
