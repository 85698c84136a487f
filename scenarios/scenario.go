package scenarios

import "fmt"

// Scenario is one simulation run as written in a TOML scenario file.
// Every field maps to a key of the same snake_case name; see README.md for
// the full reference. Times are in seconds, lengths in metres, speeds in
// m/s, accelerations in m/s², rates in vehicles per hour.
//
// Unset keys take their documented defaults (ApplyDefaults). A key whose
// allowed values include 0 while its default is not 0 (min_gap, demand
// scale, teleport ...) is a pointer: nil is unset, and a 0 is kept. For
// every other key 0 is not an allowed value, so the zero value means
// unset, and a 0 written in a file is an error rather than a silent
// default (Parse).
type Scenario struct {
	// Name labels outputs and reports.
	Name string `toml:"name"`
	// Seed drives every random draw of the run (demand and per-vehicle
	// draws). The same seed gives identical results.
	Seed uint64 `toml:"seed"`
	// Duration is the simulated time during which demand departs (s).
	Duration float64 `toml:"duration"`
	// Cooldown is extra simulated time after Duration in which no new
	// vehicles depart and the ones still running may finish (s, default 0).
	Cooldown float64 `toml:"cooldown"`
	// Step is the step length (s), from 0.1 to 1.0; default 1.0.
	Step float64 `toml:"step"`
	// Warmup is the initial time excluded from statistics (s).
	Warmup float64 `toml:"warmup"`
	// Workers is the number of worker goroutines; 0 means all cores.
	// Results do not depend on it.
	Workers int `toml:"workers"`
	// StopWhenEmpty ends the run before duration + cool-down once demand
	// is over (every trip's departure time has passed and no event is
	// left) and no vehicle is running or waiting to enter, as SUMO does.
	StopWhenEmpty bool `toml:"stop_when_empty"`
	// MinParallel is the least number of running vehicles for which a step
	// uses several workers (0: 600; negative: always). Results do not
	// depend on it.
	MinParallel int `toml:"min_parallel"`

	Network Network       `toml:"network"`
	VTypes  []VehicleType `toml:"vtypes"`
	Demand  Demand        `toml:"demand"`
	Signals Signals       `toml:"signals"`
	Driving Driving       `toml:"driving"`
	Output  Output        `toml:"output"`
	// AllowEmpty lets a scenario whose demand gives no trip at all run
	// (an empty network run); otherwise Build fails.
	AllowEmpty bool `toml:"allow_empty"`
	// Events are what-if events applied at given times (see Event).
	Events []Event `toml:"events"`
	// V2X, when set, enables connected vehicles and roadside units (see
	// V2X and docs/v2x.md).
	V2X *V2X `toml:"v2x"`
	// Limits are the run's resource budgets (see Limits).
	Limits Limits `toml:"limits"`

	// path is the file the scenario was read from; relative paths inside
	// the scenario are resolved against its directory.
	path string
	// embedded marks the built-in default scenario, whose relative paths
	// name files embedded in the binary.
	embedded bool
	// lines maps key paths such as "vtypes[1].length" to the line of the
	// file that sets them, so that Validate can point at the line.
	lines map[string]int
	// sum is the hex SHA-256 of the text the scenario was parsed from.
	sum string
}

// SourceSHA256 returns the SHA-256 (hex) of the text the scenario was
// parsed from, or "" for a scenario built in code. Run manifests record
// it.
func (s *Scenario) SourceSHA256() string { return s.sum }

// Network says where the road network comes from: exactly one of OSM,
// GeoJSON, CityFlow, SUMO or Grid.
type Network struct {
	// OSM is a path to an OpenStreetMap extract: .osm.pbf, or .osm XML,
	// plain or gzip/bzip2 compressed (see maps.LoadOSM).
	OSM string `toml:"osm"`
	// GeoJSON is a path to an OSM-derived GeoJSON road file.
	GeoJSON string `toml:"geojson"`
	// CityFlow is a path to a CityFlow roadnet.json.
	CityFlow string `toml:"cityflow"`
	// SUMO is a path to a SUMO network (.net.xml, plain or gzipped), read
	// with its own connections, right of way and signal programs.
	SUMO string `toml:"sumo"`
	// Grid generates an N×M signalised grid.
	Grid *Grid `toml:"grid"`

	// Planar says GeoJSON coordinates are metres, not lon/lat.
	Planar bool `toml:"planar"`
	// KeepLargestComponent drops roads outside the largest strongly
	// connected component.
	KeepLargestComponent bool `toml:"keep_largest_component"`
	// NoMerge keeps chains of degree-2 nodes unmerged.
	NoMerge bool `toml:"no_merge"`
	// GuessSignals (default false) also signalises junctions where major
	// roads meet, not only those tagged highway=traffic_signals.
	GuessSignals bool `toml:"guess_signals"`
	// DrivingSide is "left", "right" or "auto" (default): auto takes the
	// side of the country of the data (maps.DetectCountry).
	DrivingSide string `toml:"driving_side"`
	// Country is the ISO 3166-1 alpha-2 code whose default speeds (and,
	// with driving_side auto, side) apply; default: detected.
	Country string `toml:"country"`
	// BBox keeps the roads of an OSM extract inside
	// [min_lon, min_lat, max_lon, max_lat] (degrees).
	BBox []float64 `toml:"bbox"`
	// Turnarounds is where vehicles may make U-turns on an osm or geojson
	// network: "dead_ends" (default) or "all" (see maps.Turnarounds).
	Turnarounds string `toml:"turnarounds"`
}

// Grid describes a generated grid network.
type Grid struct {
	Rows  int     `toml:"rows"`  // junction rows (≥ 1)
	Cols  int     `toml:"cols"`  // junction columns (≥ 1)
	Block float64 `toml:"block"` // distance between junctions (m), default 200
	Lanes int     `toml:"lanes"` // lanes per direction, default 2
	Speed float64 `toml:"speed"` // speed limit (m/s), default 13.89
}

// VehicleType is a class of vehicles. Unset parameters take the defaults
// of the passenger car listed in README.md.
type VehicleType struct {
	ID string `toml:"id"`
	// Share is this type's share of demand that names no type (weights are
	// normalised over all types; default 1).
	Share float64 `toml:"share"`
	// Model is the car-following model: "idm" (default) or "krauss".
	Model          string  `toml:"model"`
	Length         float64 `toml:"length"`          // m
	Accel          float64 `toml:"accel"`           // max acceleration, m/s²
	Decel          float64 `toml:"decel"`           // comfortable deceleration, m/s²
	EmergencyDecel float64 `toml:"emergency_decel"` // m/s²
	// MinGap is the standstill gap (m, ≥ 0; default 2.5).
	MinGap   *float64 `toml:"min_gap"`
	Headway  float64  `toml:"headway"`   // desired time headway, s
	MaxSpeed float64  `toml:"max_speed"` // m/s
	// Sigma is Krauss's driver imperfection in [0, 1] (ignored by IDM;
	// default 0.5 for krauss, 0 for idm).
	Sigma *float64 `toml:"sigma"`
	// SpeedFactor scales each vehicle's desired speed relative to the
	// speed limit, drawn once per vehicle.
	SpeedFactor *SpeedFactor `toml:"speed_factor"`
	// Connected is the share of this type's vehicles equipped for V2X
	// (0..1, default 0), drawn per vehicle from the seed. It matters only
	// with a [v2x] table.
	Connected float64 `toml:"connected"`
}

// SpeedFactor is a normal distribution truncated to [Min, Max].
type SpeedFactor struct {
	Mean float64 `toml:"mean"` // default 1
	Dev  float64 `toml:"dev"`  // standard deviation, default 0 (no spread)
	Min  float64 `toml:"min"`  // default 0.2
	Max  float64 `toml:"max"`  // default 2
}

// Demand lists every source of trips. All sources add up.
type Demand struct {
	// Scale multiplies every rate and trip count (0 to 100, default 1;
	// 0 gives no demand).
	Scale *float64 `toml:"scale"`
	// Zones name sets of roads, usable as flow and OD origins and
	// destinations: a trip from a zone starts on one of its roads (drawn
	// uniformly), a trip to a zone ends on one of its roads.
	Zones  map[string][]string `toml:"zones"`
	Flows  []Flow              `toml:"flows"`
	Random []RandomTrips       `toml:"random"`
	OD     []ODMatrix          `toml:"od"`
	// TripsCSV is a CSV file with columns id,depart,from,to[,vtype].
	TripsCSV string `toml:"trips_csv"`
	// CityFlow is a CityFlow flow.json (routes as road lists).
	CityFlow string `toml:"cityflow"`
	// CityFlowModel is the car-following model of the flow file's
	// vehicles: "cityflow" (default, CityFlow's own), "idm" or "krauss".
	CityFlowModel string `toml:"cityflow_model"`
	// SUMO lists SUMO route files (.rou.xml, .trips.xml): their vehicle
	// types, vehicles, trips and flows (see README.md).
	SUMO Paths `toml:"sumo"`
}

// scale returns the demand scale, DefaultScale when unset.
func (d *Demand) scale() float64 {
	if d.Scale == nil {
		return DefaultScale
	}
	return *d.Scale
}

// Paths is one path or several: `key = "a.xml"` or `key = ["a.xml", "b.xml"]`.
type Paths []string

// UnmarshalTOML accepts a string or an array of strings.
func (p *Paths) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*p = Paths{v}
		return nil
	case []any:
		out := make(Paths, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return fmt.Errorf("want a path or an array of paths")
			}
			out = append(out, s)
		}
		*p = out
		return nil
	}
	return fmt.Errorf("want a path or an array of paths")
}

// Flow is a stream of vehicles from one road or zone to another.
type Flow struct {
	ID   string `toml:"id"`
	From string `toml:"from"` // road id, or "zone:NAME"
	To   string `toml:"to"`   // road id, or "zone:NAME"
	// Via lists road ids the route must pass, in order.
	Via   []string `toml:"via"`
	Rate  float64  `toml:"rate"`  // veh/h
	Begin float64  `toml:"begin"` // s, default 0
	End   float64  `toml:"end"`   // s, default the scenario duration
	// Distribution of departures: "poisson" (default) or "uniform".
	Distribution string `toml:"distribution"`
	VType        string `toml:"vtype"`
	// Connected, when set, replaces the connected share of the flow's
	// vehicle types for its vehicles (0..1).
	Connected *float64 `toml:"connected"`
}

// RandomTrips departs trips between random roads of the network.
type RandomTrips struct {
	Rate  float64 `toml:"rate"`  // veh/h
	Begin float64 `toml:"begin"` // s
	End   float64 `toml:"end"`   // s, default the scenario duration
	// MinLength is the least straight-line distance between the origin
	// and destination roads (m).
	MinLength float64 `toml:"min_length"`
	// Fringe draws origins only from roads entering the network from its
	// boundary and destinations only from roads leaving it.
	Fringe       bool   `toml:"fringe"`
	Distribution string `toml:"distribution"`
	VType        string `toml:"vtype"`
}

// ODMatrix is an origin–destination matrix between zones over a window.
type ODMatrix struct {
	Zones []string `toml:"zones"` // row and column order
	// Trips[i][j] is the number of trips from Zones[i] to Zones[j] in [Begin, End).
	Trips        [][]float64 `toml:"trips"`
	Begin        float64     `toml:"begin"`
	End          float64     `toml:"end"`
	Distribution string      `toml:"distribution"`
	VType        string      `toml:"vtype"`
}

// Signals chooses how signalised junctions are controlled: a default
// policy, per-junction overrides, the parameters of each policy, timed
// policy switches, program changes and the safety guard. See README.md
// ("[signals]") and docs/signals.md.
type Signals struct {
	// Policy is the default controller of every signalised junction, one
	// of PolicyNames (default "fixed_time": the network's programs).
	Policy string `toml:"policy"`
	// Phases restricts the program phases the policies may choose (indices
	// into each junction's program); default: every phase but dominated
	// ones (signal.DefaultPhases), such as CityFlow's phase 0.
	Phases []int `toml:"phases"`
	// Yellow and AllRed replace the yellow and all-red times of every
	// program (s); unset keeps each program's own.
	Yellow *float64 `toml:"yellow"`
	AllRed *float64 `toml:"all_red"`

	// Groups name sets of junction ids, usable as "group:NAME" wherever
	// junctions are listed.
	Groups map[string][]string `toml:"groups"`
	// Overrides give some junctions another policy or phase set.
	Overrides []SignalOverride `toml:"overrides"`
	// Switch changes the policy of some junctions at given times.
	Switch []SignalSwitch `toml:"switch"`
	// GreenWave coordinates fixed-time junctions along arterials.
	GreenWave []GreenWave `toml:"green_wave"`
	// Programs replace the signal programs of some junctions.
	Programs []SignalProgram `toml:"programs"`

	Guard     SignalGuard `toml:"guard"`
	Detectors Detectors   `toml:"detectors"`

	// Params holds the parameters of each policy, the tables
	// [signals.NAME], by policy name: a pointer to the parameter struct
	// of the policy's registration (*WebsterParams for "webster"; see
	// Policy). ApplyDefaults gives every registered policy its table.
	Params map[string]any `toml:"-"`
}

// SignalOverride gives the listed junctions another policy and/or phase
// set than the default.
type SignalOverride struct {
	// Junctions lists junction ids and "group:NAME" references.
	Junctions []string `toml:"junctions"`
	// Policy is one of PolicyNames; empty keeps the default policy.
	Policy string `toml:"policy"`
	// Phases is the phase set of these junctions; empty keeps the
	// policy's.
	Phases []int `toml:"phases"`
}

// SignalSwitch changes the policy of junctions at time At.
type SignalSwitch struct {
	At     float64 `toml:"at"`     // s
	Policy string  `toml:"policy"` // one of PolicyNames
	Phases []int   `toml:"phases"` // phase set; empty keeps the policy's
	// Junctions lists junction ids and "group:NAME" references; empty
	// means every signalised junction.
	Junctions []string `toml:"junctions"`
}

// GreenWave gives fixed-time junctions along an arterial the offsets of a
// one-way progression: junctions in driving order, joined by roads.
type GreenWave struct {
	Name      string   `toml:"name"`
	Junctions []string `toml:"junctions"` // ids, in driving order (groups allowed)
	Speed     float64  `toml:"speed"`     // progression speed, m/s
}

// SignalProgram replaces the program of one junction.
type SignalProgram struct {
	Junction string        `toml:"junction"`
	Phases   []SignalPhase `toml:"phases"`
	Yellow   *float64      `toml:"yellow"`  // s; unset: the signals-wide or network value
	AllRed   *float64      `toml:"all_red"` // s; likewise
	Offset   float64       `toml:"offset"`  // s
}

// SignalPhase is one phase of a SignalProgram.
type SignalPhase struct {
	Duration float64 `toml:"duration"` // s of green
	// State has one letter per movement of the junction in its order
	// (see `citytwin net inspect`): G green, g green yielding, r red.
	State string `toml:"state"`
}

// SignalGuard are the safety limits applied to every signal whatever its
// policy asks.
type SignalGuard struct {
	// MinGreen is the least green before any change (s, default 5; 0 is
	// allowed).
	MinGreen *float64 `toml:"min_green"`
	// MaxRed bounds how long a movement with halting vehicles stays red
	// (s); 0 (default) disables it.
	MaxRed float64 `toml:"max_red"`
	// Strict makes every request the guard refuses or overrides an error.
	Strict bool `toml:"strict"`
}

// Detectors place the detectors the adaptive policies read.
type Detectors struct {
	// LoopOffset is the distance of every lane's induction loop before its
	// stop line (m, default 25, or signals.sotl.omega). It is also SOTL's ω.
	LoopOffset float64 `toml:"loop_offset"`
	// AreaLength is the length of the lane-area detectors ending at the
	// stop lines (m); default 0, the whole lane.
	AreaLength float64 `toml:"area_length"`
}

// Driving holds engine-wide behaviour switches.
type Driving struct {
	// Teleport is SUMO's time-to-teleport: a vehicle stopped this long
	// (s) is moved to the next lane with room. Default 300; 0 or a
	// negative value disables it, as in SUMO.
	Teleport *float64 `toml:"teleport"`
	// NoLaneChange disables discretionary (MOBIL) lane changes; strategic
	// changes still happen.
	NoLaneChange bool `toml:"no_lane_change"`
	// FixedLanes keeps every vehicle in the lane it enters: no lane
	// changes at all, as CityFlow with laneChange false (see
	// engine.Config.FixedLanes). It implies NoLaneChange.
	FixedLanes bool `toml:"fixed_lanes"`
	// StepMethod is how positions advance over a step: "euler" (by the
	// new speed, SUMO's default) or "ballistic" (by the mean of the old
	// and new speeds, CityFlow's update). Default "ballistic" when the
	// demand is a CityFlow flow file, "euler" otherwise.
	StepMethod string `toml:"step_method"`
	// Politeness is MOBIL's politeness factor p (default 0.2).
	Politeness *float64 `toml:"politeness"`
	// LaneChangeThreshold is MOBIL's Δa_th (m/s², ≥ 0, default 0.2).
	LaneChangeThreshold *float64 `toml:"lane_change_threshold"`
}

// Output says which files a run writes.
type Output struct {
	// Dir is the output directory (default "out/<name>").
	Dir string `toml:"dir"`
	// Interval is the time-series interval (s, default 60).
	Interval float64 `toml:"interval"`
	// Each output is on by default; set the key to false to skip it.
	Trips      *bool `toml:"trips"`      // trips.csv
	TimeSeries *bool `toml:"timeseries"` // timeseries.csv
	Roads      *bool `toml:"roads"`      // roads.geojson
	Summary    *bool `toml:"summary"`    // summary.json
	// Junctions writes junctions.csv (per signalised junction and
	// interval) and junctions.json (per junction over the run, with the
	// guard's counts).
	Junctions *bool `toml:"junctions"`
	// Detectors writes detectors.csv: per lane and interval, the loop
	// count and occupancy and the area detector's queue and halting
	// vehicles. Default false (it has a row per lane per interval).
	Detectors *bool `toml:"detectors"`
	// FCD, when set, writes every vehicle's trajectory (floating car
	// data): fcd.csv.gz, or fcd.xml in SUMO's fcd-export format.
	FCD *FCDOutput `toml:"fcd"`
}

// FCDOutput configures the trajectory output (see output.FCD).
type FCDOutput struct {
	// Interval between records (s, default the step length): at least
	// one step.
	Interval float64 `toml:"interval"`
	// Format is "csv" (default, gzip-compressed fcd.csv.gz) or "xml"
	// (SUMO's fcd-export, fcd.xml).
	Format string `toml:"format"`
	// Geo writes lon/lat in the XML's x and y, as SUMO's
	// --fcd-output.geo does.
	Geo bool `toml:"geo"`
}
