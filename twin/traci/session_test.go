package traci

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/citytwin/citytwin/twin/traci/wire"
)

// Request builders, as the Python client encodes them.
func cmd(id uint8, payload ...[]byte) []byte {
	return wire.AppendCommand(nil, id, bytes.Join(payload, nil))
}

func str(s string) []byte {
	var w wire.Writer
	w.String(s)
	return w.Bytes()
}

func u8(b ...byte) []byte { return b }

func i32(x int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(x)) }

func f64(x float64) []byte { return binary.BigEndian.AppendUint64(nil, math.Float64bits(x)) }

func typedInt(x int32) []byte             { return append([]byte{wire.TypeInteger}, i32(x)...) }
func typedStr(s string) []byte            { return append([]byte{wire.TypeString}, str(s)...) }
func get(dom, v uint8, obj string) []byte { return cmd(wire.GetBase+dom, u8(v), str(obj)) }

var getTime = get(wire.DomSimulation, simTime, "")

// statuses returns the (id, result, description) of every status in an
// answer body, skipping the responses.
type status struct {
	id, result uint8
	desc       string
}

func statuses(t *testing.T, body []byte) []status {
	t.Helper()
	var cmds []wire.Command
	for len(body) > 0 {
		c, err := wire.SplitCommands(body)
		if len(c) == 0 {
			t.Fatalf("the answer %x does not split into commands: %v", body, err)
		}
		cmds = append(cmds, c[0])
		body = body[c[0].Length:]
		if c[0].ID == wire.CmdSimStep && len(body) >= 4 {
			body = body[4:] // the subscription count after a step's status
		}
	}
	var out []status
	for _, c := range cmds {
		r := wire.NewReader(c.Payload)
		res := r.U8()
		desc := r.Str()
		if r.Err() == nil && r.Len() == 0 && (res == wire.ResultOK || res == wire.ResultError || res == wire.ResultNotImplemented) {
			out = append(out, status{c.ID, res, desc})
		}
	}
	return out
}

// Malformed and hostile requests get SUMO's error status (or end the
// connection where the framing is lost), never a panic, and the session
// goes on answering.
func TestHostileRequests(t *testing.T) {
	s := newTestSession(t, goldenArgs...)
	logic := func(phases int32, state string) []byte {
		var w wire.Writer
		w.U8(tlProgramLogic)
		w.String("A0")
		w.Compound(5)
		w.TypedString("x")
		w.TypedInt(0)
		w.TypedInt(0)
		w.Compound(int(phases))
		w.Compound(6)
		w.TypedDouble(5)
		w.TypedString(state)
		w.TypedDouble(-1)
		w.TypedDouble(-1)
		w.Compound(0)
		w.TypedString("")
		w.Compound(0)
		return cmd(wire.SetBase+wire.DomTrafficLight, w.Bytes())
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		result uint8 // the status of the (last) command
		fatal  bool
		desc   string // part of the description
	}{
		{"unknown command", cmd(0x55), wire.ResultNotImplemented, false, "not implemented"},
		{"unknown command 0xff", cmd(0xff, u8(1, 2, 3)), wire.ResultNotImplemented, false, ""},
		{"subscription", cmd(0xd4, f64(0), f64(100), str("0"), u8(1, varSpeed)), wire.ResultNotImplemented, false, ""},
		{"context subscription", cmd(0x84, f64(0), f64(100), str("0"), u8(0xa4), f64(50), u8(0)), wire.ResultNotImplemented, false, ""},
		{"inductionloop", get(wire.DomInductionLoop, 0, ""), wire.ResultNotImplemented, false, ""},
		{"gui", get(wire.DomGUI, 0, ""), wire.ResultNotImplemented, false, "GUI is not running"},
		{"unknown traffic light", get(wire.DomTrafficLight, tlCurPhase, "nope"), wire.ResultError, false, "Traffic light 'nope' is not known"},
		{"unknown lane", get(wire.DomLane, varLength, "nope"), wire.ResultError, false, "Lane 'nope' is not known"},
		{"unknown vehicle", get(wire.DomVehicle, varSpeed, "nope"), wire.ResultError, false, "Vehicle 'nope' is not known."},
		{"unknown variable", get(wire.DomLane, 0x99, "A0A1_0"), wire.ResultError, false, "unsupported variable 0x99"},
		{"string length beyond the command", cmd(wire.GetBase+wire.DomLane, u8(varLength), i32(1000000), []byte("abc")), wire.ResultError, false, "string of 1000000"},
		{"negative string length", cmd(wire.GetBase+wire.DomLane, u8(varLength), i32(-5)), wire.ResultError, false, ""},
		{"get without object id", cmd(wire.GetBase+wire.DomLane, u8(varLength)), wire.ResultError, false, ""},
		{"trailing bytes", cmd(wire.GetBase+wire.DomSimulation, u8(simTime), str(""), u8(1, 2)), wire.ResultError, true, "Wrong position"},
		{"step with int32", cmd(wire.CmdSimStep, i32(0)), wire.ResultError, false, "double"},
		{"step to NaN", cmd(wire.CmdSimStep, f64(math.NaN())), wire.ResultError, false, "not a time"},
		{"step to 1e300", cmd(wire.CmdSimStep, f64(1e300)), wire.ResultError, false, "beyond"},
		{"setOrder too large", cmd(wire.CmdSetOrder, i32(math.MaxInt32)), wire.ResultError, false, "allowed range"},
		{"setPhase wrong type", cmd(wire.SetBase+wire.DomTrafficLight, u8(tlPhaseIndex), str("A0"), typedStr("2")), wire.ResultError, false, "integer"},
		{"setPhase out of range", cmd(wire.SetBase+wire.DomTrafficLight, u8(tlPhaseIndex), str("A0"), typedInt(-1)), wire.ResultError, false, "allowed range"},
		{"state of the wrong length", cmd(wire.SetBase+wire.DomTrafficLight, u8(tlState), str("A0"), typedStr("GGG")), wire.ResultError, false, "Mismatching phase size"},
		{"state with a bad letter", cmd(wire.SetBase+wire.DomTrafficLight, u8(tlState), str("A0"), typedStr(strings.Repeat("Z", 16))), wire.ResultError, false, "not one of"},
		{"program with a huge phase count", logic(math.MaxInt32, "GGGgrrrrGGGgrrrr"), wire.ResultError, false, ""},
		{"program with a negative phase count", logic(-3, "GGGgrrrrGGGgrrrr"), wire.ResultError, false, ""},
		{"program with a short state", logic(1, "G"), wire.ResultError, false, "Mismatching phase size"},
		{"huge compound", cmd(wire.SetBase+wire.DomTrafficLight, u8(tlProgramLogic), str("A0"), u8(wire.TypeCompound), i32(1<<30)), wire.ResultError, false, ""},
		{"vehicle set", cmd(wire.SetBase+wire.DomVehicle, u8(varSpeed), str("0"), u8(wire.TypeDouble), f64(3)), wire.ResultError, false, "Change Vehicle State"},
		{"command length past the message", []byte{0x40, 0xab, 0x66}, wire.ResultError, true, "Malformed message"},
		{"command length 1", []byte{0x01, 0xab}, wire.ResultError, true, "Malformed message"},
		{"extended length cut", []byte{0x00, 0x00}, wire.ResultError, true, "Malformed message"},
		{"extended length negative", []byte{0x00, 0xff, 0xff, 0xff, 0xff, 0xab}, wire.ResultError, true, "Malformed message"},
		{"a good and a malformed command", append(append([]byte{}, getTime...), 0x05, 0x00), wire.ResultError, true, "Malformed message"},
	} {
		resp, fatal := s.handle(tc.body)
		if (fatal != nil) != tc.fatal {
			t.Errorf("%s: fatal %v, want %v", tc.name, fatal, tc.fatal)
		}
		if got := int(binary.BigEndian.Uint32(resp)); got != len(resp) {
			t.Errorf("%s: the answer announces %d bytes and has %d", tc.name, got, len(resp))
		}
		st := statuses(t, resp[4:])
		if len(st) == 0 {
			t.Errorf("%s: no status in %x", tc.name, resp)
			continue
		}
		last := st[len(st)-1]
		if last.result != tc.result || !strings.Contains(last.desc, tc.desc) {
			t.Errorf("%s: status 0x%02x %q, want 0x%02x containing %q", tc.name, last.result, last.desc, tc.result, tc.desc)
		}
		// The session still answers.
		resp, _ = s.handle(getTime)
		if st := statuses(t, resp[4:]); len(st) != 1 || st[0].result != wire.ResultOK {
			t.Fatalf("%s: getTime afterwards: %x", tc.name, resp)
		}
	}
}

// Framing errors on the connection end it: a length below 4 or above the
// limit, or a client that hangs up mid-message.
func TestHostileConnection(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"length below 4", []byte{0, 0, 0, 3}},
		{"negative length", []byte{0xff, 0xff, 0xff, 0xff}},
		{"2 GB announced", []byte{0x7f, 0xff, 0xff, 0xff, 1, 2, 3}},
		{"cut message", []byte{0, 0, 0, 11, 7, 0xab}},
		{"hang-up before any message", nil},
	} {
		s := newTestSession(t, goldenArgs...)
		client, server := net.Pipe()
		done := make(chan error, 1)
		go func() { done <- s.serve(server); server.Close() }()
		go func() {
			client.Write(tc.data)
			client.Close()
		}()
		select {
		case err := <-done:
			if tc.data == nil && err != nil {
				t.Errorf("%s: %v, want a clean end", tc.name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the server did not end the connection", tc.name)
		}
	}
}

// Several commands in one message are answered in order, with the
// simulation step's answer last, as SUMO does; nothing is answered after
// close.
func TestMessageWithSeveralCommands(t *testing.T) {
	s := newTestSession(t, goldenArgs...)
	body := append(append(cmd(wire.CmdSimStep, f64(0)), getTime...), get(wire.DomTrafficLight, 0x99, "A0")...)
	body = append(body, getTime...)
	resp, fatal := s.handle(body)
	if fatal != nil {
		t.Fatal(fatal)
	}
	want := []status{{0xab, 0, ""}, {0xa2, 0xff, "Get TLS Variable: unsupported variable 0x99 specified"}, {0xab, 0, ""}, {0x02, 0, ""}}
	got := statuses(t, resp[4:])
	if len(got) != len(want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("status %d: %v, want %v", i, got[i], want[i])
		}
	}
	// The time read after the step is the step's end.
	a, err := parseAnswer(resp[4:])
	if err != nil || a.value == nil || a.value.Double != 1 {
		t.Errorf("getTime in the step's message: %+v %v, want 1 s", a.value, err)
	}
	resp, _ = s.handle(append(cmd(wire.CmdClose), getTime...))
	if st := statuses(t, resp[4:]); len(st) != 1 || st[0].id != wire.CmdClose {
		t.Errorf("close then getTime: %v, want close's status only", st)
	}
	if !s.closed {
		t.Error("the session is not closed")
	}
}

// Time is kept in integer milliseconds: 0.1 s steps add up exactly, a
// target time runs to the first step end at or after it, and --begin
// starts the clock.
func TestTime(t *testing.T) {
	s := newTestSession(t, append(goldenArgs, "--step-length", "0.1", "-b 100")...)
	timeNow := func() float64 {
		resp, _ := s.handle(getTime)
		a, err := parseAnswer(resp[4:])
		if err != nil || a.value == nil {
			t.Fatalf("getTime: %v", err)
		}
		return a.value.Double
	}
	if got := timeNow(); got != 100 {
		t.Fatalf("time before the first step %v, want 100", got)
	}
	for i := 0; i < 7; i++ {
		s.handle(cmd(wire.CmdSimStep, f64(0)))
	}
	if got := timeNow(); got != 100.7 {
		t.Errorf("after 7 steps of 0.1 s: %v, want 100.7 exactly", got)
	}
	s.handle(cmd(wire.CmdSimStep, f64(101.25)))
	if got := timeNow(); got != 101.3 {
		t.Errorf("after stepping to 101.25: %v, want 101.3", got)
	}
	s.handle(cmd(wire.CmdSimStep, f64(50)))
	if got := timeNow(); got != 101.3 {
		t.Errorf("stepping to a past time ran steps: %v", got)
	}
	// Vehicles of the route file departing before --begin are dropped.
	if _, ok := s.w.vbyName["0"]; ok {
		t.Error("vehicle 0 departs at 0 s, before --begin 100, and was kept")
	}
}

// A recorded session replayed without a client reaches the same digest.
func TestRecordReplay(t *testing.T) {
	calls := readGolden(t, goldenPath("sumo-1.15.json"))
	dir := t.TempDir()
	rec := dir + "/s.traci"
	o, err := ParseArgs(append(goldenArgs, "--remote-port", "1", "--citytwin.record", rec))
	if err != nil {
		t.Fatal(err)
	}
	// A live session over a socket pair, recorded.
	w, _, err := load(&o, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.sim.Close()
	client, server := net.Pipe()
	errc := make(chan error, 1)
	var live string
	go func() {
		s := &session{w: w, maxMsg: wire.MaxMessage}
		var buf bytes.Buffer
		buf.WriteString(recordHeader)
		buf.WriteString(`{"args":[],"dir":""}` + "\n")
		s.log = func(req, _ []byte) { buf.Write(wire.AppendMessage(nil, req)) }
		err := s.serve(server)
		server.Close()
		live = w.digestLine()
		if err == nil {
			err = writeFile(rec, buf.Bytes())
		}
		errc <- err
	}()
	for _, g := range calls {
		req := hexBytes(t, g.Req)
		if _, err := client.Write(wire.AppendMessage(nil, req)); err != nil {
			t.Fatal(err)
		}
		if _, err := wire.ReadMessage(client, nil, wire.MaxMessage); err != nil {
			t.Fatal(err)
		}
	}
	client.Close()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// Replay it, with one worker and with three (parallel phases
	// forced): the same digest.
	for _, workers := range []int{1, 3} {
		r := o
		r.Replay, r.Record, r.Workers, r.Digest = rec, "", workers, true
		if workers > 1 {
			r.minParallel = -1
		}
		var out bytes.Buffer
		if err := Serve(r, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(out.String()); got != live {
			t.Errorf("replayed with %d workers: %s\nlive:     %s", workers, got, live)
		}
	}
	if !strings.Contains(live, "at 40 s after 40 steps") {
		t.Errorf("live session: %s, want 40 s after 40 steps", live)
	}
}

func hexBytes(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }
