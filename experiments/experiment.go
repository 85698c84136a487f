package experiments

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/citytwin/citytwin/internal/limitio"
	"github.com/citytwin/citytwin/internal/tomlkit"
	"github.com/citytwin/citytwin/scenarios"
)

// Experiment is an A/B experiment as read from its TOML file: a base
// scenario, two or more arms that override keys of it, the number of
// replications and what to compare. Build one with [Load] or [Parse].
type Experiment struct {
	// Name labels the report and the default output directory.
	Name string
	// File is the experiment file as given to Load or Parse.
	File string
	// Source is the exact text of the experiment file.
	Source []byte
	// Base is the base scenario as the file names it: DefaultBase for the
	// embedded default scenario, otherwise a path relative to File's folder.
	Base string
	// Seed is the experiment seed: replication i runs with
	// ReplicationSeed(i) in every arm (common random numbers).
	Seed uint64
	// Replications is the number of runs of each arm (≥ 1).
	Replications int
	// Warmup is the initial simulated time left out of every statistic
	// (s); the base scenario's warmup unless the file sets one.
	Warmup float64
	// Duration is the simulated time of a run, duration + cooldown of the
	// base scenario after the common overrides (s). Arms may change it.
	Duration float64
	// Metrics lists the metrics to compare, by name (see [Metrics]).
	Metrics []string
	// Baseline is the arm the others are compared with.
	Baseline string
	// Confidence is the confidence level of the intervals, 0.95 by default;
	// 1 − Confidence is the significance level of the tests.
	Confidence float64
	// Output is the default output directory, relative to the working
	// directory: "out/ab/<name>" unless the file sets one.
	Output string
	// Common holds the scenario overrides applied to every arm, as a TOML
	// tree (nil when the file has no [common] table).
	Common map[string]any
	// Arms lists the arms in file order.
	Arms []Arm

	baseName    string // the name the base scenario is parsed under
	embedded    bool   // the base is the embedded default scenario
	fingerprint string
}

// Arm is one variant of an experiment.
type Arm struct {
	// Name is the arm's table name: letters, digits, '_' and '-'.
	Name string
	// Overrides is the arm's table as a TOML tree: scenario keys merged
	// over the base scenario (after the common overrides).
	Overrides map[string]any

	tree map[string]any // the arm's complete scenario, without seed
}

// DefaultBase names the embedded default scenario (the Wuhan network) in
// an experiment's scenario key; it is also the default.
const DefaultBase = "default"

// Defaults of the experiment keys.
const (
	DefaultConfidence = 0.95
	DefaultOutputRoot = "out/ab" // output is DefaultOutputRoot/<name>
)

// Keys an arm or [common] may not override, and why.
var reserved = map[string]string{
	"seed":    "is set for each replication by the experiment (common random numbers); set the experiment's seed instead",
	"warmup":  "is the same in every arm; set the experiment's warmup instead",
	"workers": "is 1 in every run (runs go in parallel instead); use --parallel",
}

// An Error is one problem with an experiment. Parse returns every problem
// it finds, joined with [errors.Join].
type Error struct {
	File string // the experiment file
	Line int    // line in File (from 1), or 0 when not known
	// Arm is the arm whose scenario has the problem, or "".
	Arm string
	// Key is the key path: in the experiment file, or, when Arm is set, in
	// the arm's scenario (such as "signals.policy").
	Key string
	Msg string
	Err error // underlying error, or nil
}

// Error formats the problem as
// "experiments: file:line: arm "name": key: message", leaving out the parts
// that are not known.
func (e *Error) Error() string {
	arm := ""
	if e.Arm != "" {
		arm = fmt.Sprintf("arm %q", e.Arm)
	}
	return tomlkit.Format("experiments", e.File, e.Line, arm, e.Key, e.Msg)
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Load reads and checks the experiment file at path; see [Parse].
func Load(path string) (*Experiment, error) {
	data, err := limitio.ReadFile(path, scenarios.MaxScenarioBytes)
	if err != nil {
		return nil, fmt.Errorf("experiments: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes and checks an experiment. name is the file the data came
// from: it labels errors and is the folder against which the base
// scenario's path is resolved.
//
// Decoding is strict, as for scenarios. Each arm's scenario (the base with
// the common and the arm's overrides merged in) is checked by
// [scenarios.Parse], so a key the scenario format does not know, or a
// value out of range, is reported with the arm's name and the line of the
// experiment file that sets it. All problems are returned at once.
func Parse(data []byte, name string) (*Experiment, error) {
	src := string(data)
	var tree map[string]any
	md, err := toml.Decode(src, &tree)
	if err != nil {
		line, msg := tomlkit.DecodeError(src, err)
		return nil, &Error{File: name, Line: line, Msg: "invalid TOML: " + msg, Err: err}
	}
	p := &parser{file: name, lines: scenarios.KeyLines(src)}
	e := &Experiment{File: name, Source: slices.Clone(data), Base: DefaultBase, Confidence: DefaultConfidence}
	p.top(e, tree, md)
	if len(p.probs) > 0 {
		return nil, errors.Join(p.probs...)
	}
	if err := p.scenarios(e); err != nil {
		return nil, err
	}
	e.fingerprint = e.computeFingerprint()
	return e, nil
}

// parser collects the problems of an experiment file.
type parser struct {
	file  string
	lines map[string]int
	probs []error
}

func (p *parser) add(key, format string, args ...any) {
	p.probs = append(p.probs, &Error{File: p.file, Line: p.lines[key], Key: key, Msg: fmt.Sprintf(format, args...)})
}

var topKeys = []string{"name", "scenario", "seed", "replications", "warmup", "metrics", "baseline", "confidence", "output", "common", "arms"}

// top reads the experiment's own keys.
func (p *parser) top(e *Experiment, tree map[string]any, md toml.MetaData) {
	for _, k := range slices.Sorted(maps.Keys(tree)) {
		if !slices.Contains(topKeys, k) {
			p.add(joinKey("", k), "unknown key (an experiment has %s; scenario keys go in [common] or an arm)", strings.Join(topKeys, ", "))
		}
	}
	str := func(key string, dst *string) {
		if v, ok := tree[key]; ok {
			if s, ok := v.(string); ok {
				*dst = s
			} else {
				p.add(key, "want a string, got %s", tomlkit.TypeName(v))
			}
		}
	}
	str("name", &e.Name)
	str("scenario", &e.Base)
	str("baseline", &e.Baseline)
	str("output", &e.Output)
	if e.Name == "" {
		e.Name = strings.TrimSuffix(filepath.Base(e.File), filepath.Ext(e.File))
	}
	if e.Name == "" || e.Name == "." {
		e.Name = "experiment"
	}
	if e.Base == "" {
		e.Base = DefaultBase
	}
	if e.Output == "" {
		e.Output = filepath.Join(DefaultOutputRoot, e.Name)
	}

	if v, ok := tree["seed"]; ok {
		if n, ok := v.(int64); ok && n >= 0 {
			e.Seed = uint64(n)
		} else {
			p.add("seed", "want a non-negative integer, got %s", tomlkit.TypeName(v))
		}
	}
	if v, ok := tree["replications"]; !ok {
		p.add("replications", "required: the number of runs of each arm (at least 1; 10 or more is usual)")
	} else if n, ok := v.(int64); !ok {
		p.add("replications", "want an integer, got %s", tomlkit.TypeName(v))
	} else if n < 1 || n > 100000 {
		p.add("replications", "must be in [1, 100000], got %d", n)
	} else {
		e.Replications = int(n)
	}
	e.Warmup = math.NaN()
	if v, ok := tree["warmup"]; ok {
		if x, ok := number(v); ok && x >= 0 && !math.IsInf(x, 0) {
			e.Warmup = x
		} else {
			p.add("warmup", "want a non-negative number of seconds, got %s", tomlkit.TypeName(v))
		}
	}
	if v, ok := tree["confidence"]; ok {
		if x, ok := number(v); ok && x > 0 && x < 1 {
			e.Confidence = x
		} else {
			p.add("confidence", "want a number in (0, 1) such as 0.95, got %s", tomlkit.TypeName(v))
		}
	}
	if v, ok := tree["metrics"]; ok {
		list, ok := v.([]any)
		if !ok {
			p.add("metrics", "want an array of metric names, got %s", tomlkit.TypeName(v))
		}
		for i, m := range list {
			key := fmt.Sprintf("metrics[%d]", i)
			s, ok := m.(string)
			switch {
			case !ok:
				p.add(key, "want a string, got %s", tomlkit.TypeName(m))
			case metricIndex(s) < 0:
				p.add(key, "unknown metric %q (known: %s)", s, strings.Join(MetricNames(), ", "))
			case slices.Contains(e.Metrics, s):
				p.add(key, "metric %q is listed twice", s)
			default:
				e.Metrics = append(e.Metrics, s)
			}
		}
		if ok && len(list) == 0 {
			p.add("metrics", "must list at least one metric")
		}
	} else {
		e.Metrics = slices.Clone(DefaultMetrics)
	}

	if v, ok := tree["common"]; ok {
		if m, ok := v.(map[string]any); ok {
			e.Common = m
		} else {
			p.add("common", "want a table of scenario keys, got %s", tomlkit.TypeName(v))
		}
	}

	arms, ok := tree["arms"].(map[string]any)
	if v, present := tree["arms"]; present && !ok {
		p.add("arms", "want a table of arms ([arms.NAME] tables), got %s", tomlkit.TypeName(v))
	}
	// Arms in file order: the TOML library remembers the order of keys.
	var names []string
	for _, k := range md.Keys() {
		if len(k) >= 2 && k[0] == "arms" && !slices.Contains(names, k[1]) {
			if _, ok := arms[k[1]]; ok {
				names = append(names, k[1])
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(arms)) {
		if !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	for _, n := range names {
		key := joinKey("arms", n)
		m, ok := arms[n].(map[string]any)
		switch {
		case !ok:
			p.add(key, "want a table of scenario keys, got %s", tomlkit.TypeName(arms[n]))
			continue
		case !validArmName(n):
			p.add(key, "arm names may use only letters, digits, '_' and '-' (they name folders), got %q", n)
			continue
		}
		e.Arms = append(e.Arms, Arm{Name: n, Overrides: m})
	}
	if _, present := tree["arms"]; !present {
		p.add("arms", "required: at least two [arms.NAME] tables")
	} else if ok && len(arms) < 2 {
		p.add("arms", "an experiment needs at least two arms, got %d", len(arms))
	}
	if e.Baseline == "" && len(e.Arms) > 0 {
		e.Baseline = e.Arms[0].Name
	} else if e.Baseline != "" && len(e.Arms) > 0 && e.armIndex(e.Baseline) < 0 {
		p.add("baseline", "no arm is named %q (arms: %s)", e.Baseline, strings.Join(e.ArmNames(), ", "))
	}
}

func validArmName(n string) bool {
	return n != "" && len(n) <= 64 && !strings.ContainsFunc(n, func(r rune) bool { return !isBare(r) })
}

// scenarios reads the base scenario and builds and checks every arm's.
func (p *parser) scenarios(e *Experiment) error {
	var baseSrc []byte
	if e.Base == DefaultBase {
		baseSrc, e.baseName, e.embedded = scenarios.DefaultSource(), scenarios.DefaultFile, true
	} else {
		e.baseName = e.Base
		if !filepath.IsAbs(e.baseName) {
			e.baseName = filepath.Join(filepath.Dir(e.File), e.Base)
		}
		var err error
		if baseSrc, err = limitio.ReadFile(e.baseName, scenarios.MaxScenarioBytes); err != nil {
			return &Error{File: e.File, Line: p.lines["scenario"], Key: "scenario", Msg: fmt.Sprintf("cannot read the base scenario: %v", err), Err: err}
		}
	}
	// The base must be sound on its own, so that what remains is the
	// arms' doing. Its errors carry its own file and lines.
	base, err := scenarios.Parse(baseSrc, e.baseName)
	if err != nil {
		return fmt.Errorf("experiments: %s: the base scenario %s is invalid:\n%w", e.File, e.baseName, err)
	}
	if math.IsNaN(e.Warmup) {
		e.Warmup = base.Warmup
	}
	var baseTree map[string]any
	if _, err := toml.Decode(string(baseSrc), &baseTree); err != nil {
		return fmt.Errorf("experiments: %s: %w", e.baseName, err) // Parse accepted it
	}

	var probs []error
	seen := map[string]bool{}
	addAll := func(errs ...error) {
		for _, err := range errs {
			if s := err.Error(); !seen[s] { // common problems repeat in every arm
				seen[s] = true
				probs = append(probs, err)
			}
		}
	}
	for i := range e.Arms {
		a := &e.Arms[i]
		tree := deepCopy(baseTree).(map[string]any)
		origin := map[string]string{} // scenario key → experiment key that set it
		if e.Common != nil {
			addAll(p.merge(tree, e.Common, "", "common", origin)...)
		}
		addAll(p.merge(tree, a.Overrides, "", joinKey("arms", a.Name), origin)...)
		tree["warmup"] = e.Warmup
		tree["workers"] = int64(1)
		delete(tree, "seed")
		a.tree = tree
		text, err := e.scenarioText(a, 0)
		if err != nil {
			addAll(&Error{File: e.File, Arm: a.Name, Msg: err.Error(), Err: err})
			continue
		}
		sc, err := scenarios.Parse(text, e.baseName)
		if err != nil {
			addAll(p.armErrors(a.Name, err, origin)...)
			continue
		}
		if i == 0 {
			e.Duration = sc.Duration + sc.Cooldown
		}
	}
	if len(probs) > 0 {
		tomlkit.SortByLine(probs, func(err error) int {
			if e := (*Error)(nil); errors.As(err, &e) {
				return e.Line
			}
			return 0
		})
		return errors.Join(probs...)
	}
	return nil
}

// merge merges the overrides src into the scenario tree dst. Tables merge
// key by key; any other value replaces the base's. A key of the form
// name[i] addresses element i of the base's array name (so
// "vtypes[1]".headway = 2 changes one parameter of the second vehicle
// type). scen and exp are the key paths of dst in the scenario and of src
// in the experiment file; origin records which experiment key set each
// scenario key.
func (p *parser) merge(dst, src map[string]any, scen, exp string, origin map[string]string) []error {
	var probs []error
	for _, k := range slices.Sorted(maps.Keys(src)) {
		v := src[k]
		ek := joinKey(exp, k)
		name, idx, indexed := splitIndex(k)
		sk := joinKey(scen, name)
		if scen == "" {
			if why, ok := reserved[name]; ok {
				probs = append(probs, &Error{File: p.file, Line: p.lines[ek], Key: ek, Msg: name + " " + why})
				continue
			}
		}
		if !indexed {
			origin[sk] = ek
			if vm, ok := v.(map[string]any); ok {
				if dm, ok := dst[k].(map[string]any); ok {
					probs = append(probs, p.merge(dm, vm, sk, ek, origin)...)
					continue
				}
			}
			dst[k] = deepCopy(v)
			continue
		}
		sk = fmt.Sprintf("%s[%d]", sk, idx)
		origin[sk] = ek
		n := 0
		switch arr := dst[name].(type) {
		case []map[string]any:
			n = len(arr)
			if idx < n {
				if vm, ok := v.(map[string]any); ok {
					probs = append(probs, p.merge(arr[idx], vm, sk, ek, origin)...)
				} else {
					probs = append(probs, &Error{File: p.file, Line: p.lines[ek], Key: ek, Msg: fmt.Sprintf("want a table to merge into %s, got %s", sk, tomlkit.TypeName(v))})
				}
				continue
			}
		case []any:
			n = len(arr)
			if idx < n {
				arr[idx] = deepCopy(v)
				continue
			}
		default:
			if _, ok := dst[name]; ok {
				probs = append(probs, &Error{File: p.file, Line: p.lines[ek], Key: ek, Msg: fmt.Sprintf("%s is not an array in the base scenario", joinKey(scen, name))})
				continue
			}
		}
		probs = append(probs, &Error{File: p.file, Line: p.lines[ek], Key: ek,
			Msg: fmt.Sprintf("the base scenario has no %s (its %s has %d elements, counted from 0)", sk, joinKey(scen, name), n)})
	}
	return probs
}

// splitIndex splits "name[i]" into name and i.
func splitIndex(k string) (string, int, bool) {
	name, rest, ok := strings.Cut(k, "[")
	if !ok || !strings.HasSuffix(rest, "]") || name == "" {
		return k, 0, false
	}
	i, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
	if err != nil || i < 0 {
		return k, 0, false
	}
	return name, i, true
}

// armErrors turns the problems scenarios.Parse found in an arm's scenario
// into Errors that point into the experiment file.
func (p *parser) armErrors(arm string, err error, origin map[string]string) []error {
	var out []error
	for _, e := range flatten(err) {
		var se *scenarios.Error
		if !errors.As(e, &se) {
			out = append(out, &Error{File: p.file, Line: p.lines[joinKey("arms", arm)], Arm: arm, Msg: e.Error(), Err: e})
			continue
		}
		line := p.lines[joinKey("arms", arm)]
		for k := se.Key; k != ""; k = parentKey(k) {
			if ek, ok := origin[k]; ok {
				line = p.lines[ek]
				break
			}
		}
		out = append(out, &Error{File: p.file, Line: line, Arm: arm, Key: se.Key, Msg: se.Msg, Err: se})
	}
	return out
}

// parentKey strips the last part of a key path: "a.b[2]" → "a.b" → "a".
func parentKey(k string) string {
	if strings.HasSuffix(k, "]") {
		if i := strings.LastIndexByte(k, '['); i > 0 {
			return k[:i]
		}
	}
	if i := strings.LastIndexByte(k, '.'); i > 0 {
		return k[:i]
	}
	return ""
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// ArmNames returns the names of the arms in file order.
func (e *Experiment) ArmNames() []string {
	names := make([]string, len(e.Arms))
	for i, a := range e.Arms {
		names[i] = a.Name
	}
	return names
}

func (e *Experiment) armIndex(name string) int {
	return slices.IndexFunc(e.Arms, func(a Arm) bool { return a.Name == name })
}

// ReplicationSeed returns the scenario seed of replication i (from 0): the
// same in every arm, so that replication i of every arm sees the same
// demand and the same per-vehicle draws. It is SplitMix64 of the
// experiment seed plus i, halved to fit a TOML integer.
func (e *Experiment) ReplicationSeed(i int) uint64 {
	z := e.Seed + uint64(i)*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return (z ^ z>>31) >> 1
}

// ScenarioText returns the exact scenario that replication rep of arm
// runs: the base scenario with the common and the arm's overrides, the
// replication's seed, the experiment's warmup and one worker. Relative
// paths in it are relative to the base scenario's folder.
func (e *Experiment) ScenarioText(arm string, rep int) ([]byte, error) {
	i := e.armIndex(arm)
	if i < 0 {
		return nil, fmt.Errorf("experiments: no arm %q", arm)
	}
	if rep < 0 || rep >= e.Replications {
		return nil, fmt.Errorf("experiments: replication %d out of range [0, %d)", rep, e.Replications)
	}
	return e.scenarioText(&e.Arms[i], rep)
}

func (e *Experiment) scenarioText(a *Arm, rep int) ([]byte, error) {
	tree := make(map[string]any, len(a.tree)+1)
	for k, v := range a.tree {
		tree[k] = v
	}
	tree["seed"] = int64(e.ReplicationSeed(rep))
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generated by citytwin ab: experiment %q, arm %q, replication %d.\n", e.Name, a.Name, rep)
	fmt.Fprintf(&b, "# The base scenario is %s; relative paths are relative to its folder.\n\n", e.Base)
	if err := toml.NewEncoder(&b).Encode(tree); err != nil {
		return nil, fmt.Errorf("experiments: arm %q: %w", a.Name, err)
	}
	return b.Bytes(), nil
}

// Scenario returns the parsed scenario of replication rep of arm, ready for
// [scenarios.Build].
func (e *Experiment) Scenario(arm string, rep int) (*scenarios.Scenario, error) {
	text, err := e.ScenarioText(arm, rep)
	if err != nil {
		return nil, err
	}
	return e.parseScenario(text)
}

// parseScenario parses a run's scenario text under the base scenario's
// name, so that relative paths resolve as in the base (into the embedded
// files for the default scenario).
func (e *Experiment) parseScenario(text []byte) (*scenarios.Scenario, error) {
	if e.embedded {
		return scenarios.ParseDefault(text)
	}
	return scenarios.Parse(text, e.baseName)
}

// Fingerprint identifies what the experiment computes: a SHA-256 over its
// arms' exact scenarios, seeds, replications, warmup, metrics, baseline and
// confidence level, in hex. Shards of one experiment have the same
// fingerprint; Merge refuses outputs whose fingerprints differ.
func (e *Experiment) Fingerprint() string { return e.fingerprint }

func (e *Experiment) computeFingerprint() string {
	type arm struct {
		Name     string `json:"name"`
		Scenario string `json:"scenario"`
	}
	v := struct {
		Format       string   `json:"format"`
		Name         string   `json:"name"`
		Seed         uint64   `json:"seed"`
		Replications int      `json:"replications"`
		Warmup       float64  `json:"warmup"`
		Metrics      []string `json:"metrics"`
		Baseline     string   `json:"baseline"`
		Confidence   float64  `json:"confidence"`
		Arms         []arm    `json:"arms"`
	}{manifestFormat, e.Name, e.Seed, e.Replications, e.Warmup, e.Metrics, e.Baseline, e.Confidence, nil}
	for i := range e.Arms {
		text, _ := e.scenarioText(&e.Arms[i], 0)
		v.Arms = append(v.Arms, arm{e.Arms[i].Name, string(text)})
	}
	data, _ := json.Marshal(v)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// FlatOverrides returns overrides as "key = value" lines, one per leaf key,
// in key order: a readable form for reports.
func FlatOverrides(tree map[string]any) []string {
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			key := joinKey(prefix, k)
			if sub, ok := m[k].(map[string]any); ok && len(sub) > 0 {
				walk(key, sub)
				continue
			}
			out = append(out, key+" = "+tomlValue(m[k]))
		}
	}
	walk("", tree)
	return out
}

// tomlValue writes one value in TOML syntax.
func tomlValue(v any) string {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(map[string]any{"v": v}); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(b.String())
	if after, ok := strings.CutPrefix(s, "v = "); ok {
		return after
	}
	return strings.Join(strings.Fields(s), " ")
}

// number returns a TOML integer or float as a float64.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n)
	}
	return 0, false
}

// deepCopy copies a decoded TOML value.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []map[string]any:
		s := make([]map[string]any, len(v))
		for i, x := range v {
			s[i] = deepCopy(x).(map[string]any)
		}
		return s
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = deepCopy(x)
		}
		return s
	}
	return v
}
