package traci

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/twin/traci/wire"
)

// The golden session: testdata/record.py drives a server through SUMO's
// Python client with every command of the subset, and writes each call's
// request and answer. golden/sumo-1.15.json is SUMO 1.15's recording on
// testdata's network and routes; re-record it with
//
//	cd twin/traci/testdata && python3 record.py --binary sumo --out golden/sumo-1.15.json

type goldenCall struct {
	Name   string          `json:"name"`
	Args   []string        `json:"args"`
	Static bool            `json:"static"`
	Subset bool            `json:"subset"`
	OK     bool            `json:"ok"`
	Error  string          `json:"error"`
	Shape  string          `json:"shape"`
	Value  json.RawMessage `json:"value"`
	Repr   string          `json:"repr"`
	Req    string          `json:"req"`
	Resp   string          `json:"resp"`
}

func readGolden(t testing.TB, path string) []goldenCall {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Calls []goldenCall `json:"calls"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return g.Calls
}

// goldenArgs is the command line record.py starts the server with.
var goldenArgs = []string{"-n", "testdata/grid.net.xml", "-r", "testdata/grid.rou.xml", "--no-step-log", "--no-warnings", "True",
	"--seed", "42", "--time-to-teleport", "-1", "--waiting-time-memory", "1000"}

// answer is one command's answer: its status and, for getters, the
// response's value.
type answer struct {
	id     uint8
	result uint8
	desc   string
	value  *wire.Value // getters
	raw    string      // what follows the status, hex
}

// parseAnswer splits an answer message body into its status and value.
func parseAnswer(body []byte) (answer, error) {
	cmds, err := wire.SplitCommands(body)
	if err != nil && len(cmds) == 0 {
		return answer{}, err
	}
	if len(cmds) == 0 {
		return answer{}, fmt.Errorf("empty answer")
	}
	st := wire.NewReader(cmds[0].Payload)
	a := answer{id: cmds[0].ID, result: st.U8(), desc: st.Str()}
	if st.Err() != nil {
		return a, st.Err()
	}
	a.raw = hex.EncodeToString(body[cmds[0].Length:])
	if len(cmds) > 1 && cmds[1].ID == a.id+wire.ResponseOffset && a.id >= wire.GetBase {
		r := wire.NewReader(cmds[1].Payload)
		r.U8()
		r.Str()
		v := r.Value()
		if r.Err() != nil || r.Len() != 0 {
			return a, fmt.Errorf("response value: err %v, %d bytes left", r.Err(), r.Len())
		}
		a.value = &v
	}
	return a, nil
}

// equalValues compares decoded values, doubles to 1e-9 (relative).
func equalValues(a, b wire.Value) bool {
	if a.Tag != b.Tag || a.Int != b.Int || a.Str != b.Str || len(a.Strs) != len(b.Strs) || len(a.Items) != len(b.Items) ||
		len(a.Doubles) != len(b.Doubles) || len(a.Points) != len(b.Points) || a.Color != b.Color {
		return false
	}
	close := func(x, y float64) bool {
		return x == y || math.Abs(x-y) <= float64(1e-9*max(math.Abs(x), math.Abs(y)))
	}
	if !close(a.Double, b.Double) {
		return false
	}
	for i := range a.Strs {
		if a.Strs[i] != b.Strs[i] {
			return false
		}
	}
	for i := range a.Doubles {
		if !close(a.Doubles[i], b.Doubles[i]) {
			return false
		}
	}
	for i := range a.Points {
		if !close(a.Points[i][0], b.Points[i][0]) || !close(a.Points[i][1], b.Points[i][1]) {
			return false
		}
	}
	for i := range a.Items {
		if !equalValues(a.Items[i], b.Items[i]) {
			return false
		}
	}
	return true
}

// compareCall checks CityTwin's answer to one golden call against SUMO's.
func compareCall(g goldenCall, sumoBody, ctBody []byte) error {
	want, err := parseAnswer(sumoBody)
	if err != nil {
		return fmt.Errorf("SUMO's answer: %v", err)
	}
	got, err := parseAnswer(ctBody)
	if err != nil {
		return fmt.Errorf("CityTwin's answer %x: %v", ctBody, err)
	}
	if got.id != want.id {
		return fmt.Errorf("status for command 0x%02x, SUMO's for 0x%02x", got.id, want.id)
	}
	if !g.Subset {
		if got.result == wire.ResultOK {
			return fmt.Errorf("outside the subset, but answered OK")
		}
		return nil
	}
	if got.result != want.result {
		return fmt.Errorf("result 0x%02x %q, SUMO 0x%02x %q", got.result, got.desc, want.result, want.desc)
	}
	if want.result != wire.ResultOK {
		if g.Static && got.desc != want.desc {
			return fmt.Errorf("error %q, SUMO %q", got.desc, want.desc)
		}
		return nil
	}
	if got.desc != "" {
		return fmt.Errorf("success with a description %q", got.desc)
	}
	switch {
	case want.value == nil && got.value == nil:
		// Status only, a simulation step (int32 0) or getVersion.
		if g.Name == "getVersion" {
			return nil // the version string names CityTwin
		}
		if got.raw != want.raw {
			return fmt.Errorf("after the status: %s, SUMO %s", got.raw, want.raw)
		}
	case want.value == nil || got.value == nil:
		return fmt.Errorf("response value: %v, SUMO %v", got.value != nil, want.value != nil)
	case !wire.SameLayout(*want.value, *got.value):
		return fmt.Errorf("layout %s, SUMO %s", got.value.Layout(), want.value.Layout())
	case g.Static && !equalValues(*want.value, *got.value):
		return fmt.Errorf("value %+v,\nSUMO %+v", *got.value, *want.value)
	}
	return nil
}

// TestGoldenReplay sends the requests SUMO's Python client made in the
// golden session to the server, byte for byte, and compares every answer
// with SUMO's: the same status (and the same message for the errors SUMO
// words), the same value types and layouts, and the same values for
// what depends only on the network and the traffic-light model.
func TestGoldenReplay(t *testing.T) {
	calls := readGolden(t, "testdata/golden/sumo-1.15.json")
	s := newTestSession(t, goldenArgs...)
	nStatic := 0
	for i, g := range calls {
		req, _ := hex.DecodeString(g.Req)
		want, _ := hex.DecodeString(g.Resp)
		resp, fatal := s.handle(req)
		if fatal != nil {
			t.Fatalf("call %d %s: %v", i, g.Name, fatal)
		}
		if err := compareCall(g, want, resp[4:]); err != nil {
			t.Errorf("call %d %s%v: %v", i, g.Name, g.Args, err)
		}
		if g.Static {
			nStatic++
		}
	}
	if !s.closed {
		t.Error("the session did not end with close")
	}
	t.Logf("%d calls, %d compared by value", len(calls), nStatic)
}

// newTestSession loads a world with a sumo command line (no port) and
// returns a session on it, closed with the test.
func newTestSession(t testing.TB, args ...string) *session {
	t.Helper()
	o, err := ParseArgs(append(args, "--remote-port", "1"))
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := load(&o, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.sim.Close)
	return &session{w: w, maxMsg: wire.MaxMessage}
}

// shapeMatch compares two Python value shapes from record.py, where "[]"
// (an empty list) matches any list.
func shapeMatch(a, b string) bool {
	if a == b {
		return true
	}
	pa, pb := &shapeParser{s: a}, &shapeParser{s: b}
	ta, tb := pa.parse(), pb.parse()
	return pa.ok() && pb.ok() && ta.match(tb)
}

type shapeNode struct {
	name  string // type name, or "[" (list), "(" (tuple), "{" (dict)
	kids  []shapeNode
	keys  []string
	empty bool // "[]"
}

func (a shapeNode) match(b shapeNode) bool {
	if a.name == "[" && b.name == "[" && (a.empty || b.empty) {
		return true
	}
	if a.name != b.name || len(a.kids) != len(b.kids) || strings.Join(a.keys, ",") != strings.Join(b.keys, ",") {
		return false
	}
	for i := range a.kids {
		if !a.kids[i].match(b.kids[i]) {
			return false
		}
	}
	return true
}

type shapeParser struct {
	s   string
	i   int
	bad bool
}

func (p *shapeParser) ok() bool { return !p.bad && p.i == len(p.s) }

func (p *shapeParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *shapeParser) parse() shapeNode {
	switch {
	case p.eat('['):
		if p.eat(']') {
			return shapeNode{name: "[", empty: true}
		}
		k := p.parse()
		if !p.eat(']') || !p.eat('*') {
			p.bad = true
		}
		return shapeNode{name: "[", kids: []shapeNode{k}}
	case p.eat('('):
		n := shapeNode{name: "("}
		for {
			n.kids = append(n.kids, p.parse())
			if p.eat(')') || p.bad || p.i >= len(p.s) {
				break
			}
			if !p.eat(',') {
				p.bad = true
				break
			}
		}
		return n
	case p.eat('{'):
		n := shapeNode{name: "{"}
		if p.eat('}') {
			return n
		}
		for !p.bad && p.i < len(p.s) {
			k := p.i
			for p.i < len(p.s) && p.s[p.i] != ':' {
				p.i++
			}
			n.keys = append(n.keys, p.s[k:p.i])
			p.eat(':')
			n.kids = append(n.kids, p.parse())
			if p.eat('}') {
				break
			}
			if !p.eat(',') {
				p.bad = true
			}
		}
		return n
	}
	k := p.i
	for p.i < len(p.s) && strings.IndexByte("[](){},:*", p.s[p.i]) < 0 {
		p.i++
	}
	n := shapeNode{name: p.s[k:p.i]}
	if n.name == "" {
		p.bad = true
	}
	if p.i < len(p.s) && p.s[p.i] == '{' {
		inner := p.parse()
		n.kids, n.keys = inner.kids, inner.keys
	}
	return n
}

func TestShapeMatch(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"float", "float", true},
		{"float", "int", false},
		{"[str]*", "[]", true},
		{"[(str,int,float,str)]*", "[]", true},
		{"[(str,int,float,str)]*", "[(str,int,float,str)]*", true},
		{"[(str,int,float,str)]*", "[(str,int,int,str)]*", false},
		{"[Logic{currentPhaseIndex:int,phases:[Phase{duration:float}]*,programID:str}]*", "[Logic{currentPhaseIndex:int,phases:[]*,programID:str}]*", false},
		{"[Logic{currentPhaseIndex:int,phases:[Phase{duration:float}]*,programID:str}]*", "[Logic{currentPhaseIndex:int,phases:[],programID:str}]*", true},
		{"(float,float)", "(float,float)", true},
		{"(float,float)", "(float,int)", false},
	} {
		if got := shapeMatch(tc.a, tc.b); got != tc.want {
			t.Errorf("shapeMatch(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name) }
