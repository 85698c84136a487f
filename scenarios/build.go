package scenarios

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdmaps "maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/follow"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/internal/detmath"
	"github.com/citytwin/citytwin/maps"
	"github.com/paulmach/orb"
)

// Run is a scenario made ready to simulate: its network, engine settings
// and every trip of its demand.
type Run struct {
	Scenario *Scenario
	Network  *maps.Network
	Config   engine.Config
	Trips    []engine.Trip
	// Notes lists what Build had to report without failing, such as
	// demand with no route (those trips are kept and counted by the
	// engine as unroutable, never dropped).
	Notes []string

	signals *signalSetup
	// eventOrder lists the indices of Scenario.Events by time, file order
	// for equal times: the order simulations apply them in.
	eventOrder []int
}

// Build loads the scenario's network, converts its settings and generates
// its demand. Demand draws come from generators seeded by the scenario
// seed and the source's position in the file, so the same scenario gives
// the same trips. Errors name the file and key.
func Build(sc *Scenario) (*Run, error) {
	// Unset keys of a scenario written or edited in Go take their
	// defaults, as when parsed (a no-op for a parsed one: ApplyDefaults is
	// idempotent).
	sc.ApplyDefaults()
	// The budgets again: a command line may have changed workers, and a
	// scenario written in Go has not been validated.
	c := &checker{s: sc}
	c.limits()
	if len(c.probs) > 0 {
		return nil, errors.Join(c.probs...)
	}
	r := &Run{Scenario: sc}
	net, err := sc.loadNetwork()
	if err != nil {
		return nil, err
	}
	r.Network = net
	if r.Config, err = sc.engineConfig(); err != nil {
		return nil, err
	}
	b := &demandBuilder{sc: sc, net: net, router: maps.NewRouter(net), cfg: &r.Config}
	if err := b.build(); err != nil {
		return nil, err
	}
	r.Trips, r.Notes = b.trips, b.notes
	st, notes, err := sc.buildSignals(net, &r.Config, r.Trips)
	if err != nil {
		return nil, err
	}
	r.signals, r.Notes = st, append(r.Notes, notes...)
	if err := r.checkEvents(); err != nil { // events.go
		return nil, err
	}
	r.eventOrder = eventOrder(sc.Events)
	if err := sc.checkEmpty(len(r.Trips)); err != nil {
		return nil, err
	}
	if r.Config.V2X, err = sc.v2xConfig(st); err != nil { // v2x.go
		return nil, err
	}
	return r, nil
}

// checkEmpty fails a scenario whose demand gives no trip, and which adds
// none with an add_demand event, unless it says allow_empty = true: such a
// run would simulate an empty network and report nothing.
func (sc *Scenario) checkEmpty(trips int) error {
	if trips > 0 || sc.AllowEmpty {
		return nil
	}
	for _, e := range sc.Events {
		if e.Kind == EventAddDemand {
			return nil
		}
	}
	return sc.errorf("demand", "the demand gives no trip, so the run would simulate an empty network "+
		"(flows, random trips or OD matrices with no rate, a scale of 0, or no demand table); "+
		"add demand, or set allow_empty = true to run it anyway")
}

// Outputs returns the outputs the scenario's [output] table selects.
func (r *Run) Outputs() output.Options {
	sc, o := r.Scenario, &r.Scenario.Output
	opt := output.Options{Trips: *o.Trips, TimeSeries: *o.TimeSeries, Roads: *o.Roads, Summary: *o.Summary,
		Junctions: *o.Junctions, Detectors: *o.Detectors, Interval: o.Interval, Warmup: sc.Warmup, RSUs: sc.V2X != nil}
	if f := o.FCD; f != nil {
		opt.FCD = &output.FCDOptions{Interval: f.Interval, Format: f.Format, Geo: f.Geo}
	}
	return opt
}

// End is the simulated time the run lasts at most: duration plus
// cool-down (s).
func (r *Run) End() float64 { return r.Scenario.Duration + r.Scenario.Cooldown }

func (sc *Scenario) errorf(key, format string, args ...any) error {
	return &Error{File: sc.path, Line: sc.lines[key], Key: key, Msg: fmt.Sprintf(format, args...)}
}

// ReadFile reads a file named in the scenario: relative to the scenario
// file, or a file built into the binary (BuiltinPrefix); the embedded
// default scenario and its variants (ParseDefault) read relative paths
// from the built-in files too.
func (sc *Scenario) ReadFile(rel string) ([]byte, error) {
	if name, ok := builtinName(rel); ok {
		return ReadBuiltin(name)
	}
	if sc.embedded {
		return defaultFiles.ReadFile("defaults/" + rel)
	}
	return sc.readInput(sc.Resolve(rel)) // at most limits.file_bytes (limits.go)
}

func (sc *Scenario) loadNetwork() (*maps.Network, error) {
	n := &sc.Network
	side, _ := maps.ParseDrivingSide(n.DrivingSide) // checked by Validate
	turnarounds, _ := maps.ParseTurnarounds(n.Turnarounds)
	opt := maps.Options{Planar: n.Planar, KeepLargestComponent: n.KeepLargestComponent, NoMerge: n.NoMerge,
		GuessSignals: n.GuessSignals, DrivingSide: side, Country: n.Country, Turnarounds: turnarounds,
		MaxInputBytes: sc.maxDecompressed()}
	if len(n.BBox) == 4 {
		opt.BBox = &orb.Bound{Min: orb.Point{n.BBox[0], n.BBox[1]}, Max: orb.Point{n.BBox[2], n.BBox[3]}}
	}
	switch {
	case n.Grid != nil:
		g := n.Grid
		net, err := maps.Grid(maps.GridOptions{Rows: g.Rows, Cols: g.Cols, Block: g.Block, Lanes: g.Lanes, Speed: g.Speed})
		if err != nil {
			return nil, sc.errorf("network.grid", "%v", err)
		}
		return net, nil
	case n.OSM != "":
		// Streamed from the file (twice); the embedded default has none.
		size, err := sc.statInput(sc.Resolve(n.OSM))
		if err != nil {
			return nil, sc.errorf("network.osm", "cannot read the network: %v", err)
		}
		if err := sc.checkNetworkSize("network.osm", size, false); err != nil {
			return nil, err
		}
		net, err := maps.LoadOSM(sc.Resolve(n.OSM), opt)
		if err != nil {
			return nil, sc.errorf("network.osm", "%v", strings.TrimPrefix(err.Error(), "maps: "))
		}
		return net, nil
	case n.GeoJSON != "":
		data, err := sc.ReadFile(n.GeoJSON)
		if err != nil {
			return nil, sc.errorf("network.geojson", "cannot read the network: %v", err)
		}
		if err := sc.checkNetworkSize("network.geojson", int64(len(data)), false); err != nil {
			return nil, err
		}
		net, err := maps.ReadGeoJSON(data, filepath.Base(n.GeoJSON), opt)
		if err != nil {
			return nil, sc.errorf("network.geojson", "%s: %v", sc.Resolve(n.GeoJSON), err)
		}
		return net, nil
	case n.SUMO != "":
		data, err := sc.ReadFile(n.SUMO)
		if err != nil {
			return nil, sc.errorf("network.sumo", "cannot read the network: %v", err)
		}
		if err := sc.checkNetworkSize("network.sumo", int64(len(data)), bytes.HasPrefix(data, []byte{0x1f, 0x8b})); err != nil {
			return nil, err
		}
		net, err := maps.ReadSUMO(bytes.NewReader(data), filepath.Base(n.SUMO), opt)
		if err != nil {
			return nil, sc.errorf("network.sumo", "%s: %v", sc.Resolve(n.SUMO), err)
		}
		return net, nil
	default:
		data, err := sc.ReadFile(n.CityFlow)
		if err != nil {
			return nil, sc.errorf("network.cityflow", "cannot read the network: %v", err)
		}
		if err := sc.checkNetworkSize("network.cityflow", int64(len(data)), false); err != nil {
			return nil, err
		}
		net, err := maps.ReadCityFlow(data, filepath.Base(n.CityFlow))
		if err != nil {
			return nil, sc.errorf("network.cityflow", "%s: %v", sc.Resolve(n.CityFlow), err)
		}
		return net, nil
	}
}

func (sc *Scenario) engineConfig() (engine.Config, error) {
	c := engine.DefaultConfig()
	c.Step, c.Seed, c.Workers, c.Warmup = sc.Step, sc.Seed, sc.Workers, sc.Warmup
	c.MinParallel = sc.MinParallel
	c.Teleport = max(*sc.Driving.Teleport, 0) // 0 and below disable it
	c.LaneChange = !sc.Driving.NoLaneChange && !sc.Driving.FixedLanes
	c.FixedLanes = sc.Driving.FixedLanes
	c.Ballistic = sc.Driving.StepMethod == StepBallistic
	c.Politeness = *sc.Driving.Politeness
	c.LaneChangeThreshold = *sc.Driving.LaneChangeThreshold
	c.Interval = sc.Output.Interval
	c.VTypes = nil
	for i, v := range sc.VTypes {
		model, err := follow.ByName(v.Model)
		if err != nil {
			return c, sc.errorf(fmt.Sprintf("vtypes[%d].model", i), "%v", err)
		}
		sf := engine.Normal{Mean: 1, Min: 0.2, Max: 2}
		if f := v.SpeedFactor; f != nil {
			sf = engine.Normal{Mean: f.Mean, Dev: f.Dev, Min: f.Min, Max: f.Max}
		}
		c.VTypes = append(c.VTypes, engine.VType{ID: v.ID, Length: v.Length, MaxSpeed: v.MaxSpeed, Model: model, SpeedFactor: sf,
			Follow: follow.Params{Accel: v.Accel, Decel: v.Decel, EmergencyDecel: v.EmergencyDecel, MinGap: *v.MinGap, Headway: v.Headway, Sigma: *v.Sigma}, Connected: v.Connected})
	}
	return c, nil
}

// demandBuilder turns the [demand] tables into trips.
type demandBuilder struct {
	sc     *Scenario
	net    *maps.Network
	router *maps.Router
	cfg    *engine.Config
	trips  []engine.Trip
	notes  []string
	errs   []error
}

// Demand sources get their own random streams.
const (
	streamFlow uint64 = 1 + iota
	streamRandom
	streamOD
	streamCityFlow
	streamSUMO
)

func (b *demandBuilder) rng(stream uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(b.sc.Seed^stream*0x9e3779b97f4a7c15, uint64(i)))
}

func (b *demandBuilder) fail(key, format string, args ...any) {
	b.errs = append(b.errs, b.sc.errorf(key, format, args...))
}

func (b *demandBuilder) build() error {
	d := &b.sc.Demand
	zones := map[string][]maps.RoadID{}
	for _, name := range slices.Sorted(stdmaps.Keys(d.Zones)) {
		for _, id := range d.Zones[name] {
			r, ok := b.net.RoadByID(id)
			if !ok {
				b.fail("demand.zones."+name, "road %q does not exist in the network", id)
				continue
			}
			zones[name] = append(zones[name], r)
		}
	}
	for i, f := range d.Flows {
		b.flow(i, f, zones)
	}
	for i, rt := range d.Random {
		b.random(i, rt)
	}
	for i, m := range d.OD {
		b.od(i, m, zones)
	}
	if d.TripsCSV != "" {
		b.tripsCSV(d.TripsCSV)
	}
	if d.CityFlow != "" {
		b.cityflow(d.CityFlow)
	}
	b.sumoFiles(d.SUMO) // sumo.go
	if n := len(b.trips); n > b.sc.Limits.Trips && len(b.errs) == 0 {
		b.fail("demand", "creates %d trips; limits.trips allows %d", n, b.sc.Limits.Trips)
	}
	if len(b.errs) > 0 {
		return errors.Join(b.errs...)
	}
	return nil
}

// endpoint resolves a road id or "zone:NAME" to candidate roads.
func (b *demandBuilder) endpoint(key, v string, zones map[string][]maps.RoadID) []maps.RoadID {
	if name, ok := strings.CutPrefix(v, ZonePrefix); ok {
		z := zones[name]
		if len(z) == 0 {
			b.fail(key, "zone %q has no roads in the network", name)
		}
		return z
	}
	r, ok := b.net.RoadByID(v)
	if !ok {
		b.fail(key, "road %q does not exist in the network", v)
		return nil
	}
	return []maps.RoadID{r}
}

// departures returns departure times in [begin, end) for rate veh/h.
func departures(rng *rand.Rand, rate, begin, end float64, dist string) []float64 {
	var out []float64
	if rate <= 0 || end <= begin {
		return nil
	}
	if dist == "uniform" {
		h := 3600 / rate
		for t := begin; t < end-1e-9; t += h {
			out = append(out, t)
		}
		return out
	}
	for t := begin + detmath.ExpFloat64(rng)*3600/rate; t < end; t += detmath.ExpFloat64(rng) * 3600 / rate {
		out = append(out, t)
	}
	return out
}

// vtypeOf picks the named type, or draws one by share.
func (b *demandBuilder) vtypeOf(key, name string, rng *rand.Rand) int {
	if name != "" {
		for i, v := range b.sc.VTypes {
			if v.ID == name {
				return i
			}
		}
		b.fail(key, "vehicle type %q is not defined", name)
		return 0
	}
	return drawVType(rng, b.sc.VTypes)
}

func (b *demandBuilder) flow(i int, f Flow, zones map[string][]maps.RoadID) {
	key := func(k string) string { return fmt.Sprintf("demand.flows[%d].%s", i, k) }
	from := b.endpoint(key("from"), f.From, zones)
	to := b.endpoint(key("to"), f.To, zones)
	var via []maps.RoadID
	for _, v := range f.Via {
		if r, ok := b.net.RoadByID(v); ok {
			via = append(via, r)
		} else {
			b.fail(key("via"), "road %q does not exist in the network", v)
		}
	}
	if len(from) == 0 || len(to) == 0 {
		return
	}
	rng := b.rng(streamFlow, i)
	name := f.ID
	if name == "" {
		name = fmt.Sprintf("flow%d", i)
	}
	unroutable := 0
	for k, t := range departures(rng, f.Rate*b.sc.Demand.scale(), f.Begin, f.End, f.Distribution) {
		o, d := from[rng.IntN(len(from))], to[rng.IntN(len(to))]
		trip := engine.Trip{ID: fmt.Sprintf("%s.%d", name, k), Depart: t, From: o, To: d, VType: b.vtypeOf(key("vtype"), f.VType, rng)}
		trip.VType = b.connectedVType(trip.VType, f.Connected) // v2x.go
		if len(via) > 0 {
			route, err := b.viaRoute(o, via, d)
			if err != nil {
				unroutable++
			}
			trip.Route = route
		} else if !b.router.Reachable(o, d) {
			unroutable++
		}
		b.trips = append(b.trips, trip)
	}
	if unroutable > 0 {
		b.notes = append(b.notes, fmt.Sprintf("%s: demand.flows[%d] (%s): %d trips have no route from %s to %s and will not depart",
			b.sc.source(), i, name, unroutable, f.From, f.To))
	}
}

// viaRoute joins fastest routes through the via roads.
func (b *demandBuilder) viaRoute(o maps.RoadID, via []maps.RoadID, d maps.RoadID) (maps.Route, error) {
	route := maps.Route{o}
	stops := append(append([]maps.RoadID(nil), via...), d)
	for _, s := range stops {
		part, _, err := b.router.RouteTree(route[len(route)-1], s)
		if err != nil {
			return nil, err
		}
		route = append(route, part[1:]...)
	}
	return route, nil
}

// fringe reports whether a road enters the network from outside (its start
// node has no other way in) and whether it leaves it.
func (b *demandBuilder) fringe(r maps.RoadID) (in, out bool) {
	road := &b.net.Roads[r]
	from, to := &b.net.Nodes[road.From], &b.net.Nodes[road.To]
	in = from.Kind == maps.Boundary || from.Kind == maps.DeadEnd || len(from.In) == 0
	out = to.Kind == maps.Boundary || to.Kind == maps.DeadEnd || len(to.Out) == 0
	return
}

func (b *demandBuilder) random(i int, rt RandomTrips) {
	key := func(k string) string { return fmt.Sprintf("demand.random[%d].%s", i, k) }
	var origins, dests []maps.RoadID
	main := map[maps.RoadID]bool{}
	if len(b.net.Components) > 0 {
		for _, r := range b.net.Components[0] {
			main[r] = true
		}
	}
	for r := range b.net.Roads {
		id := maps.RoadID(r)
		in, out := b.fringe(id)
		if rt.Fringe {
			if in {
				origins = append(origins, id)
			}
			if out {
				dests = append(dests, id)
			}
		} else if main[id] {
			origins = append(origins, id)
			dests = append(dests, id)
		}
	}
	if len(origins) == 0 || len(dests) == 0 {
		b.fail(key("rate"), "the network has no %s roads to draw trips between", map[bool]string{true: "fringe", false: "connected"}[rt.Fringe])
		return
	}
	rng := b.rng(streamRandom, i)
	unroutable := 0
	for k, t := range departures(rng, rt.Rate*b.sc.Demand.scale(), rt.Begin, rt.End, rt.Distribution) {
		var o, d maps.RoadID
		found := false
		for try := 0; try < 100 && !found; try++ {
			o, d = origins[rng.IntN(len(origins))], dests[rng.IntN(len(dests))]
			if o == d || b.net.Roads[o].From == b.net.Roads[d].To {
				continue
			}
			a, e := b.net.Roads[o].Geometry[0], b.net.Roads[d].Geometry[len(b.net.Roads[d].Geometry)-1]
			if detmath.Hypot(a[0]-e[0], a[1]-e[1]) < rt.MinLength {
				continue
			}
			if !b.router.Reachable(o, d) {
				continue
			}
			found = true
		}
		if !found {
			unroutable++
			continue
		}
		b.trips = append(b.trips, engine.Trip{ID: fmt.Sprintf("random%d.%d", i, k), Depart: t, From: o, To: d, VType: b.vtypeOf(key("vtype"), rt.VType, rng)})
	}
	if unroutable > 0 {
		b.notes = append(b.notes, fmt.Sprintf("%s: demand.random[%d]: %d trips found no routable pair at least %g m apart and were not created",
			b.sc.source(), i, unroutable, rt.MinLength))
	}
}

func (b *demandBuilder) od(i int, m ODMatrix, zones map[string][]maps.RoadID) {
	key := func(k string) string { return fmt.Sprintf("demand.od[%d].%s", i, k) }
	rng := b.rng(streamOD, i)
	for a, za := range m.Zones {
		for c, zc := range m.Zones {
			n := m.Trips[a][c] * b.sc.Demand.scale()
			if n <= 0 {
				continue
			}
			from := b.endpoint(key("zones"), ZonePrefix+za, zones)
			to := b.endpoint(key("zones"), ZonePrefix+zc, zones)
			if len(from) == 0 || len(to) == 0 {
				continue
			}
			rate := n * 3600 / (m.End - m.Begin)
			for k, t := range departures(rng, rate, m.Begin, m.End, m.Distribution) {
				o, d := from[rng.IntN(len(from))], to[rng.IntN(len(to))]
				b.trips = append(b.trips, engine.Trip{ID: fmt.Sprintf("od%d.%s-%s.%d", i, za, zc, k), Depart: t, From: o, To: d,
					VType: b.vtypeOf(key("vtype"), m.VType, rng)})
			}
		}
	}
}

// tripsCSV reads a trips CSV: a header line naming the columns, id and
// depart first, then from and to, or route (road ids separated by spaces),
// or all three, and optionally vtype; one trip per row. A trip with a
// route follows it (its roads must be joined by movements); one without is
// routed by the fastest route. An empty vtype means the first vehicle type.
func (b *demandBuilder) tripsCSV(rel string) {
	key := "demand.trips_csv"
	data, err := b.sc.ReadFile(rel)
	if err != nil {
		b.fail(key, "cannot read trips: %v", err)
		return
	}
	file := b.sc.Resolve(rel)
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	col := map[string]int{}
	var header []string
	line := 0
	for {
		rec, err := r.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			b.fail(key, "%s: %v", file, err)
			return
		}
		if len(b.trips) >= b.sc.Limits.Trips {
			b.fail(key, "%s:%d: more trips than limits.trips (%d) allows", file, line, b.sc.Limits.Trips)
			return
		}
		if line == 1 {
			for i, h := range rec {
				h = strings.TrimSpace(h)
				if _, dup := col[h]; dup || !slices.Contains([]string{"id", "depart", "from", "to", "route", "vtype"}, h) {
					col = nil
					break
				}
				col[h] = i
				header = append(header, h)
			}
			_, from := col["from"]
			_, to := col["to"]
			_, route := col["route"]
			if col == nil || len(rec) < 3 || header[0] != "id" || header[1] != "depart" || from != to || !from && !route {
				b.fail(key, "%s:1: the header must be id,depart then from,to and/or route, and optionally vtype (got %s)", file, strings.Join(rec, ","))
				return
			}
			continue
		}
		if len(rec) != len(header) && !(len(rec) == len(header)-1 && header[len(header)-1] == "vtype") {
			b.fail(key, "%s:%d: want %d fields (%s), have %d", file, line, len(header), strings.Join(header, ","), len(rec))
			continue
		}
		field := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		dep, err := strconv.ParseFloat(field("depart"), 64)
		if err != nil || dep < 0 || math.IsInf(dep, 0) || math.IsNaN(dep) {
			b.fail(key, "%s:%d: depart %q is not a time in seconds", file, line, rec[col["depart"]])
			continue
		}
		trip := engine.Trip{ID: field("id"), Depart: dep}
		if ids := strings.Fields(field("route")); len(ids) > 0 {
			ok := true
			for i, id := range ids {
				rd, found := b.net.RoadByID(id)
				if !found {
					b.fail(key, "%s:%d: route road %q does not exist in the network", file, line, id)
					ok = false
					break
				}
				if i > 0 && b.net.MovementBetween(trip.Route[i-1], rd) == maps.None {
					b.fail(key, "%s:%d: route: no movement leads from road %s to road %s", file, line, ids[i-1], id)
					ok = false
					break
				}
				trip.Route = append(trip.Route, rd)
			}
			if !ok {
				continue
			}
			trip.From, trip.To = trip.Route[0], trip.Route[len(trip.Route)-1]
			if f, t := field("from"), field("to"); f != "" && f != ids[0] || t != "" && t != ids[len(ids)-1] {
				b.fail(key, "%s:%d: the route runs from %s to %s, not from %q to %q", file, line, ids[0], ids[len(ids)-1], f, t)
				continue
			}
		} else {
			o, ok1 := b.net.RoadByID(field("from"))
			d, ok2 := b.net.RoadByID(field("to"))
			if !ok1 || !ok2 {
				b.fail(key, "%s:%d: road %q or %q does not exist in the network", file, line, field("from"), field("to"))
				continue
			}
			trip.From, trip.To = o, d
		}
		if v := field("vtype"); v != "" {
			trip.VType = b.vtypeOf(key, v, nil)
		}
		b.trips = append(b.trips, trip)
	}
}

// cityflowFlow is one entry of a CityFlow flow.json.
type cityflowFlow struct {
	Vehicle struct {
		Length      float64 `json:"length"`
		MaxPosAcc   float64 `json:"maxPosAcc"`
		MaxNegAcc   float64 `json:"maxNegAcc"`
		UsualNegAcc float64 `json:"usualNegAcc"`
		MinGap      float64 `json:"minGap"`
		MaxSpeed    float64 `json:"maxSpeed"`
		HeadwayTime float64 `json:"headwayTime"`
	} `json:"vehicle"`
	Route     []string `json:"route"`
	Interval  float64  `json:"interval"`
	StartTime float64  `json:"startTime"`
	EndTime   float64  `json:"endTime"`
}

// cityflow reads a CityFlow flow file: each entry emits a vehicle every
// interval seconds from startTime to endTime inclusive along its route
// (gaps between listed roads are filled by the router, as CityFlow does).
// Each distinct vehicle description becomes a vehicle type
// "cityflow-N" with the entry's parameters, driven by CityFlow's own model
// unless demand.cityflow_model names another.
func (b *demandBuilder) cityflow(rel string) {
	key := "demand.cityflow"
	data, err := b.sc.ReadFile(rel)
	if err != nil {
		b.fail(key, "cannot read the flow file: %v", err)
		return
	}
	file := b.sc.Resolve(rel)
	var flows []cityflowFlow
	if err := json.Unmarshal(data, &flows); err != nil {
		b.fail(key, "%s: not a CityFlow flow file: %v", file, err)
		return
	}
	// The vehicles' model: CityFlow's own unless the scenario names
	// another (checked by Validate).
	model, _ := follow.ByName(b.sc.Demand.CityFlowModel)
	types := map[string]int{}
	for i, f := range flows {
		where := fmt.Sprintf("%s: flow %d", file, i)
		v := f.Vehicle
		if len(f.Route) == 0 || !(f.Interval > 0) || f.EndTime < f.StartTime || f.StartTime < 0 ||
			!(v.Length > 0) || !(v.MaxPosAcc > 0) || !(v.MaxNegAcc > 0) || !(v.MaxSpeed > 0) || v.MinGap < 0 {
			b.fail(key, "%s: needs a route, interval > 0, startTime ≤ endTime and positive vehicle parameters", where)
			continue
		}
		sig := fmt.Sprint(v)
		vt, ok := types[sig]
		if !ok {
			decel := v.UsualNegAcc
			if !(decel > 0) {
				decel = v.MaxNegAcc
			}
			hw := v.HeadwayTime
			if !(hw > 0) {
				hw = 1.5
			}
			vt = len(b.cfg.VTypes)
			types[sig] = vt
			b.cfg.VTypes = append(b.cfg.VTypes, engine.VType{ID: fmt.Sprintf("cityflow-%d", len(types)-1), Length: v.Length,
				MaxSpeed: v.MaxSpeed, Model: model, SpeedFactor: engine.Normal{Mean: 1, Min: 0.2, Max: 2},
				Follow: follow.Params{Accel: v.MaxPosAcc, Decel: decel, EmergencyDecel: math.Max(v.MaxNegAcc, decel), MinGap: v.MinGap, Headway: hw}})
		}
		var roads []maps.RoadID
		bad := false
		for _, id := range f.Route {
			r, ok := b.net.RoadByID(id)
			if !ok {
				b.fail(key, "%s: route road %q does not exist in the network", where, id)
				bad = true
				break
			}
			roads = append(roads, r)
		}
		if bad {
			continue
		}
		route := maps.Route{roads[0]}
		for _, r := range roads[1:] {
			if b.net.MovementBetween(route[len(route)-1], r) != maps.None {
				route = append(route, r)
				continue
			}
			part, _, err := b.router.RouteTree(route[len(route)-1], r)
			if err != nil {
				route = nil
				break
			}
			route = append(route, part[1:]...)
		}
		if n := math.Floor((f.EndTime-f.StartTime)/f.Interval+1e-9) + 1; float64(len(b.trips))+n > float64(b.sc.Limits.Trips) {
			b.fail(key, "%s: would create %.0f trips; with those before, more than limits.trips (%d) allows", where, n, b.sc.Limits.Trips)
			return
		}
		for k, t := 0, f.StartTime; t <= f.EndTime+1e-9; k, t = k+1, t+f.Interval {
			trip := engine.Trip{ID: fmt.Sprintf("flow_%d_%d", i, k), Depart: t, From: roads[0], To: roads[len(roads)-1], VType: vt, Route: route,
				DepartLane: engine.DepartLaneRandom, DepartSpeed: engine.DepartSpeedGiven}
			if route == nil {
				trip.Route = nil
				b.notes = append(b.notes, fmt.Sprintf("%s: no route through the listed roads", where))
			}
			b.trips = append(b.trips, trip)
		}
	}
}

// source names the scenario in notes: its file, or its name when it was
// built in Go.
func (sc *Scenario) source() string {
	if sc.path == "" {
		return sc.Name
	}
	return sc.path
}
