package experiments

import "slices"

// Metric is a number each run yields and the experiment can compare.
type Metric struct {
	Name  string // key in experiment files and outputs, such as "mean_delay"
	Label string // for reports
	Unit  string // "s", "veh", "m/s", or "" for a count or share
	// HigherIsBetter says which direction is an improvement.
	HigherIsBetter bool
	Doc            string
}

// metricList lists every metric in report order. Trip metrics cover the
// trips that were scheduled at or after the warm-up and arrived, as
// output.Summarize computes them.
var metricList = []Metric{
	{"mean_travel_time", "mean travel time", "s", false, "mean travel time of arrived trips scheduled after the warm-up"},
	{"mean_delay", "delay per vehicle", "s", false, "mean time lost against the desired speed, per arrived trip"},
	{"p95_travel_time", "95th-percentile travel time", "s", false, "95th percentile of the travel times of arrived trips"},
	{"mean_stops", "stops per vehicle", "", false, "mean number of halts per arrived trip"},
	{"mean_waiting", "standing time per vehicle", "s", false, "mean time standing (speed < 0.1 m/s) per arrived trip"},
	{"mean_speed", "mean trip speed", "m/s", true, "route length over travel time, averaged over arrived trips"},
	{"throughput", "throughput", "veh", true, "vehicles that arrived between the warm-up and the end of the demand period (duration); arrivals in the cooldown do not count, so that an arm cannot gain by draining its queues later"},
	{"mean_queue", "mean queue", "veh", false, "vehicles standing on road lanes, averaged over the steps after the warm-up"},
	{"max_queue", "max queue", "veh", false, "most vehicles standing on road lanes at once after the warm-up"},
	{"cityflow_att", "CityFlow ATT", "s", false, "average travel time as CityFlow computes it (unfinished trips count until the end)"},
	{"unfinished", "unfinished trips", "veh", false, "trips still running or waiting to enter at the end of the run"},
	{"mean_fuel", "fuel per vehicle", "mL", false, "mean fuel of arrived trips (Akçelik's power-based model, engine.FuelModel)"},
	{"fuel_per_100km", "fuel per distance", "L/100 km", false, "fuel of arrived trips over their distance"},
	{"co2", "CO2", "kg", false, "CO2 of every trip that finished or is running at the end, warm-up included"},
	{"arrived_share", "arrived share", "", true, "arrived / inserted vehicles"},
	{"teleports", "teleports", "", false, "vehicles moved ahead after standing too long (a sign of gridlock)"},
}

// DefaultMetrics are compared when an experiment lists none.
var DefaultMetrics = []string{"mean_travel_time", "mean_delay", "p95_travel_time", "mean_stops", "throughput", "mean_queue", "max_queue", "mean_fuel", "co2"}

// Metrics returns every metric an experiment may compare.
func Metrics() []Metric { return slices.Clone(metricList) }

// MetricNames returns the names of every metric.
func MetricNames() []string {
	names := make([]string, len(metricList))
	for i, m := range metricList {
		names[i] = m.Name
	}
	return names
}

func metricIndex(name string) int {
	return slices.IndexFunc(metricList, func(m Metric) bool { return m.Name == name })
}

// MetricByName returns the metric called name.
func MetricByName(name string) (Metric, bool) {
	if i := metricIndex(name); i >= 0 {
		return metricList[i], true
	}
	return Metric{}, false
}
