package output

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
)

// JunctionMetrics collects per-junction signal metrics and per-lane
// detector readings over a run. Call Observe after every step; it reads
// the simulation through its public API only (NodeSensors, LaneSensors,
// LaneStats, Plant, Time), so any runner can use it. Metrics start at the
// warm-up and are grouped into intervals aligned on multiples of the
// interval length.
//
// For every signalised junction it records, over its approach lanes:
// delay (time lost against desired speeds, s), queue length (the longest
// standing queue the lane-area detectors measure back from a stop line,
// m),
// stops, throughput (vehicles crossing the stop lines) and the length of
// every green of every phase.
//
// A JunctionMetrics is not safe for concurrent use.
type JunctionMetrics struct {
	opt JunctionOptions

	nodes []maps.NodeID
	ids   []string
	in    [][]int32 // approach lanes per junction
	j     []jAcc    // current interval, per junction
	tot   []jTotal  // whole run, per junction
	rows  []JunctionRow

	lanes []lAcc // current interval, per lane (detectors only)
	drows []DetectorRow

	started   bool
	begin     float64 // s, start of the current interval
	steps     int     // steps observed in the current interval
	baseStats []engine.LaneStat
}

// jAcc accumulates one junction over one interval.
type jAcc struct {
	queueSum, queueMax, haltSum float64
	greens                      int
	greenSum                    float64
	inGreen                     bool
	gPhase                      int
	gStart                      float64
}

// jTotal accumulates one junction over the run.
type jTotal struct {
	delay             float64
	stops, throughput int64
	queueSum          float64
	queueMax          float64
	steps             int
	phases            map[int]*PhaseStat
}

// lAcc accumulates one lane's detectors over one interval.
type lAcc struct {
	count0            int64
	occupied          int
	queueSum, haltSum float64
	vehicleSum        float64
	lastCount         int64
	queueMax          float64
}

// JunctionRow is one junction over one interval. Times in s, lengths in m.
type JunctionRow struct {
	Begin, End float64
	Junction   string
	// Delay is the time lost by vehicles on the approach lanes.
	Delay float64
	// QueueMean and QueueMax are the mean and the maximum over steps of
	// the junction's queue: the longest standing queue on its approach
	// lanes.
	QueueMean, QueueMax float64
	// HaltingMean is the mean number of standing vehicles on the approaches.
	HaltingMean float64
	Stops       int64 // vehicles that came to a halt on an approach lane
	Throughput  int64 // vehicles that crossed a stop line
	// Greens is the number of greens that ended in the interval and
	// MeanGreen their mean length.
	Greens    int
	MeanGreen float64
}

// DetectorRow is one lane's detectors over one interval.
type DetectorRow struct {
	Begin, End float64
	Road       string  // road id
	Lane       int     // lane index on the road, 0 = next to the centre line (maps.Lane.Index)
	Count      int64   // vehicles that passed the induction loop
	Occupancy  float64 // share of steps a vehicle was over the loop
	// QueueMean and QueueMax are the standing queue back from the stop
	// line (m), HaltingMean the standing vehicles and VehiclesMean all
	// vehicles in the lane-area detector, averaged over steps.
	QueueMean, QueueMax float64
	HaltingMean         float64
	VehiclesMean        float64
}

// PhaseStat sums the greens of one phase.
type PhaseStat struct {
	Phase      int     `json:"phase"`
	Greens     int     `json:"greens"`
	TotalGreen float64 `json:"total_green"` // s
	MeanGreen  float64 `json:"mean_green"`  // s
}

// JunctionSummary is one junction over the whole run (after the warm-up).
type JunctionSummary struct {
	ID         string      `json:"id"`
	Delay      float64     `json:"delay"`      // s, total
	MeanDelay  float64     `json:"mean_delay"` // s per vehicle crossing
	QueueMean  float64     `json:"queue_mean"` // m
	QueueMax   float64     `json:"queue_max"`  // m
	Stops      int64       `json:"stops"`      // vehicles
	Throughput int64       `json:"throughput"` // vehicles
	Refused    int64       `json:"refused"`    // guard refusals
	Forced     int64       `json:"forced"`     // guard forced changes
	Phases     []PhaseStat `json:"phases"`     // by phase index
}

// SignalSummary is the signal part of a run's summary.
type SignalSummary struct {
	Junctions int `json:"junctions"` // signalised junctions
	// Refused and Forced are the guard's counts over all junctions.
	Refused int64 `json:"refused"`
	Forced  int64 `json:"forced"`
	// Delay is the total delay on signalised approaches (s), MeanDelay
	// per vehicle crossing their stop lines.
	Delay      float64 `json:"delay"`
	MeanDelay  float64 `json:"mean_delay"`
	Throughput int64   `json:"throughput"`
	Stops      int64   `json:"stops"`
	// QueueMean is the mean over junctions of their mean queue (m).
	QueueMean float64 `json:"queue_mean"`
}

// JunctionOptions configure a JunctionMetrics.
type JunctionOptions struct {
	Interval float64 // s, length of the time-series intervals; 0 means 60
	Warmup   float64 // s, when collection starts
	// Junctions and Detectors select the files WriteAll writes:
	// junctions.csv and junctions.json, and detectors.csv. Detector rows
	// are collected only when Detectors is set.
	Junctions, Detectors bool
}

// NewJunctionMetrics prepares a collector for sim's signalised junctions.
func NewJunctionMetrics(sim *engine.Sim, opt JunctionOptions) *JunctionMetrics {
	if !(opt.Interval > 0) {
		opt.Interval = 60
	}
	jm := &JunctionMetrics{opt: opt}
	net := sim.Network()
	for v := range net.Nodes {
		if sim.Plant(maps.NodeID(v)) == nil {
			continue
		}
		jm.nodes = append(jm.nodes, maps.NodeID(v))
		jm.ids = append(jm.ids, net.Nodes[v].ID)
		var in []int32
		for _, r := range net.Nodes[v].In {
			for _, l := range net.Roads[r].Lanes {
				in = append(in, int32(l))
			}
		}
		jm.in = append(jm.in, in)
	}
	jm.j = make([]jAcc, len(jm.nodes))
	jm.tot = make([]jTotal, len(jm.nodes))
	for i := range jm.tot {
		jm.tot[i].phases = map[int]*PhaseStat{}
	}
	if opt.Detectors {
		jm.lanes = make([]lAcc, len(net.Lanes))
	}
	return jm
}

// Observe records the step that just ended. Call it after every step.
func (jm *JunctionMetrics) Observe(sim *engine.Sim) {
	now, dt := sim.Time(), sim.StepLength()
	if now < jm.opt.Warmup+dt-1e-9 {
		return
	}
	if !jm.started {
		// Lane statistics count from the warm-up (from 0 without one).
		jm.started = true
		jm.begin = now - dt
		jm.baseStats = make([]engine.LaneStat, len(sim.Network().Lanes))
		jm.resetLanes(sim)
	}
	jm.steps++
	for k, v := range jm.nodes {
		a := &jm.j[k]
		t := &jm.tot[k]
		sens := sim.NodeSensors(int(v))
		q, halt := 0.0, 0 // longest approach-lane queue, standing vehicles
		if sens != nil {
			for _, s := range sens.In {
				q = math.Max(q, s.Queue)
				halt += s.Halting
			}
		}
		a.queueMax = math.Max(a.queueMax, q)
		a.queueSum += q
		a.haltSum += float64(halt)
		t.queueSum += q
		t.queueMax = math.Max(t.queueMax, a.queueMax)
		t.steps++
		// Greens: the plant's state applies to the step that just ended.
		p := sim.Plant(v)
		ph, st := p.Phase()
		gs := p.GreenStart()
		switch {
		case st == signal.StageGreen && (!a.inGreen || gs != a.gStart):
			if a.inGreen {
				jm.green(k, a.gPhase, gs-a.gStart)
			}
			a.inGreen, a.gPhase, a.gStart = true, ph, gs
		case st != signal.StageGreen && a.inGreen:
			a.inGreen = false
			jm.green(k, a.gPhase, p.View(now, dt).GreenFor)
		}
	}
	if jm.opt.Detectors {
		for l, s := range sim.LaneSensors() {
			a := &jm.lanes[l]
			if s.Occupied {
				a.occupied++
			}
			a.queueSum += s.Queue
			a.haltSum += float64(s.Halting)
			a.vehicleSum += float64(s.Vehicles)
			a.queueMax = math.Max(a.queueMax, s.Queue)
			a.lastCount = s.Count
		}
	}
	if jm.intervalEnd(now) {
		jm.flush(sim, now)
	}
}

// intervalEnd reports whether now ends an interval aligned on multiples
// of the interval length.
func (jm *JunctionMetrics) intervalEnd(now float64) bool {
	k := math.Floor(jm.begin/jm.opt.Interval+1e-9) + 1
	return now >= float64(k*jm.opt.Interval)-1e-9
}

// green records a completed green of phase ph lasting d s.
func (jm *JunctionMetrics) green(k, ph int, d float64) {
	a := &jm.j[k]
	a.greens++
	a.greenSum += d
	ps := jm.tot[k].phases[ph]
	if ps == nil {
		ps = &PhaseStat{Phase: ph}
		jm.tot[k].phases[ph] = ps
	}
	ps.Greens++
	ps.TotalGreen += d
}

func (jm *JunctionMetrics) resetLanes(sim *engine.Sim) {
	if !jm.opt.Detectors {
		return
	}
	for l, s := range sim.LaneSensors() {
		jm.lanes[l] = lAcc{count0: s.Count, lastCount: s.Count}
	}
}

// flush closes the current interval at now.
func (jm *JunctionMetrics) flush(sim *engine.Sim, now float64) {
	if jm.steps == 0 {
		return
	}
	stats := sim.LaneStats()
	n := float64(jm.steps)
	for k := range jm.nodes {
		a := &jm.j[k]
		t := &jm.tot[k]
		row := JunctionRow{Begin: jm.begin, End: now, Junction: jm.ids[k], QueueMean: a.queueSum / n, QueueMax: a.queueMax,
			HaltingMean: a.haltSum / n, Greens: a.greens}
		if a.greens > 0 {
			row.MeanGreen = a.greenSum / float64(a.greens)
		}
		for _, l := range jm.in[k] {
			cur, base := stats[l], jm.baseStats[l]
			row.Delay += cur.Lost - base.Lost
			row.Stops += cur.Stops - base.Stops
			row.Throughput += cur.Left - base.Left
		}
		t.delay += row.Delay
		t.stops += row.Stops
		t.throughput += row.Throughput
		jm.rows = append(jm.rows, row)
		*a = jAcc{inGreen: a.inGreen, gPhase: a.gPhase, gStart: a.gStart}
	}
	if jm.opt.Detectors {
		net := sim.Network()
		for l := range jm.lanes {
			a := &jm.lanes[l]
			ln := &net.Lanes[l]
			jm.drows = append(jm.drows, DetectorRow{Begin: jm.begin, End: now,
				Road: net.Roads[ln.Road].ID, Lane: ln.Index,
				Count: a.lastCount - a.count0, Occupancy: float64(a.occupied) / n,
				QueueMean: a.queueSum / n, QueueMax: a.queueMax, HaltingMean: a.haltSum / n, VehiclesMean: a.vehicleSum / n})
			*a = lAcc{count0: a.lastCount, lastCount: a.lastCount}
		}
	}
	jm.baseStats = stats
	jm.begin, jm.steps = now, 0
}

// Finish closes the last, partial interval. Call it once after the last
// Observe; the writers call it too.
func (jm *JunctionMetrics) Finish(sim *engine.Sim) {
	if jm.started {
		jm.flush(sim, sim.Time())
	}
}

// Rows returns the junction rows, interval by interval, junctions in
// node order.
func (jm *JunctionMetrics) Rows() []JunctionRow { return jm.rows }

// DetectorRows returns the detector rows, interval by interval, lanes in
// lane order (none unless detectors were asked for).
func (jm *JunctionMetrics) DetectorRows() []DetectorRow { return jm.drows }

// Junctions returns every signalised junction's totals over the run.
func (jm *JunctionMetrics) Junctions(sim *engine.Sim) []JunctionSummary {
	out := make([]JunctionSummary, len(jm.nodes))
	for k, v := range jm.nodes {
		t := &jm.tot[k]
		p := sim.Plant(v)
		js := JunctionSummary{ID: jm.ids[k], Delay: t.delay, QueueMax: t.queueMax, Stops: t.stops, Throughput: t.throughput,
			Refused: p.Refused, Forced: p.Forced, Phases: []PhaseStat{}}
		if t.steps > 0 {
			js.QueueMean = t.queueSum / float64(t.steps)
		}
		if t.throughput > 0 {
			js.MeanDelay = t.delay / float64(t.throughput)
		}
		for ph := 0; ph < len(p.Program.Phases); ph++ {
			if s := t.phases[ph]; s != nil {
				c := *s
				c.MeanGreen = c.TotalGreen / float64(c.Greens)
				js.Phases = append(js.Phases, c)
			}
		}
		out[k] = js
	}
	return out
}

// Summary returns the signal part of the run's summary.
func (jm *JunctionMetrics) Summary(sim *engine.Sim) SignalSummary {
	s := SignalSummary{Junctions: len(jm.nodes)}
	s.Refused, s.Forced = sim.GuardCounts()
	js := jm.Junctions(sim)
	for _, j := range js {
		s.Delay += j.Delay
		s.Throughput += j.Throughput
		s.Stops += j.Stops
		s.QueueMean += j.QueueMean
	}
	if s.Throughput > 0 {
		s.MeanDelay = s.Delay / float64(s.Throughput)
	}
	if len(js) > 0 {
		s.QueueMean /= float64(len(js))
	}
	return s
}

// WriteJunctionsCSV writes the junction time series: one row per
// junction per interval.
func WriteJunctionsCSV(w io.Writer, rows []JunctionRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"begin", "end", "junction", "delay", "queue_mean", "queue_max", "halting_mean", "stops", "throughput", "greens", "mean_green"})
	for _, r := range rows {
		cw.Write([]string{ff(r.Begin), ff(r.End), r.Junction, ff(r.Delay), ff(r.QueueMean), ff(r.QueueMax), ff(r.HaltingMean),
			strconv.FormatInt(r.Stops, 10), strconv.FormatInt(r.Throughput, 10), strconv.Itoa(r.Greens), ff(r.MeanGreen)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteDetectorsCSV writes the detector time series: one row per lane per
// interval.
func WriteDetectorsCSV(w io.Writer, rows []DetectorRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"begin", "end", "road", "lane", "count", "occupancy", "queue_mean", "queue_max", "halting_mean", "vehicles_mean"})
	for _, r := range rows {
		cw.Write([]string{ff(r.Begin), ff(r.End), r.Road, strconv.Itoa(r.Lane), strconv.FormatInt(r.Count, 10), ff(r.Occupancy), ff(r.QueueMean),
			ff(r.QueueMax), ff(r.HaltingMean), ff(r.VehiclesMean)})
	}
	cw.Flush()
	return cw.Error()
}

// JunctionsReport is the content of junctions.json.
type JunctionsReport struct {
	Signals   SignalSummary     `json:"signals"`
	Junctions []JunctionSummary `json:"junctions"`
}

// WriteJunctionsJSON writes the per-junction totals and the guard's
// counts as indented JSON.
func WriteJunctionsJSON(w io.Writer, jm *JunctionMetrics, sim *engine.Sim) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(JunctionsReport{Signals: jm.Summary(sim), Junctions: jm.Junctions(sim)})
}
