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
}

// A Controller decides which phase should be green. Decide is called once
// per step; returning the current phase keeps it, returning another starts a
// change (yellow, all-red, then the new phase). A controller must depend
// only on what it is given and its own state, so runs stay deterministic.
type Controller interface {
	Decide(v View) int
}

// Plant holds the signal state of one junction and applies a controller's
// decisions to it.
type Plant struct {
	Program *maps.Program
	Ctrl    Controller

	phase      int
	next       int
	stage      Stage
	stageStart float64 // s
	greenStart float64 // s
	greenFor   float64 // s, length of the last completed or current green
}

// NewPlant starts a plant in the green of phase 0 at time 0.
func NewPlant(p *maps.Program, c Controller) *Plant {
	return &Plant{Program: p, Ctrl: c}
}

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
func (p *Plant) Update(now, step float64, lights []Light) {
	pr := p.Program
	switch p.stage {
	case StageGreen:
		want := p.Ctrl.Decide(p.View(now, step))
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
