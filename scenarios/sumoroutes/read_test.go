package sumoroutes

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func read(t *testing.T, doc string) *File {
	t.Helper()
	f, err := Read(strings.NewReader(doc), "test.rou.xml", 7)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func departs(f *File) []string {
	var out []string
	for _, v := range f.Vehicles {
		out = append(out, fmt.Sprintf("%s@%g", v.ID, v.Depart))
	}
	return out
}

func TestReadVehiclesAndTypes(t *testing.T) {
	f := read(t, `<?xml version="1.0"?>
<routes>
  <vType id="krauss" accel="2.0" decel="4.0" sigma="0.3" tau="1.2" length="4.5" minGap="2" maxSpeed="30" speedFactor="1.1" speedDev="0.05" color="red"/>
  <vType id="idm" carFollowModel="IDM" delta="3" speedFactor="normc(0.9,0.2,0.5,1.5)"/>
  <vType id="nested"><carFollowing-IDM accel="1.5" tau="1.5"/></vType>
  <route id="r1" edges="a b c"/>
  <vehicle id="v0" depart="0" route="r1" type="krauss" departLane="best" departSpeed="max"/>
  <vehicle id="v1" depart="1:00:05" type="idm"><route edges="a b"/></vehicle>
  <trip id="t0" depart="12.5" from="a" to="c" via="b" departLane="1" departSpeed="3.5"/>
  <vehicle id="v2" depart="20" route="r1"/>
</routes>`)
	if got, want := departs(f), []string{"v0@0", "v1@3605", "t0@12.5", "v2@20"}; !reflect.DeepEqual(got, want) {
		t.Errorf("departures %v, want %v", got, want)
	}
	if v := f.Vehicles[0]; !reflect.DeepEqual(v.Edges, []string{"a", "b", "c"}) || v.Type != "krauss" || v.DepartLane != "best" || v.DepartSpeed != "max" {
		t.Errorf("v0 = %+v", v)
	}
	if v := f.Vehicles[2]; v.Edges != nil || v.From != "a" || v.To != "c" || !reflect.DeepEqual(v.Via, []string{"b"}) || v.DepartLane != "1" {
		t.Errorf("t0 = %+v", v)
	}
	if f.Vehicles[3].Type != DefaultVTypeID {
		t.Errorf("v2 has type %q", f.Vehicles[3].Type)
	}
	byID := map[string]VType{}
	for _, vt := range f.VTypes {
		byID[vt.ID] = vt
	}
	k := byID["krauss"]
	want := VType{ID: "krauss", Line: 3, Model: "Krauss", Accel: 2, Decel: 4, EmergencyDecel: 9, Sigma: 0.3, Tau: 1.2, Delta: 4, Length: 4.5,
		MinGap: 2, MaxSpeed: 30, SpeedFactor: Dist{Mean: 1.1, Dev: 0.05, Min: 0.2, Max: 2}, VClass: "passenger"}
	if k != want {
		t.Errorf("krauss = %+v\nwant      %+v", k, want)
	}
	if i := byID["idm"]; i.Model != "IDM" || i.Delta != 3 || i.SpeedFactor != (Dist{0.9, 0.2, 0.5, 1.5}) {
		t.Errorf("idm = %+v", i)
	}
	if n := byID["nested"]; n.Model != "IDM" || n.Accel != 1.5 || n.Tau != 1.5 {
		t.Errorf("nested = %+v", n)
	}
	if d, ok := byID[DefaultVTypeID]; !ok || d != DefaultVType() {
		t.Errorf("SUMO's default type missing or wrong: %+v", d)
	}
	if len(f.Unsupported) != 0 {
		t.Errorf("unsupported: %v", f.Summary())
	}
}

// Flows depart as SUMO spaces them.
func TestReadFlows(t *testing.T) {
	f := read(t, `<routes>
  <flow id="p" begin="10" end="30" period="5" from="a" to="b"/>
  <flow id="h" begin="0" end="3600" vehsPerHour="1200" number="3" from="a" to="b"/>
  <flow id="n" begin="100" end="200" number="4" from="a" to="b"/>
  <flow id="pn" begin="0" period="7" number="3" from="a" to="b"/>
</routes>`)
	want := []string{"p.0@10", "p.1@15", "p.2@20", "p.3@25", "h.0@0", "h.1@3", "h.2@6", "n.0@100", "n.1@125", "n.2@150", "n.3@175", "pn.0@0", "pn.1@7", "pn.2@14"}
	if got := departs(f); !reflect.DeepEqual(got, want) {
		t.Errorf("departures\n got %v\nwant %v", got, want)
	}
	// Random flows: one draw per second with the probability, and
	// exponential gaps with the rate; the same seed gives the same times.
	doc := `<routes><flow id="q" begin="0" end="10000" probability="0.25" from="a" to="b"/>
<flow id="e" begin="0" end="10000" period="exp(0.1)" from="a" to="b"/></routes>`
	f1, f2 := read(t, doc), read(t, doc)
	if !reflect.DeepEqual(departs(f1), departs(f2)) {
		t.Error("the same seed gave different flows")
	}
	count := map[byte]int{}
	for _, v := range f1.Vehicles {
		count[v.ID[0]]++
		if v.ID[0] == 'q' && v.Depart != math.Trunc(v.Depart) {
			t.Errorf("probability flow departs at %g, not on a whole second", v.Depart)
		}
	}
	if math.Abs(float64(count['q'])-2500) > 150 || math.Abs(float64(count['e'])-1000) > 120 {
		t.Errorf("%d and %d vehicles; want about 2500 and 1000", count['q'], count['e'])
	}
}

func TestReadDistributions(t *testing.T) {
	f := read(t, `<routes>
  <vTypeDistribution id="mix">
    <vType id="car" probability="3"/>
    <vType id="van" length="7" probability="1"/>
  </vTypeDistribution>
  <routeDistribution id="rd">
    <route id="north" edges="a n" probability="1"/>
    <route id="south" edges="a s" probability="1"/>
  </routeDistribution>
  <flow id="f" begin="0" end="4000" period="1" type="mix" route="rd"/>
</routes>`)
	types, routes := map[string]int{}, map[string]int{}
	for _, v := range f.Vehicles {
		types[v.Type]++
		routes[strings.Join(v.Edges, " ")]++
	}
	if math.Abs(float64(types["car"])-3000) > 150 || types["car"]+types["van"] != 4000 {
		t.Errorf("types %v", types)
	}
	if math.Abs(float64(routes["a n"])-2000) > 150 || routes["a n"]+routes["a s"] != 4000 {
		t.Errorf("routes %v", routes)
	}
}

// What CityTwin does not model is counted per kind, with its first line.
func TestReadUnsupported(t *testing.T) {
	f := read(t, `<routes>
  <vType id="bus" vClass="bus" lcStrategic="0.5" lcSpeedGain="2" carFollowModel="Wiedemann"/>
  <person id="p" depart="0"><walk edges="a b"/></person>
  <person id="q" depart="1"><walk edges="a b"/></person>
  <vehicle id="v" depart="0" departPos="random" type="bus"><route edges="a b"/><stop lane="b_0" duration="20"/></vehicle>
  <vehicle id="w" depart="triggered"><route edges="a b"/></vehicle>
  <trip id="z" depart="3" fromTaz="t1" toTaz="t2"/>
</routes>`)
	got := strings.Join(f.Summary(), "\n")
	for _, want := range []string{`vClass="bus": passenger-car defaults and lanes (1, first at line 2)`,
		`lane-change model parameters (lc...): CityTwin's MOBIL settings apply (2, first at line 2)`,
		`carFollowModel="Wiedemann": run as Krauss (1, first at line 2)`,
		`<person> elements: skipped (CityTwin simulates vehicles only) (2, first at line 3)`,
		`<stop> elements: skipped (vehicles drive through) (1, first at line 5)`,
		`departPos="random": vehicles enter at the start of their first edge (1, first at line 5)`,
		`depart="triggered": skipped (1, first at line 6)`,
		`<trip> with fromTaz: skipped (CityTwin routes between edges only) (1, first at line 7)`} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if got := departs(f); !reflect.DeepEqual(got, []string{"v@0"}) {
		t.Errorf("departures %v", got)
	}
	if f.VTypes[0].Model != "Krauss" {
		t.Errorf("model %q", f.VTypes[0].Model)
	}
}

// A malformed file gives one error naming the line and the element.
func TestReadErrors(t *testing.T) {
	cases := []struct{ doc, want string }{
		{`<net/>`, "line 1: root element <net>"},
		{"<routes>\n<vehicle id=\"a\" depart=\"0\"><route edges=\"x\"/>\n</routes>", "malformed XML"},
		{"<routes>\n<vType id=\"t\" accel=\"-1\"/>\n</routes>", `line 2: <vType> "t": accel "-1"`},
		{"<routes>\n<vType id=\"t\" sigma=\"2\"/>\n</routes>", `line 2: <vType> "t": sigma "2" is not in [0, 1]`},
		{"<routes>\n<vType id=\"t\" speedFactor=\"uniform(1,2)\"/>\n</routes>", `speedFactor "uniform(1,2)"`},
		{"<routes>\n<vType id=\"t\"/>\n<vType id=\"t\"/></routes>", `line 3: <vType> "t": vehicle type defined twice (first at x.rou.xml line 2)`},
		{"<routes>\n<vehicle id=\"v\" depart=\"soon\" route=\"r\"/></routes>", `route "r" is not defined`},
		{"<routes><route id=\"r\" edges=\"a\"/>\n<vehicle id=\"v\" depart=\"soon\" route=\"r\"/></routes>", `line 2: <vehicle> "v": depart "soon"`},
		{"<routes><route id=\"r\" edges=\"a\"/>\n<vehicle id=\"v\" depart=\"0\" route=\"r\" type=\"x\"/></routes>", `line 2: <vehicle> "v": vehicle type "x" is not defined`},
		{"<routes>\n<vehicle id=\"v\" depart=\"0\"/></routes>", `line 2: <vehicle> "v": needs a route, or from and to edges`},
		{"<routes>\n<trip id=\"v\" depart=\"0\" from=\"a\" to=\"b\"/>\n<trip id=\"v\" depart=\"0\" from=\"a\" to=\"b\"/></routes>", `line 3: <trip> "v": id already used at x.rou.xml line 2`},
		{"<routes>\n<flow id=\"f\" from=\"a\" to=\"b\"/></routes>", `line 2: <flow> "f": needs period, vehsPerHour, probability or number`},
		{"<routes>\n<flow id=\"f\" period=\"2\" probability=\"0.1\" from=\"a\" to=\"b\"/></routes>", `sets period and probability`},
		{"<routes>\n<flow id=\"f\" begin=\"0\" end=\"1e7\" period=\"0.001\" from=\"a\" to=\"b\"/></routes>", `would depart more than`},
		{"<routes>\n<flow id=\"f\" number=\"5\" from=\"a\" to=\"b\"/></routes>", `number without period, vehsPerHour or probability needs an end`},
		{"<routes>\n<trip id=\"v\" depart=\"0\" from=\"a\" to=\"b\" departLane=\"left\"/></routes>", `departLane "left"`},
		{"<routes>\n<trip id=\"v\" depart=\"0\" from=\"a\" to=\"b\" departSpeed=\"-3\"/></routes>", `departSpeed "-3"`},
	}
	for _, c := range cases {
		_, err := Read(strings.NewReader(c.doc), "x.rou.xml", 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.doc, err, c.want)
		}
	}
}

// Several files share one namespace, as in SUMO: a later file uses the
// types and routes of an earlier one, and ids stay unique.
func TestReaderSeveralFiles(t *testing.T) {
	r := NewReader(1)
	a, err := r.Read(strings.NewReader(`<routes><vType id="t" length="4"/><route id="r" edges="x y"/><trip id="a" depart="0" from="x" to="y"/></routes>`), "a.rou.xml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Read(strings.NewReader(`<routes><vehicle id="b" depart="1" route="r" type="t"/><trip id="c" depart="2" from="x" to="y"/></routes>`), "b.rou.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.VTypes) != 2 || a.VTypes[1].ID != DefaultVTypeID || len(b.VTypes) != 0 || b.Vehicles[0].Type != "t" || len(b.Vehicles[0].Edges) != 2 {
		t.Errorf("a: %+v\nb: %+v", a, b)
	}
	_, err = r.Read(strings.NewReader("<routes>\n<trip id=\"a\" depart=\"0\" from=\"x\" to=\"y\"/></routes>"), "c.rou.xml")
	if err == nil || !strings.Contains(err.Error(), `line 2: <trip> "a": id already used at a.rou.xml line 1`) {
		t.Errorf("duplicate id across files: %v", err)
	}
}

func TestReadGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`<routes><trip id="a" depart="1" from="x" to="y"/></routes>`))
	zw.Close()
	f, err := Read(&buf, "x.rou.xml.gz", 1)
	if err != nil || len(f.Vehicles) != 1 {
		t.Fatalf("%v, %v", f, err)
	}
}

// FuzzRead: Read never panics, and what it accepts is consistent: every
// vehicle has a known type and either a route or trip ends.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`<routes><vType id="t" accel="2" speedFactor="normc(1,0.1,0.2,2)"/><route id="r" edges="a b"/>
<vehicle id="v" depart="0" route="r" type="t" departLane="best"/><trip id="w" depart="1:00:00" from="a" to="b" via="c"/>
<flow id="f" begin="0" end="100" vehsPerHour="360" from="a" to="b"/><flow id="g" begin="0" end="50" probability="0.5" route="r"/></routes>`))
	f.Add([]byte(`<routes><vTypeDistribution id="d"><vType id="a" probability="1"/><vType id="b" probability="2"/></vTypeDistribution>
<routeDistribution id="rd"><route id="x" edges="a" probability="1"/></routeDistribution><flow id="f" number="3" begin="0" end="9" type="d" route="rd"/>
<person id="p" depart="0"/><interval begin="0" end="10"><trip id="t" depart="0" from="a" to="b"/></interval></routes>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(bytes.NewReader(data), "fuzz.rou.xml", 1)
		if err != nil {
			return
		}
		types := map[string]bool{}
		for _, vt := range file.VTypes {
			types[vt.ID] = true
		}
		for _, v := range file.Vehicles {
			if !types[v.Type] {
				t.Fatalf("vehicle %q has type %q, not among %v", v.ID, v.Type, file.VTypes)
			}
			if v.Edges == nil && (v.From == "" || v.To == "") || !(v.Depart >= 0 && v.Depart <= MaxTime) {
				t.Fatalf("vehicle %+v", v)
			}
		}
	})
}
