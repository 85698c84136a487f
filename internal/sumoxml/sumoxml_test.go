package sumoxml

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

const tinyNet = `<?xml version="1.0"?>
<net version="1.9" lefthand="true">
  <location netOffset="10.00,20.00" projParameter="!"/>
  <type id="t" speed="13.89"/>
  <edge id=":J_0" function="internal"><lane id=":J_0_0" index="0" speed="10" length="5" shape="0,0 5,0"/></edge>
  <edge id="a" from="A" to="J" priority="1"><lane id="a_0" index="0" speed="13.9" length="100" shape="-100,0 0,0"/></edge>
  <tlLogic id="J" type="static" programID="0" offset="0">
    <phase duration="30" state="G" name="go"/>
    <param key="max-gap" value="3"/>
  </tlLogic>
  <junction id="J" type="traffic_light" x="0" y="0" incLanes="a_0" intLanes=":J_0_0" shape="0,0">
    <request index="0" response="0" foes="0"/>
  </junction>
  <connection from="a" to="b" fromLane="0" toLane="0" via=":J_0_0" tl="J" linkIndex="0" dir="s" state="O"/>
  <roundabout nodes="J"/>
  <polygon id="p"/>
</net>`

// TestParse checks what Parse keeps of each element, with its line.
func TestParse(t *testing.T) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(tinyNet))
	w.Close()
	for name, data := range map[string][]byte{"plain": []byte(tinyNet), "gzip": gz.Bytes()} {
		n, err := Parse(bytes.NewReader(data), "tiny.net.xml", 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch {
		case !n.LeftHand:
			t.Errorf("%s: lefthand not read", name)
		case n.Location == nil || n.Location.NetOffset != "10.00,20.00" || n.Location.Line != 3:
			t.Errorf("%s: location %+v", name, n.Location)
		case len(n.Edges) != 2 || n.Edges[1].ID != "a" || n.Edges[1].Line != 6 || len(n.Edges[1].Lanes) != 1 || n.Edges[1].Lanes[0].Shape != "-100,0 0,0":
			t.Errorf("%s: edges %+v", name, n.Edges)
		case len(n.TLs) != 1 || n.TLs[0].Line != 7 || len(n.TLs[0].Phases) != 1 || n.TLs[0].Phases[0].Name != "go" || len(n.TLs[0].Params) != 1:
			t.Errorf("%s: programs %+v", name, n.TLs)
		case len(n.Junctions) != 1 || n.Junctions[0].Line != 11 || len(n.Junctions[0].Requests) != 1:
			t.Errorf("%s: junctions %+v", name, n.Junctions)
		case len(n.Conns) != 1 || n.Conns[0].Line != 14 || n.Conns[0].Via != ":J_0_0" || n.Conns[0].State != "O":
			t.Errorf("%s: connections %+v", name, n.Conns)
		case len(n.Ignored) != 1 || n.Ignored["<polygon>"] != 1:
			t.Errorf("%s: ignored %v, want only one <polygon> (type and roundabout are Ignorable)", name, n.Ignored)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"not XML", "hello", "not a SUMO network file"},
		{"another root", "<routes/>", "line 1: root element <routes>, want <net>"},
		{"two locations", "<net>\n<location/>\n<location/>\n</net>", "line 3: a second <location>"},
		{"broken element", "<net>\n<edge id=\"a\"><lane id=\"a_0\"></edge>\n</net>", "line 2: <edge>: "},
		{"unclosed", "<net>\n<edge id=\"a\">", "line"},
	} {
		_, err := Parse(strings.NewReader(tc.text), "bad.net.xml", 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestParseShape(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string // "" for no error
	}{
		{"", 0, ""},
		{"0,0 1.5,2", 2, ""},
		{"0,0,3 1,1,4", 2, ""}, // z dropped
		{"0,0 x", 0, `shape: position "x" is not x,y`},
		{"0,NaN", 0, "is not x,y in metres"},
		{"1e9,0", 0, "is not x,y in metres"},
		{"1,2,3,4", 0, "is not x,y"},
	} {
		ls, err := ParseShape(tc.in, "shape")
		switch {
		case tc.want == "" && (err != nil || len(ls) != tc.n):
			t.Errorf("%q: %v, %v; want %d points", tc.in, ls, err, tc.n)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.want)
		}
	}
	if ls, _ := ParseShape("0,0,3 1.5,-2", "shape"); ls[1][0] != 1.5 || ls[1][1] != -2 {
		t.Errorf("points %v", ls)
	}
}

// FuzzParse: Parse returns a network or an error, never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte(tinyNet))
	f.Add([]byte("<net><edge id=\"a\"><lane/></edge></net>"))
	f.Add([]byte("<net><location/><location/></net>"))
	f.Add([]byte("<routes/>"))
	f.Add([]byte{0x1f, 0x8b, 0x08})
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(bytes.NewReader(data), "fuzz.net.xml", 1<<20)
		if err == nil && n == nil {
			t.Fatal("no network and no error")
		}
	})
}
