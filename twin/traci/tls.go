package traci

import (
	"slices"
	"strings"
)

// Traffic lights as SUMO runs them (MSTLLogicControl, MSSimpleTrafficLightLogic):
// every light keeps all its programs, one of them active; all of them keep
// switching phases in the background, and only the active one sets the
// signals. A switch scheduled for time s happens at the start of the step
// that begins at t when s < t + Δt (SUMO's event control), and the next
// switch is scheduled from s, so switch times never drift. The state a
// client reads after a step is the one that step ran with.
//
// Times are integer milliseconds throughout, as in SUMO.

// program is a programDef with its running state.
type program struct {
	programDef
	phase      int   // current phase index
	nextSwitch int64 // ms, when the current phase ends (actuated phases: the next check)
	phaseStart int64 // ms, when the current phase began
	// det lists, per phase, the detectors whose gaps extend it
	// (actuated programs; built by the world on first use).
	det [][]int32
}

// tlsState is one traffic light's programs and the active one.
type tlsState struct {
	view     *tlsView
	programs []*program // sorted by program id (getAllProgramLogics order)
	active   *program
}

// maxPrograms bounds the programs of one traffic light: all of them
// switch at every step, so a client adding programs without end would
// slow every step down.
const maxPrograms = 64

// newTLSState starts a light's programs from the file at time begin (ms):
// each at the phase its offset gives (SUMO's NLJunctionControlBuilder),
// the last one loaded active.
func newTLSState(v *tlsView, begin int64) *tlsState {
	t := &tlsState{view: v}
	for _, d := range v.programs {
		p := &program{programDef: clonePhases(*d)}
		p.startAt(begin)
		t.programs = append(t.programs, p)
		t.active = p
	}
	t.sort()
	return t
}

func clonePhases(d programDef) programDef {
	d.phases = slices.Clone(d.phases)
	d.params = slices.Clone(d.params)
	return d
}

// startAt sets the phase and next switch of a program loaded at time now
// (ms) from its offset: a positive offset delays the cycle, a negative one
// advances it.
func (p *program) startAt(now int64) {
	cycle := int64(0)
	for _, ph := range p.phases {
		cycle += ph.dur
	}
	var off int64
	if p.offset >= 0 {
		off = (now + cycle - p.offset%cycle) % cycle
	} else {
		off = (now + (-p.offset)%cycle) % cycle
	}
	p.phase = 0
	for off >= p.phases[p.phase].dur {
		off -= p.phases[p.phase].dur
		p.phase++
	}
	p.nextSwitch = now + p.phases[p.phase].dur - off
	p.phaseStart = now - off
	if p.isActuated(p.phase) {
		p.nextSwitch = max(p.phaseStart+p.phases[p.phase].minDur, now)
	}
}

// isActuated reports whether phase i is extended by detection: an
// actuated program's phase with minDur < maxDur.
func (p *program) isActuated(i int) bool {
	ph := &p.phases[i]
	return p.actuated() && ph.minDur >= 0 && ph.minDur < ph.maxDur
}

// gapFunc returns the time (ms) since a vehicle last passed or stood on
// a detector extending phase i of program p, or a very large value.
type gapFunc func(p *program, i int) int64

func (t *tlsState) sort() {
	slices.SortStableFunc(t.programs, func(a, b *program) int { return strings.Compare(a.id, b.id) })
}

func (t *tlsState) find(id string) *program {
	for _, p := range t.programs {
		if p.id == id {
			return p
		}
	}
	return nil
}

// advance runs the switches due at the start of the step that begins at
// now (ms) and lasts dt. An actuated phase (SUMO's gap-based actuated
// lights, MSActuatedTrafficLightLogic) lasts at least minDur and at most
// maxDur, and in between is checked at every step: it goes on while a
// detector of its green lanes has seen a vehicle less than max-gap ago.
// gap may be nil when no program is actuated.
func (t *tlsState) advance(now, dt int64, gap gapFunc) {
	for _, p := range t.programs {
		for p.nextSwitch < now+dt {
			if gap != nil && p.isActuated(p.phase) {
				maxGap, _ := p.gapParams()
				if now-p.phaseStart < p.phases[p.phase].maxDur && gap(p, p.phase) < maxGap {
					p.nextSwitch = now + dt // extended: check again at the next step
					break
				}
			}
			p.phase = p.successor()
			p.phaseStart = p.nextSwitch
			if p.isActuated(p.phase) {
				p.nextSwitch += p.phases[p.phase].minDur
			} else {
				p.nextSwitch += p.phases[p.phase].dur
			}
		}
	}
}

// successor is the phase after the current one: the first of its next
// phases when it names any, else the following one, cyclically.
func (p *program) successor() int {
	ph := &p.phases[p.phase]
	if len(ph.next) > 0 && int(ph.next[0]) < len(p.phases) {
		return int(ph.next[0])
	}
	return (p.phase + 1) % len(p.phases)
}

// state returns the signal state the active program shows.
func (t *tlsState) state() string { return t.active.phases[t.active.phase].state }

// signals returns the number of signals (state length).
func (t *tlsState) signals() int { return len(t.view.links) }

// setPhase switches the active program to phase i for its full duration
// from now (SUMO's TrafficLight::setPhase).
func (t *tlsState) setPhase(i int, now int64) error {
	p := t.active
	if i < 0 || i >= len(p.phases) {
		return errf("The phase index %d is not in the allowed range [0,%d].", i, len(p.phases)-1)
	}
	p.phase = i
	p.phaseStart = now
	p.nextSwitch = now + p.phases[i].dur
	return nil
}

// setPhaseDuration makes the current phase end d ms from now.
func (t *tlsState) setPhaseDuration(d, now int64) {
	t.active.nextSwitch = now + max(d, 1)
}

// setProgram makes program id active; "off" creates SUMO's off program
// (every signal 'O') on first use.
func (t *tlsState) setProgram(id string, now int64) error {
	p := t.find(id)
	if p == nil && id == "off" {
		p = &program{programDef: programDef{id: "off", typ: programTypes["off"],
			phases: []phaseDef{{dur: 3600_000, minDur: 3600_000, maxDur: 3600_000, state: strings.Repeat("O", t.signals())}}}}
		p.nextSwitch = now + p.phases[0].dur
		t.programs = append(t.programs, p)
		t.sort()
	}
	if p == nil {
		return errf("Can not switch tls '%s' to program '%s';\n The program is not known.", t.view.id, id)
	}
	t.active = p
	return nil
}

// setProgramLogic adds program d, or replaces the phases of the program
// with its id, and makes it active (SUMO's TrafficLight::setProgramLogic):
// a new program starts phase d.phase now for the phase's full duration; a
// replaced one jumps to that phase and keeps its scheduled switch.
func (t *tlsState) setProgramLogic(d programDef, cur int, now int64) error {
	if cur < 0 || cur >= len(d.phases) {
		return errf("set program: parameter index must be less than parameter phase number.")
	}
	for i, ph := range d.phases {
		if len(ph.state) != t.signals() {
			return errf("Mismatching phase size in tls '%s', program '%s': phase %d has %d signals, the traffic light %d.", t.view.id, d.id, i, len(ph.state), t.signals())
		}
		if err := checkState(ph.state); err != nil {
			return errf("phase %d: %v", i, err)
		}
		if ph.dur <= 0 {
			return errf("phase %d: the duration must be positive, not %g s", i, float64(ph.dur)/1000)
		}
		for _, n := range ph.next {
			if n < 0 || int(n) >= len(d.phases) {
				return errf("phase %d: next phase %d is not in the allowed range [0,%d]", i, n, len(d.phases)-1)
			}
		}
	}
	if p := t.find(d.id); p != nil {
		p.programDef = d
		p.phase = cur
		p.det = nil
		t.active = p
		return nil
	}
	if len(t.programs) >= maxPrograms {
		return errf("traffic light '%s' has %d programs, the most CityTwin keeps: replace one (same program id) instead", t.view.id, len(t.programs))
	}
	p := &program{programDef: d, phase: cur, nextSwitch: now + d.phases[cur].dur, phaseStart: now}
	t.programs = append(t.programs, p)
	t.sort()
	t.active = p
	return nil
}

// setState switches to the held program "online", created on first use,
// showing state until the next change (SUMO's
// setStateInstantiatingOnline): one phase of one step.
func (t *tlsState) setState(state string, now, dt int64) error {
	if len(state) != t.signals() {
		return errf("Mismatching phase size in tls '%s', program 'online': the state %q has %d signals, the traffic light %d.", t.view.id, state, len(state), t.signals())
	}
	if err := checkState(state); err != nil {
		return err
	}
	ph := phaseDef{dur: dt, minDur: dt, maxDur: dt, state: state}
	if p := t.find("online"); p != nil {
		p.phases = []phaseDef{ph}
		p.phase = 0
		t.active = p
		return nil
	}
	p := &program{programDef: programDef{id: "online", phases: []phaseDef{ph}}, nextSwitch: now + dt, phaseStart: now}
	t.programs = append(t.programs, p)
	t.sort()
	t.active = p
	return nil
}
