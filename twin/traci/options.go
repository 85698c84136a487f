package traci

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Options are the sumo command-line options the server reads. Times are
// in milliseconds, as SUMO keeps them.
type Options struct {
	Net        string   // -n, --net-file
	Routes     []string // -r, --route-files (comma-separated in SUMO)
	Config     string   // -c, --configuration-file
	StepMs     int64    // --step-length (default 1 s)
	BeginMs    int64    // -b, --begin (default 0)
	EndMs      int64    // -e, --end (-1: none); SUMO ignores it under TraCI, and so does the server
	Seed       uint64   // --seed (default 23423, SUMO's)
	Random     bool     // --random: a seed from the clock
	Port       int      // --remote-port
	NumClients int      // --num-clients (only 1 is supported)
	// TripinfoOutput is the file of --tripinfo-output (SUMO's tripinfo
	// XML), written when the client closes; TripinfoUnfinished adds the
	// vehicles still on their way (--tripinfo-output.write-unfinished).
	TripinfoOutput     string
	TripinfoUnfinished bool
	NoWarnings         bool  // -W, --no-warnings
	TeleportMs         int64 // --time-to-teleport (default 300 s; negative disables)
	WaitingMemoryMs    int64 // --waiting-time-memory (default 100 s)
	// CityTwin's own options (sumo has none of them): Record writes every
	// client message to a file, Replay answers a recorded session with no
	// client (and no port), Digest prints the run digest when the session
	// ends, Workers sets the engine's worker goroutines (0: all cores;
	// results do not depend on it).
	Record  string // --citytwin.record FILE
	Replay  string // --citytwin.replay FILE
	Digest  bool   // --citytwin.digest
	Workers int    // --citytwin.workers N
	// Ignored lists the options read but not modelled (with their
	// values), reported once.
	Ignored []string

	args        []string // the command line, for recordings
	minParallel int      // engine.Config.MinParallel (tests force parallel phases with −1)
}

// optKind is how an option's value is read.
type optKind uint8

const (
	kString optKind = iota
	kList
	kTime
	kInt
	kBool
	kIgnoredValue // known to SUMO, takes a value, not modelled
	kIgnoredBool  // known to SUMO, a switch, not modelled
	kQuietValue   // known, takes a value, not modelled and harmless at the value the tools pass
	kQuietBool    // a switch whose effect the server has anyway (no notice)
)

type optSpec struct {
	long  string
	short string
	kind  optKind
}

// optionTable lists the options the server knows. Options not listed are
// ignored with a notice too (a value is taken when the next argument does
// not look like an option).
var optionTable = []optSpec{
	{"net-file", "n", kString},
	{"route-files", "r", kList},
	{"configuration-file", "c", kString},
	{"step-length", "", kTime},
	{"begin", "b", kTime},
	{"end", "e", kTime},
	{"seed", "", kInt},
	{"random", "", kBool},
	{"remote-port", "", kInt},
	{"num-clients", "", kInt},
	{"tripinfo-output", "", kString},
	{"tripinfo-output.write-unfinished", "", kBool},
	{"no-warnings", "W", kBool},
	{"time-to-teleport", "", kTime},
	{"waiting-time-memory", "", kTime},
	{"citytwin.record", "", kString},
	{"citytwin.replay", "", kString},
	{"citytwin.digest", "", kBool},
	{"citytwin.workers", "", kInt},
	{"max-depart-delay", "", kQuietValue},
	{"no-step-log", "", kQuietBool},
	{"duration-log.disable", "", kQuietBool},
	{"duration-log.statistics", "", kIgnoredBool},
	{"verbose", "v", kQuietBool},
	{"start", "S", kQuietBool},
	{"quit-on-end", "Q", kQuietBool},
	{"window-size", "", kQuietValue},
	{"additional-files", "a", kIgnoredValue},
	{"collision.check-junctions", "", kIgnoredBool},
	{"collision.action", "", kIgnoredValue},
	{"ignore-route-errors", "", kIgnoredBool},
	{"lateral-resolution", "", kIgnoredValue},
	{"device.rerouting.probability", "", kIgnoredValue},
	{"log", "l", kIgnoredValue},
	{"error-log", "", kIgnoredValue},
	{"message-log", "", kIgnoredValue},
	{"summary-output", "", kIgnoredValue},
	{"fcd-output", "", kIgnoredValue},
	{"emission-output", "", kIgnoredValue},
	{"time-to-impatience", "", kIgnoredValue},
	{"scale", "", kIgnoredValue},
}

func lookupOption(name string) (optSpec, bool) {
	for _, o := range optionTable {
		if name == o.long || name != "" && name == o.short {
			return o, true
		}
	}
	return optSpec{}, false
}

// defaultOptions are SUMO's defaults.
func defaultOptions() Options {
	return Options{StepMs: 1000, EndMs: -1, Seed: 23423, NumClients: 1, TeleportMs: 300_000, WaitingMemoryMs: 100_000}
}

// ParseArgs reads a sumo command line as SUMO's option parser does
// (OptionsParser): "--name value", "--name=value", "-x value" and "-xvalue"
// (so "-b 100" given as one argument is --begin 100); a switch takes the
// next argument as its value when that is a truth value ("--no-warnings
// True"), negative numbers are values ("--time-to-teleport -1"). A
// configuration file (-c, or a lone positional argument) is read first
// and the command line overrides it; its relative paths are relative to
// it. Options the server does not model are listed in Options.Ignored.
func ParseArgs(args []string) (Options, error) {
	o := defaultOptions()
	set := map[string]string{} // long name -> value, from the command line
	var order []string         // long names in command-line order
	var ignored []string       // options not modelled, as given
	put := func(long, val string) {
		if _, ok := set[long]; !ok {
			order = append(order, long)
		}
		set[long] = val
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			if strings.HasSuffix(a, ".sumocfg") || strings.HasSuffix(a, ".xml") {
				put("configuration-file", a)
				continue
			}
			return o, fmt.Errorf("unexpected argument %q (options start with - or --)", a)
		}
		var name, val string
		hasVal := false
		switch {
		case strings.HasPrefix(a, "--"):
			name = a[2:]
			if k := strings.IndexByte(name, '='); k >= 0 {
				name, val, hasVal = name[:k], name[k+1:], true
			}
		case len(a) > 2:
			name, val, hasVal = a[1:2], strings.TrimSpace(a[2:]), true
			if val != "" && val[0] == '=' {
				val = val[1:]
			}
		default:
			name = a[1:]
		}
		spec, known := lookupOption(name)
		long := spec.long
		if !known {
			long = name
		}
		isBool := known && (spec.kind == kBool || spec.kind == kIgnoredBool || spec.kind == kQuietBool)
		if !hasVal {
			next, ok := "", i+1 < len(args)
			if ok {
				next = args[i+1]
			}
			switch {
			case isBool:
				val = "true"
				if _, isB := parseBool(next); ok && isB && !strings.HasPrefix(next, "-") {
					val = next
					i++
				}
			case ok && (!strings.HasPrefix(next, "-") || isNumber(next)):
				val = next
				i++
			case known:
				return o, fmt.Errorf("option --%s needs a value", long)
			}
		}
		// No limit (sumo-rl's -1) is what the engine does anyway.
		noop := long == "max-depart-delay" && strings.TrimSpace(val) == "-1"
		if !known || spec.kind == kIgnoredValue || spec.kind == kIgnoredBool || long == "max-depart-delay" && !noop {
			ignored = append(ignored, strings.TrimSpace("--"+long+" "+val))
			continue
		}
		put(long, val)
	}
	if cfg, ok := set["configuration-file"]; ok {
		cv, err := readConfig(cfg)
		if err != nil {
			return o, err
		}
		for _, kv := range cv {
			if _, over := set[kv[0]]; over {
				continue
			}
			spec, known := lookupOption(kv[0])
			if !known || spec.kind == kIgnoredValue || spec.kind == kIgnoredBool {
				ignored = append(ignored, fmt.Sprintf("%s (in %s)", kv[0], filepath.Base(cfg)))
				continue
			}
			put(kv[0], kv[1])
		}
	}
	for _, long := range order {
		if err := o.apply(long, set[long]); err != nil {
			return o, err
		}
	}
	o.Ignored = ignored
	o.args = slices.Clone(args)
	if o.Net == "" && o.Replay == "" {
		return o, fmt.Errorf("no network: give -n FILE.net.xml or -c FILE.sumocfg")
	}
	if o.NumClients != 1 {
		return o, fmt.Errorf("--num-clients %d: the CityTwin TraCI server serves one client", o.NumClients)
	}
	if o.Replay == "" && (o.Port <= 0 || o.Port > 65535) {
		return o, fmt.Errorf("no TraCI port: give --remote-port PORT (1 to 65535); traci.start adds it")
	}
	return o, nil
}

// apply sets one option from its textual value.
func (o *Options) apply(long, val string) error {
	spec, _ := lookupOption(long)
	bad := func(what string) error { return fmt.Errorf("option --%s: %q is not %s", long, val, what) }
	switch spec.kind {
	case kQuietValue, kQuietBool:
		return nil
	}
	switch long {
	case "net-file":
		o.Net = val
	case "route-files":
		o.Routes = strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	case "configuration-file":
		o.Config = val
	case "tripinfo-output":
		o.TripinfoOutput = val
	case "citytwin.record":
		o.Record = val
	case "citytwin.replay":
		o.Replay = val
	case "step-length", "begin", "end", "time-to-teleport", "waiting-time-memory":
		ms, err := parseClock(val)
		if err != nil {
			return bad("a time in seconds")
		}
		switch long {
		case "step-length":
			if ms < 100 || ms > 1000 {
				return fmt.Errorf("option --step-length %s: CityTwin steps from 0.1 to 1 s", val)
			}
			o.StepMs = ms
		case "begin":
			if ms < 0 {
				return bad("a time ≥ 0")
			}
			o.BeginMs = ms
		case "end":
			o.EndMs = ms
		case "time-to-teleport":
			o.TeleportMs = ms
		case "waiting-time-memory":
			if ms < 0 {
				return bad("a time ≥ 0")
			}
			o.WaitingMemoryMs = ms
		}
	case "seed", "remote-port", "num-clients", "citytwin.workers":
		n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
		if err != nil {
			return bad("an integer")
		}
		switch long {
		case "seed":
			if n < 0 || n > 1<<31-1 {
				return bad("a seed from 0 to 2³¹−1")
			}
			o.Seed = uint64(n)
		case "remote-port":
			o.Port = int(n)
		case "num-clients":
			o.NumClients = int(n)
		case "citytwin.workers":
			if n < 0 || n > 1024 {
				return bad("a worker count from 0 to 1024")
			}
			o.Workers = int(n)
		}
	case "random", "tripinfo-output.write-unfinished", "no-warnings", "citytwin.digest":
		b, ok := parseBool(val)
		if !ok {
			return bad("true or false")
		}
		switch long {
		case "random":
			o.Random = b
		case "tripinfo-output.write-unfinished":
			o.TripinfoUnfinished = b
		case "no-warnings":
			o.NoWarnings = b
		case "citytwin.digest":
			o.Digest = b
		}
	}
	return nil
}

// parseBool reads SUMO's truth values (StringUtils::toBool).
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "yes", "true", "on", "x", "t":
		return true, true
	case "0", "no", "false", "off", "-", "f":
		return false, true
	}
	return false, false
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// parseClock reads a time as SUMO accepts it: seconds ("25200", "0.1")
// or h:m:s / d:h:m:s ("7:00:00").
func parseClock(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, ":") {
		return parseTime(s)
	}
	parts := strings.Split(s, ":")
	if len(parts) < 3 || len(parts) > 4 {
		return 0, fmt.Errorf("%q is not h:m:s", s)
	}
	mult := []int64{86_400_000, 3_600_000, 60_000}[4-len(parts):]
	var ms int64
	for i, p := range parts[:len(parts)-1] {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 || n > 1e6 {
			return 0, fmt.Errorf("%q is not h:m:s", s)
		}
		ms += n * mult[i]
	}
	sec, err := parseTime(parts[len(parts)-1])
	if err != nil || sec < 0 {
		return 0, fmt.Errorf("%q is not h:m:s", s)
	}
	return ms + sec, nil
}

// fileOptions are the options whose values are paths, resolved against
// the configuration file's folder.
var fileOptions = []string{"net-file", "route-files", "additional-files", "tripinfo-output"}

// readConfig reads a .sumocfg: every element with a value attribute, at
// any depth below the root, is an option (<input><net-file
// value="x.net.xml"/></input>). It returns (long name, value) pairs in
// file order, with relative paths made relative to the file's folder.
func readConfig(path string) ([][2]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dir := filepath.Dir(path)
	dec := xml.NewDecoder(f)
	var out [][2]string
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				continue
			}
			for _, a := range t.Attr {
				if a.Name.Local != "value" {
					continue
				}
				name, val := t.Name.Local, a.Value
				if spec, ok := lookupOption(name); ok {
					name = spec.long
				}
				if slices.Contains(fileOptions, name) {
					val = resolveList(dir, val)
				}
				out = append(out, [2]string{name, val})
			}
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("%s: unbalanced XML", path)
	}
	return out, nil
}

// resolveList makes each comma-separated relative path relative to dir.
func resolveList(dir, val string) string {
	parts := strings.FieldsFunc(val, func(r rune) bool { return r == ',' })
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p != "" && !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		parts[i] = p
	}
	return strings.Join(parts, ",")
}
