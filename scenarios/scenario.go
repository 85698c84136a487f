package scenarios

// Scenario is one simulation run as written in a TOML scenario file.
// Every field maps to a key of the same snake_case name; see README.md for
// the full reference. Zero values mean "use the default" where a default
// is documented. Times are in seconds, lengths in metres, speeds in m/s,
// accelerations in m/s², rates in vehicles per hour.
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

	Network Network       `toml:"network"`
	VTypes  []VehicleType `toml:"vtypes"`
	Demand  Demand        `toml:"demand"`
	Signals Signals       `toml:"signals"`
	Driving Driving       `toml:"driving"`
	Output  Output        `toml:"output"`

	// path is the file the scenario was read from; relative paths inside
	// the scenario are resolved against its directory.
	path string
	// embedded marks the built-in default scenario, whose relative paths
	// name files embedded in the binary.
	embedded bool
	// lines maps key paths such as "vtypes[1].length" to the line of the
	// file that sets them, so that Validate can point at the line.
	lines map[string]int
}

// Network says where the road network comes from: exactly one of GeoJSON,
// CityFlow or Grid.
type Network struct {
	// GeoJSON is a path to an OSM-derived GeoJSON road file.
	GeoJSON string `toml:"geojson"`
	// CityFlow is a path to a CityFlow roadnet.json.
	CityFlow string `toml:"cityflow"`
	// Grid generates an N×M signalised grid.
	Grid *Grid `toml:"grid"`

	// Planar says GeoJSON coordinates are metres, not lon/lat.
	Planar bool `toml:"planar"`
	// KeepLargestComponent drops roads outside the largest strongly
	// connected component.
	KeepLargestComponent bool `toml:"keep_largest_component"`
	// NoMerge keeps chains of degree-2 nodes unmerged.
	NoMerge bool `toml:"no_merge"`
	// GuessSignals (default true) signalises junctions where major roads
	// meet, not only those tagged highway=traffic_signals.
	GuessSignals *bool `toml:"guess_signals"`
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
	MinGap         float64 `toml:"min_gap"`         // standstill gap, m
	Headway        float64 `toml:"headway"`         // desired time headway, s
	MaxSpeed       float64 `toml:"max_speed"`       // m/s
	// Sigma is Krauss's driver imperfection in [0, 1] (ignored by IDM).
	Sigma float64 `toml:"sigma"`
	// SpeedFactor scales each vehicle's desired speed relative to the
	// speed limit, drawn once per vehicle.
	SpeedFactor *SpeedFactor `toml:"speed_factor"`
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
	// Scale multiplies every rate and trip count (default 1).
	Scale float64 `toml:"scale"`
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

// Signals chooses how signalised junctions are controlled. This issue's
// engine runs the network's fixed-time programs; policies plug in here.
type Signals struct {
	// Policy is the default controller for every signalised junction:
	// "fixed_time" (default: the network's own programs).
	Policy string `toml:"policy"`
}

// Driving holds engine-wide behaviour switches.
type Driving struct {
	// Teleport is SUMO's time-to-teleport: a vehicle stopped this long
	// (s) is moved to the next lane with room. Default 300; a negative
	// value disables it.
	Teleport float64 `toml:"teleport"`
	// NoLaneChange disables discretionary (MOBIL) lane changes; strategic
	// changes still happen.
	NoLaneChange bool `toml:"no_lane_change"`
	// Politeness is MOBIL's politeness factor p (default 0.2).
	Politeness *float64 `toml:"politeness"`
	// LaneChangeThreshold is MOBIL's Δa_th (m/s², default 0.2).
	LaneChangeThreshold float64 `toml:"lane_change_threshold"`
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
}
