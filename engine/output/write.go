package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/internal/atomicfile"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Files says which outputs WriteAll writes.
type Files struct {
	Trips, TimeSeries, Roads, Summary bool
	// Junctions, when set, adds the signal section of summary.json and
	// the files its options select: junctions.csv and junctions.json,
	// detectors.csv.
	Junctions *JunctionMetrics
}

// WriteAll writes the selected outputs of sim into dir (created if needed)
// and returns the paths written. Each file is written under a temporary
// name and renamed when complete (WriteFile), so a crash leaves every
// file either whole or as it was; run.json (BeginRun, FinishRun) says
// which run the set belongs to.
func WriteAll(dir string, sim *engine.Sim, warmup float64, f Files) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	var written []string
	write := func(name string, fn func(io.Writer) error) error {
		p := filepath.Join(dir, name)
		if err := WriteFile(p, fn); err != nil {
			return err
		}
		written = append(written, p)
		return nil
	}
	steps := []struct {
		on   bool
		name string
		fn   func(io.Writer) error
	}{
		{f.Trips, "trips.csv", func(w io.Writer) error { return WriteTrips(w, sim) }},
		{f.TimeSeries, "timeseries.csv", func(w io.Writer) error { return WriteSeries(w, sim) }},
		{f.Roads, "roads.geojson", func(w io.Writer) error { return WriteRoads(w, sim) }},
		{f.Summary, "summary.json", func(w io.Writer) error {
			sum := Summarize(sim, warmup)
			if jm := f.Junctions; jm != nil {
				sig := jm.Summary(sim)
				sum.Signals = &sig
			}
			return WriteSummary(w, sum)
		}},
	}
	if jm := f.Junctions; jm != nil {
		jm.Finish(sim)
		steps = append(steps, []struct {
			on   bool
			name string
			fn   func(io.Writer) error
		}{
			{jm.opt.Junctions, "junctions.csv", func(w io.Writer) error { return WriteJunctionsCSV(w, jm.Rows()) }},
			{jm.opt.Junctions, "junctions.json", func(w io.Writer) error { return WriteJunctionsJSON(w, jm, sim) }},
			{jm.opt.Detectors, "detectors.csv", func(w io.Writer) error { return WriteDetectorsCSV(w, jm.DetectorRows()) }},
		}...)
	}
	for _, s := range steps {
		if s.on {
			if err := write(s.name, s.fn); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// WriteFile writes the file path through fn, atomically: fn writes to a
// temporary file in the same folder, which is synced and renamed to path
// only when fn and the writes succeeded (see internal/atomicfile). On
// error path keeps what it had.
func WriteFile(path string, fn func(io.Writer) error) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	defer f.Abort()
	if err := fn(f); err != nil {
		return fmt.Errorf("output: %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("output: %s: %w", path, err)
	}
	return nil
}

func ff(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

// WriteTrips writes one CSV row per trip in vehicle id order: id, type,
// origin, destination, scheduled departure, depart, arrival, travel time,
// delay, stops, waiting time, route length, teleports, status, fuel (mL),
// CO2 (g) and whether the vehicle was connected (times in s, lengths in m;
// −1 for a time that has not happened).
func WriteTrips(w io.Writer, sim *engine.Sim) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "type", "origin", "destination", "scheduled", "depart", "arrival", "travel_time", "delay",
		"stops", "waiting_time", "route_length", "teleports", "status", "fuel_ml", "co2_g", "connected"})
	for id := 0; id < sim.NumTrips(); id++ {
		r := sim.Trip(id)
		cw.Write([]string{r.ID, r.VType, r.Origin, r.Destination, ff(r.Scheduled), ff(r.Depart), ff(r.Arrival), ff(r.TravelTime),
			ff(r.Delay), strconv.Itoa(r.Stops), ff(r.Waiting), ff(r.RouteLength), strconv.Itoa(r.Teleports), r.Status.String(),
			ff(r.Fuel), ff(r.CO2), strconv.FormatBool(r.Connected)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteSeries writes the time series: one row per interval.
func WriteSeries(w io.Writer, sim *engine.Sim) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"begin", "end", "running", "inserted", "arrived", "waiting_to_enter", "mean_speed", "total_delay", "teleports"})
	for _, r := range sim.Series() {
		cw.Write([]string{ff(r.Begin), ff(r.End), strconv.FormatInt(r.Running, 10), strconv.FormatInt(r.Inserted, 10),
			strconv.FormatInt(r.Arrived, 10), strconv.FormatInt(r.Waiting, 10), ff(r.MeanSpeed), ff(r.TotalDelay), strconv.FormatInt(r.Teleports, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteRoads writes per-road statistics as a GeoJSON FeatureCollection of
// road centre lines (lon/lat when the network was projected): volume
// (vehicles), mean speed (m/s; null when no vehicle was on the road),
// delay (vehicle-seconds lost, summed), vehicle-hours and fuel (mL).
func WriteRoads(w io.Writer, sim *engine.Sim) error {
	net := sim.Network()
	unproj := func(p orb.Point) orb.Point { return p }
	if f := net.LonLat(); f != nil {
		unproj = f
	}
	fc := geojson.NewFeatureCollection()
	for i, st := range sim.RoadStats() {
		r := &net.Roads[i]
		ls := make(orb.LineString, len(r.Geometry))
		for k, p := range r.Geometry {
			ls[k] = unproj(p)
		}
		f := geojson.NewFeature(ls)
		var meanSpeed any // null: no vehicle was on the road, so no speed
		if st.VehHours > 0 {
			meanSpeed = round3(st.MeanSpeed)
		}
		f.Properties = geojson.Properties{"id": r.ID, "name": r.Name, "highway": r.Class, "volume": st.Volume,
			"mean_speed": meanSpeed, "delay": round3(st.Delay), "veh_hours": round3(st.VehHours),
			"speed_limit": round3(r.Speed), "fuel_ml": round3(st.Fuel)}
		fc.Append(f)
	}
	data, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func round3(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 3, 64), 64)
	return v
}

// WriteSummary writes the summary as indented JSON.
func WriteSummary(w io.Writer, s Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}
