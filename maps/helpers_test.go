package maps

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// wuhanPath is the Wuhan network shipped with the project.
const wuhanPath = "../scenarios/defaults/wuhan.geojson"

// dataset returns the path of a CityFlow benchmark file below
// $CITYTWIN_DATASETS, or skips the test when the variable is unset.
func dataset(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("CITYTWIN_DATASETS")
	if dir == "" {
		t.Skipf("CITYTWIN_DATASETS is not set: skipping the test that needs %s (point it at the folder holding jinan_3x4/, hangzhou_4x4/, newyork_16x3/)", rel)
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("CITYTWIN_DATASETS=%s but %v", dir, err)
	}
	return p
}

// The Wuhan file tags no signals: like the default scenario, the tests
// guess them where major roads cross.
var wuhanOnce = sync.OnceValues(func() (*Network, error) { return LoadGeoJSON(wuhanPath, Options{GuessSignals: true}) })

// wuhan loads the Wuhan network once per test binary. Networks are
// immutable, so tests share it.
func wuhan(t testing.TB) *Network {
	t.Helper()
	n, err := wuhanOnce()
	if err != nil {
		t.Fatalf("LoadGeoJSON(%s): %v", wuhanPath, err)
	}
	return n
}

// checkSignals verifies every signalised node of n: it has a program whose
// phases give each incoming lane with links a green for one of its links'
// movements at least once per cycle, and no phase gives green to two
// movements that are Exclusive in the node's conflict matrix. It returns
// the number of signalised nodes checked.
func checkSignals(t *testing.T, name string, n *Network) int {
	t.Helper()
	count := 0
	for v := range n.Nodes {
		nd := &n.Nodes[v]
		if nd.Kind != Signalised {
			continue
		}
		count++
		p := nd.Program
		if p == nil || len(p.Phases) == 0 {
			t.Errorf("%s: node %s: got no program phases, want some", name, nd.ID)
			continue
		}
		if !(p.Cycle() > 0) {
			t.Errorf("%s: node %s: got cycle %g s, want > 0", name, nd.ID, p.Cycle())
		}
		for pi, ph := range p.Phases {
			if len(ph.State) != len(nd.Movements) {
				t.Errorf("%s: node %s phase %d: got %d signals, want %d", name, nd.ID, pi, len(ph.State), len(nd.Movements))
				continue
			}
			for a := range nd.Movements {
				for b := a + 1; b < len(nd.Movements); b++ {
					if ph.State[a] == 'G' && ph.State[b] == 'G' && nd.Conflicts.Exclusive(a, b) {
						t.Errorf("%s: node %s phase %d (%s): got exclusive movements %d and %d both with a protected green, want one giving way at most", name, nd.ID, pi, ph.State, a, b)
					}
				}
			}
		}
		for _, r := range nd.In {
			for _, l := range n.Roads[r].Lanes {
				if len(n.Lanes[l].Links) == 0 {
					continue
				}
				green := false
				for _, k := range n.Lanes[l].Links {
					m := n.Movements[n.Links[k].Movement]
					if m.Node != NodeID(v) {
						t.Errorf("%s: lane %d of road %s: link %d belongs to node %d, want %s", name, l, n.Roads[r].ID, k, m.Node, nd.ID)
						continue
					}
					for _, ph := range p.Phases {
						green = green || ph.Duration > 0 && ph.Green(m.Local)
					}
				}
				if !green {
					t.Errorf("%s: node %s: lane %d of road %s: got no green in any phase, want at least one per cycle", name, nd.ID, l, n.Roads[r].ID)
				}
			}
		}
	}
	return count
}

// diffNetworks compares two networks field by field and describes the first
// difference, or returns nil. Coordinates may differ by tol metres (a
// projection round trip is not bit-exact); everything else must be equal
// (nil and empty slices and maps count as equal).
func diffNetworks(a, b *Network, tol float64) error {
	pt := func(what string, p, q orb.Point) error {
		if !(dist(p, q) <= tol) {
			return fmt.Errorf("%s: got %v, want %v (%.3g m apart, tolerance %g m)", what, q, p, dist(p, q), tol)
		}
		return nil
	}
	line := func(what string, p, q orb.LineString) error {
		if len(p) != len(q) {
			return fmt.Errorf("%s: got %d points, want %d", what, len(q), len(p))
		}
		for i := range p {
			if err := pt(fmt.Sprintf("%s point %d", what, i), p[i], q[i]); err != nil {
				return err
			}
		}
		return nil
	}
	eq := func(what string, p, q any) error {
		if !equalish(p, q) {
			return fmt.Errorf("%s: got %v, want %v", what, q, p)
		}
		return nil
	}
	if err := eq("Source", a.Source, b.Source); err != nil {
		return err
	}
	if (a.Origin == nil) != (b.Origin == nil) || a.Origin != nil && *a.Origin != *b.Origin {
		return fmt.Errorf("Origin: got %v, want %v", b.Origin, a.Origin)
	}
	if (a.Proj == nil) != (b.Proj == nil) || a.Proj != nil && (a.Proj.NetOffset != b.Proj.NetOffset || a.Proj.Params != b.Proj.Params) {
		return fmt.Errorf("Proj: got %v, want %v", b.Proj, a.Proj)
	}
	for _, c := range []struct {
		what string
		p, q any
	}{
		{"Warnings", a.Warnings, b.Warnings},
		{"Skipped", a.Skipped, b.Skipped},
		{"RemovedRoads", a.RemovedRoads, b.RemovedRoads},
		{"Components", a.Components, b.Components},
		{"number of nodes", len(a.Nodes), len(b.Nodes)},
		{"number of roads", len(a.Roads), len(b.Roads)},
		{"number of lanes", len(a.Lanes), len(b.Lanes)},
		{"number of movements", len(a.Movements), len(b.Movements)},
		{"number of links", len(a.Links), len(b.Links)},
	} {
		if err := eq(c.what, c.p, c.q); err != nil {
			return err
		}
	}
	for i := range a.Nodes {
		p, q := &a.Nodes[i], &b.Nodes[i]
		w := fmt.Sprintf("node %d (%s)", i, p.ID)
		if err := pt(w+" Pos", p.Pos, q.Pos); err != nil {
			return err
		}
		for _, c := range []struct {
			what string
			p, q any
		}{
			{"ID", p.ID, q.ID}, {"Kind", p.Kind, q.Kind}, {"Tagged", p.Tagged, q.Tagged}, {"In", p.In, q.In}, {"Out", p.Out, q.Out},
			{"Movements", p.Movements, q.Movements}, {"Conflicts.N", p.Conflicts.N, q.Conflicts.N},
			{"Conflicts.Flags", p.Conflicts.Flags, q.Conflicts.Flags}, {"Program", p.Program, q.Program},
			{"Radius", p.Radius, q.Radius}, {"Virtual", p.Virtual, q.Virtual},
		} {
			if err := eq(w+" "+c.what, c.p, c.q); err != nil {
				return err
			}
		}
	}
	for i := range a.Roads {
		p, q := &a.Roads[i], &b.Roads[i]
		w := fmt.Sprintf("road %d (%s)", i, p.ID)
		if err := line(w+" Geometry", p.Geometry, q.Geometry); err != nil {
			return err
		}
		for _, c := range []struct {
			what string
			p, q any
		}{
			{"ID", p.ID, q.ID}, {"SourceIDs", p.SourceIDs, q.SourceIDs}, {"Name", p.Name, q.Name}, {"Class", p.Class, q.Class},
			{"Priority", p.Priority, q.Priority}, {"From", p.From, q.From}, {"To", p.To, q.To}, {"Length", p.Length, q.Length},
			{"Speed", p.Speed, q.Speed}, {"Lanes", p.Lanes, q.Lanes}, {"Layer", p.Layer, q.Layer}, {"TwoWay", p.TwoWay, q.TwoWay},
		} {
			if err := eq(w+" "+c.what, c.p, c.q); err != nil {
				return err
			}
		}
		if r, ok := b.RoadByID(p.ID); !ok || r != RoadID(i) {
			return fmt.Errorf("%s: got RoadByID = %d, %v, want %d, true", w, r, ok, i)
		}
	}
	for i := range a.Lanes {
		p, q := &a.Lanes[i], &b.Lanes[i]
		w := fmt.Sprintf("lane %d", i)
		if err := line(w+" Geometry", p.Geometry, q.Geometry); err != nil {
			return err
		}
		for _, c := range []struct {
			what string
			p, q any
		}{
			{"ID", p.ID, q.ID}, {"Road", p.Road, q.Road}, {"Index", p.Index, q.Index}, {"Length", p.Length, q.Length}, {"Width", p.Width, q.Width},
			{"Speed", p.Speed, q.Speed}, {"Turns", p.Turns, q.Turns}, {"Links", p.Links, q.Links},
		} {
			if err := eq(w+" "+c.what, c.p, c.q); err != nil {
				return err
			}
		}
	}
	for i := range a.Movements {
		if err := eq(fmt.Sprintf("movement %d", i), a.Movements[i], b.Movements[i]); err != nil {
			return err
		}
	}
	for i := range a.Links {
		p, q := &a.Links[i], &b.Links[i]
		w := fmt.Sprintf("link %d", i)
		if err := line(w+" Path", p.Path, q.Path); err != nil {
			return err
		}
		for _, c := range []struct {
			what string
			p, q any
		}{
			{"ID", p.ID, q.ID}, {"Movement", p.Movement, q.Movement}, {"From", p.From, q.From}, {"To", p.To, q.To}, {"Length", p.Length, q.Length},
			{"Speed", p.Speed, q.Speed}, {"Crossing", p.Crossing(), q.Crossing()}, {"Merging", p.Merging(), q.Merging()}, {"Foes", p.Foes(), q.Foes()},
		} {
			if err := eq(w+" "+c.what, c.p, c.q); err != nil {
				return err
			}
		}
	}
	ba, bb := a.Bounds(), b.Bounds()
	if err := pt("Bounds.Min", ba.Min, bb.Min); err != nil {
		return err
	}
	return pt("Bounds.Max", ba.Max, bb.Max)
}

// equalish is reflect.DeepEqual except that nil and empty slices and maps
// are equal, at any depth.
func equalish(a, b any) bool {
	return eqValue(reflect.ValueOf(a), reflect.ValueOf(b))
}

func eqValue(a, b reflect.Value) bool {
	if !a.IsValid() || !b.IsValid() {
		return a.IsValid() == b.IsValid()
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !eqValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if !b.MapIndex(k).IsValid() || !eqValue(a.MapIndex(k), b.MapIndex(k)) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return eqValue(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !eqValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	}
	return a.Equal(b)
}

// neighbourCount is the number of distinct nodes joined to v by a road.
func neighbourCount(n *Network, v NodeID) int {
	var seen []NodeID
	for _, r := range n.Nodes[v].In {
		if w := n.Roads[r].From; !slices.Contains(seen, w) {
			seen = append(seen, w)
		}
	}
	for _, r := range n.Nodes[v].Out {
		if w := n.Roads[r].To; !slices.Contains(seen, w) {
			seen = append(seen, w)
		}
	}
	return len(seen)
}
