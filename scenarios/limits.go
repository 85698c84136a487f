package scenarios

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/internal/limitio"
)

// Limits are the resource budgets of a run: how much demand, input and
// memory a scenario may ask for. They are checked before any work starts
// (Validate estimates them from the file alone; Build checks what only
// the inputs can tell), so a scenario that would exhaust the machine is
// refused with a clear error instead of running out of memory. Zero means
// the default.
type Limits struct {
	// Trips bounds the trips the demand creates: flows, random trips, OD
	// matrices, trip and flow files, and the add_demand and scale_demand
	// events (estimated from their rates and factors). The live twin
	// also bounds the trips still to depart with it. Default 2,000,000.
	Trips int `toml:"trips"`
	// FileBytes bounds every input file the scenario names (bytes,
	// default 1 GiB). Only regular files are read: devices such as
	// /dev/zero and pipes are refused.
	FileBytes int `toml:"file_bytes"`
	// Memory bounds the memory the run is estimated to need: the network
	// (for a generated grid, before building it) plus the trips (bytes;
	// default half the machine's physical memory).
	Memory int `toml:"memory"`
}

// Limits on scenario files that do not depend on [limits].
const (
	DefaultMaxTrips  = 2_000_000
	DefaultFileBytes = 1 << 30
	// MaxScenarioBytes bounds a scenario file itself.
	MaxScenarioBytes = 64 << 20
	// MaxTOMLDepth bounds the nesting of arrays and inline tables in a
	// scenario file (the TOML parser recurses on them).
	MaxTOMLDepth = 32
	// MaxDuration bounds duration + cooldown (s): 30 days.
	MaxDuration = 30 * 86400.0
	// MaxDemandScale bounds demand.scale.
	MaxDemandScale = 100.0
	// MaxRandomRate bounds demand.random[].rate (veh/h, over the whole
	// network).
	MaxRandomRate = 200000.0
	// MaxODTrips bounds one cell of an OD matrix (trips).
	MaxODTrips = 1e6
	// MaxEvents bounds the [[events]] tables.
	MaxEvents = 100000
	// MaxIntervals bounds the output intervals of a run: (duration +
	// cooldown) / output.interval.
	MaxIntervals = 1_000_000
	// TripBytes is the memory a trip is estimated to take over a run
	// (trip, vehicle, route, records; bytes).
	TripBytes = 1000
)

// MaxWorkers returns the largest workers value accepted: eight per core,
// and at least 64 (results do not depend on it; more only costs memory).
func MaxWorkers() int { return max(64, 8*runtime.NumCPU()) }

// DefaultMemory returns the default of limits.memory: half the physical
// memory of the machine (from /proc/meminfo), or 8 GiB where it cannot be
// read.
func DefaultMemory() int {
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				fs := strings.Fields(rest)
				if kb, err := strconv.ParseInt(fs[0], 10, 64); err == nil && len(fs) == 2 && fs[1] == "kB" {
					return int(kb * 1024 / 2)
				}
			}
		}
	}
	return 8 << 30
}

func (l *Limits) applyDefaults() {
	def(&l.Trips, DefaultMaxTrips)
	def(&l.FileBytes, DefaultFileBytes)
	if l.Memory == 0 {
		l.Memory = DefaultMemory()
	}
}

// GridBytes estimates the peak memory of building and simulating a grid
// of rows × cols junctions with lanes lanes per direction (bytes). It was
// fitted, with a margin, to the peak resident memory of `citytwin run` on
// 20×20 and 40×40 grids of 1, 2, 4 and 8 lanes (31, 77, 174 and 608 KB per
// junction measured; movements and the conflicts between their links grow
// with the square of the lanes).
func GridBytes(rows, cols, lanes int) float64 {
	l := float64(lanes)
	return float64(rows) * float64(cols) * (float64(10*l*l) + float64(20*l) + 10) * 1024
}

// TripEstimate is the demand a scenario is estimated to create, by
// source (trips; files not counted: Build counts them as it reads).
type TripEstimate struct {
	Flows, Random, OD, Events float64
	// Factor is the product of the scale_demand factors above 1.
	Factor float64
}

// Total is the estimated number of trips.
func (e TripEstimate) Total() float64 { return (e.Flows + e.Random + e.OD + e.Events) * e.Factor }

// EstimateTrips estimates the trips the scenario's demand creates from
// its rates, windows, matrices, scale and events, without the network.
// Poisson draws may give a few more.
func (s *Scenario) EstimateTrips() TripEstimate {
	e := TripEstimate{Factor: 1}
	d := &s.Demand
	scale := math.Max(d.scale(), 0)
	for _, f := range d.Flows {
		e.Flows += float64(math.Max(f.Rate, 0) * scale * math.Max(f.End-f.Begin, 0) / 3600)
	}
	for _, r := range d.Random {
		e.Random += float64(math.Max(r.Rate, 0) * scale * math.Max(r.End-r.Begin, 0) / 3600)
	}
	for _, m := range d.OD {
		for _, row := range m.Trips {
			for _, n := range row {
				e.OD += float64(math.Max(n, 0) * scale)
			}
		}
	}
	for _, ev := range s.Events {
		switch ev.Kind {
		case EventAddDemand:
			e.Events += float64(math.Max(ev.Rate, 0) * math.Max(ev.End-math.Max(ev.Begin, ev.At), 0) / 3600)
		case EventScaleDemand:
			e.Factor *= math.Max(ev.Factor, 1)
		}
	}
	for _, x := range []*float64{&e.Flows, &e.Random, &e.OD, &e.Events, &e.Factor} {
		if math.IsNaN(*x) {
			*x = math.Inf(1) // refused below
		}
	}
	return e
}

// limits checks the budgets that the scenario file alone tells.
func (c *checker) limits() {
	s := c.s
	l := &s.Limits
	c.check("limits.trips", l.Trips > 0, "must be positive, got %d", l.Trips)
	c.check("limits.file_bytes", l.FileBytes > 0, "must be positive, got %d", l.FileBytes)
	c.check("limits.memory", l.Memory > 0, "must be positive, got %d", l.Memory)
	if c.check("workers", s.Workers <= MaxWorkers(), "must be at most %d (8 per core, at least 64; results do not depend on it), got %d",
		MaxWorkers(), s.Workers) && s.Workers < 0 {
		return // reported by Validate
	}
	if end := s.Duration + s.Cooldown; end > MaxDuration {
		c.add("duration", "duration + cooldown must be at most %g s (30 days), got %g", MaxDuration, end)
		return // the estimates below would only repeat it
	}
	if len(s.Events) > MaxEvents {
		c.add("events", "at most %d events, got %d", MaxEvents, len(s.Events))
	}
	if iv := s.Output.Interval; iv > 0 && (s.Duration+s.Cooldown)/iv > MaxIntervals {
		c.add("output.interval", "gives %.0f intervals over the run; at most %d (a longer interval)", (s.Duration+s.Cooldown)/iv, MaxIntervals)
	}
	est := s.EstimateTrips()
	if l.Trips > 0 && !(est.Total() <= float64(l.Trips)) {
		c.add("demand", "would create about %s trips (flows %s, random %s, od %s, add_demand events %s, × %s from scale_demand events); "+
			"limits.trips allows %d: lower the rates, windows or scale, or raise limits.trips",
			count(est.Total()), count(est.Flows), count(est.Random), count(est.OD), count(est.Events), count(est.Factor), l.Trips)
		return
	}
	need := est.Total() * TripBytes
	what := fmt.Sprintf("%s trips × %d B", count(est.Total()), TripBytes)
	if g := s.Network.Grid; g != nil && g.Rows > 0 && g.Cols > 0 && g.Lanes > 0 {
		need = float64(need) + float64(GridBytes(g.Rows, g.Cols, g.Lanes))
		what = fmt.Sprintf("a %d×%d grid of %d lanes, %s", g.Rows, g.Cols, g.Lanes, what)
	}
	if l.Memory > 0 && need > float64(l.Memory) {
		c.add("limits.memory", "the run would need about %s (%s); limits.memory allows %s (default: half the machine's memory)",
			bytesOf(need), what, bytesOf(float64(l.Memory)))
	}
}

func count(x float64) string {
	if x >= 1e6 || math.IsInf(x, 0) {
		return fmt.Sprintf("%.3g", x)
	}
	return strconv.FormatFloat(math.Round(x), 'f', -1, 64)
}

func bytesOf(x float64) string {
	switch {
	case x >= 1<<30:
		return fmt.Sprintf("%.1f GiB", x/(1<<30))
	case x >= 1<<20:
		return fmt.Sprintf("%.1f MiB", x/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", x/1024)
}

// checkDepth refuses TOML text nesting arrays or inline tables deeper
// than MaxTOMLDepth, before the parser (which recurses on them) sees it.
// It skips strings and comments; table headers ([a], [[b]]) open and
// close on their line.
func checkDepth(src []byte) (line int, ok bool) {
	depth, line := 0, 1
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '\n':
			line++
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
		case '"', '\'':
			q := src[i : i+1]
			if bytes.HasPrefix(src[i:], []byte{c, c, c}) {
				q = src[i : i+3]
			}
			for i += len(q); i < len(src); i++ {
				if src[i] == '\n' {
					line++
				}
				if c == '"' && src[i] == '\\' {
					i++
					continue
				}
				if bytes.HasPrefix(src[i:], q) {
					i += len(q) - 1
					break
				}
				if len(q) == 1 && src[i] == '\n' {
					break // an unterminated string: the parser reports it
				}
			}
		case '[', '{':
			depth++
			if depth > MaxTOMLDepth {
				return line, false
			}
		case ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return 0, true
}

// NetworkBytesPerFileByte is the memory a network read from a file is
// estimated to take per byte of the file (uncompressed; ×10 for gzip).
// Measured peaks of `citytwin net inspect`: 33 for the Wuhan GeoJSON, 9
// for the New York CityFlow roadnet, 30 for the Monaco OSM PBF.
const NetworkBytesPerFileByte = 50

// maxDecompressed is the most bytes a compressed input file (a gzip SUMO
// network or route file, a gzip or bzip2 OpenStreetMap extract) may
// decompress to: what limits.memory allows at NetworkBytesPerFileByte, so
// that a small file that expands without end is refused while it is read
// (its compressed size says nothing of that). 0 leaves the readers'
// default.
func (sc *Scenario) maxDecompressed() int64 {
	if sc.Limits.Memory <= 0 {
		return 0
	}
	return int64(sc.Limits.Memory) / NetworkBytesPerFileByte
}

// checkNetworkSize refuses a network file that would need more memory
// than limits.memory allows, before it is parsed.
func (sc *Scenario) checkNetworkSize(key string, size int64, compressed bool) error {
	need := float64(size) * NetworkBytesPerFileByte
	if compressed {
		need *= 10
	}
	need = float64(need) + float64(sc.EstimateTrips().Total()*TripBytes)
	if m := sc.Limits.Memory; m > 0 && need > float64(m) {
		return sc.errorf(key, "a %s network file needs about %s to build (with the demand); limits.memory allows %s (default: half the machine's memory)",
			bytesOf(float64(size)), bytesOf(need), bytesOf(float64(m)))
	}
	return nil
}

// statInput checks a file that a reader streams itself: a regular file
// of at most limits.file_bytes. It returns its size.
func (sc *Scenario) statInput(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if !st.Mode().IsRegular() {
		return 0, fmt.Errorf("%s is not a regular file", path)
	}
	if max := int64(sc.Limits.FileBytes); max > 0 && st.Size() > max {
		return 0, &limitio.TooLargeError{Path: path, Size: st.Size(), Max: max}
	}
	return st.Size(), nil
}

// readInput reads a file named in the scenario, bounded by
// limits.file_bytes.
func (sc *Scenario) readInput(path string) ([]byte, error) {
	max := sc.Limits.FileBytes
	if max <= 0 {
		max = DefaultFileBytes
	}
	return limitio.ReadFile(path, int64(max))
}
