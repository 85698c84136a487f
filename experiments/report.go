package experiments

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Report is an experiment's analysis as WriteReport computes and writes it.
type Report struct {
	Name         string
	Fingerprint  string
	Base         string // the base scenario as the experiment names it
	Baseline     string
	Arms         []string
	Replications int
	Seeds        []uint64 // seed of each replication
	Warmup       float64  // s
	Duration     float64  // s simulated per run
	Confidence   float64
	// Results holds one entry per compared metric, in the experiment's order.
	Results []MetricResult
	// Warnings are the caveats the report prints: too few replications
	// for the observed variance, unresolved differences, missing values,
	// teleports, unfinished trips.
	Warnings []string
	// Files lists the files written, relative to the output directory.
	Files []string

	man         *manifest
	baseIdx     int
	records     [][]*Record // [arm][replication]
	nets        []*netFile  // per arm
	travelTimes [][]float64 // per arm, pooled over replications
	series      [][]SeriesRow
	junctions   []junctionRow
}

// Result returns the result of the named metric.
func (r *Report) Result(metric string) (MetricResult, bool) {
	for _, m := range r.Results {
		if m.Metric.Name == metric {
			return m, true
		}
	}
	return MetricResult{}, false
}

// Report file names, relative to the output directory.
const (
	ReportMarkdown = "report.md"
	ReportHTML     = "report.html"
	RunsCSV        = "runs.csv"
	RunsJSON       = "runs.json"
)

// WriteReport reads a complete experiment output directory (every run of
// every arm present), computes the statistics and writes report.md,
// report.html, runs.csv, runs.json and plots/*.svg. The files depend only
// on the directory's manifest, run records and networks.
func WriteReport(dir string) (*Report, error) {
	r, err := loadReport(dir)
	if err != nil {
		return nil, err
	}
	r.analyse()
	return r, r.write(dir)
}

func loadReport(dir string) (*Report, error) {
	m, _, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	r := &Report{man: m, Name: m.Name, Fingerprint: m.Fingerprint, Base: m.Base, Baseline: m.Baseline, Replications: m.Replications,
		Seeds: m.Seeds, Warmup: m.Warmup, Duration: m.Duration, Confidence: m.Confidence}
	var missing []string
	for ai, a := range m.Arms {
		r.Arms = append(r.Arms, a.Name)
		if a.Name == m.Baseline {
			r.baseIdx = ai
		}
		recs := make([]*Record, m.Replications)
		for rep := range m.Replications {
			rec, ok := readRecord(recordPath(dir, a.Name, rep))
			if !ok || !a.matches(rec, rep) {
				missing = append(missing, fmt.Sprintf("%s/%d", a.Name, rep))
				continue
			}
			recs[rep] = rec
		}
		r.records = append(r.records, recs)
		var net *netFile
		if data, err := os.ReadFile(filepath.Join(dir, networksDir, a.Network+".json")); err == nil {
			net = new(netFile)
			if json.Unmarshal(data, net) != nil {
				net = nil
			}
		}
		r.nets = append(r.nets, net)
	}
	if n := len(missing); n > 0 {
		return nil, fmt.Errorf("experiments: %s: %d runs are missing or unreadable (arm/replication: %s); run the experiment, or every shard, to completion first",
			dir, n, someOf(missing, 10))
	}
	return r, nil
}

// someOf lists the first max items, and how many more there are.
func someOf(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}

func (r *Report) analyse() {
	var metrics []Metric
	for _, name := range r.man.Metrics {
		if m, ok := MetricByName(name); ok {
			metrics = append(metrics, m)
		}
	}
	values := make([][][]float64, len(metrics))
	for mi, m := range metrics {
		values[mi] = make([][]float64, len(r.Arms))
		for ai := range r.Arms {
			for _, rec := range r.records[ai] {
				v, ok := rec.Metrics[m.Name]
				if !ok {
					v = Num(math.NaN())
				}
				values[mi][ai] = append(values[mi][ai], float64(v))
			}
		}
	}
	r.Results = analyse(metrics, r.Arms, r.baseIdx, values, r.Confidence)

	r.travelTimes = make([][]float64, len(r.Arms))
	r.series = make([][]SeriesRow, len(r.Arms))
	for ai := range r.Arms {
		for _, rec := range r.records[ai] {
			r.travelTimes[ai] = append(r.travelTimes[ai], rec.TravelTimes...)
		}
		r.series[ai] = meanSeries(r.records[ai])
	}
	r.junctions = r.junctionTable(10)
	r.warnings()
}

// meanSeries averages the time series of runs row by row.
func meanSeries(recs []*Record) []SeriesRow {
	n := math.MaxInt
	for _, rec := range recs {
		n = min(n, len(rec.Series))
	}
	if len(recs) == 0 || n == 0 {
		return nil
	}
	out := make([]SeriesRow, n)
	k := float64(len(recs))
	for i := range n {
		var run, arr, wait float64
		for _, rec := range recs {
			s := rec.Series[i]
			out[i].End = s.End
			run += float64(s.Running)
			arr += float64(s.Arrived)
			wait += float64(s.Waiting)
			out[i].MeanSpeed += s.MeanSpeed / k
			out[i].Delay += s.Delay / k
		}
		out[i].Running, out[i].Arrived, out[i].Waiting = int64(math.Round(run/k)), int64(math.Round(arr/k)), int64(math.Round(wait/k))
	}
	return out
}

// junctionRow is one junction's delay on its approaches, per arm.
type junctionRow struct {
	ID     string
	PerVeh []float64 // mean over replications of delay / vehicles on the approaches (s)
	Total  []float64 // mean over replications of the approach delay (veh·h)
}

// junctionTable returns the n junctions with the most approach delay in
// the baseline. A junction is a signalised node (every node with two or
// more approaches if the network has no signals); its approaches are the
// roads ending at it, and their delay (RoadStats) includes the time lost
// queueing at its stop lines and crossing it.
func (r *Report) junctionTable(n int) []junctionRow {
	rows := map[string]*junctionRow{}
	for ai := range r.Arms {
		net := r.nets[ai]
		if net == nil {
			continue
		}
		signals := slices.ContainsFunc(net.Nodes, func(nd netNode) bool { return nd.Signalised })
		in := make([]int, len(net.Nodes))
		for _, rd := range net.Roads {
			if rd.To >= 0 && rd.To < len(in) {
				in[rd.To]++
			}
		}
		isJ := func(v int) bool {
			if signals {
				return net.Nodes[v].Signalised
			}
			return in[v] >= 2
		}
		perVeh := map[string][]float64{}
		total := map[string][]float64{}
		for _, rec := range r.records[ai] {
			if len(rec.Roads.Delay) != len(net.Roads) {
				continue
			}
			d := make([]float64, len(net.Nodes))
			v := make([]float64, len(net.Nodes))
			for ri, rd := range net.Roads {
				if rd.To >= 0 && rd.To < len(d) && isJ(rd.To) {
					d[rd.To] += rec.Roads.Delay[ri]
					v[rd.To] += float64(rec.Roads.Volume[ri])
				}
			}
			for vi, nd := range net.Nodes {
				if !isJ(vi) {
					continue
				}
				pv := math.NaN()
				if v[vi] > 0 {
					pv = d[vi] / v[vi]
				}
				perVeh[nd.ID] = append(perVeh[nd.ID], pv)
				total[nd.ID] = append(total[nd.ID], d[vi]/3600)
			}
		}
		for id, pvs := range perVeh {
			row := rows[id]
			if row == nil {
				row = &junctionRow{ID: id, PerVeh: nanSlice(len(r.Arms)), Total: nanSlice(len(r.Arms))}
				rows[id] = row
			}
			row.PerVeh[ai] = estimate(pvs, r.Confidence).Mean
			row.Total[ai] = estimate(total[id], r.Confidence).Mean
		}
	}
	var out []junctionRow
	for _, id := range slices.Sorted(maps.Keys(rows)) {
		out = append(out, *rows[id])
	}
	rank := func(j junctionRow) float64 {
		if x := j.Total[r.baseIdx]; !math.IsNaN(x) {
			return x
		}
		m := 0.0
		for _, x := range j.Total {
			if !math.IsNaN(x) {
				m = max(m, x)
			}
		}
		return m
	}
	slices.SortStableFunc(out, func(a, b junctionRow) int {
		ra, rb := rank(a), rank(b)
		switch {
		case ra > rb:
			return -1
		case ra < rb:
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out[:min(n, len(out))]
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// roadDiff returns, per road, the mean over replications of arm ai's road
// delay minus the baseline's (veh·h), or nil if the two arms do not share
// a network.
func (r *Report) roadDiff(ai int) []float64 {
	if r.man.Arms[ai].Network != r.man.Arms[r.baseIdx].Network || r.nets[ai] == nil {
		return nil
	}
	nr := len(r.nets[ai].Roads)
	diff := make([]float64, nr)
	for rep := range r.Replications {
		a, b := r.records[ai][rep].Roads.Delay, r.records[r.baseIdx][rep].Roads.Delay
		if len(a) != nr || len(b) != nr {
			return nil
		}
		for i := range diff {
			diff[i] += (a[i] - b[i]) / 3600 / float64(r.Replications)
		}
	}
	return diff
}

func (r *Report) warnings() {
	var w []string
	add := func(format string, a ...any) { w = append(w, fmt.Sprintf(format, a...)) }
	if r.Replications < 5 {
		add("Only %d replications per arm. With fewer than 5 the t intervals rest on a very rough estimate of the spread; use 10 or more before drawing conclusions.", r.Replications)
	}
	var wide []string
	need := 0
	for _, res := range r.Results {
		m := res.Metric
		var arms []string
		for ai, e := range res.Estimates {
			if miss := r.Replications - e.N; miss > 0 {
				add("`%s`, arm %s: no value in %d of %d replications (no trip covered by the statistics finished); they are left out.", m.Name, r.Arms[ai], miss, r.Replications)
			}
			if e.N >= 2 && e.Mean != 0 && e.HalfWidth > precisionTarget*math.Abs(e.Mean) {
				arms = append(arms, fmt.Sprintf("%s ±%.0f%%", r.Arms[ai], 100*e.HalfWidth/math.Abs(e.Mean)))
				need = max(need, repsForPrecision(e))
			}
		}
		if len(arms) > 0 {
			wide = append(wide, fmt.Sprintf("`%s` (%s)", m.Name, strings.Join(arms, ", ")))
		}
	}
	if len(wide) > 0 {
		add("The %g%% intervals of these arms' means are wider than ±%.0f%% of the mean: %s. About %d replications would narrow them all to ±%.0f%%. The verdicts rest on the paired differences, which common random numbers make much more precise than the means.",
			100*r.Confidence, 100*precisionTarget, strings.Join(wide, "; "), need, 100*precisionTarget)
	}
	for ai, a := range r.Arms {
		if ai == r.baseIdx {
			continue
		}
		var unresolved []string
		for _, res := range r.Results {
			m := res.Metric
			for _, d := range res.Diffs {
				if d.Arm != a || d.Significant || d.Verdict == "identical" || d.N < 2 || d.Mean == 0 || math.IsNaN(d.SD) {
					continue
				}
				k := repsToDetect(d, r.Confidence)
				if k <= d.N {
					continue
				}
				need := fmt.Sprintf("about %d", k)
				if k > 1000 {
					need = "more than 1000"
				}
				unresolved = append(unresolved, fmt.Sprintf("`%s` (%s%s, interval %s; %s)", m.Name, signed(d.Mean), unitSuffix(m.Unit), signedInterval(d.Low, d.High), need))
			}
		}
		if len(unresolved) > 0 {
			add("%s vs %s: %d replications do not resolve the differences in %s. If such a difference is real, the replications in brackets would detect it with 80%% power; a difference needing very many is negligible next to the run-to-run spread.",
				a, r.Baseline, r.Replications, strings.Join(unresolved, ", "))
		}
	}
	for ai, a := range r.Arms {
		var tele, unfinished, thr float64
		runs := 0
		for _, rec := range r.records[ai] {
			if t := float64(rec.Metrics["teleports"]); t > 0 {
				tele += t
				runs++
			}
			unfinished += float64(rec.Metrics["unfinished"])
			thr += float64(rec.Metrics["throughput"])
		}
		n := float64(len(r.records[ai]))
		if runs > 0 {
			add("Arm %s: vehicles teleported in %d of %d runs (%.1f per run on average). Teleports resolve gridlock by moving stuck vehicles, which shortens their recorded travel times.", a, runs, len(r.records[ai]), tele/n)
		}
		if thr > 0 && unfinished > 0.02*thr {
			add("Arm %s: %.0f trips per run on average had not finished when the run ended (%.0f%% of the throughput). Trip metrics cover arrived trips only, which flatters an arm that leaves more traffic behind; consider a longer cooldown.", a, unfinished/n, 100*unfinished/thr)
		}
	}
	r.Warnings = w
}

// write writes every report file into dir.
func (r *Report) write(dir string) error {
	files := map[string][]byte{}
	pg, plots, err := r.page()
	if err != nil {
		return fmt.Errorf("experiments: plotting: %w", err)
	}
	for name, svg := range plots {
		files[filepath.ToSlash(filepath.Join(plotsDir, name))] = svg
	}
	files[ReportMarkdown] = pg.markdown()
	files[ReportHTML] = pg.html()
	files[RunsCSV] = r.runsCSV()
	if files[RunsJSON], err = r.runsJSON(); err != nil {
		return fmt.Errorf("experiments: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, plotsDir, "*.svg"))
	for _, o := range old {
		os.Remove(o)
	}
	r.Files = slices.Sorted(maps.Keys(files))
	for _, name := range r.Files {
		if err := writeFileAtomic(filepath.Join(dir, name), files[name]); err != nil {
			return fmt.Errorf("experiments: %w", err)
		}
	}
	return nil
}

func (r *Report) runsCSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := append([]string{"arm", "replication", "seed"}, MetricNames()...)
	w.Write(header)
	for ai, a := range r.Arms {
		for rep, rec := range r.records[ai] {
			row := []string{a, strconv.Itoa(rep), strconv.FormatUint(rec.Seed, 10)}
			for _, m := range metricList {
				v, ok := rec.Metrics[m.Name]
				if !ok {
					v = Num(math.NaN())
				}
				row = append(row, fmtNum(float64(v)))
			}
			w.Write(row)
		}
	}
	w.Flush()
	return b.Bytes()
}

func (r *Report) runsJSON() ([]byte, error) {
	type run struct {
		Arm         string         `json:"arm"`
		Replication int            `json:"replication"`
		Seed        uint64         `json:"seed"`
		Metrics     map[string]Num `json:"metrics"`
		Scenario    string         `json:"scenario"`
	}
	v := struct {
		Experiment  string `json:"experiment"`
		Fingerprint string `json:"fingerprint"`
		Runs        []run  `json:"runs"`
	}{r.Name, r.Fingerprint, nil}
	for ai, a := range r.Arms {
		for rep, rec := range r.records[ai] {
			v.Runs = append(v.Runs, run{a, rep, rec.Seed, rec.Metrics, rec.Scenario})
		}
	}
	return encodeJSON(v)
}

// Number formatting for the report.

func num(x float64) string {
	a := math.Abs(x)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "–"
	case a >= 1000:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case a >= 1 || a == 0:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

func signed(x float64) string {
	s := num(x)
	if x > 0 {
		return "+" + s
	}
	return s
}

func pct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%+.1f%%", 100*x)
}

func pval(p float64) string {
	switch {
	case math.IsNaN(p):
		return "–"
	case p < 0.001:
		return "< 0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

func interval(lo, hi float64) string {
	if math.IsNaN(lo) {
		return "–"
	}
	return "[" + num(lo) + ", " + num(hi) + "]"
}

func signedInterval(lo, hi float64) string {
	if math.IsNaN(lo) {
		return "–"
	}
	return "[" + signed(lo) + ", " + signed(hi) + "]"
}

func withUnit(label, unit string) string {
	if unit == "" {
		return label
	}
	return label + " (" + unit + ")"
}

// page lays out the report and draws its plots (by file name).
func (r *Report) page() (*page, map[string][]byte, error) {
	plots := map[string][]byte{}
	pg := &page{title: "A/B experiment: " + r.Name}
	base := r.Base
	if base == DefaultBase {
		base = "the embedded default (Wuhan)"
	} else {
		base = "`" + base + "`"
	}
	pg.para("Base scenario: %s. %d replications per arm with common random numbers (replication i runs with the same seed in every arm); %g s simulated per run, of which the first %g s are a warm-up left out of every statistic. Baseline: **%s**. Intervals are %g%% confidence intervals.",
		base, r.Replications, r.Duration, r.Warmup, r.Baseline, 100*r.Confidence)
	pg.para("Experiment fingerprint `%s`.", r.Fingerprint[:min(16, len(r.Fingerprint))])

	pg.h2("Arms")
	var rows [][]string
	for _, a := range r.man.Arms {
		ov := "(the base scenario as it is)"
		if len(a.Overrides) > 0 {
			ov = "`" + strings.Join(a.Overrides, "`, `") + "`"
		}
		name := a.Name
		if a.Name == r.Baseline {
			name += " (baseline)"
		}
		rows = append(rows, []string{name, ov})
	}
	pg.table([]string{"arm", "overrides"}, nil, rows)
	if len(r.man.Common) > 0 {
		pg.para("Every arm also sets `%s`.", strings.Join(r.man.Common, "`, `"))
	}

	// Summary: change against the baseline.
	pg.h2("Summary")
	multi := len(r.Arms) > 2
	note := ""
	if multi {
		note = " Significance uses p-values adjusted for the " + strconv.Itoa(len(r.Arms)-1) + " comparisons by Holm's method."
	}
	pg.para("Change of each arm against %s: mean paired difference over the baseline's mean, with its %g%% interval.%s",
		r.Baseline, 100*r.Confidence, note)
	header := []string{"metric", r.Baseline + " (baseline)"}
	align := []bool{false, true}
	for _, a := range r.Arms {
		if a != r.Baseline {
			header = append(header, a)
			align = append(align, true)
		}
	}
	rows = nil
	for _, res := range r.Results {
		m := res.Metric
		dir := "lower is better"
		if m.HigherIsBetter {
			dir = "higher is better"
		}
		b := res.Estimates[r.baseIdx]
		row := []string{withUnit(m.Label, m.Unit) + ", " + dir, num(b.Mean) + " " + interval(b.Low, b.High)}
		for _, d := range res.Diffs {
			cell := "–"
			if !math.IsNaN(d.Mean) && b.Mean != 0 && !math.IsNaN(b.Mean) {
				s := 1 / math.Abs(b.Mean)
				cell = pct(d.Mean*s) + " " + pctInterval(d.Low*s, d.High*s)
			}
			switch d.Verdict {
			case "better", "worse":
				cell += " **" + d.Verdict + "**"
			default:
				cell += " " + d.Verdict
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	pg.table(header, align, rows)
	if svg, err := effectsPlot(r); err != nil {
		return nil, nil, err
	} else if svg != nil {
		plots["effects.svg"] = svg
		pg.img("Change against the baseline, one panel per metric on its own scale", "plots/effects.svg", svg)
	}

	if len(r.Warnings) > 0 {
		pg.h2("Warnings")
		pg.list(r.Warnings...)
	}

	pg.h2("Results by metric")
	for _, res := range r.Results {
		m := res.Metric
		pg.h3(withUnit(m.Label, m.Unit))
		dir := "Lower is better."
		if m.HigherIsBetter {
			dir = "Higher is better."
		}
		pg.para("`%s`: %s. %s", m.Name, m.Doc, dir)
		header := []string{"arm", "n", "mean", "sd", fmt.Sprintf("%g%% CI", 100*r.Confidence), "Δ vs " + r.Baseline, fmt.Sprintf("%g%% CI of Δ", 100*r.Confidence), "change", "p"}
		if multi {
			header = append(header, "p (Holm)")
		}
		header = append(header, "verdict")
		align := make([]bool, len(header))
		for i := 1; i < len(header)-1; i++ {
			align[i] = true
		}
		rows = nil
		di := 0
		for ai, e := range res.Estimates {
			row := []string{r.Arms[ai], strconv.Itoa(e.N), num(e.Mean), num(e.SD), interval(e.Low, e.High)}
			if ai == r.baseIdx {
				row[0] += " (baseline)"
				row = append(row, "", "", "", "")
				if multi {
					row = append(row, "")
				}
				row = append(row, "")
			} else {
				d := res.Diffs[di]
				di++
				row = append(row, signed(d.Mean), signedInterval(d.Low, d.High), pct(d.Relative), pval(d.P))
				if multi {
					row = append(row, pval(d.PHolm))
				}
				v := d.Verdict
				if d.Significant {
					v = "**" + v + "**"
				}
				row = append(row, v)
			}
			rows = append(rows, row)
		}
		pg.table(header, align, rows)
	}

	pg.h2("Travel times")
	rows = nil
	for ai, a := range r.Arms {
		q := quantiles(r.travelTimes[ai], []float64{0.5, 0.9, 0.95, 1})
		rows = append(rows, []string{a, strconv.Itoa(len(r.travelTimes[ai])), num(q[0]), num(q[1]), num(q[2]), num(q[3])})
	}
	pg.para("Travel times of the trips the statistics cover, all replications pooled (s).")
	pg.table([]string{"arm", "trips", "median", "90th pct", "95th pct", "max"}, []bool{false, true, true, true, true, true}, rows)
	if svg, err := travelTimePlot(r); err != nil {
		return nil, nil, err
	} else if svg != nil {
		plots["travel-times.svg"] = svg
		pg.img("Distribution of travel times per arm", "plots/travel-times.svg", svg)
	}

	pg.h2("Over time")
	pg.para("Means over the replications of each interval of the time series.")
	for _, s := range []struct {
		file, title, y string
		f              func(SeriesRow) float64
	}{
		{"running.svg", "Vehicles in the network", "vehicles", func(s SeriesRow) float64 { return float64(s.Running) }},
		{"speed.svg", "Mean speed of running vehicles", "km/h", func(s SeriesRow) float64 { return s.MeanSpeed * 3.6 }},
		{"delay.svg", "Delay accumulated in each interval", "vehicle-hours", func(s SeriesRow) float64 { return s.Delay / 3600 }},
	} {
		svg, err := seriesPlot(r, s.title, s.y, s.f)
		if err != nil {
			return nil, nil, err
		}
		if svg != nil {
			plots[s.file] = svg
			pg.img(s.title, "plots/"+s.file, svg)
		}
	}

	if len(r.junctions) > 0 {
		pg.h2("Junctions")
		pg.para("Delay per vehicle on the approaches of the %d junctions with the most delay in the baseline (s per vehicle; in brackets the total in vehicle-hours per run), means over the replications. A junction's approaches are the roads ending at it; their delay is the time lost against desired speeds on them, queueing at the junction's stop lines included.", len(r.junctions))
		header := []string{"junction"}
		align := []bool{false}
		for _, a := range r.Arms {
			header = append(header, a)
			align = append(align, true)
		}
		rows = nil
		for _, j := range r.junctions {
			row := []string{"`" + j.ID + "`"}
			for ai := range r.Arms {
				row = append(row, num(j.PerVeh[ai])+" ("+num(j.Total[ai])+")")
			}
			rows = append(rows, row)
		}
		pg.table(header, align, rows)
		if svg, err := junctionPlot(r, r.junctions); err != nil {
			return nil, nil, err
		} else if svg != nil {
			plots["junctions.svg"] = svg
			pg.img("Delay per vehicle at the busiest junctions", "plots/junctions.svg", svg)
		}
	}

	mapped := false
	for ai, a := range r.Arms {
		if ai == r.baseIdx {
			continue
		}
		diff := r.roadDiff(ai)
		if diff == nil {
			continue
		}
		if !mapped {
			pg.h2("Where delay changes")
			pg.para("Each road coloured by the mean over replications of its delay in the arm minus the baseline (vehicle-hours per run): red where the arm adds delay, blue where it saves it. Each direction of a street is drawn on its own side.")
			mapped = true
		}
		title := fmt.Sprintf("Road delay, %s minus %s", a, r.Baseline)
		svg, err := mapPlot(title, r.nets[ai], diff, "veh·h")
		if err != nil {
			return nil, nil, err
		}
		if svg != nil {
			name := "map-" + a + ".svg"
			plots[name] = svg
			pg.img(title, "plots/"+name, svg)
		}
	}

	pg.h2("Method")
	pg.list(
		"**Common random numbers.** Replication i of every arm runs with the same seed, so it sees the same demand and the same per-vehicle random draws (the engine draws them from the seed and the trip or vehicle id). The differences between arms in one replication are due to the arms, not the dice.",
		fmt.Sprintf("**Per arm:** mean over the replications with a Student-t %g%% interval (mean ± t·s/√n).", 100*r.Confidence),
		"**Against the baseline:** the paired differences d_i = arm_i − baseline_i; their mean with a Student-t interval, a two-sided paired t-test (p), and the change relative to the baseline's mean. When every difference is exactly zero the arms are reported identical.",
		"**Several arms:** with more than one comparison, each metric's p-values are adjusted by Holm's step-down method (Holm 1979), which keeps the chance of any false positive among an arm's comparisons at the significance level. The intervals are not adjusted.",
		fmt.Sprintf("**Warm-up:** the first %g s of each run are left out: trips scheduled before it, queues sampled before it and road delays accumulated before it.", r.Warmup),
		"**Warnings** flag fewer than five replications, arm means whose interval is wider than ±5% of the mean (with the replications that would narrow it, normal approximation), differences the replications do not resolve (with the replications a paired test would need for 80% power), teleports and unfinished trips.",
	)

	pg.h2("Runs")
	pg.para("Every run's metrics are in `%s`; `%s` also holds each run's exact scenario text, which `citytwin run` reproduces when saved next to the base scenario.", RunsCSV, RunsJSON)
	header = []string{"arm", "replication", "seed"}
	align = []bool{false, true, true}
	for _, res := range r.Results {
		header = append(header, res.Metric.Name)
		align = append(align, true)
	}
	rows = nil
	for ai, a := range r.Arms {
		for rep, rec := range r.records[ai] {
			row := []string{a, strconv.Itoa(rep), strconv.FormatUint(rec.Seed, 10)}
			for _, res := range r.Results {
				row = append(row, num(float64(rec.Metrics[res.Metric.Name])))
			}
			rows = append(rows, row)
		}
	}
	pg.table(header, align, rows)
	return pg, plots, nil
}

func pctInterval(lo, hi float64) string {
	if math.IsNaN(lo) {
		return ""
	}
	return "[" + pct(lo) + ", " + pct(hi) + "]"
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " " + unit
}
