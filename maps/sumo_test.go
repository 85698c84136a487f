package maps

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// The fixtures in testdata/sumo were made with SUMO 1.15:
//
//	grid3x2.net.xml: netgenerate --grid --grid.x-number 3 --grid.y-number 2
//	    --grid.length 150 --default.lanenumber 2 --tls.guess true
//	    --tls.default-type actuated
//	cross.net.xml:   netconvert --osm-files cross.osm --sidewalks.guess
//	    --tls.guess-signals (cross.osm is a hand-made crossing)
const (
	sumoGrid  = "testdata/sumo/grid3x2.net.xml"
	sumoCross = "testdata/sumo/cross.net.xml"
)

func loadSUMO(t testing.TB, path string) *Network {
	t.Helper()
	n, err := LoadSUMO(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func movementOf(t testing.TB, n *Network, from, to string) *Movement {
	t.Helper()
	a, ok1 := n.RoadByID(from)
	b, ok2 := n.RoadByID(to)
	if !ok1 || !ok2 {
		t.Fatalf("road %s or %s missing", from, to)
	}
	m := n.MovementBetween(a, b)
	if m == None {
		t.Fatalf("no movement %s→%s", from, to)
	}
	return &n.Movements[m]
}

func TestReadSUMOGrid(t *testing.T) {
	n := loadSUMO(t, sumoGrid)
	if err := n.Check(); err != nil {
		t.Fatal(err)
	}
	s := n.Summarize()
	if s.Junctions != 6 || s.Signalised != 2 || s.Roads != 14 || s.Lanes != 28 || len(n.Warnings) != 0 {
		t.Fatalf("summary %+v, warnings %v", s, n.Warnings)
	}
	// CityTwin numbers lanes from the left, SUMO from the right.
	r, _ := n.RoadByID("C1B1")
	if got := []string{n.Lanes[n.Roads[r].Lanes[0]].ID, n.Lanes[n.Roads[r].Lanes[1]].ID}; got[0] != "C1B1_1" || got[1] != "C1B1_0" {
		t.Errorf("lanes of C1B1 = %v, want [C1B1_1 C1B1_0]", got)
	}
	v, _ := n.NodeByID("B1")
	nd := &n.Nodes[v]
	if nd.Kind != Signalised || nd.Program == nil {
		t.Fatalf("B1 is %s", nd.Kind)
	}
	// Movements follow SUMO's link order: C1B1 straight (links 0, 1),
	// left (2), U-turn (3), B0B1 right (4, 5), left (6), U-turn (7), A1B1
	// right (8), straight (9, 10), U-turn (11).
	var got []string
	for _, m := range nd.Movements {
		mv := &n.Movements[m]
		got = append(got, fmt.Sprintf("%s>%s:%s:%d", n.Roads[mv.From].ID, n.Roads[mv.To].ID, mv.Turn, len(mv.Links)))
	}
	want := "C1B1>B1A1:S:2 C1B1>B1B0:L:1 C1B1>B1C1:U:1 B0B1>B1C1:R:2 B0B1>B1A1:L:1 B0B1>B1B0:U:1 A1B1>B1B0:R:1 A1B1>B1C1:S:2 A1B1>B1A1:U:1"
	if strings.Join(got, " ") != want {
		t.Errorf("movements of B1:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	// The program: SUMO's 42 s greens with 3 s yellows, per movement.
	p := nd.Program
	wantP := Program{Phases: []Phase{{Duration: 42, MinDur: 5, MaxDur: 50, State: "GggrrrGGg"}, {Duration: 42, MinDur: 5, MaxDur: 50, State: "rrrGGgGrr"}},
		Yellow: 3, Actuated: &Actuation{MaxGap: 3, DetectorGap: 2}}
	if !equalish(*p, wantP) {
		t.Errorf("program of B1 = %+v (actuated %+v), want %+v", *p, p.Actuated, wantP)
	}
	if p.Cycle() != 90 {
		t.Errorf("cycle %g s, want SUMO's 90 s", p.Cycle())
	}
	// The left turn C1B1→B1B0 drives through two internal lanes and gives
	// way to the opposing through movement (request 2 answers to 9 and 10).
	left := movementOf(t, n, "C1B1", "B1B0")
	lk := &n.Links[left.Links[0]]
	if lk.ID != ":B1_2_0" || math.Abs(lk.Length-(5.01+14.34)) > 1e-9 || lk.Speed != 9.26 {
		t.Errorf("left link %s: length %g m, speed %g m/s; want :B1_2_0, 19.35 m, 9.26 m/s", lk.ID, lk.Length, lk.Speed)
	}
	if first, last := lk.Path[0], lk.Path[len(lk.Path)-1]; first != (orb.Point{160.4, 151.6}) || last != (orb.Point{148.4, 139.6}) {
		t.Errorf("left path runs %v → %v", first, last)
	}
	if n.Lanes[lk.From].ID != "C1B1_1" || n.Lanes[lk.To].ID != "B1B0_1" {
		t.Errorf("left link from %s to %s", n.Lanes[lk.From].ID, n.Lanes[lk.To].ID)
	}
	through := movementOf(t, n, "A1B1", "B1C1")
	if nd.Conflicts.At(left.Local, through.Local)&Yields == 0 || nd.Conflicts.At(through.Local, left.Local)&Yields != 0 {
		t.Errorf("the left turn must give way to the opposing through movement, not the reverse")
	}
	for _, k := range through.Links {
		if len(lk.Foes()) == 0 || !containsLink(lk.Foes(), k) {
			t.Errorf("link %s does not give way to %s", lk.ID, n.Links[k].ID)
		}
	}
	// Unsignalised corners keep their turnarounds too.
	a0, _ := n.NodeByID("A0")
	if n.Nodes[a0].Kind != Priority {
		t.Errorf("A0 is %s, want priority", n.Nodes[a0].Kind)
	}
}

func containsLink(list []LinkID, k LinkID) bool {
	for _, x := range list {
		if x == k {
			return true
		}
	}
	return false
}

// A SUMO network survives the GeoJSON export bit for bit, gzip-compressed
// input reads the same, and Load recognises both.
func TestReadSUMORoundTrip(t *testing.T) {
	for _, path := range []string{sumoGrid, sumoCross} {
		n := loadSUMO(t, path)
		var buf bytes.Buffer
		if err := n.WriteGeoJSON(&buf); err != nil {
			t.Fatal(err)
		}
		m, err := ReadGeoJSON(buf.Bytes(), n.Source, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := diffNetworks(n, m, 0); err != nil {
			t.Errorf("%s: export round trip: %v", path, err)
		}
		data, _ := os.ReadFile(path)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(data)
		zw.Close()
		gzPath := filepath.Join(t.TempDir(), filepath.Base(path)+".gz")
		if err := os.WriteFile(gzPath, gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		z, err := Load(gzPath, Options{})
		if err != nil {
			t.Fatal(err)
		}
		z.Source = n.Source
		if err := diffNetworks(n, z, 0); err != nil {
			t.Errorf("%s: gzip: %v", path, err)
		}
		if l, err := Load(path, Options{}); err != nil || len(l.Roads) != len(n.Roads) {
			t.Errorf("Load(%s): %v", path, err)
		}
	}
}

// A network netconvert made from OpenStreetMap: sidewalks are dropped,
// SUMO's edge ids (negative ones too) stay, positions convert to lon/lat.
func TestReadSUMOFromOSM(t *testing.T) {
	n := loadSUMO(t, sumoCross)
	if n.Skipped["sumo: lanes closed to passenger cars"] == 0 {
		t.Errorf("sidewalks were not dropped: skipped %v", n.Skipped)
	}
	r, ok := n.RoadByID("-10#0")
	if !ok {
		t.Fatal("road -10#0 missing")
	}
	if ls := n.Roads[r].Lanes; len(ls) != 1 || n.Lanes[ls[0]].ID != "-10#0_1" || n.Roads[r].Class != "primary" {
		t.Errorf("road -10#0: lanes %v, class %q", ls, n.Roads[r].Class)
	}
	if n.Proj == nil || n.LonLat() == nil {
		t.Fatal("no projection")
	}
	// Junction 2 is OSM node 2 at 7.4230 E, 43.7300 N.
	v, _ := n.NodeByID("2")
	ll := n.LonLat()(n.Nodes[v].Pos)
	if math.Abs(ll[0]-7.4230) > 2e-7 || math.Abs(ll[1]-43.7300) > 2e-7 {
		t.Errorf("junction 2 at %.7f, %.7f; want 7.4230000, 43.7300000", ll[0], ll[1])
	}
	if n.Nodes[v].Kind != Signalised {
		t.Errorf("junction 2 is %s", n.Nodes[v].Kind)
	}
}

func TestProjection(t *testing.T) {
	p, err := NewProjection([2]float64{-500000, 0}, "+proj=utm +zone=31 +ellps=WGS84 +datum=WGS84 +units=m +no_defs")
	if err != nil {
		t.Fatal(err)
	}
	// On the central meridian (3° E) at 45° N, the northing is 0.9996 times
	// the meridian arc, 4,984,944.378 m on WGS84.
	q := p.FromLonLat(orb.Point{3, 45})
	if math.Abs(q[0]) > 1e-6 || math.Abs(q[1]-0.9996*4984944.378) > 2e-3 {
		t.Errorf("3E 45N -> %.4f, %.4f; want 0, %.4f", q[0], q[1], 0.9996*4984944.378)
	}
	for _, ll := range []orb.Point{{3, 45}, {5.9, 10}, {0.5, -33}, {7.42, 43.73}} {
		back := p.ToLonLat(p.FromLonLat(ll))
		// The series are truncated at n³: forward and inverse agree to
		// better than a millimetre (1e-8° is about 1 mm).
		if math.Abs(back[0]-ll[0]) > 1e-8 || math.Abs(back[1]-ll[1]) > 1e-8 {
			t.Errorf("round trip %v -> %v", ll, back)
		}
	}
	for _, bad := range []string{"+proj=merc", "+proj=utm +zone=99", "+proj=tmerc +ellps=bessel", "+proj=tmerc +k=x"} {
		if _, err := NewProjection([2]float64{}, bad); err == nil {
			t.Errorf("NewProjection(%q) accepted", bad)
		}
	}
	if p, err := NewProjection([2]float64{}, "!"); p != nil || err != nil {
		t.Errorf("\"!\" must mean no projection")
	}
}

// Bad files give one error naming the line and the element.
func TestReadSUMOErrors(t *testing.T) {
	data, err := os.ReadFile(sumoGrid)
	if err != nil {
		t.Fatal(err)
	}
	grid := string(data)
	edit := func(old, new string) string {
		if !strings.Contains(grid, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(grid, old, new, 1)
	}
	cases := []struct {
		name, data string
		want       []string
	}{
		{"not XML", "{}", []string{"not a SUMO network"}},
		{"bad XML", "<net><edge id='a'></net>", []string{"line 1", "malformed XML"}},
		{"other root", `<routes><vehicle id="1"/></routes>`, []string{"line 1", "<routes>", "not a SUMO network"}},
		{"cut short", grid[:len(grid)/2], []string{"malformed XML"}},
		{"lane speed", edit(`<lane id="A0A1_0" index="0" speed="13.89"`, `<lane id="A0A1_0" index="0" speed="fast"`), []string{"line 154", `edge "A0A1"`, `lane "A0A1_0"`, `speed "fast"`}},
		{"lane index", edit(`<lane id="A0A1_1" index="1"`, `<lane id="A0A1_1" index="7"`), []string{"line 154", `lane "A0A1_1"`, `index "7"`}},
		{"lane shape", edit(`shape="4.80,6.40 4.80,143.60"`, `shape="4.80 4.80,143.60"`), []string{`edge "A0A1"`, "shape"}},
		{"duplicate edge", edit(`<edge id="A1A0"`, `<edge id="A0A1"`), []string{`edge "A0A1"`, "duplicate"}},
		{"missing junction", edit(`<edge id="A0A1" from="A0"`, `<edge id="A0A1" from="Z9"`), []string{"line 154", `edge "A0A1"`, `"Z9"`, "does not exist"}},
		{"connection edge", edit(`<connection from="A1B1" to="B1B0"`, `<connection from="A1B1" to="nowhere"`), []string{"line 294", "connection", `"nowhere"`}},
		{"connection lane", edit(`<connection from="A1B1" to="B1B0" fromLane="0"`, `<connection from="A1B1" to="B1B0" fromLane="5"`), []string{"line 294", "fromLane"}},
		{"via", edit(`via=":B1_8_0"`, `via=":B1_99_0"`), []string{"line 294", `":B1_99_0"`, "does not exist"}},
		{"link index", edit(`tl="B1" linkIndex="8"`, `tl="B1" linkIndex="80"`), []string{"line 294", "linkIndex", "12 signals"}},
		{"request bits", edit(`<request index="2"  response="011000000000"`, `<request index="2"  response="0110000000x0"`), []string{"line 250", `junction "B1"`, "request 2"}},
		{"request length", edit(`<request index="2"  response="011000000000"`, `<request index="2"  response="0110"`), []string{"line 250", `junction "B1"`, "one bit per link"}},
		{"phase state", edit(`state="GGggrrrrGGGg"`, `state="GGggrrrrGGGq"`), []string{"line 217", `tlLogic "B1"`, "phase 0", `"q"`}},
		{"phase duration", edit(`<phase duration="42" state="GGggrrrrGGGg"`, `<phase duration="-1" state="GGggrrrrGGGg"`), []string{"line 217", `tlLogic "B1"`, "phase 0", "duration"}},
		{"min above max", edit(`<phase duration="42" state="GGggrrrrGGGg" minDur="5"`, `<phase duration="42" state="GGggrrrrGGGg" minDur="60"`), []string{`tlLogic "B1"`, "minDur"}},
		{"lefthand", edit(`<net version="1.9"`, `<net lefthand="true" version="1.9"`), []string{"left"}},
	}
	for _, c := range cases {
		_, err := ReadSUMO(strings.NewReader(c.data), "x.net.xml", Options{})
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
}

// A program with two conflicting greens where neither gives way in the
// junction's request table runs when one of them is green yielding ('g':
// the engine makes it give way to the protected green), and is refused
// with a warning naming both movements when both are protected ('G'); the
// junction then runs a default program.
func TestReadSUMORefusedProgram(t *testing.T) {
	data, err := os.ReadFile(sumoGrid)
	if err != nil {
		t.Fatal(err)
	}
	// B1's left turn from C1B1 (link 2) is green yielding with the
	// opposing through links 9 and 10; take its yielding away.
	s := strings.Replace(string(data), `<request index="2"  response="011000000000"`, `<request index="2"  response="000000000000"`, 1)
	for _, tc := range []struct {
		name    string
		state   string // B1's first phase
		refused bool
	}{
		{"permissive", "GGggrrrrGGGg", false},
		{"protected", "GGGgrrrrGGGg", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.Replace(s, `<phase duration="42" state="GGggrrrrGGGg"`, `<phase duration="42" state="`+tc.state+`"`, 1)
			n, err := ReadSUMO(strings.NewReader(data), "x.net.xml", Options{})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, w := range n.Warnings {
				if w.ID == "B1" && strings.Contains(w.Msg, "green together") && strings.Contains(w.Msg, "default program") {
					found = true
				}
			}
			if found != tc.refused {
				t.Errorf("warning about B1's program: %v, want %v (%v)", found, tc.refused, n.Warnings)
			}
			v, _ := n.NodeByID("B1")
			if p := n.Nodes[v].Program; p == nil || (p.Actuated == nil) != tc.refused {
				t.Errorf("B1 must run the file's actuated program (%v) or CityTwin's default fixed-time one (%v)", !tc.refused, tc.refused)
			}
		})
	}
}

// Without the <request> tables (a hand-written network), conflicts come from
// the link paths and right of way from CityTwin's own rules: the left turn
// still gives way to the opposing through movement.
func TestReadSUMOWithoutRequests(t *testing.T) {
	data, err := os.ReadFile(sumoGrid)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.Contains(l, "<request ") {
			kept = append(kept, l)
		}
	}
	n, err := ReadSUMO(strings.NewReader(strings.Join(kept, "\n")), "x.net.xml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := n.NodeByID("B1")
	left, through := movementOf(t, n, "C1B1", "B1B0"), movementOf(t, n, "A1B1", "B1C1")
	if c := n.Nodes[v].Conflicts; c.At(left.Local, through.Local)&Yields == 0 || c.At(left.Local, through.Local)&Crosses == 0 {
		t.Errorf("the left turn does not cross and give way to the opposing through movement")
	}
	found := false
	for _, w := range n.Warnings {
		found = found || strings.Contains(w.Msg, "without a <request> table")
	}
	if !found {
		t.Errorf("no warning: %v", n.Warnings)
	}
}

// Networks that SUMO's own tools make load, with every program accepted.
func TestReadSUMOGenerated(t *testing.T) {
	for _, tool := range []string{"netgenerate", "netconvert"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SUMO's %s is not installed (apt-get install sumo): skipping", tool)
		}
	}
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
	}{
		{"grid-static", []string{"--grid", "--grid.number", "4", "--default.lanenumber", "2", "--tls.guess", "true"}},
		{"grid-actuated-1lane", []string{"--grid", "--grid.number", "3", "--default.lanenumber", "1", "--default-junction-type", "traffic_light", "--tls.default-type", "actuated"}},
		{"grid-leftlanes", []string{"--grid", "--grid.number", "3", "--default.lanenumber", "2", "--turn-lanes", "1", "--tls.guess", "true", "--tls.left-green.time", "8"}},
		{"rand", []string{"--rand", "--rand.iterations", "150", "--seed", "4", "--default.lanenumber", "2", "--tls.guess", "true"}},
		{"rand-actuated-noturn", []string{"--rand", "--rand.iterations", "150", "--seed", "5", "--tls.guess", "true", "--tls.default-type", "actuated", "--no-turnarounds"}},
		{"spider", []string{"--spider", "--spider.arm-number", "5", "--tls.guess", "true"}},
	}
	for _, c := range cases {
		out := filepath.Join(dir, c.name+".net.xml")
		cmd := exec.Command("netgenerate", append(c.args, "-o", out)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: netgenerate: %v\n%s", c.name, err, b)
		}
		n := loadSUMO(t, out)
		for _, w := range n.Warnings {
			if strings.Contains(w.Msg, "default program") {
				t.Errorf("%s: %s", c.name, w)
			}
		}
		if n.Summarize().Signalised == 0 && c.name != "spider" {
			t.Errorf("%s: no signalised junction", c.name)
		}
		// The same network without internal lanes.
		plain := filepath.Join(dir, c.name+".plain.net.xml")
		cmd = exec.Command("netconvert", "--sumo-net-file", out, "--no-internal-links", "-o", plain)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: netconvert: %v\n%s", c.name, err, b)
		}
		m := loadSUMO(t, plain)
		if len(m.Links) != len(n.Links) || len(m.Movements) != len(n.Movements) {
			t.Errorf("%s without internal lanes: %d links, %d movements; with: %d, %d", c.name, len(m.Links), len(m.Movements), len(n.Links), len(n.Movements))
		}
	}
}

// FuzzReadSUMO: ReadSUMO never panics, rejects input only with an error
// about the input, and what it accepts passes Check and survives an export
// round trip.
func FuzzReadSUMO(f *testing.F) {
	// Small seeds keep the fuzzer fast (the fixtures above are tested as
	// they are): three signalised junctions in a row (netgenerate, with
	// internal lanes), a crossing without internal lanes whose streams
	// merge and give way, a plain two-edge network and a self-loop.
	data, err := os.ReadFile("testdata/sumo/tiny.net.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`<net><location netOffset="10.00,-20.00" projParameter="+proj=utm +zone=32 +ellps=WGS84 +datum=WGS84 +units=m +no_defs"/>
<edge id="e1" from="W" to="C" priority="2" type="highway.primary"><lane id="e1_0" index="0" speed="13.9" length="95" shape="0,-1.6 95,-1.6"/></edge>
<edge id="e2" from="S" to="C" priority="1"><lane id="e2_0" index="0" speed="13.9" length="95" shape="101.6,-100 101.6,-5"/></edge>
<edge id="e3" from="C" to="E"><lane id="e3_0" index="0" speed="13.9" length="95" shape="105,-1.6 200,-1.6"/><lane id="e3_1" index="1" allow="pedestrian" speed="1" length="95" width="2" shape="105,-3.5 200,-3.5"/></edge>
<edge id="e4" from="C" to="N"><lane id="e4_0" index="0" speed="13.9" length="95" shape="101.6,5 101.6,100"/></edge>
<tlLogic id="C" type="actuated" programID="1" offset="7"><param key="max-gap" value="2.5"/>
<phase duration="30" minDur="10" maxDur="40" state="GGrr"/><phase duration="3" state="yyrr"/><phase duration="1" state="rrrr"/>
<phase duration="20" minDur="5" maxDur="30" state="rrGG"/><phase duration="3" state="rryy"/></tlLogic>
<junction id="W" type="dead_end" x="0" y="0" incLanes="" intLanes=""/>
<junction id="S" type="dead_end" x="100" y="-100" incLanes="" intLanes=""/>
<junction id="E" type="dead_end" x="200" y="0" incLanes="e3_0" intLanes=""/>
<junction id="N" type="dead_end" x="100" y="100" incLanes="e4_0" intLanes=""/>
<junction id="C" type="traffic_light" x="100" y="0" incLanes="e1_0 e2_0" intLanes="" shape="95,5 105,5 105,-5 95,-5">
<request index="0" response="0000" foes="1000"/><request index="1" response="0100" foes="0100"/>
<request index="2" response="0000" foes="0010"/><request index="3" response="0001" foes="0001"/></junction>
<connection from="e1" to="e3" fromLane="0" toLane="0" tl="C" linkIndex="0" dir="s" state="O"/>
<connection from="e1" to="e4" fromLane="0" toLane="0" tl="C" linkIndex="1" dir="l" state="O"/>
<connection from="e2" to="e4" fromLane="0" toLane="0" tl="C" linkIndex="2" dir="s" state="O"/>
<connection from="e2" to="e3" fromLane="0" toLane="0" tl="C" linkIndex="3" dir="r" state="O"/>
</net>`))
	f.Add([]byte(`<net><location netOffset="0,0" projParameter="!"/>
<edge id="a" from="1" to="2"><lane id="a_0" index="0" speed="10" length="100" shape="0,0 100,0"/></edge>
<edge id="b" from="2" to="3"><lane id="b_0" index="0" speed="10" length="100" shape="100,0 200,0"/></edge>
<junction id="1" type="dead_end" x="0" y="0" incLanes="" intLanes=""/>
<junction id="2" type="priority" x="100" y="0" incLanes="a_0" intLanes="">
<request index="0" response="0" foes="0"/></junction>
<junction id="3" type="dead_end" x="200" y="0" incLanes="b_0" intLanes=""/>
<connection from="a" to="b" fromLane="0" toLane="0" dir="s" state="M"/>
</net>`))
	f.Add([]byte(`<net><edge id="-1" from="x" to="x"><lane id="-1_0" index="0" speed="1" length="1" shape="0,0 1,1"/></edge><junction id="x" type="traffic_light" x="0" y="0" incLanes="-1_0" intLanes=""/><tlLogic id="x"><phase duration="5" state="G"/><phase duration="1" state="y"/></tlLogic><connection from="-1" to="-1" fromLane="0" toLane="0" tl="x" linkIndex="0" dir="t" state="O"/></net>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ReadSUMO(bytes.NewReader(data), "fuzz.net.xml", Options{})
		if err != nil {
			if strings.Contains(err.Error(), errBuiltCheck) {
				t.Fatalf("accepted input builds a broken network: %v", err)
			}
			return
		}
		fuzzRoundTrip(t, n)
	})
}

// A network netconvert makes from raw OpenStreetMap data loads: Monaco
// (CITYTWIN_DATASETS), its PBF converted to OSM XML with osmium (netconvert
// 1.15 reads no PBF), with netconvert's defaults and with guessed, joined
// signals and joined junction clusters.
func TestReadSUMOFromOSMMonaco(t *testing.T) {
	pbf := dataset(t, "monaco/monaco.osm.pbf")
	for _, tool := range []string{"osmium", "netconvert"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install osmium-tool sumo): skipping", tool)
		}
	}
	dir := t.TempDir()
	osm := filepath.Join(dir, "monaco.osm")
	if out, err := exec.Command("osmium", "cat", pbf, "-o", osm, "-f", "osm").CombinedOutput(); err != nil {
		t.Fatalf("osmium: %v\n%s", err, out)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"defaults", nil},
		{"joined", []string{"--tls.guess-signals", "--tls.join", "--junctions.join", "--roundabouts.guess", "--ramps.guess"}},
	} {
		out := filepath.Join(dir, c.name+".net.xml.gz")
		cmd := exec.Command("netconvert", append([]string{"--osm-files", osm, "-o", out}, c.args...)...)
		cmd.Env = append(os.Environ(), "SUMO_HOME=/usr/share/sumo")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: netconvert: %v\n%s", c.name, err, b)
		}
		n := loadSUMO(t, out)
		s := n.Summarize()
		t.Logf("%s: %+v", c.name, s)
		if s.Roads < 3000 || s.Signalised < 5 || s.MainShare < 0.9 || n.Proj == nil {
			t.Errorf("%s: %+v", c.name, s)
		}
		for _, w := range n.Warnings {
			if strings.Contains(w.Msg, "default program") {
				t.Errorf("%s: %s", c.name, w)
			}
		}
		kinds := map[NodeKind]int{}
		for i := range n.Nodes {
			kinds[n.Nodes[i].Kind]++
		}
		if kinds[Priority] < 1000 || kinds[DeadEnd] < 100 {
			t.Errorf("%s: node kinds %v", c.name, kinds)
		}
	}
}
