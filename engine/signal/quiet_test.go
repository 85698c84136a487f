package signal

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/citytwin/citytwin/maps"
)

// A plant's quiet updates (the green of a plain fixed-time plan that
// holds) leave it and its lights exactly as the full update does: two
// plants, one of them made to take every step (exact), stay equal field
// by field, step by step, through changes, a program switch, a
// controller switch and a guard's maximum red with sensors.
func TestQuietExact(t *testing.T) {
	// alt has as many phases as cfProgram (a switch keeps the phase).
	alt := &maps.Program{Yellow: 2, AllRed: 1, Offset: 3, Phases: []maps.Phase{
		{Duration: 12, State: "GGrr"}, {Duration: 9, State: "rrGG"}, {Duration: 7, State: "GrGr"}, {Duration: 4, State: "rrGr"}}}
	for _, tc := range []struct {
		name  string
		p     *maps.Program
		dt    float64
		guard Guard
		sense bool
		// at step switchAt (when > 0) the program becomes to and the
		// controller ctrl (those not nil)
		switchAt int
		to       *maps.Program
		ctrl     Controller
		// plain: from switchAt on, the default guard and no sensors
		plain bool
	}{
		{name: "cityflow", p: cfProgram(), dt: 1, guard: DefaultGuard},
		{name: "two phases, short steps", p: twoPhase(), dt: 0.3, guard: DefaultGuard},
		{name: "program switch", p: cfProgram(), dt: 1, guard: DefaultGuard, switchAt: 150, to: alt},
		{name: "both switch", p: cfProgram(), dt: 0.5, guard: DefaultGuard, switchAt: 200, to: alt, ctrl: FixedTime{Offset: 4}},
		// a controller that wants the next phase at once: the plan the
		// plant knew no longer holds
		{name: "next phase at once", p: cfProgram(), dt: 1, guard: DefaultGuard, switchAt: 143,
			ctrl: ControllerFunc(func(v View) int { return (v.Phase + 1) % len(v.Program.Phases) })},
		{name: "maximum red with sensors", p: cfProgram(), dt: 1, guard: Guard{MinGreen: 5, MaxRed: 40}, sense: true},
		{name: "sensors, then none", p: cfProgram(), dt: 1, guard: Guard{MinGreen: 5, MaxRed: 40}, sense: true, switchAt: 250, plain: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plants := [2]*Plant{NewPlant(tc.p, FixedTime{}), NewPlant(tc.p, FixedTime{})}
			plants[1].exact = true
			n := len(tc.p.Phases[0].State)
			lights := [2][]Light{make([]Light, n), make([]Light, n)}
			var sens *NodeSensors
			if tc.sense {
				sens = sensors(n)
			}
			quiet := 0
			for k := range 600 {
				now := float64(k) * tc.dt
				if k == tc.switchAt && k > 0 {
					for _, p := range plants {
						if tc.to != nil {
							p.Program = tc.to
						}
						if tc.ctrl != nil {
							p.SetController(tc.ctrl)
						}
					}
				}
				if k == tc.switchAt && tc.plain {
					tc.guard, sens = DefaultGuard, nil
				}
				if sens != nil {
					for m := range sens.In {
						sens.In[m].Halting = (k / 7 * (m + 1)) % 3
					}
				}
				if sens == nil && plants[0].quiet(now, len(lights[0])) {
					quiet++
				}
				for i, p := range plants {
					p.Guard = tc.guard
					p.UpdateSensed(now, tc.dt, lights[i], sens, 0)
				}
				a, b := *plants[0], *plants[1]
				b.exact = false
				a.Ctrl, b.Ctrl = nil, nil // the same; a func is never DeepEqual
				a.quietUntil, b.quietUntil = 0, 0
				if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(lights[0], lights[1]) {
					t.Fatalf("step %d (%g s): quiet plant %+v, lights %v; full %+v, lights %v", k, now, a, lights[0], b, lights[1])
				}
			}
			if want := !tc.sense || tc.plain; (quiet > 100) != want {
				t.Errorf("%d quiet updates of 600", quiet)
			}
		})
	}
}

// show looks lights up (lightTable by letterCode) as light works them
// out, for every stage and every pair of bytes, letters or not.
func TestLightTable(t *testing.T) {
	for _, st := range []Stage{StageGreen, StageYellow, StageAllRed} {
		for c := range 256 {
			for n := range 256 {
				if got, want := lightTable[st][letterCode[c]][letterCode[n]], light(st, byte(c), byte(n)); got != want {
					t.Fatalf("stage %v, letters %q %q: table %v, light %v", st, byte(c), byte(n), got, want)
				}
			}
		}
	}
}

// The fields a quiet update reads and writes lie in a plant's first two
// cache lines (128 bytes; see Plant).
func TestPlantQuietLayout(t *testing.T) {
	var p Plant
	for _, f := range []struct {
		name      string
		off, size uintptr
	}{
		{"Program", unsafe.Offsetof(p.Program), unsafe.Sizeof(p.Program)},
		{"Ctrl", unsafe.Offsetof(p.Ctrl), unsafe.Sizeof(p.Ctrl)},
		{"Guard", unsafe.Offsetof(p.Guard), unsafe.Sizeof(p.Guard)},
		{"quietUntil", unsafe.Offsetof(p.quietUntil), unsafe.Sizeof(p.quietUntil)},
		{"prevEnd", unsafe.Offsetof(p.prevEnd), unsafe.Sizeof(p.prevEnd)},
		{"plan", unsafe.Offsetof(p.plan), unsafe.Sizeof(p.plan.program)},
		{"shown", unsafe.Offsetof(p.shown), unsafe.Sizeof(p.shown)},
	} {
		if f.off+f.size > 128 {
			t.Errorf("Plant.%s ends at byte %d, past the first two cache lines", f.name, f.off+f.size)
		}
	}
}
