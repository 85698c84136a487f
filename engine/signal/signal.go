package signal

import (
	"fmt"
	"math"

	"github.com/citytwin/citytwin/maps"
)

// Light is the signal shown to one movement.
type Light uint8

// Lights. GreenMinor is a green on which the movement yields to conflicting
// greens (SUMO's 'g'); the engine applies the yielding from the network's
// conflict relation either way.
const (
	Red Light = iota
	Yellow
	Green
	GreenMinor
)

// IsGreen reports whether l lets vehicles enter.
func (l Light) IsGreen() bool { return l == Green || l == GreenMinor }

func (l Light) String() string {
	switch l {
	case Red:
		return "r"
	case Yellow:
		return "y"
	case Green:
		return "G"
	case GreenMinor:
		return "g"
	}
	return fmt.Sprintf("Light(%d)", l)
}

// Stage is where a Plant is in its cycle of green, yellow and all-red.
type Stage uint8

// Stages.
const (
	StageGreen Stage = iota
	StageYellow
	StageAllRed
)

func (s Stage) String() string {
	return [...]string{"green", "yellow", "all-red"}[s]
}

// View is what a controller sees when it decides: its clock and the state
// of its own signal.
type View struct {
	Now   float64 // simulation time (s)
	Step  float64 // step length (s)
	Phase int     // the phase that is green, or being left during a change
	Stage Stage
	// Next is the phase a change leads to (meaningful outside StageGreen).
	Next int
	// GreenFor is how long Phase has been green (s); during a change, how
	// long it was.
	GreenFor float64
	Program  *maps.Program
	// Sensors are the junction's detector readings (nil when the engine
	// gives none).
	Sensors *NodeSensors
	// Node is the junction (maps.NodeID).
	Node int32
	// Guard is the plant's guard. A well-behaved controller asks for no
	// change before Guard.MinGreen, so that the guard never has to refuse.
	Guard Guard
	// First marks the plant's first decision, at the start of the run: the
	// answer becomes the initial phase at once, with no change interval
	// and no minimum green to wait for.
	First bool
}

// A Controller decides which phase should be green. Decide is called once
// per step while a phase is green (not during yellow and all-red);
// returning the current phase keeps it, returning another starts a change
// (yellow, all-red, then the new phase). The plant's very first call, at
// the start of the run, sets the initial phase without a change interval.
// Name returns the name of the policy it runs, as scenarios name it
// ("fixed_time", "max_pressure" ...): user interfaces and error messages
// show it.
//
// A controller must depend only on what it is given and its own state, so
// runs stay deterministic. The engine updates the plants of different
// junctions concurrently: a controller must not share mutable state with
// another junction's controller, so give every junction its own.
type Controller interface {
	Decide(v View) int
	Name() string
}

// ControllerFunc adapts a function to the Controller interface; its name
// is "func".
type ControllerFunc func(v View) int

// Decide implements Controller.
func (f ControllerFunc) Decide(v View) int { return f(v) }

// Name implements Controller.
func (f ControllerFunc) Name() string { return "func" }

// Guard are the safety limits a Plant enforces whatever its controller
// asks (s). Zero disables a limit. Yellow and all-red are not part of the
// guard: the plant always inserts the program's.
type Guard struct {
	// MinGreen is the least time a phase stays green before a change. The
	// guard refuses earlier changes, and its own forced changes wait for it
	// too.
	MinGreen float64
	// MaxRed bounds how long a movement with waiting (halting) vehicles
	// stays red. When the wait, counted from the later of the movement
	// turning red and its first vehicle halting, would otherwise exceed
	// MaxRed, the plant changes to the next phase that serves it, in time
	// for its green to start within MaxRed. The bound holds when the
	// current phase has had its MinGreen and no other movement is more
	// overdue; otherwise the green comes as soon as those allow: after the
	// current minimum green, and after the minimum green and change
	// interval of every more overdue movement served first.
	MaxRed float64
}

// DefaultGuard holds 5 s of minimum green and no maximum red (fixed-time
// programs are checked offline; adaptive policies set their own MaxRed).
var DefaultGuard = Guard{MinGreen: 5}

// Plant holds the signal state of one junction and applies a controller's
// decisions to it, within its Guard. Controllers only choose phases of the
// program, and programs are checked for conflicting greens when the network
// is built (see CheckProgram), so no controller can give conflicting
// movements green.
//
// The fields may be changed between steps only. Program is shared with the
// network: replace it with a modified copy, never edit it in place.
type Plant struct {
	Program *maps.Program
	Ctrl    Controller
	Guard   Guard

	// The fields a quiet update reads and writes (quiet, UpdateQuiet)
	// come first, after Program, Ctrl and Guard, so that it touches the
	// struct's first two cache lines only (for the cache: every
	// junction's plant is updated at every step, between phases that
	// fill the cache with vehicles).
	//
	// quietUntil is until when (s) updates may be quiet; prevEnd is the
	// end of the last update's step, its time plus its step (s), added
	// when it is made; plan is how long the plain fixed-time plan is
	// known to show the current phase (see decide); shown are the lights
	// of the last update, worked out from shownOf (see show).
	quietUntil float64
	prevEnd    float64
	plan       planHold
	shown      []Light
	shownOf    lightState
	// sched is what the plan follows from; exact, for tests, has every
	// update take every step.
	sched schedule
	exact bool

	started    bool
	phase      int
	next       int
	stage      Stage
	stageStart float64 // s
	greenStart float64 // s
	greenFor   float64 // s, length of the last completed or current green
	// redSince is, per movement red now, when it was last not red: the
	// end of the last step it was not red (s). (A movement not red now
	// was last not red at the end of this step; it is not written then,
	// only when the movement turns red: see show.)
	redSince []float64
	waitFrom []float64 // s, since when a red movement has had halting vehicles (−1: none)
	// waitNone: every waitFrom is −1 (track need not clear them again).
	waitNone bool

	// Refused counts decisions the guard refused (a change before the
	// minimum green, or a phase the program does not have); Forced counts
	// changes the guard made to end a maximum red.
	Refused, Forced int64
}

// NewPlant starts a plant with the default guard. Its first update sets
// the phase the controller asks for at that time (phase 0 when it asks
// for none it has), green from then.
func NewPlant(p *maps.Program, c Controller) *Plant {
	n := 0
	if len(p.Phases) > 0 {
		n = len(p.Phases[0].State)
	}
	pl := &Plant{Program: p, Ctrl: c, Guard: DefaultGuard, redSince: make([]float64, n), waitFrom: make([]float64, n), waitNone: true}
	for m := range pl.waitFrom {
		pl.waitFrom[m] = -1
	}
	return pl
}

// SetController replaces the controller; the signal state carries on.
func (p *Plant) SetController(c Controller) { p.Ctrl = c }

// View returns what the controller sees at time now.
func (p *Plant) View(now, step float64) View {
	gf := p.greenFor
	if p.stage == StageGreen {
		gf = now - p.greenStart
	}
	return View{Now: now, Step: step, Phase: p.phase, Stage: p.stage, Next: p.next, GreenFor: gf, Program: p.Program, Guard: p.Guard}
}

// eps absorbs floating-point error when comparing accumulated times (s).
const eps = 1e-6

// Update advances the plant to time now (the start of a step): it asks the
// controller for a decision while green and finishes yellow and all-red
// stages that have run their length. It then writes the light of every
// movement (in the node's Local order) into lights.
func (p *Plant) Update(now, step float64, lights []Light) { p.UpdateSensed(now, step, lights, nil, 0) }

// UpdateSensed is Update with the junction's sensors and id passed to the
// controller. The guard's maximum red needs the sensors (it acts on
// halting vehicles only).
func (p *Plant) UpdateSensed(now, step float64, lights []Light, sens *NodeSensors, node int32) {
	if sens == nil && p.UpdateQuiet(now, step, len(lights)) {
		copy(lights, p.shown)
		return
	}
	pr := p.Program
	if !p.started {
		p.started = true
		p.greenStart, p.stageStart = now, now
		v := p.View(now, step)
		v.Sensors, v.Node, v.First = sens, node, true
		if want := p.Ctrl.Decide(v); want >= 0 && want < len(pr.Phases) {
			p.phase, p.next = want, want
		}
		p.show(lights)
		p.track(now, step, sens)
		p.holdQuiet()
		return
	}
	switch p.stage {
	case StageGreen:
		want := p.decide(now, step, sens, node)
		early := now-p.greenStart < p.Guard.MinGreen-eps // (View's GreenFor)
		if want != p.phase && (want < 0 || want >= len(pr.Phases) || early) {
			p.Refused++
			want = p.phase
		}
		if !early {
			if m := p.overdue(now, step); m >= 0 {
				if f := p.serving(m); f >= 0 && f != want {
					want = f
					p.Forced++
				}
			}
		}
		if want != p.phase {
			p.greenFor = now - p.greenStart
			p.next = want
			loses := pr.LosesGreen(p.phase, want)
			switch {
			case loses && pr.Yellow > eps:
				p.stage, p.stageStart = StageYellow, now
			case loses && pr.AllRed > eps:
				p.stage, p.stageStart = StageAllRed, now
			default:
				p.phase, p.greenStart, p.stageStart = want, now, now
			}
		}
	case StageYellow:
		if now-p.stageStart >= pr.Yellow-eps {
			if pr.AllRed > eps {
				p.stage, p.stageStart = StageAllRed, now
			} else {
				p.stage, p.phase, p.greenStart, p.stageStart = StageGreen, p.next, now, now
			}
		}
	case StageAllRed:
		if now-p.stageStart >= pr.AllRed-eps {
			p.stage, p.phase, p.greenStart, p.stageStart = StageGreen, p.next, now, now
		}
	}
	p.show(lights)
	p.track(now, step, sens)
	p.holdQuiet()
}

// UpdateQuiet makes the update at now, of a junction with n movements,
// when it is quiet (see quiet: it reads no sensors then) and reports
// whether it did; when it did not, the plant is unchanged and the caller
// makes the full update (UpdateSensed). A quiet update shows the lights
// the last update showed (Lights), and UpdateQuiet leaves writing them
// to the caller: one that keeps the slice the last update wrote, and
// tells the plant when it writes there itself (LightsChanged), has
// nothing to write. A caller can so also gather the junction's sensors
// only for the updates that read them (for speed: most updates of a
// fixed-time plant are quiet; this one is small enough to be inlined).
func (p *Plant) UpdateQuiet(now, step float64, n int) (quiet bool) {
	if quiet = p.quiet(now, n); quiet {
		p.prevEnd = now + step // what the full update comes to then
	}
	return quiet
}

// Lights returns the lights the last update showed, one per movement
// (nil before the first update). The slice is the plant's: do not change
// it.
func (p *Plant) Lights() []Light { return p.shown }

// LightsChanged tells the plant that the lights its last update wrote
// were changed since (by a hold: engine.Sim.HoldLights): its next update
// writes them again, being full (not quiet: UpdateQuiet). It changes
// nothing the updates decide.
func (p *Plant) LightsChanged() { p.quietUntil = math.Inf(-1) }

// quiet reports whether the update at now, with no sensors and n lights
// to set, changes nothing but the time of the last update: before
// quietUntil, which a full update sets, with no waits to clear (track),
// to the end of the plan it found holding the green phase (decide
// answers it without asking), or during a yellow or all-red stage to a
// time before it ends (holdQuiet: no controller is asked then); while
// the program (so the lights shown: show), the n lights, a plain
// fixed-time controller and no guard's maximum red to watch (overdue)
// stay.
func (p *Plant) quiet(now float64, n int) bool {
	return now < p.quietUntil && p.quietKept(n)
}

// quietKept reports whether the plant's program, its n lights, its
// controller and its guard let its updates be quiet (see quiet).
func (p *Plant) quietKept(n int) bool {
	return p.plan.program == p.Program && p.Guard.MaxRed <= 0 && len(p.shown) == n && plainFixed(p.Ctrl)
}

// QuietUntil returns the time (s) before which every update with n lights
// to set is quiet (UpdateQuiet: see quiet), as long as nothing but quiet
// updates happens in between and none of the plant's exported fields
// changes; −Inf when the next update is not quiet whatever its time.
func (p *Plant) QuietUntil(n int) float64 {
	if p.quietKept(n) {
		return p.quietUntil
	}
	return math.Inf(-1)
}

// Slept records what quiet updates (UpdateQuiet) left unmade would have:
// the last one's step ended at end (s), its time plus its step. A caller
// that knows every update up to that one would have been quiet
// (QuietUntil) may skip them and call Slept once before the next update.
func (p *Plant) Slept(end float64) { p.prevEnd = end }

// plainFixed reports whether c is a plain FixedTime (its zero value).
func plainFixed(c Controller) bool {
	ft, ok := c.(FixedTime)
	return ok && ft.plain()
}

// holdQuiet sets quietUntil after a full update (see quiet): while green,
// to the end of the plan that holds the phase; during a change interval,
// to a time before which its stage certainly does not end (stageEnd).
func (p *Plant) holdQuiet() {
	p.quietUntil = math.Inf(-1)
	if p.exact || !p.waitNone || p.plan.program != p.Program {
		return
	}
	switch p.stage {
	case StageGreen:
		if p.plan.phase == p.phase {
			p.quietUntil = p.plan.until
		}
	case StageYellow:
		p.quietUntil = p.stageEnd(p.Program.Yellow)
	case StageAllRed:
		p.quietUntil = p.stageEnd(p.Program.AllRed)
	}
}

// stageEnd returns a time (s) before which a stage of length d (s) that
// began at stageStart certainly goes on: an update at now < stageEnd finds
// now − stageStart < d − eps, as UpdateSensed works it out. It stops
// holdMargin plus 10⁻¹² of the times short of stageStart + d − eps, far
// more than the rounding of these sums and differences (a few units in
// the last place of the times: 2⁻⁵² of them each); NaN (never quiet) when
// a time is not finite.
func (p *Plant) stageEnd(d float64) float64 {
	end := p.stageStart + d
	return end - eps - holdMargin - float64(1e-12*math.Abs(end))
}

// planHold is until when (s) the plain fixed-time plan shows phase under
// program.
type planHold struct {
	program *maps.Program
	phase   int
	until   float64
}

// decide asks the controller which phase it wants, green being shown. The
// default controller, a plain FixedTime, answers from the time alone and
// keeps its answer for the length of a green: while it is known to want
// the phase that is green, it is not asked again (for speed: every
// junction asks at every step).
func (p *Plant) decide(now, step float64, sens *NodeSensors, node int32) int {
	ft, plain := p.Ctrl.(FixedTime)
	plain = plain && ft.plain()
	if plain && now < p.plan.until && p.plan.program == p.Program && p.plan.phase == p.phase {
		return p.phase // what FixedTime.Decide would answer
	}
	v := p.View(now, step)
	v.Sensors, v.Node = sens, node
	if !plain {
		return p.Ctrl.Decide(v)
	}
	// FixedTime.Decide, from the program's schedule: when the plan shows
	// the phase that is green, it answers that phase whatever the green's
	// length.
	if p.sched.program != p.Program {
		p.sched = scheduleOf(p.Program)
	}
	// The plan is kept whether or not it shows the phase that is green:
	// when the phase it shows becomes green (at once, or after a change
	// interval within the hold), the next decisions are known without
	// working the schedule out again (and the plant's next update may be
	// quiet: holdQuiet).
	want, holds := fixedPhase(&p.sched, now)
	p.plan = planHold{p.Program, want, now + holds}
	if want == p.phase {
		return want
	}
	return ft.hold(want, v)
}

// track records, after the lights of the step starting at now are set
// (show), since when a red movement has had halting vehicles, and the
// step for show's next record of when a movement was last not red.
func (p *Plant) track(now, step float64, sens *NodeSensors) {
	p.prevEnd = now + step
	if sens == nil {
		// No movement has halting vehicles that the plant knows of.
		if !p.waitNone {
			for m := range p.waitFrom {
				p.waitFrom[m] = -1
			}
			p.waitNone = true
		}
		return
	}
	p.waitNone = false
	for m, l := range p.shown {
		switch {
		case l != Red, !halting(sens, m):
			p.waitFrom[m] = -1
		case p.waitFrom[m] < 0:
			p.waitFrom[m] = max(now, p.redSince[m])
		}
	}
}

// halting reports whether a lane with links of movement m has a standing
// vehicle.
func halting(sens *NodeSensors, m int) bool {
	if sens == nil || m >= len(sens.MovIn) {
		return false
	}
	for _, i := range sens.MovIn[m] {
		if sens.In[i].Halting > 0 {
			return true
		}
	}
	return false
}

// overdue returns the red movement with waiting vehicles that must get a
// change started now for its green to begin within the guard's maximum
// red (the one waiting longest, then the lowest index), or −1.
func (p *Plant) overdue(now, step float64) int {
	if p.Guard.MaxRed <= 0 {
		return -1
	}
	best, from := -1, math.Inf(1)
	for m, w := range p.waitFrom {
		if w < 0 || p.Program.Phases[p.phase].Green(m) {
			continue
		}
		f := p.serving(m)
		if f < 0 {
			continue
		}
		// If the change started at the next step instead, the green would
		// come at now + step + change.
		if now+step+p.change(p.phase, f)-w > p.Guard.MaxRed+eps && w < from {
			best, from = m, w
		}
	}
	return best
}

// change returns the length of the change interval from phase i to j (s).
func (p *Plant) change(i, j int) float64 {
	if !p.Program.LosesGreen(i, j) {
		return 0
	}
	return p.Program.Yellow + p.Program.AllRed
}

// serving returns the first phase after the current one that gives m green.
func (p *Plant) serving(m int) int {
	n := len(p.Program.Phases)
	for k := 1; k <= n; k++ {
		if f := (p.phase + k) % n; p.Program.Phases[f].Green(m) {
			return f
		}
	}
	return -1
}

// lightState is what a plant's lights follow from.
type lightState struct {
	program     *maps.Program
	phase, next int
	stage       Stage
}

// show writes the lights of the plant's state into out (one per
// movement). They change only with the program, the phases or the stage,
// so they are worked out only then and copied at other steps (for speed:
// a signal changes every few dozen steps). A movement turning red gets
// the end of the last update's step as the time it was last not red
// (redSince).
func (p *Plant) show(out []Light) {
	st := lightState{p.Program, p.phase, p.next, p.stage}
	if st != p.shownOf || len(p.shown) != len(out) {
		if len(p.shown) != len(out) {
			p.shown = make([]Light, len(out))
		}
		p.shownOf = st
		cur := p.Program.Phases[p.phase].State
		next := p.Program.Phases[p.next].State
		tab := &lightTable[p.stage]
		for m := range out {
			l := tab[letterCode[cur[m]]][letterCode[next[m]]] // light(p.stage, cur[m], next[m])
			if l == Red && p.shown[m] != Red {
				p.redSince[m] = p.prevEnd
			}
			p.shown[m] = l
		}
	}
	copy(out, p.shown)
}

// light returns the light of a movement whose letter is c in the phase
// being shown and n in the next one, at stage st.
func light(st Stage, c, n byte) Light {
	green := c == 'G' || c == 'g'
	switch {
	case st == StageGreen && c == 'G':
		return Green
	case st == StageGreen && c == 'g':
		return GreenMinor
	case !green:
		return Red
	case n == 'G' || n == 'g':
		// Green in both phases: keeps its green through the change.
		if c == 'g' {
			return GreenMinor
		}
		return Green
	case st == StageYellow:
		return Yellow
	}
	return Red
}

// lightTable[st][a][b] is light(st, c, n) for letters c and n of codes a
// and b (letterCode), made from light itself: show looks lights up rather
// than working them out (for speed: every change of every junction).
var lightTable = func() (t [3][3][3]Light) {
	letters := [3]byte{'G', 'g', 'r'}
	for st := range t {
		for a, c := range letters {
			for b, n := range letters {
				t[st][a][b] = light(Stage(st), c, n)
			}
		}
	}
	return t
}()

// letterCode is the code of a phase-state letter in lightTable: 'G' 0,
// 'g' 1, any other 2, as 'r' (light treats every letter but 'G' and 'g'
// as red).
var letterCode = func() (t [256]uint8) {
	for i := range t {
		t[i] = 2
	}
	t['G'], t['g'] = 0, 1
	return t
}()

// Phase returns the current phase and stage.
func (p *Plant) Phase() (int, Stage) { return p.phase, p.stage }

// GreenStart returns when the current (or, during a change, the last)
// green began (s).
func (p *Plant) GreenStart() float64 { return p.greenStart }

// PlantState is where a plant is in its cycle.
type PlantState struct {
	// Phase is the phase that is green, or being left during a change;
	// Next the phase a change leads to (Phase outside a change).
	Phase, Next int
	Stage       Stage
	// StageStart and GreenStart are when the current stage and the
	// current (or, during a change, the last) green began (s).
	StageStart, GreenStart float64
}

// State returns the plant's state, for hashing, snapshots and inspection.
func (p *Plant) State() PlantState {
	return PlantState{Phase: p.phase, Next: p.next, Stage: p.stage, StageStart: p.stageStart, GreenStart: p.greenStart}
}

// CheckProgram reports the first problem that makes p unusable at a node
// with conflict matrix c: no phase, a state of the wrong length or with
// letters other than G, g and r, a non-positive or non-finite duration,
// negative or non-finite yellow, all-red or offset, or two exclusive
// movements green together. Errors name the phase.
func CheckProgram(p *maps.Program, c maps.ConflictMatrix) error {
	if p == nil || len(p.Phases) == 0 {
		return fmt.Errorf("signal: the program has no phase")
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	if !(p.Yellow >= 0 && finite(p.Yellow)) || !(p.AllRed >= 0 && finite(p.AllRed)) || !finite(p.Offset) {
		return fmt.Errorf("signal: yellow %g s, all-red %g s and offset %g s must be finite, yellow and all-red ≥ 0", p.Yellow, p.AllRed, p.Offset)
	}
	for i, ph := range p.Phases {
		if !(ph.Duration > 0 && finite(ph.Duration)) {
			return fmt.Errorf("signal: phase %d: duration %g s must be positive", i, ph.Duration)
		}
		for k := 0; k < len(ph.State); k++ {
			if b := ph.State[k]; b != 'G' && b != 'g' && b != 'r' {
				return fmt.Errorf("signal: phase %d: state %q: letter %q is not G, g or r", i, ph.State, b)
			}
		}
		if err := c.CheckPhase(ph.State); err != nil {
			return fmt.Errorf("signal: phase %d: %w", i, err)
		}
	}
	return nil
}
