package traci

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/internal/sumoxml"
)

// netView is the SUMO network as a TraCI client sees it: every edge and
// lane of the .net.xml under SUMO's ids (internal ones and lanes closed
// to cars included, which CityTwin's network drops), the traffic lights
// with their programs as written and the connections each signal index
// controls. The maps package builds the network CityTwin simulates from
// the same file; mapping.go joins the two by id.
type netView struct {
	edges   []edgeView // sorted by id (the order SUMO's getIDList gives)
	lanes   []laneView // sorted by id
	laneIdx map[string]int
	edgeIdx map[string]int
	tls     []*tlsView // sorted by id
	tlsIdx  map[string]int
	// next maps an internal lane to the internal lane that follows it in
	// a connection's chain through a junction (left turns cross two).
	next map[string]string
}

type edgeView struct {
	id       string
	internal bool
	lanes    []int // lane indices into netView.lanes, by SUMO lane index
}

type laneView struct {
	id     string
	edge   int
	index  int     // SUMO lane index (0 = rightmost)
	length float64 // m
	speed  float64 // m/s
	shape  [][2]float64
}

// tlsView is one traffic light: its programs from the file, in file
// order, and the connections of each signal index.
type tlsView struct {
	id       string
	programs []*programDef
	links    [][]linkView // by signal (link) index
}

// linkView is a controlled connection: incoming, outgoing and first
// internal ("via") lane ids.
type linkView struct{ from, to, via string }

// programDef is a tlLogic as written (times in ms).
type programDef struct {
	id     string
	typ    int32 // TRAFFICLIGHT_TYPE_*: 0 static, 3 actuated, 4 delay_based
	offset int64 // ms
	phases []phaseDef
	params [][2]string
}

// Actuation defaults of SUMO's gap-based actuated lights (ms).
const (
	defaultMaxGap      = 3000
	defaultDetectorGap = 2000
)

// actuated reports whether the program extends phases by detection
// (SUMO's actuated and delay_based types, run as gap-actuated).
func (d *programDef) actuated() bool { return d.typ == 3 || d.typ == 4 }

// gapParams returns the program's max-gap and detector-gap (ms): its
// <param>s, or SUMO's defaults.
func (d *programDef) gapParams() (maxGap, detectorGap int64) {
	maxGap, detectorGap = defaultMaxGap, defaultDetectorGap
	for _, kv := range d.params {
		ms, err := parseTime(kv[1])
		if err != nil || ms < 0 || ms > 3_600_000 {
			continue
		}
		switch kv[0] {
		case "max-gap":
			maxGap = ms
		case "detector-gap":
			detectorGap = ms
		}
	}
	return maxGap, detectorGap
}

// phaseDef is one phase of a program; durations in ms.
type phaseDef struct {
	dur, minDur, maxDur int64
	state               string
	next                []int32
	name                string
}

// loadNetView reads the TraCI view of a SUMO network file (plain or
// gzip-compressed).
func loadNetView(path string) (*netView, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v, err := readNetView(f, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// readNetView reads the TraCI view of the network file name from r.
func readNetView(r io.Reader, name string) (*netView, error) {
	x, err := sumoxml.Parse(r, name, 0)
	if err != nil {
		return nil, err
	}
	v := &netView{laneIdx: map[string]int{}, edgeIdx: map[string]int{}, tlsIdx: map[string]int{}, next: map[string]string{}}
	edges := slices.Clone(x.Edges)
	slices.SortStableFunc(edges, func(a, b sumoxml.Edge) int { return strings.Compare(a.ID, b.ID) })
	type laneRef struct {
		l    sumoxml.Lane
		edge int
	}
	var lanes []laneRef
	for i, e := range edges {
		if _, dup := v.edgeIdx[e.ID]; dup || e.ID == "" {
			return nil, fmt.Errorf("edge %q: missing or repeated id", e.ID)
		}
		v.edgeIdx[e.ID] = i
		v.edges = append(v.edges, edgeView{id: e.ID, internal: e.Function == "internal"})
		for _, l := range e.Lanes {
			lanes = append(lanes, laneRef{l, i})
		}
	}
	slices.SortStableFunc(lanes, func(a, b laneRef) int { return strings.Compare(a.l.ID, b.l.ID) })
	for _, lr := range lanes {
		l := lr.l
		if _, dup := v.laneIdx[l.ID]; dup || l.ID == "" {
			return nil, fmt.Errorf("lane %q: missing or repeated id", l.ID)
		}
		lv := laneView{id: l.ID, edge: lr.edge}
		var err error
		if lv.index, err = strconv.Atoi(l.Index); err != nil || lv.index < 0 || lv.index > 1000 {
			return nil, fmt.Errorf("lane %q: index %q is not a lane index", l.ID, l.Index)
		}
		if lv.length, err = strconv.ParseFloat(l.Length, 64); err != nil || !(lv.length >= 0) {
			return nil, fmt.Errorf("lane %q: length %q is not a length", l.ID, l.Length)
		}
		if lv.speed, err = strconv.ParseFloat(l.Speed, 64); err != nil || !(lv.speed >= 0) {
			return nil, fmt.Errorf("lane %q: speed %q is not a speed", l.ID, l.Speed)
		}
		shape, err := sumoxml.ParseShape(l.Shape, "shape")
		if err != nil {
			return nil, fmt.Errorf("lane %q: %w", l.ID, err)
		}
		lv.shape = make([][2]float64, len(shape))
		for i, p := range shape {
			lv.shape[i] = p
		}
		v.laneIdx[l.ID] = len(v.lanes)
		v.lanes = append(v.lanes, lv)
	}
	for i := range v.edges {
		e := &v.edges[i]
		e.lanes = make([]int, len(edges[i].Lanes))
		for k := range e.lanes {
			e.lanes[k] = -1
		}
		for _, l := range edges[i].Lanes {
			li := v.laneIdx[l.ID]
			if idx := v.lanes[li].index; idx < len(e.lanes) {
				e.lanes[idx] = li
			}
		}
		if slices.Contains(e.lanes, -1) {
			return nil, fmt.Errorf("edge %q: lane indices are not 0 to %d", e.id, len(e.lanes)-1)
		}
	}
	// Traffic lights; a later tlLogic with the same id and programID
	// replaces an earlier one, as SUMO loads them.
	for _, t := range x.TLs {
		p, err := readProgram(t)
		if err != nil {
			return nil, fmt.Errorf("tlLogic %q program %q: %w", t.ID, t.ProgramID, err)
		}
		k, ok := v.tlsIdx[t.ID]
		if !ok {
			k = len(v.tls)
			v.tlsIdx[t.ID] = k
			v.tls = append(v.tls, &tlsView{id: t.ID})
		}
		tl := v.tls[k]
		if i := slices.IndexFunc(tl.programs, func(q *programDef) bool { return q.id == p.id }); i >= 0 {
			tl.programs = slices.Delete(tl.programs, i, i+1)
		}
		tl.programs = append(tl.programs, p)
	}
	slices.SortStableFunc(v.tls, func(a, b *tlsView) int { return strings.Compare(a.id, b.id) })
	for i, t := range v.tls {
		v.tlsIdx[t.id] = i
	}
	for _, c := range x.Conns {
		if strings.HasPrefix(c.From, ":") {
			// An internal connection: the chain through the junction.
			if c.Via != "" {
				v.next[c.From+"_"+c.FromLane] = c.Via
			}
			continue
		}
		if c.TL == "" {
			continue
		}
		idx, err := strconv.Atoi(c.LinkIndex)
		if err != nil || idx > 100000 {
			return nil, fmt.Errorf("connection %s_%s -> %s_%s: linkIndex %q is not an index", c.From, c.FromLane, c.To, c.ToLane, c.LinkIndex)
		}
		k, ok := v.tlsIdx[c.TL]
		if idx < 0 || !ok {
			// Not signalled (linkIndex -1: a tram or rail link through
			// the junction), or a light netconvert built no program for;
			// SUMO runs these connections unsignalled too.
			continue
		}
		tl := v.tls[k]
		for len(tl.links) <= idx {
			tl.links = append(tl.links, nil)
		}
		tl.links[idx] = append(tl.links[idx], linkView{from: c.From + "_" + c.FromLane, to: c.To + "_" + c.ToLane, via: c.Via})
	}
	for _, t := range v.tls {
		n := len(t.programs[0].phases[0].state)
		for _, p := range t.programs[1:] {
			if len(p.phases[0].state) != n {
				return nil, fmt.Errorf("traffic light %q: program %q has %d signals, program %q %d", t.id, p.id, len(p.phases[0].state), t.programs[0].id, n)
			}
		}
		if len(t.links) > n {
			return nil, fmt.Errorf("traffic light %q: a connection has link index %d, its program states have %d signals", t.id, len(t.links)-1, n)
		}
		for len(t.links) < n {
			t.links = append(t.links, nil)
		}
	}
	return v, nil
}

// programTypes maps tlLogic types to TraCI's TRAFFICLIGHT_TYPE_* codes.
var programTypes = map[string]int32{"": 0, "static": 0, "rail_signal": 1, "rail_crossing": 2, "actuated": 3,
	"delay_based": 4, "NEMA": 5, "off": 6}

func readProgram(t sumoxml.TLLogic) (*programDef, error) {
	typ, ok := programTypes[t.Type]
	if !ok {
		return nil, fmt.Errorf("type %q is not a SUMO program type", t.Type)
	}
	p := &programDef{id: t.ProgramID, typ: typ}
	if t.Offset != "" {
		o, err := parseTime(t.Offset)
		if err != nil {
			return nil, fmt.Errorf("offset: %w", err)
		}
		p.offset = o
	}
	if len(t.Phases) == 0 {
		return nil, fmt.Errorf("no <phase>")
	}
	for i, ph := range t.Phases {
		d, err := parseTime(ph.Duration)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("phase %d: duration %q must be a positive time", i, ph.Duration)
		}
		pd := phaseDef{dur: d, minDur: d, maxDur: d, state: ph.State, name: ph.Name}
		if ph.MinDur != "" {
			if pd.minDur, err = parseTime(ph.MinDur); err != nil {
				return nil, fmt.Errorf("phase %d: minDur: %w", i, err)
			}
		}
		if ph.MaxDur != "" {
			if pd.maxDur, err = parseTime(ph.MaxDur); err != nil {
				return nil, fmt.Errorf("phase %d: maxDur: %w", i, err)
			}
		}
		if err := checkState(ph.State); err != nil {
			return nil, fmt.Errorf("phase %d: %w", i, err)
		}
		if len(ph.State) != len(t.Phases[0].State) {
			return nil, fmt.Errorf("phase %d: state %q has %d signals, phase 0 has %d", i, ph.State, len(ph.State), len(t.Phases[0].State))
		}
		for _, f := range strings.Fields(ph.Next) {
			k, err := strconv.Atoi(f)
			if err != nil || k < 0 || k >= len(t.Phases) {
				return nil, fmt.Errorf("phase %d: next %q is not a phase index", i, ph.Next)
			}
			pd.next = append(pd.next, int32(k))
		}
		p.phases = append(p.phases, pd)
	}
	for _, kv := range t.Params {
		p.params = append(p.params, [2]string{kv.Key, kv.Value})
	}
	return p, nil
}

// parseTime reads seconds as SUMO writes them and returns milliseconds,
// rounded as SUMO's TIME2STEPS does.
func parseTime(s string) (int64, error) {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || x != x || x > 1e12 || x < -1e12 {
		return 0, fmt.Errorf("%q is not a time in seconds", s)
	}
	return secondsToMs(x), nil
}

// secondsToMs converts seconds to milliseconds, rounding half away from
// zero (SUMO's TIME2STEPS).
func secondsToMs(x float64) int64 {
	if x < 0 {
		return -int64(float64(-x*1000) + 0.5)
	}
	return int64(float64(x*1000) + 0.5)
}

// checkState reports a letter that is not a SUMO signal state.
func checkState(s string) error {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("rugGyYoOs", rune(s[i])) {
			return fmt.Errorf("state %q: signal %d is %q, not one of r u g G y Y o O s", s, i, s[i])
		}
	}
	return nil
}
