package bench

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"gonum.org/v1/gonum/graph/path"
)

// BenchmarkRoute30 routes the 14,400 trips of the routing case
// (RouteScenario) per iteration:
//
//		go test ./bench -run '^$' -bench Route30 -benchtime 3x
//
//	  - gonum-trees: what the router did before issue 19, a gonum
//	    path.DijkstraFrom tree cached per origin, one query per trip;
//	  - routes/workers=N: maps.Router.Routes on N goroutines;
//	  - engine.New/workers=N: the whole simulation set-up, routing included.
//
// Besides ns/op it reports cpu-s/op (CPU seconds of the whole process
// per iteration, all threads: less sensitive than wall time to other
// processes on a shared machine), MB-alloc (bytes allocated per iteration) and
// MB-live (heap kept by one iteration's result: trees, routes or the
// simulation, measured after a garbage collection).
func BenchmarkRoute30(b *testing.B) {
	net, trips, err := RouteCase()
	if err != nil {
		b.Fatal(err)
	}
	pairs := make([]maps.OD, len(trips))
	for i, t := range trips {
		pairs[i] = maps.OD{From: t.From, To: t.To}
	}
	b.Run("gonum-trees", func(b *testing.B) {
		benchMem(b, func() any {
			g := maps.NewRoadGraph(net)
			trees := map[maps.RoadID]*path.Shortest{}
			routes := make([][]int64, len(pairs))
			for i, p := range pairs {
				t, ok := trees[p.From]
				if !ok {
					sp := path.DijkstraFrom(g.Node(int64(p.From)), g)
					t = &sp
					trees[p.From] = t
				}
				nodes, _ := t.To(int64(p.To))
				routes[i] = make([]int64, len(nodes))
				for k, nd := range nodes {
					routes[i][k] = nd.ID()
				}
			}
			return []any{trees, routes}
		})
	})
	workers := []int{1}
	if n := runtime.NumCPU(); n > 1 {
		workers = append(workers, n)
	}
	for _, w := range workers {
		b.Run(fmt.Sprintf("routes/workers=%d", w), func(b *testing.B) {
			benchMem(b, func() any { return maps.NewRouter(net).Routes(pairs, w) })
		})
	}
	for _, w := range workers {
		b.Run(fmt.Sprintf("engine.New/workers=%d", w), func(b *testing.B) {
			cfg := engine.DefaultConfig()
			cfg.Workers = w
			benchMem(b, func() any {
				sim, err := engine.New(net, cfg, trips)
				if err != nil {
					b.Fatal(err)
				}
				sim.Close()
				return sim
			})
		})
	}
}

// benchMem runs f once per iteration and reports the bytes it allocates
// per iteration and the heap its last result keeps.
func benchMem(b *testing.B, f func() any) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var keep any
	cpu := CPUTime()
	for b.Loop() {
		keep = nil
		keep = f()
	}
	b.StopTimer()
	cpu = CPUTime() - cpu
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(alloc)/float64(b.N)/(1<<20), "MB-alloc/op")
	b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/(1<<20), "MB-live")
}

// TestRouteCase checks the routing case: 14,400 trips between distinct
// roads, each with a route.
func TestRouteCase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 30×30 grid and routes 14,400 trips")
	}
	net, trips, err := RouteCase()
	if err != nil {
		t.Fatal(err)
	}
	if len(trips) != 14400 || len(net.Roads) != 3720 {
		t.Fatalf("got %d trips on %d roads, want 14400 on 3720", len(trips), len(net.Roads))
	}
	pairs := make([]maps.OD, len(trips))
	for i, tr := range trips {
		pairs[i] = maps.OD{From: tr.From, To: tr.To}
	}
	for i, r := range maps.NewRouter(net).Routes(pairs, 2) {
		if len(r) < 2 || r[0] != pairs[i].From || r[len(r)-1] != pairs[i].To {
			t.Fatalf("trip %d: route %v from %d to %d", i, r, pairs[i].From, pairs[i].To)
		}
	}
}
