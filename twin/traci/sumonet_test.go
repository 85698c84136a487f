package traci

import (
	"os"
	"strings"
	"testing"
)

// A small network: one edge in, one out, a light with one signal.
const tinyNet = `<net>
  <edge id=":J_0" function="internal"><lane id=":J_0_0" index="0" speed="10" length="5" shape="0,0 5,0"/></edge>
  <edge id="a"><lane id="a_0" index="0" speed="13.9" length="100" shape="-100,0 0,0"/></edge>
  <edge id="b"><lane id="b_0" index="0" speed="13.9" length="100" shape="5,0 105,0"/></edge>
  <tlLogic id="J" type="static" programID="0" offset="0">
    <phase duration="30" state="G"/>
    <phase duration="3" state="y"/>
    <phase duration="30" state="r"/>
  </tlLogic>
  <connection from="a" to="b" fromLane="0" toLane="0" via=":J_0_0" tl="J" linkIndex="0"/>
  %s
</net>`

func TestReadNetView(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra string
		err   string // "" for none
	}{
		{"as is", "", ""},
		{"an unsignalled link of a light (linkIndex -1)", `<connection from="a" to="b" fromLane="0" toLane="0" tl="J" linkIndex="-1"/>`, ""},
		{"a light without a program (a rail crossing)", `<connection from="a" to="b" fromLane="0" toLane="0" tl="X" linkIndex="0"/>`, ""},
		{"a link index beyond the states", `<connection from="a" to="b" fromLane="0" toLane="0" tl="J" linkIndex="4"/>`, "link index 4"},
		{"a bad link index", `<connection from="a" to="b" fromLane="0" toLane="0" tl="J" linkIndex="x"/>`, `linkIndex "x"`},
		{"a bad state letter", `<tlLogic id="K" programID="0"><phase duration="5" state="Q"/></tlLogic>`, `tlLogic "K"`},
		{"a zero duration", `<tlLogic id="K" programID="0"><phase duration="0" state="G"/></tlLogic>`, "positive time"},
		{"states of different lengths", `<tlLogic id="K" programID="0"><phase duration="5" state="G"/><phase duration="5" state="GG"/></tlLogic>`, "phase 0 has 1"},
		{"a bad next", `<tlLogic id="K" programID="0"><phase duration="5" state="G" next="3"/></tlLogic>`, "next"},
		{"an unknown program type", `<tlLogic id="K" type="magic" programID="0"><phase duration="5" state="G"/></tlLogic>`, `type "magic"`},
		{"a repeated lane", `<edge id="c"><lane id="a_0" index="0" speed="1" length="1" shape="0,0 1,0"/></edge>`, `lane "a_0"`},
		{"a bad shape", `<edge id="c"><lane id="c_0" index="0" speed="1" length="1" shape="0,0 x"/></edge>`, "shape"},
		{"programs of different lengths", `<tlLogic id="J" programID="1"><phase duration="5" state="GG"/></tlLogic>`, `program "1" has 2 signals`},
		{"a lane index gap", `<edge id="c"><lane id="c_1" index="1" speed="1" length="1" shape="0,0 1,0"/></edge>`, "lane indices"},
	} {
		v, err := readNetView(strings.NewReader(strings.Replace(tinyNet, "%s", tc.extra, 1)), "test.net.xml")
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one with %q", tc.name, err, tc.err)
		case tc.err == "" && (len(v.tls) != 1 || len(v.tls[0].links) != 1 || len(v.tls[0].links[0]) != 1 || v.next[":J_0_0"] != ""):
			t.Errorf("%s: lights %+v", tc.name, v.tls)
		}
	}
	if _, err := readNetView(strings.NewReader("not xml"), "test.net.xml"); err == nil {
		t.Error("text that is not XML was read")
	}
}

// FuzzNetView feeds arbitrary bytes to the reader of the TraCI view of a
// network: an error or a view, never a panic. Seeds: the test grid and
// the cases of TestReadNetView.
func FuzzNetView(f *testing.F) {
	grid, err := os.ReadFile("testdata/grid.net.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(grid)
	f.Add([]byte(strings.Replace(tinyNet, "%s", "", 1)))
	f.Add([]byte(strings.Replace(tinyNet, "%s", `<connection from="a" to="b" fromLane="0" toLane="0" tl="J" linkIndex="-1"/>`, 1)))
	f.Add([]byte(strings.Replace(tinyNet, "%s", `<tlLogic id="J" programID="1"><phase duration="5" state="r"/></tlLogic>`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := readNetView(strings.NewReader(string(data)), "test.net.xml")
		if err == nil {
			for _, tl := range v.tls {
				for _, p := range tl.programs {
					for _, ph := range p.phases {
						if len(tl.links) != len(ph.state) {
							t.Fatalf("light %q program %q: %d signals, a state of %d", tl.id, p.id, len(tl.links), len(ph.state))
						}
					}
				}
			}
		}
	})
}
