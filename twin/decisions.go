package twin

import (
	"slices"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
)

// MaxDecisions is how many of a junction's last signal decisions the twin
// keeps (GET /v1/junctions/{id}).
const MaxDecisions = 20

// Decision is one change of phase a junction's controller (or the guard)
// decided: at Time the green of phase From, which had lasted Green
// seconds, ended for phase To (after the yellow and all-red of the
// change, if any).
type Decision struct {
	Time   float64 `json:"time"`
	From   int     `json:"from"`
	To     int     `json:"to"`
	Green  float64 `json:"green"`
	Policy string  `json:"policy"`
	// Forced says the guard made the change to end a maximum red.
	Forced bool `json:"forced,omitempty"`
}

// decisionLog keeps the last decisions of every junction with a signal
// plant, watched after every step (on the twin's goroutine): a few
// comparisons per signalised junction and step.
type decisionLog struct {
	started bool
	nodes   []maps.NodeID
	last    []plantState
	recent  [][]Decision // by position in nodes
	pos     []int        // position in nodes by node, −1: none
}

type plantState struct {
	phase, next int
	greenStart  float64
	forced      int64
}

// observe records the decisions the last step made.
func (d *decisionLog) observe(net *maps.Network, s *engine.Sim) {
	if !d.started {
		d.started = true
		d.pos = make([]int, len(net.Nodes))
		for v := range net.Nodes {
			d.pos[v] = -1
			if s.Plant(maps.NodeID(v)) != nil {
				d.pos[v] = len(d.nodes)
				d.nodes = append(d.nodes, maps.NodeID(v))
			}
		}
		d.last = make([]plantState, len(d.nodes))
		d.recent = make([][]Decision, len(d.nodes))
		for k, v := range d.nodes {
			d.last[k] = stateOf(s, v)
		}
		return
	}
	for k, v := range d.nodes {
		p := s.Plant(v)
		st := p.State()
		ph, next, stageStart, greenStart := st.Phase, st.Next, st.StageStart, st.GreenStart
		was := d.last[k]
		var dec *Decision
		switch {
		case was.next == was.phase && next != ph:
			// A change interval has begun.
			dec = &Decision{Time: stageStart, From: ph, To: next, Green: round(stageStart-greenStart, 3)}
		case was.next == was.phase && ph != was.phase:
			// A change without yellow or all-red.
			dec = &Decision{Time: greenStart, From: was.phase, To: ph, Green: round(greenStart-was.greenStart, 3)}
		}
		if dec != nil {
			dec.Forced = p.Forced > was.forced
			nc, _ := s.NodeControl(v)
			dec.Policy = policyName(nc.Controller)
			r := append(d.recent[k], *dec)
			if len(r) > MaxDecisions {
				r = slices.Delete(r, 0, len(r)-MaxDecisions)
			}
			d.recent[k] = r
		}
		d.last[k] = plantState{phase: ph, next: next, greenStart: greenStart, forced: p.Forced}
	}
}

func stateOf(s *engine.Sim, v maps.NodeID) plantState {
	p := s.Plant(v)
	st := p.State()
	return plantState{phase: st.Phase, next: st.Next, greenStart: st.GreenStart, forced: p.Forced}
}

// of returns a copy of node v's recent decisions, oldest first.
func (d *decisionLog) of(v maps.NodeID) []Decision {
	if int(v) >= len(d.pos) || d.pos[v] < 0 {
		return []Decision{}
	}
	return append([]Decision{}, d.recent[d.pos[v]]...)
}
