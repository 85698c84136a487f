package maps

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/citytwin/citytwin/internal/sumoxml"
)

// conflicts fills the links' Crossing, Merging and Foes lists and the
// node's conflict matrix from the junction's <request> table: bit j of
// request i's foes says links i and j conflict (they merge when they end
// on the same lane, else they cross), bit j of its response that link i
// gives way to link j.
func (b *sumoBuilder) conflicts(v NodeID) error {
	n := b.n
	nd := &n.Nodes[v]
	nd.Conflicts = newConflictMatrix(len(nd.Movements))
	if len(nd.Movements) == 0 {
		return nil
	}
	j := &b.sx.Junctions[b.nodeJ[v]]
	byReq := map[int]LinkID{}
	for _, k := range b.byNode[v] {
		if sc := &b.conns[k]; sc.link != None && sc.req >= 0 {
			byReq[sc.req] = sc.link
		}
	}
	nreq := len(j.Requests)
	if nreq == 0 && len(b.byNode[v]) > 1 {
		// A hand-written network without the junction logic netconvert
		// writes: conflicts from the links' paths, right of way from the
		// edge priorities and the rules of OSM input (see the package doc).
		signalised := false
		for _, k := range b.byNode[v] {
			signalised = signalised || b.conns[k].tl != nil
		}
		buildConflicts(n, v)
		setYields(n, v, signalised)
		b.counts["junctions without a <request> table: conflicts from the link paths, right of way from edge priorities and right before left"]++
		return nil
	}
	seen := make([]bool, nreq)
	var lists linkLists
	pair := func(a, c LinkID) {
		if a == c {
			return
		}
		if n.Links[a].To == n.Links[c].To {
			lists.pair(a, c, listMerging)
		} else {
			lists.pair(a, c, listCrossing)
		}
	}
	for _, r := range j.Requests {
		idx, err := parseSUMOInt(r.Index, "index", max(nreq, 1))
		if err != nil {
			return fmt.Errorf("line %d: junction %q: <request>: %w", j.Line, j.ID, err)
		}
		if seen[idx] {
			return fmt.Errorf("line %d: junction %q: request %d given twice", j.Line, j.ID, idx)
		}
		seen[idx] = true
		if len(r.Foes) != nreq || len(r.Response) != nreq {
			return fmt.Errorf("line %d: junction %q: request %d: foes %q and response %q need one bit per link (%d)", j.Line, j.ID, idx, r.Foes, r.Response, nreq)
		}
		foes, ok1 := bitString(r.Foes)
		resp, ok2 := bitString(r.Response)
		if !ok1 || !ok2 {
			return fmt.Errorf("line %d: junction %q: request %d: foes %q and response %q must be strings of 0 and 1", j.Line, j.ID, idx, r.Foes, r.Response)
		}
		a, ok := byReq[idx]
		if !ok {
			continue // a link of pedestrians or bicycles, or a connection without an internal lane
		}
		for _, f := range foes {
			if c, ok := byReq[f]; ok {
				pair(a, c)
			}
		}
		for _, f := range resp {
			if c, ok := byReq[f]; ok && c != a {
				if !slices.Contains(foes, f) {
					pair(a, c)
				}
				lists.add(a, c, listFoes)
			}
		}
	}
	lists.store(n)
	for _, m := range nd.Movements {
		for _, k := range n.Movements[m].Links {
			L := &n.Links[k]
			la := n.Movements[m].Local
			mark := func(list []LinkID, f uint8) {
				for _, c := range list {
					if lc := n.Movements[n.Links[c].Movement].Local; lc != la {
						nd.Conflicts.set(la, lc, f)
					}
				}
			}
			mark(L.Crossing(), Crosses)
			mark(L.Merging(), Merges)
			mark(L.Foes(), Yields)
		}
	}
	if j.Type == "zipper" {
		c := nd.Conflicts
		for a := 0; a < c.N; a++ {
			for d := 0; d < c.N; d++ {
				if a != d && c.Conflicting(a, d) && c.At(a, d)&Yields == 0 && c.At(d, a)&Yields == 0 {
					c.set(a, d, TakeTurns)
				}
			}
		}
	}
	return nil
}

// sumoJunctionNotes says, per SUMO junction type, what CityTwin does
// differently; each is reported once with a count.
var sumoJunctionNotes = map[string]string{
	"allway_stop":                "all-way stop junctions: the file's right of way is kept, vehicles do not stop first",
	"priority_stop":              "priority_stop junctions: minor roads give way as in the file but do not stop first",
	"rail_signal":                "rail signals: run as priority junctions",
	"rail_crossing":              "rail crossings: run as priority junctions",
	"traffic_light_unregulated":  "traffic_light_unregulated junctions: signalised, with the file's right of way (none)",
	"zipper":                     "zipper junctions: merging streams take turns",
	"district":                   "district junctions: run as priority junctions",
	"traffic_light_right_on_red": "traffic_light_right_on_red junctions: 's' signals run as green yielding ('g') without the stop",
}

// control decides each node's kind and maps the signal programs.
func (b *sumoBuilder) control() error {
	n := b.n
	for v := range n.Nodes {
		nd := &n.Nodes[v]
		j := &b.sx.Junctions[b.nodeJ[v]]
		if note, ok := sumoJunctionNotes[j.Type]; ok && len(nd.Movements) > 0 {
			b.counts[note]++
		}
		var tl *sumoxml.TLLogic
		for _, m := range nd.Movements {
			for _, k := range n.Movements[m].Links {
				if sc := &b.conns[b.linkConn[k]]; sc.tl != nil {
					if tl != nil && tl != sc.tl {
						return fmt.Errorf("line %d: junction %q: its connections name two traffic lights, %q and %q", j.Line, j.ID, tl.ID, sc.tl.ID)
					}
					tl = sc.tl
				}
			}
		}
		switch {
		case len(nd.Movements) == 0:
			nd.Kind = Boundary
		case tl != nil:
			nd.Kind = Signalised
			prog, err := b.program(NodeID(v), tl)
			if err != nil {
				var refused *refusedProgram
				if !asRefused(err, &refused) {
					return err
				}
				b.warn(j.ID, "%v; the junction runs CityTwin's default program instead", err)
				prog = defaultProgram(n, NodeID(v))
			}
			nd.Program = prog
		case j.Type == "dead_end" || len(neighbours(n, NodeID(v))) == 1:
			nd.Kind = DeadEnd
		default:
			nd.Kind = Priority
		}
	}
	return nil
}

// refusedProgram is a program that cannot run on CityTwin's movements (two
// conflicting greens with neither giving way); the junction falls back to
// a default program.
type refusedProgram struct{ msg string }

func (e *refusedProgram) Error() string { return e.msg }

func asRefused(err error, target **refusedProgram) bool {
	r, ok := err.(*refusedProgram)
	if ok {
		*target = r
	}
	return ok
}

// sumoLetter maps a SUMO signal state to CityTwin's: 'G', 'g' (green
// yielding), 'r' and 'y' (a change interval).
func sumoLetter(c byte) (byte, bool) {
	switch c {
	case 'G':
		return 'G', true
	case 'g', 's', 'o', 'O':
		return 'g', true
	case 'r', 'u':
		return 'r', true
	case 'y', 'Y':
		return 'y', true
	}
	return 0, false
}

// program maps tlLogic tl onto the movements of node v (see ReadSUMO).
func (b *sumoBuilder) program(v NodeID, tl *sumoxml.TLLogic) (*Program, error) {
	n := b.n
	nd := &n.Nodes[v]
	nm := len(nd.Movements)
	where := fmt.Sprintf("line %d: tlLogic %q", tl.Line, tl.ID)
	if len(tl.Phases) == 0 {
		return nil, fmt.Errorf("%s: no <phase>", where)
	}
	col := make([]int, nm) // the signal index of each movement, −1 when not controlled
	for k, m := range nd.Movements {
		sc := &b.conns[b.linkConn[n.Movements[m].Links[0]]]
		col[k] = sc.linkIndex
		if sc.tl == nil {
			col[k] = -1
		}
	}
	offset := 0.0
	if tl.Offset != "" {
		var err error
		if offset, err = parseSUMOFloat(tl.Offset, "offset"); err != nil || math.Abs(offset) > 1e7 {
			return nil, fmt.Errorf("%s: offset %q is not a time in seconds", where, tl.Offset)
		}
	}
	var act *Actuation
	switch tl.Type {
	case "", "static":
	case "actuated", "delay_based":
		act = &Actuation{MaxGap: 3, DetectorGap: 2}
		for _, p := range tl.Params {
			var dst *float64
			switch p.Key {
			case "max-gap":
				dst = &act.MaxGap
			case "detector-gap":
				dst = &act.DetectorGap
			default:
				continue
			}
			x, err := parseSUMOFloat(p.Value, p.Key)
			if err != nil || !(x >= 0 && x < 3600) {
				return nil, fmt.Errorf("%s: param %s = %q must be a time in [0, 3600) s", where, p.Key, p.Value)
			}
			*dst = x
		}
		if act.MaxGap <= 0 {
			act.MaxGap = 3
		}
		if tl.Type == "delay_based" {
			b.counts["delay_based programs: run as gap-actuated programs"]++
		}
	default:
		b.counts[fmt.Sprintf("tlLogic programs of type %s: run as static programs", tl.Type)]++
	}
	type sphase struct {
		kind          byte // 'G' green, 'y' yellow, 'r' red only
		st            []byte
		dur, min, max float64
	}
	phs := make([]sphase, len(tl.Phases))
	sumoCycle := 0.0
	for k, p := range tl.Phases {
		pw := fmt.Sprintf("%s: phase %d", where, k)
		if len(p.State) != len(tl.Phases[0].State) {
			return nil, fmt.Errorf("%s: state %q has %d signals, phase 0 has %d", pw, p.State, len(p.State), len(tl.Phases[0].State))
		}
		d, err := parseSUMOFloat(p.Duration, "duration")
		if err != nil || !(d > 0 && d <= 1e7) {
			return nil, fmt.Errorf("%s: duration %q must be in (0, 10⁷] s", pw, p.Duration)
		}
		ph := sphase{dur: d, min: d, max: d, st: make([]byte, nm)}
		for _, f := range []struct {
			s   string
			dst *float64
		}{{p.MinDur, &ph.min}, {p.MaxDur, &ph.max}} {
			if f.s == "" {
				continue
			}
			x, err := parseSUMOFloat(f.s, "minDur/maxDur")
			if err != nil || !(x >= 0 && x <= 1e7) {
				return nil, fmt.Errorf("%s: minDur %q or maxDur %q is not a time in seconds", pw, p.MinDur, p.MaxDur)
			}
			*f.dst = x
		}
		if ph.max < ph.min || ph.max <= 0 {
			return nil, fmt.Errorf("%s: minDur %q is above maxDur %q", pw, p.MinDur, p.MaxDur)
		}
		if p.Next != "" {
			b.counts["program phases with a next attribute: phases run in order"]++
		}
		green, yellow := false, false
		for m := range ph.st {
			c := byte('g')
			if col[m] >= 0 {
				var ok bool
				if c, ok = sumoLetter(p.State[col[m]]); !ok {
					return nil, fmt.Errorf("%s: state %q: signal %d is %q, not one of G g y r s u o O", pw, p.State, col[m], string(p.State[col[m]]))
				}
			}
			ph.st[m] = c
			green = green || c == 'G' || c == 'g'
			yellow = yellow || c == 'y'
		}
		switch {
		case yellow:
			ph.kind = 'y'
		case green:
			ph.kind = 'G'
		default:
			ph.kind = 'r'
		}
		phs[k] = ph
		sumoCycle += d
	}
	first := slices.IndexFunc(phs, func(p sphase) bool { return p.kind == 'G' })
	if first < 0 {
		return nil, fmt.Errorf("%s: no phase gives a movement of junction %q a green", where, nd.ID)
	}
	lead := 0.0
	for _, p := range phs[:first] {
		lead += p.dur
	}
	// Green phases in cycle order from the first, each with the yellow and
	// red-only time that follows it.
	type green struct {
		st            []byte
		dur, min, max float64
		yellow, red   float64
		changed       bool
		// lost marks the movements green here that a phase of the change
		// after it shows yellow or red.
		lost []bool
	}
	var greens []green
	for i := range phs {
		p := phs[(first+i)%len(phs)]
		if p.kind == 'G' {
			if g := &greens; len(*g) > 0 && !(*g)[len(*g)-1].changed && bytes.Equal((*g)[len(*g)-1].st, p.st) {
				last := &(*g)[len(*g)-1]
				last.dur, last.min, last.max = last.dur+p.dur, last.min+p.min, last.max+p.max
				continue
			}
			greens = append(greens, green{st: p.st, dur: p.dur, min: p.min, max: p.max, lost: make([]bool, nm)})
			continue
		}
		g := &greens[len(greens)-1]
		g.changed = true
		if p.kind == 'y' {
			g.yellow += p.dur
		} else {
			g.red += p.dur
		}
		for m, c := range p.st {
			if (g.st[m] == 'G' || g.st[m] == 'g') && (c == 'y' || c == 'r') {
				g.lost[m] = true
			}
		}
	}
	loses := func(i int) bool {
		a, c := greens[i].st, greens[(i+1)%len(greens)].st
		for m := range a {
			if (a[m] == 'G' || a[m] == 'g') && c[m] == 'r' {
				return true
			}
		}
		return false
	}
	prog := &Program{Actuated: act}
	allRed := math.Inf(1)
	for i, g := range greens {
		if loses(i) {
			prog.Yellow = math.Max(prog.Yellow, g.yellow)
			allRed = math.Min(allRed, g.red)
		}
	}
	if math.IsInf(allRed, 1) {
		allRed = 0
	}
	prog.AllRed = allRed
	yellows := map[float64]bool{}
	allR := strings.Repeat("r", nm)
	for i, g := range greens {
		ph := Phase{Duration: g.dur, State: string(g.st)}
		if act != nil {
			ph.MinDur, ph.MaxDur = g.min, g.max
		}
		var extra *Phase
		switch {
		case loses(i):
			yellows[g.yellow] = true
			if g.red > allRed+1e-9 {
				extra = &Phase{Duration: g.red - allRed, State: allR}
			}
		case slices.Contains(g.lost, true) && g.red > 0:
			// The green comes back in the next phase, but SUMO takes it
			// away in between (an all-red for pedestrians, say): a phase
			// with those movements red brings CityTwin's yellow and red.
			yellows[g.yellow] = true
			st := append([]byte(nil), g.st...)
			for m, l := range g.lost {
				if l {
					st[m] = 'r'
				}
			}
			extra = &Phase{Duration: g.red, State: string(st)}
			if prog.Yellow == 0 {
				prog.Yellow = g.yellow
			}
		case g.yellow+g.red > 0:
			b.counts["program changes between phases that give a junction the same greens (joined signals): CityTwin keeps those greens through the change"]++
			ph.Duration += g.yellow + g.red
			if act != nil {
				ph.MinDur += g.yellow + g.red
				ph.MaxDur += g.yellow + g.red
			}
		}
		if extra != nil && act != nil {
			extra.MinDur, extra.MaxDur = extra.Duration, extra.Duration
		}
		prog.Phases = append(prog.Phases, ph)
		if extra != nil {
			prog.Phases = append(prog.Phases, *extra)
		}
	}
	if len(yellows) > 1 {
		b.warn(nd.ID, "tlLogic %q: yellow times differ between phases; CityTwin uses one per program, the longest (%g s)", tl.ID, prog.Yellow)
	}
	cycle := prog.Cycle()
	if math.Abs(cycle-sumoCycle) > 1e-6 {
		b.warn(nd.ID, "tlLogic %q: the cycle is %g s in CityTwin, %g s in the file", tl.ID, cycle, sumoCycle)
	}
	prog.Offset = math.Mod(offset+lead, cycle)
	if prog.Offset < 0 {
		prog.Offset += cycle
	}
	for k, ph := range prog.Phases {
		if a, c := nd.Conflicts.exclusiveGreens(ph.State); a >= 0 {
			ma, mc := &n.Movements[nd.Movements[a]], &n.Movements[nd.Movements[c]]
			return nil, &refusedProgram{fmt.Sprintf("%s: green phase %d (%q) gives movements %d (%s→%s) and %d (%s→%s) green together, and neither gives way to the other in the junction's request table",
				where, k, ph.State, a, n.Roads[ma.From].ID, n.Roads[ma.To].ID, c, n.Roads[mc.From].ID, n.Roads[mc.To].ID)}
		}
	}
	return prog, nil
}
