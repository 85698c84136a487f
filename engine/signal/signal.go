package signal

import (
	"fmt"

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
}

// A Controller decides which phase should be green. Decide is called once
// per step; returning the current phase keeps it, returning another starts a
// change (yellow, all-red, then the new phase). A controller must depend
// only on what it is given and its own state, so runs stay deterministic.
type Controller interface {
	Decide(v View) int
}

// Guard are the safety limits a Plant enforces whatever its controller
// asks (s). Zero disables a limit.
type Guard struct {
	// MinGreen is the least time a phase stays green before a change.
	MinGreen float64
	// MaxRed is the longest a movement with waiting vehicles stays red:
	// when reached, the plant changes to the next phase that serves it.
	MaxRed float64
}

// DefaultGuard holds 5 s of minimum green and no maximum red (fixed-time
// programs are checked offline; adaptive policies set their own MaxRed).
var DefaultGuard = Guard{MinGreen: 5}

// Plant holds the signal state of one junction and applies a controller's
// decisions to it, within its Guard. Controllers only choose phases of the
// program, and programs are checked for conflicting greens when the network
// is built, so no controller can give conflicting movements green.
type Plant struct {
	Program *maps.Program
	Ctrl    Controller
	Guard   Guard

	phase      int
	next       int
	stage      Stage
	stageStart float64 // s
	greenStart float64 // s
	greenFor   float64 // s, length of the last completed or current green
	redSince   []float64

	// Refused counts decisions the guard refused (a change before the
	// minimum green); Forced counts changes the guard made to end a
	// maximum red.
	Refused, Forced int64
}

// NewPlant starts a plant in the green of phase 0 at time 0 with the
// default guard.
func NewPlant(p *maps.Program, c Controller) *Plant {
	n := 0
	if len(p.Phases) > 0 {
		n = len(p.Phases[0].State)
	}
	return &Plant{Program: p, Ctrl: c, Guard: DefaultGuard, redSince: make([]float64, n)}
}

// SetController replaces the controller; the signal state carries on.
func (p *Plant) SetController(c Controller) { p.Ctrl = c }

// View returns what the controller sees at time now.
func (p *Plant) View(now, step float64) View {
	gf := p.greenFor
	if p.stage == StageGreen {
		gf = now - p.greenStart
	}
	return View{Now: now, Step: step, Phase: p.phase, Stage: p.stage, Next: p.next, GreenFor: gf, Program: p.Program}
}

// eps absorbs floating-point error when comparing accumulated times (s).
const eps = 1e-6

// Update advances the plant to time now (the start of a step): it asks the
// controller for a decision while green and finishes yellow and all-red
// stages that have run their length. It then writes the light of every
// movement (in the node's Local order) into lights.
func (p *Plant) Update(now, step float64, lights []Light) { p.UpdateSensed(now, step, lights, nil, 0) }

// UpdateSensed is Update with the junction's sensors and id passed to the
// controller.
func (p *Plant) UpdateSensed(now, step float64, lights []Light, sens *NodeSensors, node int32) {
	pr := p.Program
	switch p.stage {
	case StageGreen:
		v := p.View(now, step)
		v.Sensors, v.Node = sens, node
		want := p.Ctrl.Decide(v)
		if want >= 0 && want < len(pr.Phases) && want != p.phase && v.GreenFor < p.Guard.MinGreen-eps {
			p.Refused++
			want = p.phase
		}
		if m := p.overdue(now, sens); m >= 0 && !p.Program.Phases[p.phase].Green(m) {
			if f := p.serving(m); f >= 0 && f != want {
				want = f
				p.Forced++
			}
		}
		if want >= 0 && want < len(pr.Phases) && want != p.phase {
			p.greenFor = now - p.greenStart
			p.next = want
			switch {
			case pr.LosesGreen(p.phase, want) && pr.Yellow > eps:
				p.stage, p.stageStart = StageYellow, now
			case pr.LosesGreen(p.phase, want) && pr.AllRed > eps:
				p.stage, p.stageStart = StageAllRed, now
			default:
				p.phase, p.greenStart = want, now
			}
		}
	case StageYellow:
		if now-p.stageStart >= pr.Yellow-eps {
			if pr.AllRed > eps {
				p.stage, p.stageStart = StageAllRed, now
			} else {
				p.stage, p.phase, p.greenStart = StageGreen, p.next, now
			}
		}
	case StageAllRed:
		if now-p.stageStart >= pr.AllRed-eps {
			p.stage, p.phase, p.greenStart = StageGreen, p.next, now
		}
	}
	p.lights(lights)
	for m, l := range lights {
		if l != Red {
			p.redSince[m] = now + step
		}
	}
}

// overdue returns a movement with waiting vehicles that has been red for
// the guard's maximum red, or −1.
func (p *Plant) overdue(now float64, sens *NodeSensors) int {
	if p.Guard.MaxRed <= 0 || sens == nil {
		return -1
	}
	for m, since := range p.redSince {
		if now-since < p.Guard.MaxRed-eps || m >= len(sens.MovIn) {
			continue
		}
		for _, i := range sens.MovIn[m] {
			if sens.In[i].Halting > 0 {
				return m
			}
		}
	}
	return -1
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

func (p *Plant) lights(out []Light) {
	cur := p.Program.Phases[p.phase].State
	next := p.Program.Phases[p.next].State
	for m := range out {
		c := cur[m]
		green := c == 'G' || c == 'g'
		switch {
		case p.stage == StageGreen && c == 'G':
			out[m] = Green
		case p.stage == StageGreen && c == 'g':
			out[m] = GreenMinor
		case !green:
			out[m] = Red
		case next[m] == 'G' || next[m] == 'g':
			// Green in both phases: keeps its green through the change.
			out[m] = Green
			if c == 'g' {
				out[m] = GreenMinor
			}
		case p.stage == StageYellow:
			out[m] = Yellow
		default:
			out[m] = Red
		}
	}
}

// Phase returns the current phase and stage.
func (p *Plant) Phase() (int, Stage) { return p.phase, p.stage }

// State returns the plant's full state for hashing and snapshots:
// phase, next phase, stage and the times the stage and green started.
func (p *Plant) State() (phase, next int, stage Stage, stageStart, greenStart float64) {
	return p.phase, p.next, p.stage, p.stageStart, p.greenStart
}
