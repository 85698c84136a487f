package bench

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
)

var heavy = flag.Bool("heavy", false, "also run the heavy benchmark cases (scale: about a minute and 1 GiB)")

// kernelNs is the bare kernel's ns per vehicle-update, measured once.
var kernelNs = sync.OnceValue(func() float64 { return KernelNs(300 * time.Millisecond) })

// BenchmarkCases times one simulation step per iteration of every case, on
// one worker and on all cores, after the case's warm-up. Run it with
//
//	go test ./bench -run '^$' -bench Cases
//
// (add -heavy for the scale case). It reports veh-steps/s (vehicle-updates
// per wall second), ns/veh-step and x-kernel, the cost per vehicle-update
// as a multiple of the bare kernel's (BenchmarkKernel).
func BenchmarkCases(b *testing.B) {
	workers := []int{1}
	if n := runtime.NumCPU(); n > 1 {
		workers = append(workers, n)
	}
	for _, c := range Cases() {
		b.Run(c.Name, func(b *testing.B) {
			if c.Heavy && !*heavy {
				b.Skip("heavy case: run with -heavy")
			}
			// Demand for the warm-up and an hour more than any sensible
			// -benchtime needs.
			setup, err := c.Load(1, c.Warmup+3600)
			if errors.Is(err, ErrSkipped) {
				b.Skip(err)
			}
			if err != nil {
				b.Fatal(err)
			}
			for _, w := range workers {
				b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchSim(b, setup, w) })
			}
		})
	}
}

func benchSim(b *testing.B, setup *Setup, workers int) {
	sim, err := setup.NewSim(workers)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { sim.Close() }()
	kernel := kernelNs()
	runtime.GC()
	b.ReportAllocs()
	var updates float64
	var teleports int64
	c0 := sim.Counts()
	fold := func() {
		c1 := sim.Counts()
		updates += c1.VehicleSteps - c0.VehicleSteps
		teleports += c1.Teleports - c0.Teleports
	}
	for b.Loop() {
		if sim.Time() >= setup.End {
			// The demand is over: go on with a fresh, warmed-up simulation.
			b.StopTimer()
			fold()
			sim.Close()
			if sim, err = setup.NewSim(workers); err != nil {
				b.Fatal(err)
			}
			c0 = sim.Counts()
			b.StartTimer()
		}
		sim.Step()
	}
	fold()
	// Sanity: the network stayed loaded and nothing went wrong wholesale.
	if c := sim.Counts(); c.Running == 0 || updates < float64(b.N) {
		b.Fatalf("%s: %d vehicles running, %.0f vehicle-updates in %d steps: the case is empty", setup.Case.Name, c.Running, updates, b.N)
	}
	if float64(teleports) > 1e-3*updates {
		b.Errorf("%s: %d teleports in %.0f vehicle-updates: the case is gridlocked", setup.Case.Name, teleports, updates)
	}
	ns := float64(b.Elapsed().Nanoseconds())
	b.ReportMetric(updates/(ns/1e9), "veh-steps/s")
	b.ReportMetric(ns/updates, "ns/veh-step")
	b.ReportMetric(ns/updates/kernel, "x-kernel")
	b.ReportMetric(updates/float64(b.N), "vehicles")
}

// BenchmarkKernel is the lower bound: the bare IDM update over contiguous
// arrays (Ring.Step), on 100,000 vehicles (too many for the L2 cache, as
// in a city-size run) and on 1,000 (in L1).
func BenchmarkKernel(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { benchRing(b, n, (*Ring).Step) })
	}
}

// BenchmarkKernelCall is BenchmarkKernel through follow.IDMAccel, the
// function the engine calls.
func BenchmarkKernelCall(b *testing.B) {
	benchRing(b, 100_000, (*Ring).StepCall)
}

func benchRing(b *testing.B, n int, step func(*Ring)) {
	r := NewRing(n, 20)
	for b.Loop() {
		step(r)
	}
	if err := r.check(); err != nil {
		b.Fatal(err)
	}
	ns := float64(b.Elapsed().Nanoseconds())
	updates := float64(b.N) * float64(n)
	b.ReportMetric(updates/(ns/1e9), "veh-steps/s")
	b.ReportMetric(ns/updates, "ns/veh-step")
}

// check reports an error when the ring is not a sound state: a NaN, a
// speed out of [0, V0] or a vehicle overlapping its leader.
func (r *Ring) check() error {
	n := len(r.Pos)
	for i := range n {
		if v := r.Speed[i]; !(v >= 0 && v <= r.V0+1e-9) {
			return fmt.Errorf("vehicle %d: speed %g m/s out of [0, %g]", i, v, r.V0)
		}
		lead := r.Pos[(i+n-1)%n]
		if i == 0 {
			lead += r.Length
		}
		if gap := lead - r.VehLen - r.Pos[i]; !(gap > 0) {
			return fmt.Errorf("vehicle %d: gap %g m to its leader", i, gap)
		}
	}
	return nil
}

func TestKernelSound(t *testing.T) {
	a, b := NewRing(500, 9), NewRing(500, 9) // dense: 4 m net gaps
	for range 300 {
		a.Step()
		b.StepCall()
	}
	for _, r := range []*Ring{a, b} {
		if err := r.check(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range a.Pos {
		if math.Abs(a.Pos[i]-b.Pos[i]) > 1e-6 || math.Abs(a.Speed[i]-b.Speed[i]) > 1e-9 {
			t.Fatalf("vehicle %d: Step gives %g m at %g m/s, StepCall %g m at %g m/s", i, a.Pos[i], a.Speed[i], b.Pos[i], b.Speed[i])
		}
	}
	if a.Speed[0] < 1 {
		t.Errorf("after 300 s the ring still stands: speed %g m/s", a.Speed[0])
	}
}

func TestCaseNames(t *testing.T) {
	var names []string
	for _, c := range Cases() {
		if c.Name == "" || c.Desc == "" || c.Steps <= 0 || c.Warmup < 0 || c.load == nil {
			t.Errorf("case %+v is incomplete", c)
		}
		got, err := Lookup(c.Name)
		if err != nil || got.Name != c.Name {
			t.Errorf("Lookup(%q) = %v, %v", c.Name, got, err)
		}
		names = append(names, c.Name)
	}
	slices.Sort(names)
	if len(slices.Compact(names)) != len(Cases()) {
		t.Errorf("duplicate case names in %v", names)
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("Lookup(nope): no error")
	}
}

func TestDatasetsSkipWithoutEnv(t *testing.T) {
	t.Setenv(DatasetsEnv, "")
	c, err := Lookup("jinan_3x4")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load(1, 60); !errors.Is(err, ErrSkipped) {
		t.Errorf("Load without %s: got %v, want ErrSkipped", DatasetsEnv, err)
	}
}

func smallGrid(t *testing.T, n int) (*maps.Network, *GridIndex) {
	t.Helper()
	net, err := maps.Grid(maps.GridOptions{Rows: n, Cols: n})
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGridIndex(net, n, n)
	if err != nil {
		t.Fatal(err)
	}
	return net, g
}

func TestGridDemand(t *testing.T) {
	net, g := smallGrid(t, 4)
	o := GridDemandOptions{Rate: 100, Horizon: 600, Seed: 7}
	trips := GridDemand(net, g, o)
	// 100 veh/h on each of the 4×4 grid's 80 roads for 10 minutes.
	if want := 100.0 * 80 / 6; math.Abs(float64(len(trips))-want) > 4*math.Sqrt(want) {
		t.Errorf("%d trips, want about %.0f", len(trips), want)
	}
	turns := 0
	for i, tr := range trips {
		if tr.Depart < 0 || tr.Depart >= o.Horizon || i > 0 && tr.Depart < trips[i-1].Depart {
			t.Fatalf("trip %d departs at %g s: not in order within [0, %g)", i, tr.Depart, o.Horizon)
		}
		for k := 1; k < len(tr.Route); k++ {
			m := net.MovementBetween(tr.Route[k-1], tr.Route[k])
			if m == maps.None {
				t.Fatalf("trip %d: no movement from %s to %s", i, net.Roads[tr.Route[k-1]].ID, net.Roads[tr.Route[k]].ID)
			}
			if net.Movements[m].Turn != maps.Straight {
				turns++
			}
		}
	}
	if turns == 0 {
		t.Error("no trip turns")
	}
	// Same seed, same trips; a shorter horizon gives a prefix.
	again := GridDemand(net, g, GridDemandOptions{Rate: 100, Horizon: 300, Seed: 7})
	if len(again) == 0 || len(again) >= len(trips) {
		t.Fatalf("horizon 300 s: %d trips, horizon 600 s: %d", len(again), len(trips))
	}
	for i := range again {
		if again[i].Depart != trips[i].Depart || !slices.Equal(again[i].Route, trips[i].Route) {
			t.Fatalf("trip %d differs between horizons 300 s and 600 s", i)
		}
	}
	// The engine accepts every route.
	sim, err := engine.New(net, engine.DefaultConfig(), trips)
	if err != nil {
		t.Fatal(err)
	}
	sim.Close()
}

func TestScaleDemand(t *testing.T) {
	net, g := smallGrid(t, 3)
	const n = 1000
	trips := ScaleDemand(net, g, n)
	if len(trips) != n {
		t.Fatalf("%d trips, want %d", len(trips), n)
	}
	for i, tr := range trips {
		if tr.Depart != 0 || i > 0 && tr.From < trips[i-1].From {
			t.Fatalf("trip %d: departs at %g s from road %d: want t = 0, by origin road", i, tr.Depart, tr.From)
		}
		for k := 1; k < len(tr.Route); k++ {
			m := net.MovementBetween(tr.Route[k-1], tr.Route[k])
			if m == maps.None || net.Movements[m].Turn != maps.Straight {
				t.Fatalf("trip %d: route does not go straight on", i)
			}
		}
		if last := &net.Roads[tr.To]; net.Nodes[last.To].Kind != maps.Boundary {
			t.Fatalf("trip %d ends on %s, not at the edge", i, last.ID)
		}
	}
	cfg := engine.DefaultConfig()
	cfg.Teleport = 0
	sim, err := engine.New(net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.RunUntil(60)
	if c := sim.Counts(); c.Inserted != n || c.Teleports != 0 {
		t.Errorf("after 60 s: %d of %d inserted, %d teleports", c.Inserted, n, c.Teleports)
	}
}

// TestTimeGrid10 runs the harness on the 10×10 grid with a short warm-up.
func TestTimeGrid10(t *testing.T) {
	c, err := Lookup("grid10")
	if err != nil {
		t.Fatal(err)
	}
	cc := *c
	cc.Warmup = 120
	setup, err := cc.Load(1, 200)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := setup.NewSim(2)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	r := Time(cc.Name, sim, 20)
	if r.Steps != 20 || r.Workers != 2 || r.Running == 0 || r.VehicleUpdates < 20*100 || r.UpdatesPerSec <= 0 ||
		r.Heap == 0 || r.HeapPerVehicle <= 0 || math.Abs(r.NsPerUpdate*r.UpdatesPerSec-1e9) > 1 {
		t.Errorf("implausible result %+v", r)
	}
}

// TestCityFlowCaseSettings checks that the CityFlow cases run with
// CityFlow's settings (no discretionary lane changes, no teleporting) and
// their _full variants with the whole model.
func TestCityFlowCaseSettings(t *testing.T) {
	if os.Getenv(DatasetsEnv) == "" {
		t.Skipf("%s is not set: no CityFlow datasets", DatasetsEnv)
	}
	for _, name := range []string{"jinan_3x4", "hangzhou_4x4", "newyork_16x3"} {
		for _, full := range []bool{false, true} {
			n := name
			if full {
				n += "_full"
			}
			c, err := Lookup(n)
			if err != nil {
				t.Fatal(err)
			}
			s, err := c.Load(1, 60)
			if errors.Is(err, ErrSkipped) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Config.LaneChange; got != full {
				t.Errorf("%s: lane changes %v, want %v", n, got, full)
			}
			if got := s.Config.Teleport > 0; got != full {
				t.Errorf("%s: teleport after %g s, want teleporting %v", n, s.Config.Teleport, full)
			}
		}
	}
}

func TestParseWorkers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"1", []int{1}},
		{"1, 2,8", []int{1, 2, 8}},
		{"", nil},
		{"1,x", nil},
		{"0", nil},
		{"2,-1", nil},
	} {
		got, err := ParseWorkers(tc.in)
		if tc.want == nil {
			if err == nil {
				t.Errorf("ParseWorkers(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseWorkers(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestMedian(t *testing.T) {
	rs := func(speeds ...float64) []Result {
		var out []Result
		for i, v := range speeds {
			out = append(out, Result{UpdatesPerSec: v, Steps: i})
		}
		return out
	}
	for _, tc := range []struct {
		speeds         []float64
		median, lo, hi float64
		from           int // Steps of the run chosen
	}{
		{[]float64{5}, 5, 5, 5, 0},
		{[]float64{3, 1, 2}, 2, 1, 3, 2},
		{[]float64{4, 1, 3, 2}, 2, 1, 4, 3}, // the lower middle
		{[]float64{2, 2, 1}, 2, 1, 2, 0},    // ties: the earlier run
	} {
		runs := rs(tc.speeds...)
		m := Median(runs)
		if m.UpdatesPerSec != tc.median || m.UpdatesMin != tc.lo || m.UpdatesMax != tc.hi || m.Runs != len(tc.speeds) || m.Steps != tc.from {
			t.Errorf("Median(%v) = %+v, want %g (run %d) in [%g, %g]", tc.speeds, m, tc.median, tc.from, tc.lo, tc.hi)
		}
		if runs[0].UpdatesPerSec != tc.speeds[0] {
			t.Errorf("Median(%v) reordered its argument", tc.speeds)
		}
	}
}
