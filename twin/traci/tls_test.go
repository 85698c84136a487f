package traci

import "testing"

func testTLS(offset int64, durs ...int64) *tlsState {
	v := &tlsView{id: "J", links: make([][]linkView, 2)}
	d := &programDef{id: "0", offset: offset}
	for i, x := range durs {
		st := "Gr"
		if i%2 == 1 {
			st = "rG"
		}
		d.phases = append(d.phases, phaseDef{dur: x, minDur: x, maxDur: x, state: st})
	}
	v.programs = []*programDef{d}
	return newTLSState(v, 0)
}

// Offsets start a program where SUMO 1.15 starts it (values read from
// sumo through traci on testdata/grid.net.xml with offset="5" and
// offset="-50" on a 42/3/42/3 s program, at --begin 0 and 7).
func TestProgramOffsets(t *testing.T) {
	for _, tc := range []struct {
		offset, begin int64
		phase         int
		next          int64
	}{
		{5000, 0, 2, 2000},
		{-50000, 0, 2, 37000},
		{5000, 7000, 0, 47000},
		{-50000, 7000, 2, 37000},
		{0, 0, 0, 42000},
		{90000, 0, 0, 42000}, // a whole cycle
	} {
		tl := testTLS(0, 42000, 3000, 42000, 3000)
		p := tl.programs[0]
		p.offset = tc.offset
		p.startAt(tc.begin)
		if p.phase != tc.phase || p.nextSwitch != tc.next {
			t.Errorf("offset %d ms at %d ms: phase %d switching at %d, SUMO %d at %d", tc.offset, tc.begin, p.phase, p.nextSwitch, tc.phase, tc.next)
		}
	}
}

// Every program switches on its own while another is active; a switch
// due within a step happens at its start; next phases are followed.
func TestProgramsInTheBackground(t *testing.T) {
	tl := testTLS(0, 10000, 2000, 10000, 2000)
	run := func(from, to int64) {
		for now := from; now < to; now += 1000 {
			tl.advance(now, 1000, nil)
		}
	}
	if err := tl.setState("GG", 3000, 1000); err != nil {
		t.Fatal(err)
	}
	run(3000, 25000)
	if tl.active.id != "online" || tl.state() != "GG" {
		t.Errorf("active %q showing %q, want the held online state", tl.active.id, tl.state())
	}
	if err := tl.setProgram("0", 25000); err != nil {
		t.Fatal(err)
	}
	// Program 0 ran on: 10 + 2 + 10 + 2 s, then phase 0 again from 24 s.
	if p := tl.active; p.phase != 0 || p.nextSwitch != 34000 {
		t.Errorf("program 0 after 25 s: phase %d switching at %d, want 0 at 34000", p.phase, p.nextSwitch)
	}
	// A switch due within a step happens at its start (SUMO's event
	// control): phase 0 of 0.5 s gives way to phase 1 for the step from
	// 25 s; phase 1 ends at 26 s exactly, at the next step's start.
	if err := tl.setProgramLogic(programDef{id: "fast", phases: []phaseDef{{dur: 500, state: "Gr"}, {dur: 500, state: "rG"},
		{dur: 1500, state: "rr", next: []int32{1}}}}, 0, 25000); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		now         int64
		phase       int
		switchAtEnd int64
	}{{25000, 1, 26000}, {26000, 2, 27500}, {27000, 1, 28000}, {28000, 2, 29500}} {
		tl.advance(want.now, 1000, nil)
		if p := tl.active; p.phase != want.phase || p.nextSwitch != want.switchAtEnd {
			t.Errorf("step from %d ms: phase %d switching at %d, want %d at %d", want.now, p.phase, p.nextSwitch, want.phase, want.switchAtEnd)
		}
	}
	if err := tl.setProgram("nope", 0); err == nil {
		t.Error("setProgram of an unknown program succeeded")
	}
	if err := tl.setProgram("off", 28000); err != nil || tl.state() != "OO" {
		t.Errorf("off program: %v, state %q", err, tl.state())
	}
}

// A client cannot add programs without end.
func TestProgramLimit(t *testing.T) {
	tl := testTLS(0, 10000, 10000)
	var err error
	for i := 0; i < 2*maxPrograms && err == nil; i++ {
		err = tl.setProgramLogic(programDef{id: string(rune('a'+i%26)) + string(rune('a'+i/26)), phases: []phaseDef{{dur: 1000, state: "GG"}}}, 0, 0)
	}
	if err == nil || len(tl.programs) != maxPrograms {
		t.Errorf("%d programs kept, error %v; want %d and an error", len(tl.programs), err, maxPrograms)
	}
}

// An actuated phase lasts minDur without traffic, maxDur under a steady
// stream, and in between ends max-gap after the last vehicle.
func TestActuatedPhases(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lastSeen func(now int64) int64 // when a loop last saw a vehicle
		end      int64                 // when phase 0 (min 5 s, max 50 s) ends
	}{
		{"no traffic", func(int64) int64 { return -noDetection }, 5000},
		{"steady stream", func(now int64) int64 { return now }, 50000},
		{"stream until 20 s", func(now int64) int64 { return min(now, 20000) }, 23000},
	} {
		tl := testTLS(0, 42000, 3000, 42000, 3000)
		p := tl.programs[0]
		p.typ = 3
		p.phases[0].minDur, p.phases[0].maxDur = 5000, 50000
		p.startAt(0)
		var now int64
		gap := func(_ *program, i int) int64 {
			if i != 0 {
				return noDetection
			}
			return now - tc.lastSeen(now)
		}
		for now = 0; p.phase == 0 && now < 100000; now += 1000 {
			tl.advance(now, 1000, gap)
		}
		if got := now - 1000; p.phase != 1 || got != tc.end {
			t.Errorf("%s: phase 0 ended at %d ms, want %d", tc.name, got, tc.end)
		}
	}
}
