package traci

import (
	"encoding/binary"
	"testing"
)

// FuzzSession sends arbitrary message bodies to a session on the test
// network: every command must get an answer (a status, SUMO's error
// status for what it cannot do), the answer must frame correctly, and
// nothing may panic or hang. Each input may run at most 10 steps; the
// world is reloaded every few thousand steps. Seeds: every request of the
// golden session (recorded from SUMO's Python client) and the hostile
// requests of TestHostileRequests.
func FuzzSession(f *testing.F) {
	for _, g := range readGolden(f, goldenPath("sumo-1.15.json")) {
		f.Add(hexBytes(f, g.Req))
	}
	for _, b := range [][]byte{
		cmd(0x55), cmd(0xd4), getTime,
		{0x40, 0xab, 0x66}, {0x00, 0xff, 0xff, 0xff, 0xff, 0xab},
		cmd(0xc2, u8(tlProgramLogic), str("A0"), u8(0x0f), i32(1<<30)),
	} {
		f.Add(b)
	}
	var s *session
	n := 0
	f.Fuzz(func(t *testing.T, body []byte) {
		n++
		if s == nil || s.closed || s.w.steps > 3000 || n%1000 == 0 {
			if s != nil {
				s.w.sim.Close()
			}
			s = newFuzzSession(t)
		}
		s.limited, s.stepBudget = true, 10
		resp, _ := s.handle(body)
		if len(resp) < 4 || int(binary.BigEndian.Uint32(resp)) != len(resp) {
			t.Fatalf("answer %x: bad framing", resp)
		}
	})
}

func newFuzzSession(t testing.TB) *session {
	o, err := ParseArgs(append(goldenArgs, "--remote-port", "1"))
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := load(&o, 1)
	if err != nil {
		t.Fatal(err)
	}
	return &session{w: w, maxMsg: 1 << 20}
}
